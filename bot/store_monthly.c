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

/* Bind ?1 from and ?2 to, and read the one row's first n integer columns
 * into v. 0 or -1. */
static int counts(struct store *st, const struct store_sql *sql, int64_t from, int64_t to,
                  const char *what, int64_t *v, int n)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, from);
    store_bind_int64(s, 2, to);
    int rc = store_step(st, s);
    for (int i = 0; rc == SQLITE_ROW && i < n; i++)
        v[i] = store_col_int64(s, i);
    store_reset(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, what);
}

/* A finished group appended to *g (its name taken). */
static void group_add(struct monthly_groups *g, char *name, size_t count, const int64_t *d,
                      size_t nd)
{
    g->v = xrealloc(g->v, (g->n + 1) * sizeof *g->v);
    g->v[g->n++] =
        (struct monthly_group){name, (int64_t)count, (int64_t)nd, monthly_median(d, nd) / 60000};
}

/*
 * Groups with a median: sql selects (group name, duration ms or NULL) ordered
 * by group then duration. Each group gets its count, done (rows with a
 * duration) and median minutes. 0 or -1.
 */
static int groups(struct store *st, const struct store_sql *sql, int64_t from, int64_t to,
                  const char *what, struct monthly_groups *out)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, from);
    store_bind_int64(s, 2, to);
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
            group_add(out, cur, count, d, nd);
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
    return rc == SQLITE_DONE ? 0 : store_fail(st, what);
}

static void groups_clear(struct monthly_groups *g)
{
    for (size_t i = 0; i < g->n; i++)
        free(g->v[i].name);
    free(g->v);
    g->v = NULL;
    g->n = 0;
}

void monthly_clear(struct monthly *m)
{
    groups_clear(&m->reports_by_category);
    groups_clear(&m->tickets_by_kind);
}

int store_monthly(struct store *st, int64_t from, int64_t to, struct monthly *m)
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
    memset(m, 0, sizeof *m);
    m->from_ms = from;
    m->to_ms = to;
    int64_t w[3], l[2], p[5], s[4];
    if (counts(st, workers, from, to, "monthly workers", w, 3) == -1 ||
        counts(st, lessons, from, to, "monthly lessons", l, 2) == -1 ||
        counts(st, points, from, to, "monthly points", p, 5) == -1 ||
        counts(st, seats, from, to, "monthly seats", s, 4) == -1 ||
        groups(st, reports, from, to, "monthly reports", &m->reports_by_category) == -1 ||
        counts(st, observers, from, to, "monthly observers", &m->observer_reports, 1) == -1 ||
        groups(st, tickets, from, to, "monthly tickets", &m->tickets_by_kind) == -1) {
        monthly_clear(m);
        return -1;
    }
    m->workers = (struct monthly_workers){w[0], w[1], w[2]};
    m->lessons = (struct monthly_lessons){l[0], l[1]};
    m->points = (struct monthly_points){p[0], p[1], p[2], p[3], p[4]};
    m->seats = (struct monthly_seats){s[0], s[1], s[2], s[3]};
    return 0;
}
