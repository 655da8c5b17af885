/*
 * test_courses.c - courses, the waitlist, redemption and check-in through
 * engine_turn() with the shipped intents/ and content/: the last seat (also
 * raced by 50 connections), cancel with refund, promotion, the confirm
 * timeout passing the seat on, reminders with an injected clock and quiet
 * hours, check-in windows and duplicates, redemption stock (also raced).
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "courses.h"
#include "engine.h"
#include "handler.h"
#include "intent.h"
#include "outbox.h"
#include "points.h"
#include "store.h"
#include "store_int.h"
#include "t.h"
#include "util.h"

#define HOUR 3600000LL
#define MIN 60000LL

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
    char path[300];
    int64_t clock0; /* restored at the end: other suites keep their time */
};

/* The app from the real intents/ and content/, a store at path (or memory),
 * quiet hours as given ("" for none). */
static int fx_init(struct fx *f, bool file, const char *quiet)
{
    struct buf errs;
    char *set = xasprintf("push.quiet=%s", quiet);
    char *sets[] = {set, "courses.confirm_minutes=60"};
    int rc = 0;
    memset(f, 0, sizeof *f);
    f->clock0 = now_ms();
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    buf_init(&errs, 0);
    if (conf_load(&f->c, NULL, sets, 2, &errs) == -1)
        rc = -1;
    f->app.conf = &f->c;
    f->app.intents = t_intents(&errs);
    f->app.ct = content_load("content", &errs);
    snprintf(f->path, sizeof f->path, "%s", ":memory:");
    if (file)
        snprintf(f->path, sizeof f->path, "%s/y.db", t_tmpdir());
    f->st = store_open(f->path, false);
    if (f->app.intents == NULL || f->app.ct == NULL || f->st == NULL)
        rc = -1;
    CHECK_STR(errs.data ? errs.data : "", "");
    CHECK_INT(rc, 0);
    buf_release(&errs);
    free(set);
    return rc;
}

static void fx_release(struct fx *f)
{
    store_close(f->st);
    content_free(f->app.ct);
    t_intents_free(f->app.intents);
    conf_release(&f->c);
    stub_clock_set(f->clock0);
}

static long long q(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else
        printf("q(%s): %s\n", sql, sqlite3_errmsg(store_db(st)));
    sqlite3_finalize(s);
    return v;
}

/* One message from user in its own transaction on st; the replies joined. */
static char *talk_on(const struct app *app, struct store *st, const char *user, const char *text)
{
    static int seq;
    struct turn_result res = {0};
    char ext[64];
    struct buf b;
    size_t i;
    json_t *r;
    snprintf(ext, sizeof ext, "m-%s-%d-%ld", user, __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST),
             (long)pthread_self());
    struct inmsg in = {
        .channel = "generic", .ext_id = ext, .user = (char *)user, .text = (char *)text};
    buf_init(&b, 0);
    buf_puts(&b, "");
    if (store_begin(st) == -1)
        return buf_take(&b);
    if (engine_turn(app, st, &chan_generic, &in, now_ms(), &res) == 0 && store_commit(st) == 0) {
        json_array_foreach(res.replies, i, r)
            buf_printf(&b, "%s%s", i ? "\n" : "", json_string_value(json_object_get(r, "text")));
    } else {
        store_rollback(st);
        buf_puts(&b, "(turn failed)");
    }
    turn_result_release(&res);
    return buf_take(&b);
}

/* talk_on, sent again while the turn could not begin or failed (and was
 * rolled back). A turn that did not get the write lock within the busy
 * timeout (30 or 50 turns queue on one lock, and under valgrind on a loaded
 * machine that takes longer than 5 s: CI of stop 39 saw 25 of 27 redeemers
 * told sold out) is what a platform sees as a 500 and sends again; so do the
 * race tests' threads. */
static char *talk_retried(const struct app *app, struct store *st, const char *user,
                          const char *text)
{
    char *reply = NULL;
    for (int i = 0; i < 10; i++) {
        reply = talk_on(app, st, user, text);
        if (reply == NULL || (reply[0] != '\0' && strcmp(reply, "(turn failed)") != 0))
            break;
        free(reply);
        reply = NULL;
    }
    return reply;
}

static char *talk(struct fx *f, const char *user, const char *text)
{
    char *s = talk_on(&f->app, f->st, user, text);
    stub_clock_advance(1000);
    return s;
}

/* Say text as user and check the reply contains want (NULL: anything). */
static void expect(struct fx *f, const char *user, const char *text, const char *want)
{
    char *r = talk(f, user, text);
    if (want != NULL)
        CHECK_HAS(r, want);
    free(r);
}

/* The rendered content of key with pairs, for expected texts. */
static char *txt(struct fx *f, const char *key, const char *const *kv)
{
    return content_render(f->app.ct, key, kv);
}

static int64_t add_course(struct fx *f, const char *title, int64_t start, int64_t capacity,
                          int64_t cost)
{
    int64_t id = 0, no = 0;
    struct course c = {.title = (char *)title,
                       .provider = "襄阳职院",
                       .place = "驿站二楼",
                       .start_ms = start,
                       .end_ms = start + 2 * HOUR,
                       .capacity = capacity,
                       .cost = cost,
                       .deadline_ms = start};
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(courses_add(f->st, &c, now_ms(), &id, &no), 0);
    CHECK_INT(store_commit(f->st), 0);
    return id;
}

