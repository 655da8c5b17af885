/*
 * test_handle_lesson.c - micro-lessons through engine_turn() with the shipped
 * intents/, content/ and content/lessons/ on an in-memory store, in
 * Asia/Shanghai with the stub clock: progress order, answer forms, points once
 * per lesson, spaced repetition, streaks, subscriptions pushed by the tick at
 * the local time and held in rush hours, links and covers, SMS cutting.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "engine.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "lesson.h"
#include "outbox.h"
#include "points.h"
#include "store.h"
#include "t.h"
#include "util.h"

#define DAY_MS 86400000LL
/* The fixtures' [lessons] link_base: the shipped lessons' links are relative to it. */
#define LINK_BASE "https://v.xy-yizhan.cn/weike"

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
    int seq;
    char *old_tz;
    const struct channel *ch;
};

static int fx_init_dir(struct fx *f, const char *lessons_dir, const char *const *extra)
{
    struct buf errs;
    char *sets[9];
    int n = 0, rc = 0;
    memset(f, 0, sizeof *f);
    sets[n++] = "privacy.notice=false";         /* test_privacy checks it */
    sets[n++] = "lessons.link_base=" LINK_BASE; /* extra may empty it */
    for (int i = 0; extra && extra[i] && n < 9; i++)
        sets[n++] = (char *)extra[i];
    const char *tz = getenv("TZ");
    f->old_tz = tz ? xstrdup(tz) : NULL;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    buf_init(&errs, 0);
    if (conf_load(&f->c, NULL, sets, n, &errs) == -1)
        rc = -1;
    f->app.conf = &f->c;
    f->app.intents = t_intents(&errs);
    f->app.ct = content_load("content", &errs);
    f->app.lessons = lesson_load(lessons_dir, &errs);
    f->st = store_open(":memory:", false);
    f->ch = &chan_generic;
    if (f->app.intents == NULL || f->app.ct == NULL || f->app.lessons == NULL || f->st == NULL)
        rc = -1;
    if (f->app.ct != NULL && features_check_content(f->app.ct, &errs) == -1)
        rc = -1;
    CHECK_STR(errs.data ? errs.data : "", "");
    CHECK_INT(rc, 0);
    buf_release(&errs);
    return rc;
}

static int fx_init(struct fx *f)
{
    return fx_init_dir(f, "content/lessons", NULL);
}

static void fx_release(struct fx *f)
{
    store_close(f->st);
    content_free(f->app.ct);
    t_intents_free(f->app.intents);
    lesson_set_free(f->app.lessons);
    conf_release(&f->c);
    if (f->old_tz)
        setenv("TZ", f->old_tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(f->old_tz);
}

/* Unix ms of a local Asia/Shanghai time. */
static int64_t local_ms(int y, int mon, int d, int h, int min)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = min;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000;
}

/* One turn as user; the replies (new reference) or NULL. */
static json_t *turn_json(struct fx *f, const char *user, const char *text, char **intent)
{
    struct turn_result res = {0};
    char ext[32];
    json_t *out = NULL;
    snprintf(ext, sizeof ext, "m-%d", ++f->seq);
    struct inmsg in = {
        .channel = f->ch->name, .ext_id = ext, .user = (char *)user, .text = (char *)text};
    CHECK_INT(store_begin(f->st), 0);
    int rc = engine_turn(&f->app, f->st, f->ch, &in, now_ms(), &res);
    CHECK_INT(rc, 0);
    if (rc == 0) {
        CHECK_INT(store_commit(f->st), 0);
        out = json_incref(res.replies);
        if (intent)
            *intent = xstrdup(res.intent);
    } else {
        store_rollback(f->st);
    }
    turn_result_release(&res);
    stub_clock_advance(1000);
    return out;
}

/* Every reply text joined with "\n" (caller frees). */
static char *talk_as(struct fx *f, const char *user, const char *text, char **intent)
{
    json_t *a = turn_json(f, user, text, intent);
    struct buf b;
    size_t i;
    json_t *r;
    buf_init(&b, 0);
    buf_puts(&b, "");
    json_array_foreach(a, i, r)
        buf_printf(&b, "%s%s", i ? "\n" : "", json_string_value(json_object_get(r, "text")));
    json_decref(a);
    return buf_take(&b);
}

static char *talk(struct fx *f, const char *text)
{
    return talk_as(f, "u-1", text, NULL);
}

/* The part of content key before its first placeholder. */
static char *prefix_of(struct fx *f, const char *key)
{
    const char *s = content_get(f->app.ct, key);
    return xstrndup(s, strcspn(s, "{"));
}

static bool starts_with_key(struct fx *f, const char *got, const char *key)
{
    char *p = prefix_of(f, key);
    bool ok = got != NULL && strncmp(got, p, strlen(p)) == 0;
    free(p);
    return ok;
}

static char right_of(struct fx *f, int id)
{
    return lesson_find(f->app.lessons, id)->answer;
}

static char wrong_of(struct fx *f, int id)
{
    return right_of(f, id) == 'A' ? 'B' : 'A';
}

