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
    json_t *o = store_monthly(st, from, to);
    if (o == NULL)
        return -1;
    json_object_set_new(o, "month", json_string(month));
    admin_reply(resp, 200, o);
    return 1;
}