static void credit(struct fx *f, const char *user, int64_t n, const char *ref)
{
    int64_t id;
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_person_ensure(f->st, "generic", user, NULL, now_ms(), &id), 0);
    CHECK_INT(points_award(f->st, id, n, "admin", ref, now_ms()), 0);
    CHECK_INT(store_commit(f->st), 0);
}

static int64_t pid(struct fx *f, const char *user)
{
    int64_t id = -1;
    CHECK_INT(store_person_find(f->st, "generic", user, &id), 1);
    return id;
}

static void tick(struct fx *f)
{
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(courses_tick(&f->app, f->st, now_ms()), 0);
    CHECK_INT(store_commit(f->st), 0);
}

static void test_course_list_show_and_bare_number(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    expect(&f, "u-1", "培训", content_get(f.app.ct, "course.list.empty"));
    add_course(&f, "养老护理", now_ms() + 48 * HOUR, 3, 0);
    add_course(&f, "智能手机", now_ms() + 24 * HOUR, 2, 10);
    char *r = talk(&f, "u-1", "培训");
    /* the sooner course first, each with its own short number */
    CHECK(strstr(r, "2. ") != NULL && strstr(r, "1. ") != NULL &&
          strstr(r, "2. ") < strstr(r, "1. "));
    CHECK_HAS(r, "剩3座");
    free(r);
    /* a number after the list books, as 报名 N does; 培训 N shows */
    r = talk(&f, "u-1", "2");
    CHECK_HAS(r, "智能手机");
    CHECK_HAS(r, "需要 10 积分");
    free(r);
    r = talk(&f, "u-1", "培训 2");
    CHECK_HAS(r, "需10积分");
    free(r);
    expect(&f, "u-1", "培训 7", "7");
    expect(&f, "u-1", "报名 2", "10"); /* not enough points */
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings"), 0);
out:
    fx_release(&f);
}

static void test_course_last_seat_then_waitlist_in_order(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    add_course(&f, "养老护理", now_ms() + 48 * HOUR, 1, 0);
    char *r = talk(&f, "u-0", "报名 1");
    CHECK_HAS(r, "报名成功");
    free(r);
    for (int i = 1; i <= 5; i++) {
        char user[16], pos[16];
        snprintf(user, sizeof user, "u-%d", i);
        snprintf(pos, sizeof pos, "%d", i);
        const char *kv[] = {"title", "养老护理", "pos", pos, "no", "1", NULL};
        char *want = txt(&f, "course.waitlisted", kv);
        expect(&f, user, "报名 1", want);
        free(want);
    }
    expect(&f, "u-3", "报名 1", "3"); /* already waiting: the same place */
    expect(&f, "u-0", "报名 1", "已报名");
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='seat'"), 1);
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='waiting'"), 5);
    int seats = -1, wait = -1;
    CHECK_INT(courses_profile_summary(f.st, pid(&f, "u-0"), now_ms(), &seats, &wait), 0);
    CHECK_INT(seats, 1);
    CHECK_INT(wait, 0);
    CHECK_INT(courses_profile_summary(f.st, pid(&f, "u-2"), now_ms(), &seats, &wait), 0);
    CHECK_INT(seats, 0);
    CHECK_INT(wait, 1);
out:
    fx_release(&f);
}

struct booker {
    struct fx *f;
    char user[16];
    char *reply;
};

static void *booker_main(void *arg)
{
    struct booker *b = arg;
    struct store *st = store_open(b->f->path, false);
    if (st == NULL)
        return NULL;
    b->reply = talk_retried(&b->f->app, st, b->user, "报名 1");
    store_close(st);
    return NULL;
}

/* 50 connections book the last seat at once: one seat, 49 places 1..49 in
 * the order the bookings committed. */
static void test_course_last_seat_race(void)
{
    struct fx f;
    struct booker b[50];
    pthread_t th[50];
    if (fx_init(&f, true, "") == -1)
        goto out;
    add_course(&f, "养老护理", now_ms() + 48 * HOUR, 1, 0);
    for (int i = 0; i < 50; i++) {
        b[i] = (struct booker){.f = &f};
        snprintf(b[i].user, sizeof b[i].user, "r-%d", i);
        CHECK_INT(pthread_create(&th[i], NULL, booker_main, &b[i]), 0);
    }
    int booked = 0, seen[50] = {0};
    for (int i = 0; i < 50; i++) {
        pthread_join(th[i], NULL);
        if (b[i].reply == NULL) {
            CHECK(b[i].reply != NULL);
            continue;
        }
        if (strstr(b[i].reply, "报名成功") != NULL) {
            booked++;
        } else {
            const char *p = strstr(b[i].reply, "第 ");
            int pos = p ? atoi(p + strlen("第 ")) : 0;
            CHECK(pos >= 1 && pos <= 49);
            if (pos >= 1 && pos <= 49) {
                seen[pos]++;
                /* the place told is the rank of this booking among the waiting */
                char sql[300];
                snprintf(sql, sizeof sql,
                         "SELECT count(*) FROM bookings w WHERE w.status='waiting' AND w.id <="
                         " (SELECT b.id FROM bookings b JOIN people p ON p.id=b.person_id"
                         " WHERE p.ext_id='%s')",
                         b[i].user);
                CHECK_INT(q(f.st, sql), pos);
            }
        }
        free(b[i].reply);
    }
    CHECK_INT(booked, 1);
    for (int pos = 1; pos <= 49; pos++)
        CHECK_INT(seen[pos], 1);
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='seat'"), 1);
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='waiting'"), 49);
out:
    fx_release(&f);
}