/* Answer lesson id right or wrong with a lower-case letter. */
static char *answer(struct fx *f, const char *user, int id, bool right)
{
    char a[2] = {(char)((right ? right_of(f, id) : wrong_of(f, id)) - 'A' + 'a'), 0};
    return talk_as(f, user, a, NULL);
}

static int64_t person_of(struct fx *f, const char *user)
{
    int64_t id = 0;
    CHECK_INT(store_person_find(f->st, "generic", user, &id), 1);
    return id;
}

static char *shown(struct fx *f, int id)
{
    return lesson_text(&f->app, lesson_find(f->app.lessons, id), false, false);
}

static void test_lesson_progress_order(void)
{
    struct fx f;
    char *intent = NULL;
    if (fx_init(&f) == -1)
        goto out;
    stub_clock_set(local_ms(2026, 11, 28, 10, 0));
    char *r = talk_as(&f, "u-1", "学习", &intent), *want = shown(&f, 1);
    CHECK_STR(intent, "lesson.next");
    CHECK_STR(r, want);
    free(r), free(want), free(intent);
    r = answer(&f, "u-1", 1, true);
    CHECK(starts_with_key(&f, r, "quiz.right"));
    CHECK_HAS(r, "+5");
    free(r);
    r = talk(&f, "学习"), want = shown(&f, 2);
    CHECK_STR(r, want); /* lesson 2 shown but not answered */
    free(r), free(want);
    r = talk_as(&f, "u-1", "第5课", &intent), want = shown(&f, 5);
    CHECK_STR(intent, "lesson.show");
    CHECK_STR(r, want);
    free(r), free(want), free(intent);
    r = answer(&f, "u-1", 5, false);
    CHECK(starts_with_key(&f, r, "quiz.wrong"));
    free(r);
    r = talk(&f, "学习"), want = shown(&f, 2); /* 2 is still not finished */
    CHECK_STR(r, want);
    free(r), free(want);
    r = answer(&f, "u-1", 2, true);
    free(r);
    r = talk(&f, "微课"), want = shown(&f, 3); /* 5 waits for its review */
    CHECK_STR(r, want);
    free(r), free(want);
    r = talk(&f, "学习进度");
    CHECK(starts_with_key(&f, r, "lesson.progress"));
    char *done = xasprintf("2/%zu", lesson_count(f.app.lessons));
    CHECK_HAS(r, done);
    free(r), free(done);
    r = talk(&f, "课 999");
    CHECK(starts_with_key(&f, r, "lesson.no_such"));
    free(r);
out:
    fx_release(&f);
}

/* Lesson 3 has options A-D and answer A. */
static void test_quiz_answer_forms(void)
{
    struct fx f;
    static const struct {
        const char *text;
        bool right;
    } forms[] = {{"Ａ", true},    {"a", true},    {"b", false},        {"答C", false},
                 {"选 B", false}, {"选Ａ", true}, {"答案是 d", false}, {"我选 a", true},
                 {"a吧，我猜的", true}, {"我觉得选B，对吧", false}};
    if (fx_init(&f) == -1)
        goto out;
    CHECK_INT(right_of(&f, 3), 'A');
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char *intent = NULL;
        char *r = talk(&f, "课 3");
        free(r);
        r = talk_as(&f, "u-1", forms[i].text, &intent);
        CHECK_STR(intent, "quiz.answer");
        if (forms[i].right)
            CHECK(starts_with_key(&f, r, "quiz.right") ||
                  starts_with_key(&f, r, "quiz.right_again"));
        else
            CHECK(starts_with_key(&f, r, "quiz.wrong"));
        free(r);
        free(intent);
    }
    /* lesson 1 has three options: D is not one of them and the question stays open */
    char *r = talk(&f, "课 1");
    free(r);
    r = talk(&f, "d");
    const char *kv[] = {"letters", "A/B/C", NULL};
    char *want = content_render(f.app.ct, "quiz.bad_option", kv);
    CHECK_STR(r, want);
    free(r);
    /* a number or 第二个 is not a letter: the letters again, nothing answered */
    const char *numbers[] = {"2", "第二个"};
    for (size_t i = 0; i < 2; i++) {
        char *intent = NULL;
        r = talk_as(&f, "u-1", numbers[i], &intent);
        CHECK_STR(intent, "turn.ask");
        CHECK_STR(r, want);
        free(r);
        free(intent);
    }
    free(want);
    r = answer(&f, "u-1", 1, true);
    CHECK(starts_with_key(&f, r, "quiz.right"));
    free(r);
out:
    fx_release(&f);
}

static void test_quiz_without_open_question(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    char *none = content_render(f.app.ct, "quiz.none", NULL);
    char *r = talk(&f, "a");
    CHECK_STR(r, none);
    free(r);
    /* the window closes after lessons.quiz_open_hours (no newer lesson came) */
    r = talk(&f, "学习");
    free(r);
    stub_clock_advance(f.c.lessons.quiz_open_hours * 3600000LL + 1);
    r = answer(&f, "u-1", 1, true);
    CHECK_STR(r, none);
    free(r);
    /* one answer per question: the second gets the hint */
    r = talk(&f, "学习");
    free(r);
    r = answer(&f, "u-1", 1, true);
    free(r);
    r = answer(&f, "u-1", 1, true);
    CHECK_STR(r, none);
    free(r);
    free(none);
out:
    fx_release(&f);
}

