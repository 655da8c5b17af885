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
#include <stdint.h>

struct app;
struct store;
struct admin_req;
struct http_resp;

/* "2026-11" -> the local month [*from, *to) in Unix ms (the process TZ is
 * the configured zone). 0, or -1 when not such a month. */
int monthly_range(const char *month, int64_t *from, int64_t *to);
/* Every figure of the month [from, to); NULL on error. */
json_t *store_monthly(struct store *st, int64_t from, int64_t to);
/* The median of n sorted values (0 when n is 0). */
int64_t monthly_median(const int64_t *v, size_t n);

int admin_monthly_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