static long long outbox_count(struct fx *f, const char *key_like)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE idem_key LIKE '%s'", key_like);
    return q(f->st, sql);
}

/* 取消报名 without a number asks which of the person's bookings, and the
 * number shown cancels that one; 我要报名 without one shows the courses
 * (it said 没有编号  的培训, the number left blank). Nothing changes until a
 * number is given. */
static void test_course_without_number_asks_which(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    add_course(&f, "养老护理", now_ms() + 48 * HOUR, 5, 0);
    add_course(&f, "电工入门", now_ms() + 72 * HOUR, 5, 0);
    expect(&f, "a", "报名 1", "养老护理");
    expect(&f, "a", "报名 2", "电工入门");
    expect(&f, "a", "取消报名", "取消哪一个");
    expect(&f, "a", "取消报名", "电工入门");
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='seat'"), 2);
    expect(&f, "a", "2", "已取消 电工入门");
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='seat'"), 1);
    expect(&f, "b", "取消报名", content_get(f.app.ct, "course.mine.empty"));
    expect(&f, "c", "我要报名", "回复编号报名");
    expect(&f, "c", "我要报名", "养老护理");
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings"), 2); /* a's two, none of c's */
out:
    fx_release(&f);
}

/* A freed seat is answered in words: unsure asks again, no passes it on,
 * yes keeps it (not only 确认). */
static void test_seat_offer_answered_in_words(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    add_course(&f, "养老护理", now_ms() + 48 * HOUR, 1, 0);
    expect(&f, "a", "报名 1", "养老护理");
    expect(&f, "b", "报名 1", "第 1 位");
    expect(&f, "c", "报名 1", "第 2 位");
    expect(&f, "a", "取消 1", "养老护理");
    CHECK_INT(outbox_count(&f, "offer:c1:b2"), 1);
    expect(&f, "b", "1我考虑一下", content_get(f.app.ct, "course.offer_ask"));
    expect(&f, "b", "取消", content_get(f.app.ct, "course.offer_ask"));
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='offered'"), 1);
    expect(&f, "b", "那天要跑单，去不了", "让给下一位");
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='declined'"), 1);
    CHECK_INT(outbox_count(&f, "offer:c1:b3"), 1);
    expect(&f, "c", "好的我要", "养老护理");
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='seat'"), 1);
    /* with no offer open the same words are not a booking */
    expect(&f, "d", "好的我要", content_get(f.app.ct, "fallback"));
out:
    fx_release(&f);
}

/* Cancel gives the points back and offers the seat to the first waiting;
 * an offer not confirmed in time passes to the next, who confirms. */
static void test_course_cancel_refund_promote_timeout(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    add_course(&f, "养老护理", now_ms() + 48 * HOUR, 1, 5);
    credit(&f, "a", 20, "admin:a");
    credit(&f, "b", 20, "admin:b");
    credit(&f, "c", 20, "admin:c");
    expect(&f, "a", "报名 1", "已扣 5 积分");
    CHECK_INT(points_balance(f.st, pid(&f, "a")), 15);
    expect(&f, "b", "报名 1", "第 1 位");
    expect(&f, "c", "报名 1", "第 2 位");
    CHECK_INT(points_balance(f.st, pid(&f, "b")), 20); /* waiting costs nothing */
    expect(&f, "b", "确认", content_get(f.app.ct, "course.confirm_none"));

    expect(&f, "a", "取消 1", "已退回 5 积分");
    CHECK_INT(points_balance(f.st, pid(&f, "a")), 20);
    CHECK_INT(q(f.st, "SELECT count(*) FROM points WHERE ref LIKE 'refund:%'"), 1);
    /* the offer to b is queued in the same transaction, as a transactional push */
    CHECK_INT(outbox_count(&f, "offer:c1:b2"), 1);
    CHECK_INT(q(f.st, "SELECT count(*) FROM outbox WHERE klass='transactional'"), 1);
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='offered'"), 1);
    expect(&f, "b", "我的报名", "确认");
    expect(&f, "c", "报名 1", "第 1 位"); /* c moved up */

    /* b lets the confirm time pass: the tick hands the seat to c */
    stub_clock_advance(59 * MIN);
    tick(&f);
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='offered'"), 1);
    stub_clock_advance(2 * MIN);
    tick(&f);
    tick(&f); /* twice: queues once */
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='expired'"), 1);
    CHECK_INT(outbox_count(&f, "offer-expired:c1:b2"), 1);
    CHECK_INT(outbox_count(&f, "offer:c1:b3"), 1);
    CHECK_INT(q(f.st, "SELECT count(*) FROM outbox"), 3);
    expect(&f, "b", "确认", content_get(f.app.ct, "course.confirm_none"));
    expect(&f, "c", "确认", "已扣 5 积分");
    CHECK_INT(points_balance(f.st, pid(&f, "c")), 15);
    CHECK_INT(points_balance(f.st, pid(&f, "b")), 20);
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE status='seat'"), 1);
    expect(&f, "c", "我的报名", "已报名");
    /* a booking again now waits (the seat is c's) */
    expect(&f, "a", "报名 1", "第 1 位");
    expect(&f, "a", "取消 1", "退出");
    expect(&f, "a", "取消 1", "没有报名");
out:
    fx_release(&f);
}