static void test_points_once_per_lesson(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    for (int i = 0; i < 3; i++) {
        char *r = talk(&f, "课 3");
        free(r);
        r = answer(&f, "u-1", 3, true);
        CHECK(starts_with_key(&f, r, i == 0 ? "quiz.right" : "quiz.right_again"));
        free(r);
    }
    int64_t p = person_of(&f, "u-1");
    CHECK_INT(points_balance(f.st, p), 10);
    /* a wrong answer on a finished lesson schedules no review */
    char *r = talk(&f, "课 3");
    free(r);
    r = answer(&f, "u-1", 3, false);
    CHECK(starts_with_key(&f, r, "quiz.wrong_done"));
    free(r);
    struct lesson_stats ls;
    CHECK_INT(store_lesson_stats(f.st, p, &ls), 0);
    CHECK_INT(ls.done, 1);
    CHECK_INT(ls.reviews, 0);
    CHECK_INT(ls.points, 10);
out:
    fx_release(&f);
}

static void test_spaced_repetition(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    int64_t t0 = local_ms(2026, 11, 28, 9, 0);
    stub_clock_set(t0);
    char *r = talk(&f, "学习");
    free(r);
    r = answer(&f, "u-1", 1, false);
    CHECK(starts_with_key(&f, r, "quiz.wrong"));
    CHECK_HAS(r, "11月30日"); /* two days later */
    free(r);
    /* a day later: a new lesson, the review is not due yet */
    stub_clock_set(t0 + DAY_MS);
    r = talk(&f, "学习");
    char *want = shown(&f, 2);
    CHECK_STR(r, want);
    free(r), free(want);
    /* two days later: the question comes back first, and right still earns the points */
    stub_clock_set(t0 + 2 * DAY_MS + 60000);
    r = talk(&f, "学习");
    CHECK(starts_with_key(&f, r, "lesson.review"));
    CHECK_HAS(r, lesson_find(f.app.lessons, 1)->question);
    free(r);
    r = answer(&f, "u-1", 1, true);
    CHECK(starts_with_key(&f, r, "quiz.right"));
    CHECK_HAS(r, "+5");
    free(r);
    r = talk(&f, "学习");
    want = shown(&f, 2);
    CHECK_STR(r, want);
    free(r), free(want);
    CHECK_INT(points_balance(f.st, person_of(&f, "u-1")), 5);
out:
    fx_release(&f);
}

static void test_streak_bonus_at_seven_days(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    int64_t t0 = local_ms(2026, 11, 20, 10, 0);
    int64_t p = 0, points = 0;
    for (int d = 0; d < 8; d++) {
        stub_clock_set(t0 + d * DAY_MS);
        char *r = talk(&f, "学习");
        free(r);
        /* lessons come in order, one a day; the last answer is wrong and counts too */
        bool right = d < 7;
        char a[2] = {(char)((right ? right_of(&f, d + 1) : wrong_of(&f, d + 1)) - 'A' + 'a'), 0};
        json_t *replies = turn_json(&f, "u-1", a, NULL);
        r = xstrdup(json_string_value(json_object_get(json_array_get(replies, 0), "text")));
        /* the bonus is a reply of its own */
        const char *second = json_string_value(json_object_get(json_array_get(replies, 1), "text"));
        CHECK_INT(json_array_size(replies), d == 6 ? 2 : 1);
        if (d == 6)
            CHECK(starts_with_key(&f, second, "lesson.streak_bonus"));
        json_decref(replies);
        if (right)
            points += lesson_find(f.app.lessons, d + 1)->points;
        if (d >= 1) {
            char days[16];
            snprintf(days, sizeof days, "%d", d + 1);
            const char *kv[] = {"days", days, NULL};
            char *line = content_render(f.app.ct, "lesson.streak", kv);
            CHECK_HAS(r, line);
            free(line);
        }
        free(r);
        p = person_of(&f, "u-1");
    }
    points += f.c.lessons.streak_bonus;
    CHECK_INT(points_balance(f.st, p), points);
    CHECK_INT(points_entry(f.st, p, 1, "x", "lesson-streak:2026-11-26", t0), 1);
    /* days missed: the streak starts again */
    stub_clock_set(t0 + 10 * DAY_MS);
    char *r = talk(&f, "学习进度");
    char pts[24], total[24];
    snprintf(pts, sizeof pts, "%lld", (long long)points);
    snprintf(total, sizeof total, "%zu", lesson_count(f.app.lessons));
    char *sub = content_render(f.app.ct, "lesson.sub_off", NULL);
    const char *kv[] = {"done", "7",       "total", total, "streak", "0", "points",
                        pts,    "reviews", "1",     "sub", sub,      NULL};
    char *want = content_render(f.app.ct, "lesson.progress", kv);
    CHECK_STR(r, want);
    free(r), free(want), free(sub);
out:
    fx_release(&f);
}

