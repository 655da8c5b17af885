/*
 * it_outbox.c - integration tests of the outbox: a live ./yizhan serve pushing
 * to tests/it/fakeapi. Broadcast fan-out with signatures, each outcome of a
 * push (retry, Retry-After, timeout, dropped connection, permanent failure,
 * dead and admin retry), a SIGKILL mid-broadcast, opt-out at send time,
 * cancel, the admin API's answers, and rush hours holding a broadcast.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "crypto.h"
#include "it.h"
#include "t.h"
#include "util.h"

#define TOKEN "tok-0123456789abcdef"
static const char *const auth[] = {"Authorization: Bearer " TOKEN, NULL};

static const char *rec_str(json_t *rec, const char *key)
{
    return json_string_value(json_object_get(rec, key));
}

static const char *rec_header(json_t *rec, const char *name)
{
    return json_string_value(json_object_get(json_object_get(rec, "headers"), name));
}

/* The pushed {"id","to","text"} of a record (new reference), or NULL. */
static json_t *rec_body(json_t *rec)
{
    const char *b = rec_str(rec, "body");
    return b ? json_loads(b, 0, NULL) : NULL;
}

/* --- the server with the fake wired in ---------------------------------- */

struct ob {
    struct server s;
    struct fake f;
    char url[128];
    const char *sets[32];
};

/* Start the fake and then yizhan in the same temporary dir, with no quiet or
 * rush hours, the admin token, the fake as outbound URL, quick backoff and
 * extra settings (NULL-terminated, may be NULL). 0 or -1. */
static int ob_start(struct ob *o, const char *const *extra)
{
    int n = 0;
    memset(o, 0, sizeof *o);
    snprintf(o->s.dir, sizeof o->s.dir, "/tmp/yizhan-it-XXXXXX");
    if (mkdtemp(o->s.dir) == NULL)
        return -1;
    if (fake_start(&o->f, o->s.dir) == -1)
        return -1;
    snprintf(o->url, sizeof o->url, "generic.outbound_url=http://127.0.0.1:%d/send", o->f.port);
    o->sets[n++] = "push.quiet=";
    o->sets[n++] = "push.rush=";
    o->sets[n++] = "admin.token=" TOKEN;
    o->sets[n++] = "push.backoff_base=1";
    o->sets[n++] = o->url;
    for (int i = 0; extra && extra[i] && n < 31; i++)
        o->sets[n++] = extra[i];
    o->sets[n] = NULL;
    return server_restart(&o->s, o->sets);
}

static void ob_stop(struct ob *o)
{
    CHECK_INT(server_stop(&o->s, SIGTERM), 0);
    fake_stop(&o->f);
    server_cleanup(&o->s);
}

/* A message from user (signed when secret is not NULL): the person exists after it. */
static void say_signed(int port, const char *secret, const char *id, const char *user,
                       const char *text)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "id", id, "from", user, "text", text);
    char *body = json_dumps(o, JSON_COMPACT);
    char hex[65], sig[100];
    const char *hdrs[] = {sig, NULL};
    if (secret != NULL) {
        crypto_hmac_sha256_hex(secret, strlen(secret), body, strlen(body), hex);
        snprintf(sig, sizeof sig, "X-Yizhan-Signature: sha256=%s", hex);
    }
    struct resp r = request(port, "POST", "/webhook/generic", body, secret ? hdrs : NULL);
    if (r.status != 200) {
        printf("%s: POST %s: %ld %s\n", t_current, body, r.status, r.body);
        t_failed++;
    }
    free(r.body);
    free(body);
    json_decref(o);
}

/* People u-0 .. u-(n-1), each created by a message. */
static void make_people(int port, const char *secret, int n)
{
    for (int i = 0; i < n; i++) {
        char id[32], user[32];
        snprintf(id, sizeof id, "hello-%d", i);
        snprintf(user, sizeof user, "u-%d", i);
        say_signed(port, secret, id, user, "帮助");
    }
}

/* An admin request expecting status want; the parsed answer (new reference). */
static json_t *admin(int port, const char *method, const char *path, const char *body, long want)
{
    struct resp r = request(port, method, path, body, auth);
    json_t *o = json_loads(r.body ? r.body : "", 0, NULL);
    if (r.status != want) {
        printf("%s: %s %s %s: got %ld %s, want %ld\n", t_current, method, path, body ? body : "",
               r.status, r.body, want);
        t_failed++;
    }
    free(r.body);
    return o ? o : json_object();
}

/* Create a broadcast; its id, or -1. */
static long long broadcast(int port, const char *body)
{
    json_t *o = admin(port, "POST", "/admin/api/broadcasts", body, 202);
    json_t *v = json_object_get(o, "id");
    long long id = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
    json_decref(o);
    return id;
}

/* One count of GET /admin/api/broadcasts/<id>, or -1. */
static long long bc_count(int port, long long id, const char *status)
{
    char path[64];
    snprintf(path, sizeof path, "/admin/api/broadcasts/%lld", id);
    json_t *o = admin(port, "GET", path, NULL, 200);
    json_t *v = json_object_get(json_object_get(o, "counts"), status);
    long long n = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
    json_decref(o);
    return n;
}

