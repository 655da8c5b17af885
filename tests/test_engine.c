/*
 * test_engine.c - engine_turn() with the shipped intents/ and content/ on an
 * in-memory store: menus and bare numbers, replays, opt-out/opt-in, the
 * not-understood list, cut replies with 更多, photo- and location-only
 * messages, and intents whose feature has not landed yet.
 */
#include <jansson.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "engine.h"
#include "handler.h"
#include "intent.h"
#include "outbox.h"
#include "points.h"
#include "store.h"
#include "store_int.h"
#include "t.h"
#include "util.h"

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
    int seq; /* for fresh ext_ids */
};

/* The app from the real intents/ and content/ with max_reply_chars set. */
static int fx_init(struct fx *f, const char *max_reply_chars)
{
    struct buf errs;
    char *set = xasprintf("generic.max_reply_chars=%s", max_reply_chars);
    char *sets[] = {set, "privacy.notice=false"}; /* test_privacy checks it */
    int rc = 0;
    memset(f, 0, sizeof *f);
    buf_init(&errs, 0);
    if (conf_load(&f->c, NULL, sets, 2, &errs) == -1)
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
    free(set);
    return rc;
}

static void fx_release(struct fx *f)
{
    store_close(f->st);
    content_free(f->app.ct);
    t_intents_free(f->app.intents);
    conf_release(&f->c);
}

/* Run one message in its own transaction; res is filled (caller releases). */
static int turn_msg(struct fx *f, const struct inmsg *in, struct turn_result *res)
{
    int rc;
    CHECK_INT(store_begin(f->st), 0);
    const struct channel *ch = strcmp(in->channel, "kannel") == 0 ? &chan_kannel : &chan_generic;
    rc = engine_turn(&f->app, f->st, ch, in, now_ms(), res);
    CHECK_INT(rc, 0);
    if (rc == 0)
        CHECK_INT(store_commit(f->st), 0);
    else
        store_rollback(f->st);
    return rc;
}

/* Every reply text joined with "\n" (caller frees); NULL on failure. */
static char *replies_text(const struct turn_result *res)
{
    struct buf b;
    size_t i;
    json_t *r;
    buf_init(&b, 0);
    buf_puts(&b, "");
    json_array_foreach(res->replies, i, r)
        buf_printf(&b, "%s%s", i ? "\n" : "", json_string_value(json_object_get(r, "text")));
    return buf_take(&b);
}

/* Send text from user u-1 with a fresh ext_id; returns the replies joined
 * (caller frees) and, when intent is not NULL, a copy of the intent. */
static char *talk_as(struct fx *f, const char *user, const char *text, char **intent)
{
    struct turn_result res = {0};
    char ext[32];
    snprintf(ext, sizeof ext, "m-%d", ++f->seq);
    struct inmsg in = {
        .channel = "generic", .ext_id = ext, .user = (char *)user, .text = (char *)text};
    char *out = NULL;
    if (turn_msg(f, &in, &res) == 0) {
        out = replies_text(&res);
        if (intent != NULL)
            *intent = xstrdup(res.intent);
        CHECK(!res.replay);
    }
    turn_result_release(&res);
    stub_clock_advance(1000);
    return out;
}

static char *talk(struct fx *f, const char *text, char **intent)
{
    return talk_as(f, "u-1", text, intent);
}

/* The commands of menu.main in order (labels before " = "), like handle_help. */
static int menu_cmds(const struct fx *f, char cmds[][64], int max)
{
    char *copy = xstrdup(content_get(f->app.ct, "menu.main"));
    char *save = NULL;
    int n = 0;
    for (char *line = strtok_r(copy, "\n", &save); line && n < max;
         line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = ");
        snprintf(cmds[n++], 64, "%s", eq ? eq + 3 : line);
    }
    free(copy);
    return n;
}

