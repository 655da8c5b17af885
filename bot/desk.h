/*
 * desk.h - the university service desk (高校服务站): tickets ("T" + id) that
 * workers open for legal advice, tutoring or counselling, the volunteers who
 * take and answer them, and mentoring pairs (一对一帮扶, "P" + id). The SQL is
 * in store_desk.c, the conversation in handle_desk.c, the admin API in
 * admin_desk.c. Neither side ever sees the other's platform id.
 */
#ifndef BOT_DESK_H
#define BOT_DESK_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct admin_req;
struct app;
struct buf;
struct http_resp;
struct store;
struct turn;

/* One ticket as the handlers see it. */
struct desk_ticket {
    int64_t id, person, volunteer, offered_to; /* volunteer, offered_to: 0 when none */
    int64_t volunteer_person;                  /* people.id of volunteer, 0 when none */
    int64_t created_ms;
    int offers;
    char desk[16];  /* legal, tutoring, counsel */
    char status[8]; /* open, taken, closed */
    bool crisis;
};

/* A volunteer: desk_volunteers.id, the person and their own hours ("" for
 * the desk's). */
struct desk_volunteer {
    int64_t id, person;
    char hours[64];
};

/* --- tickets --- */
/* New open ticket of person at desk. 0 with *id set, or -1. */
int store_desk_ticket_add(struct store *st, const char *desk, int64_t person, bool crisis,
                          int64_t now, int64_t *id);
/* 1 found, 0 no such ticket, -1 error. */
int store_desk_ticket_get(struct store *st, int64_t id, struct desk_ticket *out);
/* The newest ticket of person that is not closed: 1 (*id set), 0 none, -1. */
int store_desk_ticket_open_of(struct store *st, int64_t person, int64_t *id);
/* The newest crisis ticket of person that is not closed: 1 (*id set), 0, -1. */
int store_desk_crisis_open_of(struct store *st, int64_t person, int64_t *id);
/* Mark the ticket as offered to volunteer (and the volunteer as last offered
 * now, for the rotation). 0 or -1. */
int store_desk_ticket_offer(struct store *st, int64_t id, int64_t volunteer, int64_t now);
/* Take an open ticket. 1 taken, 0 it was not open, -1 error. */
int store_desk_ticket_take(struct store *st, int64_t id, int64_t volunteer, int64_t now);
/* Note the first answer time (kept when already set). 0 or -1. */
int store_desk_ticket_answered(struct store *st, int64_t id, int64_t now);
/* Close a ticket that is not closed. 1 closed, 0 already closed, -1 error. */
int store_desk_ticket_close(struct store *st, int64_t id, int64_t now);
/* Rate a closed ticket of person (1..5; a new rating replaces the old).
 * 1 rated, 0 not closed or not theirs, -1 error. */
int store_desk_ticket_rate(struct store *st, int64_t id, int64_t person, int score, int64_t now);
int store_desk_ticket_set_crisis(struct store *st, int64_t id);
int store_desk_ticket_escalated(struct store *st, int64_t id, int64_t now);
/* Tick: up to max ids of open tickets to offer (never offered, or offered
 * at or before offered_before), and of open tickets created at or before
 * created_before that were not escalated yet. Count or -1. */
int store_desk_due_offers(struct store *st, int64_t offered_before, int64_t *ids, int max);
int store_desk_due_escalations(struct store *st, int64_t created_before, int64_t *ids, int max);
/* Untaken crisis tickets last alerted (escalated_ms, else created) at or
 * before alerted_before: they are alerted again until someone takes them.
 * (Escalations above leave crisis tickets to this.) Count or -1. */
int store_desk_due_crisis(struct store *st, int64_t alerted_before, int64_t *ids, int max);

/* One message of a ticket (pair 0) or of a mentoring pair (ticket 0); side
 * is worker, volunteer or mentor. 0 with *id set (id may be NULL), or -1. */
int store_desk_msg_add(struct store *st, int64_t ticket, int64_t pair, const char *side,
                       const char *text, int64_t now, int64_t *id);
/* The worker's messages of a ticket joined with newlines, appended to out. 0 or -1. */
int store_desk_ticket_text(struct store *st, int64_t id, struct buf *out);

/* --- volunteers --- */
/* Register or update the volunteer for person; desks is ",legal,counsel,". 0 or -1. */
int store_desk_volunteer_set(struct store *st, int64_t person, const char *name, const char *desks,
                             const char *hours, int64_t now, int64_t *id);
/* The volunteer row of person serving desk (any desk when desk is NULL):
 * 1 found, 0 not a volunteer (of that desk), -1 error. */
int store_desk_volunteer_of(struct store *st, int64_t person, const char *desk,
                            struct desk_volunteer *out);
/* Active volunteers of desk in rotation order (least recently offered first),
 * at most max. Count or -1. */
int store_desk_volunteers_for(struct store *st, const char *desk, struct desk_volunteer *out,
                              int max);

/* --- mentoring pairs --- */
struct mentor_pair {
    int64_t id, worker, mentor;
    int64_t last_ms; /* the last message through the pair (its creation before one) */
};
/* Pair worker with mentor (again active when the pair existed). 0 or -1. */
int store_mentor_add(struct store *st, int64_t worker, int64_t mentor, const char *mentor_name,
                     int64_t now, int64_t *id);
/* 1 found (active), 0 none, -1 error. */
int store_mentor_get(struct store *st, int64_t id, struct mentor_pair *out);
/* Active pairs person is in (either side): the count (0..), the newest in
 * *out when there is one, or -1. */
