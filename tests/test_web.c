/*
 * test_web.c - the dashboard's pieces that need no server: the static path
 * check, cookies, sessions with idle expiry, token roles, the role rules for
 * courses and points budgets, the daily stats and rule suggestions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "dashboard.h"
#include "handler.h"
#include "intent.h"
#include "store.h"
#include "store_int.h" /* store_exec, for rows no route writes */
#include "t.h"
#include "util.h"
#include "web.h"

static void test_web_static_path_refuses(void)
{
    char out[256];
    static const char *const bad[] = {
        "../bot.conf", "a/../../x.html", "/etc/passwd", ".git/config", "a/.hidden.js",
        "x//y.js",     "app",            "app.exe",     "app.js/",     "a b.js",
        "%2e%2e/x.js", "a\\b.js",        "..",          ".",           "index.html?x=1",
        "dir/",        "x.c",            "bot.conf",    "app.js.bak",  NULL};
    for (int i = 0; bad[i]; i++) {
        if (web_static_path("web", bad[i], out, sizeof out) != NULL) {
            printf("accepted %s\n", bad[i]);
            CHECK(0);
        }
    }
    char longp[200];
    memset(longp, 'a', sizeof longp);
    memcpy(longp + sizeof longp - 6, ".html", 6);
    CHECK(web_static_path("web", longp, out, sizeof out) == NULL);
}

static void test_web_static_path_types(void)
{
    char out[256];
    CHECK_STR(web_static_path("web", "", out, sizeof out), "text/html; charset=utf-8");
    CHECK_STR(out, "web/index.html");
    CHECK_STR(web_static_path("web", "app.js", out, sizeof out), "text/javascript; charset=utf-8");
    CHECK_STR(web_static_path("web", "app.css", out, sizeof out), "text/css; charset=utf-8");
    CHECK_STR(web_static_path("w", "img/a-b_c.png", out, sizeof out), "image/png");
    CHECK_STR(out, "w/img/a-b_c.png");
}

static void test_web_static_read_stays_inside(void)
{
    char dir[] = "/tmp/yizhan-web-XXXXXX", path[300], out[300];
    size_t len = 0;
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/web", dir);
    CHECK_INT(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/secret.txt", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("secret", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/web/ok.txt", dir);
    f = fopen(path, "w");
    fputs("hello", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/web/link.txt", dir);
    snprintf(out, sizeof out, "%s/secret.txt", dir);
    CHECK_INT(symlink(out, path), 0);
    snprintf(path, sizeof path, "%s/web", dir);
    CHECK(web_static_path(path, "ok.txt", out, sizeof out) != NULL);
    char *data = web_static_read(path, out, &len);
    CHECK_STR(data ? data : "(null)", "hello");
    CHECK_INT((int)len, 5);
    free(data);
    CHECK(web_static_path(path, "link.txt", out, sizeof out) != NULL);
    CHECK(web_static_read(path, out, &len) == NULL); /* a symlink out of the folder */
    CHECK(web_static_path(path, "none.txt", out, sizeof out) != NULL);
    CHECK(web_static_read(path, out, &len) == NULL);
    snprintf(out, sizeof out, "rm -rf '%s'", dir);
    CHECK_INT(system(out), 0);
}

static void test_web_cookie_parse(void)
{
    char v[WEB_ID_HEX];
    CHECK_INT(web_cookie("a=1; yz_sid=abc; b=2", "yz_sid", v, sizeof v), 0);
    CHECK_STR(v, "abc");
    CHECK_INT(web_cookie("yz_sid=x", "yz_sid", v, sizeof v), 0);
    CHECK_STR(v, "x");
    CHECK_INT(web_cookie("xyz_sid=1; yz_side=2", "yz_sid", v, sizeof v), -1);
    CHECK_INT(web_cookie("", "yz_sid", v, sizeof v), -1);
    char big[200];
    memset(big, 'a', sizeof big);
    memcpy(big, "yz_sid=", 7);
    big[sizeof big - 1] = '\0';
    CHECK_INT(web_cookie(big, "yz_sid", v, sizeof v), -1); /* longer than an id */
}

static void test_web_session_idle_expiry(void)
{
    struct websess *ws = websess_new(60000);
    char id[WEB_ID_HEX], csrf[WEB_ID_HEX], got[WEB_ID_HEX];
    CHECK_INT(websess_open(ws, ADMIN_ROLE_DESK, 1000, id, csrf), 0);
    CHECK_INT((int)strlen(id), 64);
    CHECK(strcmp(id, csrf) != 0);
    CHECK_STR(websess_check(ws, id, 50000, got), ADMIN_ROLE_DESK);
    CHECK_STR(got, csrf);
    CHECK_STR(websess_check(ws, id, 100000, NULL), ADMIN_ROLE_DESK); /* refreshed at 50 s */
    CHECK(websess_check(ws, id, 160001, NULL) == NULL);             /* idle over a minute */
    CHECK_INT(websess_count(ws, 160001), 0);
    CHECK_INT(websess_open(ws, ADMIN_ROLE_UNION, 200000, id, csrf), 0);
    CHECK(websess_check(ws, csrf, 200000, NULL) == NULL); /* the csrf value is no session id */
    CHECK(websess_check(ws, "short", 200000, NULL) == NULL);
    websess_close(ws, id);
    CHECK(websess_check(ws, id, 200000, NULL) == NULL);
    websess_free(ws);
}

static void test_web_token_roles(void)
{
    struct conf c;
    struct buf errs;
    char *sets[] = {"admin.token=s3-super-token-0001", "admin.union_token=u3-union-token-0001",
                    "admin.desk_token="};
    buf_init(&errs, 0);
    CHECK_INT(conf_load(&c, NULL, sets, 3, &errs), 0);
    CHECK_STR(web_token_role(&c, "s3-super-token-0001"), ADMIN_ROLE_SUPER);
    CHECK_STR(web_token_role(&c, "u3-union-token-0001"), ADMIN_ROLE_UNION);
    CHECK(web_token_role(&c, "") == NULL); /* an empty desk token never matches */
    CHECK(web_token_role(&c, "s") == NULL);
    CHECK(web_token_role(&c, NULL) == NULL);
    CHECK(web_admin_on(&c));
    conf_release(&c);
    buf_release(&errs);
}

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
};

