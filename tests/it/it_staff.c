/*
 * it_staff.c - issue 18 against the real server: staff accounts (sign-in by
 * username and password, wrong passwords limited, disabled accounts and
 * their sessions, own password change, the first super admin from the
 * command line), a report handler's area, chat commands bound to linked
 * chats, and the audit trail (rows for API and chat actions, reads of
 * counselling tickets and contacts, filters, CSV, no route to change it).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "it.h"
#include "t.h"

#define SUP "sup-token-0123456789"

static const char *const bearer[] = {"Authorization: Bearer " SUP, NULL};

static long sign_in_as(int port, const char *from, const char *user, const char *pw)
{
    char body[200];
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"%s\"}", user, pw);
    struct hresp r = hrequest_from(port, from, "POST", "/admin/login", body, NULL);
    long st = r.status;
    hresp_release(&r);
    return st;
}

static void test_staff_password_sign_in(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, "admin.fail_limit=4", NULL};
    char ann[120], ann_x[120], bo[120], bo_x[120];
    CHECK_INT(server_start(&s, sets), 0);
    CHECK_INT(it_staff_sign_in(s.port, SUP, "ann", "admin", "", ann, ann_x), 0);
    CHECK_INT(it_staff_sign_in(s.port, SUP, "bo", "union", "", bo, bo_x), 0);
    const char *ann_h[] = {ann, ann_x, NULL}, *bo_h[] = {bo, bo_x, NULL};
    struct hresp r = hrequest(s.port, "GET", "/admin/api/me", NULL, bo_h);
    CHECK_HAS(r.body, "\"user\":\"bo\"");
    CHECK_HAS(r.body, "\"role\":\"union\"");
    hresp_release(&r);
    long long bo_id = db_count(&s, "SELECT id FROM staff WHERE username='bo'");
    char path[64];
    snprintf(path, sizeof path, "/admin/api/staff/%lld", bo_id);
    check_status(s.port, "GET", "/admin/api/stats", NULL, bo_h, 200, NULL);
    /* disabled: the open session ends at once, the right password is refused */
    check_status(s.port, "POST", path, "{\"disabled\":true}", ann_h, 200, NULL);
    check_status(s.port, "GET", "/admin/api/stats", NULL, bo_h, 401, NULL);
    CHECK_INT(sign_in_as(s.port, NULL, "bo", "pw-bo-0123"), 403);
    check_status(s.port, "POST", path, "{\"disabled\":false}", ann_h, 200, NULL);
    CHECK_INT(sign_in_as(s.port, NULL, "bo", "pw-bo-0123"), 200);
    /* the last super admin cannot be disabled */
    snprintf(path, sizeof path, "/admin/api/staff/%lld",
             db_count(&s, "SELECT id FROM staff WHERE username='ann'"));
    check_status(s.port, "POST", path, "{\"disabled\":true}", ann_h, 409, "last super admin");
    /* own password, with the old one; a machine client has none */
    check_status(s.port, "POST", "/admin/api/password",
                 "{\"old\":\"nope-nope-00\",\"new\":"
                 "\"new-pass-0123\"}",
                 ann_h, 403, "old password");
    check_status(s.port, "POST", "/admin/api/password",
                 "{\"old\":\"pw-ann-0123\",\"new\":"
                 "\"short\"}",
                 ann_h, 400, "10 characters");
    check_status(s.port, "POST", "/admin/api/password",
                 "{\"old\":\"pw-ann-0123\",\"new\":"
                 "\"new-pass-0123\"}",
                 ann_h, 200, NULL);
    check_status(s.port, "POST", "/admin/api/password", "{\"old\":\"x\",\"new\":\"y\"}", bearer,
                 400, "machine client");
    CHECK_INT(sign_in_as(s.port, NULL, "ann", "new-pass-0123"), 200);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM staff WHERE pwhash LIKE '$argon2id$%'"), 2);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM staff WHERE pwhash LIKE '%pw-%'"), 0);
    /* wrong passwords: 401 (an unknown name alike), then 429 for the
     * address, even for the right one; another address goes on */
    CHECK_INT(sign_in_as(s.port, "127.0.0.1", "ann", "pw-ann-0123"), 401); /* the old one */
    CHECK_INT(sign_in_as(s.port, "127.0.0.1", "nobody", "whatever-123"), 401);
    CHECK_INT(sign_in_as(s.port, "127.0.0.1", "ann", "guess-guess-1"), 401);
    CHECK_INT(sign_in_as(s.port, "127.0.0.1", "ann", "guess-guess-2"), 401);
    CHECK_INT(sign_in_as(s.port, "127.0.0.1", "ann", "new-pass-0123"), 429);
    CHECK_INT(sign_in_as(s.port, "127.0.0.2", "ann", "new-pass-0123"), 200);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='POST /login' AND"
                           " status=401 AND origin='127.0.0.1'"),
              4);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='POST /login' AND"
                           " actor='anonymous' AND object='nobody'"),
              1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* A fresh install: no token at all, the first super admin made on the
 * command line (password on stdin), then signed in on the dashboard. */