static void test_help_menu_and_numbers(void)
{
    struct fx f = {0};
    char *intent = NULL;
    if (fx_init(&f, "0") == -1)
        goto out;
    char cmds[20][64];
    int n = menu_cmds(&f, cmds, 20);
    CHECK(n >= 2);

    char *menu = talk(&f, "帮助", &intent);
    CHECK_STR(intent, "help");
    free(intent);
    /* the menu text starts like help.menu and numbers its items */
    const char *tmpl = content_get(f.app.ct, "help.menu");
    CHECK(menu != NULL && strncmp(menu, tmpl, strcspn(tmpl, "{")) == 0);
    CHECK_HAS(menu, "\n1 ");
    CHECK_HAS(menu, "\n2 ");

    /* a bare 2 runs the second command, exactly as typing it would */
    char *two = talk(&f, "2", &intent);
    char *typed_intent = NULL;
    char *typed = talk(&f, cmds[1], &typed_intent);
    CHECK_STR(two, typed);
    CHECK_STR(intent, typed_intent);
    free(intent);
    free(typed_intent);

    /* full-width digits are numbers too */
    char *two_fw = talk(&f, "２", NULL);
    CHECK_STR(two_fw, typed);

    /* out of range: the bad-number reply with the menu size */
    char *nine = talk(&f, "9", &intent);
    char max[16];
    snprintf(max, sizeof max, "%d", n);
    const char *kv[] = {"max", max, NULL};
    char *want = content_render(f.app.ct, "menu.bad_number", kv);
    CHECK_STR(nine, want);
    CHECK_STR(intent, "menu");
    free(intent);

    /* 0 is the menu again */
    char *zero = talk(&f, "0", &intent);
    CHECK_STR(zero, menu);
    CHECK_STR(intent, "help");
    free(intent);

    free(menu);
    free(two);
    free(two_fw);
    free(typed);
    free(nine);
    free(want);
    free(zero);
out:
    fx_release(&f);
}

/* Without a menu a bare number is just text, and the menu is per person. */
/* A one-item menu and a number beyond it: "请回复 1", not "1 到 1 之间". */
static void test_number_beyond_a_one_item_menu(void)
{
    struct fx f;
    int64_t p = 0;
    if (fx_init(&f, "0") == -1)
        goto out;
    free(talk(&f, "积分", NULL));
    CHECK_INT(store_person_find(f.st, "generic", "u-1", &p), 1);
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(store_state_set(f.st, p, "menu", "[\"积分\"]", now_ms() + 60000), 0);
    CHECK_INT(store_commit(f.st), 0);
    char *r = talk(&f, "3", NULL);
    CHECK_STR(r, content_get(f.app.ct, "menu.bad_number_one"));
    CHECK(strstr(r, "1 到 1") == NULL);
    free(r);
out:
    fx_release(&f);
}

static void test_number_without_menu(void)
{
    struct fx f = {0};
    char *intent = NULL;
    if (fx_init(&f, "0") == -1)
        goto out;
    char *menu = talk_as(&f, "u-1", "帮助", NULL);
    char *r = talk_as(&f, "u-2", "2", &intent);
    CHECK_STR(intent, "fallback");
    CHECK_STR(r, content_get(f.app.ct, "fallback"));
    free(intent);
    free(menu);
    free(r);
out:
    fx_release(&f);
}

/* A menu is forgotten after state_ttl. */
static void test_menu_expires(void)
{
    struct fx f = {0};
    char *intent = NULL;
    if (fx_init(&f, "0") == -1)
        goto out;
    char *menu = talk(&f, "帮助", NULL);
    stub_clock_advance(f.c.state_ttl * 1000);
    char *r = talk(&f, "2", &intent);
    CHECK_STR(intent, "fallback");
    free(intent);
    free(menu);
    free(r);
out:
    fx_release(&f);
}

