/*
 * handle_report_route.c - the worker's side of 随手拍 routing (routing.h):
 * after a new report, a numbered question of the office's categories, which
 * the report's context (feature_report's claim "report") takes as a step
 * when a bare number comes back; and a report's district from its position.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "content.h"
#include "geo.h"
#include "handler.h"
#include "log.h"
#include "msg.h"
#include "report.h"
#include "routing.h"
#include "store.h"
#include "util.h"

#define CAT_KEY "report.cat" /* state: the report waiting for its category */

const struct content_need report_route_needs[] = {
    CONTENT_NEED("report.category_ask", "code items"),
    CONTENT_NEED("report.category_item", "n name"),
    CONTENT_NEED("report.category_set", "code category"),
    CONTENT_NEED("report.category_bad", "max"),
    CONTENT_NEED_END,
};

int report_placed(const struct app *app, struct store *st, int64_t id, int64_t now)
{
    struct report r;
    if (report_flag_nearby(app, st, id, now) == -1)
        return -1;
    int f = store_report_get(st, id, &r);
    if (f != 1)
        return f;
    int rc = 0;
    struct report_routing o;
    int found = store_report_routing(st, id, &o);
    const char *name = r.has_pos ? geo_district(app->districts, r.lat, r.lon) : NULL;
    if (found != 1)
        rc = -1;
    else if (name != NULL && o.district == NULL)
        rc = store_report_set_district(st, id, name, now) == 0 ? 0 : -1;
    report_routing_clear(&o);
    report_release(&r);
    return rc;
}

int report_ask_category(struct turn *t, int64_t id)
{
    struct category *cats;
    size_t ncats;
    struct buf items;
    int rc = -1;
    if (store_category_list(t->st, true, &cats, &ncats) == -1)
        return -1;
    if (ncats == 0) /* the office disabled them all: nothing to ask */
        return 0;
    buf_init(&items, 0);
    for (size_t i = 0; i < ncats; i++) {
        char n[24];
        snprintf(n, sizeof n, "%zu", i + 1);
        const char *kv[] = {"n", n, "name", cats[i].name, NULL};
        char *line = content_render(t->app->ct, "report.category_item", kv);
        buf_printf(&items, "%s%s", i ? "\n" : "", line);
        free(line);
    }
    char code[REPORT_CODE_MAX], v[24];
    report_code_fmt(id, code);
    snprintf(v, sizeof v, "%lld", (long long)id);
    /* the bare number that follows is for this question, not an older menu */
    if (turn_state_del(t, "menu") == 0 && turn_state_del(t, "turn.choice") == 0 &&
        store_state_set(t->st, t->person, CAT_KEY, v,
                        t->now + t->app->conf->report.caption_wait * 1000) == 0)
        rc = say(t, "report.category_ask", "code", code, "items", items.data ? items.data : "",
                 NULL);
    buf_release(&items);
    category_free_all(cats, ncats);
    return rc;
}

static bool all_digits(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 4)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

int report_category_claim(struct turn *t)
{
    int64_t id;
    if (t->in->nmedia > 0 || t->in->has_location || !all_digits(t->text))
        return 0;
    return report_state(t, CAT_KEY, &id);
}

int report_category_take(struct turn *t)
{
    int64_t id = 0, cid = 0;
    char name[ROUTING_NAME_MAX], code[REPORT_CODE_MAX];
    int w = report_category_claim(t) == 1 ? report_state(t, CAT_KEY, &id) : 0;
    if (w != 1)
        return w;
    int f = store_category_nth(t->st, atoi(t->text), &cid, name);
    if (f == -1)
        return -1;
    if (f == 0) {
        struct category *cats;
        size_t ncats;
        if (store_category_list(t->st, true, &cats, &ncats) == -1)
            return -1;
        char max[16];
        snprintf(max, sizeof max, "%zu", ncats);
        category_free_all(cats, ncats);
        return say(t, "report.category_bad", "max", max, NULL) == 0 ? 1 : -1;
    }
    report_code_fmt(id, code);
    if (store_report_set_category(t->st, id, cid, t->now) == -1 ||
        store_state_del(t->st, t->person, CAT_KEY) == -1)
        return -1;
    log_info("report: %s category %s", code, name);
    return say(t, "report.category_set", "code", code, "category", name, NULL) == 0 ? 1 : -1;
}
