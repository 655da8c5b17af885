/*
 * test_desk.c - the service desk and members through engine_turn() with the
 * shipped intents/ and content/ on an in-memory store and the stub clock:
 * the ticket flow with two people, rotation among volunteers, escalation
 * and crisis alerts, anonymity of every message, mentoring pairs and their
 * silent flag, member check-in and the stale list.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "desk.h"
#include "engine.h"
#include "handler.h"
#include "intent.h"
#include "member.h"
#include "outbox.h"
#include "safety.h"
#include "store.h"
#include "store_int.h"
#include "t.h"
#include "util.h"

#define WORKER "worker-8841"
#define VOL "vol-5521"
#define VOL2 "vol-7730"
#define ADMIN "admin-3309"

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
    int seq;
};

/* The app from the real intents/ and content/, desks open all day unless
 * sets say otherwise, ADMIN as the desk admin. */
static int fx_init(struct fx *f, const char *const *extra)
{
    struct buf errs;
    char *sets[16];
    int n = 0, rc = 0;
    sets[n++] = "desk.legal_hours=00:00-24:00";
    sets[n++] = "desk.tutoring_hours=00:00-24:00";
    sets[n++] = "desk.counsel_hours=00:00-24:00";
    sets[n++] = "desk.admins=generic:" ADMIN;
    sets[n++] = "privacy.notice=false"; /* test_privacy checks it */
    for (int i = 0; extra && extra[i] && n < 16; i++)
        sets[n++] = (char *)extra[i];
    memset(f, 0, sizeof *f);
    buf_init(&errs, 0);
    if (conf_load(&f->c, NULL, sets, n, &errs) == -1)
        rc = -1;
    f->app.conf = &f->c;
    f->app.intents = t_intents(&errs);
    f->app.ct = content_load("content", &errs);
    f->st = store_open(":memory:", false);
    if (f->app.intents == NULL || f->app.ct == NULL || f->st == NULL)
        rc = -1;
    CHECK_STR(errs.data ? errs.data : "", "");
    CHECK_INT(rc, 0);
    buf_release(&errs);
    return rc;
}

static void fx_release(struct fx *f)
{
    store_close(f->st);
    content_free(f->app.ct);
    t_intents_free(f->app.intents);
    conf_release(&f->c);
}

/* Send text (and a location when loc) from user; the replies joined with
 * "\n" (caller frees) and a copy of the intent when intent is not NULL. */
static char *talk_loc(struct fx *f, const char *user, const char *text, bool loc, char **intent)
{
    struct turn_result res = {0};
    char ext[32];
    char *out = NULL;
    snprintf(ext, sizeof ext, "m-%d", ++f->seq);
    struct inmsg in = {.channel = "generic",
                       .ext_id = ext,
                       .user = (char *)user,
                       .text = (char *)text,
                       .authenticated = true, /* as if signed: staff commands count */
                       .has_location = loc,
                       .lat = 30.59,
                       .lon = 114.30};
    CHECK_INT(store_begin(f->st), 0);
    int rc = engine_turn(&f->app, f->st, &chan_generic, &in, now_ms(), &res);
    CHECK_INT(rc, 0);
    if (rc == 0) {
        CHECK_INT(store_commit(f->st), 0);
        struct buf b;
        size_t i;
        json_t *r;
        buf_init(&b, 0);
        buf_puts(&b, "");
        json_array_foreach(res.replies, i, r)
            buf_printf(&b, "%s%s", i ? "\n" : "", json_string_value(json_object_get(r, "text")));
        out = buf_take(&b);
        if (intent != NULL)
            *intent = xstrdup(res.intent);
    } else {
        store_rollback(f->st);
        out = xstrdup("");
    }
    turn_result_release(&res);
    stub_clock_advance(1000);
    return out;
}

static char *talk(struct fx *f, const char *user, const char *text)
{
    return talk_loc(f, user, text, false, NULL);
}

/* Send and check the reply contains want. */
static void talk_has(struct fx *f, const char *user, const char *text, const char *want)
{
    char *r = talk(f, user, text);
    CHECK_HAS(r, want);
    free(r);
}

static int64_t person(struct fx *f, const char *user)
{
    int64_t id = 0;
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_person_ensure(f->st, "generic", user, NULL, now_ms(), &id), 0);
    CHECK_INT(store_commit(f->st), 0);
    return id;
}

static void add_volunteer(struct fx *f, const char *user, const char *desks, const char *hours)
{
    int64_t id = 0, p = person(f, user);
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_desk_volunteer_set(f->st, p, "志愿者", desks, hours, now_ms(), &id), 0);
    CHECK_INT(store_commit(f->st), 0);
}

/* Every outbox text to user, oldest first, joined with "\n---\n"; and the
 * row count in *n when n is not NULL. Caller frees. */
static char *pushed_to(struct fx *f, const char *user, int *n)
{
    int64_t p = person(f, user);
    json_t *a = outbox_list_json(f->st, NULL, 1000);
    struct buf b;
    int count = 0;
    buf_init(&b, 0);
    buf_puts(&b, "");
    CHECK(a != NULL);
    for (size_t i = json_array_size(a); i-- > 0;) {
        json_t *row = json_array_get(a, i);
        if (json_integer_value(json_object_get(row, "person")) != p)
            continue;
        buf_printf(&b, "%s%s", count++ ? "\n---\n" : "",
                   json_string_value(json_object_get(row, "text")));
    }
    json_decref(a);
    if (n != NULL)
        *n = count;
    return buf_take(&b);
}

static void run_tick(struct fx *f)
{
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(handler_tick(&f->app, f->st, now_ms()), 0);
    CHECK_INT(store_commit(f->st), 0);
}

/* The ticket list as JSON text, for field checks. */
static json_t *ticket(struct fx *f, int64_t id)
{
    struct ticket_entry t;
    struct ticket_message *m;
    size_t nm;
    CHECK_INT(store_desk_ticket_show(f->st, id, &t, &m, &nm), 1);
    json_t *o = ticket_entry_json(&t, true, m, nm); /* as GET /tickets/<id> sends it */
    ticket_entry_clear(&t);
    ticket_message_free_all(m, nm);
    CHECK(json_is_object(o));
    return o;
}

