/*
 * test_account.c - 绑定: a code on one channel links another channel into the
 * same account; points and the opt-out are shared, pushes follow the channel
 * used last, wrong codes are limited, codes expire and are used once.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "engine.h"
#include "handler.h"
#include "intent.h"
#include "lesson.h"
#include "outbox.h"
#include "points.h"
#include "store.h"
#include "t.h"
#include "util.h"

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
    int seq;
};

static int fx_init(struct fx *f)
{
    struct buf errs;
    char *sets[] = {"push.quiet=", "push.rush=", "privacy.notice=false"};
    int rc = 0;
    memset(f, 0, sizeof *f);
    buf_init(&errs, 0);
    if (conf_load(&f->c, NULL, sets, 3, &errs) == -1)
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

/* Send text as user on channel ch; the replies joined with "\n" (caller frees). */
static char *talk(struct fx *f, const struct channel *ch, const char *user, const char *text)
{
    struct turn_result res = {0};
    char ext[32];
    struct buf b;
    size_t i;
    json_t *r;
    snprintf(ext, sizeof ext, "a-%d", ++f->seq);
    struct inmsg in = {
        .channel = ch->name, .ext_id = ext, .user = (char *)user, .text = (char *)text};
    buf_init(&b, 0);
    buf_puts(&b, "");
    CHECK_INT(store_begin(f->st), 0);
    int rc = engine_turn(&f->app, f->st, ch, &in, now_ms(), &res);
    CHECK_INT(rc, 0);
    if (rc == 0) {
        CHECK_INT(store_commit(f->st), 0);
        json_array_foreach(res.replies, i, r)
            buf_printf(&b, "%s%s", i ? "\n" : "", json_string_value(json_object_get(r, "text")));
    } else {
        store_rollback(f->st);
    }
    turn_result_release(&res);
    stub_clock_advance(1000);
    return buf_take(&b);
}

/* The code in a reply to 绑定 (ACCOUNT_CODE_LEN characters of the
 * alphabet), copied into code[ACCOUNT_CODE_LEN + 1]; 0 or -1. */
static int code_of(const char *reply, char *code)
{
    for (const char *p = reply; *p; p++) {
        size_t n = strspn(p, ACCOUNT_CODE_ALPHABET);
        if (n == ACCOUNT_CODE_LEN) {
            memcpy(code, p, n);
            code[n] = '\0';
            return 0;
        }
        if (n > 0)
            p += n - 1;
    }
    return -1;
}

/* code with its last character changed to the next one of the alphabet. */
static void code_wrong(const char *code, char *out)
{
    static const char abc[] = ACCOUNT_CODE_ALPHABET;
    strcpy(out, code);
    const char *at = strchr(abc, out[ACCOUNT_CODE_LEN - 1]);
    out[ACCOUNT_CODE_LEN - 1] = at[1] ? at[1] : abc[0];
}

static char *render(struct fx *f, const char *key, const char *name, const char *value)
{
    const char *kv[] = {name, value, NULL};
    return content_render(f->app.ct, key, name != NULL ? kv : kv + 2);
}

/* r (freed here) is the text of key rendered with name=value. */
static void expect(struct fx *f, char *r, const char *key, const char *name, const char *value)
{
    char *want = render(f, key, name, value);
    CHECK_STR(r, want);
    free(want);
    free(r);
}

static int64_t person(struct fx *f, const char *channel, const char *user)
{
    int64_t id = 0;
    CHECK_INT(store_person_find(f->st, channel, user, &id), 1);
    return id;
}

/* The account of (channel, user) as the engine looks it up when a message
 * arrives, checking the person found is want. */
static int64_t account_of(struct fx *f, const char *channel, const char *user, int64_t want)
{
    int64_t id = 0, canon = 0;
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_person_arrive(f->st, channel, user, NULL, now_ms(), &id, &canon), 0);
    CHECK_INT(store_commit(f->st), 0);
    CHECK_INT(id, want);
    return canon;
}

