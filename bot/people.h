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
    const char *q;          /* name, id or (contacts only) phone fragment */
    const char *channel, *tag, *district, *platform;
    int64_t joined_from, joined_to, seen_from, seen_to; /* ms, -1: none */
    int opted_out;          /* 0, 1, or -1: either */
    bool contacts;          /* the caller may see phones (search them too) */
};

/* Directory rows (objects of person_dir's columns), newest first; *total
 * the number matching. limit -1: all. NULL on a store error. */
json_t *store_people_list(struct store *st, const struct people_query *q, int limit,
                          int offset, int64_t *total);
/* The person_dir row of an account, JSON null when none, NULL on error. */
json_t *store_people_row(struct store *st, int64_t account);
/* A person's page parts: channels, points, bookings, reports, tickets. */
json_t *store_people_page(struct store *st, int64_t account);
/* Set (value non-NULL) or clear a field of an account. 0 or -1. */
int store_people_set_field(struct store *st, int64_t account, const char *key,
                           const char *value, int64_t now);
/* Replace the account's tags by tags (an array of strings). 0 or -1. */
int store_people_set_tags(struct store *st, int64_t account, json_t *tags);
int store_people_add_tag(struct store *st, int64_t account, const char *tag);
/* The account whose phone is phone (a field, or an SMS channel's id):
 * 1 found, 0 none, -1 error. */
int store_people_by_phone(struct store *st, const char *phone, int64_t *account);
/* Saved filters: the query object under name (replaced), the list, one. */
int store_filter_save(struct store *st, const char *name, const char *filter, int64_t now);
json_t *store_filter_list(struct store *st);
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
int people_import(const struct app *app, struct store *st, int64_t now,
                  const struct admin_req *rq, struct http_resp *resp);
/* The text as UTF-8 (a new string; a BOM dropped): UTF-8 as is, else GBK
 * through iconv; NULL when it is neither, *enc "UTF-8", "UTF-8 BOM", "GBK". */
char *people_to_utf8(const char *data, size_t len, const char **enc);

#endif
