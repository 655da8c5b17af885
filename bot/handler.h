/*
 * handler.h - intent -> handler table, and struct turn: everything a handler
 * sees while it answers one message inside the request transaction. Handlers
 * never touch the network; they change the store, add replies with say(), and
 * (from the outbox issue on) queue pushes in the same transaction.
 */
#ifndef BOT_HANDLER_H
#define BOT_HANDLER_H
#include <jansson.h>
#include <stdint.h>

#include "content.h"

struct conf;
struct content;
struct intents;
struct intent_match;
struct inmsg;
struct channel;
struct store;

/* Read-only after startup; shared by every thread. */
struct app {
    const struct conf *conf;
    struct content *ct;
    struct intents *intents;
};

struct turn {
    const struct app *app;
    struct store *st;
    const struct channel *ch;
    const struct inmsg *in;
    int64_t person; /* people.id of the sender */
    int64_t now;    /* ms, fixed for the whole turn */
    const char *text;             /* normalised text ("" when none) */
    const struct intent_match *m; /* the matched rule, or NULL */
    const char *intent;           /* the intent being handled */
    json_t *replies;              /* array of {"text": ...} being built */
};

typedef int (*handler_fn)(struct turn *t);
struct handler {
    const char *intent;
    handler_fn fn;
};

/*
 * Periodic work (reminders, scheduled pushes, timeouts): each feature may have
 * a tick that runs on the writer thread inside a transaction every
 * conf tick_seconds. A tick must be idempotent (queue pushes with stable
 * idempotency keys) since a failed transaction runs it again. 0 or -1.
 */
typedef int (*tick_fn)(const struct app *app, struct store *st, int64_t now);
/* Run every feature's tick in order; -1 when one failed. */
int handler_tick(const struct app *app, struct store *st, int64_t now);

/* The handler for intent, or NULL. */
const struct handler *handler_find(const char *intent);
/* NULL-terminated list of every handler module's content needs. */
extern const struct content_need *const handler_needs[];

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
/* The named capture of the matched rule, or NULL. */
const char *turn_cap(const struct turn *t, const char *name);
/* Local date/time of ms in the configured time zone, e.g. "%Y-%m-%d". */
void turn_fmt_time(int64_t ms, const char *fmt, char *out, size_t size)
    __attribute__((format(strftime, 2, 0)));

/* handle_core.c */
int handle_help(struct turn *t);
int handle_profile(struct turn *t);
int handle_optout(struct turn *t);
int handle_optin(struct turn *t);
int handle_more(struct turn *t);
int handle_location(struct turn *t);
int handle_soon(struct turn *t);
int handle_fallback(struct turn *t);
extern const struct content_need core_needs[];

/*
 * A feature's pending step (a photo waiting for its caption): the fallback and
 * location handlers try each before their own answer. 1 handled (replies
 * added), 0 not this feature's, -1 store error.
 */
typedef int (*pending_fn)(struct turn *t);
/* Try every feature's pending step in order: 1 one handled it, 0 none, -1. */
int handler_pending(struct turn *t);

/* handle_report.c */
int handle_report_new(struct turn *t);
int handle_report_status(struct turn *t);
int handle_report_followup(struct turn *t);
int handle_admin_report(struct turn *t);
int report_pending(struct turn *t);
extern const struct content_need report_needs[];

#endif