/* Poll a broadcast count until it gives want or ms pass; the last value. */
static long long wait_bc(int port, long long id, const char *status, long long want, int ms)
{
    int64_t until = wall_ms() + it_patience(ms);
    long long v;
    for (;;) {
        v = bc_count(port, id, status);
        if (v == want || wall_ms() >= until)
            return v;
        msleep(100);
    }
}

/* --- tests --------------------------------------------------------------- */

/* (a) 40 people, one signed record each, no duplicates, counts reach sent=40. */
static void test_outbox_broadcast_forty_signed_once_each(void)
{
    struct ob o;
    const char *extra[] = {"generic.secret=s3cret", NULL};
    if (ob_start(&o, extra) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, "s3cret", 40);
    long long id = broadcast(o.s.port, "{\"text\":\"今晚八点站点停电\",\"audience\":\"all\"}");
    CHECK(id > 0);
    CHECK_INT(wait_bc(o.s.port, id, "sent", 40, 8000), 40);
    CHECK_INT(bc_count(o.s.port, id, "queued"), 0);
    json_t *recs = fake_records(&o.f), *rec, *per = json_object();
    size_t i;
    CHECK_INT(json_array_size(recs), 40);
    json_array_foreach(recs, i, rec)
    {
        const char *body = rec_str(rec, "body");
        json_t *b = rec_body(rec);
        const char *to = json_string_value(json_object_get(b, "to"));
        const char *key = json_string_value(json_object_get(b, "id"));
        CHECK_STR(rec_str(rec, "path"), "/send");
        CHECK_STR(rec_str(rec, "method"), "POST");
        CHECK(json_is_false(json_object_get(rec, "dup")));
        CHECK_STR(json_string_value(json_object_get(b, "text")), "今晚八点站点停电");
        CHECK_STR(rec_header(rec, "idempotency-key"), key);
        char hex[65], want[80];
        crypto_hmac_sha256_hex("s3cret", 6, body ? body : "", body ? strlen(body) : 0, hex);
        snprintf(want, sizeof want, "sha256=%s", hex);
        CHECK_STR(rec_header(rec, "x-yizhan-signature"), want);
        if (to != NULL)
            json_object_set_new(per, to,
                                json_integer(json_integer_value(json_object_get(per, to)) + 1));
        json_decref(b);
    }
    CHECK_INT(json_object_size(per), 40);
    for (int k = 0; k < 40; k++) {
        char u[16];
        snprintf(u, sizeof u, "u-%d", k);
        CHECK_INT(json_integer_value(json_object_get(per, u)), 1);
    }
    json_decref(per);
    json_decref(recs);
    ob_stop(&o);
}

/* Start with one person and a broadcast to them after scripting the fake;
 * returns the outbox row id, or -1. */
static long long one_push(struct ob *o, const char *const *extra, const char *script)
{
    if (ob_start(o, extra) == -1)
        return -1;
    make_people(o->s.port, NULL, 1);
    if (script != NULL)
        fake_control(&o->f, "/_control/script", script);
    if (broadcast(o->s.port, "{\"text\":\"明天早上派单\"}") < 0)
        return -1;
    return db_count(&o->s, "SELECT max(id) FROM outbox");
}

static long long row_attempts(const struct server *s, long long id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT attempts FROM outbox WHERE id=%lld", id);
    return db_count(s, sql);
}

static long long wait_status(const struct server *s, long long id, const char *status, int ms)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM outbox WHERE id=%lld AND status='%s'", id,
             status);
    return wait_db(s, sql, 1, ms);
}

/* (b) 500 then 200: retried once, sent on the second try. */
static void test_outbox_500_then_200_retried(void)
{
    struct ob o;
    long long id = one_push(&o, NULL, "[{\"status\":500,\"body\":\"oops\",\"times\":1}]");
    CHECK(id > 0);
    CHECK_INT(wait_status(&o.s, id, "sent", 5000), 1);
    CHECK_INT(row_attempts(&o.s, id), 2);
    json_t *recs = fake_records(&o.f);
    CHECK_INT(json_array_size(recs), 2);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(recs, 0), "status")), 500);
    CHECK(json_is_true(json_object_get(json_array_get(recs, 1), "dup")));
    json_decref(recs);
    ob_stop(&o);
}

/* (b) 429 with Retry-After: 2: the second try comes at least 2 s later. */
static void test_outbox_429_honours_retry_after(void)
{
    struct ob o;
    long long id = one_push(&o, NULL,
                            "[{\"status\":429,\"body\":\"slow "
                            "down\",\"headers\":{\"Retry-After\":\"2\"},\"times\":1}]");
    CHECK(id > 0);
    CHECK_INT(wait_status(&o.s, id, "sent", 6000), 1);
    CHECK_INT(row_attempts(&o.s, id), 2);
    json_t *recs = fake_records(&o.f);
    CHECK_INT(json_array_size(recs), 2);
    long long t1 = json_integer_value(json_object_get(json_array_get(recs, 0), "ms"));
    long long t2 = json_integer_value(json_object_get(json_array_get(recs, 1), "ms"));
    printf("%s: second try %lld ms after the first\n", t_current, t2 - t1);
    CHECK(t2 - t1 >= 2000);
    json_decref(recs);
    ob_stop(&o);
}

