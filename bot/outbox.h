/*
 * outbox.h - the one durable queue of everything Yizhan sends outside an
 * in-band reply: broadcasts, lesson pushes, status changes, promotions,
 * volunteer answers. Handlers queue rows inside the request transaction; the
 * sender thread (sender.h) claims due rows and marks them sent, retried,
 * failed or dead. Quiet and rush hours (push.c) decide when a row is due.
 */
#ifndef BOT_OUTBOX_H
#define BOT_OUTBOX_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct store;

/* Why a message is sent decides when it may go out, and whether an opt-out
 * (退订) stops it: out_class_heeds_optout(). */
enum out_class {
    OUT_REPLY,         /* an answer to the person's own request: any time, even opted out */
    OUT_TRANSACTIONAL, /* a report accepted, a seat freed for you: waits for quiet hours,
                          goes even opted out (it is the person's own business) */
    OUT_BULK,          /* broadcasts and lesson pushes: wait for quiet and rush hours;
                          never to someone opted out */
};
const char *out_class_name(enum out_class k);
/* True when an opt-out stops pushes of class k: bulk ones only. The sender
 * asks this at send time; content/ optout.done says the same to the worker. */
bool out_class_heeds_optout(enum out_class k);

/* One claimed row, as the sender sees it. Strings owned; out_item_release(). */
struct out_item {
    int64_t id, person, broadcast_id;
    char *channel, *to, *text, *idem_key;
    /* NULL, or a JSON object beside the text (outbox_push_rich): "link",
     * "cover", "title", "summary" of a lesson */
    char *extra;
    enum out_class klass;
    int attempts; /* including this one */
    bool fallback; /* build the platform's fallback form (push_result.fallback) */
    /* the article form of extra went out already (push_req.is_article): the
     * text is what is left to send */
    bool article_sent;
};
void out_item_release(struct out_item *it);

/*
 * Queue text for person inside the caller's transaction. not_before: the
 * earliest time (ms; 0 = now). key: the idempotency key, unique forever (the
 * same key twice queues once: returns 1); NULL generates one. Returns 0, 1 or -1.
 */
int outbox_push(struct store *st, const struct conf *c, int64_t person, enum out_class k,
                const char *text, int64_t not_before, int64_t now, const char *key);
/* outbox_push with extra (NULL: none), a JSON object kept beside the text
 * for channels that show more than text: "link" and "cover" (Telegram
 * previews the link, WeChat sends a news article), "title" and "summary"
 * (the article's). The text must stand alone: SMS sends only it. */
int outbox_push_rich(struct store *st, const struct conf *c, int64_t person, enum out_class k,
                     const char *text, const json_t *extra, int64_t not_before, int64_t now,
                     const char *key);

/* outbox_push to every channel of person's account (绑定), each its own row
 * (key:people-id; key must not be NULL): a notice the owner must see wherever
 * they read, such as a new channel joining the account. 0, 1 or -1. */
int outbox_push_every(struct store *st, const struct conf *c, int64_t person, enum out_class k,
                      const char *text, int64_t now, const char *key);

/* The earliest time >= t (ms) at which a message of class k may be delivered
 * under the configured quiet and rush hours, in the configured time zone. */
int64_t push_allowed_at(const struct conf *c, enum out_class k, int64_t t);

/* SMS arithmetic: parts a text needs (GSM-7: 160, or 153 a part; UCS-2, i.e.
 * any non-GSM character: 70, or 67 a part), and *units its length in the
 * chosen encoding (septets or UTF-16 units) when units is not NULL. */
int sms_parts(const char *text, int *units, bool *ucs2);

/* --- store side (store_outbox.c): SQL for the sender and the admin API --- */

/* Add one row (see outbox_push; extra is JSON text or NULL). status "queued"
 * or "held". 0, 1 (key exists) or -1. */
int store_outbox_add(struct store *st, int64_t person, enum out_class k, const char *text,
                     const char *extra, const char *key, const char *status, int64_t next_at,
                     int64_t broadcast_id, int64_t now);
/* Like store_outbox_add, but one row for every channel of person's account
 * (绑定), not only the one used last; each row's key is key:people-id. 0, 1
 * (every key existed already) or -1. */
int store_outbox_add_every(struct store *st, int64_t person, enum out_class k, const char *text,
                           const char *key, const char *status, int64_t next_at, int64_t now);
/* Note that a row's article went out (push_req.is_article), so a retry sends
 * only its text. 0 or -1. */
