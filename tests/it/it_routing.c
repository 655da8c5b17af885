/*
 * it_routing.c - 随手拍 routed like FixMyStreet, against the real server: the
 * worker's numbered category question, the district from a location against
 * the shipped boundaries, handling bodies and the list filters, staff
 * setting category and district, observers, the monthly report, redemptions
 * picked up, and CSV with local times.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "it.h"
#include "t.h"
#include "util.h"

#define TOK "tok-routing-0123456789"
static const char *const sets[] = {"admin.token=" TOK, "push.quiet=", "report.join_seconds=1",
                                   NULL};
static const char *const auth[] = {"Authorization: Bearer " TOK, NULL};

#define FANCHENG 32.0425, 112.1441    /* in 樊城区 */
#define ZAOYANG 32.128818, 112.771959 /* in 枣阳市 */

/* A message (photo when url, location when lat != 0); every reply joined. */
static char *send(int port, const char *id, const char *from, const char *text, const char *url,
                  double lat, double lon)
{
    json_t *o = json_pack("{s:s,s:s}", "id", id, "from", from);
    if (text)
        json_object_set_new(o, "text", json_string(text));
    if (url)
        json_object_set_new(o, "media", json_pack("[{s:s,s:s}]", "url", url, "type", "image/jpeg"));
    if (lat != 0)
        json_object_set_new(o, "location", json_pack("{s:f,s:f}", "lat", lat, "lon", lon));
    char *body = json_dumps(o, 0);
    struct resp r = post(port, body);
    json_t *j = json_loads(r.body ? r.body : "", 0, NULL), *rep;
    size_t i;
    struct buf all;
    buf_init(&all, 0);
    json_array_foreach(json_object_get(j, "replies"), i, rep)
        buf_printf(&all, "%s\n", json_string_value(json_object_get(rep, "text")));
    if (r.status != 200)
        printf("%s: POST %s: %ld %s\n", t_current, body, r.status, r.body);
    json_decref(j);
    json_decref(o);
    free(body);
    free(r.body);
    char *out = xstrdup(all.data ? all.data : "");
    buf_release(&all);
    return out;
}

static json_t *api(int port, const char *method, const char *path, const char *body, long want)
{
    struct resp r = request(port, method, path, body, auth);
    if (r.status != want) {
        printf("%s: %s %s %s: got %ld %s, want %ld\n", t_current, method, path, body ? body : "",
               r.status, r.body, want);
        t_failed++;
    }
    json_t *j = json_loads(r.body ? r.body : "", 0, NULL);
    free(r.body);
    return j ? j : json_object();
}

static void api_void(int port, const char *method, const char *path, const char *body, long want)
{
    json_decref(api(port, method, path, body, want));
}

/* The codes of GET path's items, space-separated. */
static char *codes(int port, const char *path)
{
    json_t *j = api(port, "GET", path, NULL, 200), *it;
    size_t i;
    struct buf b;
    buf_init(&b, 0);
    json_array_foreach(json_object_get(j, "items"), i, it)
        buf_printf(&b, "%s ", json_string_value(json_object_get(it, "code")));
    json_decref(j);
    char *out = xstrdup(b.data ? b.data : "");
    buf_release(&b);
    return out;
}

