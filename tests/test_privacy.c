/*
 * test_privacy.c - the privacy commands through engine_turn() with the
 * shipped intents/ and content/: the first-contact notice, 隐私, 我的信息,
 * erasure (nothing of the person readable in any text column afterwards,
 * nor in the database file's bytes, their photo files gone, the ledger's
 * total unchanged), the super admin's export and erase routes, and the
 * retention run of the daily tick with the stub clock.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "crypto.h"
#include "desk.h"
#include "engine.h"
#include "handler.h"
#include "intent.h"
#include "media.h"
#include "points.h"
#include "privacy.h"
#include "store.h"
#include "store_int.h"
#include "t.h"
#include "text.h"
#include "util.h"

#define WORKER "wx-oPq7Zr93kLmN"
#define NAME "柳青禾"
#define SECRET "老板欠我三个月工资共计八千七百元"
#define UNKNOWN "紫色长颈鹿在跳舞吗"
#define VOL "vol-5521"
#define DAY (24LL * 3600 * 1000)

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
    int seq;
    char db[256], media[256];
};

static int fx_init(struct fx *f, bool on_disk)
{
    struct buf errs;
    memset(f, 0, sizeof *f);
    snprintf(f->media, sizeof f->media, "media_dir=%s/media", t_tmpdir());
    snprintf(f->db, sizeof f->db, "%s/p.db", t_tmpdir());
    char *sets[] = {"desk.legal_hours=00:00-24:00", "desk.counsel_hours=00:00-24:00",
                    "push.quiet=", "push.rush=", f->media};
    int rc = 0;
    buf_init(&errs, 0);
    if (conf_load(&f->c, NULL, sets, 5, &errs) == -1)
        rc = -1;
    f->app.conf = &f->c;
    f->app.intents = t_intents(&errs);
    f->app.ct = content_load("content", &errs);
    f->st = store_open(on_disk ? f->db : ":memory:", false);
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

/* Send text from user (named name); the replies as a JSON array (caller decrefs). */
static json_t *turn(struct fx *f, const char *user, const char *name, const char *text)
{
    struct turn_result res = {0};
    char ext[32];
    snprintf(ext, sizeof ext, "m-%d", ++f->seq);
    struct inmsg in = {.channel = "generic",
                       .ext_id = ext,
                       .user = (char *)user,
                       .name = (char *)name,
                       .text = (char *)text};
    json_t *out = json_array();
    CHECK_INT(store_begin(f->st), 0);
    int rc = engine_turn(&f->app, f->st, &chan_generic, &in, now_ms(), &res);
    CHECK_INT(rc, 0);
    if (rc == 0) {
        CHECK_INT(store_commit(f->st), 0);
        json_array_extend(out, res.replies);
    } else
        store_rollback(f->st);
    turn_result_release(&res);
    stub_clock_advance(1000);
    return out;
}

/* The replies joined with "\n" (caller frees). */
static char *talk(struct fx *f, const char *user, const char *text)
{
    json_t *a = turn(f, user, NULL, text);
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

static void expect(struct fx *f, const char *user, const char *text, const char *want)
{
    char *r = talk(f, user, text);
    CHECK_HAS(r, want);
    free(r);
}

static long long count(struct fx *f, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
}

static void test_privacy_first_contact_notice(void)
{
    struct fx f;
    if (fx_init(&f, false) == -1)
        return;
    const char *notice = content_get(f.app.ct, "privacy.notice");
    CHECK(notice != NULL && utf8_len(notice) <= 70); /* one SMS */
    json_t *a = turn(&f, WORKER, NAME, "积分");
    CHECK_INT(json_array_size(a), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "text")), notice);
    CHECK_HAS(json_string_value(json_object_get(json_array_get(a, 1), "text")), "分");
    json_decref(a);
    a = turn(&f, WORKER, NAME, "积分"); /* once per person */
    CHECK_INT(json_array_size(a), 1);
    CHECK(strstr(json_string_value(json_object_get(json_array_get(a, 0), "text")), "隐私") == NULL);
    json_decref(a);
    fx_release(&f);
}