static void test_desk_ticket_flow_two_people(void)
{
    struct fx f;
    char *r, *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");

    /* the question as typed, with its full-width question mark */
    r = talk_loc(&f, WORKER, "法律咨询 老板拖欠工资两个月怎么办？", false, &intent);
    CHECK_STR(intent, "service.legal");
    CHECK_HAS(r, "T1");
    CHECK(strstr(r, "12356") == NULL);
    free(r);
    free(intent);
    char *vp = pushed_to(&f, VOL, NULL);
    CHECK_HAS(vp, "T1");
    CHECK_HAS(vp, "老板拖欠工资两个月怎么办？");
    free(vp);

    r = talk_loc(&f, VOL, "接 T1", false, &intent);
    CHECK_STR(intent, "desk.take");
    CHECK_HAS(r, "老板拖欠工资两个月怎么办？");
    free(r);
    free(intent);
    char *wp = pushed_to(&f, WORKER, NULL);
    char *taken =
        content_render(f.app.ct, "desk.taken_worker", (const char *const[]){"code", "T1", NULL});
    CHECK_STR(wp, taken);
    free(taken);
    free(wp);

    /* the answer keeps its case and punctuation */
    talk_has(&f, VOL, "答 T1 可以申请劳动仲裁，带上 APP 截图。", "T1");
    wp = pushed_to(&f, WORKER, NULL);
    CHECK_HAS(wp, "可以申请劳动仲裁，带上 APP 截图。");
    free(wp);

    /* follow-ups: the next message while open, and T1 <text> */
    r = talk_loc(&f, WORKER, "加班费也能要吗", false, &intent);
    CHECK_STR(intent, "ctx.ticket");
    char *ok =
        content_render(f.app.ct, "desk.followup_ok", (const char *const[]){"code", "T1", NULL});
    CHECK_STR(r, ok);
    free(r);
    free(intent);
    r = talk(&f, WORKER, "T1 还有社保的事");
    CHECK_STR(r, ok);
    free(r);
    free(ok);
    vp = pushed_to(&f, VOL, NULL);
    CHECK_HAS(vp, "加班费也能要吗");
    CHECK_HAS(vp, "还有社保的事");
    free(vp);

    /* the volunteer closes; the worker rates with a bare number */
    talk_has(&f, VOL, "结 T1", "T1");
    wp = pushed_to(&f, WORKER, NULL);
    char *closed =
        content_render(f.app.ct, "desk.closed_rate", (const char *const[]){"code", "T1", NULL});
    CHECK_HAS(wp, closed);
    free(closed);
    free(wp);
    r = talk_loc(&f, WORKER, "5", false, &intent);
    CHECK_STR(intent, "desk.rate");
    CHECK_HAS(r, "5");
    free(r);
    free(intent);
    json_t *t = ticket(&f, 1);
    CHECK_STR(json_string_value(json_object_get(t, "status")), "closed");
    CHECK_INT(json_integer_value(json_object_get(t, "rating")), 5);
    CHECK(json_integer_value(json_object_get(t, "response_seconds")) > 0);
    CHECK_INT(json_array_size(json_object_get(t, "messages")), 4);
    json_decref(t);

    /* after closing, a message is no longer part of the ticket */
    r = talk_loc(&f, WORKER, "今天天气怎么样", false, &intent);
    CHECK_STR(r, content_get(f.app.ct, "fallback"));
    free(r);
    free(intent);

    /* anonymity: no message to one side names the other */
    int n = 0;
    vp = pushed_to(&f, VOL, &n);
    CHECK(n >= 3);
    CHECK(strstr(vp, WORKER) == NULL);
    free(vp);
    wp = pushed_to(&f, WORKER, &n);
    CHECK(n >= 3);
    CHECK(strstr(wp, VOL) == NULL);
    free(wp);
out:
    fx_release(&f);
}

/* Replies to the volunteer never carry the worker's id, and the other way. */
static void test_desk_replies_are_anonymous(void)
{
    struct fx f;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");
    const char *worker_says[] = {"法律咨询 工伤怎么认定", "补充一下", "T1 再问一句", "结 T1",
                                 "评价 T1 4"};
    const char *vol_says[] = {"接 T1", "答 T1 先去医院", "T1 保留病历"};
    for (int i = 0; i < 3; i++) {
        char *r = talk(&f, i == 0 ? WORKER : VOL, i == 0 ? worker_says[0] : vol_says[i - 1]);
        CHECK(strstr(r, WORKER) == NULL || i == 0);
        CHECK(strstr(r, VOL) == NULL);
        free(r);
    }
    for (int i = 1; i < 5; i++) {
        char *r = talk(&f, WORKER, worker_says[i]);
        CHECK(strstr(r, VOL) == NULL);
        free(r);
    }
    char *r = talk(&f, VOL, vol_says[2]);
    CHECK(strstr(r, WORKER) == NULL);
    free(r);
    json_t *t = ticket(&f, 1);
    CHECK_INT(json_integer_value(json_object_get(t, "rating")), 4);
    json_decref(t);
out:
    fx_release(&f);
}

static void test_desk_question_in_next_message(void)
{
    struct fx f;
    char *r, *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    r = talk_loc(&f, WORKER, "课业辅导", false, &intent);
    CHECK_STR(intent, "service.tutoring");
    CHECK_HAS(r, "课业辅导");
    free(r);
    free(intent);
    r = talk(&f, WORKER, "孩子初二数学跟不上");
    CHECK_HAS(r, "T1");
    free(r);
    json_t *t = ticket(&f, 1);
    CHECK_STR(json_string_value(json_object_get(t, "desk")), "tutoring");
    CHECK_STR(json_string_value(json_object_get(t, "question")), "孩子初二数学跟不上");
    json_decref(t);
    /* the menu path: 咨询, then 3 */
    r = talk_loc(&f, "u-2", "咨询", false, &intent);
    CHECK_STR(intent, "desk.menu");
    free(r);
    free(intent);
    r = talk_loc(&f, "u-2", "3", false, &intent);
    CHECK_STR(intent, "service.counsel");
    free(r);
    free(intent);
out:
    fx_release(&f);
}

