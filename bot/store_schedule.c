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

/* id, kind, text, day, minute, tag, created_ms: the columns of both
 * schedule queries, read by schedule_read. */
static void schedule_read(struct store_stmt *s, void *out)
{
    struct schedule *sc = out;
    sc->id = store_col_int64(s, 0);
    sc->kind = store_col_text(s, 1);
    sc->text = store_col_text(s, 2);
    sc->day = store_col_int(s, 3);
    sc->minute = store_col_int(s, 4);
    sc->tag = store_col_text(s, 5);
    sc->created_ms = store_col_int64(s, 6);
}

/* schedule_read, then active, cancelled_ms and pushes. */
static void schedule_list_read(struct store_stmt *s, void *out)
{
    struct schedule *sc = out;
    schedule_read(s, sc);
    sc->active = store_col_int(s, 7);
    sc->cancelled_ms = store_col_int64(s, 8);
    sc->pushes = store_col_int64(s, 9);
}

static void schedule_clear(void *out)
{
    struct schedule *sc = out;
    free(sc->kind);
    free(sc->text);
    free(sc->tag);
}

/* The rows of a bound schedule query as store_schedules_active returns them. */
static struct schedule *schedules_read(struct store *st, struct store_stmt *s, const char *what,
                                       store_read_fn read, int *n)
{
    struct schedule *a = NULL;
    size_t len = 0;
    *n = -1;
    if (s == NULL ||
        store_read_all(st, s, what, read, schedule_clear, sizeof *a, (void **)&a, &len) == -1)
        return NULL;
    *n = (int)len;
    return a;
}

struct schedule *store_schedule_list(struct store *st, int *n)
{
    /* the pushes of schedule N have keys "schN-...": a range of the unique index */
    SQL(sql, "SELECT id, kind, text, day, minute, tag, created_ms, active, cancelled_ms,"
             " (SELECT count(*) FROM outbox WHERE idem_key>='sch' || s.id || '-'"
             "  AND idem_key<'sch' || s.id || '.') FROM schedules s ORDER BY id DESC");
    return schedules_read(st, store_stmt(st, sql), "schedule list", schedule_list_read, n);
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
    return schedules_read(st, store_stmt(st, sql), "schedules", schedule_read, n);
}

void store_schedules_free(struct schedule *a, int n)
{
    store_free_rows(a, n > 0 ? (size_t)n : 0, sizeof *a, schedule_clear);
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

int store_schedule_due(struct store *st, const struct schedule *sc, const char *period,
                       int64_t month_start, int64_t now, int limit, int64_t **ids, size_t *n)
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
    *ids = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
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
    return store_read_all(st, s, "schedule due", store_read_id, NULL, sizeof **ids, (void **)ids,
                          n);
}
