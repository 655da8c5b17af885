/*
 * admin_people.c - the directory routes (people.h, docs/api-people.md):
 * GET /people (search, filters, pages), GET /people.csv, GET and POST
 * /people/<id>, GET and POST /filters, POST /import (import.c) and POST
 * /broadcasts/test. Contacts (phones, platform ids, a member's contact) go
 * only to the roles docs/security.md lets read members (super, union);
 * counselling and crisis tickets only to super and counsel.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "content.h"
#include "desk.h"
#include "feature.h"
#include "handler.h"
#include "http.h"
#include "outbox.h"
#include "people.h"
#include "privacy.h"
#include "store.h"
#include "util.h"

#define MAX_TEXT_CHARS 1000
#define MAX_TAGS 50
#define MAX_TAG_BYTES 64

static const struct content_need people_needs[] = {
    CONTENT_NEED("people.name_unknown", ""),
    CONTENT_NEED_END,
};

/* Phones and platform ids: the roles that may read members. */
static bool sees_contacts(const struct admin_req *rq)
{
    return rq->role != NULL &&
           (strcmp(rq->role, ADMIN_ROLE_SUPER) == 0 || strcmp(rq->role, ADMIN_ROLE_UNION) == 0);
}

/* "YYYY-MM-DD" (local, the configured zone) to the ms of that midnight;
 * next: the midnight after it (an inclusive "to"). -1 when malformed. */
static int64_t local_day_ms(const char *s, bool next)
{
    struct tm tm = {0};
    const char *end = s ? strptime(s, "%Y-%m-%d", &tm) : NULL;
    if (end == NULL || *end != '\0')
        return -1;
    tm.tm_mday += next;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? -1 : (int64_t)t * 1000;
}

static const char *const query_keys[] = {"q",        "channel",     "tag",       "district",
                                         "platform", "joined_from", "joined_to", "seen_from",
                                         "seen_to",  "opted_out",   NULL};

const char *people_query_parse(json_t *args, struct people_query *q)
{
    static const char *const day_keys[] = {"joined_from", "joined_to", "seen_from", "seen_to"};
    int64_t *days[] = {&q->joined_from, &q->joined_to, &q->seen_from, &q->seen_to};
    const char **texts[] = {&q->q, &q->channel, &q->tag, &q->district, &q->platform};
    bool contacts = q->contacts;
    memset(q, 0, sizeof *q);
    q->contacts = contacts;
    for (int i = 0; i < 5; i++) {
        json_t *v = json_object_get(args, query_keys[i]);
        if (v != NULL && !json_is_string(v))
            return "filter values must be strings";
        *texts[i] = v && json_string_length(v) ? json_string_value(v) : NULL;
    }
    for (int i = 0; i < 4; i++) {
        const char *v = json_string_value(json_object_get(args, day_keys[i]));
        *days[i] = -1;
        if (v != NULL && v[0] != '\0' && (*days[i] = local_day_ms(v, i % 2 == 1)) == -1)
            return "'joined_from', 'joined_to', 'seen_from', 'seen_to' must be dates YYYY-MM-DD";
    }
    const char *o = json_string_value(json_object_get(args, "opted_out"));
    q->opted_out = -1;
    if (o != NULL && o[0] != '\0') {
        if (strcmp(o, "0") != 0 && strcmp(o, "1") != 0)
            return "'opted_out' must be 0 or 1";
        q->opted_out = o[0] == '1';
    }
    return NULL;
}

json_t *person_row_json(const struct person_row *p, bool list, bool contacts)
{
    json_t *o = json_pack("{s:I}", "id", (json_int_t)p->id);
    for (int f = 0; f < PEOPLE_NFIELDS; f++)
        if (contacts || strcmp(people_fields[f], "phone") != 0)
            json_object_set_new(o, people_fields[f],
                                p->field[f] ? json_string(p->field[f]) : json_null());
    json_object_set_new(o, "channels", p->channels ? json_string(p->channels) : json_null());
    json_t *tags = p->tags ? json_string(p->tags) : json_null();
    if (list) /* the list's columns name tags before the times, as the CSV's do */
        json_object_set(o, "tags", tags);
    json_object_set_new(o, "joined_ms", json_integer(p->joined_ms));
    json_object_set_new(o, "last_seen_ms", json_integer(p->last_seen_ms));
    json_object_set_new(o, "opted_out", json_integer(p->opted_out));
    json_object_set_new(o, "consent", p->consent ? json_string(p->consent) : json_null());
    if (!list)
        json_object_set(o, "tags", tags);
    json_decref(tags);
    return o;
}

