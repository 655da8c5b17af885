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

static void member_read(struct store_stmt *s, void *out)
{
    struct member_entry *m = out;
    m->id = store_col_int64(s, 0);
    m->person = store_col_text(s, 1);
    m->name = store_col_text(s, 2);
    m->org = store_col_text(s, 3);
    m->contact = store_col_text(s, 4);
    m->city = store_col_text(s, 5);
    m->has_lat = store_col_type(s, 6) != SQLITE_NULL;
    m->lat = store_col_double(s, 6);
    m->has_lon = store_col_type(s, 7) != SQLITE_NULL;
    m->lon = store_col_double(s, 7);
    m->has_checkin = store_col_type(s, 8) != SQLITE_NULL;
    m->checkin_ms = store_col_int64(s, 8);
    m->last_seen_ms = store_col_int64(s, 9);
    m->created_ms = store_col_int64(s, 10);
}

static void member_clear(void *out)
{
    struct member_entry *m = out;
    free(m->person);
    free(m->name);
    free(m->org);
    free(m->contact);
    free(m->city);
}

void member_entry_free_all(struct member_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, member_clear);
}

int store_member_list(struct store *st, const char *city, int64_t stale_before, int limit,
                      struct member_entry **v, size_t *n)
{
    SQL(sql, "SELECT m.id, p.channel || ':' || p.ext_id, m.name, m.org, m.contact, m.city, m.lat,"
             " m.lon, m.checkin_ms, p.last_seen_ms, m.created_ms FROM members m"
             " JOIN people p ON p.id=m.person_id WHERE (CAST(?1 AS TEXT) IS NULL OR m.city=?1)"
             " AND (?2 = 0 OR coalesce(m.checkin_ms, m.created_ms)<=?2)"
             " ORDER BY coalesce(m.checkin_ms, m.created_ms), m.id LIMIT ?3");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    if (city != NULL)
        store_bind_text(s, 1, city);
    store_bind_int64(s, 2, stale_before);
    store_bind_int(s, 3, limit);
    return store_read_all(st, s, "member list", member_read, member_clear, sizeof **v,
                          (void **)v, n);
}
