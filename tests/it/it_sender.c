/*
 * it_sender.c - integration tests of the sender's delivery rules through the
 * real ./yizhan serve and tests/it/fakeapi: a row counts against the rate
 * limits only when it goes; Telegram's 429 pauses the whole bot; rows of one
 * person claimed together go out as one message; every push is cut to its
 * platform's limit, in order; a passive-only WeChat account fails its rows at
 * once; dead rows are retried by channel and time range.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "it.h"
#include "t.h"
#include "util.h"

#define ADMIN "it-sender-admin-token" /* 16+ characters: conf refuses shorter */
static const char *const auth[] = {"Authorization: Bearer " ADMIN, NULL};
static const char *const tg_hdr[] = {"X-Telegram-Bot-Api-Secret-Token: tg-secret", NULL};

/* A fake platform and the server pushing to it. */
struct rig {
    struct fake f;
    struct server s;
    char sets_buf[4][160];
    const char *sets[40];
};

/* Start the fake, then the server with every channel's API on the fake, no
 * quiet or rush hours, quick backoff and extra settings. 0 or -1. */
static int rig_start(struct rig *r, const char *const *extra)
{
    int n = 0;
    memset(r, 0, sizeof *r);
    if (fake_start(&r->f, NULL) == -1)
        return -1;
    snprintf(r->sets_buf[0], sizeof r->sets_buf[0], "generic.outbound_url=http://127.0.0.1:%d/send",
             r->f.port);
    snprintf(r->sets_buf[1], sizeof r->sets_buf[1], "telegram.api_base=http://127.0.0.1:%d",
             r->f.port);
    snprintf(r->sets_buf[2], sizeof r->sets_buf[2], "wechat.api_base=http://127.0.0.1:%d",
             r->f.port);
    for (int i = 0; i < 3; i++)
        r->sets[n++] = r->sets_buf[i];
    static const char *const base[] = {"push.quiet=",           "push.rush=",
                                       "push.backoff_base=1",   "admin.token=" ADMIN,
                                       "telegram.token=123:ABC", "telegram.secret_token=tg-secret",
                                       NULL};
    for (int i = 0; base[i]; i++)
        r->sets[n++] = base[i];
    for (int i = 0; extra && extra[i] && n < 39; i++)
        r->sets[n++] = extra[i];
    r->sets[n] = NULL;
    return server_start(&r->s, r->sets);
}

static void rig_stop(struct rig *r)
{
    CHECK_INT(server_stop(&r->s, SIGTERM), 0);
    server_cleanup(&r->s);
    fake_stop(&r->f);
}

/* An admin request expecting status want; the parsed answer (new reference). */
static json_t *admin(int port, const char *method, const char *path, const char *body, long want)
{
    struct resp r = request(port, method, path, body, auth);
    json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
    if (r.status != want) {
        printf("%s: %s %s: got %ld %s, want %ld\n", t_current, method, path, r.status, r.body,
               want);
        t_failed++;
    }
    free(r.body);
    return o ? o : json_object();
}

static long long broadcast(int port, const char *body)
{
    json_t *o = admin(port, "POST", "/admin/api/broadcasts", body, 202);
    long long id = json_integer_value(json_object_get(o, "id"));
    json_decref(o);
    return id > 0 ? id : -1;
}

/* Telegram chat ids 1000 .. 1000+n-1, each created by a message. */
static void telegram_people(int port, int n)
{
    for (int i = 0; i < n; i++) {
        char *body = xasprintf("{\"update_id\":%d,\"message\":{\"message_id\":%d,\"date\":1,"
                               "\"chat\":{\"id\":%d,\"type\":\"private\"},\"from\":{\"id\":%d,"
                               "\"is_bot\":false,\"first_name\":\"W\"},\"text\":\"帮助\"}}",
                               500 + i, 500 + i, 1000 + i, 1000 + i);
        struct resp r = request(port, "POST", "/webhook/telegram", body, tg_hdr);
        CHECK_INT(r.status, 200);
        free(r.body);
        free(body);
    }
}

