/*
 * it_people.c - integration tests of the people directory (issue 19)
 * against the real server: roster import in UTF-8, UTF-8 with BOM and GBK
 * with preview and per-row errors, dedupe by phone, consent recorded; the
 * directory's search, filters and pages, the person page per role, profile
 * fields and tags, saved filters as audiences, the CSV export with local
 * times; {name} and other fields filled per recipient in a broadcast, an
 * unknown field refused, and the test send.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "it.h"
#include "t.h"
#include "util.h"

#define TOKEN "people-admin-token-0001"
#define UNION "people-union-token-0002"
#define DESK "people-desk-token-00003"

static const char *const auth[] = {"Authorization: Bearer " TOKEN, NULL};
static const char *const uauth[] = {"Authorization: Bearer " UNION, NULL};
static const char *const dauth[] = {"Authorization: Bearer " DESK, NULL};
static const char *const sets[] = {"admin.token=" TOKEN,
                                   "admin.union_token=" UNION,
                                   "admin.desk_token=" DESK,
                                   "push.quiet=",
                                   "push.rush=",
                                   "timezone=Asia/Shanghai",
                                   NULL};

static long long count(const struct server *s, const char *sql)
{
    return db_count(s, sql);
}

static struct resp import(const struct server *s, const char *query, const char *file)
{
    char *body = read_file(file), *path = xasprintf("/admin/api/import?%s", query);
    struct resp r = request(s->port, "POST", path, body, auth);
    free(body);
    free(path);
    return r;
}

static void test_people_import_encodings_and_preview(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    /* preview: counts, nothing written */
    struct resp r =
        import(&s, "kind=members&file=roster.csv&preview=1", "tests/data/import/members_utf8.csv");
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.body, "\"encoding\":\"UTF-8\"");
    CHECK_HAS(r.body, "\"new\":2");
    CHECK_HAS(r.body, "\"written\":false");
    free(r.body);
    CHECK_INT(count(&s, "SELECT count(*) FROM people"), 0);
    /* a bad file: every bad row named, nothing written, even without preview */
    r = import(&s, "kind=members&file=bad.csv", "tests/data/import/members_bad.csv");
    CHECK_INT(r.status, 400);
    CHECK_HAS(r.body, "{\"row\":3,\"error\":\"phone (手机) is empty\"}");
    CHECK_HAS(r.body, "\"row\":4,\"error\":\"phone '12345' is not an 11-digit mobile number\"");
    CHECK_HAS(r.body, "\"row\":5,\"error\":\"phone 13500005555 is already on an earlier row\"");
    CHECK_HAS(r.body, "\"row\":6,\"error\":\"org (组织) is empty\"");
    CHECK_HAS(r.body, "\"written\":false");
    free(r.body);
    CHECK_INT(count(&s, "SELECT count(*) FROM people"), 0);
    /* a worker who already wrote by SMS is linked, not duplicated */
    char *reply = say_to(s.port, "m-1", "13800001111", "你好");
    free(reply);
    CHECK_INT(count(&s, "SELECT count(*) FROM people"), 1);
    r = import(&s, "kind=members&file=roster.csv&channel=kannel",
               "tests/data/import/members_utf8.csv");
    CHECK_INT(r.status, 201);
    CHECK_HAS(r.body, "\"linked\":0"); /* the generic channel is not a phone */
    free(r.body);
    CHECK_INT(count(&s, "SELECT count(*) FROM people WHERE channel='kannel'"), 2);
    CHECK_INT(count(&s, "SELECT count(*) FROM people WHERE consent LIKE 'import:roster.csv:20%'"),
              2);
    CHECK_INT(count(&s, "SELECT count(*) FROM members WHERE org='外卖党支部'"), 1);
    /* importing again links every row by phone */
    r = import(&s, "kind=members&file=again.csv", "tests/data/import/members_utf8.csv");
    CHECK_INT(r.status, 201);
    CHECK_HAS(r.body, "\"linked\":2");
    CHECK_HAS(r.body, "\"new\":0");
    free(r.body);
    CHECK_INT(count(&s, "SELECT count(*) FROM people"), 3);
    CHECK_INT(count(&s, "SELECT count(*) FROM people WHERE consent LIKE 'import:again%'"), 0);
    r = import(&s, "kind=members&file=bom.csv", "tests/data/import/members_bom.csv");
    CHECK_INT(r.status, 201);
    CHECK_HAS(r.body, "\"encoding\":\"UTF-8 BOM\"");
    free(r.body);
    r = import(&s, "kind=members&file=gbk.csv", "tests/data/import/members_gbk.csv");
    CHECK_INT(r.status, 201);
    CHECK_HAS(r.body, "\"encoding\":\"GBK\"");
    free(r.body);
    CHECK_INT(count(&s, "SELECT count(*) FROM person_fields WHERE key='name' AND value='赵师傅'"),
              1);
    CHECK_INT(count(&s, "SELECT count(*) FROM person_fields WHERE key='district' AND"
                        " value='高新区'"),
              1);
    /* neither UTF-8 nor GBK */
    r = request(s.port, "POST", "/admin/api/import?kind=members", "name,phone\n\xff\xff\xff\n",
                auth);
    CHECK_INT(r.status, 400);
    CHECK_HAS(r.body, "neither UTF-8 nor GBK");
    free(r.body);
    check_status(s.port, "POST", "/admin/api/import?kind=pets", "a\n", auth, 400, "kind");
    check_status(s.port, "POST", "/admin/api/import?kind=members&channel=wechat",
                 "手机\n13800001111\n", auth, 400, "SMS channel");
    check_status(s.port, "POST", "/admin/api/import", "手机,鞋码\n13800001111,42\n", auth, 400,
                 "unknown column '鞋码'");
    check_status(s.port, "POST", "/admin/api/import", "a,b\n", dauth, 403, NULL);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_people_import_volunteers_and_mentoring(void)
{
    struct server s;
    CHECK_INT(server_start(&s, sets), 0);
    struct resp r = import(&s, "kind=volunteers&file=vol.csv", "tests/data/import/volunteers.csv");
    CHECK_INT(r.status, 201);
    free(r.body);
    CHECK_INT(count(&s, "SELECT count(*) FROM desk_volunteers WHERE name='王律师' AND"
                        " desks=',legal,general,' AND hours='18:00-21:00'"),
              1);
    CHECK_INT(count(&s, "SELECT count(*) FROM desk_volunteers WHERE desks=',counsel,'"), 1);
    CHECK_INT(count(&s, "SELECT count(*) FROM tags WHERE tag='volunteer'"), 2);
    check_status(s.port, "POST", "/admin/api/import?kind=volunteers&preview=1",
                 "姓名,手机,服务,值班时间\n李,13100004444,算命,\n赵,13100005555,法律,晚上\n"
                 "钱,13100006666,,\n",
                 auth, 200,
                 "{\"row\":2,\"error\":\"desk '算命' is not one of 法律 课业 心理 人工\"}");
    r = request(s.port, "POST", "/admin/api/import?kind=volunteers",
                "姓名,手机,服务,值班时间\n赵,13100005555,法律,晚上\n钱,13100006666,,\n", auth);
    CHECK_HAS(r.body, "{\"row\":2,\"error\":\"hours '晚上' must be HH:MM-HH:MM\"}");
    CHECK_HAS(r.body, "{\"row\":3,\"error\":\"desks (服务) is empty\"}");
    free(r.body);
    check_status(s.port, "POST", "/admin/api/import?kind=volunteers", "姓名,手机\n李,13100004444\n",
                 auth, 400, "no desks column (服务)");
    /* volunteers and pairs are the super admin's, as POST /volunteers is */
    r = request(s.port, "POST", "/admin/api/import?kind=volunteers", "姓名,手机,服务\n", uauth);
    CHECK_INT(r.status, 403);
    free(r.body);
    r = import(&s, "kind=mentoring&file=pairs.csv", "tests/data/import/mentoring.csv");
    CHECK_INT(r.status, 201);
    free(r.body);
    CHECK_INT(count(&s, "SELECT count(*) FROM mentoring WHERE mentor_name='陈老师'"), 2);
    CHECK_INT(count(&s, "SELECT count(DISTINCT mentor_id) FROM mentoring"), 1);
    CHECK_INT(count(&s, "SELECT count(*) FROM people WHERE ext_id='13300001111'"), 1);
    check_status(s.port, "POST", "/admin/api/import?kind=mentoring",
                 "工友手机,导师姓名,导师手机\n13200003333,陈老师,13200003333\n", auth, 400,
                 "the mentor's phone is the worker's");
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* A server with the UTF-8 roster (two members by SMS) and one worker who
 * wrote on the generic channel. 0, or -1 (the test failed). */
static int start_with_roster(struct server *s)
{
    if (server_start(s, sets) != 0) {
        CHECK(0);
        return -1;
    }
    struct resp r = import(s, "kind=members&file=roster.csv", "tests/data/import/members_utf8.csv");
    CHECK_INT(r.status, 201);
    free(r.body);
    free(say_to(s->port, "w-1", "worker-77", "你好"));
    return 0;
}

/* A row of each part of account id's page (and export): a point, a course
 * and its booking, a report, a desk ticket. */
static void page_rows(const struct server *s, long long id)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO points(person_id, delta, reason, ref, created_ms)"
             " VALUES(%lld, 5, 'checkin', 'c-1', 1700000000000);"
             "INSERT INTO courses(no, title, place, start_ms, end_ms, capacity, deadline_ms,"
             " created_ms) VALUES(1, '电工', '工会', 1700000100000, 1700000200000, 10,"
             " 1700000050000, 1700000000000);"
             "INSERT INTO bookings(course_id, person_id, status, created_ms, updated_ms)"
             " VALUES(1, %lld, 'seat', 1700000000001, 1700000000001);"
             "INSERT INTO reports(code, person_id, status, created_ms, updated_ms)"
             " VALUES('SP0009', %lld, 'received', 1700000000002, 1700000000002);"
             "INSERT INTO desk_tickets(desk, person_id, status, created_ms, rating)"
             " VALUES('legal', %lld, 'open', 1700000000003, 4);",
             id, id, id, id);
    CHECK_INT(db_exec(s, sql), 0);
}

