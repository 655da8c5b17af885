/*
 * handle_privacy.c - the privacy commands of the bot (隐私, 我的信息,
 * 删除我的信息 / 注销 with its confirmation), the first-contact notice, and
 * the super admin's export and erasure routes. privacy.h says what each does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "channel.h"
#include "conf.h"
#include "feature.h"
#include "handler.h"
#include "privacy.h"
#include "util.h"

#define REASON_MAX 500

static const struct content_need privacy_needs[] = {
    CONTENT_NEED("privacy.notice", ""),
    CONTENT_NEED("privacy.policy", "messages_days photos_days desk_days crisis_days"),
    CONTENT_NEED("privacy.mine",
                 "name channels points bookings reports tickets messages"),
    CONTENT_NEED("privacy.erase.ask", "word"),
    CONTENT_NEED("privacy.erase.done", ""),
    CONTENT_NEED("privacy.erase.nothing", ""),
    CONTENT_NEED_END,
};

/* The word a worker types to confirm erasure; intents/70-privacy.rules matches it. */
#define ERASE_WORD "确认删除"
#define ERASE_STATE "privacy.erase"

static int handle_privacy(struct turn *t)
{
    const struct conf *c = t->app->conf;
    char m[24], p[24], d[24], k[24];
    snprintf(m, sizeof m, "%lld", c->retention.messages_days);
    snprintf(p, sizeof p, "%lld", c->retention.photos_days);
    snprintf(d, sizeof d, "%lld", c->retention.desk_days);
    snprintf(k, sizeof k, "%lld", c->retention.crisis_days);
    return say(t, "privacy.policy", "messages_days", m, "photos_days", p, "desk_days", d,
               "crisis_days", k, NULL);
}

static int handle_privacy_mine(struct turn *t)
{
    struct privacy_summary s = {0};
    int64_t account;
    if (store_privacy_account(t->st, t->person, &account) != 1 ||
        store_privacy_summary(t->st, account, &s) == -1)
        return -1;
    char n[6][24];
    const int64_t v[6] = {s.channels, s.points, s.bookings, s.reports, s.tickets, s.messages};
    for (int i = 0; i < 6; i++)
        snprintf(n[i], sizeof n[i], "%lld", (long long)v[i]);
    int rc = say(t, "privacy.mine", "name", s.name ? s.name : "-", "channels", n[0], "points",
                 n[1], "bookings", n[2], "reports", n[3], "tickets", n[4], "messages", n[5],
                 NULL);
    free(s.name);
    return rc;
}

static int handle_privacy_erase(struct turn *t)
{
    if (turn_state_set(t, ERASE_STATE, "1") == -1)
        return -1;
    return say(t, "privacy.erase.ask", "word", ERASE_WORD, NULL);
}

static int handle_privacy_erase_confirm(struct turn *t)
{
    char *pending = NULL;
    int rc = turn_state_get(t, ERASE_STATE, &pending);
    free(pending);
    if (rc == -1)
        return -1;
    if (rc == 0)
        return say(t, "privacy.erase.nothing", NULL);
    if (privacy_erase(t->app, t->st, t->person, t->now, "the person, in the bot", NULL) != 1)
        return -1;
    return say(t, "privacy.erase.done", NULL);
}

int privacy_first_contact(struct turn *t, bool first)
{
    if (!first || !t->app->conf->privacy_notice || json_array_size(t->replies) == 0)
        return 0; /* nothing said (an unfollow, a platform event): nothing to put first */
    char *text = content_render(t->app->ct, "privacy.notice", NULL);
    json_t *o = json_pack("{s:s}", "text", text ? text : "");
    free(text);
    return o != NULL && json_array_insert_new(t->replies, 0, o) == 0 ? 0 : -1;
}