/* Generic people u-0 .. u-(n-1). */
static void generic_people(int port, int n)
{
    for (int i = 0; i < n; i++) {
        char id[32], user[32];
        snprintf(id, sizeof id, "hi-%d", i);
        snprintf(user, sizeof user, "u-%d", i);
        free(say_to(port, id, user, "帮助"));
    }
}

/* The fake's records whose path starts with prefix (new array). */
static json_t *records(const struct fake *f, const char *prefix)
{
    json_t *all = fake_records(f), *out = json_array(), *rec;
    size_t i;
    json_array_foreach(all, i, rec)
    {
        const char *path = json_string_value(json_object_get(rec, "path"));
        if (path && str_has_prefix(path, prefix))
            json_array_append(out, rec);
    }
    json_decref(all);
    return out;
}

/* A field of a record's JSON body (a new string), or NULL. */
static char *body_field(json_t *rec, const char *key)
{
    json_t *b = json_loads(json_string_value(json_object_get(rec, "body")), 0, NULL);
    const char *v = json_string_value(json_object_get(b, key));
    char *s = v ? xstrdup(v) : NULL;
    json_decref(b);
    return s;
}

static long long rec_ms(json_t *rec)
{
    return (long long)json_integer_value(json_object_get(rec, "ms"));
}

/* Item 1: 30 people at 10 a second with a 10 s per-person gap go out in about
 * 3 s (the old sender counted a row the bucket deferred against the gap:
 * 10 every 10 s); a second push to each person still waits out the gap. */
static void test_sender_rate_counts_only_sent_rows(void)
{
    struct rig r;
    const char *extra[] = {"generic.rate=10", "generic.recipient_rate=6", NULL};
    if (rig_start(&r, extra) == -1) {
        t_failed++;
        return;
    }
    generic_people(r.s.port, 30);
    long long id = broadcast(r.s.port, "{\"text\":\"今晚八点站点停电\",\"audience\":\"all\"}");
    CHECK(id > 0);
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='sent'", 30, 15000), 30);
    json_t *recs = records(&r.f, "/send");
    CHECK_INT(json_array_size(recs), 30);
    long long first = rec_ms(json_array_get(recs, 0));
    long long last = rec_ms(json_array_get(recs, json_array_size(recs) - 1));
    /* the bucket alone takes 2 s; the old sender took 20 s */
    if (last - first >= 8000) {
        printf("%s: 30 pushes took %lld ms\n", t_current, last - first);
        t_failed++;
    }
    /* no second by the same bucket-second beyond its 10 (+ a 10 burst) */
    json_t *rec;
    size_t i;
    int early = 0;
    json_array_foreach(recs, i, rec) early += rec_ms(rec) - first < 900;
    CHECK(early <= 20);
    json_decref(recs);
    /* the per-person gap: a second broadcast waits 10 s after each first */
    long long id2 = broadcast(r.s.port, "{\"text\":\"第二条\",\"audience\":\"all\"}");
    CHECK(id2 > 0);
    msleep(1500);
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE broadcast_id=%lld AND status IN "
                              "('queued','merged')", id2);
    CHECK_INT(db_count(&r.s, sql), 30);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM outbox b JOIN outbox a ON a.person_id=b.person_id AND "
             "a.broadcast_id=%lld WHERE b.broadcast_id=%lld AND b.status='queued' AND "
             "b.next_at_ms < a.sent_ms + 9000",
             id, id2);
    CHECK_INT(db_count(&r.s, sql), 0);
    rig_stop(&r);
}

/* Item 2: Telegram's 429 retry_after pauses the whole bot: no other chat gets
 * a message inside it (the old sender paused only the refused message). */
