/*
 * it_security.c - issue 15 against the real server: the generic channel's
 * unsigned default, staff commands only from authenticated messages, token
 * rules at startup, wrong-token limits per address, the role x route table,
 * counselling tickets, no-store and Secure, masked admin paths in the log.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "it.h"
#include "t.h"
#include "util.h"

#define SUP "sup-token-0123456789"
#define UNI "uni-token-0123456789"
#define DSK "dsk-token-0123456789"
#define CNS "cns-token-0123456789"

static const char *const role_sets[] = {"admin.token=" SUP,      "admin.union_token=" UNI,
                                        "admin.desk_token=" DSK, "admin.counsel_token=" CNS,
                                        "admin.fail_limit=1000", NULL};

/* Run ./yizhan serve with sets for at most 3 s: its exit status (124 when it
 * was still running, i.e. it started) and its stderr into out. */
static int serve_briefly(const char *sets, struct buf *out)
{
    char cmd[1024], line[512];
    snprintf(cmd, sizeof cmd,
             "d=$(mktemp -d); timeout 3 ./yizhan serve --set database=$d/y.db"
             " --set media_dir=$d/media %s 2>&1; echo \"exit=$?\"; rm -rf \"$d\"",
             sets);
    FILE *p = popen(cmd, "r");
    int status = -1;
    while (p && fgets(line, sizeof line, p) != NULL) {
        buf_puts(out, line);
        if (strncmp(line, "exit=", 5) == 0)
            status = atoi(line + 5);
    }
    if (p)
        pclose(p);
    buf_append(out, "", 1);
    return status;
}

/* Unsigned generic requests: loopback only (one warning line), refused at
 * startup on another address unless allow_unsigned says so. */
static void test_generic_unsigned_default(void)
{
    struct buf out;
    buf_init(&out, 0);
    CHECK(serve_briefly("--set listen=0.0.0.0:0 --set generic.secret=", &out) != 124);
    CHECK_HAS(out.data, "--set listen: listen 0.0.0.0:0 is not a loopback address");
    buf_release(&out);
    buf_init(&out, 0);
    CHECK_INT(serve_briefly("--set listen=0.0.0.0:0 --set generic.secret= "
                            "--set generic.allow_unsigned=true",
                            &out),
              124);
    buf_release(&out);
    buf_init(&out, 0);
    CHECK_INT(serve_briefly("--set listen=0.0.0.0:0 --set generic.secret=s3cret", &out), 124);
    buf_release(&out);
    struct server s;
    const char *sets[] = {"generic.secret=", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    char *log = read_file(s.log);
    const char *w = strstr(log, "secret is empty");
    CHECK(w != NULL && strstr(w + 1, "secret is empty") == NULL); /* exactly one line */
    free(log);
    server_cleanup(&s);
}

/* A spoofed admin id on an unsigned message gets the not-understood answer;
 * the same command signed reaches the handler. */
static void test_staff_commands_need_authenticated_message(void)
{
    struct server s;
    const char *unsigned_sets[] = {"generic.secret=", "admin.chat_ids=generic:boss", NULL};
    const char *signed_sets[] = {"generic.secret=" IT_SECRET, "admin.chat_ids=generic:boss", NULL};
    char *fallback = text_of("fallback");
    CHECK_INT(server_start(&s, unsigned_sets), 0);
    struct resp r = request(s.port, "POST", "/webhook/generic",
                            "{\"id\":\"a-1\",\"from\":\"boss\",\"text\":\"#受理 SP0001\"}", NULL);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "SP0001") == NULL);
    free(r.body);
    r = request(s.port, "POST", "/webhook/generic",
                "{\"id\":\"a-2\",\"from\":\"boss\",\"text\":\"接 T1\"}", NULL);
    CHECK(strstr(r.body, "T1") == NULL);
    free(r.body);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    char *log = read_file(s.log);
    CHECK_HAS(log, "admin.report.accept refused: the message was not authenticated");
    free(log);
    server_cleanup(&s);
    CHECK_INT(server_start(&s, signed_sets), 0);
    char *reply = say_to(s.port, "b-1", "boss", "#受理 SP0001");
    CHECK_HAS(reply, "SP0001"); /* the handler: no such report */
    free(reply);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
    free(fallback);
}

