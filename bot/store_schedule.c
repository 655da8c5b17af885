/*
 * store_schedule.c - the SQL of schedules (people.h): recurring and
 * relative pushes, and who is due for one.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "people.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

int store_schedule_add(struct store *st, const struct schedule *sc, int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO schedules(kind, text, day, minute, tag, created_ms)"
             " VALUES(?,?,?,?,?,?)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, sc->kind);
    store_bind_text(s, 2, sc->text);
    store_bind_int(s, 3, sc->day);
    store_bind_int(s, 4, sc->minute);
    if (sc->tag != NULL)
        store_bind_text(s, 5, sc->tag);
    store_bind_int64(s, 6, now);
    if (store_step_done(st, s, "schedule add") == -1)
        return -1;
    *id = store_last_id(st);
    return 0;
}

json_t *store_schedule_list(struct store *st)
{
    /* the pushes of schedule N have keys "schN-...": a range of the unique index */
    SQL(sql, "SELECT id, kind, text, day, minute, tag, active, created_ms, cancelled_ms,"
             " (SELECT count(*) FROM outbox WHERE idem_key>='sch' || s.id || '-'"
             "  AND idem_key<'sch' || s.id || '.') AS pushes FROM schedules s ORDER BY id DESC");
    struct store_stmt *s = store_stmt(st, sql);
    return s ? store_rows_json(st, s, "schedule list") : NULL;
}

int store_schedule_cancel(struct store *st, int64_t id, int64_t now)
{
    SQL(sql, "UPDATE schedules SET active=0, cancelled_ms=?2 WHERE id=?1 AND active=1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now);
    if (store_step_done(st, s, "schedule cancel") == -1)
        return -1;
    return store_changes(st) > 0;
}

struct schedule *store_schedules_active(struct store *st, int *n)
{
    SQL(sql, "SELECT id, kind, text, day, minute, tag, created_ms FROM schedules"
             " WHERE active=1 ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    struct schedule *a = NULL;
    int rc, cap = 0;
    *n = 0;
    if (s == NULL)
        return NULL;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            a = xrealloc(a, (size_t)cap * sizeof *a);
        }
        a[(*n)++] = (struct schedule){
            .id = store_col_int64(s, 0), .kind = store_col_text(s, 1),
            .text = store_col_text(s, 2), .day = store_col_int(s, 3),
            .minute = store_col_int(s, 4), .tag = store_col_text(s, 5),
            .created_ms = store_col_int64(s, 6)};
    }
    store_reset(s);
    if (rc != SQLITE_DONE) {
        store_schedules_free(a, *n);
        *n = -1;
        store_fail(st, "schedules");
        return NULL;
    }
    return a;
}

void store_schedules_free(struct schedule *a, int n)
{
    for (int i = 0; i < n; i++) {
        free(a[i].kind);
        free(a[i].text);
        free(a[i].tag);
    }
    free(a);
}

int store_schedule_ran(struct store *st, int64_t id, const char *period)
{
    SQL(sql, "SELECT 1 FROM schedule_runs WHERE schedule_id=? AND period=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, period);
    int rc = store_step(st, s);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "schedule ran");
}

int store_schedule_mark(struct store *st, int64_t id, const char *period, int64_t now)
{
    SQL(sql, "INSERT INTO schedule_runs(schedule_id, period, done_ms) VALUES(?,?,?)"
             " ON CONFLICT DO NOTHING");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, period);
    store_bind_int64(s, 3, now);
    return store_step_done(st, s, "schedule mark");
}

/* ?1 tag or NULL, ?2 month start, ?3 limit, ?4 created, ?5 now, ?6 days,
 * ?7 the schedule, ?8 the month ("2026-12") */
#define DUE_COMMON                                                                                 \
    " d.opted_out=0 AND d.consent IS NOT NULL AND (CAST(?1 AS TEXT) IS NULL OR d.id IN (SELECT"    \
    " coalesce(c.account_id, c.id) FROM tags t JOIN people c ON c.id=t.person_id WHERE t.tag=?1))"

json_t *store_schedule_due(struct store *st, const struct schedule *sc, const char *period,
                           int64_t month_start, int64_t now, int limit)
{
    SQL(monthly, "SELECT d.id FROM person_dir d WHERE" DUE_COMMON
                 " AND EXISTS(SELECT 1 FROM members m JOIN people q ON q.id=m.person_id"
                 "  WHERE coalesce(q.account_id, q.id)=d.id AND coalesce(m.checkin_ms, 0)<?2)"
                 " AND NOT EXISTS(SELECT 1 FROM outbox WHERE idem_key='sch' || ?7 || '-' || ?8 || "
                 "'-' || d.id)"
                 " ORDER BY d.id LIMIT ?3");
    SQL(joined, "SELECT d.id FROM person_dir d WHERE" DUE_COMMON
                " AND d.joined_ms>=?4 AND d.joined_ms+?6*86400000<=?5"
                " AND NOT EXISTS(SELECT 1 FROM outbox WHERE idem_key='sch' || ?7 || '-' || d.id)"
                " ORDER BY d.id LIMIT ?3");
    bool month = strcmp(sc->kind, "monthly_checkin") == 0;
    struct store_stmt *s = store_stmt(st, month ? monthly : joined);
    if (s == NULL)
        return NULL;
    if (sc->tag != NULL)
        store_bind_text(s, 1, sc->tag);
    store_bind_int64(s, 2, month_start);
    store_bind_int(s, 3, limit);
    store_bind_int64(s, 7, sc->id);
    if (month)
        store_bind_text(s, 8, period);
    else {
        store_bind_int64(s, 4, sc->created_ms);
        store_bind_int64(s, 5, now);
        store_bind_int(s, 6, sc->day);
    }
    json_t *rows = store_rows_json(st, s, "schedule due"), *ids = rows ? json_array() : NULL;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
        json_array_append(ids, json_object_get(r, "id"));
    }
    json_decref(rows);
    return ids;
}