static void test_desk_rotation_among_volunteers(void)
{
    struct fx f;
    int na = 0, nb = 0, nc = 0;
    char *a, *b, *c;
    const char *sets[] = {"desk.offer_minutes=10", "desk.escalate_minutes=600", NULL};
    if (fx_init(&f, sets) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");
    add_volunteer(&f, VOL2, ",legal,counsel,", "");
    add_volunteer(&f, "vol-off", ",legal,", "03:00-03:01"); /* never on duty here */
    stub_clock_set(1764300000000 + 3600000);                /* 04:20 UTC */
    char *r;
    r = talk(&f, "w-1", "法律咨询 问题一");
    free(r);
    r = talk(&f, "w-2", "法律咨询 问题二");
    free(r);
    r = talk(&f, "w-3", "法律咨询 问题三");
    free(r);
    a = pushed_to(&f, VOL, &na);
    b = pushed_to(&f, VOL2, &nb);
    c = pushed_to(&f, "vol-off", &nc);
    /* one at a time, in turn: T1 and T3 to the first, T2 to the second */
    CHECK_INT(na, 2);
    CHECK_INT(nb, 1);
    CHECK_INT(nc, 0);
    CHECK_HAS(a, "问题一");
    CHECK_HAS(a, "问题三");
    CHECK_HAS(b, "问题二");
    free(a);
    free(b);
    free(c);

    /* VOL2 takes T2; after offer_minutes T1 and T3 move on to VOL2 */
    talk_has(&f, VOL2, "接 T2", "问题二");
    run_tick(&f); /* too early: nothing moves */
    b = pushed_to(&f, VOL2, &nb);
    CHECK_INT(nb, 1);
    free(b);
    stub_clock_advance(10 * 60000);
    run_tick(&f);
    run_tick(&f); /* idempotent */
    b = pushed_to(&f, VOL2, &nb);
    CHECK_INT(nb, 3);
    CHECK_HAS(b, "问题一");
    CHECK_HAS(b, "问题三");
    free(b);
    /* a volunteer of another desk cannot see or take a ticket */
    add_volunteer(&f, "vol-tutor", ",tutoring,", "");
    r = talk(&f, "vol-tutor", "接 T1");
    CHECK(strstr(r, "问题一") == NULL);
    free(r);
    /* nor can another worker add to it */
    r = talk(&f, "w-2", "T1 看看");
    char *none =
        content_render(f.app.ct, "desk.no_ticket", (const char *const[]){"code", "T1", NULL});
    CHECK_STR(r, none);
    free(none);
    free(r);
    /* a second volunteer cannot take what the first took */
    talk_has(&f, VOL, "接 T2", "T2");
    json_t *t = ticket(&f, 2);
    CHECK_STR(json_string_value(json_object_get(t, "status")), "taken");
    json_decref(t);
out:
    fx_release(&f);
}

static void test_desk_escalation_after_configured_time(void)
{
    struct fx f;
    int n = 0;
    const char *sets[] = {"desk.escalate_minutes=30", NULL};
    if (fx_init(&f, sets) == -1)
        goto out;
    char *r = talk(&f, WORKER, "法律咨询 合同没签怎么办");
    free(r);
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 0);
    free(ap);
    stub_clock_advance(29 * 60000);
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 0);
    free(ap);
    stub_clock_advance(60000);
    run_tick(&f);
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(ap, "T1");
    CHECK_HAS(ap, "合同没签怎么办");
    CHECK(strstr(ap, WORKER) == NULL);
    free(ap);
    json_t *t = ticket(&f, 1);
    CHECK(json_is_integer(json_object_get(t, "escalated_ms")));
    json_decref(t);
    /* a taken ticket is never escalated */
    add_volunteer(&f, VOL, ",legal,", "");
    r = talk(&f, "w-2", "法律咨询 第二个问题");
    free(r);
    talk_has(&f, VOL, "接 T2", "第二个问题");
    stub_clock_advance(31 * 60000);
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    free(ap);
out:
    fx_release(&f);
}

static void test_desk_crisis_words_hotlines_and_alert(void)
{
    struct fx f;
    int n = 0;
    if (fx_init(&f, NULL) == -1)
        goto out;
    char *r = talk(&f, WORKER, "心理咨询 最近压力很大，真的不想活了");
    CHECK_HAS(r, "12356");
    CHECK_HAS(r, "12320");
    CHECK_HAS(r, "T1");
    free(r);
    /* the admin is alerted at once, not at the next tick */
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(ap, "T1");
    CHECK(strstr(ap, WORKER) == NULL);
    free(ap);
    json_t *t = ticket(&f, 1);
    CHECK(json_is_true(json_object_get(t, "crisis")));
    json_decref(t);
    /* a follow-up with crisis words: hotlines again, another alert */
    r = talk(&f, WORKER, "我想自杀");
    CHECK_HAS(r, "12356");
    free(r);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 2);
    free(ap);
    /* an ordinary question gets no hotlines */
    r = talk(&f, "w-2", "心理咨询 和家人总吵架");
    CHECK(strstr(r, "12356") == NULL);
    free(r);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 2);
    free(ap);
out:
    fx_release(&f);
}

