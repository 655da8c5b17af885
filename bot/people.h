/*
 * people.h - the directory of the people Yizhan serves (issue 19): profile
 * fields and tags per account (绑定: the key is coalesce(account_id, id)),
 * search and filters, saved filters as broadcast audiences, per-recipient
 * fields in broadcasts, and the roster import (import.c). Routes in
 * admin_people.c, SQL in store_people.c; docs/api-people.md.
 */
#ifndef BOT_PEOPLE_H
#define BOT_PEOPLE_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct app;
struct admin_req;
struct http_resp;

/* The profile fields staff and imports set, in the order of person_dir's
 * columns; a broadcast may use each as {field}. NULL-terminated. */
extern const char *const people_fields[];
#define PEOPLE_FIELD_MAX 200 /* bytes of one value */

/* A directory query: every member NULL/-1 when not filtering. */
struct people_query {
    const char *q; /* name, id or (contacts only) phone fragment */
    const char *channel, *tag, *district, *platform;
    int64_t joined_from, joined_to, seen_from, seen_to; /* ms, -1: none */
    int opted_out;                                      /* 0, 1, or -1: either */
    bool contacts; /* the caller may see phones (search them too) */
};

/* The number of people_fields. */
#define PEOPLE_NFIELDS 6
/* A directory row (the person_dir view: one per account): field[i] the
 * value of people_fields[i]; channels and tags comma-separated; what is
 * unset NULL. */
struct person_row {
    int64_t id, joined_ms, last_seen_ms, opted_out;
    int64_t total; /* in a list: how many rows the query matched */
    char *field[PEOPLE_NFIELDS];
    char *channels, *tags, *consent;
};
/* Directory rows q picks, newest first, as *v of *n (free with
 * person_row_free_all); *total the number matching. limit -1: all. 0, -1. */
int store_people_list(struct store *st, const struct people_query *q, int limit, int offset,
                      struct person_row **v, size_t *n, int64_t *total);
void person_row_clear(struct person_row *p);
void person_row_free_all(struct person_row *v, size_t n);
/* The directory row of an account into *out: 1 (clear with
 * person_row_clear), 0 none, -1 error. */
int store_people_row(struct store *st, int64_t account, struct person_row *out);
/* The admin API's JSON of a row (new reference): {"id","name","phone",
 * "district","platform","city","org","channels"}, then "tags" and the rest
 * ("joined_ms","last_seen_ms","opted_out","consent") for a list, or the
 * rest and then "tags" for one person; unset null; no "phone" without
 * contacts. */
json_t *person_row_json(const struct person_row *p, bool list, bool contacts);

/* The parts of a person's page, every people row of the account's. */
struct page_channel { /* a people row: consent NULL when none recorded */
    int64_t id, opted_out, created_ms, last_seen_ms;
    char *channel, *ext_id, *name, *consent;
};
struct page_point {
    int64_t created_ms, delta;
    char *reason;
};
struct page_booking { /* attended_ms 0 while not */
    int64_t course_id, start_ms, attended_ms;
    char *course, *status;
};
struct page_report {
    int64_t created_ms;
    char *code, *status, *description;
};
struct page_ticket { /* closed_ms 0 while open, rating 0 when none */
    int64_t id, created_ms, closed_ms, rating;
    char *desk, *status;
    bool crisis;
};
struct page_member { /* checkin_ms 0 before a check-in */
    int64_t checkin_ms;
    char *name, *org, *contact, *city;
};
/* The newest 50 points, bookings, reports and tickets, every channel and
 * member row, the points' balance. */
struct person_page {
    struct page_channel *channels;
    struct page_point *points;
    struct page_booking *bookings;
    struct page_report *reports;
    struct page_ticket *tickets;
    struct page_member *member;
    size_t nchannels, npoints, nbookings, nreports, ntickets, nmember;
    int64_t points_balance;
};
/* A person's page into *out: 0 (clear with person_page_clear), -1. */
int store_people_page(struct store *st, int64_t account, struct person_page *out);
void person_page_clear(struct person_page *pg);
/* Set (value non-NULL) or clear a field of an account. 0 or -1. */
int store_people_set_field(struct store *st, int64_t account, const char *key, const char *value,
                           int64_t now);
/* Replace the account's tags by tags (an array of strings). 0 or -1. */
int store_people_set_tags(struct store *st, int64_t account, json_t *tags);
int store_people_add_tag(struct store *st, int64_t account, const char *tag);
/* The account whose phone is phone (a field, or an SMS channel's id):
 * 1 found, 0 none, -1 error. */
int store_people_by_phone(struct store *st, const char *phone, int64_t *account);
/* The same account's own row as the batches name it for its lock
 * (store_people_lock): 1 found (*channel, *ext_id new strings, the caller's
 * to free), 0 none, -1 error. */