static int fx_init(struct fx *f)
{
    struct buf errs;
    char *sets[] = {"admin.union_points_budget=100"};
    memset(f, 0, sizeof *f);
    buf_init(&errs, 0);
    int rc = conf_load(&f->c, NULL, sets, 1, &errs);
    f->app.conf = &f->c;
    f->app.intents = t_intents(&errs);
    f->st = store_open(":memory:", false);
    if (f->app.intents == NULL || f->st == NULL)
        rc = -1;
    CHECK_STR(errs.data ? errs.data : "", "");
    buf_release(&errs);
    return rc;
}

static void fx_release(struct fx *f)
{
    store_close(f->st);
    t_intents_free(f->app.intents);
    conf_release(&f->c);
}

static struct admin_req req_as(const char *method, const char *path, const char *body,
                               const char *role)
{
    struct admin_req rq = {.method = method, .path = path, .body = body, .len = strlen(body),
                           .role = role};
    return rq;
}

static json_t *answer(struct fx *f, const char *role, const char *method, const char *path,
                      const char *body, int want)
{
    struct http_resp resp = {0};
    json_t *q = json_object();
    struct admin_req rq = req_as(method, path, body, role);
    rq.query = q;
    CHECK_INT(admin_handle(&f->app, f->st, 1700000000000LL, &rq, &resp), 0);
    if (resp.status != want)
        printf("%s %s as %s: %d %s\n", method, path, role, resp.status, resp.body);
    CHECK_INT(resp.status, want);
    json_t *j = json_loads(resp.body ? resp.body : "null", JSON_DECODE_ANY, NULL);
    http_resp_release(&resp);
    json_decref(q);
    return j;
}

static void test_web_roles_courses_and_budget(void)
{
    struct fx f;
    int64_t id;
    if (fx_init(&f) == -1)
        return;
    const char *course = "{\"title\":\"t\",\"place\":\"p\",\"start\":\"2099-01-01 09:00\","
                         "\"end\":\"2099-01-01 10:00\",\"capacity\":2}";
    json_decref(answer(&f, ADMIN_ROLE_UNION, "POST", "/courses", course, 201));
    json_decref(answer(&f, ADMIN_ROLE_DESK, "POST", "/courses", course, 201));
    json_t *l = answer(&f, ADMIN_ROLE_DESK, "GET", "/courses", "", 200);
    CHECK_INT((int)json_array_size(json_object_get(l, "items")), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(l, "items"), 0),
                                                "owner")),
              "desk");
    json_decref(l);
    l = answer(&f, ADMIN_ROLE_SUPER, "GET", "/courses", "", 200);
    CHECK_INT((int)json_array_size(json_object_get(l, "items")), 2);
    json_decref(l);
    json_decref(answer(&f, ADMIN_ROLE_DESK, "GET", "/courses/1", "", 404)); /* the union's */
    json_decref(answer(&f, ADMIN_ROLE_DESK, "POST", "/courses/1/cancel", "", 404));
    json_decref(answer(&f, ADMIN_ROLE_UNION, "GET", "/courses/1/bookings", "", 200));
    json_decref(answer(&f, ADMIN_ROLE_DESK, "POST", "/courses",
                       "{\"title\":\"t\",\"place\":\"p\",\"start\":\"2099-01-01 09:00\","
                       "\"end\":\"2099-01-01 10:00\",\"capacity\":2,\"owner\":\"union\"}",
                       403));
    /* budgets: 100 a month for the union office; a correction needs none */
    CHECK_INT(store_person_ensure(f.st, "generic", "u-1", "张", 1700000000000LL, &id), 0);
#define CREDIT(ref) "{\"person\":\"generic:u-1\",\"delta\":60,\"reason\":\"r\",\"ref\":\"" ref "\"}"
    json_decref(answer(&f, ADMIN_ROLE_UNION, "POST", "/points", CREDIT("a"), 201));
    json_decref(answer(&f, ADMIN_ROLE_UNION, "POST", "/points", CREDIT("a"), 200)); /* a retry */
    json_decref(answer(&f, ADMIN_ROLE_UNION, "POST", "/points", CREDIT("b"), 403));
    json_decref(answer(&f, ADMIN_ROLE_DESK, "POST", "/points", CREDIT("b"), 201)); /* its own */