/* Outbox rows for person (newest first). */
static json_t *pushes(struct fx *f)
{
    json_t *a = outbox_list_json(f->st, NULL, 100);
    CHECK(a != NULL);
    return a;
}

static int tick_at(struct fx *f, int64_t now)
{
    stub_clock_set(now);
    CHECK_INT(store_begin(f->st), 0);
    int rc = handler_tick(&f->app, f->st, now);
    CHECK_INT(rc, 0);
    CHECK_INT(store_commit(f->st), 0);
    return rc;
}

/* Subscribe at 2026-11-28 09:00 for hh:mm that day, tick then; the outbox rows. */
static json_t *daily_push(struct fx *f, int hh, int mm)
{
    char cmd[32];
    stub_clock_set(local_ms(2026, 11, 28, 9, 0));
    snprintf(cmd, sizeof cmd, "订阅学习 %02d:%02d", hh, mm);
    free(talk(f, cmd));
    tick_at(f, local_ms(2026, 11, 28, hh, mm));
    return pushes(f);
}

static void test_subscription_pushes_at_local_time(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    stub_clock_set(local_ms(2026, 11, 28, 10, 0));
    char *r = talk(&f, "订阅学习 20:30");
    const char *kv[] = {"time", "20:30", NULL};
    char *want = content_render(f.app.ct, "lesson.subscribed", kv);
    CHECK_STR(r, want);
    free(r), free(want);
    tick_at(&f, local_ms(2026, 11, 28, 20, 29));
    json_t *a = pushes(&f);
    CHECK_INT(json_array_size(a), 0);
    json_decref(a);
    tick_at(&f, local_ms(2026, 11, 28, 20, 30));
    tick_at(&f, local_ms(2026, 11, 28, 20, 31)); /* pushed once a day */
    a = pushes(&f);
    CHECK_INT(json_array_size(a), 1);
    json_t *row = json_array_get(a, 0);
    CHECK_STR(json_string_value(json_object_get(row, "class")), "bulk");
    CHECK_STR(json_string_value(json_object_get(row, "status")), "queued");
    char *push = lesson_text(&f.app, lesson_find(f.app.lessons, 1), true, true);
    CHECK_STR(json_string_value(json_object_get(row, "text")), push);
    free(push);
    json_decref(a);
    /* the pushed question is open */
    stub_clock_set(local_ms(2026, 11, 28, 20, 40));
    r = answer(&f, "u-1", 1, true);
    CHECK(starts_with_key(&f, r, "quiz.right"));
    free(r);
    /* the next day: the next lesson, with its own key */
    tick_at(&f, local_ms(2026, 11, 29, 20, 30));
    a = pushes(&f);
    CHECK_INT(json_array_size(a), 2);
    push = lesson_text(&f.app, lesson_find(f.app.lessons, 2), true, true);
    CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "text")), push);
    free(push);
    json_decref(a);
    r = talk(&f, "学习进度");
    CHECK_HAS(r, "20:30");
    free(r);
out:
    fx_release(&f);
}

/* Daily pushes nobody answers do not go on for ever: after
 * lessons.pause_after (3) the subscription stops, once, and says so. */
static void test_unanswered_pushes_pause(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    stub_clock_set(local_ms(2026, 11, 28, 10, 0));
    free(talk(&f, "订阅学习 20:30"));
    for (int d = 0; d < 5; d++)
        tick_at(&f, local_ms(2026, 11, 28 + d, 20, 30));
    json_t *a = pushes(&f);
    CHECK_INT(json_array_size(a), 4); /* three lessons, then the pause note */
    const char *kv[] = {"n", "3", NULL};
    char *want = content_render(f.app.ct, "lesson.paused", kv);
    CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "text")), want);
    free(want);
    json_decref(a);
    char *r = talk(&f, "学习进度");
    CHECK_HAS(r, content_get(f.app.ct, "lesson.sub_off"));
    free(r);
    /* an answer resets the count: subscribed again, pushes go on */
    free(talk(&f, "订阅学习 20:30"));
    tick_at(&f, local_ms(2026, 12, 3, 20, 30));
    r = answer(&f, "u-1", 1, true);
    free(r);
    for (int d = 4; d < 7; d++)
        tick_at(&f, local_ms(2026, 12, d, 20, 30));
    a = pushes(&f);
    CHECK_INT(json_array_size(a), 8);
    json_decref(a);
out:
    fx_release(&f);
}

/* A pushed question stays open until the next lesson, not for the few
 * minutes of state_ttl: a worker answers after their shift (a correct answer
 * 39 minutes after the push used to get 现在没有待答的题). */
static void test_quiz_answer_39_minutes_after_push(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    json_decref(daily_push(&f, 20, 30));
    stub_clock_set(local_ms(2026, 11, 28, 21, 9));
    char *r = answer(&f, "u-1", 1, true);
    CHECK(starts_with_key(&f, r, "quiz.right"));
    free(r);
    /* the next day's push replaces it: its own question is the open one */
    tick_at(&f, local_ms(2026, 11, 29, 20, 30));
    stub_clock_set(local_ms(2026, 11, 30, 7, 0));
    r = answer(&f, "u-1", 2, true);
    CHECK(starts_with_key(&f, r, "quiz.right"));
    free(r);
out:
    fx_release(&f);
}