static void test_sender_telegram_429_pauses_the_bot(void)
{
    struct rig r;
    const char *extra[] = {"telegram.rate=1", "telegram.recipient_rate=600", NULL};
    if (rig_start(&r, extra) == -1) {
        t_failed++;
        return;
    }
    telegram_people(r.s.port, 4);
    fake_control(&r.f, "/_control/script",
                 "{\"path_prefix\":\"/bot123:ABC/sendMessage\",\"status\":429,\"body\":"
                 "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry "
                 "after 3\",\"parameters\":{\"retry_after\":3}},\"times\":1}");
    CHECK(broadcast(r.s.port, "{\"text\":\"明天早上派单\",\"audience\":\"channel:telegram\"}") > 0);
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='sent' AND klass='bulk'", 4,
                      20000),
              4);
    json_t *recs = records(&r.f, "/bot123:ABC/sendMessage"), *rec;
    size_t i;
    long long refused = -1;
    int before = 0, inside = 0;
    json_array_foreach(recs, i, rec)
    {
        long status = (long)json_integer_value(json_object_get(rec, "status"));
        if (status == 429 && refused < 0)
            refused = rec_ms(rec);
        else if (refused < 0)
            before++;
        else if (rec_ms(rec) < refused + 2900)
            inside++;
    }
    CHECK(refused > 0);
    CHECK_INT(json_array_size(recs), 5);
    CHECK_INT(inside, 0);
    json_decref(recs);
    rig_stop(&r);
}

/* Item 4: two broadcasts due together (held to the same time) reach each
 * person as one message with both texts in order. */
static void test_sender_rows_claimed_together_merge(void)
{
    struct rig r;
    if (rig_start(&r, NULL) == -1) {
        t_failed++;
        return;
    }
    generic_people(r.s.port, 3);
    long long at = (long long)wall_ms() + 3000; /* every broadcast is in before it */
    char *b1 = xasprintf("{\"text\":\"第一条：明天停电。\",\"audience\":\"all\",\"at\":%lld}", at);
    char *b2 = xasprintf("{\"text\":\"第二条：后天恢复。\",\"audience\":\"all\",\"at\":%lld}", at);
    CHECK(broadcast(r.s.port, b1) > 0);
    CHECK(broadcast(r.s.port, b2) > 0);
    free(b1);
    free(b2);
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='sent'", 6, 10000), 6);
    msleep(500);
    json_t *recs = records(&r.f, "/send"), *rec;
    size_t i;
    CHECK_INT(json_array_size(recs), 3);
    json_array_foreach(recs, i, rec)
    {
        char *text = body_field(rec, "text");
        CHECK_STR(text, "第一条：明天停电。\n\n第二条：后天恢复。");
        free(text);
    }
    json_decref(recs);
    CHECK_INT(db_count(&r.s, "SELECT count(*) FROM outbox WHERE merged_into IS NOT NULL"), 3);
    rig_stop(&r);
}

/* UTF-16 units of s. */
static size_t utf16_units(const char *s)
{
    size_t n = 0, adv;
    for (size_t i = 0, len = strlen(s); i < len; i += adv)
        n += utf8_decode(s + i, len - i, &adv) > 0xFFFF ? 2 : 1;
    return n;
}

static void strip_newlines(char *s)
{
    char *w = s;
    for (; *s; s++)
        if (*s != '\n')
            *w++ = *s;
    *w = '\0';
}

/* Item 5: pushes over Telegram's 4096 characters (five broadcasts of 1000
 * merged into one) go out in parts of at most 4096, cut after a sentence, in
 * order; the old sender sent the merged 5,000 characters whole. */
