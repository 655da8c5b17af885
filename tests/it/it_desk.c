/*
 * it_desk.c - integration tests of the service desk and members against the
 * real server: volunteers and members registered through the admin API, a
 * ticket end to end through the generic channel with two people (take,
 * answer, follow-up, close, rate), what each side's outbox rows hold (never
 * the other's platform id), the ticket list, member check-in and the list.
 */
#include <expat.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "it.h"
#include "t.h"
#include "util.h"

#define TOKEN "desk-admin-token"
#define WORKER "worker-8841"
#define VOL "vol-5521"

static const char *const auth[] = {"Authorization: Bearer " TOKEN, NULL};

static const char *const desk_sets[] = {
    "generic.secret=" IT_SECRET,      "admin.token=" TOKEN,
    "desk.legal_hours=00:00-24:00",   "desk.counsel_hours=00:00-24:00",
    "desk.admins=generic:admin-3309", NULL};

/* Rows of the outbox to user whose text contains needle (NULL: all). */
static long long pushes(const struct server *s, const char *user, const char *needle)
{
    char *sql = xasprintf("SELECT count(*) FROM outbox o JOIN people p ON p.id=o.person_id"
                          " WHERE p.ext_id='%s' AND o.klass='reply'%s%s%s",
                          user, needle ? " AND instr(o.text, '" : "", needle ? needle : "",
                          needle ? "')>0" : "");
    long long n = db_count(s, sql);
    free(sql);
    return n;
}

/* The keys of a ticket (the first item of a list, or the object itself)
 * with their jansson types, "key:type " each; a static buffer. */
static const char *key_types(const char *body, bool one)
{
    static char out[512];
    json_t *j = json_loads(body ? body : "", 0, NULL), *v;
    json_t *o = one ? j : json_array_get(json_object_get(j, "items"), 0);
    const char *key;
    size_t n = 0;
    out[0] = '\0';
    json_object_foreach(o, key, v)
    {
        int w = snprintf(out + n, sizeof out - n, "%s:%d ", key, (int)json_typeof(v));
        if (w < 0 || (size_t)w >= sizeof out - n)
            break;
        n += (size_t)w;
    }
    json_decref(j);
    return out;
}

