/*
 * store_routing.c - the SQL of 随手拍 routing (routing.h): categories,
 * districts, handling bodies and their routes, a report's category, district
 * and body, observers. Runs on the writer thread inside its transaction, so a
 * check followed by a write sees no other writer in between.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routing.h"
#include "store.h"
#include "store_int.h"

/* One integer of a bound statement: 1 (*v), 0 no row, -1. */
static int one_int(struct store *st, struct store_stmt *s, const char *what, int64_t *v)
{
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW && v != NULL)
        *v = store_col_int64(s, 0);
    store_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, what);
    return rc == SQLITE_ROW;
}

static void category_read(struct store_stmt *s, void *out)
{
    struct category *c = out;
    c->id = store_col_int64(s, 0);
    c->name = store_col_text(s, 1);
    c->active = store_col_int(s, 2) != 0;
}

static void category_clear(void *out)
{
    free(((struct category *)out)->name);
}

void category_free_all(struct category *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, category_clear);
}

int store_category_list(struct store *st, bool active_only, struct category **v, size_t *n)
{
    SQL(category_list, "SELECT id, name, active=1 FROM report_categories"
                       " WHERE ?1=0 OR active=1 ORDER BY id");
    struct store_stmt *s = store_stmt(st, category_list);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, active_only);
    return store_read_all(st, s, "category list", category_read, category_clear, sizeof **v,
                          (void **)v, n);
}

/* Whether sql (?1 a name, ?2 an id to leave out) finds a row: 1, 0, -1. */
static int name_taken(struct store *st, const struct store_sql *sql, const char *name,
                      int64_t except)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    store_bind_int64(s, 2, except);
    return one_int(st, s, "name check", NULL);
}

SQL(category_taken, "SELECT 1 FROM report_categories WHERE name=?1 AND id<>?2");

int store_category_add(struct store *st, const char *name, int64_t now, int64_t *id)
{
    int t = name_taken(st, category_taken, name, 0);
    if (t != 0)
        return t == 1 ? ROUTING_TAKEN : -1;
    SQL(category_add, "INSERT INTO report_categories(name, created_ms) VALUES(?,?)");
    struct store_stmt *s = store_stmt(st, category_add);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    store_bind_int64(s, 2, now);
    return store_insert(st, s, "category add", id);
}

int store_category_update(struct store *st, int64_t id, const char *name, int active)
{
    if (name != NULL) {
        int t = name_taken(st, category_taken, name, id);
        if (t != 0)
            return t == 1 ? ROUTING_TAKEN : -1;
    }
    SQL(category_update, "UPDATE report_categories SET name=coalesce(?2, name),"
                         " active=CASE WHEN ?3<0 THEN active ELSE ?3 END WHERE id=?1");
    struct store_stmt *s = store_stmt(st, category_update);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, name);
    store_bind_int(s, 3, active);
    if (store_step_done(st, s, "category update") == -1)
        return -1;
    return store_changes(st) == 1 ? 0 : ROUTING_NOT_FOUND;
}

int store_category_nth(struct store *st, int n, int64_t *id, char name[ROUTING_NAME_MAX])
{
    SQL(category_nth, "SELECT id, name FROM report_categories WHERE active=1"
                      " ORDER BY id LIMIT 1 OFFSET ?");
    struct store_stmt *s = store_stmt(st, category_nth);
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, n - 1);
    int rc = n >= 1 ? store_step(st, s) : SQLITE_DONE;
    if (rc == SQLITE_ROW) {
        *id = store_col_int64(s, 0);
        snprintf(name, ROUTING_NAME_MAX, "%s", store_col_str(s, 1));
    }
    store_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "category nth");
    return rc == SQLITE_ROW;
}

int store_category_find(struct store *st, const char *name, int64_t *id)
{
    SQL(category_find, "SELECT id FROM report_categories WHERE name=? AND active=1");
    struct store_stmt *s = store_stmt(st, category_find);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    return one_int(st, s, "category find", id);
}

int store_district_list(struct store *st, char ***v, size_t *n)
{
    SQL(district_list, "SELECT name FROM report_districts ORDER BY pos, name");
    struct store_stmt *s = store_stmt(st, district_list);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    return store_read_all(st, s, "district list", store_read_string, store_clear_string, sizeof **v,
                          (void **)v, n);
}

int store_district_known(struct store *st, const char *name)
{
    SQL(district_known, "SELECT 1 FROM report_districts WHERE name=?1 AND ?2=0");
    return name_taken(st, district_known, name, 0);
}

static void route_read(struct store_stmt *s, void *out)
{
    struct body_route *r = out;
    r->category = store_col_text(s, 0);
    r->district = store_col_text(s, 1);
}

static void route_clear(void *out)
{
    struct body_route *r = out;
    free(r->category);
    free(r->district);
}