int store_outbox_article_sent(struct store *st, int64_t id, int64_t now);
/* Claim up to n due rows (queued or held, next_at <= now) for lease_ms:
 * status becomes sending, attempts + 1. Returns the count (0..n) or -1. */
int store_outbox_claim(struct store *st, int64_t now, int64_t lease_ms, struct out_item *out,
                       int n);
/* Put rows whose sender died (sending, lease expired) back in the queue.
 * Returns how many or -1. */
int store_outbox_reclaim(struct store *st, int64_t now);
/* Fold other due rows for the same recipient (not replies, not rows with
 * extra, whose article would be lost, not bulk rows into a carrier for a
 * person who opted out) into it: they become merged into it,
 * and it->text grows by their texts. Due rows are queued or held ones, and
 * those claimed together with it whose ids are in claimed (a JSON array, or
 * NULL). 0 or -1. */
int store_outbox_merge_due(struct store *st, struct out_item *it, const char *claimed,
                           int64_t now);
/* A row claimed together with carrier (same person) that was not merged
 * into it: give it back without counting a try, waiting as the carrier does
 * when the carrier was deferred, else due now. 0 or -1. */
int store_outbox_follow(struct store *st, int64_t id, int64_t carrier, int64_t now);
/* Give a claimed row back without counting a try: status (queued or held), next_at. */
int store_outbox_defer(struct store *st, int64_t id, const char *status, int64_t next_at,
                       const char *why, int64_t now);
/* Record the outcome of a try: status sent, failed, dead, cancelled, or queued
 * with next_at for a retry. Rows merged into it follow a final status. */
int store_outbox_mark(struct store *st, int64_t id, const char *status, const char *error,
                      const char *ext_msg_id, int64_t next_at, int64_t now);
/* One part of a long row is out (sender.c, channel max_push): the row is
 * queued again, due now with a fresh try count, to send rest. 0 or -1. */
int store_outbox_next_part(struct store *st, int64_t id, const char *rest, const char *ext_msg_id,
                           int64_t now);
/* A channel's send-rate bucket and platform pause, one row per channel
 * shared by every node on the database (docs/scaling.md). */
struct send_rate {
    char *channel;
    double tokens;        /* as of last_ms */
    int64_t last_ms;
    int64_t paused_until; /* no push on the channel before (ms) */
};
/* Make channel's row (tokens full, last_ms now) unless there is one. Run
 * outside any transaction: it never waits for a row lock. 0 or -1. */
int store_rate_make(struct store *st, const char *channel, double full, int64_t now);
/* Every channel's row, in name order, into *v (*n of them; free with
 * store_rates_free). On PostgreSQL they stay locked (FOR UPDATE, taken in
 * that order) until the transaction ends; SQLite's BEGIN IMMEDIATE already
 * holds the database. 0 or -1. */
int store_rate_lock(struct store *st, struct send_rate **v, size_t *n);
void store_rates_free(struct send_rate *v, size_t n);
/* Write back a row this transaction locked. 0 or -1. */
int store_rate_save(struct store *st, const char *channel, double tokens, int64_t last_ms,
                    int64_t paused_until);
/* 1 when the person has opted out, 0 when not, -1 on error. */
int store_person_opted_out(struct store *st, int64_t person);

/* A push as the admin outbox list shows it: klass "reply", "transactional"
 * or "bulk"; what is unset NULL (last_error, extra: JSON text) or 0
 * (broadcast_id, sent_ms). */
struct outbox_entry {
    int64_t id, person, broadcast_id, created_ms, updated_ms, next_at_ms, sent_ms;
    char *channel, *klass, *status, *last_error, *text, *extra;
    int64_t attempts;
};
/* Admin: rows with status (NULL: any), newest first, at most limit, as *v
 * of *n: 0 (free with outbox_entry_free_all), -1. */
int store_outbox_list(struct store *st, const char *status, int limit, struct outbox_entry **v,
                      size_t *n);
void outbox_entry_free_all(struct outbox_entry *v, size_t n);
/* The admin API's items of GET /outbox (new reference, NULL on error):
 * [{"id","person","channel","class","status","attempts","last_error",
 * "broadcast_id","text","extra","created_ms","updated_ms","next_at_ms",
 * "sent_ms"}], unset as null (extra: its text, unparsed). */
json_t *outbox_list_json(struct store *st, const char *status, int limit);
/* Admin: put a failed or dead row back in the queue (rows folded into it
 * ride with it again: merged). 1 done, 0 no such row in those states, -1 error. */