static void test_replay_same_ext_id(void)
{
    struct fx f = {0};
    struct turn_result a = {0}, b = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    struct inmsg in = {.channel = "generic", .ext_id = "m-dup", .user = "u-1", .text = "帮助"};
    CHECK_INT(turn_msg(&f, &in, &a), 0);
    CHECK(!a.replay);
    int64_t count = store_inbound_count(f.st);
    CHECK_INT(count, 1);
    stub_clock_advance(5000);
    /* a platform retry; even a different text changes nothing */
    in.text = "退订";
    CHECK_INT(turn_msg(&f, &in, &b), 0);
    CHECK(b.replay);
    CHECK_STR(b.intent, "help");
    char *ja = json_dumps(a.replies, JSON_COMPACT);
    char *jb = json_dumps(b.replies, JSON_COMPACT);
    CHECK_STR(jb, ja);
    free(ja);
    free(jb);
    CHECK_INT(store_inbound_count(f.st), count);
    int64_t id = 0;
    struct person_info pi;
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(store_person_ensure(f.st, "generic", "u-1", NULL, now_ms(), &id), 0);
    CHECK_INT(store_person_info(f.st, id, &pi), 0);
    CHECK(!pi.opted_out);
    CHECK_INT(store_commit(f.st), 0);
out:
    turn_result_release(&a);
    turn_result_release(&b);
    fx_release(&f);
}

/* Issue 15: a retry of a stored message from a sender over its rate gets
 * its stored replies (replays first, always); a new message from that sender
 * gets throttle.slow and stores nothing. */
static void test_throttled_replays_first(void)
{
    struct fx f = {0};
    struct turn_result a = {0}, b = {0}, c = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    struct inmsg in = {.channel = "generic", .ext_id = "m-t1", .user = "u-1", .text = "帮助"};
    CHECK_INT(turn_msg(&f, &in, &a), 0);
    in.throttled = true;
    CHECK_INT(turn_msg(&f, &in, &b), 0);
    CHECK(b.replay);
    char *ja = json_dumps(a.replies, JSON_COMPACT), *jb = json_dumps(b.replies, JSON_COMPACT);
    CHECK_STR(jb, ja);
    free(ja);
    free(jb);
    in.ext_id = "m-t2";
    CHECK_INT(turn_msg(&f, &in, &c), 0);
    CHECK(!c.replay);
    CHECK_STR(c.intent, "(throttled)");
    char *t = replies_text(&c);
    CHECK_STR(t, content_get(f.app.ct, "throttle.slow"));
    free(t);
    CHECK_INT(store_inbound_count(f.st), 1);
out:
    turn_result_release(&a);
    turn_result_release(&b);
    turn_result_release(&c);
    fx_release(&f);
}

/* The opted_out flag of user u-1. */
static bool opted_out(struct fx *f)
{
    int64_t id = 0;
    struct person_info pi = {0};
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_person_ensure(f->st, "generic", "u-1", NULL, now_ms(), &id), 0);
    CHECK_INT(store_person_info(f->st, id, &pi), 0);
    CHECK_INT(store_commit(f->st), 0);
    return pi.opted_out;
}

static void test_optout_optin(void)
{
    struct fx f = {0};
    char *intent = NULL, *r;
    if (fx_init(&f, "0") == -1)
        goto out;
    const struct content *ct = f.app.ct;
    r = talk(&f, "积分", NULL); /* the person exists, pushes on */
    free(r);
    CHECK(!opted_out(&f));
    r = talk(&f, "退订", &intent);
    CHECK_STR(r, content_get(ct, "optout.done"));
    CHECK_STR(intent, "optout");
    CHECK(opted_out(&f));
    free(r);
    free(intent);
    r = talk(&f, "TD", &intent);
    CHECK_STR(r, content_get(ct, "optout.already"));
    CHECK_STR(intent, "optout");
    CHECK(opted_out(&f));
    free(r);
    free(intent);
    r = talk(&f, "订阅", &intent);
    CHECK_STR(r, content_get(ct, "optin.done"));
    CHECK_STR(intent, "optin");
    CHECK(!opted_out(&f));
    free(r);
    free(intent);
    r = talk(&f, "订阅", NULL);
    CHECK_STR(r, content_get(ct, "optin.already"));
    CHECK(!opted_out(&f));
    free(r);
out:
    fx_release(&f);
}