/* 绑定 on generic, 绑定 <code> on telegram: one account. */
static void link_two(struct fx *f, int64_t *a, int64_t *b)
{
    char code[ACCOUNT_CODE_LEN + 1] = "";
    char *r = talk(f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    char *cmd = xasprintf("绑定 %s", code);
    expect(f, talk(f, &chan_telegram, "42", cmd), "account.done", "count", "2");
    free(cmd);
    *a = person(f, "generic", "u-1");
    *b = person(f, "telegram", "42");
    /* the account's own channel is told at once, and only it (claimed here,
     * so the tests' own pushes come next) */
    struct out_item it[4];
    CHECK_INT(store_outbox_claim(f->st, now_ms(), 60000, it, 4), 1);
    CHECK_STR(it[0].channel, "generic");
    CHECK_STR(it[0].to, "u-1");
    CHECK_STR(out_class_name(it[0].klass), "reply");
    CHECK(strstr(it[0].text, "telegram") != NULL);
    CHECK(strstr(it[0].text, "解绑") != NULL);
    out_item_release(&it[0]);
}

static void test_account_link_shares_points(void)
{
    struct fx f;
    int64_t a, b;
    if (fx_init(&f) == -1)
        return;
    link_two(&f, &a, &b);
    CHECK(a != b);
    CHECK_INT(account_of(&f, "telegram", "42", b), a);
    CHECK_INT(account_of(&f, "generic", "u-1", a), a);
    /* points earned on one channel show on the other */
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(points_award(f.st, a, 7, "test", "t-1", now_ms()), 0);
    CHECK_INT(store_commit(f.st), 0);
    char *r = talk(&f, &chan_telegram, "42", "积分");
    CHECK(strstr(r, "7") != NULL);
    free(r);
    /* a third channel joins the same account */
    char code[ACCOUNT_CODE_LEN + 1] = "";
    r = talk(&f, &chan_telegram, "42", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    char *cmd = xasprintf("绑定 %s", code);
    expect(&f, talk(&f, &chan_kannel, "+8613800000001", cmd), "account.done", "count", "3");
    free(cmd);
    CHECK_INT(account_of(&f, "kannel", "+8613800000001", person(&f, "kannel", "+8613800000001")),
              a);
    fx_release(&f);
}

static void test_account_optout_shared(void)
{
    struct fx f;
    int64_t a, b;
    if (fx_init(&f) == -1)
        return;
    link_two(&f, &a, &b);
    free(talk(&f, &chan_telegram, "42", "退订"));
    CHECK_INT(store_person_opted_out(f.st, a), 1);
    CHECK_INT(store_person_opted_out(f.st, b), 1);
    free(talk(&f, &chan_generic, "u-1", "订阅"));
    CHECK_INT(store_person_opted_out(f.st, a), 0);
    CHECK_INT(store_person_opted_out(f.st, b), 0);
    fx_release(&f);
}

/* A push to the account goes to the channel it used last. */
static void test_account_push_last_channel(void)
{
    struct fx f;
    int64_t a, b;
    struct out_item it[4];
    if (fx_init(&f) == -1)
        return;
    link_two(&f, &a, &b);
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(outbox_push(f.st, &f.c, a, OUT_TRANSACTIONAL, "x", 0, now_ms(), "k-1"), 0);
    CHECK_INT(store_commit(f.st), 0);
    free(talk(&f, &chan_generic, "u-1", "积分"));
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(outbox_push(f.st, &f.c, b, OUT_TRANSACTIONAL, "y", 0, now_ms(), "k-2"), 0);
    CHECK_INT(store_commit(f.st), 0);
    int n = store_outbox_claim(f.st, now_ms(), 60000, it, 4);
    CHECK_INT(n, 2);
    for (int i = 0; i < n; i++) {
        if (strcmp(it[i].idem_key, "k-1") == 0) {
            CHECK_STR(it[i].channel, "telegram");
            CHECK_STR(it[i].to, "42");
            CHECK_INT(it[i].person, b);
        } else {
            CHECK_STR(it[i].channel, "generic");
            CHECK_STR(it[i].to, "u-1");
            CHECK_INT(it[i].person, a);
        }
        out_item_release(&it[i]);
    }
    /* a broadcast reaches the account once */
    struct audience_count ac;
    CHECK_INT(store_audience_count(f.st, "all", &ac), 0);
    CHECK_INT(ac.recipients, 1);
    json_decref(ac.by_channel);
    CHECK_INT(store_audience_count(f.st, "channel:telegram", &ac), 0);
    CHECK_INT(ac.recipients, 1);
    json_decref(ac.by_channel);
    fx_release(&f);
}

/* A lesson broadcast to a linked account goes out on the channel it used
 * last (here telegram, not the account's row); its open question must be
 * marked on the account, where every turn of either channel reads state. */
static void test_account_broadcast_quiz_on_account(void)
{
    struct fx f;
    int64_t a, b, id = 0, n = 0, now = now_ms();
    char *v = NULL;
    if (fx_init(&f) == -1)
        return;
    link_two(&f, &a, &b);
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(store_broadcast_create(f.st, "第3课", "all", now, now, "queued", 0, 1, now, &id, &n),
              0);
    CHECK_INT(n, 1);
    CHECK_INT(store_lesson_broadcast_mark(f.st, id, 3, now + 3600000, now), 0);
    CHECK_INT(store_state_get(f.st, a, "quiz", now, &v), 1);
    CHECK_STR(v ? v : "", "3");
    free(v);
    CHECK_INT(store_commit(f.st), 0);
    fx_release(&f);
}

/* Two channels of one account speaking in the same millisecond: the push
 * still goes to the one that spoke last. */
static void test_account_push_last_channel_same_ms(void)
{
    struct fx f;
    int64_t a, b, id = 0, canon = 0;
    struct out_item it;
    if (fx_init(&f) == -1)
        return;
    link_two(&f, &a, &b);
    int64_t t = now_ms() + 60000;
    const char *order[] = {"generic", "u-1", "telegram", "42", "generic", "u-1"};
    for (int i = 0; i < 3; i++) {
        CHECK_INT(store_begin(f.st), 0);
        CHECK_INT(store_person_arrive(f.st, order[2 * i], order[2 * i + 1], NULL, t, &id, &canon),
                  0);
        CHECK_INT(canon, a);
        char key[8];
        snprintf(key, sizeof key, "k-%d", i);
        CHECK_INT(outbox_push(f.st, &f.c, a, OUT_TRANSACTIONAL, "x", 0, t, key), 0);
        CHECK_INT(store_commit(f.st), 0);
        CHECK_INT(store_outbox_claim(f.st, t, 60000, &it, 1), 1);
        CHECK_STR(it.channel, order[2 * i]);
        out_item_release(&it);
    }
    fx_release(&f);
}

static void test_account_wrong_codes_limited(void)
{
    struct fx f;
    char code[ACCOUNT_CODE_LEN + 1] = "", left[8];
    if (fx_init(&f) == -1)
        return;
    char *r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    /* a wrong code: the one that differs in the last digit */
    char bad[ACCOUNT_CODE_LEN + 1], wrong[32];
    code_wrong(code, bad);
    snprintf(wrong, sizeof wrong, "绑定 %s", bad);
    for (int i = 0; i < ACCOUNT_MAX_FAILS; i++) {
        r = talk(&f, &chan_telegram, "42", wrong);
        snprintf(left, sizeof left, "%d", ACCOUNT_MAX_FAILS - i - 1);
        char *want = render(&f, "account.bad_code", "left", left);
        CHECK_STR(r, want);
        free(want);
        free(r);
    }
    char *cmd = xasprintf("绑定 %s", code);
    expect(&f, talk(&f, &chan_telegram, "42", cmd), "account.too_many", "minutes", "10");
    /* after the window a right code works again */
    free(cmd);
    stub_clock_advance((int64_t)ACCOUNT_FAIL_MINUTES * 60000);
    r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    cmd = xasprintf("绑定 %s", code);
    expect(&f, talk(&f, &chan_telegram, "42", cmd), "account.done", "count", "2");
    free(cmd);
    fx_release(&f);
}

static void test_account_code_once_and_expires(void)
{
    struct fx f;
    char code[ACCOUNT_CODE_LEN + 1] = "";
    if (fx_init(&f) == -1)
        return;
    char *r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    char *cmd = xasprintf("绑定 %s", code);
    /* typed back on the same channel: nothing to link */
    expect(&f, talk(&f, &chan_generic, "u-1", cmd), "account.already", NULL, NULL);
    stub_clock_advance((int64_t)ACCOUNT_CODE_MINUTES * 60000);
    expect(&f, talk(&f, &chan_telegram, "42", cmd), "account.bad_code", "left", "4");
    free(cmd);
    /* a fresh code works once */
    r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    cmd = xasprintf("绑定 %s", code);
    free(talk(&f, &chan_telegram, "42", cmd));
    expect(&f, talk(&f, &chan_twilio, "+15550001", cmd), "account.bad_code", "left", "4");
    free(cmd);
    fx_release(&f);
}

/* A code: ACCOUNT_CODE_LEN characters without look-alikes; typed in lower
 * case with a dash it still links. */
static void test_account_code_format(void)
{
    struct fx f;
    char code[ACCOUNT_CODE_LEN + 1] = "";
    if (fx_init(&f) == -1)
        return;
    char *r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    CHECK_INT((int)strlen(code), 8);
    CHECK(strpbrk(code, "01OIL") == NULL);
    char low[ACCOUNT_CODE_LEN + 2];
    for (int i = 0; i < ACCOUNT_CODE_LEN; i++)
        low[i + (i >= 4)] = (char)(code[i] >= 'A' ? code[i] - 'A' + 'a' : code[i]);
    low[4] = '-';
    low[ACCOUNT_CODE_LEN + 1] = '\0';
    char *cmd = xasprintf("绑定 %s", low);
    expect(&f, talk(&f, &chan_telegram, "42", cmd), "account.done", "count", "2");
    free(cmd);
    fx_release(&f);
}

/* Many senders, each within its own limit, guess wrong: after
 * ACCOUNT_CODE_MAX_WRONG wrong guesses the live code is dead, so even the
 * right code from the next sender does not link. */
static void test_account_code_dies_after_wrong_guesses(void)
{
    struct fx f;
    char code[ACCOUNT_CODE_LEN + 1] = "", bad[ACCOUNT_CODE_LEN + 1];
    if (fx_init(&f) == -1)
        return;
    char *r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    code_wrong(code, bad);
    char *cmd = xasprintf("绑定 %s", bad);
    for (int i = 0; i < ACCOUNT_CODE_MAX_WRONG; i++) {
        char user[16];
        snprintf(user, sizeof user, "9%03d", i);
        /* on two channels, under each channel's limit a minute */
        expect(&f, talk(&f, i % 2 ? &chan_telegram : &chan_kannel, user, cmd), "account.bad_code",
               "left", "4");
        if (i % (2 * ACCOUNT_CHANNEL_FAILS) == 2 * ACCOUNT_CHANNEL_FAILS - 1)
            stub_clock_advance(60000);
    }
    free(cmd);
    cmd = xasprintf("绑定 %s", code);
    expect(&f, talk(&f, &chan_telegram, "77", cmd), "account.bad_code", "left", "4");
    free(cmd);
    CHECK_INT(store_account_size(f.st, person(&f, "generic", "u-1")), 1);
    fx_release(&f);
}

/* ACCOUNT_CHANNEL_FAILS wrong codes on a channel in a minute, from anyone:
 * no code is checked there until the minute ends; other channels go on. */
static void test_account_channel_limit(void)
{
    struct fx f;
    char code[ACCOUNT_CODE_LEN + 1] = "", bad[ACCOUNT_CODE_LEN + 1];
    if (fx_init(&f) == -1)
        return;
    /* start at a minute's beginning, so the guesses fall in one minute */
    stub_clock_advance(60000 - now_ms() % 60000);
    char *r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    code_wrong(code, bad);
    char *cmd = xasprintf("绑定 %s", bad);
    for (int i = 0; i < ACCOUNT_CHANNEL_FAILS; i++) {
        char user[16];
        snprintf(user, sizeof user, "8%03d", i);
        free(talk(&f, &chan_telegram, user, cmd));
    }
    free(cmd);
    /* those guesses also killed the code (ACCOUNT_CODE_MAX_WRONG): a new one */
    r = talk(&f, &chan_generic, "u-1", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    cmd = xasprintf("绑定 %s", code);
    expect(&f, talk(&f, &chan_telegram, "77", cmd), "account.busy", NULL, NULL);
    expect(&f, talk(&f, &chan_kannel, "+8613800000001", cmd), "account.done", "count", "2");
    free(cmd);
    fx_release(&f);
}

/* 解绑 splits the account: each channel is its own again, the data stays
 * with the account that gave the code; a third channel joining tells both. */
static void test_account_unlink(void)
{
    struct fx f;
    int64_t a, b;
    char code[ACCOUNT_CODE_LEN + 1] = "";
    struct out_item it[4];
    if (fx_init(&f) == -1)
        return;
    link_two(&f, &a, &b);
    char *r = talk(&f, &chan_telegram, "42", "绑定");
    CHECK_INT(code_of(r, code), 0);
    free(r);
    char *cmd = xasprintf("绑定 %s", code);
    free(talk(&f, &chan_kannel, "+8613800000001", cmd));
    free(cmd);
    CHECK_INT(store_outbox_claim(f.st, now_ms(), 60000, it, 4), 2);
    for (int i = 0; i < 2; i++) {
        CHECK(strcmp(it[i].channel, "kannel") != 0);
        CHECK(strstr(it[i].text, "kannel") != NULL);
        out_item_release(&it[i]);
    }
    expect(&f, talk(&f, &chan_generic, "u-1", "解绑"), "account.unlinked", "count", "3");
    CHECK_INT(account_of(&f, "telegram", "42", b), b);
    CHECK_INT(account_of(&f, "generic", "u-1", a), a);
    expect(&f, talk(&f, &chan_telegram, "42", "解绑"), "account.unlink_none", NULL, NULL);
    fx_release(&f);
}

const struct t_case account_tests[] = {
    T(test_account_code_format),
    T(test_account_code_dies_after_wrong_guesses),
    T(test_account_channel_limit),
    T(test_account_unlink),
    T(test_account_link_shares_points),
    T(test_account_optout_shared),
    T(test_account_push_last_channel),
    T(test_account_broadcast_quiz_on_account),
    T(test_account_push_last_channel_same_ms),
    T(test_account_wrong_codes_limited),
    T(test_account_code_once_and_expires),
    T_END,
};