/* The JSON of q's rows (the list's shape) into a new array, *total the
 * number matching; NULL on error. */
static json_t *people_json(struct store *st, const struct people_query *q, int limit, int offset,
                           int64_t *total)
{
    struct person_row *v;
    size_t n;
    if (store_people_list(st, q, limit, offset, &v, &n, total) == -1)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, person_row_json(&v[i], true, q->contacts));
    person_row_free_all(v, n);
    return a;
}

static int people_list(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    struct people_query q = {.contacts = sees_contacts(rq)};
    const char *why = people_query_parse(rq->query, &q);
    long long offset = 0;
    const char *off = json_string_value(json_object_get(rq->query, "offset"));
    if (why == NULL && off != NULL && parse_int(off, 0, 1000000, &offset) == -1)
        why = "'offset' must be an integer 0..1000000";
    if (why != NULL) {
        http_resp_error(resp, 400, why);
        return 0;
    }
    int limit = admin_query_limit(rq, 50);
    int64_t total = 0;
    json_t *a = people_json(st, &q, limit, (int)offset, &total);
    if (a == NULL)
        return -1;
    admin_reply(resp, 200,
                json_pack("{s:o,s:I,s:i,s:I}", "items", a, "total", (json_int_t)total, "limit",
                          limit, "offset", (json_int_t)offset));
    return 0;
}

/* ms to "YYYY-MM-DD HH:MM" in the configured zone (the process's TZ). */
static void local_time(json_t *row, const char *to, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char s[32];
    localtime_r(&t, &tm);
    strftime(s, sizeof s, "%Y-%m-%d %H:%M", &tm);
    json_object_set_new(row, to, json_string(s));
}

/* GET /people.csv with the filters of GET /people: every match, local times. */
static int people_csv(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    static const char *const cols[] = {"id",        "name",      "phone",    "district", "platform",
                                       "city",      "org",       "channels", "tags",     "joined",
                                       "last_seen", "opted_out", "consent",  NULL};
    struct people_query q = {.contacts = true};
    const char *why = people_query_parse(rq->query, &q);
    if (why != NULL) {
        http_resp_error(resp, 400, why);
        return 0;
    }
    int64_t total;
    struct person_row *v;
    size_t n;
    if (store_people_list(st, &q, -1, 0, &v, &n, &total) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *r = person_row_json(&v[i], true, true);
        local_time(r, "joined", v[i].joined_ms);
        local_time(r, "last_seen", v[i].last_seen_ms);
        json_array_append_new(a, r);
    }
    person_row_free_all(v, n);
    admin_reply_csv(resp, a, cols);
    return 0;
}

/* The JSON of a page part under name: n elements of v, each written by to_json. */
#define PART_JSON(name, v, n, to_json)                                                                 \
    do {                                                                                           \
        json_t *a_ = json_array();                                                                 \
        for (size_t i_ = 0; i_ < (n); i_++)                                                        \
            json_array_append_new(a_, to_json(&(v)[i_], rq, contacts));                            \
        json_object_set_new(o, name, a_);                                                           \
    } while (0)

static json_t *channel_json(const struct page_channel *c, const struct admin_req *rq,
                            bool contacts)
{
    char m[64];
    (void)rq;
    return json_pack("{s:I,s:s,s:s?,s:s?,s:I,s:s?,s:I,s:I}", "id", (json_int_t)c->id, "channel",
                     c->channel ? c->channel : "", "ext_id",
                     contacts || c->ext_id == NULL ? c->ext_id : mask_id(c->ext_id, m, sizeof m),
                     "name", c->name, "opted_out", (json_int_t)c->opted_out, "consent", c->consent,
                     "created_ms", (json_int_t)c->created_ms, "last_seen_ms",
                     (json_int_t)c->last_seen_ms);
}

