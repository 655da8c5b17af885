/*
 * store_monthly.c - the SQL of the monthly report (monthly.h). Times are
 * those of the month's rows: a report or ticket belongs to the month it was
 * opened in; medians are over those of them resolved (answered) so far.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "monthly.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

int monthly_range(const char *month, int64_t *from, int64_t *to)
{
    long long y, m;
    char ys[5], ms[3];
    if (month == NULL || strlen(month) != 7 || month[4] != '-')
        return -1;
    memcpy(ys, month, 4);
    ys[4] = '\0';
    memcpy(ms, month + 5, 2);
    ms[2] = '\0';
    if (parse_int(ys, 2000, 2200, &y) == -1 || parse_int(ms, 1, 12, &m) == -1)
        return -1;
    struct tm a = {.tm_year = (int)y - 1900, .tm_mon = (int)m - 1, .tm_mday = 1, .tm_isdst = -1};
    struct tm b = {.tm_year = (int)y - 1900, .tm_mon = (int)m, .tm_mday = 1, .tm_isdst = -1};
    time_t ta = mktime(&a), tb = mktime(&b); /* mktime carries month 12 into the next year */
    if (ta == (time_t)-1 || tb == (time_t)-1)
        return -1;
    *from = (int64_t)ta * 1000;
    *to = (int64_t)tb * 1000;
    return 0;
}

int64_t monthly_median(const int64_t *v, size_t n)
{
    if (n == 0)
        return 0;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Bind ?1 from and ?2 to, step the one row into an object of named integer
 * columns. NULL on error. */
static json_t *counts(struct store *st, const struct store_sql *sql, int64_t from, int64_t to,
                      const char *what)
{
    struct store_stmt *s = store_stmt(st, sql);
    int found = 0;
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, from);
    store_bind_int64(s, 2, to);
    json_t *o = store_one_row(st, s, what, &found);
    if (o == NULL && found == 0)
        store_fail(st, what);
    return o;
}

/*
 * Groups with a median: sql selects (group name, duration ms or NULL) ordered
 * by group then duration. Each group gets {name_key: name, "count", "done",
 * "median_minutes"} (done: rows with a duration). NULL on error.
 */
static json_t *groups(struct store *st, const struct store_sql *sql, int64_t from, int64_t to,
                      const char *name_key, const char *what)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return NULL;
    store_bind_int64(s, 1, from);
    store_bind_int64(s, 2, to);
    json_t *out = json_array();
    int64_t *d = NULL;
    size_t nd = 0, cap = 0, count = 0;
    char *cur = NULL;
    int rc;
    for (;;) {
        rc = store_step(st, s);
        const char *g = rc == SQLITE_ROW ? store_col_str(s, 0) : NULL;
        if (g == NULL)
            g = "";
        if (cur != NULL && (rc != SQLITE_ROW || strcmp(g, cur) != 0)) {
            json_array_append_new(out, json_pack("{s:s,s:I,s:I,s:I}", name_key, cur, "count",
                                                 (json_int_t)count, "done", (json_int_t)nd,
                                                 "median_minutes",
                                                 (json_int_t)(monthly_median(d, nd) / 60000)));
            free(cur);
            cur = NULL;
            nd = count = 0;
        }
        if (rc != SQLITE_ROW)
            break;
        if (cur == NULL)
            cur = xstrdup(g);
        count++;
        if (store_col_type(s, 1) != SQLITE_NULL) {
            if (nd == cap) {
                cap = cap ? 2 * cap : 16;
                d = xrealloc(d, cap * sizeof *d);
            }
            d[nd++] = store_col_int64(s, 1);
        }
    }
    store_reset(s);
    free(d);
    free(cur);
    if (rc != SQLITE_DONE) {
        json_decref(out);
        store_fail(st, what);
        return NULL;
    }
    return out;
}