int store_outbox_retry(struct store *st, int64_t id, int64_t now);
/* Admin: put every dead row of channel (NULL: any) that died in [from, to)
 * (ms) back in the queue with a fresh try count; rows folded into one of
 * them ride with it again (merged). Returns how many rows, or -1. */
int store_outbox_retry_dead(struct store *st, const char *channel, int64_t from, int64_t to,
                            int64_t now);
/* Rows that did not go out (dead or failed) of one channel, status and
 * last error (error "" when none): how many, updated first and last. */
struct undelivered {
    char *channel, *status, *error;
    int64_t count, first_ms, last_ms;
};
/* Admin: the undelivered groups, most first, at most limit, as *v of *n: 0
 * (free with undelivered_free_all), -1. */
int store_outbox_undelivered(struct store *st, int limit, struct undelivered **v, size_t *n);
void undelivered_free_all(struct undelivered *v, size_t n);
/* The admin API's items of GET /outbox/undelivered (new reference, NULL on
 * error): [{"channel","status","error","count","first_ms","last_ms"}]. */
json_t *undelivered_json(struct store *st, int limit);

/* Broadcasts. audience: "all" (every person), "subscribers" (not opted
 * out), "channel:<name>" or "tag:<name>"; opted-out people never get a row,
 * nor do people who never wrote to the bot on that channel and were not
 * imported with a recorded consent (people.consent NULL: a volunteer or a
 * mentoring pair an admin named). */
struct audience_count {
    int64_t recipients; /* rows a broadcast would create */
    int64_t opted_out;  /* in the audience but opted out: no row */
    int64_t no_consent; /* in the audience, never wrote, no recorded consent: no row */
    json_t *by_channel; /* {"generic": n, ...}: new reference, the caller decrefs */
};
int store_audience_count(struct store *st, const char *audience, struct audience_count *out);
/* Create the broadcast and one row per recipient in the caller's transaction;
 * row i is due at first_at + i * spread_ms / recipients, held when status says so. */
int store_broadcast_create(struct store *st, const char *text, const char *audience,
                           int64_t at, int64_t first_at, const char *status, int64_t spread_ms,
                           int parts, int64_t now, int64_t *id, int64_t *recipients);
/* Give every row of broadcast id extra (JSON text; see outbox_push_rich), in
 * the caller's transaction. 0 or -1. */
int store_broadcast_set_extra(struct store *st, int64_t id, const char *extra);
/* Why rows of a broadcast did not go out: status "failed" or "dead", the
 * last error ("" when none), how many. */
struct broadcast_error {
    char *status, *error;
    int64_t count;
};
/* A broadcast's rows by status, in this order; a merged row goes out inside
 * another: it counts as queued. */
enum bc_count { BC_QUEUED, BC_HELD, BC_SENDING, BC_SENT, BC_FAILED, BC_DEAD, BC_CANCELLED, BC_N };
extern const char *const bc_count_names[BC_N];
/* A broadcast with its counts and (most first, at most 10) its errors;
 * cancelled_ms 0 while it is not. */
struct broadcast_info {
    int64_t id, at_ms, spread_ms, recipients, sms_parts, created_ms, cancelled_ms;
    char *text, *audience;
    int64_t counts[BC_N];
    struct broadcast_error *errors;
    size_t nerrors;
};
/* Broadcast id into *out: 1 (clear with broadcast_info_clear), 0 none, -1. */
int store_broadcast_get(struct store *st, int64_t id, struct broadcast_info *out);
/* The newest broadcasts (at most limit), newest first, as *v of *n: 0 (free
 * with broadcast_info_free_all), -1. */
int store_broadcast_list(struct store *st, int limit, struct broadcast_info **v, size_t *n);
void broadcast_info_clear(struct broadcast_info *b);
void broadcast_info_free_all(struct broadcast_info *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","text","audience",
 * "at_ms","spread_ms","recipients","sms_parts","created_ms","cancelled_ms"
 * (null while not), "counts":{"queued",...,"cancelled"},"errors":[{"status",
 * "error","count"}]}. */
json_t *broadcast_info_json(const struct broadcast_info *b);
/* Cancel what has not gone out. Returns rows cancelled, or -1; *found 0 when no such broadcast. */
int store_broadcast_cancel(struct store *st, int64_t id, int64_t now, int *found);
/* Whether a row with this idempotency key exists: 1, 0, or -1 on error. */
int store_outbox_has_key(struct store *st, const char *key);
/* Tag a person (for tag:<name> audiences). 0 or -1. */
int store_tag_add(struct store *st, int64_t person, const char *tag);

#endif