#undef CREDIT
    json_decref(answer(&f, ADMIN_ROLE_SUPER, "POST", "/points",
                       "{\"person\":\"generic:u-1\",\"delta\":100000,\"reason\":\"r\","
                       "\"ref\":\"c\"}",
                       201));
    json_t *b = answer(&f, ADMIN_ROLE_UNION, "GET", "/budget", "", 200);
    CHECK_INT((int)json_integer_value(json_object_get(b, "used")), 60);
    CHECK_INT((int)json_integer_value(json_object_get(b, "left")), 40);
    json_decref(b);
    fx_release(&f);
}

static void test_web_stats_days(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        return;
    CHECK_INT(store_exec(f.st, "INSERT INTO broadcasts(id, text, audience, at_ms, spread_ms,"
                               " recipients, sms_parts, created_ms, cancelled_ms) VALUES"
                               " (1, '明天培训', 'all', 5000, 0, 2, 1, 4000, NULL),"
                               " (2, '取消了', 'tag:骑手', 6000, 0, 0, 1, 5500, 5600)"),
              0);
    /* one person and one message today (answer()'s now), none before */
    CHECK_INT(store_exec(f.st, "INSERT INTO people(id, channel, ext_id, created_ms, last_seen_ms)"
                               " VALUES (1, 'generic', 'u-1', 1700000000000, 1700000000000);"
                               "INSERT INTO inbound(channel, ext_id, person_id, replies,"
                               " created_ms) VALUES ('generic', 'm-1', 1, '[]', 1700000000000)"),
              0);
    json_t *s = answer(&f, ADMIN_ROLE_SUPER, "GET", "/stats", "", 200);
    CHECK_INT((int)json_array_size(json_object_get(s, "days")), 30);
    CHECK_INT((int)json_array_size(json_object_get(s, "messages")), 30);
    CHECK_INT((int)json_integer_value(json_array_get(json_object_get(s, "messages"), 29)), 1);
    CHECK_INT((int)json_integer_value(json_array_get(json_object_get(s, "people"), 29)), 1);
    CHECK_INT((int)json_integer_value(json_array_get(json_object_get(s, "messages"), 28)), 0);
    CHECK_INT((int)json_integer_value(json_array_get(json_object_get(s, "pushes"), 29)), 0);
    /* the wire shape of the figures and the broadcasts, key for key */
    json_t *want = json_pack("{s:i,s:i,s:i,s:i}", "seats_booked", 0, "broadcasts_going", 0,
                             "pushes_waiting", 0, "unknown", 0);
    CHECK(json_equal(json_object_get(s, "now"), want));
    json_decref(want);
    want = json_loads("[{\"id\":2,\"text\":\"取消了\",\"audience\":\"tag:骑手\",\"at_ms\":6000,"
                      "\"recipients\":0,\"sms_parts\":1,\"created_ms\":5500,\"cancelled_ms\":5600},"
                      "{\"id\":1,\"text\":\"明天培训\",\"audience\":\"all\",\"at_ms\":5000,"
                      "\"recipients\":2,\"sms_parts\":1,\"created_ms\":4000,\"cancelled_ms\":null}]",
                      0, NULL);
    CHECK(want != NULL && json_equal(json_object_get(s, "broadcasts"), want));
    json_decref(want);
    json_decref(s);
    json_decref(answer(&f, ADMIN_ROLE_SUPER, "POST", "/stats", "", 405));
    fx_release(&f);
}

static void test_web_unknown_suggest(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        return;
    json_t *items = json_pack("[{s:s},{s:s},{s:s}]", "text", "我想查一下积分呀", "text",
                              "外卖超时(被罚)?", "text", "");
    dashboard_unknown_suggest(&f.app, items);
    json_t *s0 = json_object_get(json_array_get(items, 0), "suggest");
    CHECK_STR(json_string_value(json_object_get(s0, "intent")), "points.balance");
    CHECK_STR(json_string_value(json_object_get(s0, "matched")), "积分");
    json_t *s1 = json_object_get(json_array_get(items, 1), "suggest");
    CHECK(json_is_null(json_object_get(s1, "intent")) || json_object_get(s1, "intent") == NULL);
    CHECK_STR(json_string_value(json_object_get(s1, "rule")), "INTENT  ^(?:外卖超时\\(被罚\\))$");
    json_decref(items);
    fx_release(&f);
}

const struct t_case web_tests[] = {T(test_web_static_path_refuses),
                                   T(test_web_static_path_types),
                                   T(test_web_static_read_stays_inside),
                                   T(test_web_cookie_parse),
                                   T(test_web_session_idle_expiry),
                                   T(test_web_token_roles),
                                   T(test_web_roles_courses_and_budget),
                                   T(test_web_stats_days),
                                   T(test_web_unknown_suggest),
                                   T_END};