/* (b) no answer within push.timeout: retried. */
static void test_outbox_timeout_retried(void)
{
    struct ob o;
    const char *extra[] = {"push.timeout=1", NULL};
    long long id = one_push(&o, extra, "[{\"action\":\"hang\",\"hang_ms\":3000,\"times\":1}]");
    CHECK(id > 0);
    CHECK_INT(wait_status(&o.s, id, "sent", 6000), 1);
    CHECK_INT(row_attempts(&o.s, id), 2);
    json_t *recs = fake_records(&o.f);
    CHECK_INT(json_array_size(recs), 2);
    CHECK_STR(rec_str(json_array_get(recs, 0), "action"), "hang");
    long long t1 = json_integer_value(json_object_get(json_array_get(recs, 0), "ms"));
    long long t2 = json_integer_value(json_object_get(json_array_get(recs, 1), "ms"));
    CHECK(t2 - t1 >= 1000); /* not before the timeout */
    CHECK(t2 - t1 < 3000);  /* and not waiting for the hang to end */
    json_decref(recs);
    ob_stop(&o);
}

/* (b) the connection dropped without an answer: retried. */
static void test_outbox_closed_connection_retried(void)
{
    struct ob o;
    long long id = one_push(&o, NULL, "[{\"action\":\"close\",\"times\":1}]");
    CHECK(id > 0);
    CHECK_INT(wait_status(&o.s, id, "sent", 5000), 1);
    CHECK_INT(row_attempts(&o.s, id), 2);
    CHECK_INT(fake_requests(&o.f), 2);
    ob_stop(&o);
}

/* (b) 400: failed with the platform's reason, never tried again. */
static void test_outbox_400_fails_with_body_no_retry(void)
{
    struct ob o;
    long long id =
        one_push(&o, NULL, "[{\"status\":400,\"body\":\"no such recipient u-0\",\"times\":1}]");
    CHECK(id > 0);
    CHECK_INT(wait_status(&o.s, id, "failed", 5000), 1);
    json_t *l = admin(o.s.port, "GET", "/admin/api/outbox?status=failed", NULL, 200);
    json_t *row = json_array_get(json_object_get(l, "items"), 0);
    CHECK_INT(json_integer_value(json_object_get(row, "id")), id);
    CHECK_HAS(json_string_value(json_object_get(row, "last_error")), "no such recipient u-0");
    CHECK_HAS(json_string_value(json_object_get(row, "last_error")), "400");
    /* a push's wire shape, key for key, and its values */
    char *shape = it_key_types(row);
    CHECK_STR(shape, "id:3 person:3 channel:2 class:2 status:2 attempts:3 last_error:2"
                     " broadcast_id:3 text:2 extra:7 created_ms:3 updated_ms:3 next_at_ms:3"
                     " sent_ms:7 ");
    free(shape);
    CHECK_STR(json_string_value(json_object_get(row, "channel")), "generic");
    CHECK_STR(json_string_value(json_object_get(row, "class")), "bulk");
    CHECK_INT(json_integer_value(json_object_get(row, "attempts")), 1);
    json_decref(l);
    msleep(2000); /* longer than any backoff with push.backoff_base=1 */
    CHECK_INT(fake_requests(&o.f), 1);
    CHECK_INT(row_attempts(&o.s, id), 1);
    CHECK_INT(wait_status(&o.s, id, "failed", 0), 1);
    ob_stop(&o);
}

/* A broadcast's keys before cancelled_ms, with their jansson types. */
#define BC_SHAPE                                                                                   \
    "id:3 text:2 audience:2 at_ms:3 spread_ms:3 recipients:3 sms_parts:3 created_ms:3 "

