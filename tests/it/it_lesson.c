/*
 * it_lesson.c - micro-lessons against the real server: points once under 20
 * concurrent copies of the same right answer, link and cover in the reply
 * JSON, the admin lesson list with rates and the lesson broadcast, and the
 * SMS part counts of `yizhan check`.
 */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "content.h"
#include "it.h"
#include "t.h"
#include "util.h"

struct conc {
    int port, i;
    struct resp r;
};

static void *answer_main(void *arg)
{
    struct conc *c = arg;
    char body[128];
    snprintf(body, sizeof body, "{\"id\":\"ans-%d\",\"from\":\"u-1\",\"text\":\"a\"}", c->i);
    c->r = post(c->port, body);
    return NULL;
}

/* Lesson 3's answer is A (10 points). */
static void test_lesson_points_once_twenty_concurrent_answers(void)
{
    struct server s;
    struct conc c[20];
    pthread_t th[20];
    CHECK_INT(server_start(&s, NULL), 0);
    char *r = say_to(s.port, "show-1", "u-1", "课 3");
    CHECK_HAS(r, "第3课");
    free(r);
    for (int i = 0; i < 20; i++) {
        c[i].port = s.port;
        c[i].i = i;
        pthread_create(&th[i], NULL, answer_main, &c[i]);
    }
    for (int i = 0; i < 20; i++)
        pthread_join(th[i], NULL);
    char *none = text_of("quiz.none");
    int right = 0, hint = 0;
    for (int i = 0; i < 20; i++) {
        CHECK_INT(c[i].r.status, 200);
        if (strstr(c[i].r.body, "+10") != NULL)
            right++;
        else if (strstr(c[i].r.body, none) != NULL)
            hint++;
        free(c[i].r.body);
    }
    CHECK_INT(right, 1);
    CHECK_INT(hint, 19);
    free(none);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM points WHERE ref='lesson:3'"), 1);
    CHECK_INT(db_count(&s, "SELECT sum(delta) FROM points"), 10);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE ext_id LIKE 'ans-%'"), 20);
    /* asked again and answered right again: still no second entry */
    r = say_to(s.port, "show-2", "u-1", "课 3");
    free(r);
    r = say_to(s.port, "ans-again", "u-1", "答A");
    char *again = text_of("quiz.right_again");
    CHECK(strncmp(r, again, strcspn(again, "{")) == 0);
    free(again);
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM points WHERE ref='lesson:3'"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* The shipped lessons' links are paths under [lessons] link_base. */
static void test_lesson_reply_has_link_and_cover(void)
{
    struct server s;
    const char *sets[] = {"lessons.link_base=https://v.xy-yizhan.cn/weike/", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    struct resp r = post(s.port, "{\"id\":\"lk-1\",\"from\":\"u-2\",\"text\":\"第3课\"}");
    CHECK_INT(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    json_t *o = json_array_get(json_object_get(j, "replies"), 0);
    CHECK_STR(json_string_value(json_object_get(o, "link")),
              "https://v.xy-yizhan.cn/weike/v/03-longzhong-dui");
    CHECK_STR(json_string_value(json_object_get(o, "cover")),
              "https://v.xy-yizhan.cn/weike/img/03-longzhong-dui.jpg");
    CHECK_HAS(json_string_value(json_object_get(o, "text")), "隆中对");
    json_decref(j);
    free(r.body);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* No link_base (the default): the lesson goes out whole, without a link or
 * cover, and no placeholder address anywhere in the answer. */
static void test_lesson_reply_without_link_base_has_no_link(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    struct resp r = post(s.port, "{\"id\":\"lk-2\",\"from\":\"u-2\",\"text\":\"第3课\"}");
    CHECK_INT(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    json_t *o = json_array_get(json_object_get(j, "replies"), 0);
    CHECK(json_object_get(o, "link") == NULL);
    CHECK(json_object_get(o, "cover") == NULL);
    CHECK_HAS(json_string_value(json_object_get(o, "text")), "隆中对建议刘备联合谁");
    CHECK(strstr(r.body, "example") == NULL && strstr(r.body, "http") == NULL);
    json_decref(j);
    free(r.body);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* A placeholder link_base or lesson link stops the server before it starts. */
static void test_placeholder_link_refused_at_start(void)
{
    FILE *p = popen("./yizhan check --set lessons.link_base=https://yizhan.example.org 2>&1", "r");
    char line[512];
    int said = 0;
    CHECK(p != NULL);
    if (p == NULL)
        return;
    while (fgets(line, sizeof line, p) != NULL)
        if (strstr(line, "lessons.link_base: 'https://yizhan.example.org' has a placeholder") !=
            NULL)
            said++;
    CHECK(pclose(p) != 0);
    CHECK_INT(said, 1);
}

static json_t *get_json(int port, const char *path)
{
    const char *auth[] = {"Authorization: Bearer tok-0123456789abcdef", NULL};
    struct resp r = request(port, "GET", path, NULL, auth);
    CHECK_INT(r.status, 200);
    json_t *j = json_loads(r.body, 0, NULL);
    if (j == NULL)
        printf("%s: GET %s: %s\n", t_current, path, r.body);
    free(r.body);
    return j;
}

static json_t *lesson_item(json_t *list, int id)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(list, "items"), i, o)
    {
        if (json_integer_value(json_object_get(o, "id")) == id)
            return o;
    }
    return NULL;
}

static void test_admin_lessons_rates_and_broadcast(void)
{
    struct server s;
    /* no quiet or rush hours: the pushes do not depend on the time of day */
    const char *sets[] = {"admin.token=tok-0123456789abcdef", "push.quiet=", "push.rush=",
                          "lessons.link_base=https://v.xy-yizhan.cn/weike", NULL};
    const char *auth[] = {"Authorization: Bearer tok-0123456789abcdef", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    /* lesson 1 (answer B): u-1 right, u-2 wrong, u-3 only looks */
    const char *script[][3] = {{"a-1", "u-1", "课 1"},
                               {"a-2", "u-1", "b"},
                               {"a-3", "u-2", "课 1"},
                               {"a-4", "u-2", "c"},
                               {"a-5", "u-3", "课 1"}};
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        char *r = say_to(s.port, script[i][0], script[i][1], script[i][2]);
        free(r);
    }
    json_t *list = get_json(s.port, "/admin/api/lessons");
    CHECK_INT(json_array_size(json_object_get(list, "items")), 55);
    json_t *one = lesson_item(list, 1);
    CHECK_INT(json_integer_value(json_object_get(one, "shown")), 3);
    CHECK_INT(json_integer_value(json_object_get(one, "answered")), 2);
    CHECK_INT(json_integer_value(json_object_get(one, "done")), 1);
    CHECK(json_real_value(json_object_get(one, "completion_rate")) > 0.33 &&
          json_real_value(json_object_get(one, "completion_rate")) < 0.34);
    CHECK(json_real_value(json_object_get(one, "right_rate")) == 0.5);
    CHECK(json_integer_value(json_object_get(one, "sms_parts")) >= 1);
    json_decref(list);

    check_status(s.port, "POST", "/admin/api/lessons/999/broadcast", "{}", auth, 404,
                 "no such lesson");
    check_status(s.port, "POST", "/admin/api/lessons/3/broadcast", "{\"audience\":\"x\"}", auth,
                 400, "audience");
    check_status(s.port, "GET", "/admin/api/lessons/3/broadcast", NULL, auth, 405, NULL);
    check_status(s.port, "GET", "/admin/api/lessons", NULL, NULL, 401, NULL);
    /* a preview sends nothing, on this route as on POST /broadcasts */
    struct resp r = request(s.port, "POST", "/admin/api/lessons/3/broadcast",
                            "{\"audience\":\"all\",\"preview\":true}", auth);
    CHECK_INT(r.status, 200);
    CHECK_HAS(r.body, "\"recipients\":3");
    CHECK_HAS(r.body, "\"sms_parts\"");
    free(r.body);
    check_status(s.port, "POST", "/admin/api/lessons/3/broadcast", "{\"preview\":\"yes\"}", auth,
                 400, "'preview'");
    CHECK_INT(db_count(&s, "SELECT count(*) FROM broadcasts"), 0);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL"), 0);
    r = request(s.port, "POST", "/admin/api/lessons/3/broadcast", "{\"audience\":\"all\"}", auth);
    CHECK_INT(r.status, 202);
    json_t *j = json_loads(r.body, 0, NULL);
    CHECK_INT(json_integer_value(json_object_get(j, "recipients")), 3);
    CHECK_INT(json_integer_value(json_object_get(j, "lesson")), 3);
    json_decref(j);
    free(r.body);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM outbox WHERE broadcast_id IS NOT NULL"
                           " AND klass='bulk' AND text LIKE"
                           " '%https://v.xy-yizhan.cn/weike/v/03-longzhong-dui%'"),
              3);
    /* every recipient can answer the broadcast lesson's question */
    char *ans = say_to(s.port, "a-6", "u-3", "选A");
    CHECK_HAS(ans, "+10");
    free(ans);
    list = get_json(s.port, "/admin/api/lessons");
    CHECK_INT(json_integer_value(json_object_get(lesson_item(list, 3), "shown")), 3);
    CHECK_INT(json_integer_value(json_object_get(lesson_item(list, 3), "done")), 1);
    json_decref(list);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* The writer thread runs the tick: a subscription for this very minute is
 * queued as a bulk push with a key per person and day. */
static void test_lesson_subscription_tick_queues_push(void)
{
    struct server s;
    const char *sets[] = {"tick_seconds=1", "push.quiet=", "push.rush=", "timezone=Asia/Shanghai",
                          NULL};
    char hhmm[8], text[32], day[16];
    CHECK_INT(server_start(&s, sets), 0);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    if (tm.tm_sec >= 55) { /* stay inside one minute */
        msleep(6000);
        now = time(NULL);
        localtime_r(&now, &tm);
    }
    strftime(hhmm, sizeof hhmm, "%H:%M", &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(text, sizeof text, "订阅学习 %s", hhmm);
    char *r = say_to(s.port, "sub-1", "u-5", text);
    const char *kv[] = {"time", hhmm, NULL};
    char *want = content_render(ct, "lesson.subscribed", kv);
    CHECK_STR(r, want);
    free(r);
    free(want);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outbox WHERE klass='bulk' AND idem_key='lesson:p1:%s'", day);
    long long n = 0;
    for (int i = 0; i < 60 && n == 0; i++) {
        msleep(100);
        n = db_count(&s, sql);
    }
    CHECK_INT(n, 1);
    msleep(1500); /* more ticks: still one */
    CHECK_INT(db_count(&s, sql), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_check_prints_lesson_sms_parts(void)
{
    FILE *p = popen("./yizhan check 2>&1", "r");
    char line[512];
    int lessons = 0, ok = 0;
    CHECK(p != NULL);
    if (p == NULL)
        return;
    while (fgets(line, sizeof line, p) != NULL) {
        int id, parts;
        if (sscanf(line, "lesson %d (content/lessons/%*[^)]): %d SMS part", &id, &parts) == 2 &&
            parts >= 1)
            lessons++;
        if (strncmp(line, "ok: ", 4) == 0)
            ok++;
    }
    CHECK_INT(pclose(p), 0);
    CHECK_INT(lessons, 55);
    CHECK_INT(ok, 1);
}

const struct t_case it_lesson_tests[] = {T(test_lesson_points_once_twenty_concurrent_answers),
                                         T(test_lesson_reply_has_link_and_cover),
                                         T(test_lesson_reply_without_link_base_has_no_link),
                                         T(test_placeholder_link_refused_at_start),
                                         T(test_admin_lessons_rates_and_broadcast),
                                         T(test_lesson_subscription_tick_queues_push),
                                         T(test_check_prints_lesson_sms_parts),
                                         T_END};