static void test_desk_off_hours_waits_for_duty(void)
{
    struct fx f;
    int n = 0;
    const char *sets[] = {"desk.legal_hours=09:00-17:00", "desk.escalate_minutes=60", NULL};
    char *old = xstrdup(getenv("TZ"));
    setenv("TZ", "UTC", 1);
    tzset();
    if (fx_init(&f, sets) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");
    stub_clock_set(1764300000000); /* 03:20 UTC: closed */
    char *r = talk(&f, WORKER, "法律咨询 半夜被辞退");
    CHECK_HAS(r, "09:00-17:00");
    CHECK_HAS(r, "11-28 09:00");
    free(r);
    char *vp = pushed_to(&f, VOL, &n);
    CHECK_INT(n, 0);
    free(vp);
    stub_clock_advance(6 * 3600000LL); /* 09:20 */
    run_tick(&f);
    vp = pushed_to(&f, VOL, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(vp, "半夜被辞退");
    free(vp);
    /* escalation counts from 09:00, not from 03:20 */
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 0);
    free(ap);
    stub_clock_advance(41 * 60000); /* 10:01 */
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(ap, "半夜被辞退");
    free(ap);
out:
    fx_release(&f);
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    tzset();
    free(old);
}

static void test_desk_mentoring_pair_and_silent_flag(void)
{
    struct fx f;
    int n = 0;
    int64_t id = 0;
    const char *sets[] = {"desk.silent_weeks=2", NULL};
    if (fx_init(&f, sets) == -1)
        goto out;
    int64_t w = person(&f, WORKER), m = person(&f, "teacher-4410");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(store_mentor_add(f.st, w, m, "王老师", now_ms(), &id), 0);
    CHECK_INT(store_commit(f.st), 0);
    talk_has(&f, WORKER, "P1 老师好，最近找到新工作了", "P1");
    char *mp = pushed_to(&f, "teacher-4410", &n);
    CHECK_INT(n, 1);
    CHECK_HAS(mp, "最近找到新工作了");
    CHECK(strstr(mp, WORKER) == NULL);
    free(mp);
    /* the teacher's next message (one pair) reaches the worker */
    talk_has(&f, "teacher-4410", "太好了，有事随时说", "P1");
    char *wp = pushed_to(&f, WORKER, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(wp, "太好了，有事随时说");
    CHECK(strstr(wp, "teacher-4410") == NULL);
    free(wp);
    /* somebody else cannot write into the pair */
    char *r = talk(&f, "u-9", "P1 你好");
    char *none =
        content_render(f.app.ct, "desk.no_pair", (const char *const[]){"code", "P1", NULL});
    CHECK_STR(r, none);
    free(none);
    free(r);

    stub_clock_advance(13 * 86400000LL);
    run_tick(&f);
    struct mentor_entry *a;
    size_t na;
    CHECK_INT(store_mentor_list(f.st, &a, &na), 0);
    CHECK(na == 1 && !a[0].silent && a[0].has_contact);
    mentor_entry_free_all(a, na);
    stub_clock_advance(1 * 86400000LL);
    run_tick(&f);
    CHECK_INT(store_mentor_list(f.st, &a, &na), 0);
    CHECK(na == 1 && a[0].silent && a[0].flagged_ms == now_ms());
    mentor_entry_free_all(a, na);
    /* contact clears the flag */
    r = talk(&f, WORKER, "P1 老师在吗");
    free(r);
    CHECK_INT(store_mentor_list(f.st, &a, &na), 0);
    CHECK(na == 1 && !a[0].silent);
    mentor_entry_free_all(a, na);
out:
    fx_release(&f);
}

static void test_member_checkin_org_and_stale_list(void)
{
    struct fx f;
    int64_t id = 0;
    char *r, *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    /* nobody becomes a member by saying so */
    r = talk(&f, "m-1", "报到 武汉");
    CHECK_STR(r, content_get(f.app.ct, "member.not_member"));
    free(r);
    int64_t p1 = person(&f, "m-1"), p2 = person(&f, "m-2");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(
        store_member_set(f.st, p1, "李师傅", "襄阳市快递行业党支部", "0710-1234567", now_ms(), &id),
        0);
    CHECK_INT(store_member_set(f.st, p2, NULL, "襄阳市网约车联合党支部", NULL, now_ms(), &id), 0);
    CHECK_INT(store_commit(f.st), 0);

    r = talk_loc(&f, "m-1", "报到 武汉", false, &intent);
    CHECK_STR(intent, "member.checkin");
    CHECK_HAS(r, "武汉");
    free(r);
    free(intent);
    r = talk(&f, "m-1", "我的组织");
    CHECK_HAS(r, "襄阳市快递行业党支部");
    CHECK_HAS(r, "0710-1234567");
    CHECK_HAS(r, "武汉");
    free(r);
    /* 报到 alone, then a location */
    r = talk(&f, "m-2", "报到");
    CHECK_STR(r, content_get(f.app.ct, "member.ask"));
    free(r);
    char when[32];
    turn_fmt_time(now_ms(), "%Y-%m-%d %H:%M", when, sizeof when);
    r = talk_loc(&f, "m-2", NULL, true, &intent);
    CHECK_STR(intent, "ctx.member");
    char *loc =
        content_render(f.app.ct, "member.checked_loc", (const char *const[]){"time", when, NULL});
    CHECK_STR(r, loc);
    free(loc);
    free(r);
    free(intent);

    /* ten days on, m-1 checks in from 长沙; m-2 is stale at 7 days */
    stub_clock_advance(10 * 86400000LL);
    r = talk(&f, "m-1", "报到");
    free(r);
    /* a command or a question after 报到 is no city; the city still follows */
    r = talk_loc(&f, "m-1", "积分", false, &intent);
    CHECK_STR(intent, "points.balance");
    free(r);
    free(intent);
    r = talk_loc(&f, "m-1", "什么意思", false, &intent);
    CHECK(intent != NULL && strcmp(intent, "ctx.member") != 0);
    CHECK(strstr(r, "什么意思") == NULL);
    free(r);
    free(intent);
    r = talk(&f, "m-1", "长沙");
    CHECK_HAS(r, "长沙");
    free(r);
    struct member_entry *a;
    size_t na;
    CHECK_INT(store_member_list(f.st, NULL, now_ms() - 7 * 86400000LL, 100, &a, &na), 0);
    CHECK_INT(na, 1);
    if (na == 1) {
        CHECK_STR(a[0].org, "襄阳市网约车联合党支部");
        CHECK(a[0].has_lat);
    }
    member_entry_free_all(a, na);
    CHECK_INT(store_member_list(f.st, "长沙", 0, 100, &a, &na), 0);
    CHECK_INT(na, 1);
    if (na == 1)
        CHECK_STR(a[0].person, "generic:m-1");
    member_entry_free_all(a, na);
    CHECK_INT(store_member_list(f.st, "武汉", 0, 100, &a, &na), 0);
    CHECK_INT(na, 0);
    member_entry_free_all(a, na);
out:
    fx_release(&f);
}

/* A fixture with one member, ext, of org. 0 or -1 (the fixture failed). */
static int member_fx(struct fx *f, const char *ext, const char *name, const char *org)
{
    int64_t id = 0;
    if (fx_init(f, NULL) == -1)
        return -1;
    int64_t p = person(f, ext);
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_member_set(f->st, p, name, org, NULL, now_ms(), &id), 0);
    CHECK_INT(store_commit(f->st), 0);
    return 0;
}

/* city, sent by ext while 报到's question is open, is taken and recorded. */
static void city_taken(struct fx *f, const char *ext, const char *city)
{
    char *intent = NULL, *r = talk_loc(f, ext, city, false, &intent);
    struct member_entry *a = NULL;
    size_t na = 0;
    CHECK_STR(intent, "ctx.member");
    CHECK_HAS(r, city);
    free(r);
    free(intent);
    CHECK_INT(store_member_list(f->st, city, 0, 100, &a, &na), 0);
    CHECK_INT(na, 1);
    member_entry_free_all(a, na);
}

/* 报到 without a city asks for it; a no or an unsure word after that
 * question (算了, 不用了, 再说吧) is no city: it records nothing and ends the
 * question; a city after a new 报到 is recorded. */
static void test_member_checkin_no_is_no_city(void)
{
    struct fx f;
    char *r, *intent = NULL;
    struct member_entry *a = NULL;
    size_t na = 0;
    if (member_fx(&f, "m-3", "张姐", "襄阳市家政服务行业党支部") == -1)
        goto out;
    const char *nos[] = {"算了", "不用了", "再说吧"};
    for (size_t i = 0; i < sizeof nos / sizeof *nos; i++) {
        r = talk(&f, "m-3", "报到");
        CHECK_STR(r, content_get(f.app.ct, "member.ask"));
        free(r);
        r = talk_loc(&f, "m-3", nos[i], false, &intent);
        CHECK_STR(intent, "ctx.member");
        CHECK_STR(r, content_get(f.app.ct, "member.ask_dropped"));
        free(r);
        free(intent);
    }
    CHECK_INT(store_member_list(f.st, NULL, now_ms() - 86400000LL, 100, &a, &na), 0);
    CHECK_INT(na, 0);
    member_entry_free_all(a, na);
    r = talk(&f, "m-3", "长沙"); /* the question is over: no city now */
    CHECK(strstr(r, "长沙") == NULL);
    free(r);
    r = talk(&f, "m-3", "报到");
    free(r);
    city_taken(&f, "m-3", "长沙");
out:
    fx_release(&f);
}

/* 现在报到 (and 马上报到, 目前报到) is a check-in whose city is still to be
 * asked (understand.txt `noslot city`): not the city 现在; 现在 in answer to
 * the question is no city either; the city after it is recorded. */
static void test_member_checkin_time_word_is_no_city(void)
{
    struct fx f;
    char *r, *intent = NULL;
    struct member_entry *a = NULL;
    size_t na = 0;
    if (member_fx(&f, "m-4", "王哥", "襄阳市快递行业党支部") == -1)
        goto out;
    const char *asks[] = {"现在报到", "马上报到", "目前 报到"};
    for (size_t i = 0; i < sizeof asks / sizeof *asks; i++) {
        r = talk(&f, "m-4", asks[i]);
        CHECK_STR(r, content_get(f.app.ct, "member.ask"));
        free(r);
    }
    r = talk_loc(&f, "m-4", "现在", false, &intent);
    CHECK(intent == NULL || strcmp(intent, "ctx.member") != 0);
    free(r);
    free(intent);
    intent = NULL;
    CHECK_INT(store_member_list(f.st, NULL, now_ms() - 86400000LL, 100, &a, &na), 0);
    CHECK_INT(na, 0);
    member_entry_free_all(a, na);
    city_taken(&f, "m-4", "枣阳");
out:
    fx_release(&f);
}

/* Pair WORKER with teacher-4410 (P1, *id); WORKER's person id. */
static int64_t pair_worker_with_teacher(struct fx *f, int64_t *id)
{
    int64_t w = person(f, WORKER), m = person(f, "teacher-4410");
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_mentor_add(f->st, w, m, "王老师", now_ms(), id), 0);
    CHECK_INT(store_commit(f->st), 0);
    return w;
}