static json_t *point_json(const struct page_point *p, const struct admin_req *rq, bool contacts)
{
    (void)rq;
    (void)contacts;
    return json_pack("{s:I,s:I,s:s}", "created_ms", (json_int_t)p->created_ms, "delta",
                     (json_int_t)p->delta, "reason", p->reason ? p->reason : "");
}

/* 0 (unset) as null */
static json_t *ms_or_null(int64_t v)
{
    return v ? json_integer(v) : json_null();
}

static json_t *booking_json(const struct page_booking *b, const struct admin_req *rq,
                            bool contacts)
{
    (void)rq;
    (void)contacts;
    return json_pack("{s:I,s:s,s:I,s:s,s:o}", "course_id", (json_int_t)b->course_id, "course",
                     b->course ? b->course : "", "start_ms", (json_int_t)b->start_ms, "status",
                     b->status ? b->status : "", "attended_ms", ms_or_null(b->attended_ms));
}

static json_t *report_json(const struct page_report *r, const struct admin_req *rq,
                           bool contacts)
{
    (void)rq;
    (void)contacts;
    return json_pack("{s:s,s:s,s:s?,s:I}", "code", r->code ? r->code : "", "status",
                     r->status ? r->status : "", "description", r->description, "created_ms",
                     (json_int_t)r->created_ms);
}

static json_t *member_json(const struct page_member *m, const struct admin_req *rq,
                           bool contacts)
{
    (void)rq;
    json_t *o = json_pack("{s:s?,s:s?}", "name", m->name, "org", m->org);
    if (contacts) /* a role without contacts gets none */
        json_object_set_new(o, "contact", m->contact ? json_string(m->contact) : json_null());
    json_object_set_new(o, "city", m->city ? json_string(m->city) : json_null());
    json_object_set_new(o, "checkin_ms", ms_or_null(m->checkin_ms));
    return o;
}

/* A person's tickets with the rules of GET /tickets (admin_ticket_visible). */
static json_t *tickets_json(const struct person_page *pg, const struct admin_req *rq)
{
    json_t *a = json_array();
    for (size_t i = 0; i < pg->ntickets; i++) {
        const struct page_ticket *t = &pg->tickets[i];
        json_t *o = json_pack("{s:I,s:s,s:s,s:b,s:I,s:o,s:o}", "id", (json_int_t)t->id, "desk",
                              t->desk ? t->desk : "", "status", t->status ? t->status : "",
                              "crisis", t->crisis, "created_ms", (json_int_t)t->created_ms,
                              "closed_ms", ms_or_null(t->closed_ms), "rating",
                              t->rating ? json_integer(t->rating) : json_null());
        if (admin_ticket_visible(rq, o))
            json_array_append_new(a, o);
        else
            json_decref(o);
    }
    return a;
}

/* The admin API's JSON of a person's page: {"channels","points","bookings",
 * "reports","tickets","member","points_balance"}. */
static json_t *page_json(const struct person_page *pg, const struct admin_req *rq, bool contacts)
{
    json_t *o = json_object();
    PART_JSON("channels", pg->channels, pg->nchannels, channel_json);
    PART_JSON("points", pg->points, pg->npoints, point_json);
    PART_JSON("bookings", pg->bookings, pg->nbookings, booking_json);
    PART_JSON("reports", pg->reports, pg->nreports, report_json);
    json_object_set_new(o, "tickets", tickets_json(pg, rq));
    PART_JSON("member", pg->member, pg->nmember, member_json);
    json_object_set_new(o, "points_balance", json_integer(pg->points_balance));
    return o;
}
#undef PART_JSON

/* Each part of a person's page and the route whose roles may read it: a
 * part the role may not read elsewhere is left out here too. */