static void test_staff_cli_first_super(void)
{
    struct server s;
    char cmd[600];
    CHECK_INT(server_start(&s, NULL), 0);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    snprintf(cmd, sizeof cmd,
             "printf 'first-pass-0123\\n' | ./yizhan staff add root --role admin --name Root"
             " --set database=%s%s >/dev/null",
             s.db, it_store_args(&s));
    CHECK_INT(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "printf 'short\\n' | ./yizhan staff add two --role admin --set database=%s%s"
             " 2>/dev/null",
             s.db, it_store_args(&s));
    CHECK(system(cmd) != 0);
    CHECK_INT(server_restart(&s, NULL), 0);
    struct hresp r = hrequest(s.port, "POST", "/admin/login",
                              "{\"username\":\"root\",\"password\":\"first-pass-0123\"}", NULL);
    CHECK_INT(r.status, 200);
    char cookie[120] = "";
    const char *sc = r.headers ? strstr(r.headers, "yz_sid=") : NULL;
    if (sc)
        snprintf(cookie, sizeof cookie, "Cookie: %.71s", sc);
    hresp_release(&r);
    const char *h[] = {cookie, NULL};
    check_status(s.port, "GET", "/admin/api/staff", NULL, h, 200, "\"username\":\"root\"");
    /* an account's wire shape, key for key, never its hash */
    r = hrequest(s.port, "GET", "/admin/api/staff", NULL, h);
    json_t *sj = json_loads(r.body ? r.body : "", 0, NULL);
    json_t *s0 = json_array_get(json_object_get(sj, "items"), 0);
    CHECK_INT(json_object_size(s0), 9);
    CHECK_INT(json_integer_value(json_object_get(s0, "id")), 1);
    CHECK_STR(json_string_value(json_object_get(s0, "username")), "root");
    CHECK_STR(json_string_value(json_object_get(s0, "display")), "Root");
    CHECK_STR(json_string_value(json_object_get(s0, "org")), "union");
    CHECK_STR(json_string_value(json_object_get(s0, "role")), "admin");
    CHECK_STR(json_string_value(json_object_get(s0, "area")), "");
    CHECK(json_is_false(json_object_get(s0, "disabled")));
    CHECK(json_integer_value(json_object_get(s0, "created_ms")) > 1000000000000LL);
    CHECK(json_is_array(json_object_get(s0, "chats")) &&
          json_array_size(json_object_get(s0, "chats")) == 0);
    json_decref(sj);
    hresp_release(&r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM staff"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_audit_rows_api_and_chat(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, "generic.secret=" IT_SECRET, NULL};
    char cara[120], cara_x[120], han[120], han_x[120];
    CHECK_INT(server_start(&s, sets), 0);
    free(say_to(s.port, "m-1", "w-1", "随手拍 路灯坏了"));
    free(say_to(s.port, "m-2", "w-2", "随手拍 井盖丢了"));
    free(say_to(s.port, "m-3", "w-3", "心理咨询 最近睡不着很焦虑"));
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports"), 2);
    /* a machine client's change: who, what, on what, from where */
    check_status(s.port, "POST", "/admin/api/reports/SP0001/area", "{\"area\":\"east\"}", bearer,
                 200, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE actor='client:admin.token' AND"
                           " action='POST /reports/*/area' AND object='SP0001' AND"
                           " origin='127.0.0.1' AND status=200 AND at_ms>0"),
              1);
    /* plain reads are not rows; contacts and counselling texts are */
    check_status(s.port, "GET", "/admin/api/stats", NULL, bearer, 200, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='GET /stats'"), 0);
    check_status(s.port, "GET", "/admin/api/members", NULL, bearer, 200, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='GET /members'"), 1);
    CHECK_INT(it_staff_sign_in(s.port, SUP, "cara", "counsel", "", cara, cara_x), 0);
    const char *cara_h[] = {cara, cara_x, NULL};
    check_status(s.port, "GET", "/admin/api/tickets/1", NULL, cara_h, 200, "焦虑");
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE actor='staff:cara' AND"
                           " action='GET /tickets/*' AND object='1'"),
              1);
    /* a refusal by the table is a row too */
    check_status(s.port, "GET", "/admin/api/members", NULL, cara_h, 403, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE actor='staff:cara' AND"
                           " action='GET /members' AND status=403"),
              1);
    /* a report handler: its area only, on the dashboard and in chat */
    CHECK_INT(it_staff_sign_in(s.port, SUP, "han", "reports", "east", han, han_x), 0);
    const char *han_h[] = {han, han_x, NULL};
    long long han_id = db_count(&s, "SELECT id FROM staff WHERE username='han'");
    char path[64];
    snprintf(path, sizeof path, "/admin/api/staff/%lld", han_id);
    check_status(s.port, "POST", path, "{\"chats\":[\"generic:han-chat\"]}", bearer, 200, NULL);
    struct hresp r = hrequest(s.port, "GET", "/admin/api/reports", NULL, han_h);
    CHECK_HAS(r.body, "SP0001");
    CHECK(strstr(r.body, "SP0002") == NULL);
    hresp_release(&r);
    check_status(s.port, "GET", "/admin/api/reports/SP0002", NULL, han_h, 404, NULL);
    check_status(s.port, "POST", "/admin/api/reports/SP0002/status", "{\"status\":\"accepted\"}",
                 han_h, 404, NULL);
    char *reply = say_to(s.port, "c-1", "han-chat", "#受理 SP0001");
    CHECK_HAS(reply, "SP0001");
    free(reply);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE code='SP0001' AND"
                           " status='accepted'"),
              1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_history WHERE actor='staff:han'"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE actor='staff:han' AND"
                           " action='chat admin.report.accept' AND origin='generic'"),
              1);
    free(say_to(s.port, "c-2", "han-chat", "#受理 SP0002")); /* another area's */
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE code='SP0002' AND"
                           " status='received'"),
              1);
    /* a linked account whose role may not change reports: not understood */
    char uo[120], uo_x[120];
    CHECK_INT(it_staff_sign_in(s.port, SUP, "uo", "union", "", uo, uo_x), 0);
    snprintf(path, sizeof path, "/admin/api/staff/%lld",
             db_count(&s, "SELECT id FROM staff WHERE username='uo'"));
    check_status(s.port, "POST", path, "{\"chats\":[\"generic:han-chat\"]}", bearer, 409,
                 "linked to account han");
    check_status(s.port, "POST", path, "{\"chats\":[\"generic:uo-chat\"]}", bearer, 200, NULL);
    reply = say_to(s.port, "c-3", "uo-chat", "#受理 SP0002");
    char *fallback = text_of("fallback");
    CHECK(reply != NULL && strncmp(reply, fallback, 12) == 0);
    free(fallback);
    free(reply);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE code='SP0002' AND"
                           " status='received'"),
              1);
    /* a sender linked to no account: the person's row, never the platform id */
    free(say_to(s.port, "c-4", "w-1", "#受理 SP0002"));
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='chat admin.report.accept'"
                           " AND actor=(SELECT 'person:' || id FROM people WHERE ext_id='w-1')"),
              1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE actor LIKE '%w-1%'"), 0);
    /* the trail: filters, CSV, and no route changes it */
    long long rows = db_count(&s, "SELECT count(*) FROM audit");
    check_status(s.port, "DELETE", "/admin/api/audit", NULL, bearer, 405, NULL);
    check_status(s.port, "POST", "/admin/api/audit", "{}", bearer, 405, NULL);
    check_status(s.port, "POST", "/admin/api/audit/1", "{}", bearer, 404, NULL);
    CHECK(db_count(&s, "SELECT count(*) FROM audit WHERE id<=1") == 1);
    r = hrequest(s.port, "GET", "/admin/api/audit?who=staff:han", NULL, bearer);
    CHECK_HAS(r.body, "chat admin.report.accept");
    CHECK(strstr(r.body, "staff:cara") == NULL);
    /* a row's wire shape: id, at_ms, actor, action, object, origin (null when
     * none), status */
    json_t *aj = json_loads(r.body ? r.body : "", 0, NULL);
    json_t *a0 = json_array_get(json_object_get(aj, "items"), 0);
    CHECK_INT(json_object_size(a0), 7);
    CHECK(json_is_integer(json_object_get(a0, "id")) &&
          json_is_integer(json_object_get(a0, "at_ms")));
    CHECK_STR(json_string_value(json_object_get(a0, "actor")), "staff:han");
    CHECK(json_is_string(json_object_get(a0, "action")));
    CHECK(json_is_string(json_object_get(a0, "object")) ||
          json_is_null(json_object_get(a0, "object")));
    CHECK(json_is_null(json_object_get(a0, "origin")) ||
          json_is_string(json_object_get(a0, "origin")));
    CHECK(json_is_integer(json_object_get(a0, "status")));
    json_decref(aj);
    hresp_release(&r);
    r = hrequest(s.port, "GET", "/admin/api/audit?what=tickets&since=2000-01-01", NULL, bearer);
    CHECK_HAS(r.body, "staff:cara");
    CHECK(strstr(r.body, "members") == NULL);
    hresp_release(&r);
    r = hrequest(s.port, "GET", "/admin/api/audit?until=2000-01-01", NULL, bearer);
    CHECK_STR(r.body, "{\"items\":[]}");
    hresp_release(&r);
    r = hrequest(s.port, "GET", "/admin/api/audit?format=csv", NULL, bearer);
    CHECK_HAS(r.headers, "text/csv");
    /* times local, as in every CSV (csv.h): at_ms is written as "at" */
    CHECK(r.body != NULL &&
          strncmp(r.body, "id,at,actor,action,object,origin,status\r\n", 41) == 0);
    hresp_release(&r);
    CHECK(db_count(&s, "SELECT count(*) FROM audit") >= rows + 3); /* the refused tries */
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* The code pushed to the account's own chat: from the outbox row's text. */
static long long pushed_code(const struct server *s)
{
    return db_count(s, "SELECT CAST(substr(text, instr(text, '码：') + 2, 6) AS INTEGER)"
                       " FROM outbox WHERE idem_key LIKE 'staff-code:%' ORDER BY id DESC LIMIT 1");
}