static void test_privacy_policy_and_mine(void)
{
    struct fx f;
    if (fx_init(&f, false) == -1)
        return;
    free(talk(&f, WORKER, "你好"));
    expect(&f, WORKER, "隐私", "180 天"); /* the configured retention, from content */
    expect(&f, WORKER, "隐私政策", "敏感个人信息");
    int64_t p = 0;
    CHECK_INT(store_person_find(f.st, "generic", WORKER, &p), 1);
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(points_entry(f.st, p, 12, "test", "t:1", now_ms()), 0);
    CHECK_INT(store_commit(f.st), 0);
    char *r = talk(&f, WORKER, "我的信息");
    CHECK_HAS(r, "积分：12 分");
    CHECK_HAS(r, "消息：3 条"); /* 你好, 隐私, 隐私政策 */
    CHECK_HAS(r, "联系工会驿站办公室"); /* how to get an export */
    free(r);
    expect(&f, WORKER, "我的", "我的驿站"); /* the profile keeps 我的 */
    fx_release(&f);
}

/* Every text column of every table: rows containing needle (named when quiet is false). */
static long long find_text(struct fx *f, const char *needle, bool quiet)
{
    sqlite3 *db = store_db(f->st);
    sqlite3_stmt *t = NULL;
    long long hits = 0;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type='table'", -1, &t,
                                 NULL),
              SQLITE_OK);
    while (sqlite3_step(t) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(t, 0);
        char *sql = xasprintf("SELECT * FROM \"%s\"", table);
        sqlite3_stmt *s = NULL;
        CHECK_INT(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
        while (s != NULL && sqlite3_step(s) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(s); c++) {
                const char *v = (const char *)sqlite3_column_text(s, c);
                if (v != NULL && strstr(v, needle) != NULL) {
                    if (!quiet)
                        printf("  %s: %s.%s still has %s\n", t_current, table,
                           sqlite3_column_name(s, c), needle);
                    hits++;
                }
            }
        sqlite3_finalize(s);
        free(sql);
    }
    sqlite3_finalize(t);
    return hits;
}

static long long readable(struct fx *f, const char *needle)
{
    return find_text(f, needle, false);
}

/* A photo of person p on a report: files saved like the fetcher does. */
static void add_photo(struct fx *f, int64_t p, const char *bytes, char sha[65], char clean[65])
{
    crypto_sha256_hex(bytes, strlen(bytes), sha);
    crypto_sha256_hex("clean", 5, clean);
    CHECK_INT(media_save(f->c.media_dir, sha, bytes, strlen(bytes)), 0);
    CHECK_INT(media_save(f->c.media_dir, clean, "clean", 5), 0);
    char *sql = xasprintf(
        "INSERT INTO report_media(report_id, person_id, url, status, sha256, clean_sha256,"
        " exif_lat, exif_lon, created_ms, updated_ms, next_at_ms) SELECT max(id), %lld,"
        " 'http://cdn.example/%s.jpg', 'ok', '%s', '%s', 30.1, 114.2, %lld, %lld, 0 FROM reports",
        (long long)p, WORKER, sha, clean, (long long)now_ms(), (long long)now_ms());
    CHECK_INT(store_exec(f->st, sql), 0);
    free(sql);
}

static bool file_exists(struct fx *f, const char *sha)
{
    char *path = media_path(f->c.media_dir, sha);
    bool ok = access(path, F_OK) == 0;
    free(path);
    return ok;
}

/* The person's whole life in the bot: messages, a name, points, a report
 * with a photo, a desk ticket relayed to a volunteer, a not-understood text. */
static int64_t live(struct fx *f, char sha[65], char clean[65])
{
    int64_t p = 0, vid = 0, vol = 0;
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(store_person_ensure(f->st, "generic", VOL, "志愿者甲", now_ms(), &vol), 0);
    CHECK_INT(store_desk_volunteer_set(f->st, vol, "志愿者甲", ",legal,", "", now_ms(), &vid), 0);
    CHECK_INT(store_commit(f->st), 0);
    json_decref(turn(f, WORKER, NAME, "你好"));
    CHECK_INT(store_person_find(f->st, "generic", WORKER, &p), 1);
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(points_entry(f->st, p, 30, "test", "t:1", now_ms()), 0);
    CHECK_INT(store_commit(f->st), 0);
    expect(f, WORKER, "随手拍 " SECRET "路灯坏了", "SP0001");
    add_photo(f, p, "jpeg-bytes-of-" WORKER, sha, clean);
    expect(f, WORKER, UNKNOWN, "");
    expect(f, WORKER, "法律咨询 " SECRET, "");
    CHECK(count(f, "SELECT count(*) FROM outbox WHERE instr(text, '" SECRET "')") > 0);
    CHECK_INT(count(f, "SELECT count(*) FROM unknown WHERE text='" UNKNOWN "'"), 1);
    return p;
}

