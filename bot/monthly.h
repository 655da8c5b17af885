/*
 * monthly.h - the monthly report leadership reads (GET /admin/api/monthly
 * ?month=YYYY-MM): workers reached and active, lessons completed, reports by
 * category with the median time to resolve, desk tickets by kind with the
 * median time to a first answer, points issued and redeemed, seats filled.
 * SQL in store_monthly.c, the route in admin_monthly.c (docs/dashboard.md).
 */
#ifndef BOT_MONTHLY_H
#define BOT_MONTHLY_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct store;
struct admin_req;
struct http_resp;

/* "2026-11" -> the local month [*from, *to) in Unix ms (the process TZ is
 * the configured zone). 0, or -1 when not such a month. */
int monthly_range(const char *month, int64_t *from, int64_t *to);
/* Groups with a median: reports by category, tickets by desk. */
struct monthly_group {
    char *name;
    int64_t count, done, median_minutes; /* done: resolved (answered) so far */
};
struct monthly_groups {
    struct monthly_group *v;
    size_t n;
};
struct monthly_workers {
    int64_t reached, active, new_people;
};
struct monthly_lessons {
    int64_t completed, learners;
};
struct monthly_points {
    int64_t issued, spent, redemptions, redeemed, picked_up;
};
struct monthly_seats {
    int64_t courses, capacity, filled, attended;
};
struct monthly {
    int64_t from_ms, to_ms;
    struct monthly_workers workers;
    struct monthly_lessons lessons;
    struct monthly_points points;
    struct monthly_seats seats;
    struct monthly_groups reports_by_category, tickets_by_kind;
    int64_t observer_reports;
};
/* Every figure of the month [from, to) into *m: 0 (clear with
 * monthly_clear), -1. */
int store_monthly(struct store *st, int64_t from, int64_t to, struct monthly *m);
void monthly_clear(struct monthly *m);
/* The admin API's JSON of it (new reference): {"workers":{"reached",
 * "active","new"},"lessons":{"completed","learners"},"points":{"issued",
 * "spent","redemptions","redeemed","picked_up"},"seats":{"courses",
 * "capacity","filled","attended"},"reports_by_category":[{"category","count",
 * "done","median_minutes"}],"observer_reports","tickets_by_kind":[{"kind",
 * ...}],"from_ms","to_ms"}. */
json_t *monthly_json(const struct monthly *m);
/* The median of n sorted values (0 when n is 0). */
int64_t monthly_median(const int64_t *v, size_t n);

int admin_monthly_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
