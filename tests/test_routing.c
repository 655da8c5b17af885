/*
 * test_routing.c - 随手拍 routing pieces without a server: districts from the
 * shipped boundaries (point in polygon), the month's range and medians, the
 * CSV writer's local times, and reports_visible_to() as the report list and
 * page apply it to a report handler's area.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "csv.h"
#include "geo.h"
#include "handler.h"
#include "monthly.h"
#include "report.h"
#include "routing.h"
#include "store.h"
#include "t.h"
#include "util.h"

static void test_geo_districts_of_xiangyang(void)
{
    struct buf errs;
    buf_init(&errs, 0);
    struct geo *g = geo_load("web/vendor/xiangyang.json", &errs);
    CHECK(g != NULL);
    CHECK_STR(errs.data ? errs.data : "", "");
    CHECK_INT((long long)geo_count(g), 9);
    CHECK_STR(geo_district(g, 32.0425, 112.1441), "樊城区");
    CHECK_STR(geo_district(g, 32.010366, 112.134052), "襄城区");
    CHECK_STR(geo_district(g, 32.128818, 112.771959), "枣阳市");
    CHECK_STR(geo_district(g, 31.719806, 112.257788), "宜城市");
    CHECK(geo_district(g, 30.59, 114.30) == NULL); /* Wuhan */
    CHECK(geo_district(NULL, 32.0425, 112.1441) == NULL);
    geo_free(g);
    /* a hole is outside its polygon */
    mkdir("tests/out", 0755);
    FILE *f = fopen("tests/out/hole.json", "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
              "\"properties\":{\"name\":\"环\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":"
              "[[[0,0],[10,0],[10,10],[0,10],[0,0]],[[4,4],[6,4],[6,6],[4,6],[4,4]]]}}]}",
              f);
        fclose(f);
    }
    g = geo_load("tests/out/hole.json", &errs);
    CHECK_STR(geo_district(g, 1, 1), "环");
    CHECK(geo_district(g, 5, 5) == NULL);
    geo_free(g);
    /* not a collection of named polygons: refused with the file named */
    CHECK(geo_load("content/README.md", &errs) == NULL);
    CHECK(geo_load("intents", &errs) == NULL);
    CHECK_HAS(errs.data, "content/README.md");
    buf_release(&errs);
}

static void test_monthly_range_and_median(void)
{
    int64_t a, b;
    CHECK_INT(monthly_range("2026-12", &a, &b), 0);
    CHECK_INT((b - a) / 86400000, 31); /* into January 2027 */
    CHECK_INT(monthly_range("2026-02", &a, &b), 0);
    CHECK_INT((b - a) / 86400000, 28);
    CHECK_INT(monthly_range("2026-13", &a, &b), -1);
    CHECK_INT(monthly_range("2026-1", &a, &b), -1);
    CHECK_INT(monthly_range("202612", &a, &b), -1);
    CHECK_INT(monthly_range(NULL, &a, &b), -1);
    int64_t odd[] = {1, 5, 100}, even[] = {2, 4, 10, 1000};
    CHECK_INT(monthly_median(odd, 3), 5);
    CHECK_INT(monthly_median(even, 4), 7);
    CHECK_INT(monthly_median(NULL, 0), 0);
}

static void test_csv_times_local(void)
{
    struct buf out;
    buf_init(&out, 0);
    static const char *const cols[] = {"code", "created_ms", "n", NULL};
    json_t *rows = json_pack("[{s:s,s:I,s:I}]", "code", "SP0001", "created_ms",
                             (json_int_t)1764806400000LL, "n", (json_int_t)1764806400000LL);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    csv_rows(&out, rows, cols);
    /* 2025-12-04 00:00 UTC is 08:00 in Xiangyang; a plain number stays one */
    CHECK_STR(out.data, "code,created_at,n\r\nSP0001,2025-12-04 08:00:00,1764806400000\r\n");
    json_t *sample = json_pack("[{s:i,s:[]},{s:s,s:i}]", "a", 1, "skip", "b", "x", "a", 2);
    json_t *c = csv_columns(sample); /* borrows sample */
    json_decref(sample);
    char *s = json_dumps(c, JSON_COMPACT);
    CHECK_STR(s, "[\"a\",\"b\"]");
    free(s);
    json_decref(c);
    json_decref(rows);
    buf_release(&out);
}

/* One admin request as role with area; the answer's JSON. */
static json_t *ask(struct app *app, struct store *st, const char *path, const char *area,
                   json_t *query, int want)
{
    struct http_resp resp = {0};
    /* with an area, a report handler (staff.h); the super admin sees all */
    struct admin_req rq = {.method = "GET", .path = path, .query = query, .body = "",
                           .role = area ? ADMIN_ROLE_REPORTS : ADMIN_ROLE_SUPER, .area = area};
    CHECK_INT(admin_handle(app, st, 1700000000000LL, &rq, &resp), 0);
    if (resp.status != want)
        printf("%s as area %s: %d %s\n", path, area ? area : "-", resp.status, resp.body);
    CHECK_INT(resp.status, want);
    json_t *j = json_loads(resp.body ? resp.body : "null", JSON_DECODE_ANY, NULL);
    http_resp_release(&resp);
    return j;
}