static void test_sender_long_push_cut_in_order(void)
{
    struct rig r;
    const char *extra[] = {"push.concurrency=1", "push.max_sms_parts=10", NULL};
    if (rig_start(&r, extra) == -1) {
        t_failed++;
        return;
    }
    telegram_people(r.s.port, 1);
    struct buf want;
    buf_init(&want, 0);
    long long at = (long long)wall_ms() + 3000; /* every broadcast is in before it */
    for (int k = 0; k < 5; k++) {
        struct buf t;
        buf_init(&t, 0);
        /* 100 sentences of 10 characters: 1000 characters (GSM-7, so SMS
         * parts allow it), "Pk-" marks the broadcast */
        for (int j = 0; j < 100; j++)
            buf_printf(&t, "P%d-%02d yes!", k, j);
        char *body = xasprintf("{\"text\":\"%s\",\"audience\":\"all\",\"at\":%lld}", t.data, at);
        CHECK(broadcast(r.s.port, body) > 0);
        free(body);
        buf_printf(&want, "%s%s", k ? "\n\n" : "", t.data);
        buf_release(&t);
    }
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='sent' AND klass='bulk'", 5,
                      15000),
              5);
    json_t *recs = records(&r.f, "/bot123:ABC/sendMessage"), *rec;
    size_t i, n = json_array_size(recs);
    struct buf got;
    buf_init(&got, 0);
    CHECK_INT(n, 2); /* five merged into 5,008 characters: two parts */
    json_array_foreach(recs, i, rec)
    {
        char *text = body_field(rec, "text");
        size_t len = text ? strlen(text) : 0;
        CHECK(text != NULL && utf16_units(text) <= 4096);
        if (i + 1 < n) /* every part but the last ends a sentence */
            CHECK(len >= 1 && text[len - 1] == '!');
        buf_puts(&got, text ? text : "");
        free(text);
    }
    /* in order and nothing lost: the same text but for the line breaks at the cuts */
    buf_puts(&got, "");
    strip_newlines(got.data);
    strip_newlines(want.data);
    CHECK_STR(got.data, want.data);
    buf_release(&got);
    buf_release(&want);
    json_decref(recs);
    rig_stop(&r);
}

#define WX_Q "signature=9a21327631f0404549aa7b74b00276446727c928&timestamp=1700000000&nonce=12345"
#define WX_TEXT(id, text)                                                                          \
    "<xml><ToUserName><![CDATA[gh_bot]]></ToUserName><FromUserName><![CDATA[oUser]]></"           \
    "FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>" \
    "<![CDATA[" text "]]></Content><MsgId>" id "</MsgId></xml>"

/* Item 9: a passive-only WeChat account (token, no appsecret): the preview
 * counts its followers apart, their rows fail at once with the reason, and
 * the broadcast is not left going; other channels are sent as usual. */
static void test_sender_passive_wechat_fails_at_once(void)
{
    struct rig r;
    const char *extra[] = {"wechat.token=xiangyang", NULL};
    if (rig_start(&r, extra) == -1) {
        t_failed++;
        return;
    }
    struct resp a = request(r.s.port, "POST", "/webhook/wechat?" WX_Q, WX_TEXT("101", "帮助"), NULL);
    CHECK_INT(a.status, 200);
    free(a.body);
    generic_people(r.s.port, 2);
    json_t *p = admin(r.s.port, "POST", "/admin/api/broadcasts",
                      "{\"text\":\"停电通知\",\"audience\":\"all\",\"preview\":true}", 200);
    CHECK_INT(json_integer_value(json_object_get(p, "recipients")), 3);
    CHECK_INT(json_integer_value(json_object_get(p, "unreachable")), 1);
    CHECK_INT(json_integer_value(
                  json_object_get(json_object_get(p, "unreachable_by_channel"), "wechat")),
              1);
    json_decref(p);
    long long id = broadcast(r.s.port, "{\"text\":\"停电通知\",\"audience\":\"all\"}");
    CHECK(id > 0);
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='failed' AND "
                            "channel='wechat' AND last_error LIKE 'passive-only%'",
                      1, 3000),
              1);
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='sent'", 2, 5000), 2);
    char path[64];
    snprintf(path, sizeof path, "/admin/api/broadcasts/%lld", id);
    json_t *b = admin(r.s.port, "GET", path, NULL, 200);
    json_t *c = json_object_get(b, "counts");
    CHECK_INT(json_integer_value(json_object_get(c, "queued")), 0);
    CHECK_INT(json_integer_value(json_object_get(c, "failed")), 1);
    json_t *e = json_array_get(json_object_get(b, "errors"), 0);
    CHECK_HAS(json_string_value(json_object_get(e, "error")), "passive-only");
    json_decref(b);
    json_t *wx = records(&r.f, "/cgi-bin");
    CHECK_INT(json_array_size(wx), 0); /* no token fetch was ever tried */
    json_decref(wx);
    rig_stop(&r);
}