/* Short tokens and one token for two roles are refused with where they were set. */
static void test_token_rules_at_startup(void)
{
    struct buf out;
    buf_init(&out, 0);
    CHECK(serve_briefly("--set listen=127.0.0.1:0 --set admin.token=a", &out) != 124);
    CHECK_HAS(out.data, "--set admin.token: admin.token is shorter than 16 characters");
    buf_release(&out);
    buf_init(&out, 0);
    CHECK(serve_briefly("--set listen=127.0.0.1:0 --set admin.token=" SUP
                        " --set admin.desk_token=" SUP,
                        &out) != 124);
    CHECK_HAS(out.data, "admin.desk_token is the same as admin.token");
    buf_release(&out);
}

/* After fail_limit wrong tokens an address gets 429, even with the right
 * token, for the minute; another address and a signed-in session go on. */
static void test_wrong_tokens_limited_per_address(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, "admin.fail_limit=3", NULL};
    const char *wrong[] = {"Authorization: Bearer wrong-token-000000", NULL};
    const char *good[] = {"Authorization: Bearer " SUP, NULL};
    struct hresp r;
    CHECK_INT(server_start(&s, sets), 0);
    /* a dashboard session opened before the attack */
    char cookie[120], csrf[120];
    CHECK_INT(it_staff_sign_in(s.port, SUP, "ann", "admin", "", cookie, csrf), 0);
    for (int i = 0; i < 3; i++) {
        r = hrequest_from(s.port, "127.0.0.1", "GET", "/admin/api/outbox", NULL, wrong);
        CHECK_INT(r.status, 401);
        hresp_release(&r);
    }
    r = hrequest_from(s.port, "127.0.0.1", "GET", "/admin/api/outbox", NULL, wrong);
    CHECK_INT(r.status, 429);
    hresp_release(&r);
    r = hrequest_from(s.port, "127.0.0.1", "GET", "/admin/api/outbox", NULL, good);
    CHECK_INT(r.status, 429); /* not even checked: a right guess is not told */
    hresp_release(&r);
    r = hrequest_from(s.port, "127.0.0.1", "POST", "/admin/login",
                      "{\"username\":\"ann\",\"password\":\"pw-ann-0123\"}", NULL);
    CHECK_INT(r.status, 429);
    hresp_release(&r);
    const char *with_cookie[] = {cookie, NULL};
    r = hrequest_from(s.port, "127.0.0.1", "GET", "/admin/api/outbox", NULL, with_cookie);
    CHECK_INT(r.status, 200);
    hresp_release(&r);
    r = hrequest_from(s.port, "127.0.0.2", "GET", "/admin/api/outbox", NULL, good);
    CHECK_INT(r.status, 200);
    hresp_release(&r);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* The role x route table of docs/security.md, every cell: S super, U union,
 * D desk, C counsel, R report handler, V read-only viewer; a letter present
 * means allowed (any answer but 403). */