/* (b) push.max_attempts=2 and always 500: dead, listed, and sent after an admin retry. */
static void test_outbox_dead_then_admin_retry(void)
{
    struct ob o;
    const char *extra[] = {"push.max_attempts=2", NULL};
    if (ob_start(&o, extra) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, NULL, 1);
    fake_control(&o.f, "/_control/default", "{\"status\":500,\"body\":\"down\"}");
    CHECK(broadcast(o.s.port, "{\"text\":\"明天早上派单\"}") > 0);
    long long id = db_count(&o.s, "SELECT max(id) FROM outbox");
    CHECK_INT(wait_status(&o.s, id, "dead", 6000), 1);
    CHECK_INT(row_attempts(&o.s, id), 2);
    CHECK_INT(fake_requests(&o.f), 2);
    json_t *l = admin(o.s.port, "GET", "/admin/api/outbox?status=dead", NULL, 200);
    json_t *items = json_object_get(l, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(items, 0), "id")), id);
    CHECK_STR(json_string_value(json_object_get(json_array_get(items, 0), "status")), "dead");
    json_decref(l);
    /* the undelivered pushes grouped by why, key for key */
    l = admin(o.s.port, "GET", "/admin/api/outbox/undelivered", NULL, 200);
    json_t *u = json_array_get(json_object_get(l, "items"), 0);
    char *shape = it_key_types(u);
    CHECK_STR(shape, "channel:2 status:2 error:2 count:3 first_ms:3 last_ms:3 ");
    free(shape);
    CHECK_STR(json_string_value(json_object_get(u, "channel")), "generic");
    CHECK_STR(json_string_value(json_object_get(u, "status")), "dead");
    CHECK_HAS(json_string_value(json_object_get(u, "error")), "down");
    CHECK_INT(json_integer_value(json_object_get(u, "count")), 1);
    json_decref(l);
    /* a broadcast with a dead push: its errors, alone and in the list */
    l = admin(o.s.port, "GET", "/admin/api/broadcasts", NULL, 200);
    json_t *b = json_array_get(json_object_get(l, "items"), 0);
    shape = it_key_types(b);
    CHECK_STR(shape, BC_SHAPE "cancelled_ms:7 counts:0 errors:1 ");
    free(shape);
    json_t *e = json_array_get(json_object_get(b, "errors"), 0);
    shape = it_key_types(e);
    CHECK_STR(shape, "status:2 error:2 count:3 ");
    free(shape);
    CHECK_STR(json_string_value(json_object_get(e, "status")), "dead");
    CHECK_HAS(json_string_value(json_object_get(e, "error")), "down");
    CHECK_INT(json_integer_value(json_object_get(e, "count")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(b, "counts"), "dead")), 1);
    char bpath[64];
    snprintf(bpath, sizeof bpath, "/admin/api/broadcasts/%lld",
             (long long)json_integer_value(json_object_get(b, "id")));
    json_t *one = admin(o.s.port, "GET", bpath, NULL, 200);
    CHECK(json_equal(one, b)); /* one broadcast has the list's shape */
    json_decref(one);
    json_decref(l);
    char path[64];
    snprintf(path, sizeof path, "/admin/api/outbox/%lld/retry", id);
    check_status(o.s.port, "POST", "/admin/api/outbox/999/retry", NULL, auth, 404, "no failed");
    fake_control(&o.f, "/_control/default", "{\"status\":200,\"body\":{\"ok\":true}}");
    l = admin(o.s.port, "POST", path, NULL, 200);
    CHECK_STR(json_string_value(json_object_get(l, "status")), "queued");
    json_decref(l);
    CHECK_INT(wait_status(&o.s, id, "sent", 5000), 1);
    CHECK_INT(fake_requests(&o.f), 3);
    /* a sent row is not retried */
    check_status(o.s.port, "POST", path, NULL, auth, 404, "no failed");
    ob_stop(&o);
}

/* (c) SIGKILL mid-broadcast, restart: everyone gets it, exactly one first delivery each. */
static void test_outbox_kill_mid_broadcast_resumes(void)
{
    struct ob o;
    const char *extra[] = {"generic.rate=60", "push.lease=2", "push.timeout=1", NULL};
    if (ob_start(&o, extra) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, NULL, 300);
    /* each answer takes 200 ms, so a dozen pushes are in flight when the kill comes */
    fake_control(&o.f, "/_control/default", "{\"action\":\"hang\",\"hang_ms\":200}");
    long long id = broadcast(o.s.port, "{\"text\":\"站点搬家通知\"}");
    CHECK(id > 0);
    msleep(1500);
    server_stop(&o.s, SIGKILL);
    long long before = db_count(&o.s, "SELECT count(*) FROM outbox WHERE status='sent'");
    long long sending = db_count(&o.s, "SELECT count(*) FROM outbox WHERE status='sending'");
    printf("%s: at the kill: %lld sent, %lld sending, %lld at the fake\n", t_current, before,
           sending, fake_requests(&o.f));
    CHECK(before > 0 && before < 300);
    CHECK_INT(server_restart(&o.s, o.sets), 0);
    CHECK_INT(wait_bc(o.s.port, id, "sent", 300, 20000), 300);
    json_t *recs = fake_records(&o.f), *rec, *first = json_object();
    size_t i;
    long long dups = 0;
    json_array_foreach(recs, i, rec)
    {
        json_t *b = rec_body(rec);
        const char *to = json_string_value(json_object_get(b, "to"));
        if (json_is_true(json_object_get(rec, "dup")))
            dups++;
        else if (to != NULL)
            json_object_set_new(first, to,
                                json_integer(json_integer_value(json_object_get(first, to)) + 1));
        json_decref(b);
    }
    printf("%s: %zu records, %lld of them repeats\n", t_current, json_array_size(recs), dups);
    CHECK_INT(json_object_size(first), 300);
    int bad = 0;
    for (int k = 0; k < 300; k++) {
        char u[16];
        snprintf(u, sizeof u, "u-%d", k);
        bad += json_integer_value(json_object_get(first, u)) != 1;
    }
    CHECK_INT(bad, 0);
    CHECK_INT((long long)json_array_size(recs) - dups, 300);
    json_decref(first);
    json_decref(recs);
    ob_stop(&o);
}