static void test_course_confirm_without_points_passes_on(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    add_course(&f, "智能手机", now_ms() + 48 * HOUR, 1, 10);
    credit(&f, "a", 10, "admin:a");
    credit(&f, "b", 10, "admin:b");
    credit(&f, "c", 10, "admin:c");
    expect(&f, "a", "报名 1", "报名成功");
    expect(&f, "b", "报名 1", "第 1 位");
    expect(&f, "c", "报名 1", "第 2 位");
    /* b spends the points elsewhere meanwhile */
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(points_spend(f.st, pid(&f, "b"), 5, "redeem", "redeem:x", now_ms()), 0);
    CHECK_INT(store_commit(f.st), 0);
    expect(&f, "a", "取消 1", "退回");
    expect(&f, "b", "确认", "空位已让给下一位");
    CHECK_INT(outbox_count(&f, "offer:c1:b3"), 1);
    expect(&f, "c", "确认", "确认成功");
out:
    fx_release(&f);
}

/* Reminders the day before and two hours before, once each, and held
 * through quiet hours. */
static void test_course_reminders_injected_clock(void)
{
    struct fx f;
    if (fx_init(&f, false, "22:00-07:00") == -1)
        goto out;
    /* a course at 06:00 local, two days and a bit from now */
    time_t now = (time_t)(now_ms() / 1000);
    struct tm tm;
    localtime_r(&now, &tm);
    tm.tm_mday += 3;
    tm.tm_hour = 6;
    tm.tm_min = 0;
    tm.tm_sec = 0;
    tm.tm_isdst = -1;
    int64_t start = (int64_t)mktime(&tm) * 1000;
    add_course(&f, "养老护理", start, 5, 0);
    expect(&f, "early", "报名 1", "报名成功");
    tick(&f);
    CHECK_INT(outbox_count(&f, "remind:%"), 0);

    stub_clock_set(start - 24 * HOUR - MIN);
    tick(&f);
    CHECK_INT(outbox_count(&f, "remind:%"), 0);
    stub_clock_set(start - 24 * HOUR + MIN);
    tick(&f);
    tick(&f);
    char key[64];
    snprintf(key, sizeof key, "remind:c1:p%lld:day", (long long)pid(&f, "early"));
    CHECK_INT(outbox_count(&f, key), 1);
    CHECK_INT(outbox_count(&f, "remind:%"), 1);
    /* booked within the last day: no day-before reminder, only the 2h one */
    expect(&f, "late", "报名 1", "报名成功");
    stub_clock_set(start - 3 * HOUR);
    tick(&f);
    CHECK_INT(outbox_count(&f, "remind:%"), 1);

    stub_clock_set(start - 2 * HOUR + MIN); /* 04:01: quiet hours */
    tick(&f);
    tick(&f);
    CHECK_INT(outbox_count(&f, "remind:%:2h"), 2);
    CHECK_INT(outbox_count(&f, "remind:%"), 3);
    /* held until the quiet hours end at 07:00 */
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outbox WHERE idem_key LIKE 'remind:%%:2h' AND status='held'"
             " AND next_at_ms=%lld",
             (long long)push_allowed_at(&f.c, OUT_TRANSACTIONAL, now_ms()));
    CHECK_INT(q(f.st, sql), 2);
    CHECK(push_allowed_at(&f.c, OUT_TRANSACTIONAL, now_ms()) == start + HOUR);
out:
    fx_release(&f);
}