/* 学习提醒 without a time keeps a subscriber's own time (it reset 21:00 to
 * the default 20:00). */
static void test_subscribe_again_keeps_the_time(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    stub_clock_set(local_ms(2026, 11, 28, 10, 0));
    char *r = talk(&f, "订阅学习 21:00");
    free(r);
    r = talk(&f, "学习提醒");
    CHECK_HAS(r, "21:00");
    free(r);
    r = talk(&f, "学习进度");
    CHECK_HAS(r, "21:00");
    free(r);
out:
    fx_release(&f);
}

static void test_subscription_held_in_rush_hour(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    json_t *a = daily_push(&f, 12, 0);
    CHECK_INT(json_array_size(a), 1);
    json_t *row = json_array_get(a, 0);
    CHECK_STR(json_string_value(json_object_get(row, "status")), "held");
    CHECK_INT(json_integer_value(json_object_get(row, "next_at_ms")),
              local_ms(2026, 11, 28, 13, 0));
    json_decref(a);
    /* the question stays open for state_ttl after the push may go out */
    stub_clock_set(local_ms(2026, 11, 28, 13, 20));
    char *r = answer(&f, "u-1", 1, false);
    CHECK(starts_with_key(&f, r, "quiz.wrong"));
    free(r);
out:
    fx_release(&f);
}

static void test_unsubscribe_and_optout(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    stub_clock_set(local_ms(2026, 11, 28, 8, 0));
    char *r = talk(&f, "订阅学习 9:00");
    free(r);
    r = talk(&f, "退订学习");
    char *want = content_render(f.app.ct, "lesson.unsubscribed", NULL);
    CHECK_STR(r, want);
    free(r), free(want);
    r = talk(&f, "退订学习");
    want = content_render(f.app.ct, "lesson.not_subscribed", NULL);
    CHECK_STR(r, want);
    free(r), free(want);
    tick_at(&f, local_ms(2026, 11, 28, 9, 0));
    json_t *a = pushes(&f);
    CHECK_INT(json_array_size(a), 0);
    json_decref(a);
    /* the general opt-out stops it too; opting back in restores it */
    r = talk(&f, "订阅学习 9:30");
    free(r);
    r = talk(&f, "退订");
    free(r);
    tick_at(&f, local_ms(2026, 11, 28, 9, 30));
    a = pushes(&f);
    CHECK_INT(json_array_size(a), 0);
    json_decref(a);
    r = talk(&f, "订阅");
    free(r);
    tick_at(&f, local_ms(2026, 11, 28, 9, 40));
    a = pushes(&f);
    CHECK_INT(json_array_size(a), 1);
    json_decref(a);
out:
    fx_release(&f);
}

/* 订阅学习 with no time takes lessons.default_time; after that time today,
 * the first push is tomorrow. */
static void test_subscribe_default_time_late(void)
{
    const char *sets[] = {"lessons.default_time=19:45", "push.rush=", NULL};
    struct fx f;
    if (fx_init_dir(&f, "content/lessons", sets) == -1)
        goto out;
    stub_clock_set(local_ms(2026, 11, 28, 21, 0));
    char *r = talk(&f, "订阅学习");
    const char *kv[] = {"time", "19:45", NULL};
    char *want = content_render(f.app.ct, "lesson.subscribed", kv);
    CHECK_STR(r, want);
    free(r), free(want);
    tick_at(&f, local_ms(2026, 11, 28, 21, 1));
    json_t *a = pushes(&f);
    CHECK_INT(json_array_size(a), 0);
    json_decref(a);
    tick_at(&f, local_ms(2026, 11, 29, 19, 45));
    a = pushes(&f);
    CHECK_INT(json_array_size(a), 1);
    json_decref(a);
out:
    fx_release(&f);
}

/* What a worker is sent for a lesson's link: or cover: value under LINK_BASE. */
static char *url(const char *v)
{
    char *u = lesson_url(LINK_BASE, v);
    CHECK(u != NULL && str_has_prefix(u, LINK_BASE "/"));
    return u ? u : xstrdup("(none)");
}

static void test_lesson_link_and_cover(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    const struct lesson *l = lesson_find(f.app.lessons, 3);
    char *link = url(l->link), *cover = url(l->cover);
    CHECK(l->link != NULL && l->cover != NULL);
    json_t *a = turn_json(&f, "u-1", "课 3", NULL);
    json_t *o = json_array_get(a, 0);
    CHECK_STR(json_string_value(json_object_get(o, "link")), link);
    CHECK_STR(json_string_value(json_object_get(o, "cover")), cover);
    CHECK(strstr(json_string_value(json_object_get(o, "text")), link) == NULL);
    json_decref(a);
    free(link), free(cover);
out:
    fx_release(&f);
}

/* WeChat with the customer-service API: the reply is an article card (title,
 * first sentence, cover, link) and the lesson text with its question follows
 * as a reply-class push 2 s later, once per message. */