/* The first element of each of parts of o (NULL-terminated), "part: key:t
 * ... | " each (their wire shapes), into a new string. */
static char *parts_shape(json_t *o, const char *const *parts)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "");
    for (size_t i = 0; parts[i]; i++) {
        char *shape = it_key_types(json_array_get(json_object_get(o, parts[i]), 0));
        buf_printf(&b, "%s: %s| ", parts[i], shape);
        free(shape);
    }
    return buf_take(&b);
}

/* The compact JSON of part of o equals want. */
static void check_part(json_t *o, const char *part, const char *want)
{
    char *d = json_dumps(json_object_get(o, part), JSON_COMPACT | JSON_ENCODE_ANY);
    CHECK_STR(d, want);
    free(d);
}

/* GET /people/<id> of the account page_rows filled, key for key. */
static void check_page_shape(const char *body)
{
    static const char *const parts[] = {"channels", "points", "bookings", "reports",
                                        "tickets",  "member", NULL};
    json_t *j = json_loads(body ? body : "", 0, NULL);
    char *shape = it_key_types(j);
    CHECK_STR(shape, "channels:1 points:1 bookings:1 reports:1 tickets:1 member:1"
                     " points_balance:3 person:0 ");
    free(shape);
    shape = parts_shape(j, parts);
    CHECK_STR(shape, "channels: id:3 channel:2 ext_id:2 name:2 opted_out:3 consent:2 created_ms:3"
                     " last_seen_ms:3 | points: created_ms:3 delta:3 reason:2 | bookings:"
                     " course_id:3 course:2 start_ms:3 status:2 attended_ms:7 | reports: code:2"
                     " status:2 description:7 created_ms:3 | tickets: id:3 desk:2 status:2"
                     " crisis:6 created_ms:3 closed_ms:7 rating:3 | member: name:2 org:2"
                     " contact:7 city:7 checkin_ms:7 | ");
    free(shape);
    check_part(j, "points", "[{\"created_ms\":1700000000000,\"delta\":5,\"reason\":\"checkin\"}]");
    check_part(j, "bookings", "[{\"course_id\":1,\"course\":\"电工\",\"start_ms\":1700000100000,"
                              "\"status\":\"seat\",\"attended_ms\":null}]");
    check_part(j, "reports", "[{\"code\":\"SP0009\",\"status\":\"received\",\"description\":null,"
                             "\"created_ms\":1700000000002}]");
    check_part(j, "tickets", "[{\"id\":1,\"desk\":\"legal\",\"status\":\"open\",\"crisis\":false,"
                             "\"created_ms\":1700000000003,\"closed_ms\":null,\"rating\":4}]");
    check_part(j, "member", "[{\"name\":\"李师傅\",\"org\":\"快递行业党支部\",\"contact\":null,"
                            "\"city\":null,\"checkin_ms\":null}]");
    check_part(j, "points_balance", "5");
    json_t *c = json_array_get(json_object_get(j, "channels"), 0);
    CHECK_STR(json_string_value(json_object_get(c, "channel")), "kannel");
    CHECK_STR(json_string_value(json_object_get(c, "ext_id")), "13800001111");
    CHECK_HAS(json_string_value(json_object_get(c, "consent")), "import:roster.csv:");
    json_decref(j);
}