/* A photo (with caption text, or NULL) from user; the intent (caller frees). */
static char *photo_from(struct fx *f, const char *user, const char *text, char **intent)
{
    struct turn_result res = {0};
    char ext[32];
    char *out = NULL;
    snprintf(ext, sizeof ext, "m-%d", ++f->seq);
    struct inmsg in = {.channel = "generic",
                       .ext_id = ext,
                       .user = (char *)user,
                       .text = (char *)text,
                       .nmedia = 1,
                       .media = {{.url = "http://img.example/hw.jpg", .type = "image/jpeg"}}};
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(engine_turn(&f->app, f->st, &chan_generic, &in, now_ms(), &res), 0);
    CHECK_INT(store_commit(f->st), 0);
    out = xstrdup(json_string_value(json_object_get(json_array_get(res.replies, 0), "text")));
    *intent = xstrdup(res.intent);
    turn_result_release(&res);
    stub_clock_advance(1000);
    return out;
}

static long long count_of(struct fx *f, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static void test_safety_words_and_lookalikes(void)
{
    struct fx f;
    if (fx_init(&f, NULL) == -1)
        goto out;
    static const char *const yes[] = {"我不想活了", "活着真没意思", "我 想 死", "想轻生",
                                      "想跳楼", "割腕", "我想结束自己", "不如死了算了",
                                      "活着没有意义", "累得想死", "活著沒意思",
                                      "我想自殺", NULL};
    static const char *const no[] = {"笑死了", "累死了", "热死了", "想死你了",
                                     "气死我了哈哈", "跳楼价清仓", "饿死了快点送",
                                     "我想去公园", "今天活真多", NULL};
    for (int i = 0; yes[i]; i++)
        if (!safety_is_crisis(f.app.ct, NULL, yes[i]))
            CHECK_STR(yes[i], "(a crisis)");
    for (int i = 0; no[i]; i++)
        if (safety_is_crisis(f.app.ct, NULL, no[i]))
            CHECK_STR(no[i], "(not a crisis)");
    /* through the turn: a joke is not understood, no ticket, no alert */
    char *intent = NULL;
    char *r = talk_loc(&f, WORKER, "笑死了", false, &intent);
    /* not understood, or the scorer's numbered choice (turn.ask) */
    CHECK(strcmp(intent, "fallback") == 0 || strcmp(intent, "turn.ask") == 0);
    CHECK(strstr(r, "12356") == NULL);
    free(r);
    free(intent);
    CHECK_INT(count_of(&f, "SELECT count(*) FROM desk_tickets"), 0);
out:
    fx_release(&f);
}

/* 我不想活了 outside any ticket: hotlines at once, a crisis ticket at the
 * counselling desk, an alert that says how to take it and reach the person. */
static void test_crisis_outside_a_ticket(void)
{
    struct fx f;
    int n = 0;
    char *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",counsel,", "03:00-04:00"); /* off duty: a crisis alerts anyway */
    char *r = talk_loc(&f, WORKER, "我不想活了", false, &intent);
    CHECK_STR(intent, "safety.crisis");
    CHECK_HAS(r, "12356");
    CHECK_HAS(r, "T1");
    free(r);
    free(intent);
    json_t *t = ticket(&f, 1);
    CHECK_STR(json_string_value(json_object_get(t, "desk")), "counsel");
    CHECK(json_is_true(json_object_get(t, "crisis")));
    json_decref(t);
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(ap, "接 T1");
    CHECK_HAS(ap, "答 T1");
    CHECK_HAS(ap, "我不想活了");
    CHECK(strstr(ap, WORKER) == NULL);
    free(ap);
    char *vp = pushed_to(&f, VOL, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(vp, "接 T1");
    free(vp);
    /* in a quiz, a menu or anything else: the same */
    r = talk(&f, "w-2", "帮助");
    free(r);
    r = talk_loc(&f, "w-2", "活着没意思", false, &intent);
    CHECK_STR(intent, "safety.crisis");
    CHECK_HAS(r, "12356");
    free(r);
    free(intent);
out:
    fx_release(&f);
}

/* A text nothing understood that is near a crisis without reaching the net
 * (intents/understand.txt crisisnear) gets the check-in with the hotline,
 * not 没看懂; no ticket, no alert; 1 goes to the counselling desk. (On
 * bba25e2 it got the not-understood reply. Round 28's crisis lines take
 * 要死了 真的冇得路走了, the text here until then, to the crisis reply; its
 * next text, 好几天没吃饭了 就想这么饿死算了, sat on crisisnear's lead (0.05)
 * and left it when stop 37 took the Latin lines out of crisis.examples: this
 * one leads by 0.10, between the check-in's 0.05 and the net's 0.17.) */
static void test_crisis_near_checks_in(void)
{
    struct fx f;
    int n = 0;
    char *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",counsel,", "03:00-04:00");
    char *r = talk_loc(&f, WORKER, "好几天没吃饭了 不想动", false, &intent);
    CHECK_STR(intent, "safety.check_in");
    CHECK_HAS(r, "12356");
    CHECK_HAS(r, "回复 1");
    CHECK(strstr(r, "没看懂") == NULL);
    free(r);
    free(intent);
    intent = NULL;
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 0);
    free(ap);
    struct ticket_entry t;
    struct ticket_message *m = NULL;
    size_t nm = 0;
    CHECK_INT(store_desk_ticket_show(f.st, 1, &t, &m, &nm), 0);
    /* the bare number takes the choice: the counselling desk */
    r = talk_loc(&f, WORKER, "1", false, &intent);
    CHECK_STR(intent, "service.counsel");
    free(r);
    free(intent);
    intent = NULL;
    /* small talk stays not understood */
    r = talk_loc(&f, "w-2", "今天下雨 单子好少", false, &intent);
    CHECK(intent != NULL && strcmp(intent, "safety.check_in") != 0);
    free(r);
    free(intent);
    intent = NULL;
    /* near a crisis, and the scorer only unsure among courses and the
     * profile: the check-in, not a numbered choice (on 48d56e7: turn.ask) */
    r = talk_loc(&f, "w-3", "报名那个课 气得我要死", false, &intent);
    CHECK_STR(intent, "safety.check_in");
    CHECK_HAS(r, "12356");
    free(r);
    free(intent);
    intent = NULL;
    /* near a crisis, and the scorer's closest example of another intent:
     * the check-in, not that intent's answer (on 77b0143: privacy.mine) */
    r = talk_loc(&f, "w-4", "我的信息 想走了", false, &intent);
    CHECK_STR(intent, "safety.check_in");
    CHECK_HAS(r, "12356");
    free(r);
    free(intent);