static const struct {
    const char *part, *route;
} page_routes[] = {
    {"points", "/points/x"}, {"points_balance", "/points/x"}, {"bookings", "/courses"},
    {"reports", "/reports"}, {"tickets", "/tickets"},         {"member", "/members"},
};

static void drop_parts(const struct admin_req *rq, json_t *page)
{
    char allow[64];
    for (size_t i = 0; i < sizeof page_routes / sizeof page_routes[0]; i++)
        if (admin_acl_check("GET", page_routes[i].route, rq->role, allow, sizeof allow) != ACL_OK)
            json_object_del(page, page_routes[i].part);
}

/* The account of a path id, or 0 with a 404 set. */
static int account_of(struct store *st, const char *seg, int64_t *account, struct http_resp *resp)
{
    int64_t id;
    int rc = admin_parse_id(seg, &id) == 0 ? store_privacy_account(st, id, account) : 0;
    if (rc == 0)
        http_resp_error(resp, 404, "no such person");
    return rc;
}

static int person_get(struct store *st, const struct admin_req *rq, const char *seg,
                      struct http_resp *resp)
{
    int64_t account;
    int rc = account_of(st, seg, &account, resp);
    if (rc != 1)
        return rc;
    struct person_row row;
    struct person_page pg;
    rc = store_people_row(st, account, &row);
    if (rc == -1)
        return -1;
    if (store_people_page(st, account, &pg) == -1) {
        person_row_clear(&row);
        return -1;
    }
    bool contacts = sees_contacts(rq);
    json_t *page = page_json(&pg, rq, contacts);
    drop_parts(rq, page);
    json_object_set_new(page, "person",
                        rc == 1 ? person_row_json(&row, false, contacts) : json_null());
    person_row_clear(&row);
    person_page_clear(&pg);
    admin_reply(resp, 200, page);
    return 0;
}

static bool field_known(const char *k)
{
    for (int i = 0; people_fields[i]; i++)
        if (strcmp(people_fields[i], k) == 0)
            return true;
    return false;
}

/* The 400 reason for a {fields, tags} body, or NULL; why is a scratch buffer. */
static const char *edit_check(json_t *b, char *why, size_t n)
{
    json_t *fields = json_object_get(b, "fields"), *tags = json_object_get(b, "tags"), *v;
    const char *k;
    if (fields == NULL && tags == NULL)
        return "want {\"fields\": {...}, \"tags\": [...]}";
    if (fields != NULL && !json_is_object(fields))
        return "'fields' must be an object";
    json_object_foreach(fields, k, v)
    {
        if (!field_known(k)) {
            snprintf(why, n,
                     "unknown field '%.64s' (fields: name phone district platform city org)", k);
            return why;
        }
        if (!json_is_null(v) && (!json_is_string(v) || json_string_length(v) == 0 ||
                                 json_string_length(v) > PEOPLE_FIELD_MAX)) {
            snprintf(why, n, "field '%s' must be a string of 1..%d bytes, or null", k,
                     PEOPLE_FIELD_MAX);
            return why;
        }
    }
    if (tags != NULL && (!json_is_array(tags) || json_array_size(tags) > MAX_TAGS))
        return "'tags' must be an array of at most 50 strings";
    size_t i;
    json_array_foreach(tags, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) > MAX_TAG_BYTES)
            return "each tag must be a string of 1..64 bytes";
    }
    return NULL;
}

/* POST /people/<id> {"fields": {name: value|null}, "tags": [..]}: all checked first. */
static int person_edit(struct store *st, const struct admin_req *rq, int64_t now, const char *seg,
                       struct http_resp *resp)
{
    int64_t account;
    char why[160];
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    const char *bad = edit_check(b, why, sizeof why);
    int rc = bad ? 0 : account_of(st, seg, &account, resp);
    if (bad != NULL)
        http_resp_error(resp, 400, bad);
    if (rc != 1) {
        json_decref(b);
        return rc;
    }
    const char *k;
    json_t *v, *tags = json_object_get(b, "tags");
    rc = 0;
    json_object_foreach(json_object_get(b, "fields"), k, v)
    {
        if (rc == 0)
            rc = store_people_set_field(st, account, k, json_string_value(v), now);
    }
    if (rc == 0 && tags != NULL)
        rc = store_people_set_tags(st, account, tags);
    struct person_row row;
    json_decref(b);
    if (rc == -1 || (rc = store_people_row(st, account, &row)) == -1)
        return -1;
    admin_reply(resp, 200, rc == 1 ? person_row_json(&row, false, true) : json_null());
    person_row_clear(&row);
    return 0;
}

