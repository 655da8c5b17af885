/*
 * handler.h - an intent's handler (struct handler: each feature lists its
 * own, feature.h), and struct turn: everything a handler sees while it
 * answers one message inside the request transaction. Handlers never touch the network; they change the store, add replies with say(), and
 * (from the outbox issue on) queue pushes in the same transaction.
 */
#ifndef BOT_HANDLER_H
#define BOT_HANDLER_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "content.h"
#include "safety.h"

struct conf;
struct content;
struct intents;
struct intent_match;
struct inmsg;
struct channel;
struct store;
struct lesson;
struct lesson_set;

/* Read-only after startup; shared by every thread. */
struct app {
    const struct conf *conf;
    struct content *ct;
    struct intents *intents;
    struct lesson_set *lessons; /* content/lessons/; NULL in tests that need none */
    struct geo *districts;      /* [report] boundaries (geo.h); NULL: no district from a position */
    struct live *live; /* serve: ct, intents, lessons are per generation (live.h); NULL: fixed */
};

struct turn {
    const struct app *app;
    struct store *st;
    const struct channel *ch;
    const struct inmsg *in;
    int64_t person; /* people.id of the sender's account (linked: the canonical row) */
    int64_t sender; /* people.id of the sending channel's own row (the dedupe key) */
    int64_t now;    /* ms, fixed for the whole turn */
    const char *text;             /* normalised text ("" when none) */
    const char *picked;           /* the menu's command a number chose (text is its
                                     normalised copy), or NULL: turn_raw_arg reads it */
    enum safety_level safety;     /* what the first stage found in text (safety.h) */
    const struct intent_match *m; /* the matched rule, or NULL */
    const char *intent;           /* the intent being handled */
    json_t *replies;              /* array of {"text": ...} being built */
    const struct arrival *seen;   /* the sender as engine_turn looked it up (store.h), or NULL */
};

typedef int (*handler_fn)(struct turn *t);
struct handler {
    const char *intent;
    handler_fn fn;
    bool staff; /* a staff command (#受理, 接 T12, ...): never from an
                   unauthenticated message (inmsg.authenticated) */
};
/* Run h for t: the one place staff commands are checked. A staff command on
 * a message that arrived unauthenticated is answered as not understood. */
int handler_run(const struct handler *h, struct turn *t);

/*
 * Periodic work (reminders, scheduled pushes, timeouts): each feature may have
 * a tick that runs on the writer thread inside a transaction every
 * conf tick_seconds. A tick must be idempotent (queue pushes with stable
 * idempotency keys) since a failed transaction runs it again. 0 or -1.
 */
typedef int (*tick_fn)(const struct app *app, struct store *st, int64_t now);
/* Run every feature's tick in order; -1 when one failed. */
int handler_tick(const struct app *app, struct store *st, int64_t now);

/*
 * Context claims: a feature with an open exchange with this person says what
 * it waits for, in its descriptor's claims (feature.h) that the turn (turn.c)
 * asks before any global intent. A row:
 *  - claim(t): 1 this person's context is open and would take this message
 *    (a quiz question is open; a photo waits for its caption; ...), 0 not,
 *    -1 error. It reads t->text, t->in; it changes nothing.
 *  - answers: the intent that answers this context and nothing else
 *    (quiz.answer for a quiz, course.confirm for a seat offer), or NULL. Such
 *    an intent is an "answer intent": outside its context its text (好的,
 *    a) is plain text that another open context may take.
 *  - take(t): takes a message that matched no global intent (or only an
 *    answer intent); NULL when the context takes its answers only. 0 or -1.
 * When two rows claim one message the turn asks which, with a numbered choice.
 * name: content key turn.ctx.<name> is the row's label in that question.
 */
struct claimer {
    const char *name;
    const char *answers;
    int (*claim)(struct turn *t);
    int (*take)(struct turn *t);
};
/* True when intent is some claimer's answers. */
bool intent_is_answer(const char *intent);

/* The handler for intent, or NULL. */
const struct handler *handler_find(const char *intent);