static long code_sign_in(int port, long long code)
{
    char body[120];
    snprintf(body, sizeof body, "{\"username\":\"dee\",\"code\":\"%06lld\"}", code);
    struct hresp r = hrequest(port, "POST", "/admin/login", body, NULL);
    long st = r.status;
    hresp_release(&r);
    return st;
}

/* Sign-in by a one-time code pushed to the staff member's own linked chat:
 * once only, five minutes, five tries; an unknown name gets the same answer. */
static void test_staff_one_time_code(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, "admin.fail_limit=1000", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    check_status(s.port, "POST", "/admin/api/staff",
                 "{\"username\":\"dee\",\"display\":\"Dee\",\"org\":\"university\",\"role\":"
                 "\"desk\",\"password\":\"pw-dee-0123\",\"chats\":[\"generic:dee-chat\"]}",
                 bearer, 201, NULL);
    check_status(s.port, "POST", "/admin/login/code", "{\"username\":\"dee\"}", NULL, 200, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM outbox o JOIN people p ON p.id=o.person_id"
                           " WHERE p.ext_id='dee-chat' AND o.idem_key LIKE 'staff-code:%'"),
              1);
    long long code = pushed_code(&s);
    CHECK(code >= 0);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM staff_codes WHERE code_hash LIKE '%' ||"
                           " (SELECT substr(text, instr(text, '码：') + 2, 6) FROM outbox"
                           " WHERE idem_key LIKE 'staff-code:%') || '%'"),
              0); /* kept as a digest only */
    CHECK_INT(code_sign_in(s.port, (code + 1) % 1000000), 401);
    CHECK_INT(code_sign_in(s.port, code), 200);
    CHECK_INT(code_sign_in(s.port, code), 401); /* once only */
    /* five wrong tries void the code, even before the right one */
    check_status(s.port, "POST", "/admin/login/code", "{\"username\":\"dee\"}", NULL, 200, NULL);
    code = pushed_code(&s);
    for (int i = 1; i <= 5; i++)
        CHECK_INT(code_sign_in(s.port, (code + i) % 1000000), 401);
    CHECK_INT(code_sign_in(s.port, code), 401);
    /* no such account: the same answer, nothing pushed */
    long long pushes = db_count(&s, "SELECT count(*) FROM outbox");
    check_status(s.port, "POST", "/admin/login/code", "{\"username\":\"nobody\"}", NULL, 200, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM outbox"), pushes);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='POST /login/code' AND"
                           " object='nobody' AND status=404"),
              1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM audit WHERE action='POST /login code' AND"
                           " actor='staff:dee' AND status=200"),
              1);
    check_status(s.port, "POST", "/admin/login",
                 "{\"username\":\"dee\",\"code\":\"1\","
                 "\"password\":\"x\"}",
                 NULL, 400, NULL);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

const struct t_case it_staff_tests[] = {
    T(test_staff_password_sign_in), T(test_staff_cli_first_super), T(test_audit_rows_api_and_chat),
    T(test_staff_one_time_code), T_END};