static void test_lesson_wechat_article_then_text(void)
{
    const char *sets[] = {"wechat.appid=wx1", "wechat.appsecret=sec", NULL};
    struct fx f;
    if (fx_init_dir(&f, "content/lessons", sets) == -1)
        goto out;
    f.ch = &chan_wechat;
    stub_clock_set(local_ms(2026, 11, 28, 10, 0));
    int64_t t0 = now_ms();
    const struct lesson *l = lesson_find(f.app.lessons, 1);
    char *link = url(l->link), *cover = url(l->cover);
    json_t *a = turn_json(&f, "oUser", "学习", NULL);
    CHECK_INT(json_array_size(a), 1);
    json_t *o = json_array_get(a, 0);
    char *title = xasprintf("第1课 · %s", l->title), *first = lesson_first_sentence(l);
    CHECK_STR(first, "诸葛亮年轻时在襄阳城西的隆中住了十年左右，一边种地，一边读书。");
    CHECK_STR(json_string_value(json_object_get(o, "title")), title);
    CHECK_STR(json_string_value(json_object_get(o, "summary")), first);
    CHECK_STR(json_string_value(json_object_get(o, "link")), link);
    CHECK_STR(json_string_value(json_object_get(o, "cover")), cover);
    char *card = xasprintf("%s\n%s\n%s", title, first, link);
    CHECK_STR(json_string_value(json_object_get(o, "text")), card);
    json_decref(a);
    json_t *rows = pushes(&f);
    CHECK_INT(json_array_size(rows), 1);
    json_t *row = json_array_get(rows, 0);
    char *text = shown(&f, 1);
    CHECK_STR(json_string_value(json_object_get(row, "class")), "reply");
    CHECK_STR(json_string_value(json_object_get(row, "channel")), "wechat");
    CHECK_STR(json_string_value(json_object_get(row, "text")), text);
    CHECK(json_is_null(json_object_get(row, "extra")));
    CHECK_INT(json_integer_value(json_object_get(row, "next_at_ms")), t0 + 2000);
    json_decref(rows);
    /* the question is open */
    char *r = talk_as(&f, "oUser", "b", NULL);
    CHECK(starts_with_key(&f, r, "quiz.right"));
    free(r);
    free(title), free(first), free(card), free(text);
    free(link), free(cover);
out:
    fx_release(&f);
}

/* WeChat without the customer-service API (passive replies only), and
 * Telegram: the link goes into the text; no push. */
static void test_lesson_link_in_text(void)
{
    const struct channel *chans[] = {&chan_wechat, &chan_telegram};
    for (int i = 0; i < 2; i++) {
        struct fx f;
        if (fx_init(&f) == -1) {
            fx_release(&f);
            continue;
        }
        f.ch = chans[i];
        const struct lesson *l = lesson_find(f.app.lessons, 3);
        char *link = url(l->link), *cover = url(l->cover);
        json_t *a = turn_json(&f, "42", "课 3", NULL);
        json_t *o = json_array_get(a, 0);
        CHECK_HAS(json_string_value(json_object_get(o, "text")), link);
        CHECK_STR(json_string_value(json_object_get(o, "link")), link);
        CHECK(json_object_get(o, "title") == NULL);
        json_decref(a);
        json_t *rows = pushes(&f);
        CHECK_INT(json_array_size(rows), 0);
        json_decref(rows);
        free(link), free(cover);
        fx_release(&f);
    }
}

/* The daily push carries the link in its text and the article beside it. */
static void test_lesson_push_has_extra(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    json_t *a = daily_push(&f, 20, 30);
    CHECK_INT(json_array_size(a), 1);
    const struct lesson *l = lesson_find(f.app.lessons, 1);
    char *link = url(l->link), *cover = url(l->cover);
    json_t *x =
        json_loads(json_string_value(json_object_get(json_array_get(a, 0), "extra")), 0, NULL);
    CHECK_STR(json_string_value(json_object_get(x, "link")), link);
    CHECK_STR(json_string_value(json_object_get(x, "cover")), cover);
    CHECK_HAS(json_string_value(json_object_get(x, "title")), l->title);
    CHECK_HAS(l->body, json_string_value(json_object_get(x, "summary")));
    CHECK_HAS(json_string_value(json_object_get(json_array_get(a, 0), "text")), link);
    json_decref(x);
    json_decref(a);
    free(link), free(cover);
out:
    fx_release(&f);
}

/* Send 更多 until there is no more, appending every part to all. */
static void page_through(struct fx *f, struct buf *all)
{
    for (int i = 0; i < 20; i++) {
        char *r = talk(f, "更多");
        bool last = strcmp(r, content_get(f->app.ct, "more.none")) == 0;
        buf_puts(all, r);
        free(r);
        if (last)
            break;
    }
}

