/*
 * store_stats.c - the dashboard's SQL: daily counts over local days, the
 * figures of "today at a glance", recent broadcasts, course owners and the
 * role points credits counted against each role's monthly budget.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashboard.h"
#include "store.h"
#include "store_int.h"

static void day_read(struct store_stmt *s, void *out)
{
    struct stats_day *d = out;
    const char *day = store_col_str(s, 0);
    snprintf(d->day, sizeof d->day, "%s", day ? day : "");
    d->count = store_col_int64(s, 1);
}

/* The process TZ is the configured zone (main.c), which 'localtime' uses. */
#define DAY(col) "date(" col "/1000, 'unixepoch', 'localtime')"

int stats_daily(struct store *st, const char *what, int64_t since_ms, struct stats_day **v,
                size_t *n)
{
    SQL(messages, "SELECT " DAY("created_ms") " AS d, count(*) FROM inbound"
                                              " WHERE created_ms>=? GROUP BY d");
    SQL(people, "SELECT " DAY("created_ms") " AS d, count(*) FROM people"
                                            " WHERE created_ms>=? GROUP BY d");
    SQL(pushes, "SELECT " DAY("sent_ms") " AS d, count(*) FROM outbox"
                                         " WHERE sent_ms>=? AND status='sent' GROUP BY d");
    SQL(bookings, "SELECT " DAY("created_ms") " AS d, count(*) FROM bookings"
                                              " WHERE created_ms>=? GROUP BY d");
    const struct store_sql *sql = strcmp(what, "messages") == 0   ? messages
                                  : strcmp(what, "people") == 0   ? people
                                  : strcmp(what, "pushes") == 0   ? pushes
                                  : strcmp(what, "bookings") == 0 ? bookings
                                                                  : NULL;
    *v = NULL;
    *n = 0;
    struct store_stmt *s = sql ? store_stmt(st, sql) : NULL;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, since_ms);
    return store_read_all(st, s, what, day_read, NULL, sizeof **v, (void **)v, n);
}

/* One integer from a statement already bound; -1 on error. */
static int64_t one_int(struct store *st, struct store_stmt *s, const char *what)
{
    int64_t v = -1;
    if (store_step(st, s) == SQLITE_ROW)
        v = store_col_int64(s, 0);
    else
        store_fail(st, what);
    store_reset(s);
    return v;
}

int stats_now(struct store *st, int64_t now, const char *owner, struct stats_figures *out)
{
    SQL(seats, "SELECT count(*) FROM bookings b JOIN courses c ON c.id=b.course_id"
               " WHERE b.status='seat' AND c.end_ms>?1 AND c.cancelled_ms IS NULL"
               " AND (CAST(?2 AS TEXT) IS NULL OR c.owner=?2)");
    SQL(going, "SELECT count(DISTINCT broadcast_id) FROM outbox"
               " WHERE broadcast_id IS NOT NULL"
               " AND status IN ('queued','held','sending','merged')");
    SQL(waiting, "SELECT count(*) FROM outbox WHERE status IN ('queued','held','sending')");
    SQL(unknown, "SELECT count(*) FROM unknown");
    int64_t v[4];
    struct store_stmt *s = store_stmt(st, seats);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    if (owner != NULL)
        store_bind_text(s, 2, owner);
    v[0] = one_int(st, s, "stats seats");
    const struct store_sql *const rest[] = {going, waiting, unknown};
    for (int i = 0; i < 3; i++) {
        s = store_stmt(st, rest[i]);
        v[i + 1] = s ? one_int(st, s, "stats now") : -1;
    }
    for (int i = 0; i < 4; i++)
        if (v[i] < 0)
            return -1;
    *out = (struct stats_figures){v[0], v[1], v[2], v[3]};
    return 0;
}

static void broadcast_read(struct store_stmt *s, void *out)
{
    struct stats_broadcast *b = out;
    b->id = store_col_int64(s, 0);
    b->text = store_col_text(s, 1);
    b->audience = store_col_text(s, 2);
    b->at_ms = store_col_int64(s, 3);
    b->recipients = store_col_int64(s, 4);
    b->sms_parts = store_col_int64(s, 5);
    b->created_ms = store_col_int64(s, 6);
    b->cancelled = store_col_type(s, 7) != SQLITE_NULL;
    b->cancelled_ms = store_col_int64(s, 7);
}

static void broadcast_clear(void *out)
{
    struct stats_broadcast *b = out;
    free(b->text);
    free(b->audience);
}

void stats_broadcast_free_all(struct stats_broadcast *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, broadcast_clear);
}

int stats_broadcasts(struct store *st, int limit, struct stats_broadcast **v, size_t *n)
{
    SQL(sql, "SELECT id, text, audience, at_ms, recipients, sms_parts,"
             " created_ms, cancelled_ms FROM broadcasts ORDER BY id DESC LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, limit);
    return store_read_all(st, s, "stats broadcasts", broadcast_read, broadcast_clear, sizeof **v,
                          (void **)v, n);
}

int stats_course_owner(struct store *st, int64_t id, char out[8])
{
    SQL(sql, "SELECT owner FROM courses WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        snprintf(out, 8, "%s", store_col_str(s, 0));
    store_reset(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : store_fail(st, "course owner");
}

int stats_course_set_owner(struct store *st, int64_t id, const char *owner)
{
    SQL(sql, "UPDATE courses SET owner=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, owner);
    store_bind_int64(s, 2, id);
    return store_step_done(st, s, "course set owner");
}

int64_t stats_credits_sum(struct store *st, const char *role, int64_t since_ms)
{
    SQL(sql, "SELECT coalesce(sum(delta), 0) FROM admin_credits"
             " WHERE role=? AND created_ms>=? AND delta>0");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, role);
    store_bind_int64(s, 2, since_ms);
    return one_int(st, s, "credits sum");
}

int stats_credits_add(struct store *st, const char *role, int64_t person, int64_t delta,
                      const char *ref, int64_t now)
{
    SQL(sql,
        "INSERT INTO admin_credits(role, person_id, delta, ref, created_ms) VALUES(?,?,?,?,?)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, role);
    store_bind_int64(s, 2, person);
    store_bind_int64(s, 3, delta);
    store_bind_text(s, 4, ref);
    store_bind_int64(s, 5, now);
    return store_step_done(st, s, "credits add");
}

int stats_points_ref_exists(struct store *st, int64_t person, const char *ref)
{
    SQL(sql, "SELECT count(*) FROM points WHERE person_id=? AND ref=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, ref);
    int64_t n = one_int(st, s, "points ref");
    return n < 0 ? -1 : n > 0;
}