int store_people_key_by_phone(struct store *st, const char *phone, char **channel, char **ext_id);
/* Saved filters: the query object under name (replaced), the list, one. */
int store_filter_save(struct store *st, const char *name, const char *filter, int64_t now);
struct saved_filter {
    char *name, *filter; /* filter: the query object's JSON text */
    int64_t created_ms;
};
/* Every saved filter by name, as *v of *n: 0 (free with
 * saved_filter_free_all), -1. */
int store_filter_list(struct store *st, struct saved_filter **v, size_t *n);
void saved_filter_free_all(struct saved_filter *v, size_t n);
/* The stored filter JSON text (caller frees): 1, 0 none, -1 error. */
int store_filter_get(struct store *st, const char *name, char **filter);
/* Replace the accounts remembered for filter name by ids (an array of
 * integers). 0 or -1. */
int store_filter_members_set(struct store *st, const char *name, json_t *ids);
/* Fill each queued push of broadcast id with its recipient's fields. 0 or -1. */
int store_people_fill_broadcast(struct store *st, int64_t id, const char *text,
                                const char *name_fallback);

/* Parse a directory query from a request's query arguments (or a saved
 * filter's object): NULL when fine, else the 400 reason. */
const char *people_query_parse(json_t *args, struct people_query *q);
/* Resolve audience "filter:<name>" into filter_members: 1 done, 0 resp set
 * (404 unknown filter), -1 store error. */
int people_filter_resolve(struct store *st, const char *name, struct http_resp *resp);
/* The broadcast text's first unknown {field}: 0 fine, or 1 with a 400 set. */
int people_template_check(const char *text, struct http_resp *resp);
/* admin_people.c: /people, /people/<id>, /people.csv, /filters, /import,
 * /broadcasts/test (admin_route_fn). */
int admin_people_route(const struct app *app, struct store *st, int64_t now,
                       const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);
/* import.c: POST /import (?preview=1, ?kind=, ?file=). 0 or -1. */
int people_import(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                  struct http_resp *resp);
/* The text as UTF-8 (a new string; a BOM dropped): UTF-8 as is, else GBK
 * through iconv; NULL when it is neither, *enc "UTF-8", "UTF-8 BOM", "GBK". */
char *people_to_utf8(const char *data, size_t len, const char **enc);
/* text with the fields of account filled (a broadcast's rendering; an
 * unknown name is people.name_unknown). New string, NULL on a store error. */
char *people_render(const struct app *app, struct store *st, const char *text, int64_t account);

/* Schedules (schedule.c, store_schedule.c): kind "monthly_checkin" (on day
 * 1..28 of each month at minute, members who have not checked in this
 * month) or "after_join" (day days after a person joined, once each). */
struct schedule {
    int64_t id, created_ms;
    char *kind, *text, *tag; /* tag: NULL for everyone the kind reaches */
    int day, minute;
    /* set by store_schedule_list only */
    int active;
    int64_t cancelled_ms; /* 0: not cancelled */
    int64_t pushes;       /* queued so far */
};
int store_schedule_add(struct store *st, const struct schedule *s, int64_t now, int64_t *id);
/* Every schedule, newest first, with active, cancelled_ms and pushes: an
 * array (free with store_schedules_free), count in *n; NULL when none (*n 0)
 * or on error (*n -1). */
struct schedule *store_schedule_list(struct store *st, int *n);
/* 1 cancelled, 0 none active with that id, -1 error. */
int store_schedule_cancel(struct store *st, int64_t id, int64_t now);
/* The active schedules as an array of struct schedule (count in *n); free
 * with store_schedules_free. NULL when none (*n 0) or on error (*n -1). */
struct schedule *store_schedules_active(struct store *st, int *n);
void store_schedules_free(struct schedule *a, int n);
/* Whether a monthly period ("2026-12") ran: 1, 0, -1; mark it run. */
int store_schedule_ran(struct store *st, int64_t id, const char *period);
int store_schedule_mark(struct store *st, int64_t id, const char *period, int64_t now);
/* Accounts due with no push of it yet (this period's, for monthly): members
 * not checked in since month_start, or people who joined after the
 * schedule was made, day days ago.
 * Both only with consent and not opted out. 0 with the ids in *ids (free;
 * NULL when *n is 0) and *n, or -1. */
int store_schedule_due(struct store *st, const struct schedule *s, const char *period,
                       int64_t month_start, int64_t now, int limit, int64_t **ids, size_t *n);
int schedule_tick(const struct app *app, struct store *st, int64_t now);
/* The admin API's JSON of a listed schedule (new reference): the keys it has
 * always sent, tag and cancelled_ms null when unset. */
json_t *schedule_json(const struct schedule *sc);
int admin_schedule_route(const struct app *app, struct store *st, int64_t now,
                         const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