out:
    fx_release(&f);
}

/* 接 T1 on the alert works for the desk admin (today: 没有找到 T1) and for a
 * counselling volunteer; the answer reaches the worker through the bot. */
static void test_crisis_alert_can_be_taken(void)
{
    struct fx f;
    int n = 0;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");
    /* a crisis inside a legal ticket opens a counselling one (T2) */
    char *r = talk(&f, WORKER, "法律咨询 老板不给工资");
    CHECK_HAS(r, "T1");
    free(r);
    r = talk(&f, WORKER, "我真的不想活了");
    CHECK_HAS(r, "12356");
    CHECK_HAS(r, "T2");
    free(r);
    r = talk(&f, ADMIN, "接 T2");
    CHECK_HAS(r, "你已接 T2");
    CHECK_HAS(r, "我真的不想活了");
    free(r);
    talk_has(&f, ADMIN, "答 T2 我在，愿意听你说", "T2");
    /* a helper quoting the words is not in crisis */
    char *intent = NULL;
    r = talk_loc(&f, ADMIN, "答 T2 你说不想活了，愿意多说说吗", false, &intent);
    CHECK_STR(intent, "desk.answer");
    CHECK(strstr(r, "12356") == NULL);
    free(r);
    free(intent);
    char *wp = pushed_to(&f, WORKER, &n);
    CHECK_HAS(wp, "我在，愿意听你说");
    CHECK(strstr(wp, ADMIN) == NULL);
    free(wp);
    /* the worker's next text goes to whoever took it */
    r = talk(&f, WORKER, "谢谢你");
    free(r);
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_HAS(ap, "谢谢你");
    free(ap);
    /* a counselling volunteer may take the next one */
    add_volunteer(&f, VOL2, ",counsel,", "");
    r = talk(&f, "w-3", "想结束自己");
    free(r);
    talk_has(&f, VOL2, "接 T3", "你已接 T3");
out:
    fx_release(&f);
}

/* An untaken crisis is alerted again every desk.crisis_realert_minutes with
 * the minutes really waited, until someone takes it. */
static void test_crisis_realerts_with_elapsed_time(void)
{
    struct fx f;
    int n = 0;
    const char *sets[] = {"desk.crisis_realert_minutes=10", "desk.escalate_minutes=60", NULL};
    if (fx_init(&f, sets) == -1)
        goto out;
    char *r = talk(&f, WORKER, "活不下去了");
    free(r);
    stub_clock_advance(5 * 60000LL);
    run_tick(&f);
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    free(ap);
    stub_clock_advance(20 * 60000LL); /* 25 minutes after */
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 2);
    CHECK_HAS(ap, "已等 25 分钟");
    CHECK_HAS(ap, "接 T1");
    free(ap);
    stub_clock_advance(5 * 60000LL);
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 2);
    free(ap);
    stub_clock_advance(7 * 60000LL); /* 37 minutes */
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 3);
    CHECK_HAS(ap, "已等 37 分钟");
    free(ap);
    r = talk(&f, ADMIN, "接 T1");
    free(r);
    stub_clock_advance(60 * 60000LL);
    run_tick(&f);
    ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 3);
    free(ap);
out:
    fx_release(&f);
}

/* An ordinary escalation states the minutes waited, not the configured ones. */
static void test_escalation_states_real_wait(void)
{
    struct fx f;
    int n = 0;
    const char *sets[] = {"desk.escalate_minutes=60", NULL};
    if (fx_init(&f, sets) == -1)
        goto out;
    char *r = talk(&f, WORKER, "法律咨询 被扣押金");
    free(r);
    stub_clock_advance(95 * 60000LL);
    run_tick(&f);
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(ap, "已 95 分钟没人接");
    free(ap);
out:
    fx_release(&f);
}

