/*
 * store_people.c - the SQL of people.h: the directory over the person_dir
 * view (one row per account), profile fields, tags, saved filters, and the
 * per-recipient fill of a broadcast's pushes.
 */
#include <sqlite3.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "people.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* every people row of the account ?1 */
#define P "(SELECT id FROM people WHERE coalesce(account_id, id)=?1)"

const char *const people_fields[PEOPLE_NFIELDS + 1] = {"name", "phone", "district", "platform",
                                                      "city", "org",   NULL};

/* A directory row's columns, in struct person_row's reading order. */
#define ROW_COLS                                                                                   \
    "id, name, phone, district, platform, city, org, channels, tags, joined_ms, last_seen_ms,"    \
    " opted_out, consent"

/* ?1 q, ?2 q as an id, ?3 channel, ?4 tag, ?5 district, ?6 platform,
 * ?7..?10 joined from/to, seen from/to, ?11 opted out, ?12 phones
 * searchable, ?13 limit, ?14 offset. */
SQL(list_sql,
    "SELECT " ROW_COLS ", count(*) OVER () FROM person_dir d WHERE"
    " (?1 IS NULL OR d.id=?2 OR instr(d.name, ?1)>0 OR (?12 AND instr(d.phone, ?1)>0))"
    /* IN over an uncorrelated list: computed once, not per account */
    " AND (?3 IS NULL OR d.id IN (SELECT coalesce(account_id, id) FROM people WHERE channel=?3))"
    " AND (?4 IS NULL OR d.id IN (SELECT coalesce(c.account_id, c.id) FROM tags t"
    "  JOIN people c ON c.id=t.person_id WHERE t.tag=?4))"
    " AND (?5 IS NULL OR d.district=?5) AND (?6 IS NULL OR d.platform=?6)"
    " AND (?7 IS NULL OR d.joined_ms>=?7) AND (?8 IS NULL OR d.joined_ms<?8)"
    " AND (?9 IS NULL OR d.last_seen_ms>=?9) AND (?10 IS NULL OR d.last_seen_ms<?10)"
    " AND (?11 IS NULL OR (d.opted_out<>0)=?11)"
    " ORDER BY d.id DESC LIMIT ?13 OFFSET ?14");

static void bind_opt_text(struct store_stmt *s, int i, const char *v)
{
    if (v != NULL)
        store_bind_text(s, i, v);
}

static void bind_opt_ms(struct store_stmt *s, int i, int64_t v)
{
    if (v >= 0)
        store_bind_int64(s, i, v);
}

static void row_read(struct store_stmt *s, void *out)
{
    struct person_row *p = out;
    p->id = store_col_int64(s, 0);
    for (int f = 0; f < PEOPLE_NFIELDS; f++)
        p->field[f] = store_col_text(s, 1 + f);
    p->channels = store_col_text(s, 7);
    p->tags = store_col_text(s, 8);
    p->joined_ms = store_col_int64(s, 9);
    p->last_seen_ms = store_col_int64(s, 10);
    p->opted_out = store_col_int64(s, 11);
    p->consent = store_col_text(s, 12);
}

void person_row_clear(struct person_row *p)
{
    for (int f = 0; f < PEOPLE_NFIELDS; f++)
        free(p->field[f]);
    free(p->channels);
    free(p->tags);
    free(p->consent);
}

static void row_clear(void *out)
{
    person_row_clear(out);
}

void person_row_free_all(struct person_row *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, row_clear);
}

/* A list row, then the count of every match (the same on each). */
static void list_read(struct store_stmt *s, void *out)
{
    row_read(s, out);
    ((struct person_row *)out)->total = store_col_int64(s, 13);
}

int store_people_list(struct store *st, const struct people_query *q, int limit, int offset,
                      struct person_row **v, size_t *n, int64_t *total)
{
    struct store_stmt *s = store_stmt(st, list_sql);
    *v = NULL;
    *n = 0;
    *total = 0;
    if (s == NULL)
        return -1;
    long long id;
    bind_opt_text(s, 1, q->q);
    if (q->q != NULL && parse_int(q->q, 1, INT64_MAX, &id) == 0)
        store_bind_int64(s, 2, id);
    bind_opt_text(s, 3, q->channel);
    bind_opt_text(s, 4, q->tag);
    bind_opt_text(s, 5, q->district);
    bind_opt_text(s, 6, q->platform);
    bind_opt_ms(s, 7, q->joined_from);
    bind_opt_ms(s, 8, q->joined_to);
    bind_opt_ms(s, 9, q->seen_from);
    bind_opt_ms(s, 10, q->seen_to);
    if (q->opted_out >= 0)
        store_bind_int(s, 11, q->opted_out);
    store_bind_int(s, 12, q->contacts);
    store_bind_int(s, 13, limit);
    store_bind_int(s, 14, offset);
    if (store_read_all(st, s, "people list", list_read, row_clear, sizeof **v, (void **)v, n) ==
        -1)
        return -1;
    if (*n > 0)
        *total = (*v)[0].total;
    if (*n == 0 && offset > 0) {
        /* past the last page: the count still answers */
        struct person_row *first;
        size_t k;
        if (store_people_list(st, q, 1, 0, &first, &k, total) == -1)
            return -1;
        person_row_free_all(first, k);
    }
    return 0;
}