static void body_read(struct store_stmt *s, void *out)
{
    struct body *b = out;
    b->id = store_col_int64(s, 0);
    b->code = store_col_text(s, 1);
    b->name = store_col_text(s, 2);
    b->active = store_col_int(s, 3) != 0;
}

static void body_clear(void *out)
{
    struct body *b = out;
    free(b->code);
    free(b->name);
    store_free_rows(b->routes, b->nroutes, sizeof *b->routes, route_clear);
}

void body_free_all(struct body *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, body_clear);
}

int store_body_list(struct store *st, struct body **v, size_t *n)
{
    SQL(body_list, "SELECT id, code, name, active=1 AS active FROM report_bodies"
                   " ORDER BY id");
    struct store_stmt *s = store_stmt(st, body_list);
    SQL(body_routes, "SELECT c.name AS category, rt.district FROM report_routes rt"
                     " LEFT JOIN report_categories c ON c.id=rt.category_id"
                     " WHERE rt.body_id=? ORDER BY rt.pos");
    struct store_stmt *r = store_stmt(st, body_routes);
    *v = NULL;
    *n = 0;
    if (s == NULL || r == NULL ||
        store_read_all(st, s, "body list", body_read, body_clear, sizeof **v, (void **)v, n) == -1)
        return -1;
    for (size_t i = 0; i < *n; i++) {
        struct body *b = &(*v)[i];
        store_bind_int64(r, 1, b->id);
        if (store_read_all(st, r, "body routes", route_read, route_clear, sizeof *b->routes,
                           (void **)&b->routes, &b->nroutes) == -1) {
            body_free_all(*v, *n);
            *v = NULL;
            *n = 0;
            return -1;
        }
    }
    return 0;
}

int store_body_known(struct store *st, const char *code)
{
    SQL(body_code_taken, "SELECT 1 FROM report_bodies WHERE code=?1 AND ?2=0");
    return name_taken(st, body_code_taken, code, 0);
}

/* Replace body's routes with routes (names already checked). 0 or -1. */
static int set_routes(struct store *st, int64_t body, json_t *routes)
{
    SQL(routes_clear, "DELETE FROM report_routes WHERE body_id=?");
    struct store_stmt *d = store_stmt(st, routes_clear);
    SQL(route_add, "INSERT INTO report_routes(body_id, category_id, district, pos)"
                   " VALUES(?1, (SELECT id FROM report_categories WHERE name=?2),"
                   " ?3, ?4)");
    struct store_stmt *s = store_stmt(st, route_add);
    if (d == NULL || s == NULL)
        return -1;
    store_bind_int64(d, 1, body);
    if (store_step_done(st, d, "routes clear") == -1)
        return -1;
    size_t i;
    json_t *r;
    json_array_foreach(routes, i, r)
    {
        store_bind_int64(s, 1, body);
        store_bind_text(s, 2, json_string_value(json_object_get(r, "category")));
        store_bind_text(s, 3, json_string_value(json_object_get(r, "district")));
        store_bind_int64(s, 4, (int64_t)i + 1); /* in the order given */
        if (store_step_done(st, s, "route add") == -1)
            return -1;
    }
    return 0;
}

int store_body_add(struct store *st, const char *code, const char *name, json_t *routes,
                   int64_t now, int64_t *id)
{
    int t = store_body_known(st, code);
    if (t != 0)
        return t == 1 ? ROUTING_TAKEN : -1;
    SQL(body_add, "INSERT INTO report_bodies(code, name, created_ms) VALUES(?,?,?)");
    struct store_stmt *s = store_stmt(st, body_add);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, code);
    store_bind_text(s, 2, name);
    store_bind_int64(s, 3, now);
    if (store_insert(st, s, "body add", id) == -1)
        return -1;
    return set_routes(st, *id, routes);
}

int store_body_update(struct store *st, int64_t id, const char *name, int active, json_t *routes)
{
    SQL(body_update, "UPDATE report_bodies SET name=coalesce(?2, name),"
                     " active=CASE WHEN ?3<0 THEN active ELSE ?3 END WHERE id=?1");
    struct store_stmt *s = store_stmt(st, body_update);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, name);
    store_bind_int(s, 3, active);
    if (store_step_done(st, s, "body update") == -1)
        return -1;
    if (store_changes(st) != 1)
        return ROUTING_NOT_FOUND;
    return routes != NULL ? set_routes(st, id, routes) : 0;
}