static void test_checkin_window_duplicate_and_wrong_codes(void)
{
    struct fx f;
    int64_t act;
    if (fx_init(&f, false, "") == -1)
        goto out;
    int64_t start = now_ms() + HOUR;
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(activities_add(f.st, "社区志愿服务", "volunteer", "K7Q2", start, start + 2 * HOUR, 8,
                             0, now_ms(), &act),
              0);
    CHECK_INT(activities_add(f.st, "另一个", "volunteer", "K7Q2", start, start + HOUR, 1, 0,
                             now_ms(), &act),
              1);
    CHECK_INT(store_commit(f.st), 0);
    expect(&f, "u-1", "签到 K7Q2", "还没开始");
    stub_clock_set(start + MIN);
    expect(&f, "u-1", "签到 k7q2", "获得 8 积分，现有 8 分");
    expect(&f, "u-1", "签到K7Q2", "已签到过");
    expect(&f, "u-2", "签到 K7Q2", "签到成功");
    /* a code split by a space, as voice input writes it, is the same code */
    expect(&f, "u-2", "签到 k7 q2", "已签到过");
    CHECK_INT(points_balance(f.st, pid(&f, "u-1")), 8);
    CHECK_INT(q(f.st, "SELECT count(*) FROM points WHERE ref='checkin:K7Q2'"), 2);
    expect(&f, "u-1", "签到 ABCD", "签到码 ABCD 不对");
    expect(&f, "u-1", "签到 K0Q2", "签到码 K0Q2 不对");
    stub_clock_set(start + 2 * HOUR + MIN);
    expect(&f, "u-3", "签到 K7Q2", "已过期");
    CHECK_INT(q(f.st, "SELECT count(*) FROM checkins"), 2);

    /* codes from courses_new_code use the readable alphabet only */
    char code[5], norm[9];
    for (int i = 0; i < 50; i++) {
        CHECK_INT(courses_new_code(f.st, code), 0);
        CHECK_INT((int)strlen(code), 4);
        CHECK(strpbrk(code, "0O1I") == NULL);
        CHECK_INT(courses_code_norm(code, norm), 0);
    }
    CHECK_INT(courses_code_norm("ab1d", norm), -1);
    CHECK_INT(courses_code_norm("abcd", norm), 0);
    CHECK_STR(norm, "ABCD");
    CHECK_INT(courses_code_norm("c9 v4", norm), 0);
    CHECK_STR(norm, "C9V4");
    CHECK_INT(courses_code_norm("ab cd ef gh", norm), 0);
    CHECK_STR(norm, "ABCDEFGH");
    CHECK_INT(courses_code_norm("ab cd ef ghj", norm), -1); /* 9 characters */
    CHECK_INT(courses_code_norm("c9 v", norm), -1);         /* 3 */
    CHECK_INT(courses_code_norm("c9  v4", norm), -1);       /* two spaces */
    CHECK_INT(courses_code_norm(" c9v4", norm), -1);
    CHECK_INT(courses_code_norm("c9v4 ", norm), -1);
out:
    fx_release(&f);
}

/* 签到 alone (sweep after round 12) asks for the code; nothing is recorded */
static void test_checkin_without_code_asks(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    expect(&f, "u-1", "签到", "请发活动现场的签到码");
    expect(&f, "u-1", "签个到", "请发活动现场的签到码");
    CHECK_INT(q(f.st, "SELECT count(*) FROM checkins"), 0);
out:
    fx_release(&f);
}

static void test_course_checkin_marks_attendance(void)
{
    struct fx f;
    int64_t act;
    if (fx_init(&f, false, "") == -1)
        goto out;
    int64_t start = now_ms() + HOUR;
    int64_t cid = add_course(&f, "养老护理", start, 5, 0);
    expect(&f, "u-1", "报名 1", "报名成功");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(activities_add(f.st, "养老护理", "course", "HJKM", start - 30 * MIN, start + 2 * HOUR,
                             0, cid, now_ms(), &act),
              0);
    CHECK_INT(store_commit(f.st), 0);
    stub_clock_set(start - 10 * MIN);
    char *r = talk(&f, "u-1", "签到 hjkm");
    CHECK_HAS(r, "签到成功");
    CHECK(strstr(r, "积分") == NULL); /* no points for this one */
    free(r);
    CHECK_INT(q(f.st, "SELECT count(*) FROM bookings WHERE attended_ms IS NOT NULL"), 1);
    stub_clock_set(start + MIN);
    expect(&f, "u-1", "取消 1", "已开始");
out:
    fx_release(&f);
}

static void test_points_balance_and_history_replies(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    expect(&f, "u-1", "积分", content_get(f.app.ct, "points.none"));
    for (int i = 1; i <= 25; i++) {
        char ref[32];
        snprintf(ref, sizeof ref, "lesson:%d", i);
        credit(&f, "u-1", i, ref);
    }
    char *r = talk(&f, "u-1", "积分");
    CHECK_HAS(r, "你有 325 分");
    CHECK_HAS(r, "+25");
    CHECK_HAS(r, "+24");
    CHECK(strstr(r, "+23") == NULL);
    int parts = sms_parts(r, NULL, NULL);
    CHECK(parts == 1); /* one SMS part */
    free(r);
    r = talk(&f, "u-1", "积分明细");
    CHECK_HAS(r, "+6 ");
    CHECK(strstr(r, "+5 ") == NULL);
    free(r);
out:
    fx_release(&f);
}

/* The points history across New Year names the year of last year's lines,
 * and a reason code never shows in English ("report accepted", older rows). */
static void test_points_history_new_year_and_chinese(void)
{
    struct fx f;
    int64_t id;
    if (fx_init(&f, false, "") == -1)
        goto out;
    stub_clock_set(1798524000000LL); /* 2026-12-29 14:00 in Shanghai */
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(store_person_ensure(f.st, "generic", "u-1", NULL, now_ms(), &id), 0);
    CHECK_INT(points_award(f.st, id, 5, "report accepted", "report:1", now_ms()), 0);
    CHECK_INT(points_award(f.st, id, 5, "report", "report:2", now_ms()), 0);
    CHECK_INT(store_commit(f.st), 0);
    stub_clock_advance(4 * 24 * HOUR); /* 2027-01-02 */
    char *r = talk(&f, "u-1", "积分明细");
    CHECK_HAS(r, "2026-12-29 +5 随手拍被采纳");
    CHECK(strstr(r, "report") == NULL && strstr(r, "accepted") == NULL);
    free(r);
out:
    fx_release(&f);
}