/* (d) opting out between enqueue and send: that row is cancelled, the rest go. */
static void test_outbox_optout_checked_at_send_time(void)
{
    struct ob o;
    if (ob_start(&o, NULL) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, NULL, 5);
    char body[128];
    snprintf(body, sizeof body, "{\"text\":\"周末培训\",\"at\":%lld}",
             (long long)(wall_ms() + 2000));
    long long id = broadcast(o.s.port, body);
    CHECK(id > 0);
    CHECK_INT(bc_count(o.s.port, id, "queued"), 5);
    char *r = say_to(o.s.port, "stop-1", "u-3", "退订");
    char *done = text_of("optout.done");
    CHECK_STR(r, done);
    free(r);
    free(done);
    CHECK_INT(
        wait_db(&o.s, "SELECT count(*) FROM outbox WHERE status IN ('sent','cancelled')", 5, 6000),
        5);
    CHECK_INT(bc_count(o.s.port, id, "sent"), 4);
    CHECK_INT(bc_count(o.s.port, id, "cancelled"), 1);
    CHECK_INT(db_count(&o.s, "SELECT count(*) FROM outbox o JOIN people p ON p.id=o.person_id"
                             " WHERE p.ext_id='u-3' AND o.status='cancelled'"
                             " AND o.last_error='opted out'"),
              1);
    json_t *recs = fake_records(&o.f), *rec;
    size_t i;
    CHECK_INT(json_array_size(recs), 4);
    json_array_foreach(recs, i, rec)
    {
        json_t *b = rec_body(rec);
        CHECK(strcmp(json_string_value(json_object_get(b, "to")), "u-3") != 0);
        json_decref(b);
    }
    json_decref(recs);
    ob_stop(&o);
}

/* (e) a cancelled broadcast sends nothing. */
static void test_outbox_cancel_sends_nothing(void)
{
    struct ob o;
    if (ob_start(&o, NULL) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, NULL, 6);
    char body[128], path[64];
    int64_t at = wall_ms() + 3000;
    snprintf(body, sizeof body, "{\"text\":\"取消的通知\",\"at\":%lld}", (long long)at);
    long long id = broadcast(o.s.port, body);
    CHECK(id > 0);
    snprintf(path, sizeof path, "/admin/api/broadcasts/%lld/cancel", id);
    json_t *c = admin(o.s.port, "POST", path, NULL, 200);
    CHECK_INT(json_integer_value(json_object_get(c, "cancelled")), 6);
    json_decref(c);
    CHECK_INT(bc_count(o.s.port, id, "cancelled"), 6);
    CHECK_INT(bc_count(o.s.port, id, "queued"), 0);
    check_status(o.s.port, "POST", "/admin/api/broadcasts/999/cancel", NULL, auth, 404,
                 "no such broadcast");
    check_status(o.s.port, "GET", "/admin/api/broadcasts/999", NULL, auth, 404,
                 "no such broadcast");
    int64_t left = at + 1000 - wall_ms();
    if (left > 0)
        msleep((int)left);
    CHECK_INT(fake_requests(&o.f), 0);
    CHECK_INT(bc_count(o.s.port, id, "cancelled"), 6);
    ob_stop(&o);
}