/* An SMS channel: the link goes into the text, which is cut with 更多. */
static void test_lesson_on_sms_cut_with_more(void)
{
    const char *sets[] = {"generic.max_reply_chars=70", NULL};
    struct fx f;
    struct channel sms = chan_generic;
    sms.is_sms = true;
    if (fx_init_dir(&f, "content/lessons", sets) == -1)
        goto out;
    f.ch = &sms;
    const struct lesson *l = lesson_find(f.app.lessons, 3);
    char *link = url(l->link), *cover = url(l->cover);
    json_t *a = turn_json(&f, "u-1", "课 3", NULL);
    const char *first = json_string_value(json_object_get(json_array_get(a, 0), "text"));
    CHECK(json_object_get(json_array_get(a, 0), "link") == NULL);
    CHECK(utf8_len(first) <= 70);
    CHECK_HAS(first, content_get(f.app.ct, "more.hint"));
    struct buf all;
    buf_init(&all, 0);
    buf_puts(&all, first);
    json_decref(a);
    page_through(&f, &all);
    CHECK_HAS(all.data, link);
    CHECK_HAS(all.data, l->question);
    buf_release(&all);
    /* the question is still open after paging */
    char *r = answer(&f, "u-1", 3, true);
    CHECK_HAS(r, "+10");
    free(r);
    free(link), free(cover);
out:
    fx_release(&f);
}

/* With no [lessons] link_base the shipped lessons' relative links go
 * nowhere: no link in the text (SMS, Telegram, pushes), no link or cover
 * field, no WeChat article card; the lesson and its question still do. */
static void test_lesson_without_link_base_sends_no_link(void)
{
    const char *sets[] = {"lessons.link_base=", "wechat.appid=wx1", "wechat.appsecret=sec",
                          "generic.max_reply_chars=70", NULL};
    struct channel sms = chan_generic;
    sms.is_sms = true;
    const struct channel *chans[] = {&chan_generic, &sms, &chan_telegram, &chan_wechat};
    for (size_t i = 0; i < sizeof chans / sizeof chans[0]; i++) {
        struct fx f;
        if (fx_init_dir(&f, "content/lessons", sets) == -1) {
            fx_release(&f);
            continue;
        }
        f.ch = chans[i];
        const struct lesson *l = lesson_find(f.app.lessons, 3);
        CHECK(l->link != NULL && l->cover != NULL); /* the file has them */
        json_t *a = turn_json(&f, "u-1", "课 3", NULL);
        struct buf all;
        buf_init(&all, 0);
        buf_puts(&all, json_string_value(json_object_get(json_array_get(a, 0), "text")));
        CHECK_INT(json_array_size(a), 1);
        CHECK(json_object_get(json_array_get(a, 0), "link") == NULL);
        CHECK(json_object_get(json_array_get(a, 0), "cover") == NULL);
        CHECK(json_object_get(json_array_get(a, 0), "title") == NULL);
        json_decref(a);
        if (strstr(all.data, content_get(f.app.ct, "more.hint")) != NULL)
            page_through(&f, &all);
        CHECK_HAS(all.data, l->question);
        CHECK(strstr(all.data, "http") == NULL);
        CHECK(strstr(all.data, l->link) == NULL);
        buf_release(&all);
        json_t *rows = pushes(&f);
        CHECK_INT(json_array_size(rows), 0); /* no card, so no text after it */
        json_decref(rows);
        fx_release(&f);
    }
    /* the daily push: no link in its text, no article beside it */
    struct fx f;
    if (fx_init_dir(&f, "content/lessons", sets) == -1)
        goto out;
    json_t *a = daily_push(&f, 20, 30);
    CHECK_INT(json_array_size(a), 1);
    json_t *row = json_array_get(a, 0);
    CHECK(json_is_null(json_object_get(row, "extra")));
    CHECK(strstr(json_string_value(json_object_get(row, "text")), "http") == NULL);
    CHECK_HAS(json_string_value(json_object_get(row, "text")),
              lesson_find(f.app.lessons, 1)->question);
    json_decref(a);
out:
    fx_release(&f);
}

/* Issue 19: the 党史党章 topic for mobile party members has at least 10
 * lessons; each names its sources in the file, and on SMS (no link) its
 * question ends within 3 parts of 67 characters, before any cut. */
static void test_party_lessons_sources_and_sms(void)
{
    struct fx f;
    int n = 0;
    if (fx_init(&f) == -1)
        goto out;
    for (size_t i = 0; i < lesson_count(f.app.lessons); i++) {
        const struct lesson *l = lesson_at(f.app.lessons, i);
        if (strcmp(l->topic, "党史党章") != 0)
            continue;
        n++;
        CHECK(l->link == NULL); /* no video yet: nothing to send */
        char *file = t_slurp(l->file, NULL);
        CHECK(file != NULL && strstr(file, "# 来源：\n# 《") != NULL);
        free(file);
        char *text = lesson_text(&f.app, l, false, true);
        char *q = strstr(text, l->question);
        CHECK(q != NULL);
        if (q != NULL) {
            q[strlen(l->question)] = '\0'; /* up to the end of the question */
            int units = 0;
            int parts = sms_parts(text, &units, NULL);
            if (parts > 3)
                printf("lesson %d: its question ends at character %d\n", l->id, units);
            CHECK(parts <= 3);
        }
        free(text);
    }
    CHECK(n >= 10);
out:
    fx_release(&f);
}