/* 人工 / 客服 / 找人: a general-desk ticket, in any state. */
static void test_handover_opens_a_ticket(void)
{
    struct fx f;
    char *intent = NULL;
    const char *sets[] = {"desk.general_hours=00:00-24:00", NULL};
    if (fx_init(&f, sets) == -1)
        goto out;
    add_volunteer(&f, VOL, ",general,", "");
    char *r = talk(&f, WORKER, "学习");
    free(r);
    r = talk_loc(&f, WORKER, "人工", false, &intent);
    CHECK_STR(intent, "handover");
    CHECK_HAS(r, "T1");
    free(r);
    free(intent);
    json_t *t = ticket(&f, 1);
    CHECK_STR(json_string_value(json_object_get(t, "desk")), "general");
    json_decref(t);
    int n = 0;
    char *vp = pushed_to(&f, VOL, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(vp, "接 T1");
    free(vp);
    /* what follows is for the person who takes it */
    r = talk_loc(&f, WORKER, "押金什么时候退", false, &intent);
    CHECK_STR(intent, "ctx.ticket");
    free(r);
    free(intent);
out:
    fx_release(&f);
}

/* 人工 with nobody of the general desk on duty: the desk admins hear at once. */
static void test_handover_without_staff_alerts_admin(void)
{
    struct fx f;
    int n = 0;
    if (fx_init(&f, NULL) == -1)
        goto out;
    char *r = talk(&f, WORKER, "找人");
    CHECK_HAS(r, "T1");
    free(r);
    char *ap = pushed_to(&f, ADMIN, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(ap, "接 T1");
    free(ap);
    r = talk(&f, ADMIN, "接 T1");
    CHECK_HAS(r, "你已接 T1");
    free(r);
out:
    fx_release(&f);
}

/* 好的 to a volunteer in an open ticket is relayed, not a seat confirmation. */
static void test_ok_in_a_ticket_is_relayed(void)
{
    struct fx f;
    int n = 0;
    char *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");
    char *r = talk(&f, WORKER, "法律咨询 没签合同怎么办");
    free(r);
    r = talk(&f, VOL, "答 T1 先把聊天记录截图保存");
    free(r);
    r = talk_loc(&f, WORKER, "好的", false, &intent);
    CHECK_STR(intent, "ctx.ticket");
    CHECK_HAS(r, "T1");
    free(r);
    free(intent);
    char *vp = pushed_to(&f, VOL, &n);
    CHECK_HAS(vp, "好的");
    free(vp);
out:
    fx_release(&f);
}

/* A homework photo in a 课业辅导 ticket goes to the ticket, not a 随手拍 report;
 * 随手拍 with a photo still makes a report. */
static void test_photo_in_a_tutoring_ticket(void)
{
    struct fx f;
    int n = 0;
    char *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",tutoring,", "");
    char *r = talk(&f, WORKER, "课业辅导 孩子三年级数学");
    free(r);
    r = talk(&f, VOL, "接 T1");
    free(r);
    r = photo_from(&f, WORKER, "第3题不会", &intent);
    CHECK_STR(intent, "ctx.ticket");
    CHECK_HAS(r, "T1");
    free(r);
    free(intent);
    CHECK_INT(count_of(&f, "SELECT count(*) FROM reports"), 0);
    char *vp = pushed_to(&f, VOL, &n);
    CHECK_HAS(vp, "第3题不会");
    CHECK_HAS(vp, "图片");
    free(vp);
    r = photo_from(&f, WORKER, "随手拍 路灯坏了", &intent);
    CHECK_STR(intent, "report.new");
    free(r);
    free(intent);
    CHECK_INT(count_of(&f, "SELECT count(*) FROM reports"), 1);
out:
    fx_release(&f);
}

/* Two open contexts could take one text: a numbered question, and the
 * number sends the kept text where the person says. */
static void test_two_contexts_ask_which(void)
{
    struct fx f;
    int n = 0;
    int64_t id = 0;
    char *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");
    int64_t w = pair_worker_with_teacher(&f, &id);
    char *r = talk(&f, WORKER, "法律咨询 工伤怎么认定");
    free(r);
    r = talk_loc(&f, WORKER, "谢谢您这么耐心", false, &intent);
    CHECK_STR(intent, "turn.ask");
    CHECK_HAS(r, "1 ");
    CHECK_HAS(r, "2 ");
    CHECK_HAS(r, content_get(f.app.ct, "turn.ctx.ticket"));
    CHECK_HAS(r, content_get(f.app.ct, "turn.ctx.pair"));
    free(r);
    free(intent);
    char *mp = pushed_to(&f, "teacher-4410", &n);
    CHECK_INT(n, 0);
    free(mp);
    r = talk(&f, WORKER, "3"); /* not a choice */
    CHECK_HAS(r, "2");
    free(r);
    r = talk_loc(&f, WORKER, "2", false, &intent);
    CHECK_STR(intent, "ctx.pair");
    CHECK_HAS(r, "P1");
    free(r);
    free(intent);
    mp = pushed_to(&f, "teacher-4410", &n);
    CHECK_INT(n, 1);
    CHECK_HAS(mp, "谢谢您这么耐心");
    free(mp);
    /* an open quiz and a mentoring conversation both want "a" */
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(store_state_set(f.st, w, "quiz", "1", now_ms() + 3600000), 0);
    CHECK_INT(store_commit(f.st), 0);
    r = talk_loc(&f, WORKER, "A", false, &intent);
    CHECK_STR(intent, "turn.ask");
    CHECK_HAS(r, content_get(f.app.ct, "turn.ctx.quiz"));
    free(r);
    free(intent);
out:
    fx_release(&f);
}

/* A statement that names a problem is offered its desk (stop 35): the number
 * opens the ticket with the text already written, as typed (full-width
 * punctuation kept), without asking for it again. */
static void test_offered_desk_keeps_the_text(void)
{
    struct fx f;
    int n = 0;
    char *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",counsel,", "");
    char *r = talk_loc(&f, WORKER, "在外面受了气没地方说！", false, &intent);
    CHECK_STR(intent, "turn.ask");
    CHECK_HAS(r, "1 心理咨询");
    CHECK(strstr(r, "没地方说") == NULL); /* the choice shows the desk, not the text */
    free(r);
    free(intent);
    r = talk_loc(&f, WORKER, "1", false, &intent);
    CHECK_STR(intent, "service.counsel");
    CHECK_HAS(r, "T1");
    free(r);
    free(intent);
    char *mp = pushed_to(&f, VOL, &n);
    CHECK_INT(n, 1);
    CHECK_HAS(mp, "在外面受了气没地方说！");
    free(mp);
out:
    fx_release(&f);
}

