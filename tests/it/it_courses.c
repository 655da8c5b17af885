/*
 * it_courses.c - integration tests of points, courses, redemption and
 * check-in against the real server: the last seat raced by 50 senders at
 * once, the redemption stock raced the same way, the admin points, course,
 * activity and item routes, cancel with refund and the promotion push.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "t.h"
#include "util.h"

#define RACERS 50

static const char *const sets[] = {"admin.token=tok-0123456789abcdef", "push.quiet=", NULL};
static const char *const auth[] = {"Authorization: Bearer tok-0123456789abcdef", NULL};

/* An admin request; the body of the answer (caller frees), status in *status. */
static char *admin(int port, const char *method, const char *path, const char *body, long *status)
{
    struct resp r = request(port, method, path, body, auth);
    *status = r.status;
    return r.body;
}

/* An admin request that must answer want; its JSON (caller decrefs). */
static json_t *admin_json(int port, const char *method, const char *path, const char *body,
                          long want)
{
    long status;
    char *b = admin(port, method, path, body, &status);
    if (status != want) {
        printf("%s: %s %s %s: got %ld %s, want %ld\n", t_current, method, path, body ? body : "",
               status, b, want);
        t_failed++;
    }
    json_t *j = json_loads(b, 0, NULL);
    free(b);
    return j ? j : json_object();
}

struct racer {
    int port;
    char id[32], from[32];
    const char *text;
    char *reply;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    r->reply = say_to(r->port, r->id, r->from, r->text);
    return NULL;
}

/* RACERS senders post text at once; replies in r[]. */
static void race(int port, struct racer *r, const char *text, const char *tag)
{
    pthread_t th[RACERS];
    for (int i = 0; i < RACERS; i++) {
        r[i].port = port;
        r[i].text = text;
        snprintf(r[i].id, sizeof r[i].id, "%s-%d", tag, i);
        snprintf(r[i].from, sizeof r[i].from, "w-%d", i);
        pthread_create(&th[i], NULL, racer_main, &r[i]);
    }
    for (int i = 0; i < RACERS; i++)
        pthread_join(th[i], NULL);
}