/* GET /filters: {"items":[{"name","filter":{...},"created_ms"}]}, the stored
 * text back as an object. */
static int filters_get_all(struct store *st, struct http_resp *resp)
{
    struct saved_filter *v;
    size_t n;
    if (store_filter_list(st, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *f = json_loads(v[i].filter ? v[i].filter : "", 0, NULL);
        json_array_append_new(a, json_pack("{s:s,s:o,s:I}", "name", v[i].name ? v[i].name : "",
                                           "filter", f ? f : json_object(), "created_ms",
                                           (json_int_t)v[i].created_ms));
    }
    saved_filter_free_all(v, n);
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int filter_save(struct store *st, const struct admin_req *rq, int64_t now,
                       struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    const char *name = json_string_value(json_object_get(b, "name"));
    json_t *f = json_object_get(b, "filter");
    struct people_query q = {.contacts = true};
    const char *why = NULL, *k;
    json_t *v;
    if (name == NULL || name[0] == '\0' || strlen(name) > 64)
        why = "'name' must be a string of 1..64 bytes";
    else if (!json_is_object(f))
        why = "'filter' must be an object of the GET /people filters";
    json_object_foreach(f, k, v)
    {
        bool known = false;
        for (int i = 0; query_keys[i]; i++)
            known = known || strcmp(query_keys[i], k) == 0;
        if (!known && why == NULL)
            why = "'filter' has a key GET /people does not take";
    }
    if (why == NULL)
        why = people_query_parse(f, &q);
    int rc = 0;
    if (why != NULL) {
        http_resp_error(resp, 400, why);
    } else {
        char *text = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
        rc = text ? store_filter_save(st, name, text, now) : -1;
        free(text);
        if (rc == 0)
            admin_reply(resp, 201, json_pack("{s:s,s:O}", "name", name, "filter", f));
    }
    json_decref(b);
    return rc;
}

int people_filter_resolve(struct store *st, const char *name, struct http_resp *resp)
{
    char *text = NULL;
    int rc = store_filter_get(st, name, &text);
    if (rc != 1) {
        if (rc == 0)
            http_resp_error(resp, 404, "no such saved filter");
        return rc;
    }
    json_t *f = json_loads(text, 0, NULL);
    free(text);
    struct people_query q = {.contacts = true};
    int64_t total;
    struct person_row *v = NULL;
    size_t n = 0;
    rc = f && people_query_parse(f, &q) == NULL ? store_people_list(st, &q, -1, 0, &v, &n, &total)
                                                : -1;
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_integer(v[i].id));
    rc = rc == 0 && store_filter_members_set(st, name, ids) == 0 ? 1 : -1;
    person_row_free_all(v, n);
    json_decref(ids);
    json_decref(f);
    return rc;
}

int people_template_check(const char *text, struct http_resp *resp)
{
    size_t len = 0;
    const char *p = content_placeholder_unknown(text, people_fields, &len);
    if (p == NULL)
        return 0;
    char why[200];
    snprintf(why, sizeof why,
             "unknown field %.*s in 'text' (fields: {name} {phone} {district} {platform} {city}"
             " {org}; {{ for a literal brace)",
             (int)(len > 64 ? 64 : len), p);
    http_resp_error(resp, 400, why);
    return 1;
}

char *people_render(const struct app *app, struct store *st, const char *text, int64_t account)
{
    struct person_row row; /* none: every field unknown */
    if (store_people_row(st, account, &row) == -1)
        return NULL;
    const char *kv[2 * PEOPLE_NFIELDS + 1];
    int k = 0;
    for (int f = 0; f < PEOPLE_NFIELDS; f++) {
        const char *v = row.field[f];
        kv[k++] = people_fields[f];
        kv[k++] = v ? v : f == 0 ? content_get(app->ct, "people.name_unknown") : "";
    }
    kv[k] = NULL;
    char *out = content_fill(text, kv);
    person_row_clear(&row);
    return out;
}

/* POST /broadcasts/test {"text", "to": "<channel>:<id>"}: the text filled
 * with that person's fields, pushed to them alone (transactional: quiet
 * hours hold it, consent and opt-out do not, it is the admin's own). */
static int broadcast_test(const struct app *app, struct store *st, int64_t now,
                          const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    const char *text = json_string_value(json_object_get(b, "text"));
    const char *to = json_string_value(json_object_get(b, "to"));
    const char *colon = to ? strchr(to, ':') : NULL;
    int rc = 0;
    int64_t person = 0, account = 0;
    char *out = NULL, *channel = NULL;
    if (text == NULL || text[0] == '\0' || utf8_len(text) > MAX_TEXT_CHARS) {
        http_resp_error(resp, 400, "'text' must be a non-empty string of at most 1000 characters");
        goto done;
    }
    if (people_template_check(text, resp))
        goto done;
    if (colon == NULL || colon == to || colon[1] == '\0' || strlen(to) > 200) {
        http_resp_error(resp, 400, "'to' must be \"<channel>:<platform id>\"");
        goto done;
    }
    channel = xstrndup(to, (size_t)(colon - to));
    if (channel_by_name(channel) == NULL) {
        http_resp_error(resp, 400, "'to': unknown channel");
        goto done;
    }
    if ((rc = store_person_find(st, channel, colon + 1, &person)) == 0)
        rc = store_person_ensure(st, channel, colon + 1, NULL, now, &person);
    if (rc == -1 || store_privacy_account(st, person, &account) != 1 ||
        (out = people_render(app, st, text, account)) == NULL ||
        outbox_push(st, app->conf, person, OUT_TRANSACTIONAL, out, 0, now, NULL) == -1) {
        rc = -1;
        goto done;
    }
    rc = 0;
    admin_reply(
        resp, 202,
        json_pack("{s:s,s:s,s:i}", "to", to, "text", out, "sms_parts", sms_parts(out, NULL, NULL)));
done:
    free(out);
    free(channel);
    json_decref(b);
    return rc;
}

int admin_people_route(const struct app *app, struct store *st, int64_t now,
                       const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    int rc;
    if (nseg == 1 && strcmp(seg[0], "people") == 0 && get)
        rc = people_list(st, rq, resp);
    else if (nseg == 1 && strcmp(seg[0], "people.csv") == 0 && get)
        rc = people_csv(st, rq, resp);
    else if (nseg == 2 && strcmp(seg[0], "people") == 0 && get)
        rc = person_get(st, rq, seg[1], resp);
    else if (nseg == 2 && strcmp(seg[0], "people") == 0 && post)
        rc = person_edit(st, rq, now, seg[1], resp);
    else if (nseg == 1 && strcmp(seg[0], "filters") == 0 && post)
        rc = filter_save(st, rq, now, resp);
    else if (nseg == 1 && strcmp(seg[0], "filters") == 0 && get)
        rc = filters_get_all(st, resp);
    else if (nseg == 1 && strcmp(seg[0], "import") == 0 && post)
        rc = people_import(app, st, now, rq, resp);
    else if (nseg == 2 && strcmp(seg[0], "broadcasts") == 0 && strcmp(seg[1], "test") == 0 && post)
        rc = broadcast_test(app, st, now, rq, resp);
    else
        return 0;
    return rc == -1 ? -1 : 1;
}

/* The office's people: the directory, broadcasts, scheduled pushes. */
const struct feature feature_people = {
    .name = "people",
    .tick = schedule_tick, /* monthly 报到 reminders, pushes after joining */
    .needs = {people_needs},
    .routes = {admin_people_route, admin_schedule_route},
};