static void test_reports_visible_to_area(void)
{
    struct conf c;
    struct buf errs;
    struct app app = {0};
    int64_t sender, person, r1, r2, cat;
    buf_init(&errs, 0);
    CHECK_INT(conf_load(&c, NULL, NULL, 0, &errs), 0);
    app.conf = &c;
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    json_t *routes = json_pack("[{s:s}]", "district", "樊城区");
    CHECK_INT(store_person_arrive(st, "generic", "u-1", NULL, 1, &sender, &person), 1);
    CHECK_INT(store_body_add(st, "fc", "樊城区城管", routes, 1, &cat), 0);
    json_decref(routes);
    CHECK_INT(store_report_create(st, person, "井盖", 1, &r1), 0);
    CHECK_INT(store_report_create(st, person, "路灯", 2, &r2), 0);
    CHECK_INT(store_report_set_district(st, r1, "樊城区", 3), 0);
    CHECK_INT(store_report_set_district(st, r2, "襄城区", 3), 0);
    CHECK_INT(reports_visible_to(st, NULL, r2), 1);
    CHECK_INT(reports_visible_to(st, "fc", r1), 1);
    CHECK_INT(reports_visible_to(st, "fc", r2), 0);
    CHECK_INT(reports_visible_to(st, "other", r1), 0);
    /* the list and the page, as a handler of body fc */
    json_t *q = json_object();
    json_t *l = ask(&app, st, "/reports", "fc", q, 200);
    CHECK_INT((long long)json_array_size(json_object_get(l, "items")), 1);
    CHECK_STR(
        json_string_value(json_object_get(json_array_get(json_object_get(l, "items"), 0), "code")),
        "SP0001");
    json_decref(l);
    json_object_set_new(q, "body", json_string("")); /* asking for all changes nothing */
    l = ask(&app, st, "/reports", "fc", q, 200);
    CHECK_INT((long long)json_array_size(json_object_get(l, "items")), 1);
    json_decref(l);
    l = ask(&app, st, "/reports", NULL, q, 200);
    CHECK_INT((long long)json_array_size(json_object_get(l, "items")), 2);
    json_decref(l);
    json_decref(ask(&app, st, "/reports/SP0001", "fc", q, 200));
    json_decref(ask(&app, st, "/reports/SP0002", "fc", q, 404));
    json_decref(ask(&app, st, "/reports/SP0002", NULL, q, 200));
    json_decref(q);
    store_close(st);
out:
    conf_release(&c);
    buf_release(&errs);
}

/* The routing reader: a new report has no category, district or body (NULL,
 * keys absent from the JSON); once routed, the district, the body's code and
 * name; the observer flag of its reporter. */
static void test_report_routing_reader(void)
{
    int64_t sender, person, r1, body;
    struct report_routing rr;
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        return;
    json_t *routes = json_pack("[{s:s}]", "district", "樊城区");
    CHECK_INT(store_person_arrive(st, "generic", "u-1", NULL, 1, &sender, &person), 1);
    CHECK_INT(store_body_add(st, "fc", "樊城区城管", routes, 1, &body), 0);
    json_decref(routes);
    CHECK_INT(store_report_create(st, person, "井盖", 1, &r1), 0);
    CHECK_INT(store_report_routing(st, r1, &rr), 1);
    CHECK(rr.category == NULL && rr.district == NULL && rr.body == NULL && rr.body_name == NULL);
    CHECK(!rr.observer);
    json_t *j = report_routing_json(&rr);
    CHECK_INT(json_object_size(j), 1);
    CHECK(json_is_false(json_object_get(j, "observer")));
    json_decref(j);
    report_routing_clear(&rr);
    CHECK_INT(store_report_set_district(st, r1, "樊城区", 3), 0);
    CHECK_INT(store_person_set_observer(st, person, true, 4), 0);
    CHECK_INT(store_report_routing(st, r1, &rr), 1);
    CHECK_STR(rr.district, "樊城区");
    CHECK_STR(rr.body, "fc");
    CHECK_STR(rr.body_name, "樊城区城管");
    CHECK(rr.category == NULL);
    CHECK(rr.observer);
    j = report_routing_json(&rr);
    CHECK_INT(json_object_size(j), 4);
    CHECK_STR(json_string_value(json_object_get(j, "body_name")), "樊城区城管");
    CHECK(json_is_true(json_object_get(j, "observer")));
    json_decref(j);
    report_routing_clear(&rr);
    CHECK_INT(store_report_routing(st, r1 + 1, &rr), 0);
    report_routing_clear(&rr);
    store_close(st);
}

/* The category reader: id, name, active; the active-only list leaves a
 * disabled one out; the JSON has id, name and a boolean active. */
static void test_category_reader(void)
{
    struct store *st = store_open(":memory:", false);
    struct category *v;
    size_t n, all;
    int64_t id;
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_category_list(st, false, &v, &all), 0);
    category_free_all(v, all);
    CHECK_INT(store_category_add(st, "新类别", 1, &id), 0);
    CHECK_INT(store_category_update(st, id, NULL, 0), 0);
    CHECK_INT(store_category_list(st, false, &v, &n), 0);
    CHECK_INT(n, all + 1);
    if (n == all + 1) {
        CHECK_INT(v[n - 1].id, id);
        CHECK_STR(v[n - 1].name, "新类别");
        CHECK(!v[n - 1].active);
        json_t *j = category_json(&v[n - 1]);
        CHECK_INT(json_object_size(j), 3);
        CHECK(json_is_false(json_object_get(j, "active")));
        CHECK_STR(json_string_value(json_object_get(j, "name")), "新类别");
        json_decref(j);
        CHECK(all == 0 || v[0].active);
    }
    category_free_all(v, n);
    CHECK_INT(store_category_list(st, true, &v, &n), 0);
    CHECK_INT(n, all);
    category_free_all(v, n);
    store_close(st);
}

const struct t_case routing_tests[] = {
    T(test_geo_districts_of_xiangyang),
    T(test_monthly_range_and_median),
    T(test_csv_times_local),
    T(test_reports_visible_to_area),
    T(test_report_routing_reader),
    T(test_category_reader),
    T_END,
};
