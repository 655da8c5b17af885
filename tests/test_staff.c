/*
 * test_staff.c - issue 18's unit-level checks: Argon2id password strings
 * from libsodium, password and username rules, accounts and linked chats in
 * the store, the audit table refusing UPDATE and DELETE, and a disabled
 * account's dashboard sessions ending at once.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "admin.h"
#include "staff.h"
#include "store.h"
#include "store_int.h"
#include "t.h"
#include "web.h"

static struct store *open_store(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/staff.db", t_tmpdir());
    return store_open(path, false);
}

static void test_staff_password_hash_argon2id(void)
{
    char h[STAFF_HASH_MAX], h2[STAFF_HASH_MAX];
    CHECK_INT(staff_init(), 0);
    CHECK_INT(staff_hash("correct horse battery", h), 0);
    CHECK(strncmp(h, "$argon2id$", 10) == 0);
    CHECK_INT(staff_hash("correct horse battery", h2), 0);
    CHECK(strcmp(h, h2) != 0); /* a fresh salt each time */
    CHECK(staff_verify(h, "correct horse battery"));
    CHECK(!staff_verify(h, "correct horse batterY"));
    CHECK(!staff_verify(h, ""));
    CHECK(!staff_verify("", "x"));
    CHECK(!staff_verify("not-a-hash", "x"));
    CHECK(staff_password_bad("short") != NULL);
    CHECK(staff_password_bad("十个汉字的密码也可以吧") == NULL); /* characters, not bytes */
    CHECK(staff_password_bad(NULL) != NULL);
    CHECK(staff_username_bad("alice.w") == NULL);
    CHECK(staff_username_bad("Alice") != NULL);
    CHECK(staff_username_bad("a") != NULL);
    CHECK(staff_username_bad("x'; DROP TABLE staff;--") != NULL);
}

static void test_staff_accounts_and_chats(void)
{
    struct store *st = open_store();
    struct staff s = {0}, got;
    const char *why = NULL;
    int64_t id = 0, id2 = 0;
    CHECK(st != NULL);
    snprintf(s.username, sizeof s.username, "wang");
    snprintf(s.display, sizeof s.display, "王主任");
    snprintf(s.org, sizeof s.org, "union");
    snprintf(s.role, sizeof s.role, "reports");
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(staff_create(st, &s, "long-enough-pw", 1000, &id, &why), 0);
    CHECK_STR(why, "a report handler (role reports) needs an 'area'; other roles have none");
    snprintf(s.area, sizeof s.area, "east");
    CHECK_INT(staff_create(st, &s, "long-enough-pw", 1000, &id, &why), 1);
    CHECK(why == NULL);
    CHECK_INT(staff_create(st, &s, "long-enough-pw", 1000, &id2, &why), 0); /* taken */
    CHECK(why == NULL);
    snprintf(s.role, sizeof s.role, "boss");
    snprintf(s.username, sizeof s.username, "li");
    CHECK_INT(staff_create(st, &s, "long-enough-pw", 1000, &id2, &why), 0);
    CHECK(why != NULL); /* no such role */
    CHECK_INT(store_staff_get(st, 0, "wang", &got), 1);
    CHECK_INT(got.id, id);
    CHECK_STR(got.area, "east");
    CHECK(staff_verify(got.hash, "long-enough-pw"));
    json_t *chats = json_pack("[s,s]", "telegram:123", "generic:w");
    const char *taken = NULL;
    CHECK_INT(store_staff_chats_set(st, id, chats, &taken), 1);
    CHECK_INT(staff_of_chat(st, "telegram", "123", &got), 1);
    CHECK_STR(got.username, "wang");
    CHECK(staff_may(&got, "POST", "/reports/x/status"));
    CHECK(!staff_may(&got, "GET", "/members"));
    got.disabled = true;
    CHECK(!staff_may(&got, "POST", "/reports/x/status"));
    CHECK_INT(staff_of_chat(st, "telegram", "999", &got), 0);
    json_decref(chats);
    CHECK_INT(store_commit(st), 0);
    store_close(st);
}

/* The audit rows: written, listed with filters, and never changed. */
static void test_audit_append_only(void)
{
    struct store *st = open_store();
    struct audit_row a = {5000, "staff:wang", "POST /reports/*/status", "SP0001", "10.0.0.1", 200};
    struct audit_row b = {6000, "client:admin.token", "GET /tickets/*", "3", "127.0.0.1", 200};
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_audit_add(st, &a), 0);
    CHECK_INT(store_audit_add(st, &b), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(store_exec(st, "UPDATE audit SET actor='nobody'"), -1);
    CHECK_INT(store_exec(st, "DELETE FROM audit"), -1);
    CHECK_INT(store_exec(st, "DELETE FROM audit WHERE id=1"), -1);
    struct audit_entry *v;
    size_t n;
    struct audit_query all = {NULL, NULL, 0, INT64_MAX, 100};
    CHECK_INT(store_audit_list(st, &all, &v, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(v[1].actor, "staff:wang");
        CHECK_STR(v[0].origin, "127.0.0.1");
        CHECK_INT(v[0].status, 200);
    }
    audit_free_all(v, n);
    struct audit_query who = {"staff:wang", NULL, 0, INT64_MAX, 100};
    CHECK_INT(store_audit_list(st, &who, &v, &n), 0);
    CHECK_INT(n, 1);
    audit_free_all(v, n);
    struct audit_query what = {NULL, "tickets", 0, INT64_MAX, 100};
    CHECK_INT(store_audit_list(st, &what, &v, &n), 0);
    CHECK_INT(n, 1);
    audit_free_all(v, n);
    struct audit_query when = {NULL, NULL, 5500, 7000, 100};
    CHECK_INT(store_audit_list(st, &when, &v, &n), 0);
    CHECK_INT(n, 1);
    audit_free_all(v, n);
    store_close(st);
}

static void test_web_sessions_end_with_account(void)
{
    struct websess *ws = websess_new(3600000);
    char a[WEB_ID_HEX], b[WEB_ID_HEX], c[WEB_ID_HEX], csrf[WEB_ID_HEX];
    struct web_who wang = {.role = ADMIN_ROLE_REPORTS,
                           .staff_id = 7,
                           .user = "wang",
                           .area = "east"},
                   li = {.role = ADMIN_ROLE_REPORTS, .staff_id = 8, .user = "li"}, got;
    CHECK_INT(websess_open_who(ws, &wang, 1000, a, csrf), 0);
    CHECK_INT(websess_open_who(ws, &wang, 1001, b, csrf), 0);
    CHECK_INT(websess_open_who(ws, &li, 1002, c, csrf), 0);
    CHECK_STR(websess_who(ws, a, 2000, NULL, &got), ADMIN_ROLE_REPORTS);
    CHECK_STR(got.user, "wang");
    CHECK_STR(got.area, "east");
    websess_end_staff(ws, 7);
    CHECK(websess_check(ws, a, 2000, NULL) == NULL);
    CHECK(websess_check(ws, b, 2000, NULL) == NULL);
    CHECK(websess_who(ws, c, 2000, NULL, &got) != NULL);
    CHECK_STR(got.user, "li");
    websess_free(ws);
}

const struct t_case staff_tests[] = {T(test_staff_password_hash_argon2id),
                                     T(test_staff_accounts_and_chats), T(test_audit_append_only),
                                     T(test_web_sessions_end_with_account), T_END};
