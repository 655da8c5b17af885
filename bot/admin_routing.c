/*
 * admin_routing.c - /admin/api/ routes of 随手拍 routing (routing.h):
 * categories (list, add, rename, disable), districts, handling bodies and
 * their routes, a report's category and district set by staff, and
 * 社区民情观察员 (observers). docs/reports.md has examples.
 */
#include <stdio.h>
#include <string.h>

#include "admin.h"
#include "channel.h"
#include "report.h"
#include "routing.h"
#include "store.h"
#include "util.h"

/* A name the office types: 1..63 bytes, no control characters. */
static bool good_name(const char *s)
{
    if (s == NULL || s[0] == '\0' || strlen(s) >= ROUTING_NAME_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* A body's code, which a report-handler account carries as its area. */
static bool good_code(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_'))
            return false;
    return true;
}

/* "active": absent -1, else 0/1; -2 when not a boolean. */
static int active_arg(json_t *b)
{
    json_t *v = json_object_get(b, "active");
    if (v == NULL)
        return -1;
    return json_is_boolean(v) ? json_is_true(v) : -2;
}

static int reply_items(struct http_resp *resp, json_t *a)
{
    if (a == NULL)
        return -1;
    admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

json_t *category_json(const struct category *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(c->id));
    json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
    json_object_set_new(o, "active", json_boolean(c->active));
    return o;
}

static int categories_get_all(struct store *st, struct http_resp *resp)
{
    struct category *v;
    size_t n;
    if (store_category_list(st, false, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, category_json(&v[i]));
    category_free_all(v, n);
    return reply_items(resp, a);
}

/* ["襄城区", ...] */
static int districts_get_all(struct store *st, struct http_resp *resp)
{
    char **v;
    size_t n;
    if (store_district_list(st, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    store_free_strings(v, n);
    return reply_items(resp, a);
}

json_t *body_json(const struct body *b)
{
    json_t *routes = json_array();
    for (size_t i = 0; i < b->nroutes; i++)
        json_array_append_new(routes, json_pack("{s:s?,s:s?}", "category", b->routes[i].category,
                                                "district", b->routes[i].district));
    return json_pack("{s:I,s:s,s:s,s:b,s:o}", "id", (json_int_t)b->id, "code",
                     b->code ? b->code : "", "name", b->name ? b->name : "", "active", b->active,
                     "routes", routes);
}

static int bodies_get_all(struct store *st, struct http_resp *resp)
{
    struct body *v;
    size_t n;
    if (store_body_list(st, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, body_json(&v[i]));
    body_free_all(v, n);
    return reply_items(resp, a);
}

json_t *observer_json(const struct observer *o)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:I}", "id", (json_int_t)o->id, "name",
                     o->name ? o->name : "", "channel", o->channel ? o->channel : "", "since_ms",
                     (json_int_t)o->since_ms, "reports", (json_int_t)o->reports);
}

static int observers_get_all(struct store *st, struct http_resp *resp)
{
    struct observer *v;
    size_t n;
    if (store_observer_list(st, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, observer_json(&v[i]));
    observer_free_all(v, n);
    return reply_items(resp, a);
}

static int answer(int rc, struct http_resp *resp, const char *what, json_t *ok)
{
    if (rc == -1) {
        json_decref(ok);
        return -1;
    }
    if (rc == ROUTING_NOT_FOUND)
        http_resp_error(resp, 404, what);
    else if (rc == ROUTING_TAKEN)
        http_resp_error(resp, 409, "that name is taken");
    else
        admin_reply(resp, 200, ok);
    if (rc != 0)
        json_decref(ok);
    return 0;
}

static int category_add(struct store *st, int64_t now, json_t *b, struct http_resp *resp)
{
    const char *name = json_string_value(json_object_get(b, "name"));
    int64_t id = 0;
    if (!good_name(name)) {
        http_resp_error(resp, 400, "want {\"name\": 1..63 bytes, no control characters}");
        return 0;
    }
    int rc = store_category_add(st, name, now, &id);
    if (rc == 0) {
        admin_reply(resp, 201,
                    json_pack("{s:I,s:s,s:b}", "id", (json_int_t)id, "name", name, "active", 1));
        return 0;
    }
    return answer(rc, resp, "no such category", NULL);
}

static int category_edit(struct store *st, int64_t id, json_t *b, struct http_resp *resp)
{
    json_t *nv = json_object_get(b, "name");
    const char *name = json_string_value(nv);
    int active = active_arg(b);
    if ((nv != NULL && !good_name(name)) || active == -2 || (nv == NULL && active == -1)) {
        http_resp_error(resp, 400, "want {\"name\"?: text, \"active\"?: true|false}");
        return 0;
    }
    int rc = store_category_update(st, id, name, active);
    return answer(rc, resp, "no such category",
                  json_pack("{s:I,s:b}", "id", (json_int_t)id, "changed", 1));
}

/* routes: [{"category"?: name, "district"?: name}], each name known. NULL
 * when fine, else the 400 reason. */
static const char *check_routes(struct store *st, json_t *routes, int *err)
{
    size_t i;
    json_t *r;
    *err = 0;
    if (!json_is_array(routes) || json_array_size(routes) > 200)
        return "'routes' must be an array of {\"category\"?, \"district\"?}";
    json_array_foreach(routes, i, r)
    {
        json_t *cv = json_object_get(r, "category"), *dv = json_object_get(r, "district");
        int64_t cid;
        if (!json_is_object(r) || (cv != NULL && !json_is_string(cv)) ||
            (dv != NULL && !json_is_string(dv)))
            return "each route is {\"category\"?: name, \"district\"?: name}";
        int f = cv ? store_category_find(st, json_string_value(cv), &cid) : 1;
        int g = dv ? store_district_known(st, json_string_value(dv)) : 1;
        if (f == -1 || g == -1) {
            *err = -1;
            return "";
        }
        if (f == 0)
            return "a route names an unknown or disabled category";
        if (g == 0)
            return "a route names an unknown district (GET /admin/api/districts)";
    }
    return NULL;
}

static int body_save(struct store *st, int64_t now, int64_t id, json_t *b, struct http_resp *resp)
{
    const char *code = json_string_value(json_object_get(b, "code"));
    json_t *nv = json_object_get(b, "name"), *routes = json_object_get(b, "routes");
    const char *name = json_string_value(nv);
    int active = active_arg(b), err = 0;
    if ((id == 0 && (!good_code(code) || !good_name(name))) ||
        (id != 0 && (nv != NULL && !good_name(name))) || active == -2) {
        http_resp_error(resp, 400,
                        id == 0 ? "want {\"code\": [a-z0-9_-]{1,32}, \"name\": text, \"routes\": "
                                  "[{\"category\"?, \"district\"?}]}"
                                : "want {\"name\"?, \"active\"?, \"routes\"?}");
        return 0;
    }
    json_t *none = json_array(); /* a body made without routes */
    const char *why = routes || id == 0 ? check_routes(st, routes ? routes : none, &err) : NULL;
    if (err == -1 || why != NULL) {
        json_decref(none);
        if (why != NULL && err != -1)
            http_resp_error(resp, 400, why);
        return err == -1 ? -1 : 0;
    }
    int64_t nid = id;
    int rc = id == 0 ? store_body_add(st, code, name, routes ? routes : none, now, &nid)
                     : store_body_update(st, id, name, active, routes);
    json_decref(none);
    if (rc == 0 && id == 0) {
        admin_reply(resp, 201, json_pack("{s:I,s:s}", "id", (json_int_t)nid, "code", code));
        return 0;
    }
    return answer(rc, resp, "no such body",
                  json_pack("{s:I,s:b}", "id", (json_int_t)id, "changed", 1));
}

/* POST /reports/<code>/category {"category": name|null} and /district. */
static int report_set(struct store *st, int64_t now, const struct admin_req *rq, const char *what,
                      int64_t id, json_t *b, struct http_resp *resp)
{
    json_t *v = json_object_get(b, what);
    int rc, known = 1;
    int64_t cid = 0;
    int vis = reports_visible_to(st, admin_report_area(rq), id);
    if (vis != 1)
        return vis == -1 ? -1 : (http_resp_error(resp, 404, "no such report"), 0);
    bool category = strcmp(what, "category") == 0;
    if (!json_is_string(v) && !(category && json_is_null(v))) {
        http_resp_error(resp, 400,
                        category ? "want {\"category\": name or null}"
                                 : "want {\"district\": name}");
        return 0;
    }
    if (category && json_is_string(v))
        known = store_category_find(st, json_string_value(v), &cid);
    else if (!category)
        known = store_district_known(st, json_string_value(v));
    if (known != 1) {
        if (known == 0)
            http_resp_error(resp, 400,
                            category ? "unknown or disabled category"
                                     : "unknown district (GET /admin/api/districts)");
        return known;
    }
    rc = category ? store_report_set_category(st, id, cid, now)
                  : store_report_set_district(st, id, json_string_value(v), now);
    if (rc != 0)
        return answer(rc, resp, "no such report", NULL);
    struct report_routing rr;
    int found = store_report_routing(st, id, &rr);
    json_t *o = found == 1 ? report_routing_json(&rr) : NULL;
    report_routing_clear(&rr);
    if (o == NULL)
        return found == -1 ? -1 : 0;
    char code[REPORT_CODE_MAX];
    report_code_fmt(id, code);
    json_object_set_new(o, "code", json_string(code));
    admin_reply(resp, 200, o);
    return 0;
}

json_t *report_routing_json(const struct report_routing *r)
{
    json_t *o = json_object();
    if (r->category != NULL)
        json_object_set_new(o, "category", json_string(r->category));
    if (r->district != NULL)
        json_object_set_new(o, "district", json_string(r->district));
    if (r->body != NULL)
        json_object_set_new(o, "body", json_string(r->body));
    if (r->body_name != NULL)
        json_object_set_new(o, "body_name", json_string(r->body_name));
    json_object_set_new(o, "observer", json_boolean(r->observer));
    return o;
}

static int observer_set(struct store *st, int64_t now, int64_t id, json_t *b,
                        struct http_resp *resp)
{
    json_t *v = json_object_get(b, "observer");
    if (!json_is_boolean(v)) {
        http_resp_error(resp, 400, "want {\"observer\": true|false}");
        return 0;
    }
    int rc = store_person_set_observer(st, id, json_is_true(v), now);
    return answer(rc, resp, "no such person",
                  json_pack("{s:I,s:b}", "id", (json_int_t)id, "observer", json_is_true(v)));
}

/* The POST routes, with the body parsed. */
static int post(struct store *st, int64_t now, const struct admin_req *rq, char **seg, int nseg,
                int64_t id, json_t *b, struct http_resp *resp)
{
    if (strcmp(seg[0], "report-categories") == 0)
        return nseg == 1 ? category_add(st, now, b, resp) : category_edit(st, id, b, resp);
    if (strcmp(seg[0], "bodies") == 0)
        return body_save(st, now, nseg == 1 ? 0 : id, b, resp);
    if (strcmp(seg[0], "people") == 0)
        return observer_set(st, now, id, b, resp);
    return report_set(st, now, rq, seg[2], id, b, resp);
}

int admin_routing_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    (void)app;
    bool get = strcmp(rq->method, "GET") == 0;
    int64_t id = 0;
    if (nseg == 1 && get) {
        if (strcmp(seg[0], "report-categories") == 0)
            return categories_get_all(st, resp) == -1 ? -1 : 1;
        if (strcmp(seg[0], "districts") == 0)
            return districts_get_all(st, resp) == -1 ? -1 : 1;
        if (strcmp(seg[0], "bodies") == 0)
            return bodies_get_all(st, resp) == -1 ? -1 : 1;
        if (strcmp(seg[0], "observers") == 0)
            return observers_get_all(st, resp) == -1 ? -1 : 1;
        return 0;
    }
    bool mine = strcmp(rq->method, "POST") == 0 &&
                (((strcmp(seg[0], "report-categories") == 0 || strcmp(seg[0], "bodies") == 0) &&
                  (nseg == 1 || (nseg == 2 && admin_parse_id(seg[1], &id) == 0))) ||
                 (nseg == 3 && strcmp(seg[0], "people") == 0 && strcmp(seg[2], "observer") == 0) ||
                 (nseg == 3 && strcmp(seg[0], "reports") == 0 &&
                  (strcmp(seg[2], "category") == 0 || strcmp(seg[2], "district") == 0)));
    if (!mine)
        return 0;
    if (strcmp(seg[0], "people") == 0 && admin_parse_id(seg[1], &id) == -1) {
        http_resp_error(resp, 404, "no such person");
        return 1;
    }
    if (strcmp(seg[0], "reports") == 0 && report_code_parse(seg[1], &id) == -1) {
        http_resp_error(resp, 404, "no such report");
        return 1;
    }
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 1;
    int rc = post(st, now, rq, seg, nseg, id, b, resp);
    json_decref(b);
    return rc == -1 ? -1 : 1;
}
