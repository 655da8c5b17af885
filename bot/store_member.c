/*
 * store_member.c - SQL of member records and check-ins (see member.h).
 */
#include <stdlib.h>
#include <string.h>

#include "member.h"
#include "store.h"
#include "store_int.h"

void member_info_release(struct member_info *m)
{
    free(m->org);
    free(m->contact);
    free(m->city);
    memset(m, 0, sizeof *m);
}

int store_member_set(struct store *st, int64_t person, const char *name, const char *org,
                     const char *contact, int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO members(person_id, name, org, contact, created_ms) VALUES(?,?,?,?,?)"
             " ON CONFLICT(person_id) DO UPDATE SET name=coalesce(excluded.name, members.name),"
             " org=excluded.org, contact=coalesce(excluded.contact, members.contact) RETURNING id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, name);
    store_bind_text(s, 3, org);
    store_bind_text(s, 4, contact);
    store_bind_int64(s, 5, now);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *id = store_col_int64(s, 0);
    store_reset(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "member set");
}

int store_member_get(struct store *st, int64_t person, struct member_info *out)
{
    SQL(sql, "SELECT org, contact, city, coalesce(checkin_ms, 0) FROM members WHERE person_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        out->org = store_col_text(s, 0);
        out->contact = store_col_text(s, 1);
        out->city = store_col_text(s, 2);
        out->checkin_ms = store_col_int64(s, 3);
    }
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "member get");
}

int store_member_checkin(struct store *st, int64_t person, const char *city, bool has_loc,
                         double lat, double lon, int64_t now)
{
    SQL(sql, "UPDATE members SET city=coalesce(?2, city), lat=CASE WHEN ?3 THEN ?4 ELSE lat END,"
             " lon=CASE WHEN ?3 THEN ?5 ELSE lon END, checkin_ms=?6 WHERE person_id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    if (city != NULL)
        store_bind_text(s, 2, city);
    store_bind_int(s, 3, has_loc);
    store_bind_double(s, 4, lat);
    store_bind_double(s, 5, lon);
    store_bind_int64(s, 6, now);
    if (store_step_done(st, s, "member checkin") == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

/* o[name] = the text column, or null. */
static void set_text(json_t *o, const char *name, struct store_stmt *s, int col)
{
    const char *v = store_col_str(s, col);
    json_object_set_new(o, name, v ? json_string((const char *)v) : json_null());
}

json_t *store_member_list(struct store *st, const char *city, int64_t stale_before, int limit)
{
    SQL(sql, "SELECT m.id, p.channel || ':' || p.ext_id, m.name, m.org, m.contact, m.city, m.lat,"
             " m.lon, m.checkin_ms, p.last_seen_ms, m.created_ms FROM members m"
             " JOIN people p ON p.id=m.person_id WHERE (CAST(?1 AS TEXT) IS NULL OR m.city=?1)"
             " AND (?2 = 0 OR coalesce(m.checkin_ms, m.created_ms)<=?2)"
             " ORDER BY coalesce(m.checkin_ms, m.created_ms), m.id LIMIT ?3");
    struct store_stmt *s = store_stmt(st, sql);
    int rc;
    if (s == NULL)
        return NULL;
    if (city != NULL)
        store_bind_text(s, 1, city);
    store_bind_int64(s, 2, stale_before);
    store_bind_int(s, 3, limit);
    json_t *a = json_array();
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        json_t *o = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)store_col_int64(s, 0),
                              "person", store_col_str(s, 1), "org",
                              store_col_str(s, 3));
        set_text(o, "name", s, 2);
        set_text(o, "contact", s, 4);
        set_text(o, "city", s, 5);
        json_object_set_new(o, "lat",
                            store_col_type(s, 6) == SQLITE_NULL
                                ? json_null()
                                : json_real(store_col_double(s, 6)));
        json_object_set_new(o, "lon",
                            store_col_type(s, 7) == SQLITE_NULL
                                ? json_null()
                                : json_real(store_col_double(s, 7)));
        json_object_set_new(o, "checkin_ms",
                            store_col_type(s, 8) == SQLITE_NULL
                                ? json_null()
                                : json_integer((json_int_t)store_col_int64(s, 8)));
        json_object_set_new(o, "last_seen_ms",
                            json_integer((json_int_t)store_col_int64(s, 9)));
        json_object_set_new(o, "created_ms", json_integer((json_int_t)store_col_int64(s, 10)));
        json_array_append_new(a, o);
    }
    store_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        store_fail(st, "member list");
        return NULL;
    }
    return a;
}
