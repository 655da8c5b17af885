/*
 * admin_lesson.c - /admin/api/lessons: every lesson with its completion and
 * right-answer rates, and POST /admin/api/lessons/<id>/broadcast, which sends
 * a lesson to an audience like a broadcast and opens its question for each
 * recipient.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "channel.h"
#include "conf.h"
#include "handler.h"
#include "lesson.h"
#include "outbox.h"
#include "util.h"

static double rate(json_int_t part, json_int_t whole)
{
    return whole > 0 ? (double)part / (double)whole : 0.0;
}

/* GET /lessons: completion = done / shown, right = right at the first answer / answered. */
static int lessons_list(const struct app *app, struct store *st, struct http_resp *resp)
{
    struct lesson_total *totals;
    size_t ntotals;
    if (store_lesson_totals(st, &totals, &ntotals) == -1)
        return -1;
    json_t *items = json_array();
    for (size_t i = 0; i < lesson_count(app->lessons); i++) {
        const struct lesson *l = lesson_at(app->lessons, i);
        struct lesson_total t = {0};
        for (size_t k = 0; k < ntotals; k++)
            if (totals[k].lesson_id == l->id)
                t = totals[k];
        json_int_t shown = t.shown, answered = t.answered, done = t.done, first = t.first_right;
        char *sms = lesson_text(app, l, false, true);
        int parts = sms_parts(sms, NULL, NULL);
        free(sms);
        json_t *o = json_pack("{s:i,s:s,s:s,s:s,s:i,s:i,s:I,s:I,s:I,s:I,s:f,s:f}", "id", l->id,
                              "title", l->title, "topic", l->topic, "file", l->file, "points",
                              l->points, "sms_parts", parts, "shown", shown, "answered", answered,
                              "done", done, "first_right", first, "completion_rate",
                              rate(done, shown), "right_rate", rate(first, answered));
        if (o != NULL && l->link != NULL)
            json_object_set_new(o, "link", json_string(l->link));
        if (o != NULL && l->cover != NULL)
            json_object_set_new(o, "cover", json_string(l->cover));
        json_array_append_new(items, o);
    }
    free(totals);
    admin_reply(resp, 200, json_pack("{s:o}", "items", items));
    return 0;
}

/*
 * POST /lessons/<id>/broadcast {"audience"?, "at"?, "spread_minutes"?,
 * "max_parts"?, "preview"?}: the lesson as a bulk broadcast (the body of
 * POST /broadcasts without "text"; admin_broadcast_plan). A lesson is longer
 * than most broadcasts, so max_parts is only enforced when the audience has
 * SMS recipients.
 */
static int lesson_broadcast(const struct app *app, struct store *st, int64_t now,
                            const struct admin_req *rq, const struct lesson *l,
                            struct http_resp *resp)
{
    const struct conf *c = app->conf;
    struct bc_plan p = {0};
    char why[200], url[64];
    char *extra = NULL;
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    char *text = lesson_text(app, l, true, true); /* the link in the text: SMS sends only that */
    int rc = admin_broadcast_plan(app, st, now, b, text, true, &p, resp);
    if (rc != 1)
        goto out;
    rc = 0;
    if (p.over_cap) {
        snprintf(why, sizeof why,
                 "lesson %d needs %d SMS parts and %lld recipients use SMS; allow it with "
                 "max_parts",
                 l->id, p.parts, (long long)p.sms);
        http_resp_error(resp, 400, why);
        goto out;
    }
    json_t *ex = lesson_extra(app, l); /* WeChat's article, Telegram's preview */
    extra = ex ? json_dumps(ex, JSON_COMPACT) : NULL;
    json_decref(ex);
    int64_t id = 0, n = 0;
    if (store_broadcast_create(st, text, p.audience, p.at, p.first_at,
                               p.first_at > p.start ? "held" : "queued", p.spread, p.parts, now,
                               &id, &n) == -1 ||
        (extra != NULL && store_broadcast_set_extra(st, id, extra) == -1) ||
        store_lesson_broadcast_mark(st, id, l->id, p.first_at + p.spread + c->state_ttl * 1000,
                                    now) == -1) {
        rc = -1;
        goto out;
    }
    snprintf(url, sizeof url, "/admin/api/broadcasts/%lld", (long long)id);
    admin_reply(resp, 202,
                json_pack("{s:I,s:i,s:I,s:i,s:I,s:I,s:s}", "id", (json_int_t)id, "lesson", l->id,
                          "recipients", (json_int_t)n, "sms_parts", p.parts, "sms_total",
                          (json_int_t)(p.sms * p.parts), "first_at", (json_int_t)p.first_at,
                          "status_url", url));
out:
    bc_plan_release(&p);
    json_decref(b);
    free(text);
    free(extra);
    return rc;
}

int admin_lessons(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                  char **seg, int nseg, struct http_resp *resp)
{
    int64_t id;
    if (nseg < 1 || strcmp(seg[0], "lessons") != 0)
        return 0;
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    if (nseg == 1) {
        if (get)
            return lessons_list(app, st, resp) == -1 ? -1 : 1;
        http_resp_error(resp, 405, "method not allowed: use GET");
        return 1;
    }
    if (nseg == 3 && strcmp(seg[2], "broadcast") == 0) {
        if (!post) {
            http_resp_error(resp, 405, "method not allowed: use POST");
            return 1;
        }
        const struct lesson *l = admin_parse_id(seg[1], &id) == 0 && id <= 100000
                                     ? lesson_find(app->lessons, (int)id)
                                     : NULL;
        if (l == NULL) {
            http_resp_error(resp, 404, "no such lesson");
            return 1;
        }
        return lesson_broadcast(app, st, now, rq, l, resp) == -1 ? -1 : 1;
    }
    return 0;
}