struct unk {
    int n;
    char text[4][64];
    int64_t count[4];
    bool asked[4];
};

static void collect(const char *text, int64_t count, int64_t last_ms, bool asked, void *ctx)
{
    struct unk *u = ctx;
    (void)last_ms;
    if (u->n < 4) {
        snprintf(u->text[u->n], sizeof u->text[0], "%s", text);
        u->asked[u->n] = asked;
        u->count[u->n++] = count;
    }
}

static void test_not_understood_is_recorded(void)
{
    struct fx f = {0};
    char *intent = NULL, *r;
    struct unk u = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    r = talk(&f, "今天天气怎么样", &intent);
    CHECK_STR(intent, "fallback");
    CHECK_STR(r, content_get(f.app.ct, "fallback"));
    free(intent);
    free(r);
    r = talk_as(&f, "u-2", "今天天气怎么样？", NULL); /* normalised: the same text */
    free(r);
    r = talk(&f, "帮助", NULL); /* understood: not recorded */
    free(r);
    CHECK_INT(store_unknown_top(f.st, 10, collect, &u), 1);
    CHECK_STR(u.text[0], "今天天气怎么样");
    CHECK_INT(u.count[0], 2);
    CHECK(!u.asked[0]);
out:
    fx_release(&f);
}

/* UTF-16 units of text when it fits one UCS-2 SMS part (70), else -1. */
static int one_sms(const char *text)
{
    int units = 0;
    bool ucs2 = false;
    int parts = sms_parts(text, &units, &ucs2);
    return parts == 1 && (!ucs2 || units <= 70) ? units : -1;
}

/* The replies workers get most, with typical values, each fit one 70-unit
 * SMS part (a Chinese text is UCS-2: 70 a part, 67 once split); the menu
 * through a real turn, as the SMS channel sends it. */
static void test_common_replies_fit_one_sms(void)
{
    static const char *const rows[][13] = {
        {"fallback"},
        {"ask.choices", "items", "1 积分明细\n2 学习进度\n3 我的报名"},
        {"menu.bad_number", "max", "6"},
        {"menu.bad_number_one"},
        {"menu.one"},
        {"points.balance", "points", "1280", "items",
         "12-01 +10 微课答题\n11-30 +5 随手拍被采纳"},
        {"redeem.confirm", "cost", "30", "no", "2", "name", "保温杯", "points", "120"},
        {"redeem.done", "name", "保温杯", "cost", "30", "points", "90", "code", "R0042"},
        {"course.booked", "title", "电动车维修", "start", "12-12 09:00", "place", "城东驿站", "paid",
         "", "no", "3"},
        {"course.confirmed", "title", "电动车维修", "start", "12-12 09:00", "place", "城东驿站",
         "paid", "", "no", "3"},
        {"course.offer", "title", "电动车维修", "start", "12-12 09:00", "place", "城东驿站", "until",
         "12-10 18:00"},
        {"course.offer_ask"},
        {"course.declined", "title", "电动车维修"},
        {"course.cancelled_seat", "title", "电动车维修", "refund", ""},
        {"quiz.right", "points", "5", "balance", "120", "streak", ""},
        {"report.received", "code", "SP0042"},
        {"optin.done"},
        {"optout.done"},
        {"lesson.none"},
    };
    struct fx f = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *text = content_render(f.app.ct, rows[i][0], (const char **)&rows[i][1]);
        int units = 0;
        if (one_sms(text) < 0) {
            (void)sms_parts(text, &units, NULL);
            printf("%s: %s is %d units: %s\n", t_current, rows[i][0], units, text);
        }
        CHECK(one_sms(text) >= 0);
        free(text);
    }
    char *menu = talk(&f, "帮助", NULL);
    if (one_sms(menu) < 0)
        printf("%s: the menu needs more than one part: %s\n", t_current, menu);
    CHECK(one_sms(menu) >= 0);
    free(menu);