/* A directory row of 李师傅: the list's (tags before the times) or one's. */
static void check_row_shape(const char *body, bool list)
{
    json_t *j = json_loads(body ? body : "", 0, NULL);
    json_t *o = list ? json_array_get(json_object_get(j, "items"), 0) : j;
    char *shape = it_key_types(o);
    CHECK_STR(shape, list ? "id:3 name:2 phone:2 district:2 platform:2 city:7 org:2 channels:2"
                            " tags:2 joined_ms:3 last_seen_ms:3 opted_out:3 consent:2 "
                          : "id:3 name:2 phone:2 district:2 platform:2 city:7 org:2 channels:2"
                            " joined_ms:3 last_seen_ms:3 opted_out:3 consent:2 tags:2 ");
    free(shape);
    static const char *const want[][2] = {{"name", "李师傅"},   {"phone", "13800001111"},
                                          {"district", "襄州区"}, {"platform", "美团"},
                                          {"channels", "kannel"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        CHECK_STR(json_string_value(json_object_get(o, want[i][0])), want[i][1]);
    /* a member's org comes before the field's (快递工会, set by the POST) */
    CHECK_STR(json_string_value(json_object_get(o, "org")), "快递行业党支部");
    CHECK_HAS(json_string_value(json_object_get(o, "tags")), "骑手");
    CHECK_HAS(json_string_value(json_object_get(o, "consent")), "import:roster.csv:");
    CHECK_INT(json_integer_value(json_object_get(o, "opted_out")), 0);
    json_decref(j);
}

/* GET /people/<id>/export of the account page_rows filled: every part, and
 * the shape of the first row of each that has one. */
static void check_export_shape(const char *body)
{
    static const char *const parts[] = {"channels",  "points", "bookings", "reports",
                                        "desk_tickets", "member", "tags",     "profile", NULL};
    json_t *j = json_loads(body ? body : "", 0, NULL);
    char *shape = it_key_types(j);
    CHECK_STR(shape, "person:3 channels:1 messages:1 pushes:1 points:1 bookings:1 checkins:1"
                     " redemptions:1 lessons:1 lesson_subscription:1 reports:1 photos:1"
                     " desk_tickets:1 desk_messages:1 member:1 volunteer:1 tags:1 profile:1 ");
    free(shape);
    shape = parts_shape(j, parts);
    CHECK_STR(shape, "channels: id:3 channel:2 platform_id:2 name:2 opted_out:3 created_ms:3"
                     " last_seen_ms:3 | points: created_ms:3 delta:3 reason:2 ref:2 | bookings:"
                     " created_ms:3 course:2 status:2 cost:3 attended_ms:7 | reports: code:2"
                     " created_ms:3 description:7 lat:7 lon:7 status:2 followup_answer:7 |"
                     " desk_tickets: id:3 desk:2 status:2 crisis:3 created_ms:3 closed_ms:7"
                     " rating:3 | member: name:2 org:2 contact:7 city:7 lat:7 lon:7 checkin_ms:7"
                     " created_ms:3 | tags: tag:2 | profile: key:2 value:2 updated_ms:3 | ");
    free(shape);
    check_part(j, "points", "[{\"created_ms\":1700000000000,\"delta\":5,\"reason\":\"checkin\","
                            "\"ref\":\"c-1\"}]");
    check_part(j, "bookings", "[{\"created_ms\":1700000000001,\"course\":\"电工\",\"status\":"
                              "\"seat\",\"cost\":0,\"attended_ms\":null}]");
    check_part(j, "desk_tickets", "[{\"id\":1,\"desk\":\"legal\",\"status\":\"open\",\"crisis\":0,"
                                  "\"created_ms\":1700000000003,\"closed_ms\":null,\"rating\":4}]");
    CHECK_INT(json_integer_value(json_object_get(j, "person")), 1);
    json_decref(j);
}

static void test_people_directory_page_and_roles(void)
{
    struct server s;
    if (start_with_roster(&s) == -1)
        return;
    struct resp r, r2;
    char epath[96];
    /* search by name, phone fragment; filters */
    r = request(s.port, "GET", "/admin/api/people?q=%E6%9D%8E", NULL, auth); /* 李 */
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.body, "\"total\":1");
    CHECK_HAS(r.body, "\"phone\":\"13800001111\"");
    free(r.body);
    r = request(s.port, "GET", "/admin/api/people?q=0002222", NULL, auth);
    CHECK_HAS(r.body, "王姐");
    CHECK_HAS(r.body, "\"total\":1");
    free(r.body);
    r = request(s.port, "GET", "/admin/api/people?q=0002222", NULL, dauth); /* no phones for D */
    CHECK_HAS(r.body, "\"total\":0");
    free(r.body);
    r = request(s.port, "GET", "/admin/api/people?platform=%E7%BE%8E%E5%9B%A2&tag=member", NULL,
                auth); /* 美团 */
    CHECK_HAS(r.body, "\"total\":1");
    CHECK_HAS(r.body, "李师傅");
    free(r.body);
    r = request(s.port, "GET", "/admin/api/people?channel=generic", NULL, auth);
    CHECK_HAS(r.body, "\"total\":1");
    free(r.body);
    r = request(s.port, "GET", "/admin/api/people?joined_from=2000-01-01&seen_to=2000-01-01", NULL,
                auth);
    CHECK_HAS(r.body, "\"total\":0");
    free(r.body);
    r = request(s.port, "GET", "/admin/api/people?limit=1&offset=1", NULL, auth);
    CHECK_HAS(r.body, "\"total\":3");
    CHECK_HAS(r.body, "\"offset\":1");
    free(r.body);
    check_status(s.port, "GET", "/admin/api/people?joined_from=yesterday", NULL, auth, 400,
                 "YYYY-MM-DD");
    check_status(s.port, "GET", "/admin/api/people?opted_out=maybe", NULL, auth, 400, "opted_out");
    /* fields and tags by staff; unknown field refused, nothing changed */
    long long id = count(&s, "SELECT person_id FROM person_fields WHERE value='李师傅'");
    char *path = xasprintf("/admin/api/people/%lld", id);
    check_status(s.port, "POST", path, "{\"fields\":{\"shoe\":\"42\"}}", auth, 400,
                 "unknown field 'shoe'");
    check_status(s.port, "POST", path,
                 "{\"fields\":{\"district\":\"襄州区\"},\"tags\":[\"骑手\","
                 "\"志愿者\"]}",
                 uauth, 200, "\"district\":\"襄州区\"");
    check_status(s.port, "POST", path, "{\"tags\":[\"x\"]}", dauth, 403, NULL);
    CHECK_INT(count(&s, "SELECT count(*) FROM tags WHERE tag='志愿者'"), 1);
    CHECK_INT(count(&s, "SELECT count(*) FROM tags WHERE tag='member'"), 1); /* the other's */
    /* the person page: contacts for S and U only */
    page_rows(&s, id);
    r = request(s.port, "GET", path, NULL, auth);
    CHECK_INT(r.status, 200);
    check_page_shape(r.body);
    r2 = request(s.port, "GET", "/admin/api/people?q=%E6%9D%8E", NULL, auth);
    check_row_shape(r2.body, true);
    free(r2.body);
    r2 = request(s.port, "POST", path, "{\"fields\":{\"org\":\"快递工会\"}}", uauth);
    check_row_shape(r2.body, false);
    free(r2.body);
    snprintf(epath, sizeof epath, "%s/export", path);
    r2 = request(s.port, "GET", epath, NULL, auth);
    check_export_shape(r2.body);
    free(r2.body);
    /* a message's shape in the export of the worker who wrote 你好 */
    snprintf(epath, sizeof epath, "/admin/api/people/%lld/export",
             count(&s, "SELECT id FROM people WHERE ext_id='worker-77'"));
    r2 = request(s.port, "GET", epath, NULL, auth);
    json_t *ej = json_loads(r2.body ? r2.body : "", 0, NULL);
    static const char *const msg_parts[] = {"messages", NULL};
    char *mshape = parts_shape(ej, msg_parts);
    CHECK_STR(mshape, "messages: created_ms:3 channel:2 text:2 intent:2 replies:2 | ");
    free(mshape);
    CHECK_STR(json_string_value(json_object_get(
                  json_array_get(json_object_get(ej, "messages"), 0), "text")),
              "你好");
    json_decref(ej);
    free(r2.body);
    CHECK_HAS(r.body, "\"ext_id\":\"13800001111\"");
    CHECK_HAS(r.body, "\"points_balance\":5");
    free(r.body);
    r = request(s.port, "GET", path, NULL, dauth);
    CHECK_INT(r.status, 200);
    CHECK(strstr(r.body, "13800001111") == NULL);
    free(r.body);
    check_status(s.port, "GET", "/admin/api/people/99999", NULL, auth, 404, "no such person");
    /* export: local times (the configured zone), formula cells neutralised */
    r = request(s.port, "GET", "/admin/api/people.csv?tag=%E9%AA%91%E6%89%8B", NULL, auth);
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.body, "id,name,phone,district,platform,city,org,channels,tags,joined,last_seen");
    CHECK_HAS(r.body, "襄州区");
    /* local times in Asia/Shanghai (UTC+8, no DST), not Unix ms */
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    char day[32];
    gmtime_r(&t, &tm);
    strftime(day, sizeof day, ",%Y-%m-%d %H:", &tm);
    CHECK_HAS(r.body, day);
    CHECK(strstr(r.body, ",17") == NULL);
    free(r.body);
    check_status(s.port, "GET", "/admin/api/people.csv", NULL, dauth, 403, NULL);
    /* erasure takes the profile fields too */
    char *erase = xasprintf("/admin/api/people/%lld/erase", id);
    check_status(s.port, "POST", erase, "{\"reason\":\"电话要求\"}", auth, 200, NULL);
    char *left = xasprintf("SELECT count(*) FROM person_fields WHERE person_id=%lld", id);
    CHECK_INT(count(&s, left), 0);
    check_status(s.port, "GET", path, NULL, auth, 404, "no such person");
    free(left);
    free(erase);
    free(path);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_broadcast_fields_filters_and_test_send(void)
{
    struct server s;
    if (start_with_roster(&s) == -1)
        return;
    /* an unknown field: 400 naming it, nothing queued */
    check_status(s.port, "POST", "/admin/api/broadcasts", "{\"text\":\"{nmae}你好\"}", auth, 400,
                 "unknown field {nmae}");
    CHECK_INT(count(&s, "SELECT count(*) FROM broadcasts"), 0);
    /* each recipient gets their own name; no name: the content fallback */
    check_status(s.port, "POST", "/admin/api/broadcasts",
                 "{\"text\":\"{name}您好，{district}的{{活动}\",\"audience\":\"all\"}", auth, 202,
                 "\"recipients\":3");
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox WHERE text='李师傅您好，樊城区的{活动}'"), 1);
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox WHERE text='王姐您好，襄城区的{活动}'"), 1);
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox WHERE text='师傅您好，的{活动}'"), 1);
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox WHERE instr(text, '{name}') > 0"), 0);
    /* a saved filter as an audience */
    check_status(s.port, "POST", "/admin/api/filters",
                 "{\"name\":\"樊城骑手\",\"filter\":{\"district\":\"樊城区\",\"tag\":\"骑手\"}}",
                 auth, 201, "樊城骑手");
    check_status(s.port, "POST", "/admin/api/filters",
                 "{\"name\":\"x\",\"filter\":{\"shoe\":\"1\"}}", auth, 400, "filter");
    /* the list's wire shape: name, the filter as an object, created_ms */
    struct resp fl = request(s.port, "GET", "/admin/api/filters", NULL, auth);
    json_t *fj = json_loads(fl.body ? fl.body : "", 0, NULL);
    json_t *f0 = json_array_get(json_object_get(fj, "items"), 0);
    CHECK_INT(fl.status, 200);
    CHECK_INT(json_object_size(f0), 3);
    CHECK_STR(json_string_value(json_object_get(f0, "name")), "樊城骑手");
    CHECK_STR(json_string_value(json_object_get(json_object_get(f0, "filter"), "tag")), "骑手");
    CHECK(json_integer_value(json_object_get(f0, "created_ms")) > 1000000000000LL);
    json_decref(fj);
    free(fl.body);
    check_status(s.port, "POST", "/admin/api/broadcasts",
                 "{\"text\":\"骑手会\",\"audience\":\"filter:樊城骑手\",\"preview\":true}", auth,
                 200, "\"recipients\":1");
    check_status(s.port, "POST", "/admin/api/broadcasts",
                 "{\"text\":\"x\",\"audience\":\"filter:nobody\"}", auth, 404, "saved filter");
    check_status(s.port, "POST", "/admin/api/broadcasts",
                 "{\"text\":\"骑手会\",\"audience\":\"tag:骑手\"}", auth, 202, "\"recipients\":2");
    /* the test send: one push, filled with that person's fields */
    check_status(s.port, "POST", "/admin/api/broadcasts/test",
                 "{\"text\":\"{name}，测试\",\"to\":\"kannel:13800001111\"}", auth, 202,
                 "\"text\":\"李师傅，测试\"");
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox WHERE text='李师傅，测试' AND"
                        " broadcast_id IS NULL AND to_ext='13800001111'"),
              1);
    check_status(s.port, "POST", "/admin/api/broadcasts/test",
                 "{\"text\":\"{x}\",\"to\":\"kannel:1\"}", auth, 400, "unknown field {x}");
    check_status(s.port, "POST", "/admin/api/broadcasts/test", "{\"text\":\"hi\",\"to\":\"nope\"}",
                 auth, 400, "'to'");
    check_status(s.port, "POST", "/admin/api/broadcasts/test",
                 "{\"text\":\"hi\",\"to\":\"kannel:1\"}", uauth, 403, NULL);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* Rows of the outbox whose key starts with prefix, after waiting up to 5 s
 * (the tick runs every second) for at least want of them. */
