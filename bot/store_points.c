/*
 * store_points.c - SQL of the points ledger (see points.h).
 */
#include <stdlib.h>
#include <string.h>

#include "points.h"
#include "store.h"
#include "store_int.h"

int points_entry(struct store *st, int64_t person, int64_t delta, const char *reason,
                 const char *ref, int64_t now)
{
    /* One statement: the balance check and the insert cannot be split by a
     * concurrent writer, and UNIQUE(person_id, ref) turns a duplicate into
     * a no-op. */
    SQL(sql, "INSERT INTO points(person_id, delta, reason, ref, created_ms)"
             " SELECT CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS TEXT), CAST(?4 AS TEXT),"
             " CAST(?5 AS BIGINT) WHERE ?2 >= 0 OR"
             " (SELECT coalesce(sum(delta), 0) FROM points WHERE person_id=?1) + ?2 >= 0"
             " ON CONFLICT(person_id, ref) DO NOTHING");
    SQL(exists, "SELECT 1 FROM points WHERE person_id=? AND ref=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int64(s, 2, delta);
    store_bind_text(s, 3, reason);
    store_bind_text(s, 4, ref);
    store_bind_int64(s, 5, now);
    if (store_step_done(st, s, "points entry") == -1)
        return -1;
    if (store_changes(st) > 0)
        return 0;
    s = store_stmt(st, exists);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, ref);
    int rc = store_step(st, s);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 2 : store_fail(st, "points exists");
}

int points_award(struct store *st, int64_t person, int64_t delta, const char *reason,
                 const char *ref, int64_t now)
{
    if (delta <= 0)
        return -1;
    return points_entry(st, person, delta, reason, ref, now);
}

int points_spend(struct store *st, int64_t person, int64_t amount, const char *reason,
                 const char *ref, int64_t now)
{
    if (amount <= 0)
        return -1;
    return points_entry(st, person, -amount, reason, ref, now);
}

int64_t points_balance(struct store *st, int64_t person)
{
    SQL(sql, "SELECT coalesce(sum(delta), 0) FROM points WHERE person_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    int64_t v = -1;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    if (store_step(st, s) == SQLITE_ROW)
        v = store_col_int64(s, 0);
    else
        store_fail(st, "points balance");
    store_reset(s);
    return v;
}

static void point_entry_read(struct store_stmt *s, void *out)
{
    struct point_entry *e = out;
    e->delta = store_col_int64(s, 0);
    e->reason = store_col_text(s, 1);
    e->ref = store_col_text(s, 2);
    e->ms = store_col_int64(s, 3);
}

static void point_entry_clear(void *out)
{
    struct point_entry *e = out;
    free(e->reason);
    free(e->ref);
}

void point_entry_free_all(struct point_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, point_entry_clear);
}

int points_recent(struct store *st, int64_t person, int n, struct point_entry **v, size_t *count)
{
    SQL(sql, "SELECT delta, reason, ref, created_ms FROM points"
             " WHERE person_id=? ORDER BY id DESC LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *count = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, n);
    return store_read_all(st, s, "points recent", point_entry_read, point_entry_clear, sizeof **v,
                          (void **)v, count);
}