json_t *store_monthly(struct store *st, int64_t from, int64_t to)
{
    SQL(workers,
        "SELECT (SELECT count(DISTINCT person_id) FROM (SELECT person_id FROM inbound"
        " WHERE created_ms>=?1 AND created_ms<?2 UNION ALL SELECT person_id FROM outbox"
        " WHERE status='sent' AND sent_ms>=?1 AND sent_ms<?2) AS u) AS reached,"
        " (SELECT count(DISTINCT person_id) FROM inbound WHERE created_ms>=?1 AND created_ms<?2)"
        " AS active, (SELECT count(*) FROM people WHERE created_ms>=?1 AND created_ms<?2) AS new");
    SQL(lessons, "SELECT count(*) AS completed, count(DISTINCT person_id) AS learners"
                 " FROM lesson_progress WHERE done_ms>=?1 AND done_ms<?2");
    SQL(points,
        "SELECT (SELECT coalesce(sum(delta), 0) FROM points WHERE delta>0 AND created_ms>=?1"
        " AND created_ms<?2) AS issued, (SELECT coalesce(-sum(delta), 0) FROM points"
        " WHERE delta<0 AND created_ms>=?1 AND created_ms<?2) AS spent,"
        " (SELECT count(*) FROM redemptions WHERE created_ms>=?1 AND created_ms<?2)"
        " AS redemptions, (SELECT coalesce(sum(cost), 0) FROM redemptions WHERE created_ms>=?1"
        " AND created_ms<?2) AS redeemed, (SELECT count(*) FROM redemptions"
        " WHERE handed_ms>=?1 AND handed_ms<?2) AS picked_up");
    SQL(seats,
        "SELECT count(DISTINCT c.id) AS courses, (SELECT coalesce(sum(capacity), 0) FROM courses"
        " WHERE start_ms>=?1 AND start_ms<?2 AND cancelled_ms IS NULL) AS capacity,"
        " count(b.id) AS filled, count(b.attended_ms) AS attended FROM courses c"
        " LEFT JOIN bookings b ON b.course_id=c.id AND b.status='seat'"
        " WHERE c.start_ms>=?1 AND c.start_ms<?2 AND c.cancelled_ms IS NULL");
    SQL(reports, "SELECT coalesce(c.name, '未分类'), r.resolved_ms-r.created_ms FROM reports r"
                 " LEFT JOIN report_categories c ON c.id=r.category_id"
                 " WHERE r.created_ms>=?1 AND r.created_ms<?2 AND r.status<>'merged'"
                 " ORDER BY 1, 2");
    SQL(observers, "SELECT count(*) AS reports FROM reports r JOIN people p ON p.id=r.person_id"
                   " WHERE r.created_ms>=?1 AND r.created_ms<?2 AND p.observer_ms IS NOT NULL"
                   " AND r.status<>'merged'");
    SQL(tickets, "SELECT desk, answered_ms-created_ms FROM desk_tickets"
                 " WHERE created_ms>=?1 AND created_ms<?2 ORDER BY 1, 2");
    json_t *o = json_object();
    json_t *parts[] = {counts(st, workers, from, to, "monthly workers"),
                       counts(st, lessons, from, to, "monthly lessons"),
                       counts(st, points, from, to, "monthly points"),
                       counts(st, seats, from, to, "monthly seats"),
                       groups(st, reports, from, to, "category", "monthly reports"),
                       counts(st, observers, from, to, "monthly observers"),
                       groups(st, tickets, from, to, "kind", "monthly tickets")};
    static const char *const keys[] = {
        "workers",          "lessons",        "points", "seats", "reports_by_category",
        "observer_reports", "tickets_by_kind"};
    bool ok = true;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        ok &= parts[i] != NULL;
        if (parts[i] != NULL)
            json_object_set_new(o, keys[i], parts[i]);
    }
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    /* observer_reports: the one count, not an object */
    json_object_set(o, "observer_reports",
                    json_object_get(json_object_get(o, "observer_reports"), "reports"));
    json_object_set_new(o, "from_ms", json_integer(from));
    json_object_set_new(o, "to_ms", json_integer(to));
    return o;
}