static void check_nothing_left(struct fx *f, const char *sha, const char *clean)
{
    CHECK_INT(readable(f, WORKER), 0);
    CHECK_INT(readable(f, NAME), 0);
    CHECK_INT(readable(f, SECRET), 0);
    CHECK_INT(readable(f, UNKNOWN), 0);
    CHECK_INT(readable(f, sha), 0);
    CHECK(!file_exists(f, sha));
    CHECK(!file_exists(f, clean));
    CHECK_INT(count(f, "SELECT count(*) FROM people WHERE channel='erased' AND opted_out=1"), 1);
    CHECK_INT(count(f, "SELECT count(*) FROM desk_tickets WHERE status<>'closed'"), 0);
}

/* The database file's bytes (after close: the WAL checkpointed into it). */
static bool file_has(const char *path, const char *needle)
{
    char *data = NULL;
    size_t n = 0;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL)
        return false;
    struct buf b;
    buf_init(&b, 0);
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, got);
    fclose(fp);
    data = b.data;
    n = b.len;
    bool found = data && memmem(data, n, needle, strlen(needle)) != NULL;
    buf_release(&b);
    return found;
}

static void test_privacy_erase_in_the_bot(void)
{
    struct fx f;
    char sha[65], clean[65];
    if (fx_init(&f, true) == -1)
        return;
    int64_t p = live(&f, sha, clean);
    long long total = count(&f, "SELECT sum(delta) FROM points");
    /* confirmation is needed: nothing pending, then a request, then the word */
    expect(&f, WORKER, "确认删除", "没有待确认的删除");
    expect(&f, WORKER, "删除我的信息", "确认删除");
    CHECK(find_text(&f, SECRET, true) > 0);
    expect(&f, WORKER, "确认删除", "已删除");
    check_nothing_left(&f, sha, clean);
    CHECK_INT(count(&f, "SELECT sum(delta) FROM points"), total); /* the ledger's sums */
    char *sql = xasprintf("SELECT sum(delta) FROM points WHERE person_id=%lld", (long long)p);
    CHECK_INT(count(&f, sql), 30); /* on the tombstone, unlinked from anyone */
    free(sql);
    CHECK_INT(count(&f, "SELECT count(*) FROM reports"), 1); /* the statistics */
    /* they come back as someone new, and are told again */
    char *r = talk(&f, WORKER, "积分");
    CHECK_HAS(r, "回复 隐私");
    CHECK_HAS(r, "还没有积分");
    free(r);
    fx_release(&f);
    CHECK(!file_has(f.db, SECRET));
    CHECK(!file_has(f.db, NAME));
    CHECK(!file_has(f.db, UNKNOWN));
}

/* Two accounts linked (绑定): 注销 on one channel erases both. */
static void test_privacy_erase_linked_channels(void)
{
    struct fx f;
    if (fx_init(&f, false) == -1)
        return;
    json_decref(turn(&f, WORKER, NAME, "你好"));
    json_decref(turn(&f, "tg-4455", "Liu QH", "你好"));
    int64_t a = 0, b = 0;
    CHECK_INT(store_person_find(f.st, "generic", WORKER, &a), 1);
    CHECK_INT(store_person_find(f.st, "generic", "tg-4455", &b), 1);
    char *sql = xasprintf("UPDATE people SET account_id=%lld WHERE id=%lld", (long long)a,
                          (long long)b);
    CHECK_INT(store_exec(f.st, sql), 0);
    free(sql);
    expect(&f, "tg-4455", "注销", "确认删除");
    expect(&f, "tg-4455", "确认删除", "已删除");
    CHECK_INT(readable(&f, WORKER), 0);
    CHECK_INT(readable(&f, "tg-4455"), 0);
    CHECK_INT(readable(&f, "Liu QH"), 0);
    CHECK_INT(count(&f, "SELECT count(*) FROM people WHERE channel='erased'"), 2);
    fx_release(&f);
}