static void test_routing_worker_picks_category(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    char *r = send(s.port, "m1", "u-1", NULL, "http://img.invalid/1.jpg", FANCHENG);
    CHECK_HAS(r, "SP0001");
    CHECK_HAS(r, "属于哪一类");
    CHECK_HAS(r, "1 井盖");
    CHECK_HAS(r, "5 其他");
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE id=1 AND district='樊城区'"), 1);
    r = send(s.port, "m2", "u-1", "2", NULL, 0, 0);
    CHECK_HAS(r, "SP0001 已归入「路灯」");
    free(r);
    CHECK_INT(db_count(&s, "SELECT c.name='路灯' FROM reports r JOIN report_categories c"
                           " ON c.id=r.category_id WHERE r.id=1"),
              1);
    r = send(s.port, "m3", "u-1", "2", NULL, 0, 0); /* answered: no longer the question's */
    CHECK(strstr(r, "已归入") == NULL);
    free(r);
    /* a number out of range asks again; the report waits uncategorised */
    r = send(s.port, "m4", "u-2", NULL, "http://img.invalid/2.jpg", ZAOYANG);
    CHECK_HAS(r, "SP0002");
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE id=2 AND district='枣阳市'"), 1);
    r = send(s.port, "m5", "u-2", "9", NULL, 0, 0);
    CHECK_HAS(r, "1 到 5");
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE id=2 AND category_id IS NULL"), 1);
    /* a position outside every district leaves the district empty */
    r = send(s.port, "m6", "u-3", "随手拍 路灯不亮", NULL, 30.59, 114.30);
    CHECK_HAS(r, "属于哪一类");
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE id=3 AND district IS NULL"
                           " AND lat IS NOT NULL"),
              1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_routing_bodies_route_and_filter(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    /* categories the office edits */
    api_void(s.port, "POST", "/admin/api/report-categories", "{\"name\":\"垃圾\"}", 201);
    api_void(s.port, "POST", "/admin/api/report-categories", "{\"name\":\"垃圾\"}", 409);
    api_void(s.port, "POST", "/admin/api/report-categories", "{\"name\":\"\"}", 400);
    /* the list's rows: exactly id, name and a boolean active (the dashboard reads them) */
    json_t *cl = api(s.port, "GET", "/admin/api/report-categories", NULL, 200);
    json_t *last = json_array_get(json_object_get(cl, "items"), 5);
    CHECK_INT(json_object_size(last), 3);
    CHECK_INT(json_integer_value(json_object_get(last, "id")), 6);
    CHECK_STR(json_string_value(json_object_get(last, "name")), "垃圾");
    CHECK(json_is_true(json_object_get(last, "active")));
    json_decref(cl);
    api_void(s.port, "POST", "/admin/api/report-categories/6", "{\"name\":\"垃圾堆放\"}", 200);
    api_void(s.port, "POST", "/admin/api/report-categories/6", "{\"name\":\"井盖\"}", 409);
    api_void(s.port, "POST", "/admin/api/report-categories/6", "{\"active\":false}", 200);
    api_void(s.port, "POST", "/admin/api/report-categories/6", "{}", 400);
    api_void(s.port, "POST", "/admin/api/report-categories/99", "{\"active\":true}", 404);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_categories WHERE name='垃圾堆放'"
                           " AND active=0"),
              1);
    /* bodies: a specific route beats a catch-all */
    api_void(s.port, "POST", "/admin/api/bodies",
             "{\"code\":\"fc-lamps\",\"name\":\"樊城区路灯所\",\"routes\":[{\"category\":\"路灯\","
             "\"district\":\"樊城区\"}]}",
             201);
    api_void(s.port, "POST", "/admin/api/bodies",
             "{\"code\":\"city\",\"name\":\"市城管局\",\"routes\":[{}]}", 201);
    api_void(s.port, "POST", "/admin/api/bodies", "{\"code\":\"city\",\"name\":\"x\"}", 409);
    api_void(s.port, "POST", "/admin/api/bodies", "{\"code\":\"FC!\",\"name\":\"x\"}", 400);
    api_void(s.port, "POST", "/admin/api/bodies",
             "{\"code\":\"b3\",\"name\":\"x\",\"routes\":[{\"category\":\"垃圾堆放\"}]}", 400);
    api_void(s.port, "POST", "/admin/api/bodies",
             "{\"code\":\"b3\",\"name\":\"x\",\"routes\":[{\"district\":\"朝阳区\"}]}", 400);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_bodies"), 2);
    /* the lists' wire shape, key for key (the dashboard reads them): a
     * route's "any" is null */
    json_t *bl = api(s.port, "GET", "/admin/api/bodies", NULL, 200);
    json_t *want =
        json_loads("[{\"id\":1,\"code\":\"fc-lamps\",\"name\":\"樊城区路灯所\",\"active\":true,"
                   "\"routes\":[{\"category\":\"路灯\",\"district\":\"樊城区\"}]},"
                   "{\"id\":2,\"code\":\"city\",\"name\":\"市城管局\",\"active\":true,"
                   "\"routes\":[{\"category\":null,\"district\":null}]}]",
                   0, NULL);
    CHECK(want != NULL && json_equal(json_object_get(bl, "items"), want));
    json_decref(want);
    json_decref(bl);
    bl = api(s.port, "GET", "/admin/api/districts", NULL, 200);
    want = json_loads("[\"襄城区\",\"樊城区\",\"襄州区\",\"高新区\",\"东津新区\",\"老河口市\","
                      "\"枣阳市\",\"宜城市\",\"南漳县\",\"谷城县\",\"保康县\"]",
                      0, NULL);
    CHECK(want != NULL && json_equal(json_object_get(bl, "items"), want));
    json_decref(want);
    json_decref(bl);

    free(send(s.port, "m1", "u-1", NULL, "http://img.invalid/1.jpg", FANCHENG));
    free(send(s.port, "m2", "u-1", "2", NULL, 0, 0));
    free(send(s.port, "m3", "u-2", NULL, "http://img.invalid/2.jpg", ZAOYANG));
    free(send(s.port, "m4", "u-2", "2", NULL, 0, 0));
    char *c = codes(s.port, "/admin/api/reports?body=fc-lamps");
    CHECK_STR(c, "SP0001 ");
    free(c);
    c = codes(s.port, "/admin/api/reports?body=city");
    CHECK_STR(c, "SP0002 ");
    free(c);
    c = codes(s.port, "/admin/api/reports?district=%E6%9E%A3%E9%98%B3%E5%B8%82"); /* 枣阳市 */
    CHECK_STR(c, "SP0002 ");
    free(c);
    c = codes(s.port, "/admin/api/reports?category=%E8%B7%AF%E7%81%AF"); /* 路灯 */
    CHECK_STR(c, "SP0002 SP0001 ");
    free(c);

    /* staff re-categorise: the report is routed again */
    json_t *j =
        api(s.port, "POST", "/admin/api/reports/SP0001/category", "{\"category\":\"井盖\"}", 200);
    CHECK_STR(json_string_value(json_object_get(j, "body")), "city");
    CHECK_STR(json_string_value(json_object_get(j, "district")), "樊城区");
    json_decref(j);
    api_void(s.port, "POST", "/admin/api/reports/SP0002/district", "{\"district\":\"樊城区\"}",
             200);
    j = api(s.port, "GET", "/admin/api/reports/SP0002", NULL, 200);
    CHECK_STR(json_string_value(json_object_get(j, "body")), "fc-lamps");
    CHECK_STR(json_string_value(json_object_get(j, "body_name")), "樊城区路灯所");
    CHECK_STR(json_string_value(json_object_get(j, "category")), "路灯");
    json_decref(j);
    api_void(s.port, "POST", "/admin/api/reports/SP0001/category", "{\"category\":\"nope\"}", 400);
    api_void(s.port, "POST", "/admin/api/reports/SP0001/category", "{\"category\":\"垃圾堆放\"}",
             400); /* disabled */
    api_void(s.port, "POST", "/admin/api/reports/SP0001/district", "{\"district\":\"朝阳区\"}",
             400);
    api_void(s.port, "POST", "/admin/api/reports/SP0001/district", "{\"district\":3}", 400);
    api_void(s.port, "POST", "/admin/api/reports/SP0099/category", "{\"category\":\"井盖\"}", 404);
    api_void(s.port, "POST", "/admin/api/reports/SP0001/category", "[1]", 400);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE id=1 AND district='樊城区'"
                           " AND category_id=1"),
              1);
    /* a category cleared: the catch-all body */
    j = api(s.port, "POST", "/admin/api/reports/SP0002/category", "{\"category\":null}", 200);
    CHECK(json_object_get(j, "category") == NULL);
    CHECK_STR(json_string_value(json_object_get(j, "body")), "city");
    json_decref(j);
    /* a disabled body takes nothing new */
    api_void(s.port, "POST", "/admin/api/bodies/2", "{\"active\":false}", 200);
    api_void(s.port, "POST", "/admin/api/bodies/9", "{\"active\":false}", 404);
    j = api(s.port, "POST", "/admin/api/reports/SP0002/category", "{\"category\":\"其他\"}", 200);
    CHECK(json_object_get(j, "body") == NULL);
    json_decref(j);
    j = api(s.port, "GET", "/admin/api/districts", NULL, 200);
    CHECK(json_array_size(json_object_get(j, "items")) >= 11);
    json_decref(j);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* j's keys in order with their jansson types, into b: "{key:type ...}",
 * an object's or an array's first item's inside. */