static void test_role_route_table(void)
{
    static const struct {
        const char *method, *path, *who;
    } rows[] = {
        {"GET", "/stats", "SUDCRV"},
        {"GET", "/budget", "SUD"},
        {"GET", "/broadcasts", "SV"},
        {"POST", "/broadcasts", "S"},
        {"GET", "/broadcasts/1", "SV"},
        {"POST", "/broadcasts/1/cancel", "S"},
        {"GET", "/outbox", "S"},
        {"POST", "/outbox/1/retry", "S"},
        {"POST", "/outbox/retry", "S"},
        {"GET", "/outbox/undelivered", "S"},
        {"POST", "/tags", "S"},
        {"GET", "/unknown", "S"},
        {"POST", "/unknown/teach", "S"},
        {"GET", "/lessons", "SUDV"},
        {"POST", "/lessons/999/broadcast", "S"},
        {"POST", "/points", "SUD"},
        {"GET", "/points/generic:u-1", "SUD"},
        {"GET", "/courses", "SUD"},
        {"POST", "/courses", "SUD"},
        {"GET", "/courses/1", "SUD"},
        {"GET", "/courses/1/bookings", "SUD"},
        {"POST", "/courses/1/attendance", "SUD"},
        {"POST", "/courses/1/cancel", "SUD"},
        {"GET", "/activities", "SUV"},
        {"POST", "/activities", "SU"},
        {"GET", "/items", "SUV"},
        {"POST", "/items", "S"},
        {"POST", "/items/1", "S"},
        {"GET", "/redemptions", "SU"},
        {"GET", "/volunteers", "SDC"},
        {"POST", "/volunteers", "S"},
        {"GET", "/mentoring", "SD"},
        {"POST", "/mentoring", "S"},
        {"GET", "/tickets", "SDC"},
        {"GET", "/tickets/1", "SDC"},
        {"GET", "/members", "SU"},
        {"POST", "/members", "SU"},
        {"GET", "/reports", "SR"},
        {"GET", "/reports/SP0001", "SR"},
        {"POST", "/reports/SP0001/status", "SR"},
        {"POST", "/reports/SP0001/merge", "SR"},
        {"POST", "/reports/SP0001/area", "S"},
        {"GET", "/media/0000000000000000000000000000000000000000000000000000000000000000", "SR"},
        {"GET", "/staff", "S"},
        {"POST", "/staff", "S"},
        {"POST", "/staff/999", "S"},
        {"POST", "/password", "SUDCRV"},
        {"GET", "/audit", "S"},
        {"POST", "/reports/SP0001/category", "SR"},
        {"POST", "/reports/SP0001/district", "SR"},
        {"GET", "/report-categories", "S"},
        {"POST", "/report-categories", "S"},
        {"POST", "/report-categories/1", "S"},
        {"GET", "/districts", "S"},
        {"GET", "/bodies", "S"},
        {"POST", "/bodies", "S"},
        {"POST", "/bodies/1", "S"},
        {"GET", "/observers", "SU"},
        {"POST", "/people/999/observer", "SU"},
        {"GET", "/monthly", "SUV"},
        {"POST", "/redemptions/999/picked", "SU"},
        {"GET", "/people/999/export", "S"},
        {"POST", "/people/999/erase", "S"},
        {"POST", "/broadcasts/test", "S"},
        {"GET", "/people", "SUDC"},
        {"GET", "/people.csv", "SU"},
        {"GET", "/people/999", "SUDC"},
        {"POST", "/people/999", "SU"},
        {"GET", "/filters", "SU"},
        {"POST", "/filters", "SU"},
        {"POST", "/import", "SU"},
        {"GET", "/schedules", "S"},
        {"POST", "/schedules", "S"},
        {"POST", "/schedules/999/cancel", "S"},
        {"GET", "/content/files", "S"},
        {"GET", "/content/files/content:messages.txt", "S"},
        {"POST", "/content/files/content:messages.txt", "S"},
        {"GET", "/content/files/content:messages.txt/history", "S"},
        {"POST", "/content/files/content:messages.txt/revert", "S"},
    };
    /* the first four by their machine clients' tokens, the last two
     * (no token) and the super admin again as signed-in staff accounts */
    static struct {
        char letter;
        const char *header;
        const char *user, *role, *area;
        char cookie[120], csrf[120];
    } roles[] = {{'S', "Authorization: Bearer " SUP, NULL, NULL, NULL, "", ""},
                 {'U', "Authorization: Bearer " UNI, NULL, NULL, NULL, "", ""},
                 {'D', "Authorization: Bearer " DSK, NULL, NULL, NULL, "", ""},
                 {'C', "Authorization: Bearer " CNS, NULL, NULL, NULL, "", ""},
                 {'S', NULL, "boss", "admin", "", "", ""},
                 {'U', NULL, "uoffice", "union", "", "", ""},
                 {'C', NULL, "counsellor", "counsel", "", "", ""},
                 {'R', NULL, "handler", "reports", "east", "", ""},
                 {'V', NULL, "leader", "viewer", "", "", ""}};
    struct server s;
    CHECK_INT(server_start(&s, role_sets), 0);
    for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++)
        if (roles[k].user != NULL)
            CHECK_INT(it_staff_sign_in(s.port, SUP, roles[k].user, roles[k].role, roles[k].area,
                                       roles[k].cookie, roles[k].csrf),
                      0);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (size_t k = 0; k < sizeof roles / sizeof roles[0]; k++) {
            char path[256];
            const char *tok[] = {roles[k].header, NULL};
            const char *ses[] = {roles[k].cookie, roles[k].csrf, NULL};
            const char *const *h = roles[k].header ? tok : ses;
            snprintf(path, sizeof path, "/admin/api%s", rows[i].path);
            struct resp r = request(s.port, rows[i].method, path,
                                    strcmp(rows[i].method, "POST") == 0 ? "{}" : NULL, h);
            bool allowed = strchr(rows[i].who, roles[k].letter) != NULL;
            if ((r.status == 403) == allowed || r.status == 401 || r.status >= 500) {
                printf("%s: %c %s %s: got %ld %s\n", t_current, roles[k].letter, rows[i].method,
                       rows[i].path, r.status, r.body);
                t_failed++;
            }
            free(r.body);
        }
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* Counselling tickets and crisis texts: the counselling desk and the super
 * admin only; the university desk sees the others. */
