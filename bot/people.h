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

/* Directory rows (objects of person_dir's columns), newest first; *total
 * the number matching. limit -1: all. NULL on a store error. */
json_t *store_people_list(struct store *st, const struct people_query *q, int limit, int offset,
                          int64_t *total);
/* The person_dir row of an account, JSON null when none, NULL on error. */
json_t *store_people_row(struct store *st, int64_t account);
/* A person's page parts: channels, points, bookings, reports, tickets. */
json_t *store_people_page(struct store *st, int64_t account);
/* Set (value non-NULL) or clear a field of an account. 0 or -1. */
int store_people_set_field(struct store *st, int64_t account, const char *key, const char *value,
                           int64_t now);
/* Replace the account's tags by tags (an array of strings). 0 or -1. */
int store_people_set_tags(struct store *st, int64_t account, json_t *tags);
int store_people_add_tag(struct store *st, int64_t account, const char *tag);
/* The account whose phone is phone (a field, or an SMS channel's id):
 * 1 found, 0 none, -1 error. */
int store_people_by_phone(struct store *st, const char *phone, int64_t *account);
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
