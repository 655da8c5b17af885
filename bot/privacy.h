/*
 * privacy.h - what the 个人信息保护法 (PIPL) asks of Yizhan for workers' data:
 * a summary and an export of what is kept about a person, erasure on request
 * (from the bot, or by the super admin for a request by phone or letter),
 * retention limits applied by the daily tick, and the first-contact notice.
 * SQL in store_privacy.c; policy, files and handlers in privacy.c and
 * handle_privacy.c. Every call runs inside the caller's transaction.
 */
#ifndef BOT_PRIVACY_H
#define BOT_PRIVACY_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct store;
struct turn;
struct admin_req;
struct http_resp;

/* What 我的信息 shows: counts over every channel of the person's account. */
struct privacy_summary {
    int64_t channels, points, bookings, reports, tickets, messages;
    char *name; /* the newest name a platform gave, or NULL; owned */
};

/* --- store_privacy.c --- */

/* The account key (coalesce(account_id, id)) of person: 1 found, 0 no such
 * person or already erased, -1 error. */
int store_privacy_account(struct store *st, int64_t person, int64_t *account);
int store_privacy_summary(struct store *st, int64_t account, struct privacy_summary *out);
/* An export is every table of the account sent whole: each part's columns
 * are declared with the part's SQL (their names on the wire and their
 * types), and each value is read by position as its column's type. */
enum export_type { EXPORT_INT, EXPORT_REAL, EXPORT_TEXT };
struct export_col {
    const char *name;
    enum export_type type;
};
struct export_value { /* null, or the member of its column's type */
    bool null;
    int64_t i;
    double r;
    char *text;
};
struct export_part {
    const char *name; /* "channels", "messages", ... */
    const struct export_col *cols;
    size_t ncols, nrows;
    struct export_value *values; /* nrows rows of ncols values, row by row */
};
#define EXPORT_PARTS 17
struct privacy_export {
    int64_t person; /* the account */
    struct export_part parts[EXPORT_PARTS];
};
/* Everything kept about the account into *out: 0 (clear with
 * privacy_export_clear), -1. */
int store_privacy_export(struct store *st, int64_t account, struct privacy_export *out);
void privacy_export_clear(struct privacy_export *e);
/* The JSON of an export (new reference): {"person", then each part's name:
 * [{column: value, ...}]}. */
json_t *privacy_export_json(const struct privacy_export *e);
/*
 * Erase the account: texts, names, platform ids and photo links go; rows the
 * ledger's sums and the statistics need stay, attached to a tombstone person
 * (channel "erased") that identifies nobody. shas gets the photo file names
 * the rows no longer name (the caller deletes the files no other row names:
 * store_privacy_sha_unused). 0 or -1.
 */
int store_privacy_erase(struct store *st, int64_t account, int64_t now, json_t *shas);
/* 1 when no report_media row names sha any more, 0 when one does, -1 error. */
int store_privacy_sha_unused(struct store *st, const char *sha);

/* Retention cutoffs (ms; rows created before are anonymised). */
struct retention_cut {
    int64_t messages, photos, desk, crisis;
};
/* Anonymise the rows of each kind older than its cutoff, at most limit of
 * each from the watermarks kept in meta. 1 when more may be due (a full
 * batch), 0 when done, -1 error.
 * Photo file names no longer named go to shas, as for erase. */
int store_privacy_retention(struct store *st, const struct retention_cut *cut, int limit,
                            json_t *shas);
/* meta value of key into out (size n): 1, 0 absent, -1. */
int store_privacy_meta_get(struct store *st, const char *key, char *out, size_t n);
int store_privacy_meta_set(struct store *st, const char *key, const char *value);

/* --- privacy.c --- */

/* Erase person's account and delete its photo files that no other row
 * names. by: who asked ("bot" or the admin's role), reason: why (may be
 * NULL). 1 erased, 0 no such person (or already erased), -1 error. */
int privacy_erase(const struct app *app, struct store *st, int64_t person, int64_t now,
                  const char *by, const char *reason);
/* The daily retention run ([retention] in bot.conf): a tick (handler.h). */
int privacy_tick(const struct app *app, struct store *st, int64_t now);

/* --- handle_privacy.c --- */

/* First contact: prepends the short notice (content privacy.notice) to the
 * replies of a person's first message. Call once, after the handler. 0 or -1. */
int privacy_first_contact(struct turn *t, bool first);
/* GET /people/<id>/export and POST /people/<id>/erase (super admin only). */
int admin_privacy_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
