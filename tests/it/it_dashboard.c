/*
 * it_dashboard.c - integration tests of the dashboard against the real
 * server: static files under [admin] web_dir and nothing else, sign-in with
 * a session cookie, CSRF on changes from a cookie session (bearer callers
 * unchanged), sign-out, and the roles' courses and points budgets.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "it.h"
#include "t.h"
#include "util.h"

static const char *const sets[] = {"admin.token=sup-token-0123456789",         "admin.union_token=uni-token-0123456789",
                                   "admin.desk_token=dsk-token-0123456789",     "admin.union_points_budget=50",
                                   "admin.web_dir=web",        NULL};

static void want_status(int port, const char *method, const char *path, const char *body,
                        const char *const *headers, long want)
{
    struct hresp r = hrequest(port, method, path, body, headers);
    if (r.status != want) {
        printf("%s: %s %s: got %ld %s, want %ld\n", t_current, method, path, r.status, r.body,
               want);
        t_failed++;
    }
    hresp_release(&r);
}

/* Sign in as a new staff account of role (made with the super token): the
 * "Cookie: yz_sid=..." header into cookie, the "X-CSRF-Token: ..." header
 * into csrf; the cookie's attributes are checked. 0 or -1. */
static int sign_in(int port, const char *role, char *cookie, size_t cn, char *csrf, size_t xn)
{
    char body[200], user[32];
    const char *const sup[] = {"Authorization: Bearer sup-token-0123456789", NULL};
    snprintf(user, sizeof user, "u-%s", role);
    snprintf(body, sizeof body,
             "{\"username\":\"%s\",\"display\":\"D\",\"org\":\"union\",\"role\":\"%s\","
             "\"password\":\"pw-%s-0123\"}",
             user, role, user);
    struct hresp r = hrequest(port, "POST", "/admin/api/staff", body, sup);
    hresp_release(&r);
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"pw-%s-0123\"}", user, user);
    r = hrequest(port, "POST", "/admin/login", body, NULL);
    int rc = -1;
    const char *sc = strstr(r.headers, "Set-Cookie: yz_sid=");
    json_t *j = json_loads(r.body, 0, NULL);
    const char *x = json_string_value(json_object_get(j, "csrf"));
    if (r.status == 200 && sc != NULL && x != NULL && cn >= 120 && xn >= 120) {
        CHECK(strstr(sc, "HttpOnly") != NULL);
        CHECK(strstr(sc, "SameSite=Strict") != NULL);
        CHECK(strstr(sc, "Path=/admin") != NULL);
        snprintf(cookie, cn, "Cookie: yz_sid=%.64s", sc + strlen("Set-Cookie: yz_sid="));
        snprintf(csrf, xn, "X-CSRF-Token: %s", x);
        rc = 0;
    }
    json_decref(j);
    hresp_release(&r);
    return rc;
}

static void test_dashboard_static_files_only(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    struct hresp r = hrequest(s.port, "GET", "/admin/", NULL, NULL);
    CHECK_INT((int)r.status, 200);
    CHECK(strstr(r.headers, "Content-Type: text/html; charset=utf-8") != NULL);
    CHECK(strstr(r.headers, "Content-Security-Policy: default-src 'self'") != NULL);
    CHECK(strstr(r.body, "app.js") != NULL);
    hresp_release(&r);
    r = hrequest(s.port, "GET", "/admin/app.js", NULL, NULL);
    CHECK_INT((int)r.status, 200);
    CHECK(strstr(r.headers, "Content-Type: text/javascript") != NULL);
    hresp_release(&r);
    r = hrequest(s.port, "GET", "/admin", NULL, NULL);
    CHECK_INT((int)r.status, 301);
    CHECK(strstr(r.headers, "Location: /admin/") != NULL);
    hresp_release(&r);
    static const char *const bad[] = {"/admin/../Makefile",        "/admin/..%2fMakefile",
                                      "/admin/%2e%2e/Makefile",    "/admin//etc/passwd",
                                      "/admin/.git/config",        "/admin/../bot/http.c",
                                      "/admin/web/../../Makefile", "/admin/nothing.html",
                                      "/admin/app.js.orig",        NULL};
    for (int i = 0; bad[i]; i++)
        want_status(s.port, "GET", bad[i], NULL, NULL, 404);
    want_status(s.port, "POST", "/admin/index.html", "x", NULL, 405);
    server_stop(&s, SIGTERM);
    server_cleanup(&s);
}