out:
    fx_release(&f);
}

/* On SMS 随手拍 asks for words, not a photo plain SMS cannot send; a text
 * report waits for a typed place, not a shared location. */
static void test_sms_report_asks_for_words(void)
{
    struct fx f = {0};
    struct turn_result res = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    struct inmsg in = {.channel = "kannel", .ext_id = "s-1", .user = "+8613800000001",
                       .text = "随手拍"};
    if (turn_msg(&f, &in, &res) == 0) {
        char *r = replies_text(&res);
        CHECK_STR(r, content_get(f.app.ct, "report.howto.sms"));
        CHECK(strstr(r, "拍照") == NULL && strstr(r, "照片发") == NULL);
        free(r);
    }
    turn_result_release(&res);
    char *r = talk(&f, "随手拍", NULL); /* elsewhere: the photo as before */
    CHECK_STR(r, content_get(f.app.ct, "report.howto"));
    free(r);
out:
    fx_release(&f);
}

/* The scorer's routing is what the inbound row keeps (not "fallback"); a
 * numbered choice is on the not-understood list too, marked asked. */
static void test_scorer_intent_recorded_and_asks_listed(void)
{
    struct fx f = {0};
    char *intent = NULL, *r;
    struct unk u = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    r = talk(&f, "我工资被拖欠了怎么办", &intent); /* no rule: the scorer routes it */
    CHECK_STR(intent, "service.legal");
    CHECK_INT(t_query_int(f.st, "SELECT count(*) FROM inbound WHERE intent='service.legal'"), 1);
    CHECK_INT(t_query_int(f.st, "SELECT count(*) FROM inbound WHERE intent='fallback'"), 0);
    free(intent);
    free(r);
    r = talk_as(&f, "u-2", "我想退掉那个课", &intent); /* unsure: a numbered choice */
    CHECK_STR(intent, "turn.ask");
    free(intent);
    free(r);
    CHECK_INT(store_unknown_top(f.st, 10, collect, &u), 1);
    CHECK_STR(u.text[0], "我想退掉那个课");
    CHECK(u.asked[0]);
out:
    fx_release(&f);
}

/* Strip the "\n" + more.hint the engine appends; false when it is not there. */
static bool strip_hint(char *s, const char *hint)
{
    size_t n = strlen(s), h = strlen(hint);
    if (n < h + 1 || strcmp(s + n - h, hint) != 0 || s[n - h - 1] != '\n')
        return false;
    s[n - h - 1] = '\0';
    return true;
}

/* Drop newlines and spaces, where the cuts happen. */
static void squeeze(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++)
        if (*p != '\n' && *p != ' ')
            *w++ = *p;
    *w = '\0';
}

static void test_long_reply_cut_and_more(void)
{
    struct fx full = {0}, f = {0};
    char *intent = NULL;
    struct buf joined;
    buf_init(&joined, 0);
    if (fx_init(&full, "0") == -1 || fx_init(&f, "30") == -1)
        goto out;
    const char *hint = content_get(f.app.ct, "more.hint");
    char *whole = talk(&full, "帮助", NULL);
    CHECK(utf8_len(whole) > 30);

    char *part = talk(&f, "帮助", &intent);
    CHECK_STR(intent, "help");
    free(intent);
    CHECK_HAS(part, hint);
    int parts = 0;
    /* 更多 until a part comes without the hint; each part fits in 30 */
    while (part != NULL && parts < 20) {
        parts++;
        CHECK(utf8_len(part) <= 30);
        bool cut = strip_hint(part, hint);
        buf_puts(&joined, part);
        free(part);
        part = NULL;
        if (!cut)
            break;
        part = talk(&f, "更多", &intent);
        CHECK_STR(intent, "more");
        free(intent);
    }
    free(part);
    CHECK(parts >= 2);
    CHECK(parts < 20);
    squeeze(whole);
    squeeze(joined.data);
    CHECK_STR(joined.data, whole);

    /* nothing left */
    char *none = talk(&f, "更多", NULL);
    CHECK_STR(none, content_get(f.app.ct, "more.none"));
    free(none);
    free(whole);
out:
    buf_release(&joined);
    fx_release(&full);
    fx_release(&f);
}