/* Add the text of content key, with placeholders from name, value pairs and a
 * final NULL, as one reply. 0 or -1. */
int say(struct turn *t, const char *key, ...);
/* Add a literal reply text (already rendered). */
int say_text(struct turn *t, const char *text);
/* Remember numbered commands so a bare number typed next answers them:
 * cmds[0] is what "1" means. 0 or -1. */
int turn_set_menu(struct turn *t, const char *const *cmds, int n);
/* Per-person state for this sender, kept for conf state_ttl. See store.h. */
int turn_state_get(struct turn *t, const char *key, char **value);
int turn_state_set(struct turn *t, const char *key, const char *value);
int turn_state_del(struct turn *t, const char *key);
/*
 * What the person typed, for storing and relaying (case, full-width
 * punctuation and a final question mark kept); the rules match the
 * normalised copy. turn_raw_arg: the tail of the raw text (or of the menu
 * command a number picked, which may carry the text: ask_choice) whose normalised
 * form is cap (a capture), falling back to cap; "" for NULL. turn_raw_text:
 * the whole text, trimmed. New strings.
 */
char *turn_raw_arg(const struct turn *t, const char *cap);
char *turn_raw_text(const struct turn *t);
/* The named capture of the matched rule, or NULL. */
const char *turn_cap(const struct turn *t, const char *name);
/* Local date/time of ms in the configured time zone, e.g. "%Y-%m-%d". */
void turn_fmt_time(int64_t ms, const char *fmt, char *out, size_t size)
    __attribute__((format(strftime, 2, 0)));
/* A date (clock: and time) as workers read it: 12-30 09:00 within now's
 * year, 2027-01-02 09:00 in another. */
void turn_fmt_when(int64_t ms, int64_t now, bool clock, char *out, size_t size);
/* The content key for this channel: KEY.sms on an SMS channel when content
 * has it (a plain SMS sends no photo and no location), else key. buf holds
 * the .sms name. */
const char *turn_key(const struct turn *t, const char *key, char *buf, size_t size);

/* handle_core.c */
int handle_help(struct turn *t);
int handle_fallback(struct turn *t);

/* handle_understand.c: the scorer's guess for a text that reached the
 * fallback (understand.h). 1 answered (an intent's handler or a numbered
 * choice), 0 nothing close, -1 error. */
int understand_fallback(struct turn *t);

/* handle_lesson.c: micro-lessons, quizzes, streaks and the daily lesson push */
/* Queues today's lesson for every subscriber whose local time has come. */
int lesson_tick(const struct app *app, struct store *st, int64_t now);
/* The text of lesson l as the bot sends it, with heading and answer hint:
 * as a push (content lesson.push) or a reply (lesson.show). with_link appends
 * the link, for SMS and pushes, which carry text only. New string. */
char *lesson_text(const struct app *app, const struct lesson *l, bool is_push, bool with_link);
/* What a push of lesson l carries beside its text (outbox_push_rich): "link",
 * "cover", "title" (content lesson.article) and "summary" (the first
 * sentence). NULL when l has no link. New reference. */
json_t *lesson_extra(const struct app *app, const struct lesson *l);
/* "HH:MM" or "H:MM" -> minutes of the day. 0 or -1. */
int lesson_parse_hhmm(const char *s, int *minute);

/* handle_courses.c */
/* Expire unconfirmed seat offers, offer free seats to the waitlist, push
 * reminders the day before and two hours before a course. */
int courses_tick(const struct app *app, struct store *st, int64_t now);

/* handle_report_route.c: the numbered category question after a new report,
 * a step of the report context (report_claim / report_take ask these first):
 * claim 1 when a bare number answers it; take 1 handled, 0 not ours, -1. */
int report_ask_category(struct turn *t, int64_t id);
/* The report id kept under a pending step's state key: 1 (*id), 0, -1. */
int report_state(struct turn *t, const char *key, int64_t *id);
int report_category_claim(struct turn *t);
int report_category_take(struct turn *t);
extern const struct content_need report_route_needs[];

#endif