static void test_redeem_stock_and_points(void)
{
    struct fx f;
    int64_t item;
    if (fx_init(&f, false, "") == -1)
        goto out;
    expect(&f, "a", "兑换", "现在没有可兑换");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(items_add(f.st, "保温杯", "", 30, 2, now_ms(), &item), 0);
    CHECK_INT(store_commit(f.st), 0);
    add_course(&f, "智能手机", now_ms() + 48 * HOUR, 5, 10);
    credit(&f, "a", 100, "admin:a");
    credit(&f, "b", 40, "admin:b");
    credit(&f, "c", 10, "admin:c");
    char *r = talk(&f, "a", "兑换");
    CHECK_HAS(r, "1. 保温杯 30分 剩2件");
    /* one list, one numbering: the seat is line 2, taken by its number */
    CHECK_HAS(r, "2. 培训 智能手机 10分");
    free(r);
    /* the bare number after the list asks first; 1 is the yes */
    expect(&f, "a", "1", "用 30 分兑换 1. 保温杯？");
    CHECK_INT(points_balance(f.st, pid(&f, "a")), 100);
    expect(&f, "a", "1", "兑换成功");
    /* 第一个 picks line 1 as 1 does: it asks, it never spends unasked */
    free(talk(&f, "b", "兑换"));
    expect(&f, "b", "第一个", "用 30 分兑换 1. 保温杯？");
    CHECK_INT(points_balance(f.st, pid(&f, "b")), 40);
    expect(&f, "c", "兑换 1", "你现有 10 分");
    /* line 2 is the paid seat: its number books it */
    free(talk(&f, "c", "兑换"));
    expect(&f, "c", "2", "智能手机");
    CHECK_INT(points_balance(f.st, pid(&f, "c")), 0);
    expect(&f, "b", "兑换 1", "剩 10 分");
    expect(&f, "a", "兑换 1", "已兑完");
    expect(&f, "a", "兑换 9", "没有编号 9");
    CHECK_INT(points_balance(f.st, pid(&f, "a")), 70);
    CHECK_INT(q(f.st, "SELECT stock FROM items"), 0);
    CHECK_INT(q(f.st, "SELECT count(*) FROM redemptions"), 2);
    CHECK_INT(q(f.st, "SELECT count(*) FROM points WHERE ref LIKE 'redeem:%'"), 2);
out:
    fx_release(&f);
}

struct redeemer {
    struct fx *f;
    char user[16];
    char *reply;
};

static void *redeemer_main(void *arg)
{
    struct redeemer *b = arg;
    struct store *st = store_open(b->f->path, false);
    if (st == NULL)
        return NULL;
    b->reply = talk_retried(&b->f->app, st, b->user, "兑换 1");
    store_close(st);
    return NULL;
}

static void test_redeem_stock_race(void)
{
    struct fx f;
    struct redeemer b[30];
    pthread_t th[30];
    int64_t item;
    if (fx_init(&f, true, "") == -1)
        goto out;
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(items_add(f.st, "雨衣", "", 20, 3, now_ms(), &item), 0);
    CHECK_INT(store_commit(f.st), 0);
    for (int i = 0; i < 30; i++) {
        b[i] = (struct redeemer){.f = &f};
        snprintf(b[i].user, sizeof b[i].user, "r-%d", i);
        credit(&f, b[i].user, 25, "admin:seed");
    }
    for (int i = 0; i < 30; i++)
        CHECK_INT(pthread_create(&th[i], NULL, redeemer_main, &b[i]), 0);
    int ok = 0, sold_out = 0;
    for (int i = 0; i < 30; i++) {
        pthread_join(th[i], NULL);
        ok += b[i].reply && strstr(b[i].reply, "兑换成功") != NULL;
        sold_out += b[i].reply && strstr(b[i].reply, "已兑完") != NULL;
        free(b[i].reply);
    }
    CHECK_INT(ok, 3);
    CHECK_INT(sold_out, 27);
    CHECK_INT(q(f.st, "SELECT stock FROM items"), 0);
    CHECK_INT(q(f.st, "SELECT count(*) FROM redemptions"), 3);
    CHECK_INT(q(f.st, "SELECT sum(delta) FROM points"), 30 * 25 - 3 * 20);
out:
    fx_release(&f);
}

static void test_course_admin_cancel_refunds_and_tells(void)
{
    struct fx f;
    if (fx_init(&f, false, "") == -1)
        goto out;
    int64_t cid = add_course(&f, "养老护理", now_ms() + 48 * HOUR, 1, 5);
    credit(&f, "a", 5, "admin:a");
    credit(&f, "b", 5, "admin:b");
    expect(&f, "a", "报名 1", "报名成功");
    expect(&f, "b", "报名 1", "第 1 位");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(courses_cancel(&f.app, f.st, cid, now_ms()), 2);
    CHECK_INT(store_commit(f.st), 0);
    CHECK_INT(points_balance(f.st, pid(&f, "a")), 5);
    CHECK_INT(outbox_count(&f, "course-cancelled:%"), 2);
    expect(&f, "a", "我的报名", content_get(f.app.ct, "course.mine.empty"));
    expect(&f, "a", "培训", content_get(f.app.ct, "course.list.empty"));
out:
    fx_release(&f);
}

/* courses_get's reader: every field, the counts, no check-in code and no
 * cancel time (NULL columns) until there are; course_json has exactly the
 * documented keys. */