/* 更多 with nothing cut before answers more.none. */
static void test_more_when_nothing_left(void)
{
    struct fx f = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    char *r = talk(&f, "更多", NULL);
    CHECK_STR(r, content_get(f.app.ct, "more.none"));
    free(r);
out:
    fx_release(&f);
}

static void test_photo_only_starts_report(void)
{
    struct fx f = {0};
    struct turn_result res = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    struct inmsg in = {.channel = "generic", .ext_id = "m-photo", .user = "u-1"};
    in.media[0].url = "http://example.org/a.jpg";
    in.media[0].type = "image/jpeg";
    in.nmedia = 1;
    CHECK_INT(turn_msg(&f, &in, &res), 0);
    CHECK_STR(res.intent, "report.new");
out:
    turn_result_release(&res);
    fx_release(&f);
}

static void test_location_only(void)
{
    struct fx f = {0};
    struct turn_result res = {0};
    if (fx_init(&f, "0") == -1)
        goto out;
    struct inmsg in = {.channel = "generic",
                       .ext_id = "m-loc",
                       .user = "u-1",
                       .has_location = true,
                       .lat = 32.04,
                       .lon = 112.14};
    CHECK_INT(turn_msg(&f, &in, &res), 0);
    CHECK_STR(res.intent, "location");
    char *r = replies_text(&res);
    CHECK_STR(r, content_get(f.app.ct, "location.received"));
    free(r);
out:
    turn_result_release(&res);
    fx_release(&f);
}

/* A photo alone opens a report with its receipt code. */
static void test_photo_alone_opens_a_report(void)
{
    struct fx f = {0};
    char *r = NULL;
    if (fx_init(&f, "0") == -1)
        goto out;
    struct turn_result res = {0};
    struct inmsg in = {.channel = "generic", .ext_id = "m-photo", .user = "u-1"};
    in.media[0].url = "http://example.org/a.jpg";
    in.nmedia = 1;
    CHECK_INT(turn_msg(&f, &in, &res), 0);
    r = replies_text(&res);
    CHECK_STR(res.intent, "report.new");
    CHECK_HAS(r, "SP0001");
    free(r);
    turn_result_release(&res);
out:
    fx_release(&f);
}

static void test_profile(void)
{
    struct fx f = {0};
    char *intent = NULL;
    if (fx_init(&f, "0") == -1)
        goto out;
    char since[32];
    turn_fmt_time(now_ms(), "%Y-%m-%d", since, sizeof since);
    char *r = talk(&f, "帮助", NULL);
    free(r);
    r = talk(&f, "我的", &intent);
    CHECK_STR(intent, "profile");
    char *push = content_render(f.app.ct, "profile.push_on", NULL);
    const char *kv[] = {"since", since,      "push", push,      "points", "0", "seats",
                        "0",     "waitlist", "0",    "reports", "0",      NULL};
    char *want = content_render(f.app.ct, "profile.summary", kv);
    CHECK_STR(r, want);
    free(want);
    free(intent);
    free(r);
    /* points earned and a report still being handled show in the profile */
    CHECK_INT(points_award(f.st, 1, 15, "test", "test:1", now_ms()), 0);
    free(talk(&f, "随手拍 井盖坏了", NULL));
    r = talk(&f, "我的", NULL);
    kv[5] = "15";
    kv[11] = "1";
    want = content_render(f.app.ct, "profile.summary", kv);
    CHECK_STR(r, want);
    free(want);
    free(r);
    /* a resolved one no longer does */
    CHECK_INT(
        sqlite3_exec(store_db(f.st), "UPDATE reports SET status='resolved'", NULL, NULL, NULL),
        SQLITE_OK);
    r = talk(&f, "我的", NULL);
    kv[11] = "0";
    want = content_render(f.app.ct, "profile.summary", kv);
    CHECK_STR(r, want);
    free(want);
    free(r);
    free(push);
out:
    fx_release(&f);
}