static json_t *admin(struct fx *f, const char *method, const char *path, const char *body,
                     const char *role, int want)
{
    struct admin_req rq = {.method = method, .path = path, .body = body, .len = strlen(body), .role = role};
    struct http_resp resp = {0};
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(admin_handle(&f->app, f->st, now_ms(), &rq, &resp), 0);
    CHECK_INT(store_commit(f->st), 0);
    CHECK_INT(resp.status, want);
    json_t *o = json_loads(resp.body ? resp.body : "null", 0, NULL);
    free(resp.body);
    return o;
}

static void test_privacy_admin_export_and_erase(void)
{
    struct fx f;
    char sha[65], clean[65], path[64];
    if (fx_init(&f, false) == -1)
        return;
    int64_t p = live(&f, sha, clean);
    snprintf(path, sizeof path, "/people/%lld/export", (long long)p);
    json_decref(admin(&f, "GET", path, "", ADMIN_ROLE_UNION, 403));
    json_decref(admin(&f, "POST", path, "{}", ADMIN_ROLE_SUPER, 405));
    json_decref(admin(&f, "GET", "/people/99999/export", "", ADMIN_ROLE_SUPER, 404));
    json_decref(admin(&f, "GET", "/people/x/export", "", ADMIN_ROLE_SUPER, 400));
    json_t *o = admin(&f, "GET", path, "", ADMIN_ROLE_SUPER, 200);
    char *dump = json_dumps(o, 0);
    CHECK_HAS(dump, WORKER);
    CHECK_HAS(dump, SECRET);
    CHECK_INT(json_array_size(json_object_get(o, "messages")), 4);
    CHECK_INT(json_array_size(json_object_get(o, "points")), 1);
    CHECK_INT(json_array_size(json_object_get(o, "photos")), 1);
    free(dump);
    json_decref(o);
    snprintf(path, sizeof path, "/people/%lld/erase", (long long)p);
    json_decref(admin(&f, "POST", path, "{\"reason\":\"x\"}", ADMIN_ROLE_DESK, 403));
    json_decref(admin(&f, "POST", path, "{}", ADMIN_ROLE_SUPER, 400));
    json_decref(admin(&f, "POST", path, "{\"reason\":\"\"}", ADMIN_ROLE_SUPER, 400));
    json_decref(admin(&f, "POST", path, "{bad", ADMIN_ROLE_SUPER, 400));
    CHECK(find_text(&f, SECRET, true) > 0); /* the refusals changed nothing */
    o = admin(&f, "POST", path, "{\"reason\":\"letter of 2026-12-01, ref L-17\"}", ADMIN_ROLE_SUPER,
              200);
    CHECK_INT(json_integer_value(json_object_get(o, "erased")), p);
    json_decref(o);
    check_nothing_left(&f, sha, clean);
    json_decref(admin(&f, "POST", path, "{\"reason\":\"again\"}", ADMIN_ROLE_SUPER, 404));
    fx_release(&f);
}

static void run_tick(struct fx *f)
{
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(handler_tick(&f->app, f->st, now_ms()), 0);
    CHECK_INT(store_commit(f->st), 0);
}