/* Item 3: after an outage every push is dead; the undelivered summary says
 * how many and why, and one request puts a channel's dead rows of a time
 * range back in the queue. Bad requests change nothing. */
static void test_sender_retry_dead_by_channel_and_range(void)
{
    struct rig r;
    const char *extra[] = {"push.max_attempts=1", NULL};
    if (rig_start(&r, extra) == -1) {
        t_failed++;
        return;
    }
    generic_people(r.s.port, 4);
    telegram_people(r.s.port, 2);
    fake_control(&r.f, "/_control/default", "{\"status\":503,\"body\":\"down\"}");
    int64_t t0 = wall_ms();
    CHECK(broadcast(r.s.port, "{\"text\":\"停电通知\",\"audience\":\"all\"}") > 0);
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='dead'", 6, 10000), 6);
    int64_t t1 = wall_ms() + 1;
    json_t *u = admin(r.s.port, "GET", "/admin/api/outbox/undelivered", NULL, 200);
    json_t *items = json_object_get(u, "items"), *it;
    size_t i;
    long long dead = 0;
    json_array_foreach(items, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "status")), "dead") == 0)
            dead += json_integer_value(json_object_get(it, "count"));
        CHECK(json_string_value(json_object_get(it, "error")) != NULL);
    }
    CHECK_INT(dead, 6);
    json_decref(u);
    /* bad input: 400 and nothing requeued */
    check_status(r.s.port, "POST", "/admin/api/outbox/retry", "{\"channel\":\"fax\"}", auth, 400,
                 "'channel'");
    check_status(r.s.port, "POST", "/admin/api/outbox/retry", "{\"from\":\"soon\"}", auth, 400,
                 "'from'");
    check_status(r.s.port, "POST", "/admin/api/outbox/retry", "{\"from\":5,\"to\":5}", auth, 400,
                 "before");
    check_status(r.s.port, "POST", "/admin/api/outbox/retry", "[]", auth, 400, "JSON object");
    check_status(r.s.port, "GET", "/admin/api/outbox/retry", NULL, auth, 405, NULL);
    /* a range before the outage: nothing */
    json_t *q = admin(r.s.port, "POST", "/admin/api/outbox/retry",
                      "{\"channel\":\"generic\",\"from\":1000,\"to\":2000}", 200);
    CHECK_INT(json_integer_value(json_object_get(q, "requeued")), 0);
    json_decref(q);
    fake_control(&r.f, "/_control/default", "{\"path_prefix\":\"/nothing\"}");
    char *body = xasprintf("{\"channel\":\"generic\",\"from\":%lld,\"to\":%lld}", (long long)t0,
                           (long long)t1);
    q = admin(r.s.port, "POST", "/admin/api/outbox/retry", body, 200);
    free(body);
    CHECK_INT(json_integer_value(json_object_get(q, "requeued")), 4);
    json_decref(q);
    CHECK_INT(wait_db(&r.s, "SELECT count(*) FROM outbox WHERE status='sent' AND klass='bulk'", 4,
                      10000),
              4);
    CHECK_INT(db_count(&r.s, "SELECT count(*) FROM outbox WHERE status='dead' AND "
                             "channel='telegram'"),
              2);
    rig_stop(&r);
}

const struct t_case it_sender_tests[] = {
    T(test_sender_rate_counts_only_sent_rows),
    T(test_sender_telegram_429_pauses_the_bot),
    T(test_sender_rows_claimed_together_merge),
    T(test_sender_long_push_cut_in_order),
    T(test_sender_passive_wechat_fails_at_once),
    T(test_sender_retry_dead_by_channel_and_range),
    T_END,
};