int store_people_row(struct store *st, int64_t account, struct person_row *out)
{
    SQL(sql, "SELECT " ROW_COLS " FROM person_dir WHERE id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    return store_read_one(st, s, "people row", row_read, out, sizeof *out);
}

/* The parts of a person's page; ?1 the account. */
SQL(page_channels, "SELECT id, channel, ext_id, name, opted_out, consent, created_ms,"
                   " last_seen_ms FROM people WHERE id IN " P " ORDER BY id");
SQL(page_points, "SELECT created_ms, delta, reason FROM points WHERE person_id IN " P
                 " ORDER BY id DESC LIMIT 50");
SQL(page_bookings, "SELECT b.course_id, c.title, c.start_ms, b.status, b.attended_ms"
                   " FROM bookings b JOIN courses c ON c.id=b.course_id WHERE b.person_id IN " P
                   " ORDER BY b.id DESC LIMIT 50");
SQL(page_reports, "SELECT code, status, description, created_ms FROM reports"
                  " WHERE person_id IN " P " ORDER BY id DESC LIMIT 50");
SQL(page_tickets, "SELECT id, desk, status, crisis, created_ms, closed_ms, rating"
                  " FROM desk_tickets WHERE person_id IN " P " ORDER BY id DESC LIMIT 50");
SQL(page_member, "SELECT name, org, contact, city, checkin_ms FROM members WHERE person_id IN " P);
SQL(page_points_balance, "SELECT coalesce(sum(delta), 0) FROM points WHERE person_id IN " P);

static void channel_read(struct store_stmt *s, void *out)
{
    struct page_channel *c = out;
    c->id = store_col_int64(s, 0);
    c->channel = store_col_text(s, 1);
    c->ext_id = store_col_text(s, 2);
    c->name = store_col_text(s, 3);
    c->opted_out = store_col_int64(s, 4);
    c->consent = store_col_text(s, 5);
    c->created_ms = store_col_int64(s, 6);
    c->last_seen_ms = store_col_int64(s, 7);
}

static void channel_clear(void *out)
{
    struct page_channel *c = out;
    free(c->channel);
    free(c->ext_id);
    free(c->name);
    free(c->consent);
}

static void point_read(struct store_stmt *s, void *out)
{
    struct page_point *p = out;
    p->created_ms = store_col_int64(s, 0);
    p->delta = store_col_int64(s, 1);
    p->reason = store_col_text(s, 2);
}

static void point_clear(void *out)
{
    free(((struct page_point *)out)->reason);
}

static void booking_read(struct store_stmt *s, void *out)
{
    struct page_booking *b = out;
    b->course_id = store_col_int64(s, 0);
    b->course = store_col_text(s, 1);
    b->start_ms = store_col_int64(s, 2);
    b->status = store_col_text(s, 3);
    b->attended_ms = store_col_int64(s, 4);
}

static void booking_clear(void *out)
{
    struct page_booking *b = out;
    free(b->course);
    free(b->status);
}

static void report_read(struct store_stmt *s, void *out)
{
    struct page_report *r = out;
    r->code = store_col_text(s, 0);
    r->status = store_col_text(s, 1);
    r->description = store_col_text(s, 2);
    r->created_ms = store_col_int64(s, 3);
}

static void report_clear(void *out)
{
    struct page_report *r = out;
    free(r->code);
    free(r->status);
    free(r->description);
}

static void ticket_read(struct store_stmt *s, void *out)
{
    struct page_ticket *t = out;
    t->id = store_col_int64(s, 0);
    t->desk = store_col_text(s, 1);
    t->status = store_col_text(s, 2);
    t->crisis = store_col_int(s, 3) != 0;
    t->created_ms = store_col_int64(s, 4);
    t->closed_ms = store_col_int64(s, 5);
    t->rating = store_col_int64(s, 6);
}

static void ticket_clear(void *out)
{
    struct page_ticket *t = out;
    free(t->desk);
    free(t->status);
}

static void member_read(struct store_stmt *s, void *out)
{
    struct page_member *m = out;
    m->name = store_col_text(s, 0);
    m->org = store_col_text(s, 1);
    m->contact = store_col_text(s, 2);
    m->city = store_col_text(s, 3);
    m->checkin_ms = store_col_int64(s, 4);
}

static void member_clear(void *out)
{
    struct page_member *m = out;
    free(m->name);
    free(m->org);
    free(m->contact);
    free(m->city);
}

static void balance_read(struct store_stmt *s, void *out)
{
    *(int64_t *)out = store_col_int64(s, 0);
}

/* Each part of the page: its statement, reader and clearer, and where its
 * array and count live in struct person_page. */
#define PART(sql, what, read, clear, v, n)                                                         \
    {sql, what, read, clear, sizeof *((struct person_page *)0)->v,                              \
     offsetof(struct person_page, v), offsetof(struct person_page, n)}
static const struct {
    const struct store_sql *sql;
    const char *what;
    store_read_fn read;
    store_clear_fn clear;
    size_t size, v, n;
} page_parts[] = {
    PART(page_channels, "page channels", channel_read, channel_clear, channels, nchannels),
    PART(page_points, "page points", point_read, point_clear, points, npoints),
    PART(page_bookings, "page bookings", booking_read, booking_clear, bookings, nbookings),
    PART(page_reports, "page reports", report_read, report_clear, reports, nreports),
    PART(page_tickets, "page tickets", ticket_read, ticket_clear, tickets, ntickets),
    PART(page_member, "page member", member_read, member_clear, member, nmember),
};
#undef PART

void person_page_clear(struct person_page *pg)
{
    for (size_t i = 0; i < sizeof page_parts / sizeof page_parts[0]; i++)
        store_free_rows(*(void **)((char *)pg + page_parts[i].v),
                        *(size_t *)((char *)pg + page_parts[i].n), page_parts[i].size,
                        page_parts[i].clear);
    memset(pg, 0, sizeof *pg);
}

int store_people_page(struct store *st, int64_t account, struct person_page *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < sizeof page_parts / sizeof page_parts[0]; i++) {
        struct store_stmt *s = store_stmt(st, page_parts[i].sql);
        if (s == NULL)
            goto fail;
        store_bind_int64(s, 1, account);
        if (store_read_all(st, s, page_parts[i].what, page_parts[i].read, page_parts[i].clear,
                           page_parts[i].size, (void **)((char *)out + page_parts[i].v),
                           (size_t *)((char *)out + page_parts[i].n)) == -1)
            goto fail;
    }
    struct store_stmt *s = store_stmt(st, page_points_balance);
    if (s != NULL) {
        store_bind_int64(s, 1, account);
        if (store_read_one(st, s, "page balance", balance_read, &out->points_balance,
                           sizeof out->points_balance) == 1)
            return 0;
    }
fail:
    person_page_clear(out);
    return -1;
}