/* A job for the writer thread: adds its text to the not-understood list,
 * then fails when asked to. The first to run may hold its batch at a gate. */
struct tjob {
    struct job job;
    const char *text;
    bool fail;
    int runs;
    int done_seq; /* when done() was called: 1, 2, ... */
    sem_t *started, *gate;
};

static atomic_int done_calls;

static int tjob_run(struct job *j, struct store *st, int64_t now)
{
    struct tjob *t = j->arg;
    if (t->gate != NULL && t->runs == 0) {
        sem_post(t->started);
        sem_wait(t->gate);
    }
    t->runs++;
    if (store_unknown_add(st, t->text, now) == -1)
        return -1;
    return t->fail ? -1 : 0;
}

static void tjob_done(struct job *j)
{
    struct tjob *t = j->arg;
    t->done_seq = atomic_fetch_add(&done_calls, 1) + 1;
}

static long long unknown_count(struct store *st, const char *text)
{
    sqlite3_stmt *s = NULL;
    long long v = 0;
    if (sqlite3_prepare_v2(store_db(st), "SELECT count FROM unknown WHERE text=?", -1, &s, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* Jobs that may run again share a batch without savepoints; when one fails
 * the batch is rolled back and run again with a savepoint each: the others
 * commit exactly once, the failed one leaves nothing. A job that may not run
 * again (an admin action) keeps its savepoint. */
static void test_writer_batch_with_a_failure(void)
{
    struct fx f;
    if (fx_init(&f, "0") == -1)
        return;
    sem_t started, gate;
    sem_init(&started, 0, 0);
    sem_init(&gate, 0, 0);
    struct tjob jobs[] = {
        {.text = "gate", .started = &started, .gate = &gate},
        {.text = "a"},
        {.text = "b", .fail = true},
        {.text = "c"},
        {.text = "d-admin"},
    };
    f.c.batch_max = 3; /* the gate alone, then a b c, then d */
    atomic_store(&done_calls, 0);
    size_t n = sizeof jobs / sizeof jobs[0];
    struct engine *e = engine_start(&f.app, f.st, NULL);
    CHECK(e != NULL);
    if (e == NULL) {
        fx_release(&f);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        jobs[i].job = (struct job){
            .run = tjob_run, .done = tjob_done, .arg = &jobs[i], .rerun_safe = i != n - 1};
        CHECK_INT(engine_submit(e, &jobs[i].job), 0);
        if (i == 0) /* the writer holds the gate's batch while the rest queue */
            sem_wait(&started);
    }
    sem_post(&gate);
    engine_stop(e); /* finishes everything queued */
    CHECK_INT(jobs[0].job.status, 200);
    CHECK_INT(jobs[1].job.status, 200);
    CHECK_INT(jobs[2].job.status, 500);
    CHECK_INT(jobs[3].job.status, 200);
    CHECK_INT(jobs[4].job.status, 200);
    /* a b c ran without savepoints until b failed, then each in its own */
    CHECK_INT(jobs[1].runs, 2);
    CHECK_INT(jobs[2].runs, 2);
    CHECK_INT(jobs[3].runs, 1);
    CHECK_INT(unknown_count(f.st, "gate"), 1);
    CHECK_INT(unknown_count(f.st, "a"), 1);
    CHECK_INT(unknown_count(f.st, "b"), 0);
    CHECK_INT(unknown_count(f.st, "c"), 1);
    CHECK_INT(unknown_count(f.st, "d-admin"), 1);
    CHECK_INT(jobs[4].runs, 1);
    /* done() ran once per job, in order, across the three batches */
    for (size_t i = 0; i < n; i++)
        CHECK_INT(jobs[i].done_seq, (int)i + 1);
    sem_destroy(&gate);
    sem_destroy(&started);
    fx_release(&f);
}

/* engine_reply_later on WeChat (a channel with a reply deadline): the run that
 * stores the turn queues its replies once; a replay queues nothing and, once
 * the push is queued, answers nothing in-band. */
static void test_reply_later_once(void)
{
    struct fx f;
    if (fx_init(&f, "600") == -1)
        return;
    struct inmsg in = {.channel = "wechat", .ext_id = "m-77", .user = "oLate", .text = "积分"};
    struct turn_result res = {0};
    int64_t now = now_ms();
    /* a replay before any push: the stored replies, no push */
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(engine_turn(&f.app, f.st, &chan_wechat, &in, now, &res), 0);
    CHECK_INT(store_commit(f.st), 0);
    turn_result_release(&res);
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(engine_turn(&f.app, f.st, &chan_wechat, &in, now, &res), 0);
    CHECK(res.replay);
    CHECK_INT(json_array_size(res.replies), 1);
    CHECK_INT(engine_reply_later(&f.app, f.st, &chan_wechat, &in, &res, now), 0);
    CHECK_INT(store_outbox_has_key(f.st, "late:wechat:m-77"), 0);
    CHECK_INT(store_commit(f.st), 0);
    turn_result_release(&res);
    /* the run that stores a turn late queues one push, twice asked */
    in.ext_id = "m-78";
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(engine_turn(&f.app, f.st, &chan_wechat, &in, now, &res), 0);
    CHECK(!res.replay);
    CHECK_INT(engine_reply_later(&f.app, f.st, &chan_wechat, &in, &res, now), 0);
    CHECK_INT(engine_reply_later(&f.app, f.st, &chan_wechat, &in, &res, now), 0);
    CHECK_INT(store_commit(f.st), 0);
    turn_result_release(&res);
    CHECK_INT(store_outbox_has_key(f.st, "late:wechat:m-78"), 1);
    json_t *rows = outbox_list_json(f.st, NULL, 10);
    CHECK_INT(json_array_size(rows), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "class")), "reply");
    CHECK_HAS(json_string_value(json_object_get(json_array_get(rows, 0), "text")), "积分");
    json_decref(rows);
    /* its replay answers nothing in-band: the reply went as the push */
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(engine_turn(&f.app, f.st, &chan_wechat, &in, now, &res), 0);
    CHECK(res.replay);
    CHECK_INT(json_array_size(res.replies), 0);
    CHECK_INT(store_commit(f.st), 0);
    turn_result_release(&res);
    fx_release(&f);
}

const struct t_case engine_tests[] = {T(test_help_menu_and_numbers),
                                      T(test_number_without_menu), T(test_number_beyond_a_one_item_menu),
                                      T(test_menu_expires),
                                      T(test_replay_same_ext_id),
                                      T(test_throttled_replays_first),
                                      T(test_optout_optin),
                                      T(test_not_understood_is_recorded),
                                      T(test_scorer_intent_recorded_and_asks_listed),
                                      T(test_common_replies_fit_one_sms),
                                      T(test_sms_report_asks_for_words),
                                      T(test_common_replies_fit_one_sms),
                                      T(test_long_reply_cut_and_more),
                                      T(test_more_when_nothing_left),
                                      T(test_photo_only_starts_report),
                                      T(test_location_only),
                                      T(test_photo_alone_opens_a_report),
                                      T(test_profile),
                                      T(test_writer_batch_with_a_failure),
                                      T(test_reply_later_once),
                                      T_END};