static void test_counselling_tickets_private(void)
{
    struct server s;
    const char *sup[] = {"Authorization: Bearer " SUP, NULL};
    const char *dsk[] = {"Authorization: Bearer " DSK, NULL};
    const char *cns[] = {"Authorization: Bearer " CNS, NULL};
    CHECK_INT(server_start(&s, role_sets), 0);
    free(say_to(s.port, "t-1", "w-1", "法律咨询 老板拖欠工资怎么办"));
    free(say_to(s.port, "t-2", "w-2", "心理咨询 最近睡不着很焦虑"));
    CHECK_INT(db_count(&s, "SELECT count(*) FROM desk_tickets"), 2);
    long long legal = db_count(&s, "SELECT id FROM desk_tickets WHERE desk='legal'");
    long long counsel = db_count(&s, "SELECT id FROM desk_tickets WHERE desk='counsel'");
    char lp[64], cp[64];
    snprintf(lp, sizeof lp, "/admin/api/tickets/%lld", legal);
    snprintf(cp, sizeof cp, "/admin/api/tickets/%lld", counsel);
    struct resp r = request(s.port, "GET", "/admin/api/tickets", NULL, dsk);
    CHECK_HAS(r.body, "拖欠工资");
    CHECK(strstr(r.body, "焦虑") == NULL);
    free(r.body);
    r = request(s.port, "GET", "/admin/api/tickets", NULL, cns);
    CHECK_HAS(r.body, "焦虑");
    CHECK(strstr(r.body, "拖欠工资") == NULL);
    free(r.body);
    r = request(s.port, "GET", "/admin/api/tickets", NULL, sup);
    CHECK_HAS(r.body, "焦虑");
    CHECK_HAS(r.body, "拖欠工资");
    free(r.body);
    check_status(s.port, "GET", cp, NULL, dsk, 404, NULL);
    check_status(s.port, "GET", cp, NULL, cns, 200, "焦虑");
    check_status(s.port, "GET", lp, NULL, cns, 404, NULL);
    check_status(s.port, "GET", lp, NULL, dsk, 200, "拖欠工资");
    /* a person's page: the same ticket rules, platform ids for S and U only,
     * and no part the role cannot read elsewhere (reports S; points, bookings
     * S U D; tickets S D C; member S U) */
    const char *uni[] = {"Authorization: Bearer " UNI, NULL};
    char pp[64];
    snprintf(pp, sizeof pp, "/admin/api/people/%lld",
             db_count(&s, "SELECT id FROM people WHERE ext_id='w-2'"));
    r = request(s.port, "GET", pp, NULL, dsk);
    CHECK_HAS(r.body, "\"tickets\":[]");
    CHECK_HAS(r.body, "\"ext_id\":\"…w-2\"");
    CHECK_HAS(r.body, "\"points\":[]");
    CHECK(strstr(r.body, "\"reports\":") == NULL && strstr(r.body, "\"member\":") == NULL);
    free(r.body);
    r = request(s.port, "GET", pp, NULL, cns);
    CHECK_HAS(r.body, "\"desk\":\"counsel\"");
    CHECK(strstr(r.body, "\"points\":") == NULL && strstr(r.body, "\"bookings\":") == NULL);
    free(r.body);
    r = request(s.port, "GET", pp, NULL, uni);
    CHECK_HAS(r.body, "\"ext_id\":\"w-2\"");
    CHECK(strstr(r.body, "\"tickets\":") == NULL && strstr(r.body, "\"reports\":") == NULL);
    free(r.body);
    r = request(s.port, "GET", pp, NULL, sup);
    CHECK_HAS(r.body, "\"desk\":\"counsel\"");
    CHECK_HAS(r.body, "\"reports\":[]");
    free(r.body);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* no-store on API, CSV and photo answers; Secure on the cookie behind https;
 * person ids in admin paths masked in the log. */
static void test_headers_and_masked_log(void)
{
    struct server s;
    const char *sets[] = {"admin.token=" SUP, "public_url=https://yizhan.example", NULL};
    const char *sup[] = {"Authorization: Bearer " SUP, NULL};
    static const char *const paths[] = {
        "/admin/api/outbox", "/admin/api/reports?format=csv",
        "/admin/api/media/0000000000000000000000000000000000000000000000000000000000000000",
        "/admin/api/points/twilio:+8613800001234", "/admin/api/points/13912345678"};
    struct hresp r;
    CHECK_INT(server_start(&s, sets), 0);
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        r = hrequest_from(s.port, NULL, "GET", paths[i], NULL, sup);
        CHECK_HAS(r.headers, "Cache-Control: no-store");
        hresp_release(&r);
    }
    r = hrequest_from(s.port, NULL, "POST", "/admin/api/staff",
                      "{\"username\":\"ann\",\"display\":\"Ann\",\"org\":\"union\","
                      "\"role\":\"admin\",\"password\":\"pw-ann-0123\"}",
                      sup);
    CHECK_INT(r.status, 201);
    hresp_release(&r);
    r = hrequest_from(s.port, NULL, "POST", "/admin/login",
                      "{\"username\":\"ann\",\"password\":\"pw-ann-0123\"}", NULL);
    CHECK_HAS(r.headers, "; Secure");
    CHECK_HAS(r.headers, "Cache-Control: no-store");
    hresp_release(&r);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    char *log = read_file(s.log);
    CHECK(strstr(log, "13800001234") == NULL);
    CHECK(strstr(log, "13912345678") == NULL);
    CHECK_HAS(log, "/admin/api/points/twilio:…1234");
    free(log);
    server_cleanup(&s);
}

/* make run creates bot.conf readable by its owner only. */
static void test_make_run_conf_private(void)
{
    char cmd[600], cwd[256], dir[] = "/tmp/yizhan-conf-XXXXXX";
    CHECK(getcwd(cwd, sizeof cwd) != NULL && mkdtemp(dir) != NULL);
    snprintf(cmd, sizeof cmd,
             "cp bot.conf.example %s/ && make -s -f '%s/Makefile' -C %s bot.conf >/dev/null"
             " && stat -c %%a %s/bot.conf > %s/mode",
             dir, cwd, dir, dir, dir);
    CHECK_INT(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s/mode", dir);
    char *mode = read_file(cmd);
    CHECK_STR(mode, "600\n");
    free(mode);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
}

const struct t_case it_security_tests[] = {
    T(test_make_run_conf_private),
    T(test_generic_unsigned_default),
    T(test_staff_commands_need_authenticated_message),
    T(test_token_rules_at_startup),
    T(test_wrong_tokens_limited_per_address),
    T(test_role_route_table),
    T(test_counselling_tickets_private),
    T(test_headers_and_masked_log),
    T_END,
};