int store_people_set_field(struct store *st, int64_t account, const char *key, const char *value,
                           int64_t now)
{
    SQL(set, "INSERT INTO person_fields(person_id, key, value, updated_ms)"
             " VALUES(?1,?2,?3,?4) ON CONFLICT(person_id, key)"
             " DO UPDATE SET value=?3, updated_ms=?4");
    SQL(del, "DELETE FROM person_fields WHERE person_id=?1 AND key=?2");
    struct store_stmt *s = store_stmt(st, value ? set : del);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    store_bind_text(s, 2, key);
    if (value != NULL) {
        store_bind_text(s, 3, value);
        store_bind_int64(s, 4, now);
    }
    return store_step_done(st, s, "person field");
}

int store_people_add_tag(struct store *st, int64_t account, const char *tag)
{
    SQL(add, "INSERT INTO tags(person_id, tag) VALUES(?1,?2) ON CONFLICT DO NOTHING");
    struct store_stmt *s = store_stmt(st, add);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    store_bind_text(s, 2, tag);
    return store_step_done(st, s, "person tag");
}

int store_people_set_tags(struct store *st, int64_t account, json_t *tags)
{
    SQL(clear, "DELETE FROM tags WHERE person_id IN " P);
    struct store_stmt *s = store_stmt(st, clear);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    if (store_step_done(st, s, "person tags") == -1)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(tags, i, v)
    {
        if (store_people_add_tag(st, account, json_string_value(v)) == -1)
            return -1;
    }
    return 0;
}

/* The account whose phone is ?1: a profile field, or an SMS channel's id. */
#define PHONE_ACCOUNT                                                                              \
    "SELECT person_id FROM person_fields WHERE key='phone' AND value=?1"                           \
    " UNION ALL SELECT coalesce(account_id, id) FROM people"                                       \
    " WHERE channel IN ('kannel','twilio') AND ext_id=?1 LIMIT 1"