/* The context chosen closed after the question (the ticket was closed):
 * the number is read as it stands, the turn does not fail. */
static void test_choice_after_the_context_closed(void)
{
    struct fx f;
    int64_t id = 0;
    char *intent = NULL;
    if (fx_init(&f, NULL) == -1)
        goto out;
    add_volunteer(&f, VOL, ",legal,", "");
    int64_t w = pair_worker_with_teacher(&f, &id);
    free(talk(&f, WORKER, "法律咨询 工伤怎么认定"));
    free(talk(&f, VOL, "接 T1"));
    char *r = talk_loc(&f, WORKER, "谢谢您", false, &intent);
    CHECK_STR(intent, "turn.ask");
    free(r);
    free(intent);
    free(talk(&f, VOL, "结 T1"));
    /* without the rating menu the closing leaves (a newer menu would win) */
    CHECK_INT(store_begin(f.st), 0);
    CHECK(store_state_del(f.st, w, "menu") != -1);
    CHECK_INT(store_commit(f.st), 0);
    r = talk_loc(&f, WORKER, "1", false, &intent); /* 1 was the ticket */
    CHECK(intent != NULL && strcmp(intent, "ctx.ticket") != 0);
    free(r);
    free(intent);
out:
    fx_release(&f);
}

/* A mentoring pair takes plain texts only while its conversation is open
 * (desk.pair_open_hours); a stray text days later is not sent unasked. */
static void test_stale_pair_takes_no_stray_text(void)
{
    struct fx f;
    int n = 0;
    int64_t id = 0;
    char *intent = NULL;
    const char *sets[] = {"desk.pair_open_hours=24", NULL};
    if (fx_init(&f, sets) == -1)
        goto out;
    pair_worker_with_teacher(&f, &id);
    talk_has(&f, "teacher-4410", "P1 最近怎么样", "P1");
    char *r = talk_loc(&f, WORKER, "还行，在跑单", false, &intent);
    CHECK_STR(intent, "ctx.pair");
    free(r);
    free(intent);
    stub_clock_advance(25 * 3600000LL);
    r = talk_loc(&f, WORKER, "xx站点几点关门", false, &intent);
    /* 几点关门 is the station's hours (08-station.rules); never ctx.pair */
    CHECK(strcmp(intent, "fallback") == 0 || strcmp(intent, "turn.ask") == 0 ||
          strcmp(intent, "station") == 0);
    free(r);
    free(intent);
    char *mp = pushed_to(&f, "teacher-4410", &n);
    CHECK_INT(n, 1);
    free(mp);
out:
    fx_release(&f);
}

/* The desk's claims read a person's open ticket and pair once
 * (store_desk_context): again for the same person with no statement in
 * between, afresh after any statement or for another person, and as
 * store_desk_ticket_open_of and store_mentor_of answer. */
static void test_desk_context_read_once_then_afresh(void)
{
    struct fx f;
    struct desk_context c = {0}, m = {0};
    struct mentor_pair p;
    int64_t pair = 0, ticket = 0, open = 0;
    if (fx_init(&f, NULL) == -1)
        goto out;
    int64_t w = person(&f, WORKER), t = person(&f, "teacher-4410");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(store_desk_context(f.st, w, &c), 0);
    CHECK(c.ticket == 0 && c.pair.id == 0);
    uint64_t g = store_generation(f.st);
    CHECK_INT(store_desk_context(f.st, w, &c), 0); /* nothing in between: no statement */
    CHECK(store_generation(f.st) == g);
    CHECK_INT(store_mentor_add(f.st, w, t, "王老师", now_ms(), &pair), 0);
    CHECK_INT(store_desk_context(f.st, w, &c), 0); /* a write in between: read again */
    CHECK(c.ticket == 0 && c.pair.id == pair && c.pair.worker == w && c.pair.mentor == t);
    CHECK_INT(store_mentor_of(f.st, w, &p), 1);
    CHECK(p.id == c.pair.id && p.last_ms == c.pair.last_ms);
    CHECK_INT(store_desk_ticket_add(f.st, "legal", w, false, now_ms(), &ticket), 0);
    CHECK_INT(store_desk_context(f.st, w, &c), 0);
    CHECK(c.ticket == ticket && c.pair.id == pair);
    CHECK_INT(store_desk_ticket_open_of(f.st, w, &open), 1);
    CHECK(open == ticket);
    CHECK_INT(store_desk_context(f.st, t, &m), 0); /* another person: their own */
    CHECK(m.ticket == 0 && m.pair.id == pair);
    CHECK_INT(store_desk_context(f.st, w, &c), 0);
    CHECK_INT(store_desk_ticket_close(f.st, ticket, now_ms()), 1);
    CHECK_INT(store_desk_context(f.st, w, &c), 0);
    CHECK(c.ticket == 0 && c.pair.id == pair);
    CHECK_INT(store_commit(f.st), 0);
out:
    fx_release(&f);
}

const struct t_case desk_tests[] = {
    T(test_desk_context_read_once_then_afresh),
    T(test_desk_ticket_flow_two_people),           T(test_desk_replies_are_anonymous),
    T(test_desk_question_in_next_message),         T(test_desk_rotation_among_volunteers),
    T(test_desk_escalation_after_configured_time), T(test_desk_crisis_words_hotlines_and_alert),
    T(test_desk_off_hours_waits_for_duty),         T(test_desk_mentoring_pair_and_silent_flag),
    T(test_member_checkin_org_and_stale_list),
    T(test_member_checkin_no_is_no_city),     T(test_member_checkin_time_word_is_no_city),     T(test_safety_words_and_lookalikes),
    T(test_crisis_outside_a_ticket),               T(test_crisis_near_checks_in),
    T(test_crisis_alert_can_be_taken),
    T(test_crisis_realerts_with_elapsed_time),     T(test_escalation_states_real_wait),
    T(test_handover_opens_a_ticket),               T(test_ok_in_a_ticket_is_relayed),
    T(test_photo_in_a_tutoring_ticket),            T(test_two_contexts_ask_which),
    T(test_offered_desk_keeps_the_text),
    T(test_stale_pair_takes_no_stray_text),        T(test_handover_without_staff_alerts_admin),
    T(test_choice_after_the_context_closed),
    T_END};