static void test_dashboard_session_and_csrf(void)
{
    struct server s;
    char cookie[120], csrf[120];
    CHECK_INT(server_start(&s, sets), 0);
    /* a machine client's token is no sign-in: accounts only */
    want_status(s.port, "POST", "/admin/login", "{\"token\":\"uni-token-0123456789\"}", NULL,
                400);
    want_status(s.port, "POST", "/admin/login", "not json", NULL, 400);
    want_status(s.port, "GET", "/admin/login", NULL, NULL, 405);
    CHECK_INT(sign_in(s.port, "union", cookie, sizeof cookie, csrf, sizeof csrf), 0);
    const char *const with_cookie[] = {cookie, NULL};
    const char *const with_both[] = {cookie, csrf, NULL};
    const char *const wrong_csrf[] = {cookie, "X-CSRF-Token: 00", NULL};
    struct hresp r = hrequest(s.port, "GET", "/admin/api/me", NULL, with_cookie);
    CHECK(strstr(r.body, "\"role\":\"union\"") != NULL);
    CHECK(strstr(r.body, csrf + strlen("X-CSRF-Token: ")) != NULL);
    hresp_release(&r);
    want_status(s.port, "GET", "/admin/api/stats", NULL, with_cookie, 200);
    const char *course = "{\"title\":\"t\",\"place\":\"p\",\"start\":\"2099-01-01 09:00\","
                         "\"end\":\"2099-01-01 10:00\",\"capacity\":2}";
    want_status(s.port, "POST", "/admin/api/courses", course, with_cookie, 403);
    want_status(s.port, "POST", "/admin/api/courses", course, wrong_csrf, 403);
    want_status(s.port, "POST", "/admin/api/courses", course, with_both, 201);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM courses WHERE owner='union'"), 1);
    /* scripts with a bearer token need no CSRF value */
    const char *const bearer[] = {"Authorization: Bearer sup-token-0123456789", NULL};
    want_status(s.port, "POST", "/admin/api/courses", course, bearer, 201);
    /* a bad bearer token is refused even with a good cookie */
    const char *const both_bad[] = {cookie, csrf, "Authorization: Bearer nope", NULL};
    want_status(s.port, "GET", "/admin/api/stats", NULL, both_bad, 401);
    want_status(s.port, "POST", "/admin/logout", NULL, with_cookie, 403);
    want_status(s.port, "POST", "/admin/logout", NULL, with_both, 200);
    want_status(s.port, "GET", "/admin/api/stats", NULL, with_cookie, 401);
    r = hrequest(s.port, "GET", "/admin/api/me", NULL, with_cookie);
    CHECK_STR(r.body, "{\"role\":null}");
    hresp_release(&r);
    const char *const forged[] = {"Cookie: yz_sid=0123", NULL};
    want_status(s.port, "GET", "/admin/api/stats", NULL, forged, 401);
    server_stop(&s, SIGTERM);
    server_cleanup(&s);
}