static void test_course_row_reader_and_json(void)
{
    struct fx f;
    struct course c;
    if (fx_init(&f, false, "") == -1)
        goto out;
    int64_t start = now_ms() + 48 * HOUR;
    int64_t cid = add_course(&f, "电工", start, 2, 5);
    CHECK_INT(courses_get(f.st, cid, &c), 1);
    CHECK_INT(c.id, cid);
    CHECK_INT(c.no, 1);
    CHECK_STR(c.title, "电工");
    CHECK_STR(c.provider, "襄阳职院");
    CHECK_STR(c.place, "驿站二楼");
    CHECK_STR(c.description, "");
    CHECK_INT(c.start_ms, start);
    CHECK_INT(c.end_ms, start + 2 * HOUR);
    CHECK_INT(c.deadline_ms, start);
    CHECK_INT(c.capacity, 2);
    CHECK_INT(c.cost, 5);
    CHECK_INT(c.created_ms, now_ms());
    CHECK_INT(c.cancelled_ms, 0);
    CHECK_INT(c.taken, 0);
    CHECK_INT(c.waiting, 0);
    CHECK(c.checkin_code == NULL);
    json_t *j = course_json(&c);
    const char *keys[] = {"id",           "no",         "title",        "provider", "place",
                          "start_ms",     "end_ms",     "capacity",     "cost",     "deadline_ms",
                          "description",  "created_ms", "cancelled_ms", "taken",    "waiting",
                          "checkin_code", NULL};
    size_t nkeys = 0;
    for (; keys[nkeys]; nkeys++)
        CHECK(json_object_get(j, keys[nkeys]) != NULL);
    CHECK_INT(json_object_size(j), nkeys);
    CHECK(json_is_null(json_object_get(j, "cancelled_ms")));
    CHECK(json_is_null(json_object_get(j, "checkin_code")));
    CHECK_INT(json_integer_value(json_object_get(j, "start_ms")), start);
    CHECK_STR(json_string_value(json_object_get(j, "title")), "电工");
    json_decref(j);
    course_clear(&c);
    int64_t act;
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(
        activities_add(f.st, "电工", "course", "K7Q2", start, start + HOUR, 0, cid, now_ms(), &act),
        0);
    CHECK_INT(courses_set_cancelled(f.st, cid, now_ms() + 5), 0);
    CHECK_INT(store_commit(f.st), 0);
    CHECK_INT(courses_get(f.st, cid, &c), 1);
    CHECK_STR(c.checkin_code, "K7Q2");
    CHECK_INT(c.cancelled_ms, now_ms() + 5);
    j = course_json(&c);
    CHECK_INT(json_integer_value(json_object_get(j, "cancelled_ms")), now_ms() + 5);
    CHECK_STR(json_string_value(json_object_get(j, "checkin_code")), "K7Q2");
    json_decref(j);
    course_clear(&c);
    CHECK_INT(courses_get(f.st, cid + 1, &c), 0);
    CHECK(c.title == NULL);
    course_clear(&c);
out:
    fx_release(&f);
}

/* The booking reader: a paid seat and a waitlist place, with the course's
 * fields, position (0 unless waiting) and NULL times as 0; who and name
 * from bookings_of_course only. */