static void key_types(json_t *j, struct buf *b)
{
    const char *key;
    json_t *v;
    if (json_is_array(j)) {
        buf_puts(b, "[");
        if (json_array_size(j) > 0)
            key_types(json_array_get(j, 0), b);
        buf_puts(b, "]");
        return;
    }
    if (!json_is_object(j))
        return;
    buf_puts(b, "{");
    json_object_foreach(j, key, v)
    {
        buf_printf(b, "%s:%d", key, (int)json_typeof(v));
        key_types(v, b);
        buf_puts(b, " ");
    }
    buf_puts(b, "}");
}

static void test_routing_observers_monthly_redemptions_csv(void)
{
    struct server s;
    char path[128];
    CHECK_INT(server_start(&s, sets), 0);
    free(say_to(s.port, "h1", "u-obs", "积分"));
    long long pid = db_count(&s, "SELECT id FROM people WHERE ext_id='u-obs'");
    snprintf(path, sizeof path, "/admin/api/people/%lld/observer", pid);
    api_void(s.port, "POST", path, "{\"observer\":true}", 200);
    api_void(s.port, "POST", path, "{\"observer\":\"yes\"}", 400);
    api_void(s.port, "POST", "/admin/api/people/99999/observer", "{\"observer\":true}", 404);
    free(send(s.port, "m1", "u-obs", NULL, "http://img.invalid/1.jpg", FANCHENG));
    free(send(s.port, "m2", "u-obs", "1", NULL, 0, 0));
    free(send(s.port, "m3", "u-x", NULL, "http://img.invalid/2.jpg", FANCHENG));
    char *c = codes(s.port, "/admin/api/reports?observer=1");
    CHECK_STR(c, "SP0001 ");
    free(c);
    json_t *j = api(s.port, "GET", "/admin/api/observers", NULL, 200);
    json_t *o0 = json_array_get(json_object_get(j, "items"), 0);
    CHECK_INT(json_integer_value(json_object_get(o0, "reports")), 1);
    CHECK_INT(json_object_size(o0), 5); /* the wire shape: id, name, channel, since_ms, reports */
    CHECK_INT(json_integer_value(json_object_get(o0, "id")), pid);
    CHECK_STR(json_string_value(json_object_get(o0, "name")), "");
    CHECK_STR(json_string_value(json_object_get(o0, "channel")), "generic");
    CHECK(json_integer_value(json_object_get(o0, "since_ms")) > 1000000000000LL);
    json_decref(j);
    api_void(s.port, "GET", "/admin/api/reports?observer=maybe", NULL, 400);
    api_void(s.port, "POST", "/admin/api/reports/SP0001/status", "{\"status\":\"accepted\"}", 200);
    api_void(s.port, "POST", "/admin/api/reports/SP0001/status", "{\"status\":\"resolved\"}", 200);

    /* a redemption, picked up once */
    api_void(s.port, "POST", "/admin/api/items", "{\"name\":\"保温杯\",\"cost\":30,\"stock\":2}",
             201);
    api_void(s.port, "POST", "/admin/api/points",
             "{\"person\":\"generic:u-obs\",\"delta\":40,\"reason\":\"志愿服务\",\"ref\":\"seed\"}",
             201);
    free(say_to(s.port, "r1", "u-obs", "兑换 1"));
    CHECK_INT(db_count(&s, "SELECT count(*) FROM redemptions"), 1);
    j = api(s.port, "POST", "/admin/api/redemptions/1/picked", "{}", 200);
    CHECK(json_is_true(json_object_get(j, "changed")));
    json_decref(j);
    j = api(s.port, "POST", "/admin/api/redemptions/1/picked", "{}", 200);
    CHECK(json_is_false(json_object_get(j, "changed")));
    json_decref(j);
    api_void(s.port, "POST", "/admin/api/redemptions/99/picked", "{}", 404);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM redemptions WHERE handed_ms IS NOT NULL"), 1);

    /* the month: this one by default, the same asked by name */
    j = api(s.port, "GET", "/admin/api/monthly", NULL, 200);
    const char *month = json_string_value(json_object_get(j, "month"));
    CHECK(month != NULL && strlen(month) == 7);
    snprintf(path, sizeof path, "/admin/api/monthly?month=%s", month ? month : "");
    json_decref(j);
    j = api(s.port, "GET", path, NULL, 200);
    /* the wire shape: keys in order with their jansson types, objects and
     * the first item of arrays inside (0 object, 1 array, 2 string, 3 integer) */
    struct buf shape;
    buf_init(&shape, 0);
    key_types(j, &shape);
    CHECK_STR(shape.data, "{workers:0{reached:3 active:3 new:3 } lessons:0{completed:3 learners:3 }"
                          " points:0{issued:3 spent:3 redemptions:3 redeemed:3 picked_up:3 }"
                          " seats:0{courses:3 capacity:3 filled:3 attended:3 }"
                          " reports_by_category:1[{category:2 count:3 done:3 median_minutes:3 }]"
                          " observer_reports:3 tickets_by_kind:1[] from_ms:3 to_ms:3 month:2 }");
    buf_release(&shape);
    CHECK_INT(json_integer_value(json_object_get(j, "observer_reports")), 1);
    json_t *w = json_object_get(j, "workers"), *p = json_object_get(j, "points");
    CHECK_INT(json_integer_value(json_object_get(w, "active")), 2);
    CHECK_INT(json_integer_value(json_object_get(p, "issued")), 45); /* 40 + 5 for SP0001 */
    CHECK_INT(json_integer_value(json_object_get(p, "redeemed")), 30);
    CHECK_INT(json_integer_value(json_object_get(p, "picked_up")), 1);
    json_t *cats = json_object_get(j, "reports_by_category"), *g;
    size_t i;
    int seen = 0;
    json_array_foreach(cats, i, g)
    {
        const char *name = json_string_value(json_object_get(g, "category"));
        if (name && strcmp(name, "井盖") == 0) {
            seen++;
            CHECK_INT(json_integer_value(json_object_get(g, "count")), 1);
            CHECK_INT(json_integer_value(json_object_get(g, "done")), 1);
        }
        if (name && strcmp(name, "未分类") == 0) {
            seen++;
            CHECK_INT(json_integer_value(json_object_get(g, "done")), 0);
        }
    }
    CHECK_INT(seen, 2);
    CHECK(json_is_array(json_object_get(j, "tickets_by_kind")));
    CHECK(json_is_object(json_object_get(j, "seats")));
    json_decref(j);
    api_void(s.port, "GET", "/admin/api/monthly?month=2026-13", NULL, 400);
    api_void(s.port, "GET", "/admin/api/monthly?month=abc", NULL, 400);

    /* CSV: local times, never Unix ms; any list */
    struct resp r = request(s.port, "GET", "/admin/api/reports?format=csv", NULL, auth);
    CHECK_HAS(r.body, "created_at,updated_at,reporter");
    CHECK_HAS(r.body, ",category,district,body,observer,resolved_at");
    CHECK_HAS(r.body, "樊城区");
    long long ms = db_count(&s, "SELECT created_ms FROM reports WHERE id=1");
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", ms);
    CHECK(r.body != NULL && strstr(r.body, raw) == NULL);
    free(r.body);
    r = request(s.port, "GET", "/admin/api/redemptions?format=csv", NULL, auth);
    CHECK(r.body != NULL && str_has_prefix(r.body, "id,item_id,item,person,name,cost,created_at,"
                                                   "picked_at\r\n"));
    CHECK_HAS(r.body, "保温杯");
    free(r.body);
    r = request(s.port, "GET", "/admin/api/observers?format=csv", NULL, auth);
    CHECK_HAS(r.body, "since_at");
    free(r.body);
    api_void(s.port, "GET", "/admin/api/monthly?format=csv", NULL, 400);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

const struct t_case it_routing_tests[] = {
    T(test_routing_worker_picks_category),
    T(test_routing_bodies_route_and_filter),
    T(test_routing_observers_monthly_redemptions_csv),
    T_END,
};