static void test_dashboard_roles(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    const char *const uni[] = {"Authorization: Bearer uni-token-0123456789", NULL};
    const char *const dsk[] = {"Authorization: Bearer dsk-token-0123456789", NULL};
    const char *course = "{\"title\":\"t\",\"place\":\"p\",\"start\":\"2099-01-01 09:00\","
                         "\"end\":\"2099-01-01 10:00\",\"capacity\":2}";
    want_status(s.port, "POST", "/admin/api/courses", course, uni, 201);
    want_status(s.port, "GET", "/admin/api/courses/1", NULL, dsk, 404);
    want_status(s.port, "GET", "/admin/api/courses/1/bookings?format=csv", NULL, dsk, 404);
    want_status(s.port, "GET", "/admin/api/courses/1/bookings?format=csv", NULL, uni, 200);
    want_status(s.port, "GET", "/admin/api/lessons", NULL, dsk, 200); /* shared */
    free(say_to(s.port, "m-1", "u-1", "积分"));
    const char *p1 = "{\"person\":\"generic:u-1\",\"delta\":40,\"reason\":\"r\",\"ref\":\"x1\"}";
    const char *p2 = "{\"person\":\"generic:u-1\",\"delta\":40,\"reason\":\"r\",\"ref\":\"x2\"}";
    want_status(s.port, "POST", "/admin/api/points", p1, uni, 201);
    want_status(s.port, "POST", "/admin/api/points", p1, uni, 200); /* a retry */
    want_status(s.port, "POST", "/admin/api/points", p2, uni, 403); /* over 50 */
    want_status(s.port, "POST", "/admin/api/points", p2, dsk, 201);
    CHECK_INT(db_count(&s, "SELECT sum(delta) FROM points"), 80);
    want_status(s.port, "GET", "/admin/api/points/generic:u-1", NULL, dsk, 200); /* shared */
    server_stop(&s, SIGTERM);
    server_cleanup(&s);
}

/* The not-understood page teaches a text live: the next message with it is
 * understood without a restart; staff commands and report codes are never
 * suggested as rules nor taught; bad bodies are 4xx and change nothing. */
static void test_dashboard_teach_unknown(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    const char *const sup[] = {"Authorization: Bearer sup-token-0123456789", NULL};
    const char *const uni[] = {"Authorization: Bearer uni-token-0123456789", NULL};
    free(say_to(s.port, "m-1", "u-1", "麻烦把工号告诉我"));
    /* staff commands inside a worker's text, and a report code */
    free(say_to(s.port, "m-2", "u-1", "采纳 sp1 哦哦"));
    free(say_to(s.port, "m-4", "u-1", "接 T12 吧哈哈哈"));
    CHECK_INT(db_count(&s, "SELECT count(*) FROM unknown"), 3);
    struct hresp r = hrequest(s.port, "GET", "/admin/api/unknown?suggest=1", NULL, sup);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "sp1") == NULL || strstr(r.body, "sp1)") == NULL);
    CHECK(strstr(r.body, "admin.report") == NULL && strstr(r.body, "desk.take") == NULL);
    CHECK(strstr(r.body, "t12 ?") == NULL);
    CHECK(strstr(r.body, "\"asked\":false") != NULL);
    hresp_release(&r);

    const char *teach = "{\"text\":\"麻烦把工号告诉我\",\"intent\":\"profile\"}";
    want_status(s.port, "POST", "/admin/api/unknown/teach", teach, uni, 403);
    want_status(s.port, "POST", "/admin/api/unknown/teach", "{\"text\":\"\",\"intent\":\"help\"}",
                sup, 400);
    want_status(s.port, "POST", "/admin/api/unknown/teach", "[1]", sup, 400);
    want_status(s.port, "POST", "/admin/api/unknown/teach",
                "{\"text\":\"麻烦把工号告诉我\",\"intent\":\"admin.report.progress\"}", sup, 400);
    want_status(s.port, "POST", "/admin/api/unknown/teach",
                "{\"text\":\"采纳 sp1 哦哦\",\"intent\":\"help\"}", sup, 400);
    want_status(s.port, "POST", "/admin/api/unknown/teach",
                "{\"text\":\"积分\",\"intent\":\"help\"}", sup, 409);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM taught"), 0);
    want_status(s.port, "GET", "/admin/api/unknown/teach", NULL, sup, 405);
    want_status(s.port, "POST", "/admin/api/unknown/teach", teach, sup, 200);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM taught"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM unknown WHERE text='麻烦把工号告诉我'"), 0);
    /* the same words again: understood at once, by the running process */
    free(say_to(s.port, "m-3", "u-2", "麻烦把工号告诉我"));
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE intent='profile'"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM unknown"), 2);
    server_stop(&s, SIGTERM);
    server_cleanup(&s);
}

const struct t_case it_dashboard_tests[] = {T(test_dashboard_static_files_only),
                                            T(test_dashboard_session_and_csrf),
                                            T(test_dashboard_roles),
                                            T(test_dashboard_teach_unknown), T_END};