static void test_privacy_retention_by_kind(void)
{
    struct fx f;
    char sha[65], clean[65];
    if (fx_init(&f, false) == -1)
        return;
    int64_t t0 = now_ms();
    live(&f, sha, clean);
    CHECK_INT(store_exec(f.st, "UPDATE desk_tickets SET crisis=1"), 0);
    CHECK_INT(store_exec(f.st, "UPDATE outbox SET status='sent'"), 0); /* as the sender would */
    const char *desk = "SELECT count(*) FROM desk_messages WHERE text<>''";
    const char *msgs = "SELECT count(*) FROM inbound WHERE text IS NOT NULL";
    long long ndesk = count(&f, desk), nmsg = count(&f, msgs);
    CHECK(ndesk > 0 && nmsg > 0);
    run_tick(&f);
    CHECK_INT(count(&f, desk), ndesk);
    stub_clock_set(t0 + 91 * DAY); /* crisis texts: 90 days */
    run_tick(&f);
    CHECK_INT(count(&f, desk), 0);
    CHECK_INT(count(&f, msgs), nmsg);
    stub_clock_set(t0 + 181 * DAY); /* messages: 180 */
    json_decref(turn(&f, WORKER, NAME, "最新的一条"));
    run_tick(&f);
    CHECK_INT(count(&f, msgs), 1); /* only the new one */
    CHECK_INT(find_text(&f, SECRET, true), 1); /* inbound, outbox and desk texts went */
    CHECK_INT(count(&f, "SELECT count(*) FROM reports WHERE instr(description, '" SECRET "')"), 1);
    CHECK(file_exists(&f, sha));
    CHECK_INT(count(&f, "SELECT count(*) FROM report_media WHERE sha256 IS NOT NULL"), 1);
    stub_clock_set(t0 + 366 * DAY); /* photos: 365 */
    run_tick(&f);
    CHECK(!file_exists(&f, sha));
    CHECK(!file_exists(&f, clean));
    CHECK_INT(count(&f, "SELECT count(*) FROM report_media WHERE sha256 IS NOT NULL"), 0);
    CHECK_INT(count(&f, msgs), 0); /* 185 days old by now */
    CHECK_INT(readable(&f, SECRET), 0); /* the report's description went with its photos */
    CHECK_INT(count(&f, "SELECT count(*) FROM reports"), 1);
    fx_release(&f);
}

static void test_privacy_retention_once_a_day_in_batches(void)
{
    struct fx f;
    if (fx_init(&f, false) == -1)
        return;
    int64_t t0 = now_ms();
    for (int i = 0; i < 5; i++)
        json_decref(turn(&f, WORKER, NAME, "积分"));
    stub_clock_set(t0 + 181 * DAY);
    run_tick(&f);
    CHECK_INT(count(&f, "SELECT count(*) FROM inbound WHERE text IS NOT NULL"), 0);
    char *sql = xasprintf("INSERT INTO inbound(channel, ext_id, person_id, text, replies,"
                          " created_ms) VALUES('generic', 'old', 1, 'late', '[]', %lld)",
                          (long long)t0);
    CHECK_INT(store_exec(f.st, sql), 0); /* behind the watermark: the walk does not go back */
    free(sql);
    run_tick(&f);
    CHECK_INT(count(&f, "SELECT count(*) FROM meta WHERE k='retention.day'"), 1);
    fx_release(&f);
}

/* A push still queued is not blanked (nor cancelled) however old; the walk
 * waits before it and takes it once it is sent. */
static void test_privacy_retention_waits_for_queued_pushes(void)
{
    struct fx f;
    if (fx_init(&f, false) == -1)
        return;
    int64_t t0 = now_ms();
    json_decref(turn(&f, WORKER, NAME, "积分"));
    char *sql = xasprintf("INSERT INTO outbox(person_id, channel, to_ext, klass, text, idem_key,"
                          " status, next_at_ms, created_ms, updated_ms) VALUES(1, 'generic', '"
                          WORKER "', 'transactional', 'still-to-go', 'k-1', 'queued', 0, %lld,"
                          " %lld)",
                          (long long)t0, (long long)t0);
    CHECK_INT(store_exec(f.st, sql), 0);
    free(sql);
    stub_clock_set(t0 + 200 * DAY);
    run_tick(&f);
    CHECK_INT(count(&f, "SELECT count(*) FROM outbox WHERE text='still-to-go' AND"
                        " status='queued'"),
              1);
    CHECK_INT(count(&f, "SELECT count(*) FROM inbound WHERE text IS NOT NULL"), 0);
    CHECK_INT(store_exec(f.st, "UPDATE outbox SET status='sent'"), 0);
    stub_clock_set(t0 + 201 * DAY);
    run_tick(&f);
    CHECK_INT(count(&f, "SELECT count(*) FROM outbox WHERE text='still-to-go'"), 0);
    fx_release(&f);
}

const struct t_case privacy_tests[] = {
    T(test_privacy_first_contact_notice),
    T(test_privacy_policy_and_mine),
    T(test_privacy_erase_in_the_bot),
    T(test_privacy_erase_linked_channels),
    T(test_privacy_admin_export_and_erase),
    T(test_privacy_retention_by_kind),
    T(test_privacy_retention_once_a_day_in_batches),
    T(test_privacy_retention_waits_for_queued_pushes),
    T_END,
};