int store_people_by_phone(struct store *st, const char *phone, int64_t *account)
{
    SQL(sql, PHONE_ACCOUNT);
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, phone);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *account = store_col_int64(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "person by phone");
}

int store_people_key_by_phone(struct store *st, const char *phone, char **channel, char **ext_id)
{
    SQL(sql, "SELECT channel, ext_id FROM people WHERE id=(" PHONE_ACCOUNT ")");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, phone);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        *channel = store_col_text(s, 0);
        *ext_id = store_col_text(s, 1);
    }
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "person key by phone");
}

int store_filter_save(struct store *st, const char *name, const char *filter, int64_t now)
{
    SQL(sql, "INSERT INTO saved_filters(name, filter, created_ms) VALUES(?1,?2,?3)"
             " ON CONFLICT(name) DO UPDATE SET filter=?2");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    store_bind_text(s, 2, filter);
    store_bind_int64(s, 3, now);
    return store_step_done(st, s, "filter save");
}

static void filter_read(struct store_stmt *s, void *out)
{
    struct saved_filter *f = out;
    f->name = store_col_text(s, 0);
    f->filter = store_col_text(s, 1);
    f->created_ms = store_col_int64(s, 2);
}

static void filter_clear(void *out)
{
    struct saved_filter *f = out;
    free(f->name);
    free(f->filter);
}

void saved_filter_free_all(struct saved_filter *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, filter_clear);
}

int store_filter_list(struct store *st, struct saved_filter **v, size_t *n)
{
    SQL(sql, "SELECT name, filter, created_ms FROM saved_filters ORDER BY name");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    return store_read_all(st, s, "filter list", filter_read, filter_clear, sizeof **v, (void **)v,
                          n);
}

int store_filter_get(struct store *st, const char *name, char **filter)
{
    SQL(sql, "SELECT filter FROM saved_filters WHERE name=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *filter = store_col_text(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "filter get");
}

int store_filter_members_set(struct store *st, const char *name, json_t *ids)
{
    SQL(clear, "DELETE FROM filter_members WHERE name=?1");
    SQL(add, "INSERT INTO filter_members(name, person_id) VALUES(?1,?2) ON CONFLICT DO NOTHING");
    struct store_stmt *s = store_stmt(st, clear);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    if (store_step_done(st, s, "filter clear") == -1)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v)
    {
        if ((s = store_stmt(st, add)) == NULL)
            return -1;
        store_bind_text(s, 1, name);
        store_bind_int64(s, 2, json_integer_value(v));
        if (store_step_done(st, s, "filter member") == -1)
            return -1;
    }
    return 0;
}

/* kv for content_fill from a person_dir row; fallback when the name is unknown. */
static void row_kv(struct store_stmt *s, int first, const char *fallback, const char **kv)
{
    int k = 0;
    for (int f = 0; people_fields[f]; f++) {
        const char *v = store_col_str(s, first + f);
        kv[k++] = people_fields[f];
        kv[k++] = v ? v : f == 0 ? fallback : "";
    }
    kv[k] = NULL;
}

int store_people_fill_broadcast(struct store *st, int64_t id, const char *text,
                                const char *name_fallback)
{
    SQL(rows,
        "SELECT o.id, d.name, d.phone, d.district, d.platform, d.city, d.org FROM outbox o"
        " JOIN people p ON p.id=o.person_id JOIN person_dir d ON d.id=coalesce(p.account_id, p.id)"
        " WHERE o.broadcast_id=?1");
    SQL(upd, "UPDATE outbox SET text=?2 WHERE id=?1");
    json_t *ids = json_array(), *texts = json_array();
    struct store_stmt *s = store_stmt(st, rows);
    int rc = s ? SQLITE_ROW : SQLITE_ERROR;
    const char *kv[2 * 8 + 1];
    if (s != NULL) {
        store_bind_int64(s, 1, id);
        while ((rc = store_step(st, s)) == SQLITE_ROW) {
            row_kv(s, 1, name_fallback, kv);
            json_array_append_new(ids, json_integer(store_col_int64(s, 0)));
            char *t = content_fill(text, kv);
            json_array_append_new(texts, json_string(t));
            free(t);
        }
        store_reset(s);
    }
    int out = rc == SQLITE_DONE ? 0 : store_fail(st, "broadcast fill");
    for (size_t i = 0; out == 0 && i < json_array_size(ids); i++) {
        if ((s = store_stmt(st, upd)) == NULL) {
            out = -1;
            break;
        }
        store_bind_int64(s, 1, json_integer_value(json_array_get(ids, i)));
        store_bind_text(s, 2, json_string_value(json_array_get(texts, i)));
        out = store_step_done(st, s, "broadcast fill");
    }
    json_decref(ids);
    json_decref(texts);
    return out;
}