static void test_courses_last_seat_race_50(void)
{
    struct server s;
    struct racer r[RACERS];
    CHECK_INT(server_start(&s, sets), 0);
    json_t *c = admin_json(s.port, "POST", "/admin/api/courses",
                           "{\"title\":\"养老护理入门\",\"provider\":\"襄阳职院\",\"place\":"
                           "\"驿站二楼\",\"start\":\"2099-05-01 09:00\",\"end\":\"2099-05-01 "
                           "11:00\",\"capacity\":1}",
                           201);
    CHECK_INT(json_integer_value(json_object_get(c, "no")), 1);
    CHECK_INT((int)strlen(json_string_value(json_object_get(c, "checkin_code"))), 4);
    json_decref(c);
    memset(r, 0, sizeof r);
    race(s.port, r, "报名 1", "book");
    int booked = 0, seen[RACERS] = {0};
    for (int i = 0; i < RACERS; i++) {
        if (strstr(r[i].reply, "报名成功") != NULL) {
            booked++;
        } else {
            const char *p = strstr(r[i].reply, "第 ");
            int pos = p ? atoi(p + strlen("第 ")) : 0;
            if (pos < 1 || pos >= RACERS) {
                printf("%s: reply %s\n", t_current, r[i].reply);
                t_failed++;
                continue;
            }
            seen[pos]++;
            char sql[300];
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM bookings w WHERE w.status='waiting' AND w.id <="
                     " (SELECT b.id FROM bookings b JOIN people p ON p.id=b.person_id"
                     " WHERE p.ext_id='%s')",
                     r[i].from);
            CHECK_INT(db_count(&s, sql), pos); /* the place told is the real order */
        }
        free(r[i].reply);
    }
    CHECK_INT(booked, 1);
    for (int pos = 1; pos < RACERS; pos++)
        CHECK_INT(seen[pos], 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM bookings WHERE status='seat'"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM bookings WHERE status='waiting'"), RACERS - 1);
    /* the admin lists them, also as CSV */
    json_t *b = admin_json(s.port, "GET", "/admin/api/courses/1/bookings", NULL, 200);
    CHECK_INT(json_array_size(json_object_get(b, "bookings")), RACERS);
    json_t *last = json_array_get(json_object_get(b, "bookings"), RACERS - 1);
    CHECK_INT(json_integer_value(json_object_get(last, "position")), RACERS - 1);
    json_decref(b);
    long st;
    char *csv = admin(s.port, "GET", "/admin/api/courses/1/bookings?format=csv", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(str_has_prefix(csv, "id,person,name,status,position,cost,booked_at,attended_at\r\n"));
    CHECK_HAS(csv, ",seat,");
    free(csv);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_courses_redeem_stock_race_50(void)
{
    struct server s;
    struct racer r[RACERS];
    char body[200];
    CHECK_INT(server_start(&s, sets), 0);
    json_t *it = admin_json(s.port, "POST", "/admin/api/items",
                            "{\"name\":\"保温杯\",\"cost\":30,\"stock\":2}", 201);
    CHECK_INT(json_integer_value(json_object_get(it, "id")), 1);
    json_decref(it);
    for (int i = 0; i < RACERS; i++) { /* each racer exists and has 40 points */
        char id[32], from[32];
        snprintf(id, sizeof id, "hi-%d", i);
        snprintf(from, sizeof from, "w-%d", i);
        free(say_to(s.port, id, from, "积分"));
        snprintf(body, sizeof body,
                 "{\"person\":\"generic:w-%d\",\"delta\":40,\"reason\":\"志愿服务\","
                 "\"ref\":\"seed\"}",
                 i);
        json_decref(admin_json(s.port, "POST", "/admin/api/points", body, 201));
    }
    memset(r, 0, sizeof r);
    race(s.port, r, "兑换 1", "redeem");
    int ok = 0, out = 0;
    for (int i = 0; i < RACERS; i++) {
        ok += strstr(r[i].reply, "兑换成功") != NULL;
        out += strstr(r[i].reply, "已兑完") != NULL;
        free(r[i].reply);
    }
    CHECK_INT(ok, 2);
    CHECK_INT(out, RACERS - 2);
    CHECK_INT(db_count(&s, "SELECT stock FROM items WHERE id=1"), 0);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM redemptions"), 2);
    CHECK_INT(db_count(&s, "SELECT sum(delta) FROM points"), RACERS * 40 - 2 * 30);
    json_t *rl = admin_json(s.port, "GET", "/admin/api/redemptions", NULL, 200);
    CHECK_INT(json_array_size(json_object_get(rl, "items")), 2);
    json_decref(rl);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_courses_admin_points_api(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    free(say_to(s.port, "p-1", "u-1", "积分"));
    const char *credit =
        "{\"person\":\"generic:u-1\",\"delta\":12,\"reason\":\"志愿服务\",\"ref\":\"act-7\"}";
    json_t *j = admin_json(s.port, "POST", "/admin/api/points", credit, 201);
    CHECK_INT(json_integer_value(json_object_get(j, "balance")), 12);
    CHECK_STR(json_string_value(json_object_get(j, "ref")), "admin:act-7");
    json_decref(j);
    j = admin_json(s.port, "POST", "/admin/api/points", credit, 200); /* a retry */
    CHECK(json_is_true(json_object_get(j, "duplicate")));
    CHECK_INT(json_integer_value(json_object_get(j, "balance")), 12);
    json_decref(j);
    json_decref(admin_json(s.port, "POST", "/admin/api/points",
                           "{\"person\":\"generic:u-1\",\"delta\":-20,\"reason\":\"更正\","
                           "\"ref\":\"fix-1\"}",
                           409));
    json_decref(admin_json(s.port, "POST", "/admin/api/points",
                           "{\"person\":\"generic:u-1\",\"delta\":-2,\"reason\":\"更正\","
                           "\"ref\":\"fix-1\"}",
                           201));
    json_decref(admin_json(s.port, "POST", "/admin/api/points",
                           "{\"person\":\"generic:nobody\",\"delta\":2,\"reason\":\"x\","
                           "\"ref\":\"x\"}",
                           404));
    json_decref(
        admin_json(s.port, "POST", "/admin/api/points",
                   "{\"person\":\"generic:u-1\",\"delta\":0,\"reason\":\"x\",\"ref\":\"x\"}", 400));
    json_decref(admin_json(s.port, "POST", "/admin/api/points", "{\"person\":\"u-1\"}", 400));
    j = admin_json(s.port, "GET", "/admin/api/points/generic:u-1", NULL, 200);
    CHECK_INT(json_integer_value(json_object_get(j, "balance")), 10);
    CHECK_INT(json_array_size(json_object_get(j, "entries")), 2);
    json_decref(j);
    json_decref(admin_json(s.port, "GET", "/admin/api/points/generic:nobody", NULL, 404));
    char *r = say_to(s.port, "p-2", "u-1", "积分");
    CHECK_HAS(r, "你有 10 分");
    CHECK_HAS(r, "-2 更正");
    free(r);
    check_status(s.port, "GET", "/admin/api/points/generic:u-1", NULL, NULL, 401, NULL);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_courses_cancel_refund_promotion_push(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    json_decref(admin_json(s.port, "POST", "/admin/api/courses",
                           "{\"title\":\"智能手机\",\"place\":\"驿站\",\"start\":\"2099-05-01 "
                           "09:00\",\"end\":\"2099-05-01 11:00\",\"capacity\":1,\"cost\":5,"
                           "\"deadline\":\"2099-04-30 18:00\"}",
                           201));
    json_decref(admin_json(s.port, "POST", "/admin/api/courses",
                           "{\"title\":\"x\",\"place\":\"y\",\"start\":\"2099-05-01 09:00\","
                           "\"end\":\"2099-05-01 08:00\",\"capacity\":1}",
                           400));
    free(say_to(s.port, "c-0", "a", "积分"));
    free(say_to(s.port, "c-1", "b", "积分"));
    json_decref(admin_json(s.port, "POST", "/admin/api/points",
                           "{\"person\":\"generic:a\",\"delta\":5,\"reason\":\"r\",\"ref\":\"1\"}",
                           201));
    json_decref(admin_json(s.port, "POST", "/admin/api/points",
                           "{\"person\":\"generic:b\",\"delta\":5,\"reason\":\"r\",\"ref\":\"1\"}",
                           201));
    char *r = say_to(s.port, "c-2", "a", "报名 1");
    CHECK_HAS(r, "已扣 5 积分");
    free(r);
    r = say_to(s.port, "c-3", "b", "报名 1");
    CHECK_HAS(r, "第 1 位");
    free(r);
    r = say_to(s.port, "c-4", "a", "取消 1");
    CHECK_HAS(r, "已退回 5 积分");
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM outbox WHERE idem_key='offer:c1:b2'"
                           " AND klass='transactional'"),
              1);
    r = say_to(s.port, "c-5", "b", "确认");
    CHECK_HAS(r, "确认成功");
    free(r);
    CHECK_INT(db_count(&s, "SELECT sum(delta) FROM points WHERE person_id="
                           "(SELECT id FROM people WHERE ext_id='b')"),
              0);
    /* attendance by the admin */
    json_decref(admin_json(s.port, "POST", "/admin/api/courses/1/attendance",
                           "{\"person\":\"generic:b\"}", 200));
    json_decref(admin_json(s.port, "POST", "/admin/api/courses/1/attendance",
                           "{\"person\":\"generic:a\"}", 404));
    CHECK_INT(db_count(&s, "SELECT count(*) FROM bookings WHERE attended_ms IS NOT NULL"), 1);
    /* the admin cancels the course: b is refunded and told */
    json_t *j = admin_json(s.port, "POST", "/admin/api/courses/1/cancel", "", 200);
    CHECK_INT(json_integer_value(json_object_get(j, "bookings_cancelled")), 1);
    json_decref(j);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM outbox WHERE idem_key LIKE 'course-cancelled:%'"),
              1);
    CHECK_INT(db_count(&s, "SELECT sum(delta) FROM points WHERE person_id="
                           "(SELECT id FROM people WHERE ext_id='b')"),
              5);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_courses_activity_checkin(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    json_t *a = admin_json(s.port, "POST", "/admin/api/activities",
                           "{\"title\":\"社区志愿服务\",\"code\":\"k7q2\",\"start\":0,"
                           "\"end\":\"2099-01-01 00:00\",\"points\":8}",
                           201);
    CHECK_STR(json_string_value(json_object_get(a, "code")), "K7Q2");
    json_decref(a);
    json_decref(admin_json(s.port, "POST", "/admin/api/activities",
                           "{\"title\":\"again\",\"code\":\"K7Q2\",\"start\":0,"
                           "\"end\":\"2099-01-01 00:00\"}",
                           409));
    json_decref(admin_json(s.port, "POST", "/admin/api/activities",
                           "{\"title\":\"bad\",\"code\":\"K0Q1\",\"start\":0,"
                           "\"end\":\"2099-01-01 00:00\"}",
                           400));
    char *r = say_to(s.port, "k-1", "u-1", "签到 K7Q2");
    CHECK_HAS(r, "获得 8 积分");
    free(r);
    r = say_to(s.port, "k-2", "u-1", "签到 k7q2");
    CHECK_HAS(r, "已签到过");
    free(r);
    r = say_to(s.port, "k-1", "u-1", "签到 K7Q2"); /* a platform retry: the same answer */
    CHECK_HAS(r, "获得 8 积分");
    free(r);
    CHECK_INT(db_count(&s, "SELECT sum(delta) FROM points"), 8);
    r = say_to(s.port, "k-3", "u-1", "签到 ZZZZ");
    CHECK_HAS(r, "不对");
    free(r);
    json_t *l = admin_json(s.port, "GET", "/admin/api/activities", NULL, 200);
    CHECK_INT(json_integer_value(
                  json_object_get(json_array_get(json_object_get(l, "items"), 0), "checkins")),
              1);
    json_decref(l);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* o has exactly the keys of spec ("name:t ...", t: i integer, s string,
 * n null), each of that JSON type: the admin API's wire shape. */
static void check_shape(const char *what, json_t *o, const char *spec)
{
    char buf[600];
    size_t want = 0;
    snprintf(buf, sizeof buf, "%s", spec);
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *colon = strchr(tok, ':');
        *colon = '\0';
        json_t *v = json_object_get(o, tok);
        bool ok = colon[1] == 'i'   ? json_is_integer(v)
                  : colon[1] == 's' ? json_is_string(v)
                                    : json_is_null(v);
        if (!ok) {
            printf("%s: %s: '%s' is not of type %c\n", t_current, what, tok, colon[1]);
            t_failed++;
        }
        want++;
    }
    if (json_object_size(o) != want) {
        char *d = json_dumps(o, JSON_SORT_KEYS);
        printf("%s: %s: %zu keys, want %zu: %s\n", t_current, what, json_object_size(o), want, d);
        free(d);
        t_failed++;
    }
}

#define COURSE_SHAPE                                                                               \
    "id:i no:i title:s provider:s place:s start_ms:i end_ms:i capacity:i cost:i deadline_ms:i"     \
    " description:s created_ms:i taken:i waiting:i checkin_code:s"

/* Every admin GET of courses, bookings, activities, items and redemptions
 * answers exactly the keys and types it always has (docs/api-courses.md;
 * the dashboard reads them), nullable columns as null. */
static void test_courses_admin_wire_shape(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    json_decref(admin_json(s.port, "POST", "/admin/api/courses",
                           "{\"title\":\"智能手机\",\"place\":\"驿站\",\"start\":\"2099-05-01 "
                           "09:00\",\"end\":\"2099-05-01 11:00\",\"capacity\":1,\"cost\":5}",
                           201));
    json_decref(admin_json(s.port, "POST", "/admin/api/items",
                           "{\"name\":\"保温杯\",\"cost\":3,\"stock\":2}", 201));
    json_decref(admin_json(s.port, "POST", "/admin/api/activities",
                           "{\"title\":\"志愿\",\"start\":0,\"end\":\"2099-01-01 00:00\"}", 201));
    free(say_to(s.port, "w-0", "a", "积分"));
    free(say_to(s.port, "w-1", "b", "积分"));
    json_decref(admin_json(s.port, "POST", "/admin/api/points",
                           "{\"person\":\"generic:a\",\"delta\":20,\"reason\":\"r\",\"ref\":\"1\"}",
                           201));
    json_decref(admin_json(s.port, "POST", "/admin/api/points",
                           "{\"person\":\"generic:b\",\"delta\":9,\"reason\":\"r\",\"ref\":\"1\"}",
                           201));
    free(say_to(s.port, "w-2", "a", "报名 1"));
    free(say_to(s.port, "w-3", "b", "报名 1"));
    free(say_to(s.port, "w-4", "a", "兑换 1"));
    json_t *j = admin_json(s.port, "GET", "/admin/api/courses", NULL, 200);
    check_shape("courses", json_array_get(json_object_get(j, "items"), 0),
                COURSE_SHAPE " cancelled_ms:n owner:s");
    CHECK_INT(json_array_size(json_object_get(j, "items")), 1);
    json_decref(j);
    j = admin_json(s.port, "GET", "/admin/api/courses/1", NULL, 200);
    check_shape("course", j, COURSE_SHAPE " cancelled_ms:n");
    CHECK_INT(json_integer_value(json_object_get(j, "taken")), 1);
    CHECK_INT(json_integer_value(json_object_get(j, "waiting")), 1);
    json_decref(j);
    j = admin_json(s.port, "GET", "/admin/api/courses/1/bookings", NULL, 200);
    json_t *bk = json_object_get(j, "bookings");
    CHECK_INT(json_array_size(bk), 2);
    check_shape("seat", json_array_get(bk, 0),
                "id:i person:s name:s status:s position:n cost:i paid_ref:s created_ms:i"
                " seat_ms:i offer_until_ms:n attended_ms:n updated_ms:i");
    check_shape("waiting", json_array_get(bk, 1),
                "id:i person:s name:s status:s position:i cost:i paid_ref:n created_ms:i"
                " seat_ms:n offer_until_ms:n attended_ms:n updated_ms:i");
    CHECK_STR(json_string_value(json_object_get(json_array_get(bk, 1), "person")), "generic:b");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(bk, 1), "position")), 1);
    json_decref(j);
    j = admin_json(s.port, "GET", "/admin/api/activities", NULL, 200);
    json_t *acts = json_object_get(j, "items");
    CHECK_INT(json_array_size(acts), 2);
    for (size_t i = 0; i < json_array_size(acts); i++) {
        json_t *a = json_array_get(acts, i);
        bool of_course = json_is_integer(json_object_get(a, "course_id"));
        check_shape("activity", a,
                    of_course ? "id:i title:s kind:s code:s start_ms:i end_ms:i points:i"
                                " course_id:i created_ms:i checkins:i"
                              : "id:i title:s kind:s code:s start_ms:i end_ms:i points:i"
                                " course_id:n created_ms:i checkins:i");
    }
    json_decref(j);
    const char *item = "id:i name:s description:s cost:i stock:i active:i created_ms:i";
    j = admin_json(s.port, "GET", "/admin/api/items", NULL, 200);
    check_shape("item", json_array_get(json_object_get(j, "items"), 0), item);
    json_decref(j);
    j = admin_json(s.port, "POST", "/admin/api/items/1", "{\"active\":false}", 200);
    check_shape("item post", j, item);
    CHECK_INT(json_integer_value(json_object_get(j, "active")), 0);
    CHECK_INT(json_integer_value(json_object_get(j, "stock")), 1);
    json_decref(j);
    const char *red = "id:i item_id:i item:s person:s name:s cost:i created_ms:i";
    char spec[200];
    j = admin_json(s.port, "GET", "/admin/api/redemptions", NULL, 200);
    snprintf(spec, sizeof spec, "%s picked_ms:n", red);
    check_shape("redemption", json_array_get(json_object_get(j, "items"), 0), spec);
    json_decref(j);
    json_decref(admin_json(s.port, "POST", "/admin/api/redemptions/1/picked", "", 200));
    j = admin_json(s.port, "GET", "/admin/api/redemptions", NULL, 200);
    snprintf(spec, sizeof spec, "%s picked_ms:i", red);
    check_shape("redemption picked", json_array_get(json_object_get(j, "items"), 0), spec);
    json_decref(j);
    json_decref(admin_json(s.port, "POST", "/admin/api/courses/1/cancel", "", 200));
    j = admin_json(s.port, "GET", "/admin/api/courses/1", NULL, 200);
    check_shape("cancelled course", j, COURSE_SHAPE " cancelled_ms:i");
    json_decref(j);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

const struct t_case it_courses_tests[] = {
    T(test_courses_last_seat_race_50),
    T(test_courses_redeem_stock_race_50),
    T(test_courses_admin_points_api),
    T(test_courses_cancel_refund_promotion_push),
    T(test_courses_activity_checkin),
    T(test_courses_admin_wire_shape),
    T_END,
};