static void test_desk_ticket_end_to_end(void)
{
    struct server s;
    CHECK_INT(server_start(&s, desk_sets), 0);
    check_status(s.port, "POST", "/admin/api/volunteers",
                 "{\"name\":\"小李\",\"person\":\"generic:" VOL "\",\"desks\":[\"legal\"]}", auth,
                 201, "\"id\"");
    check_status(s.port, "POST", "/admin/api/volunteers",
                 "{\"name\":\"x\",\"person\":\"nochannel:1\",\"desks\":[\"legal\"]}", auth, 400,
                 "unknown channel");
    check_status(s.port, "POST", "/admin/api/volunteers",
                 "{\"name\":\"x\",\"person\":\"generic:v\",\"desks\":[\"cooking\"]}", auth, 400,
                 "desks");
    check_status(s.port, "GET", "/admin/api/volunteers", NULL, NULL, 401, NULL);
    /* the list's wire shape, key for key */
    struct resp vl = request(s.port, "GET", "/admin/api/volunteers", NULL, auth);
    json_t *vj = json_loads(vl.body ? vl.body : "", 0, NULL);
    json_t *want = json_pack("{s:i,s:s,s:s,s:s,s:b,s:i,s:i,s:s}", "id", 1, "name", "小李", "desks",
                             "legal", "hours", "", "active", 1, "last_offer_ms", 0, "tickets", 0,
                             "person", "generic:" VOL);
    CHECK(json_equal(json_array_get(json_object_get(vj, "items"), 0), want));
    json_decref(want);
    json_decref(vj);
    free(vl.body);

    char *r = say_to(s.port, "d-1", WORKER, "法律咨询 老板拖欠工资两个月怎么办？");
    CHECK_HAS(r, "T1");
    free(r);
    CHECK_INT(pushes(&s, VOL, "老板拖欠工资两个月怎么办？"), 1);

    r = say_to(s.port, "d-2", VOL, "接 T1");
    CHECK_HAS(r, "老板拖欠工资两个月怎么办？");
    free(r);
    r = say_to(s.port, "d-3", VOL, "答 T1 可以先找劳动监察大队，电话 12333。");
    CHECK_HAS(r, "T1");
    free(r);
    CHECK_INT(pushes(&s, WORKER, "可以先找劳动监察大队，电话 12333。"), 1);

    r = say_to(s.port, "d-4", WORKER, "他们说不归他们管");
    CHECK_HAS(r, "T1");
    free(r);
    CHECK_INT(pushes(&s, VOL, "他们说不归他们管"), 1);
    r = say_to(s.port, "d-5", VOL, "T1 那就申请劳动仲裁");
    free(r);
    CHECK_INT(pushes(&s, WORKER, "那就申请劳动仲裁"), 1);

    /* a retry of the same message changes nothing */
    r = say_to(s.port, "d-5", VOL, "T1 那就申请劳动仲裁");
    free(r);
    CHECK_INT(pushes(&s, WORKER, "那就申请劳动仲裁"), 1);

    r = say_to(s.port, "d-6", VOL, "结 T1");
    free(r);
    r = say_to(s.port, "d-7", WORKER, "４"); /* a bare number rates it */
    CHECK_HAS(r, "4");
    free(r);
    CHECK_INT(db_count(&s, "SELECT rating FROM desk_tickets WHERE id=1"), 4);

    /* neither side's rows carry the other's platform id */
    CHECK_INT(pushes(&s, VOL, NULL), 2); /* the offer and the follow-up */
    CHECK(pushes(&s, WORKER, NULL) >= 4);
    CHECK_INT(pushes(&s, VOL, WORKER), 0);
    CHECK_INT(pushes(&s, WORKER, VOL), 0);

    struct resp t = request(s.port, "GET", "/admin/api/tickets?status=closed", NULL, auth);
    CHECK_INT(t.status, 200);
    CHECK_HAS(t.body, "\"code\":\"T1\"");
    CHECK_HAS(t.body, "\"rating\":4");
    CHECK_HAS(t.body, "\"response_seconds\":");
    CHECK_HAS(t.body, "\"volunteer\":\"小李\"");
    /* the wire shape: keys in order with their jansson types (2 string, 3
     * integer, 5 true, 6 false, 7 null) */
    CHECK_STR(key_types(t.body, false),
              "id:3 code:2 desk:2 status:2 created_ms:3 taken_ms:3 answered_ms:3 closed_ms:3"
              " escalated_ms:7 rating:3 crisis:6 volunteer:2 question:2 response_seconds:3 ");
    free(t.body);
    t = request(s.port, "GET", "/admin/api/tickets/1", NULL, auth);
    CHECK_HAS(t.body, "他们说不归他们管");
    CHECK_STR(key_types(t.body, true),
              "id:3 code:2 desk:2 status:2 created_ms:3 taken_ms:3 answered_ms:3 closed_ms:3"
              " escalated_ms:7 rating:3 crisis:6 volunteer:2 question:2 response_seconds:3"
              " messages:1 ");
    free(t.body);
    check_status(s.port, "GET", "/admin/api/tickets/99", NULL, auth, 404, "no such ticket");
    check_status(s.port, "GET", "/admin/api/tickets?status=lost", NULL, auth, 400, "status");
    check_status(s.port, "DELETE", "/admin/api/tickets", NULL, auth, 405, "GET");
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_desk_crisis_alerts_admin_at_once(void)
{
    struct server s;
    CHECK_INT(server_start(&s, desk_sets), 0);
    char *r = say_to(s.port, "c-1", WORKER, "心理咨询 活着没意思，不想活了");
    CHECK_HAS(r, "12356");
    CHECK_HAS(r, "12320");
    free(r);
    CHECK_INT(pushes(&s, "admin-3309", "T1"), 1);
    CHECK_INT(pushes(&s, "admin-3309", WORKER), 0);
    CHECK_INT(db_count(&s, "SELECT crisis FROM desk_tickets WHERE id=1"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* 我不想活了 with no ticket open: hotlines, a counselling crisis ticket and
 * an alert the desk admin can act on (接 T1 used to answer 没有找到); 人工
 * opens a general-desk ticket. */
static void test_crisis_outside_a_ticket_and_handover(void)
{
    struct server s;
    CHECK_INT(server_start(&s, desk_sets), 0);
    char *r = say_to(s.port, "x-1", WORKER, "我不想活了");
    CHECK_HAS(r, "12356"); /* the first reply: the hotlines */
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM desk_tickets WHERE id=1 AND crisis=1"
                           " AND desk='counsel'"),
              1);
    CHECK_INT(pushes(&s, "admin-3309", "接 T1"), 1);
    r = say_to(s.port, "x-2", "admin-3309", "接 T1");
    CHECK_HAS(r, "我不想活了");
    CHECK(strstr(r, "没有找到") == NULL);
    free(r);
    r = say_to(s.port, "x-3", "admin-3309", "答 T1 我在，我们聊聊");
    free(r);
    CHECK_INT(pushes(&s, WORKER, "我在，我们聊聊"), 1);
    r = say_to(s.port, "x-4", "w-2", "人工");
    CHECK_HAS(r, "T2");
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM desk_tickets WHERE id=2 AND desk='general'"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_desk_mentoring_through_admin_api(void)
{
    struct server s;
    CHECK_INT(server_start(&s, desk_sets), 0);
    check_status(s.port, "POST", "/admin/api/mentoring",
                 "{\"worker\":\"generic:" WORKER "\",\"mentor\":\"generic:t-77\","
                 "\"mentor_name\":\"王老师\"}",
                 auth, 201, "\"code\":\"P1\"");
    char *r = say_to(s.port, "p-1", "t-77", "P1 最近工作还顺利吗");
    CHECK_HAS(r, "P1");
    free(r);
    CHECK_INT(pushes(&s, WORKER, "最近工作还顺利吗"), 1);
    CHECK_INT(pushes(&s, WORKER, "t-77"), 0);
    struct resp m = request(s.port, "GET", "/admin/api/mentoring", NULL, auth);
    CHECK_HAS(m.body, "\"last_contact_ms\":1");
    CHECK_HAS(m.body, "\"silent\":false");
    /* a pair's wire shape, key for key */
    json_t *mj = json_loads(m.body ? m.body : "", 0, NULL);
    json_t *m0 = json_array_get(json_object_get(mj, "items"), 0);
    CHECK_INT(json_object_size(m0), 11);
    CHECK_INT(json_integer_value(json_object_get(m0, "id")), 1);
    CHECK_STR(json_string_value(json_object_get(m0, "code")), "P1");
    CHECK_STR(json_string_value(json_object_get(m0, "worker")), "generic:" WORKER);
    CHECK_STR(json_string_value(json_object_get(m0, "mentor")), "generic:t-77");
    CHECK_STR(json_string_value(json_object_get(m0, "mentor_name")), "王老师");
    CHECK(json_is_true(json_object_get(m0, "active")));
    CHECK(json_is_integer(json_object_get(m0, "created_ms")));
    CHECK(json_is_integer(json_object_get(m0, "last_contact_ms")));
    CHECK(json_is_null(json_object_get(m0, "flagged_ms")));
    CHECK_INT(json_integer_value(json_object_get(m0, "messages")), 1);
    json_decref(mj);
    free(m.body);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_member_checkin_and_list(void)
{
    struct server s;
    CHECK_INT(server_start(&s, desk_sets), 0);
    char *r = say_to(s.port, "m-1", "mem-1", "报到 武汉");
    char *no = text_of("member.not_member");
    CHECK_STR(r, no);
    free(no);
    free(r);
    check_status(s.port, "POST", "/admin/api/members",
                 "{\"person\":\"generic:mem-1\",\"name\":\"李师傅\",\"org\":\"快递行业党支部\","
                 "\"contact\":\"0710-1234567\"}",
                 auth, 201, "\"id\"");
    check_status(s.port, "POST", "/admin/api/members", "{\"person\":\"generic:mem-2\"}", auth, 400,
                 "org");
    r = say_to(s.port, "m-2", "mem-1", "报到 武汉");
    CHECK_HAS(r, "武汉");
    free(r);
    r = say_to(s.port, "m-3", "mem-1", "我的组织");
    CHECK_HAS(r, "快递行业党支部");
    CHECK_HAS(r, "0710-1234567");
    free(r);
    struct resp m =
        request(s.port, "GET", "/admin/api/members?city=%E6%AD%A6%E6%B1%89", NULL, auth);
    CHECK_INT(m.status, 200);
    CHECK_HAS(m.body, "\"person\":\"generic:mem-1\"");
    /* a member's wire shape, key for key (a check-in without a position: null) */
    json_t *mj = json_loads(m.body ? m.body : "", 0, NULL);
    json_t *m0 = json_array_get(json_object_get(mj, "items"), 0);
    CHECK_INT(json_object_size(m0), 11);
    CHECK_INT(json_integer_value(json_object_get(m0, "id")), 1);
    CHECK_STR(json_string_value(json_object_get(m0, "name")), "李师傅");
    CHECK_STR(json_string_value(json_object_get(m0, "org")), "快递行业党支部");
    CHECK_STR(json_string_value(json_object_get(m0, "contact")), "0710-1234567");
    CHECK_STR(json_string_value(json_object_get(m0, "city")), "武汉");
    CHECK(json_is_null(json_object_get(m0, "lat")) && json_is_null(json_object_get(m0, "lon")));
    CHECK(json_is_integer(json_object_get(m0, "checkin_ms")));
    CHECK(json_is_integer(json_object_get(m0, "last_seen_ms")));
    CHECK(json_is_integer(json_object_get(m0, "created_ms")));
    json_decref(mj);
    free(m.body);
    m = request(s.port, "GET", "/admin/api/members?stale_days=3", NULL, auth);
    CHECK_HAS(m.body, "\"items\":[]"); /* just checked in */
    free(m.body);
    check_status(s.port, "GET", "/admin/api/members?stale_days=x", NULL, auth, 400, "stale_days");
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* Whether doc is well-formed XML (what xmllint checks), by expat. */
static int xml_well_formed(const char *doc)
{
    XML_Parser x = XML_ParserCreate("UTF-8");
    int ok = XML_Parse(x, doc, (int)strlen(doc), 1) == XML_STATUS_OK;
    if (!ok)
        printf("%s: expat: %s: %s\n", t_current, XML_ErrorString(XML_GetErrorCode(x)), doc);
    XML_ParserFree(x);
    return ok;
}

/* A worker's question with U+000B and ESC, shown to a volunteer on WeChat by
 * 接 T1: the passive reply is still well-formed XML, the question in it. */
static void test_desk_take_xml_illegal_characters(void)
{
    struct server s;
    const char *const sets[] = {"admin.token=" TOKEN, "desk.legal_hours=00:00-24:00",
                                "wechat.token=xiangyang", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    check_status(s.port, "POST", "/admin/api/volunteers",
                 "{\"name\":\"小李\",\"person\":\"wechat:oVol\",\"desks\":[\"legal\"]}", auth, 201,
                 "\"id\"");
    struct resp r = post(s.port, "{\"id\":\"x-1\",\"from\":\"" WORKER "\",\"text\":"
                                 "\"法律咨询 老板\\u000b拖欠\\u001b[31m工资\\u0001怎么办\"}");
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.body, "T1");
    free(r.body);
    r = request(s.port, "POST",
                "/webhook/wechat?signature=9a21327631f0404549aa7b74b00276446727c928"
                "&timestamp=1700000000&nonce=12345",
                "<xml><ToUserName><![CDATA[gh_bot]]></ToUserName><FromUserName><![CDATA[oVol]]>"
                "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]>"
                "</MsgType><Content><![CDATA[接 T1]]></Content><MsgId>901</MsgId></xml>",
                NULL);
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.body, "老板拖欠[31m工资怎么办");
    CHECK_INT(xml_well_formed(r.body), 1);
    free(r.body);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

const struct t_case it_desk_tests[] = {T(test_desk_ticket_end_to_end),
                                       T(test_desk_crisis_alerts_admin_at_once),
                                       T(test_desk_mentoring_through_admin_api),
                                       T(test_member_checkin_and_list),
                                       T(test_desk_take_xml_illegal_characters),
                                       T(test_crisis_outside_a_ticket_and_handover),
                                       T_END};