static void write_lesson(const char *dir, int id, char answer)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%02d-x.txt", dir, id);
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL);
    if (fp == NULL)
        return;
    fprintf(fp,
            "id: %d\ntitle: 课%d\ntopic: 安全\nquestion: 问%d\nA: 甲\nB: 乙\nanswer: %c\n"
            "points: 5\nexplain: 解释。\n---\n正文一句。\n",
            id, id, id, answer);
    CHECK_INT(fclose(fp), 0);
}

static void test_all_lessons_done(void)
{
    struct fx f;
    const char *dir = t_tmpdir();
    write_lesson(dir, 1, 'A');
    write_lesson(dir, 2, 'B');
    if (fx_init_dir(&f, dir, NULL) == -1)
        goto out;
    stub_clock_set(local_ms(2026, 11, 28, 10, 0));
    char *r = talk(&f, "学习");
    free(r);
    r = answer(&f, "u-1", 1, true);
    free(r);
    r = talk(&f, "学习");
    free(r);
    r = answer(&f, "u-1", 2, false);
    free(r);
    r = talk(&f, "学习");
    const char *kv[] = {"count", "1", "month", "11", "day", "30", NULL};
    char *want = content_render(f.app.ct, "lesson.all_done_reviews", kv);
    CHECK_STR(r, want);
    free(r), free(want);
    stub_clock_set(local_ms(2026, 11, 30, 10, 5));
    r = talk(&f, "学习");
    CHECK(starts_with_key(&f, r, "lesson.review"));
    free(r);
    r = answer(&f, "u-1", 2, true);
    free(r);
    r = talk(&f, "学习");
    const char *kv2[] = {"done", "2", NULL};
    want = content_render(f.app.ct, "lesson.all_done", kv2);
    CHECK_STR(r, want);
    free(r), free(want);
out:
    fx_release(&f);
}

/* Round 31: a lesson named by what it is about (工伤那一课再发一遍) is the
 * lesson whose title shares most of its words (27, 受了工伤怎么办); words no
 * title holds, or two titles as well, ask which by number. */
static void test_lesson_named_by_subject(void)
{
    struct fx f;
    char *intent = NULL, *r, *want;
    if (fx_init(&f) == -1)
        goto out;
    r = talk_as(&f, "u-1", "工伤那一课再发一遍", &intent), want = shown(&f, 27);
    CHECK_STR(intent, "lesson.show");
    CHECK_STR(r, want);
    free(r), free(want), free(intent);
    r = talk(&f, "讲医保的那一课发我"), want = shown(&f, 30);
    CHECK_STR(r, want);
    free(r), free(want);
    r = talk(&f, "讲工匠精神那节再看下"); /* six lessons are 工匠精神 */
    CHECK(starts_with_key(&f, r, "lesson.which"));
    free(r);
    r = talk(&f, "菜谱那一课");
    CHECK(starts_with_key(&f, r, "lesson.which"));
    free(r);
out:
    fx_release(&f);
}

static void test_parse_hhmm(void)
{
    int m = -1;
    CHECK_INT(lesson_parse_hhmm("20:30", &m), 0);
    CHECK_INT(m, 20 * 60 + 30);
    CHECK_INT(lesson_parse_hhmm("7:05", &m), 0);
    CHECK_INT(m, 7 * 60 + 5);
    CHECK_INT(lesson_parse_hhmm("00:00", &m), 0);
    CHECK_INT(m, 0);
    static const char *const bad[] = {"24:00", "12:60", " 9:00",  "+9:00", "9:5",
                                      "2030",  "",      "123:00", "ab:cd", NULL};
    for (int i = 0; bad[i]; i++)
        CHECK_INT(lesson_parse_hhmm(bad[i], &m), -1);
    CHECK_INT(lesson_parse_hhmm(NULL, &m), -1);
}

const struct t_case handle_lesson_tests[] = {T(test_parse_hhmm),
                                             T(test_lesson_progress_order),
                                             T(test_quiz_answer_forms),
                                             T(test_quiz_without_open_question),
                                             T(test_points_once_per_lesson),
                                             T(test_spaced_repetition),
                                             T(test_streak_bonus_at_seven_days),
                                             T(test_subscription_pushes_at_local_time),
    T(test_unanswered_pushes_pause),
                                             T(test_subscription_held_in_rush_hour), T(test_quiz_answer_39_minutes_after_push), T(test_subscribe_again_keeps_the_time),
                                             T(test_unsubscribe_and_optout),
                                             T(test_subscribe_default_time_late),
                                             T(test_lesson_link_and_cover),
                                             T(test_lesson_wechat_article_then_text),
                                             T(test_lesson_link_in_text),
                                             T(test_lesson_without_link_base_sends_no_link),
                                             T(test_lesson_push_has_extra),
                                             T(test_lesson_on_sms_cut_with_more),
                                             T(test_all_lessons_done),
                                             T(test_lesson_named_by_subject),
                                             T(test_party_lessons_sources_and_sms),
                                             T_END};