static json_t *export_value_json(const struct export_col *col, const struct export_value *v)
{
    if (v->null)
        return json_null();
    switch (col->type) {
    case EXPORT_INT:
        return json_integer(v->i);
    case EXPORT_REAL:
        return json_real(v->r);
    default:
        return json_string(v->text ? v->text : "");
    }
}

json_t *privacy_export_json(const struct privacy_export *e)
{
    json_t *o = json_pack("{s:I}", "person", (json_int_t)e->person);
    for (size_t p = 0; p < EXPORT_PARTS; p++) {
        const struct export_part *part = &e->parts[p];
        json_t *rows = json_array();
        for (size_t r = 0; r < part->nrows; r++) {
            json_t *row = json_object();
            for (size_t c = 0; c < part->ncols; c++)
                json_object_set_new(row, part->cols[c].name,
                                    export_value_json(&part->cols[c],
                                                      &part->values[r * part->ncols + c]));
            json_array_append_new(rows, row);
        }
        json_object_set_new(o, part->name, rows);
    }
    return o;
}

/* GET /people/<id>/export: everything kept about the person's account. */
static int people_export(struct store *st, int64_t id, struct http_resp *resp)
{
    int64_t account;
    int found = store_privacy_account(st, id, &account);
    if (found != 1) {
        if (found == 0)
            http_resp_error(resp, 404, "no such person (or erased)");
        return found;
    }
    struct privacy_export e;
    if (store_privacy_export(st, account, &e) == -1)
        return -1;
    admin_reply(resp, 200, privacy_export_json(&e));
    privacy_export_clear(&e);
    return 1;
}

/* POST /people/<id>/erase {"reason": "..."}: a request by phone or letter. */
static int people_erase(const struct app *app, struct store *st, int64_t now, int64_t id,
                        const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 1;
    const char *reason = json_string_value(json_object_get(b, "reason"));
    int rc = 1;
    if (reason == NULL || reason[0] == '\0' || strlen(reason) > REASON_MAX) {
        http_resp_error(resp, 400, "'reason' must be a text of 1 to 500 bytes (who asked, how)");
        goto out;
    }
    rc = privacy_erase(app, st, id, now, rq->role ? rq->role : ADMIN_ROLE_SUPER, reason);
    if (rc == 0) {
        http_resp_error(resp, 404, "no such person (or erased)");
        rc = 1;
    } else if (rc == 1)
        admin_reply(resp, 200, json_pack("{s:I}", "erased", (json_int_t)id));
out:
    json_decref(b);
    return rc;
}

int admin_privacy_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    int64_t id;
    if (nseg != 3 || strcmp(seg[0], "people") != 0 ||
        (strcmp(seg[2], "export") != 0 && strcmp(seg[2], "erase") != 0))
        return 0;
    bool erase = strcmp(seg[2], "erase") == 0;
    if (strcmp(rq->method, erase ? "POST" : "GET") != 0) {
        http_resp_error(resp, 405, erase ? "method not allowed: use POST"
                                         : "method not allowed: use GET");
        return 1;
    }
    if (rq->role != NULL && strcmp(rq->role, ADMIN_ROLE_SUPER) != 0) {
        http_resp_error(resp, 403, "only the super admin reads or erases a person's data");
        return 1;
    }
    if (admin_parse_id(seg[1], &id) == -1) {
        http_resp_error(resp, 400, "bad person id");
        return 1;
    }
    return erase ? people_erase(app, st, now, id, rq, resp) : people_export(st, id, resp);
}

const struct feature feature_privacy = {
    .name = "privacy",
    .intents = (const struct handler[]){
        {"privacy", handle_privacy, false},
        {"privacy.mine", handle_privacy_mine, false},
        {"privacy.erase", handle_privacy_erase, false},
        {"privacy.erase.confirm", handle_privacy_erase_confirm, false},
        {NULL, NULL, false},
    },
    .tick = privacy_tick, /* retention, once a day */
    .needs = {privacy_needs},
    .routes = {admin_privacy_route},
};