/* (f) the admin API's gate and its 4xx answers. */
static void test_outbox_admin_api_answers(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    check_status(s.port, "GET", "/admin/api/unknown", NULL, auth, 403, "admin API is off");
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);

    struct ob o;
    if (ob_start(&o, NULL) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, NULL, 3);
    const char *wrong[] = {"Authorization: Bearer nope", NULL};
    const char *basic[] = {"Authorization: Basic dG9rOg==", NULL};
    check_status(o.s.port, "GET", "/admin/api/unknown", NULL, wrong, 401, "token");
    check_status(o.s.port, "GET", "/admin/api/unknown", NULL, basic, 401, "token");
    check_status(o.s.port, "GET", "/admin/api/unknown", NULL, NULL, 401, "token");
    check_status(o.s.port, "GET", "/admin/api/unknown", NULL, auth, 200, "items");
    check_status(o.s.port, "GET", "/admin/api/nothing-here", NULL, auth, 404, "no such admin");
    check_status(o.s.port, "DELETE", "/admin/api/broadcasts", NULL, auth, 405, "GET, POST");
    check_status(o.s.port, "GET", "/admin/api/outbox?status=lost", NULL, auth, 400,
                 "unknown status");

    /* 71 Chinese characters: two UCS-2 parts */
    struct buf text;
    buf_init(&text, 0);
    for (int i = 0; i < 71; i++)
        buf_puts(&text, "通");
    char *body = xasprintf("{\"text\":\"%s\",\"preview\":true}", text.data);
    json_t *p = admin(o.s.port, "POST", "/admin/api/broadcasts", body, 200);
    CHECK_INT(json_integer_value(json_object_get(p, "recipients")), 3);
    CHECK_INT(json_integer_value(json_object_get(p, "sms_parts")), 2);
    CHECK_INT(json_integer_value(json_object_get(p, "sms_units")), 71);
    CHECK_STR(json_string_value(json_object_get(p, "encoding")), "UCS-2");
    CHECK_INT(json_integer_value(json_object_get(json_object_get(p, "by_channel"), "generic")), 3);
    json_decref(p);
    free(body);
    CHECK_INT(db_count(&o.s, "SELECT count(*) FROM broadcasts"), 0); /* a preview stores nothing */
    body = xasprintf("{\"text\":\"%s\",\"max_parts\":1}", text.data);
    check_status(o.s.port, "POST", "/admin/api/broadcasts", body, auth, 400, "needs 2 SMS parts");
    free(body);
    buf_release(&text);
    check_status(o.s.port, "POST", "/admin/api/broadcasts", "{\"text\":\"x\",\"audience\":\"vip\"}",
                 auth, 400, "'audience'");
    check_status(o.s.port, "POST", "/admin/api/broadcasts",
                 "{\"text\":\"x\",\"audience\":\"tag:\"}", auth, 400, "'audience'");
    check_status(o.s.port, "POST", "/admin/api/broadcasts", "{\"audience\":\"all\"}", auth, 400,
                 "'text'");
    check_status(o.s.port, "POST", "/admin/api/broadcasts", "{\"text\":\"x\",\"at\":\"soon\"}",
                 auth, 400, "'at'");
    check_status(o.s.port, "POST", "/admin/api/broadcasts",
                 "{\"text\":\"x\",\"spread_minutes\":-1}", auth, 400, "spread_minutes");
    check_status(o.s.port, "POST", "/admin/api/broadcasts", "[1]", auth, 400, "JSON object");
    CHECK_INT(db_count(&o.s, "SELECT count(*) FROM broadcasts"), 0);

    /* tags make an audience */
    json_t *t = admin(o.s.port, "POST", "/admin/api/tags",
                      "{\"person\":\"generic:u-1\",\"tag\":\"night\"}", 200);
    CHECK_STR(json_string_value(json_object_get(t, "tag")), "night");
    json_decref(t);
    check_status(o.s.port, "POST", "/admin/api/tags", "{\"person\":\"generic:u-99\",\"tag\":\"x\"}",
                 auth, 404, "no such person");
    check_status(o.s.port, "POST", "/admin/api/tags", "{\"person\":\"u-1\",\"tag\":\"x\"}", auth,
                 400, "person");
    p = admin(o.s.port, "POST", "/admin/api/broadcasts",
              "{\"text\":\"夜班\",\"audience\":\"tag:night\",\"preview\":true}", 200);
    CHECK_INT(json_integer_value(json_object_get(p, "recipients")), 1);
    json_decref(p);
    ob_stop(&o);
}

/* (f2) GET /admin/api/broadcasts: newest first with live counts, ?limit. */
static void test_outbox_broadcast_list(void)
{
    struct ob o;
    if (ob_start(&o, NULL) == -1) {
        t_failed++;
        return;
    }
    json_t *l = admin(o.s.port, "GET", "/admin/api/broadcasts", NULL, 200);
    CHECK_INT(json_array_size(json_object_get(l, "items")), 0);
    json_decref(l);
    make_people(o.s.port, NULL, 3);
    long long first = broadcast(o.s.port, "{\"text\":\"第一条通知\"}");
    char body[128], path[64];
    snprintf(body, sizeof body, "{\"text\":\"第二条通知\",\"at\":%lld}",
             (long long)(wall_ms() + 60000));
    long long second = broadcast(o.s.port, body);
    CHECK(first > 0 && second > first);
    CHECK_INT(wait_bc(o.s.port, first, "sent", 3, 10000), 3);
    snprintf(path, sizeof path, "/admin/api/broadcasts/%lld/cancel", second);
    json_decref(admin(o.s.port, "POST", path, NULL, 200));

    l = admin(o.s.port, "GET", "/admin/api/broadcasts", NULL, 200);
    json_t *items = json_object_get(l, "items");
    CHECK_INT(json_array_size(items), 2);
    json_t *b0 = json_array_get(items, 0), *b1 = json_array_get(items, 1);
    CHECK_INT(json_integer_value(json_object_get(b0, "id")), second);
    CHECK_STR(json_string_value(json_object_get(b0, "text")), "第二条通知");
    CHECK_STR(json_string_value(json_object_get(b0, "audience")), "subscribers");
    CHECK_INT(json_integer_value(json_object_get(b0, "recipients")), 3);
    CHECK(json_is_integer(json_object_get(b0, "cancelled_ms")));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(b0, "counts"), "cancelled")), 3);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(b0, "counts"), "queued")), 0);
    CHECK_INT(json_integer_value(json_object_get(b1, "id")), first);
    CHECK(json_is_null(json_object_get(b1, "cancelled_ms")));
    CHECK_INT(json_integer_value(json_object_get(json_object_get(b1, "counts"), "sent")), 3);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(b1, "counts"), "held")), 0);
    CHECK(json_object_get(b1, "sent") == NULL); /* counts only inside "counts" */
    /* a broadcast's wire shape, key for key, its counts too */
    char *shape = it_key_types(b0);
    CHECK_STR(shape, BC_SHAPE "cancelled_ms:3 counts:0 errors:1 ");
    free(shape);
    shape = it_key_types(json_object_get(b0, "counts"));
    CHECK_STR(shape, "queued:3 held:3 sending:3 sent:3 failed:3 dead:3 cancelled:3 ");
    free(shape);
    CHECK_INT(json_integer_value(json_object_get(b0, "sms_parts")), 1);
    CHECK_INT(json_array_size(json_object_get(b0, "errors")), 0);
    snprintf(path, sizeof path, "/admin/api/broadcasts/%lld", second);
    json_t *one = admin(o.s.port, "GET", path, NULL, 200);
    CHECK(json_equal(one, b0));
    json_decref(one);
    json_decref(l);

    l = admin(o.s.port, "GET", "/admin/api/broadcasts?limit=1", NULL, 200);
    items = json_object_get(l, "items");
    CHECK_INT(json_array_size(items), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(items, 0), "id")), second);
    json_decref(l);
    ob_stop(&o);
}

