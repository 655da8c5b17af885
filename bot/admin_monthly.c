/*
 * admin_monthly.c - GET /admin/api/monthly?month=YYYY-MM (monthly.h); the
 * current local month when month is absent.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "channel.h"
#include "monthly.h"

static json_t *groups_json(const struct monthly_groups *g, const char *name_key)
{
    json_t *a = json_array();
    for (size_t i = 0; i < g->n; i++)
        json_array_append_new(
            a, json_pack("{s:s,s:I,s:I,s:I}", name_key, g->v[i].name ? g->v[i].name : "", "count",
                         (json_int_t)g->v[i].count, "done", (json_int_t)g->v[i].done,
                         "median_minutes", (json_int_t)g->v[i].median_minutes));
    return a;
}

json_t *monthly_json(const struct monthly *m)
{
    return json_pack(
        "{s:{s:I,s:I,s:I},s:{s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I},s:o,s:I,s:o,"
        "s:I,s:I}",
        "workers", "reached", (json_int_t)m->workers.reached, "active",
        (json_int_t)m->workers.active, "new", (json_int_t)m->workers.new_people, "lessons",
        "completed", (json_int_t)m->lessons.completed, "learners", (json_int_t)m->lessons.learners,
        "points", "issued", (json_int_t)m->points.issued, "spent", (json_int_t)m->points.spent,
        "redemptions", (json_int_t)m->points.redemptions, "redeemed",
        (json_int_t)m->points.redeemed, "picked_up", (json_int_t)m->points.picked_up, "seats",
        "courses", (json_int_t)m->seats.courses, "capacity", (json_int_t)m->seats.capacity,
        "filled", (json_int_t)m->seats.filled, "attended", (json_int_t)m->seats.attended,
        "reports_by_category", groups_json(&m->reports_by_category, "category"), "observer_reports",
        (json_int_t)m->observer_reports, "tickets_by_kind",
        groups_json(&m->tickets_by_kind, "kind"), "from_ms", (json_int_t)m->from_ms, "to_ms",
        (json_int_t)m->to_ms);
}

int admin_monthly_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    (void)app;
    if (nseg != 1 || strcmp(seg[0], "monthly") != 0)
        return 0;
    char cur[16];
    const char *month = json_string_value(json_object_get(rq->query, "month"));
    if (month == NULL) {
        time_t t = (time_t)(now / 1000);
        struct tm tm;
        if (localtime_r(&t, &tm) == NULL || strftime(cur, sizeof cur, "%Y-%m", &tm) == 0)
            return -1;
        month = cur;
    }
    int64_t from, to;
    if (monthly_range(month, &from, &to) == -1) {
        http_resp_error(resp, 400, "'month' must be YYYY-MM");
        return 1;
    }
    struct monthly m;
    if (store_monthly(st, from, to, &m) == -1)
        return -1;
    json_t *o = monthly_json(&m);
    monthly_clear(&m);
    json_object_set_new(o, "month", json_string(month));
    admin_reply(resp, 200, o);
    return 1;
}