static long long keyed(const struct server *s, const char *prefix, long long want)
{
    char *sql = xasprintf("SELECT count(*) FROM outbox WHERE substr(idem_key, 1, %zu)='%s'",
                          strlen(prefix), prefix);
    long long n = 0;
    for (int i = 0; i < 50 && (n = count(s, sql)) < want; i++)
        msleep(100);
    free(sql);
    return n;
}

static void test_schedules_monthly_checkin_and_after_join(void)
{
    static const char *const tsets[] = {
        "admin.token=" TOKEN, "admin.union_token=" UNION, "admin.desk_token=" DESK, "push.quiet=",
        "push.rush=",         "timezone=Asia/Shanghai",   "tick_seconds=1",         NULL};
    struct server s;
    CHECK_INT(server_start(&s, tsets), 0);
    struct resp r =
        import(&s, "kind=members&file=roster.csv", "tests/data/import/members_utf8.csv");
    CHECK_INT(r.status, 201);
    free(r.body);
    /* a member who checked in this month gets no reminder */
    free(say_to(s.port, "w-1", "worker-77", "你好"));
    check_status(
        s.port, "POST", "/admin/api/members",
        "{\"person\":\"generic:worker-77\",\"name\":\"刘师傅\",\"org\":\"快递行业党支部\"}", auth,
        201, NULL);
    free(say_to(s.port, "w-2", "worker-77", "报到 武汉"));
    check_status(s.port, "POST", "/admin/api/schedules",
                 "{\"kind\":\"monthly_checkin\",\"day\":40,\"text\":\"x\"}", auth, 400, "1..28");
    check_status(s.port, "POST", "/admin/api/schedules",
                 "{\"kind\":\"monthly_checkin\",\"day\":1,\"text\":\"{nmae}\"}", auth, 400,
                 "unknown field {nmae}");
    check_status(s.port, "POST", "/admin/api/schedules", "{\"kind\":\"weekly\"}", auth, 400,
                 "kind");
    check_status(s.port, "POST", "/admin/api/schedules",
                 "{\"kind\":\"monthly_checkin\",\"day\":1,\"time\":\"00:00\","
                 "\"text\":\"{name}，这个月还没报到，回复 报到 城市名\"}",
                 auth, 201, "\"id\":1");
    CHECK_INT(keyed(&s, "sch1-", 2), 2);
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox WHERE klass='bulk' AND"
                        " text='李师傅，这个月还没报到，回复 报到 城市名'"),
              1);
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox o JOIN people p ON p.id=o.person_id"
                        " WHERE p.ext_id='worker-77' AND o.idem_key LIKE 'sch1-%'"),
              0);
    msleep(1500); /* once a month: later ticks add nothing */
    CHECK_INT(keyed(&s, "sch1-", 3), 2);
    CHECK_INT(count(&s, "SELECT count(*) FROM schedule_runs WHERE schedule_id=1"), 1);
    /* after joining: only people who join after the schedule, day days later */
    check_status(s.port, "POST", "/admin/api/schedules",
                 "{\"kind\":\"after_join\",\"day\":3,\"text\":\"{name}，第 2 课：工伤怎么认定\"}",
                 auth, 201, "\"id\":2");
    free(say_to(s.port, "w-3", "newbie-1", "你好"));
    msleep(1500);
    CHECK_INT(keyed(&s, "sch2-", 0), 0); /* not three days yet */
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    char *later = xasprintf("%lld", (long long)time(NULL) * 1000 + 3 * 86400000LL + 60000);
    setenv("YIZHAN_FAKE_NOW_MS", later, 1);
    CHECK_INT(server_restart(&s, tsets), 0);
    unsetenv("YIZHAN_FAKE_NOW_MS");
    free(later);
    CHECK_INT(keyed(&s, "sch2-", 1), 1);
    CHECK_INT(count(&s, "SELECT count(*) FROM outbox o JOIN people p ON p.id=o.person_id"
                        " WHERE p.ext_id='newbie-1' AND o.text='师傅，第 2 课：工伤怎么认定'"),
              1);
    r = request(s.port, "GET", "/admin/api/schedules", NULL, auth);
    CHECK_HAS(r.body, "\"pushes\":1");
    CHECK_HAS(r.body, "\"pushes\":2");
    free(r.body);
    check_status(s.port, "POST", "/admin/api/schedules/2/cancel", "{}", auth, 200,
                 "\"active\":false");
    check_status(s.port, "POST", "/admin/api/schedules/2/cancel", "{}", auth, 404, NULL);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

const struct t_case it_people_tests[] = {T(test_people_import_encodings_and_preview),
                                         T(test_people_import_volunteers_and_mentoring),
                                         T(test_people_directory_page_and_roles),
                                         T(test_broadcast_fields_filters_and_test_send),
                                         T(test_schedules_monthly_checkin_and_after_join),
                                         T_END};