int store_mentor_of(struct store *st, int64_t person, struct mentor_pair *out);
/* What the desk's claims ask of a person's free text (handle_desk.c): the
 * newest ticket not closed (its id, 0 when none) and the newest active
 * pair (pair.id 0 when none), as store_desk_ticket_open_of and
 * store_mentor_of would answer. */
struct desk_context {
    int64_t ticket;
    struct mentor_pair pair;
};
/* Both in one statement, and for the same person again with no statement
 * handed out on st in between (store_generation: claims change nothing)
 * from that answer: one round trip on PostgreSQL for the two claims
 * instead of two. 0 or -1. */
int store_desk_context(struct store *st, int64_t person, struct desk_context *out);
/* A message passed through the pair: last contact now, flag cleared. 0 or -1. */
int store_mentor_touch(struct store *st, int64_t id, int64_t now);
/* Flag active pairs without contact since before. Count flagged or -1. */
int store_mentor_flag_silent(struct store *st, int64_t before, int64_t now);

/* --- admin lists --- */
/* A volunteer as listed: desks "legal,counsel", hours "" for the desk's
 * configured hours, tickets taken so far, person "channel:id". */
struct volunteer_entry {
    int64_t id;
    char *name, *desks, *hours, *person;
    bool active;
    int64_t last_offer_ms, tickets;
};
/* Every volunteer by id, as *v of *n: 0 (free with
 * volunteer_entry_free_all), -1. */
int store_desk_volunteer_list(struct store *st, struct volunteer_entry **v, size_t *n);
void volunteer_entry_free_all(struct volunteer_entry *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","name","desks",
 * "hours","active","last_offer_ms","tickets","person"}. */
json_t *volunteer_entry_json(const struct volunteer_entry *v);
/* A ticket as listed: times 0 and rating 0 until they happen; volunteer
 * (the taker's name) and question (the worker's first message) NULL when
 * none. */
struct ticket_entry {
    int64_t id, created_ms, taken_ms, answered_ms, closed_ms, escalated_ms;
    char *desk, *status, *volunteer, *question;
    int rating;
    bool crisis;
};
/* One message of a ticket: side worker, volunteer or mentor. */
struct ticket_message {
    char *side, *text;
    int64_t ms;
};
/* Tickets newest first (status and desk NULL: any), at most limit, as *v
 * of *n: 0 (free with ticket_entry_free_all), -1. */
int store_desk_ticket_list(struct store *st, const char *status, const char *desk, int limit,
                           struct ticket_entry **v, size_t *n);
void ticket_entry_free_all(struct ticket_entry *v, size_t n);
/* Ticket id into *out (clear with ticket_entry_clear) and its messages as
 * *m of *nm (free with ticket_message_free_all): 1, 0 none, -1. */
int store_desk_ticket_show(struct store *st, int64_t id, struct ticket_entry *out,
                           struct ticket_message **m, size_t *nm);
void ticket_entry_clear(struct ticket_entry *t);
void ticket_message_free_all(struct ticket_message *v, size_t n);
/* The admin API's JSON of a ticket (new reference): {"id","code":"T<id>",
 * "desk","status","created_ms","taken_ms","answered_ms","closed_ms",
 * "escalated_ms","rating","crisis","volunteer","question",
 * "response_seconds"} (what has not happened null), with_messages also
 * "messages": [{"side","text","ms"}] of m. */
json_t *ticket_entry_json(const struct ticket_entry *t, bool with_messages,
                          const struct ticket_message *m, size_t nm);
/* A mentoring pair as listed: worker and mentor "channel:id", mentor_name
 * NULL when none given; silent: flagged for no contact (at flagged_ms). */
struct mentor_entry {
    int64_t id;
    char *worker, *mentor, *mentor_name;
    bool active, has_contact, silent;
    int64_t created_ms, last_contact_ms, flagged_ms, messages;
};
/* Every pair by id, as *v of *n: 0 (free with mentor_entry_free_all), -1. */
int store_mentor_list(struct store *st, struct mentor_entry **v, size_t *n);
void mentor_entry_free_all(struct mentor_entry *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","code":"P<id>",
 * "worker","mentor","mentor_name","active","created_ms","last_contact_ms",
 * "silent","flagged_ms","messages"}, unknown times and name null. */
json_t *mentor_entry_json(const struct mentor_entry *m);

/* --- wiring (feature_desk in handle_desk.c, feature.h) --- */
/* True when the message is a helper's words to a worker (答 T12 ..., T12 ...
 * from the volunteer, P3 ... from the mentor), with t->intent and t->m set:
 * a counsellor who writes 你说不想活了 is quoting, not in crisis. */
bool desk_staff_text(struct turn *t);
/* Safety: a text with crisis words (safety.h). Hotlines, the person's crisis
 * ticket at the counselling desk (opened when none), alerts. 0 or -1. */
int desk_crisis(struct turn *t);
/* Offers untaken tickets to the next volunteer on duty, escalates old ones,
 * flags silent mentoring pairs. Idempotent. 0 or -1. */
int desk_tick(const struct app *app, struct store *st, int64_t now);
/* May rq's role see ticket t (an object with "desk" and boolean "crisis")?
 * Counselling and crisis tickets: super and counsel; counsel only those. */
bool admin_ticket_visible(const struct admin_req *rq, json_t *t);
/* /admin/api/ volunteers, mentoring, tickets, members (an admin_route_fn). */
int admin_desk_route(const struct app *app, struct store *st, int64_t now,
                     const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