static void test_booking_row_reader(void)
{
    struct fx f;
    struct booking b;
    struct booking *v;
    size_t n;
    if (fx_init(&f, false, "") == -1)
        goto out;
    int64_t start = now_ms() + 48 * HOUR;
    int64_t cid = add_course(&f, "电工", start, 1, 5);
    credit(&f, "a", 5, "admin:a");
    credit(&f, "b", 5, "admin:b");
    int64_t t0 = now_ms();
    expect(&f, "a", "报名 1", "报名成功");
    expect(&f, "b", "报名 1", "第 1 位");
    CHECK_INT(bookings_live(f.st, cid, pid(&f, "a"), &b), 1);
    CHECK(booking_is(&b, "seat"));
    CHECK_INT(b.course_id, cid);
    CHECK_INT(b.person_id, pid(&f, "a"));
    CHECK_INT(b.cost, 5);
    CHECK(b.paid_ref != NULL && strstr(b.paid_ref, "course:") == b.paid_ref);
    CHECK(b.created_ms >= t0 && b.created_ms <= now_ms());
    CHECK_INT(b.seat_ms, b.created_ms);
    CHECK(b.updated_ms >= b.created_ms);
    CHECK_INT(b.offer_until_ms, 0);
    CHECK_INT(b.attended_ms, 0);
    CHECK_INT(b.no, 1);
    CHECK_STR(b.title, "电工");
    CHECK_STR(b.place, "驿站二楼");
    CHECK_INT(b.start_ms, start);
    CHECK_INT(b.position, 0);
    CHECK(b.who == NULL && b.name == NULL);
    booking_clear(&b);
    CHECK_INT(bookings_first_waiting(f.st, cid, &b), 1);
    CHECK(booking_is(&b, "waiting"));
    CHECK_INT(b.person_id, pid(&f, "b"));
    CHECK(b.paid_ref == NULL);
    CHECK_INT(b.seat_ms, 0);
    CHECK_INT(b.position, 1);
    booking_clear(&b);
    CHECK_INT(bookings_of_course(f.st, cid, &v, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(v[0].who, "generic:a");
        CHECK_STR(v[0].name, "");
        CHECK(booking_is(&v[1], "waiting"));
        CHECK_STR(v[1].who, "generic:b");
        CHECK_INT(v[1].position, 1);
        json_t *j = booking_json(&v[1]);
        CHECK_STR(json_string_value(json_object_get(j, "person")), "generic:b");
        CHECK(json_is_null(json_object_get(j, "paid_ref")));
        CHECK(json_is_null(json_object_get(j, "seat_ms")));
        CHECK_INT(json_integer_value(json_object_get(j, "position")), 1);
        CHECK_INT(json_object_size(j), 12);
        json_decref(j);
    }
    booking_free_all(v, n);
    CHECK_INT(bookings_live(f.st, cid, pid(&f, "a") + 100, &b), 0);
    booking_clear(&b);
out:
    fx_release(&f);
}

/* The activity, item and redemption readers: a course id and a picked time
 * that are NULL read 0 and are written null. */
static void test_activity_item_redemption_readers(void)
{
    struct fx f;
    struct activity a, *av;
    struct item it;
    struct redemption *rv;
    size_t n;
    int64_t id, item;
    if (fx_init(&f, false, "") == -1)
        goto out;
    int64_t t0 = now_ms();
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(
        activities_add(f.st, "志愿", "volunteer", "ABCD", t0 - HOUR, t0 + HOUR, 8, 0, t0, &id), 0);
    CHECK_INT(items_add(f.st, "保温杯", NULL, 30, 2, t0, &item), 0);
    CHECK_INT(store_commit(f.st), 0);
    CHECK_INT(activities_by_code(f.st, "ABCD", &a), 1);
    CHECK_INT(a.id, id);
    CHECK_STR(a.title, "志愿");
    CHECK_STR(a.kind, "volunteer");
    CHECK_STR(a.code, "ABCD");
    CHECK_INT(a.start_ms, t0 - HOUR);
    CHECK_INT(a.end_ms, t0 + HOUR);
    CHECK_INT(a.points, 8);
    CHECK_INT(a.course_id, 0);
    CHECK_INT(a.created_ms, t0);
    activity_clear(&a);
    CHECK_INT(activities_by_code(f.st, "ZZZZ", &a), 0);
    activity_clear(&a);
    expect(&f, "u", "签到 ABCD", "8");
    CHECK_INT(activities_list(f.st, t0, &av, &n), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(av[0].checkins, 1);
        json_t *j = activity_json(&av[0]);
        CHECK(json_is_null(json_object_get(j, "course_id")));
        CHECK_INT(json_integer_value(json_object_get(j, "checkins")), 1);
        CHECK_INT(json_object_size(j), 10);
        json_decref(j);
    }
    activity_free_all(av, n);
    CHECK_INT(items_get(f.st, item, &it), 1);
    CHECK_STR(it.name, "保温杯");
    CHECK_STR(it.description, "");
    CHECK_INT(it.cost, 30);
    CHECK_INT(it.stock, 2);
    CHECK_INT(it.active, 1);
    CHECK_INT(it.created_ms, t0);
    json_t *j = item_json(&it);
    CHECK_INT(json_object_size(j), 7);
    json_decref(j);
    item_clear(&it);
    credit(&f, "u", 30, "admin:u");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(redemptions_add(f.st, item, pid(&f, "u"), 30, t0, &id), 0);
    CHECK_INT(store_commit(f.st), 0);
    CHECK_INT(redemptions_list(f.st, 10, &rv, &n), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(rv[0].id, id);
        CHECK_INT(rv[0].item_id, item);
        CHECK_STR(rv[0].item, "保温杯");
        CHECK_STR(rv[0].who, "generic:u");
        CHECK_INT(rv[0].cost, 30);
        CHECK_INT(rv[0].picked_ms, 0);
        j = redemption_json(&rv[0]);
        CHECK(json_is_null(json_object_get(j, "picked_ms")));
        CHECK_INT(json_object_size(j), 8);
        json_decref(j);
    }
    redemption_free_all(rv, n);
    int64_t at;
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(redemption_picked(f.st, id, t0 + 7, &at), 2);
    CHECK_INT(store_commit(f.st), 0);
    CHECK_INT(redemptions_list(f.st, 10, &rv, &n), 0);
    CHECK_INT(n == 1 ? rv[0].picked_ms : -1, t0 + 7);
    redemption_free_all(rv, n);
out:
    fx_release(&f);
}

const struct t_case courses_tests[] = {T(test_course_without_number_asks_which),

    T(test_course_list_show_and_bare_number),
    T(test_course_last_seat_then_waitlist_in_order),
    T(test_course_last_seat_race),
    T(test_course_cancel_refund_promote_timeout),
    T(test_seat_offer_answered_in_words),
    T(test_points_history_new_year_and_chinese),
    T(test_course_confirm_without_points_passes_on),
    T(test_course_reminders_injected_clock),
    T(test_checkin_window_duplicate_and_wrong_codes),
    T(test_course_checkin_marks_attendance),
    T(test_checkin_without_code_asks),
    T(test_points_balance_and_history_replies),
    T(test_redeem_stock_and_points),
    T(test_redeem_stock_race),
    T(test_course_admin_cancel_refunds_and_tells),
    T(test_course_row_reader_and_json),
    T(test_booking_row_reader),
    T(test_activity_item_redemption_readers),
    T_END,
};