/* (g) rush hours all day: a broadcast is held and nothing goes out. */
static void test_outbox_rush_all_day_holds_broadcast(void)
{
    struct ob o;
    const char *extra[] = {"push.rush=00:00-24:00", NULL}; /* after ob_start's empty push.rush */
    if (ob_start(&o, extra) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, NULL, 4);
    long long id = broadcast(o.s.port, "{\"text\":\"午高峰后再看\"}");
    CHECK(id > 0);
    CHECK_INT(bc_count(o.s.port, id, "held"), 4);
    msleep(1000); /* the sender polls at least every 250 ms */
    CHECK_INT(bc_count(o.s.port, id, "held"), 4);
    CHECK_INT(bc_count(o.s.port, id, "sent"), 0);
    CHECK_INT(fake_requests(&o.f), 0);
    ob_stop(&o);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The users the fake got pushes for, sorted and joined with spaces. */
static char *pushed_to(const struct fake *f)
{
    json_t *recs = fake_records(f), *rec;
    size_t i;
    char *to[64];
    int n = 0;
    json_array_foreach(recs, i, rec)
    {
        json_t *b = rec_body(rec);
        const char *t = json_string_value(json_object_get(b, "to"));
        if (t != NULL && n < 64)
            to[n++] = xstrdup(t);
        json_decref(b);
    }
    json_decref(recs);
    qsort(to, (size_t)n, sizeof to[0], cmp_str);
    struct buf out;
    buf_init(&out, 0);
    for (int k = 0; k < n; k++) {
        buf_puts(&out, k ? " " : "");
        buf_puts(&out, to[k]);
        free(to[k]);
    }
    char *r = xstrdup(out.data ? out.data : "");
    buf_release(&out);
    return r;
}

/* (g) a broadcast reaches only people who wrote to the bot, or were imported
 * with a recorded consent; a volunteer, a mentor and a member an admin named
 * get nothing until they write. */
static void test_outbox_broadcast_only_to_consenting(void)
{
    struct ob o;
    if (ob_start(&o, NULL) == -1) {
        t_failed++;
        return;
    }
    make_people(o.s.port, NULL, 2);
    json_decref(admin(o.s.port, "POST", "/admin/api/volunteers",
                      "{\"name\":\"小李\",\"person\":\"generic:v-1\",\"desks\":[\"legal\"]}", 201));
    json_decref(admin(o.s.port, "POST", "/admin/api/mentoring",
                      "{\"worker\":\"generic:u-0\",\"mentor\":\"generic:m-1\","
                      "\"mentor_name\":\"王老师\"}",
                      201));
    json_decref(admin(o.s.port, "POST", "/admin/api/members",
                      "{\"person\":\"generic:imp-1\",\"org\":\"快递支部\","
                      "\"consent\":\"入会登记表 2026-03-01\"}",
                      201));
    json_decref(admin(o.s.port, "POST", "/admin/api/members",
                      "{\"person\":\"generic:imp-2\",\"org\":\"快递支部\"}", 201));
    json_t *p = admin(o.s.port, "POST", "/admin/api/broadcasts",
                      "{\"text\":\"周末培训\",\"preview\":true}", 200);
    CHECK_INT(json_integer_value(json_object_get(p, "recipients")), 3);
    CHECK_INT(json_integer_value(json_object_get(p, "no_consent")), 3);
    json_decref(p);
    long long id = broadcast(o.s.port, "{\"text\":\"周末培训\",\"audience\":\"channel:generic\"}");
    CHECK_INT(wait_bc(o.s.port, id, "sent", 3, 6000), 3);
    char *to = pushed_to(&o.f);
    CHECK_STR(to, "imp-1 u-0 u-1");
    free(to);
    /* once the volunteer writes, the next broadcast reaches them too */
    say_signed(o.s.port, NULL, "v-hello", "v-1", "帮助");
    p = admin(o.s.port, "POST", "/admin/api/broadcasts",
              "{\"text\":\"x\",\"audience\":\"all\",\"preview\":true}", 200);
    CHECK_INT(json_integer_value(json_object_get(p, "recipients")), 4);
    CHECK_INT(json_integer_value(json_object_get(p, "no_consent")), 2);
    json_decref(p);
    ob_stop(&o);
}

/* (h) an opt-out stops bulk pushes only: after 退订 a worker on a waitlist
 * still gets the seat offer and the outcome of their own 随手拍, while a
 * broadcast skips them. */
static void test_outbox_optout_keeps_own_business(void)
{
    struct ob o;
    if (ob_start(&o, NULL) == -1) {
        t_failed++;
        return;
    }
    json_decref(admin(o.s.port, "POST", "/admin/api/courses",
                      "{\"title\":\"智能手机\",\"place\":\"驿站\",\"start\":\"2099-05-01 09:00\","
                      "\"end\":\"2099-05-01 11:00\",\"capacity\":1}",
                      201));
    char *r = say_to(o.s.port, "k-1", "a", "报名 1");
    free(r);
    r = say_to(o.s.port, "k-2", "b", "报名 1");
    CHECK_HAS(r, "第 1 位");
    free(r);
    /* b's 随手拍 (a photo host that is not there: the report is made anyway) */
    struct resp pr = post(o.s.port, "{\"id\":\"k-3\",\"from\":\"b\",\"text\":\"井盖坏了\","
                                    "\"media\":[{\"url\":\"http://127.0.0.1:9/x.jpg\","
                                    "\"type\":\"image/jpeg\"}]}");
    CHECK_INT(pr.status, 200);
    CHECK_HAS(pr.body, "SP0001");
    free(pr.body);
    r = say_to(o.s.port, "k-4", "b", "退订");
    char *done = text_of("optout.done");
    CHECK_STR(r, done);
    CHECK_HAS(done, "报名的空位"); /* the confirmation says what still comes */
    free(done);
    free(r);
    long long id = broadcast(o.s.port, "{\"text\":\"周末培训\",\"audience\":\"all\"}");
    CHECK_INT(wait_bc(o.s.port, id, "sent", 1, 6000), 1); /* a only */
    r = say_to(o.s.port, "k-5", "a", "取消 1");
    free(r);
    check_status(o.s.port, "POST", "/admin/api/reports/SP0001/status", "{\"status\":\"accepted\"}",
                 auth, 200, "\"changed\":true");
    /* b's own business, all sent: the seat offer, the report's acceptance
     * (merged into the offer when both are due together, and marked sent with
     * it), and the notice that the report's photo could not be fetched (its
     * host, 127.0.0.1:9, is a private address the guard refuses) */
    CHECK_INT(wait_db(&o.s,
                      "SELECT count(*) FROM outbox o JOIN people p ON p.id=o.person_id"
                      " WHERE p.ext_id='b' AND o.klass='transactional' AND o.status='sent'"
                      " AND (o.idem_key LIKE 'offer:%' OR o.idem_key LIKE 'report:SP0001:%'"
                      " OR o.idem_key LIKE 'report-photo-failed:%')",
                      3, 6000),
              3);
    CHECK_INT(db_count(&o.s, "SELECT count(*) FROM outbox WHERE status='cancelled'"), 0);
    CHECK_INT(db_count(&o.s, "SELECT count(*) FROM outbox WHERE idem_key LIKE 'offer:%'"
                             " AND status='sent'"),
              1);
    char *to = pushed_to(&o.f);
    CHECK_STR(to, "a b b");
    free(to);
    ob_stop(&o);
}

const struct t_case it_outbox_tests[] = {
    T(test_outbox_broadcast_forty_signed_once_each),
    T(test_outbox_500_then_200_retried),
    T(test_outbox_429_honours_retry_after),
    T(test_outbox_timeout_retried),
    T(test_outbox_closed_connection_retried),
    T(test_outbox_400_fails_with_body_no_retry),
    T(test_outbox_dead_then_admin_retry),
    T(test_outbox_kill_mid_broadcast_resumes),
    T(test_outbox_optout_checked_at_send_time),
    T(test_outbox_cancel_sends_nothing),
    T(test_outbox_admin_api_answers),
    T(test_outbox_broadcast_list),
    T(test_outbox_rush_all_day_holds_broadcast),
    T(test_outbox_broadcast_only_to_consenting),
    T(test_outbox_optout_keeps_own_business),
    T_END,
};