/* The body for the report's category and district, most specific route first. */
static int route(struct store *st, int64_t report)
{
    SQL(sql, "UPDATE reports SET body_id=(SELECT b.id FROM report_routes rt"
             " JOIN report_bodies b ON b.id=rt.body_id WHERE b.active=1"
             " AND (rt.category_id IS NULL OR rt.category_id=reports.category_id)"
             " AND (rt.district IS NULL OR rt.district=reports.district)"
             " ORDER BY CASE WHEN rt.category_id IS NOT NULL THEN 1 ELSE 0 END"
             " + CASE WHEN rt.district IS NOT NULL THEN 1 ELSE 0 END DESC, b.id LIMIT 1)"
             " WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, report);
    return store_step_done(st, s, "report route");
}

static int set_and_route(struct store *st, struct store_stmt *s, int64_t report, const char *what)
{
    if (s == NULL || store_step_done(st, s, what) == -1)
        return -1;
    if (store_changes(st) != 1)
        return ROUTING_NOT_FOUND;
    return route(st, report);
}

int store_report_set_category(struct store *st, int64_t report, int64_t category_id, int64_t now)
{
    SQL(set_category, "UPDATE reports SET category_id=nullif(?2, 0), updated_ms=?3 WHERE id=?1");
    struct store_stmt *s = store_stmt(st, set_category);
    if (s != NULL) {
        store_bind_int64(s, 1, report);
        store_bind_int64(s, 2, category_id);
        store_bind_int64(s, 3, now);
    }
    return set_and_route(st, s, report, "report category");
}

int store_report_set_district(struct store *st, int64_t report, const char *district, int64_t now)
{
    SQL(set_district, "UPDATE reports SET district=?2, updated_ms=?3 WHERE id=?1");
    struct store_stmt *s = store_stmt(st, set_district);
    if (s != NULL) {
        store_bind_int64(s, 1, report);
        store_bind_text(s, 2, district);
        store_bind_int64(s, 3, now);
    }
    return set_and_route(st, s, report, "report district");
}

static void report_routing_read(struct store_stmt *s, void *out)
{
    struct report_routing *r = out;
    r->category = store_col_text(s, 0);
    r->district = store_col_text(s, 1);
    r->body = store_col_text(s, 2);
    r->body_name = store_col_text(s, 3);
    r->observer = store_col_int(s, 4) != 0;
}

void report_routing_clear(struct report_routing *r)
{
    free(r->category);
    free(r->district);
    free(r->body);
    free(r->body_name);
    memset(r, 0, sizeof *r);
}

int store_report_routing(struct store *st, int64_t report, struct report_routing *out)
{
    SQL(sql, "SELECT c.name, r.district, b.code, b.name, p.observer_ms IS NOT NULL"
             " FROM reports r JOIN people p ON p.id=r.person_id"
             " LEFT JOIN report_categories c ON c.id=r.category_id"
             " LEFT JOIN report_bodies b ON b.id=r.body_id WHERE r.id=?");
    struct store_stmt *s = store_stmt(st, sql);
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, report);
    return store_read_one(st, s, "report routing", report_routing_read, out, sizeof *out);
}

int reports_visible_to(struct store *st, const char *area, int64_t report)
{
    SQL(visible, "SELECT 1 FROM reports r LEFT JOIN report_bodies b"
                 " ON b.id=r.body_id WHERE r.id=?1"
                 " AND (CAST(?2 AS TEXT) IS NULL OR coalesce(r.area, b.code)=?2)");
    struct store_stmt *s = store_stmt(st, visible);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, report);
    store_bind_text(s, 2, area);
    return one_int(st, s, "report visible", NULL);
}

int store_person_set_observer(struct store *st, int64_t person, bool on, int64_t now)
{
    SQL(observer_set, "UPDATE people SET observer_ms=CASE WHEN ?2 THEN"
                      " coalesce(observer_ms, ?3) END WHERE id=?1");
    struct store_stmt *s = store_stmt(st, observer_set);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, on);
    store_bind_int64(s, 3, now);
    if (store_step_done(st, s, "observer set") == -1)
        return -1;
    return store_changes(st) == 1 ? 0 : ROUTING_NOT_FOUND;
}

static void observer_read(struct store_stmt *s, void *out)
{
    struct observer *o = out;
    o->id = store_col_int64(s, 0);
    o->name = store_col_text(s, 1);
    o->channel = store_col_text(s, 2);
    o->since_ms = store_col_int64(s, 3);
    o->reports = store_col_int64(s, 4);
}

static void observer_clear(void *out)
{
    struct observer *o = out;
    free(o->name);
    free(o->channel);
}

void observer_free_all(struct observer *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, observer_clear);
}

int store_observer_list(struct store *st, struct observer **v, size_t *n)
{
    SQL(observer_list, "SELECT p.id, coalesce(p.name, ''), p.channel, p.observer_ms,"
                       " (SELECT count(*) FROM reports r WHERE r.person_id=p.id"
                       " AND r.created_ms>=p.observer_ms)"
                       " FROM people p WHERE p.observer_ms IS NOT NULL ORDER BY p.id");
    struct store_stmt *s = store_stmt(st, observer_list);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    return store_read_all(st, s, "observer list", observer_read, observer_clear, sizeof **v,
                          (void **)v, n);
}
