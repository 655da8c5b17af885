/*
 * test_report.c - 随手拍 without the network: photo bytes (magic, EXIF GPS,
 * stripping, content-addressed paths), the intake turns (receipt, caption and
 * location follow-ups, photos joining, the same photo, the daily limit),
 * status and lists, the workflow (pushes, points once, admin chat commands),
 * the 7-day follow-up with the stub clock, and nearby reports flagged.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "engine.h"
#include "fetcher.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "media.h"
#include "points.h"
#include "report.h"
#include "store.h"
#include "store_int.h"
#include "t.h"
#include "util.h"

static unsigned char *load(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[4096];
    size_t k;
    buf_init(&b, 0);
    if (f == NULL)
        return NULL;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, k);
    fclose(f);
    *n = b.len;
    return (unsigned char *)buf_take(&b);
}

static bool has_bytes(const unsigned char *p, size_t n, const char *s)
{
    size_t m = strlen(s);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(p + i, s, m) == 0)
            return true;
    return false;
}

static void test_media_jpeg_gps_and_strip(void)
{
    size_t n = 0, cn = 0;
    unsigned char *p = load("tests/data/reports/gps.jpg", &n), *clean = NULL;
    double lat = 0, lon = 0;
    CHECK(p != NULL);
    if (p == NULL)
        return;
    CHECK_INT(media_sniff(p, n), MEDIA_JPEG);
    CHECK_STR(media_mime(MEDIA_JPEG), "image/jpeg");
    CHECK_INT(media_gps(MEDIA_JPEG, p, n, &lat, &lon), 1);
    CHECK(lat > 32.0424 && lat < 32.0426);
    CHECK(lon > 112.1440 && lon < 112.1442);
    CHECK(has_bytes(p, n, "Exif") && has_bytes(p, n, "Longzhong"));
    CHECK_INT(media_strip(MEDIA_JPEG, p, n, &clean, &cn), 0);
    CHECK(cn < n && cn > 100);
    CHECK_INT(media_sniff(clean, cn), MEDIA_JPEG);
    CHECK(!has_bytes(clean, cn, "Exif"));
    CHECK(!has_bytes(clean, cn, "Longzhong"));
    CHECK_INT(media_gps(MEDIA_JPEG, clean, cn, &lat, &lon), 0);
    /* the scan is kept byte for byte: the stripped copy ends like the original */
    CHECK(memcmp(clean + cn - 64, p + n - 64, 64) == 0);
    /* a truncated image is malformed */
    unsigned char *bad = NULL;
    size_t bn = 0;
    CHECK_INT(media_strip(MEDIA_JPEG, p, 40, &bad, &bn), -1);
    free(clean);
    free(p);
}

static void test_media_png_strip_and_sniff(void)
{
    size_t n = 0, cn = 0;
    unsigned char *p = load("tests/data/reports/a.png", &n), *clean = NULL;
    double lat, lon;
    CHECK(p != NULL);
    if (p == NULL)
        return;
    CHECK_INT(media_sniff(p, n), MEDIA_PNG);
    CHECK_INT(media_gps(MEDIA_PNG, p, n, &lat, &lon), 0);
    CHECK(has_bytes(p, n, "blocked fire lane"));
    CHECK_INT(media_strip(MEDIA_PNG, p, n, &clean, &cn), 0);
    CHECK_INT(media_sniff(clean, cn), MEDIA_PNG);
    CHECK(!has_bytes(clean, cn, "blocked fire lane"));
    CHECK(has_bytes(clean, cn, "IEND"));
    free(clean);
    free(p);
    /* declared types are never trusted: only the bytes count */
    const unsigned char html[] = "<html>not a photo</html>";
    CHECK_INT(media_sniff(html, sizeof html - 1), MEDIA_NONE);
    const unsigned char webp[] = "RIFF\x04\0\0\0WEBP";
    CHECK_INT(media_sniff(webp, 12), MEDIA_WEBP);
    CHECK_INT(media_sniff((const unsigned char *)"\xff\xd8", 2), MEDIA_NONE);
}

static void test_media_path_safety(void)
{
    const char *good = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    char *p = media_path("/m", good);
    CHECK_STR(p, "/m/01/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    free(p);
    CHECK(media_path("/m", "../../etc/passwd") == NULL);
    CHECK(media_path("/m", "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef") ==
          NULL);
    CHECK(media_path("/m", "0123") == NULL);
    CHECK(media_path("/m", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/") ==
          NULL);
    CHECK(!media_valid_sha(NULL));
    /* saved files: directories 0700, the file 0600, named only by the hash */
    char dir[300];
    snprintf(dir, sizeof dir, "%s/media", t_tmpdir());
    CHECK_INT(media_save(dir, good, "abc", 3), 0);
    CHECK_INT(media_save(dir, good, "abc", 3), 0); /* again: kept */
    CHECK_INT(media_save(dir, "../x", "abc", 3), -1);
    struct stat sb;
    char *path = media_path(dir, good);
    CHECK_INT(stat(path, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    CHECK_INT(sb.st_size, 3);
    CHECK_INT(stat(dir, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0700);
    free(path);
}

static void test_fetcher_private_addresses(void)
{
    CHECK(fetcher_ip_private("127.0.0.1"));
    CHECK(fetcher_ip_private("10.1.2.3"));
    CHECK(fetcher_ip_private("172.16.0.1"));
    CHECK(fetcher_ip_private("192.168.1.1"));
    CHECK(fetcher_ip_private("169.254.169.254"));
    CHECK(fetcher_ip_private("0.0.0.0"));
    CHECK(fetcher_ip_private("::1"));
    CHECK(fetcher_ip_private("fd00::1"));
    CHECK(fetcher_ip_private("fe80::1"));
    CHECK(fetcher_ip_private("::ffff:127.0.0.1"));
    CHECK(fetcher_ip_private("not an ip"));
    CHECK(!fetcher_ip_private("8.8.8.8"));
    CHECK(!fetcher_ip_private("172.32.0.1"));
    CHECK(!fetcher_ip_private("2400:3200::1"));
}

/* Addresses that carry an IPv4 address inside IPv6 are judged as that IPv4
 * address (security issue 15: NAT64, 6to4, IPv4-compatible and -mapped). */
static void test_fetcher_address_table(void)
{
    static const struct {
        const char *ip;
        bool private_addr;
    } rows[] = {
        {"127.0.0.1", true},
        {"127.1.2.3", true},
        {"10.0.0.1", true},
        {"100.64.0.1", true},
        {"192.0.0.8", true},
        {"192.0.2.1", true},
        {"198.18.0.1", true},
        {"224.0.0.1", true},
        {"255.255.255.255", true},
        {"93.184.216.34", false},
        {"1.1.1.1", false},
        {"::", true},
        {"::1", true},
        {"::127.0.0.1", true}, /* IPv4-compatible */
        {"::10.0.0.1", true},
        {"::8.8.8.8", false},
        {"::ffff:10.0.0.1", true}, /* IPv4-mapped */
        {"::ffff:8.8.8.8", false},
        {"::ffff:0:127.0.0.1", true},  /* IPv4-translated */
        {"64:ff9b::7f00:1", true},     /* NAT64 of 127.0.0.1 */
        {"64:ff9b::a9fe:a9fe", true},  /* NAT64 of 169.254.169.254 */
        {"64:ff9b::808:808", false},   /* NAT64 of 8.8.8.8 */
        {"64:ff9b:1::1", true},        /* local-use NAT64 */
        {"2002:7f00:1::1", true},      /* 6to4 of 127.0.0.1 */
        {"2002:c0a8:101::", true},     /* 6to4 of 192.168.1.1 */
        {"2002:808:808::1", false},    /* 6to4 of 8.8.8.8 */
        {"2001:0:4136:e378::1", true}, /* Teredo */
        {"2001:db8::1", true},
        {"fc00::1", true},
        {"fe80::1", true},
        {"fec0::1", true},
        {"ff02::1", true},
        {"100::1", true},
        {"2400:3200::1", false},
        {"2606:4700:4700::1111", false},
        {"", true},
        {"localhost", true},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool got = fetcher_ip_private(rows[i].ip);
        if (got != rows[i].private_addr) {
            printf("  %s: private %d, want %d\n", rows[i].ip, got, rows[i].private_addr);
            t_failed++;
        }
    }
}

static void test_report_codes(void)
{
    int64_t id = 0;
    char code[REPORT_CODE_MAX];
    CHECK_INT(report_code_parse("SP0042", &id), 0);
    CHECK_INT(id, 42);
    CHECK_INT(report_code_parse("sp42", &id), 0);
    CHECK_INT(id, 42);
    CHECK_INT(report_code_parse("SPx42", &id), -1);
    CHECK_INT(report_code_parse("SP", &id), -1);
    CHECK_INT(report_code_parse("SP0000", &id), -1);
    CHECK_INT(report_code_parse("XP0042", &id), -1);
    report_code_fmt(42, code);
    CHECK_STR(code, "SP0042");
    report_code_fmt(12345, code);
    CHECK_STR(code, "SP12345");
}

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
    int seq;
};

static int fx_init(struct fx *f)
{
    struct buf errs;
    char *sets[] = {"admin.chat_ids=generic:boss, generic:staff2", "report.daily_limit=3",
                    "points.report_accepted=5", "push.quiet=", "push.rush=",
                    "privacy.notice=false"};
    int rc = 0;
    memset(f, 0, sizeof *f);
    buf_init(&errs, 0);
    if (conf_load(&f->c, NULL, sets, 6, &errs) == -1)
        rc = -1;
    f->app.conf = &f->c;
    f->app.intents = t_intents(&errs);
    f->app.ct = content_load("content", &errs);
    if (f->app.ct != NULL && features_check_content(f->app.ct, &errs) == -1)
        rc = -1;
    f->st = store_open(":memory:", false);
    if (f->app.intents == NULL || f->app.ct == NULL || f->st == NULL)
        rc = -1;
    CHECK_STR(errs.data ? errs.data : "", "");
    CHECK_INT(rc, 0);
    buf_release(&errs);
    stub_clock_set(1764300000000); /* 2025-11-28 11:20 in Shanghai */
    return rc;
}

static void fx_release(struct fx *f)
{
    store_close(f->st);
    content_free(f->app.ct);
    t_intents_free(f->app.intents);
    conf_release(&f->c);
}

/* One message; returns the replies joined with "\n" (caller frees). */
static char *send(struct fx *f, const char *user, const char *text, const char *url, bool loc,
                  double lat, double lon)
{
    struct turn_result res = {0};
    char ext[32];
    char *out = NULL;
    snprintf(ext, sizeof ext, "m-%d", ++f->seq);
    struct inmsg in = {.channel = "generic",
                       .ext_id = ext,
                       .user = (char *)user,
                       .text = (char *)text,
                       .authenticated = true}; /* as if signed: staff commands count */
    if (url != NULL) {
        in.media[0].url = (char *)url;
        in.media[0].type = "image/jpeg";
        in.nmedia = 1;
    }
    in.has_location = loc;
    in.lat = lat;
    in.lon = lon;
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
    } else {
        store_rollback(f->st);
        out = xstrdup("");
    }
    turn_result_release(&res);
    stub_clock_advance(1000);
    return out;
}

static char *text(struct fx *f, const char *user, const char *t)
{
    return send(f, user, t, NULL, false, 0, 0);
}

static char *photo(struct fx *f, const char *user, const char *caption, const char *url)
{
    return send(f, user, caption, url, false, 0, 0);
}

static long long q(struct fx *f, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    else
        printf("%s: query failed: %s\n", sql, sqlite3_errmsg(store_db(f->st)));
    sqlite3_finalize(s);
    return v;
}

static char *qtext(struct fx *f, const char *sql)
{
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(store_db(f->st), sql, -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v ? v : xstrdup("(null)");
}

static char *expect(struct fx *f, const char *key, const char *code)
{
    const char *kv[] = {"code", code, "minutes", "10", NULL};
    return content_render(f->app.ct, key, kv);
}

#define CHECK_REPLY(f, got, key, code)                                                             \
    do {                                                                                           \
        char *exp_ = expect(f, key, code);                                                         \
        CHECK_STR(got, exp_);                                                                      \
        free(exp_);                                                                                \
    } while (0)

/* A new report's receipt, followed by the category question (report.category_ask). */
#define CHECK_OPENS(f, got, key, code)                                                             \
    do {                                                                                           \
        char *exp_ = expect(f, key, code);                                                         \
        CHECK(got != NULL && str_has_prefix(got, exp_) && strstr(got, "属于哪一类") != NULL);      \
        free(exp_);                                                                                \
    } while (0)

static void test_photo_then_caption_then_location(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    char *r = photo(&f, "u-1", NULL, "http://img.example/1.jpg");
    CHECK_OPENS(&f, r, "report.received_ask", "SP0001");
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM report_media WHERE status='pending'"), 1);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports WHERE photo_status='pending'"), 1);
    r = text(&f, "u-1", "人民路井盖破了，很危险");
    CHECK_REPLY(&f, r, "report.caption_added", "SP0001");
    free(r);
    char *d = qtext(&f, "SELECT description FROM reports WHERE id=1");
    CHECK_STR(d, "人民路井盖破了，很危险");
    free(d);
    /* the next text is a normal text again */
    r = text(&f, "u-1", "随便说说");
    CHECK(r != NULL && strstr(r, "SP0001") == NULL); /* not a caption (the scorer may ask) */
    free(r);
    r = send(&f, "u-1", NULL, NULL, true, 32.05, 112.15);
    CHECK_REPLY(&f, r, "report.location_added", "SP0001");
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports WHERE lat=32.05 AND loc_source='message'"), 1);
    /* a caption comes too late after the caption time */
    r = photo(&f, "u-2", NULL, "http://img.example/2.jpg");
    CHECK_OPENS(&f, r, "report.received_ask", "SP0002");
    free(r);
    stub_clock_advance(601 * 1000);
    r = text(&f, "u-2", "路灯不亮");
    /* not a caption any more: a new text report, or whatever the scorer says */
    CHECK(r != NULL && strstr(r, "SP0002") == NULL);
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports WHERE id=2 AND description IS NULL"), 1);
out:
    fx_release(&f);
}

/* A photo whose caption reads like a command still opens a report, with the
 * caption as its description (the photo used to be lost to the command). */
static void test_photo_caption_like_a_command(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    char *r = photo(&f, "u-9", "积分", "http://img.example/9.jpg");
    CHECK_INT(q(&f, "SELECT count(*) FROM reports"), 1);
    char *d = qtext(&f, "SELECT description FROM reports WHERE id=1");
    CHECK_STR(d, "积分");
    free(d);
    CHECK_HAS(r, "SP0001");
    free(r);
out:
    fx_release(&f);
}

static void test_photos_join_duplicates_and_limit(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    char *r = photo(&f, "u-1", "消防通道被堵", "http://img.example/a.jpg");
    CHECK_OPENS(&f, r, "report.received", "SP0001");
    free(r);
    r = photo(&f, "u-1", NULL, "http://img.example/b.jpg"); /* within the minute */
    CHECK_REPLY(&f, r, "report.photo_added", "SP0001");
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM report_media WHERE report_id=1"), 2);
    r = photo(&f, "u-1", NULL, "http://img.example/a.jpg"); /* the same photo again */
    CHECK_REPLY(&f, r, "report.duplicate", "SP0001");
    free(r);
    stub_clock_advance(61 * 1000);
    r = photo(&f, "u-1", "另一处", "http://img.example/c.jpg");
    CHECK_OPENS(&f, r, "report.received", "SP0002");
    free(r);
    stub_clock_advance(61 * 1000);
    r = photo(&f, "u-1", "第三处", "http://img.example/d.jpg");
    CHECK_OPENS(&f, r, "report.received", "SP0003");
    free(r);
    stub_clock_advance(61 * 1000);
    r = photo(&f, "u-1", "第四处", "http://img.example/e.jpg");
    const char *kv[] = {"max", "3", NULL};
    char *limit = content_render(f.app.ct, "report.limit", kv);
    CHECK_STR(r, limit);
    free(limit);
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports"), 3);
    /* someone else is not limited, and a text-only report works */
    r = text(&f, "u-9", "随手拍 路灯不亮");
    CHECK_OPENS(&f, r, "report.text_only", "SP0004");
    free(r);
    r = text(&f, "u-9", "随手拍");
    CHECK_STR(r, content_get(f.app.ct, "report.howto"));
    free(r);
out:
    fx_release(&f);
}

static void test_status_and_list(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    free(photo(&f, "u-1", "井盖", "http://img.example/a.jpg"));
    char *r = text(&f, "u-1", "进度 sp0001");
    CHECK_HAS(r, "SP0001");
    CHECK_HAS(r, content_get(f.app.ct, "report.st.received"));
    free(r);
    r = text(&f, "u-1", "SP1"); /* not a code by the rules: fallback */
    free(r);
    r = text(&f, "u-2", "进度 SP0001"); /* someone else's report */
    CHECK_REPLY(&f, r, "report.not_found", "SP0001");
    free(r);
    r = text(&f, "u-2", "我的随手拍");
    CHECK_STR(r, content_get(f.app.ct, "report.mine_none"));
    free(r);
    r = text(&f, "u-1", "我的随手拍");
    CHECK_HAS(r, "SP0001");
    free(r);
out:
    fx_release(&f);
}

static void test_workflow_pushes_and_points_once(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    free(photo(&f, "u-1", "井盖", "http://img.example/a.jpg"));
    /* not an admin: not understood */
    char *r = text(&f, "u-1", "#受理 SP0001");
    CHECK_STR(r, content_get(f.app.ct, "fallback"));
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports WHERE status='received'"), 1);
    r = text(&f, "boss", "＃受理 sp0001");
    CHECK_HAS(r, "SP0001");
    CHECK_HAS(r, content_get(f.app.ct, "report.st.accepted"));
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM points WHERE ref='report:SP0001' AND delta=5"), 1);
    CHECK_INT(q(&f, "SELECT count(*) FROM outbox WHERE klass='transactional' AND person_id="
                    "(SELECT person_id FROM reports WHERE id=1)"),
              1);
    r = text(&f, "staff2", "#受理 SP0001");
    CHECK_HAS(r, content_get(f.app.ct, "report.st.accepted")); /* already */
    free(r);
    /* a rejection needs a reason written for the reporter */
    r = text(&f, "boss", "#驳回 SP0001");
    CHECK_REPLY(&f, r, "admin.report.need_reason", "SP0001");
    free(r);
    r = text(&f, "boss", "#驳回 SP0001 不在本社区范围，请拨 12345。");
    CHECK_HAS(r, content_get(f.app.ct, "report.st.rejected"));
    free(r);
    char *reason = qtext(&f, "SELECT reason FROM reports WHERE id=1");
    CHECK_STR(reason, "不在本社区范围，请拨 12345。");
    free(reason);
    char *push = qtext(&f, "SELECT text FROM outbox ORDER BY id DESC LIMIT 1");
    CHECK_HAS(push, "不在本社区范围");
    free(push);
    /* accepted again after a rejection: points stay once */
    free(text(&f, "boss", "#受理 SP0001"));
    free(text(&f, "boss", "#处理 SP0001 已派人"));
    free(text(&f, "boss", "#解决 SP0001"));
    CHECK_INT(q(&f, "SELECT count(*) FROM points WHERE ref='report:SP0001'"), 1);
    CHECK_INT(q(&f, "SELECT count(*) FROM outbox"), 5);
    CHECK_INT(q(&f, "SELECT count(*) FROM report_history WHERE report_id=1"), 6);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports WHERE status='resolved' AND resolved_ms>0"), 1);
    r = text(&f, "boss", "#受理 SP0099");
    CHECK_REPLY(&f, r, "admin.report.not_found", "SP0099");
    free(r);
    /* the reporter sees the history, with the reason but not internal actors */
    r = text(&f, "u-1", "进度 SP0001");
    CHECK_HAS(r, "不在本社区范围");
    CHECK(strstr(r, "boss") == NULL);
    free(r);
out:
    fx_release(&f);
}

static void test_followup_after_seven_days(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    free(photo(&f, "u-1", "路灯", "http://img.example/a.jpg"));
    free(photo(&f, "u-2", "井盖", "http://img.example/b.jpg"));
    free(text(&f, "boss", "#解决 SP0001"));
    free(text(&f, "boss", "#解决 SP0002"));
    int64_t pushes = q(&f, "SELECT count(*) FROM outbox");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(handler_tick(&f.app, f.st, now_ms()), 0);
    CHECK_INT(store_commit(f.st), 0);
    CHECK_INT(q(&f, "SELECT count(*) FROM outbox"), pushes); /* not yet */
    stub_clock_advance(7LL * 24 * 3600 * 1000);
    for (int i = 0; i < 2; i++) { /* a second tick asks nothing again */
        CHECK_INT(store_begin(f.st), 0);
        CHECK_INT(handler_tick(&f.app, f.st, now_ms()), 0);
        CHECK_INT(store_commit(f.st), 0);
    }
    CHECK_INT(q(&f, "SELECT count(*) FROM outbox"), pushes + 2);
    char *ask = qtext(&f, "SELECT text FROM outbox ORDER BY id DESC LIMIT 1");
    CHECK_HAS(ask, "回复 1 是 / 2 否");
    free(ask);
    char *r = text(&f, "u-1", "2");
    CHECK_REPLY(&f, r, "report.followup.no", "SP0001");
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports WHERE id=1 AND status='in_progress'"
                    " AND reopened=1 AND followup_answer='no'"),
              1);
    r = text(&f, "u-2", "1");
    CHECK_REPLY(&f, r, "report.followup.yes", "SP0002");
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports WHERE id=2 AND status='resolved'"
                    " AND followup_answer='yes'"),
              1);
    /* the answer is used once: a bare 2 afterwards is no answer */
    r = text(&f, "u-1", "解决了 SP0001");
    CHECK_HAS(r, "SP0001");
    free(r);
    CHECK_INT(q(&f, "SELECT status='in_progress' FROM reports WHERE id=1"), 1);
out:
    fx_release(&f);
}

static void test_nearby_reports_flagged(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    free(send(&f, "u-1", "井盖", "http://img.example/a.jpg", true, 32.04250, 112.14410));
    free(send(&f, "u-2", "同一个井盖", "http://img.example/b.jpg", true, 32.04260, 112.14420));
    free(send(&f, "u-3", "很远", "http://img.example/c.jpg", true, 32.10000, 112.20000));
    CHECK_INT(q(&f, "SELECT dup_of FROM reports WHERE id=2"), 1);
    CHECK_INT(q(&f, "SELECT dup_of IS NULL FROM reports WHERE id=3"), 1);
    /* the admin merges it: the reporter is told, the report is final */
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(report_merge(&f.app, f.st, 2, 1, "admin:api", now_ms()), REPORT_OK);
    CHECK_INT(report_merge(&f.app, f.st, 2, 1, "admin:api", now_ms()), REPORT_BAD_STATUS);
    CHECK_INT(report_change(&f.app, f.st, 2, "accepted", "admin:api", NULL, now_ms()),
              REPORT_BAD_STATUS);
    CHECK_INT(store_commit(f.st), 0);
    char *push = qtext(&f, "SELECT text FROM outbox ORDER BY id DESC LIMIT 1");
    CHECK_HAS(push, "SP0001");
    free(push);
out:
    fx_release(&f);
}

/* The description is what the worker wrote (full-width punctuation, case);
 * the rules matched the normalised copy. */
static void test_report_keeps_what_was_typed(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    char *r = text(&f, "u-1", "随手拍 ABC小区东门路灯坏了，晚上很黑！");
    free(r);
    char *d = qtext(&f, "SELECT description FROM reports WHERE id=1");
    CHECK_STR(d, "ABC小区东门路灯坏了，晚上很黑！");
    free(d);
    r = photo(&f, "u-2", "井盖丢了！Xi路口", "http://img.example/x1.jpg");
    free(r);
    d = qtext(&f, "SELECT description FROM reports WHERE id=2");
    CHECK_STR(d, "井盖丢了！Xi路口");
    free(d);
out:
    fx_release(&f);
}

/* A second photo's caption adds to the first one's, it does not replace it. */
static void test_second_caption_adds(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    char *r = photo(&f, "u-3", "东门路灯坏了", "http://img.example/a1.jpg");
    free(r);
    r = photo(&f, "u-3", "这是另一边", "http://img.example/a2.jpg");
    free(r);
    CHECK_INT(q(&f, "SELECT count(*) FROM reports"), 1);
    char *d = qtext(&f, "SELECT description FROM reports WHERE id=1");
    CHECK_STR(d, "东门路灯坏了\n这是另一边");
    free(d);
out:
    fx_release(&f);
}

/* An admin's note is its own sentence in the push ({note}谢谢你！ ran together). */
static void test_note_is_a_sentence(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    free(photo(&f, "u-5", "路灯", "http://img.example/n.jpg"));
    free(text(&f, "boss", "#受理 SP0001"));
    free(text(&f, "boss", "#处理 SP0001 已派人"));
    char *push = qtext(&f, "SELECT text FROM outbox ORDER BY id DESC LIMIT 1");
    CHECK_HAS(push, "已派人。");
    free(push);
    free(text(&f, "boss", "#解决 SP0001 已更换灯泡"));
    push = qtext(&f, "SELECT text FROM outbox ORDER BY id DESC LIMIT 1");
    CHECK_HAS(push, "已更换灯泡。谢谢你！");
    free(push);
out:
    fx_release(&f);
}

/* After a merge the reporter is told to follow the other report's code;
 * 进度 <that code> shows it (it answered 没有找到). A stranger still cannot. */
static void test_progress_of_the_report_merged_into(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    free(photo(&f, "u-6", "东门井盖没了", "http://img.example/m1.jpg"));
    free(photo(&f, "u-7", "井盖丢了", "http://img.example/m2.jpg"));
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(report_merge(&f.app, f.st, 2, 1, "admin:api", now_ms()), REPORT_OK);
    CHECK_INT(store_commit(f.st), 0);
    char *push = qtext(&f, "SELECT text FROM outbox ORDER BY id DESC LIMIT 1");
    CHECK_HAS(push, "SP0001");
    free(push);
    char *r = text(&f, "u-7", "进度 SP0001");
    CHECK_HAS(r, "SP0001");
    CHECK(strstr(r, "没有找到") == NULL);
    free(r);
    r = text(&f, "u-8", "进度 SP0001");
    CHECK_HAS(r, "没有找到");
    free(r);
out:
    fx_release(&f);
}

/* SMS sends no location: a typed place after a text report is kept (it was
 * dropped as not understood); a text that names no place is not taken. */
static void test_typed_place_after_a_text_report(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        goto out;
    free(text(&f, "u-s", "随手拍 井盖坏了"));
    char *r = text(&f, "u-s", "谢谢");
    CHECK_STR(r, content_get(f.app.ct, "fallback"));
    free(r);
    r = text(&f, "u-s", "人民广场东门");
    CHECK_HAS(r, "SP0001");
    free(r);
    char *d = qtext(&f, "SELECT description FROM reports WHERE id=1");
    CHECK_HAS(d, "井盖坏了");
    CHECK_HAS(d, "人民广场东门");
    free(d);
out:
    fx_release(&f);
}

/* The history and list readers: a NULL note reads NULL and is written null;
 * a person's list has code, status and time, newest first. */
static void test_report_event_readers(void)
{
    struct store *st = store_open(":memory:", false);
    int64_t sender, person, id, id2;
    struct report_event *v;
    size_t n;
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_person_arrive(st, "generic", "u-1", NULL, 1, &sender, &person), 1);
    CHECK_INT(store_report_create(st, person, "井盖", 10, &id), 0);
    CHECK_INT(store_report_create(st, person, "路灯", 20, &id2), 0);
    CHECK_INT(store_report_history_add(st, id, "accepted", "admin", NULL, 30, NULL), 0);
    CHECK_INT(store_report_history_add(st, id, "resolved", "admin", "已修好", 40, NULL), 0);
    CHECK_INT(store_report_history(st, id, &v, &n), 0);
    CHECK(n >= 2);
    if (n >= 2) {
        const struct report_event *a = &v[n - 2], *b = &v[n - 1];
        CHECK_STR(a->status, "accepted");
        CHECK_STR(a->actor, "admin");
        CHECK(a->note == NULL);
        CHECK_INT(a->ms, 30);
        CHECK_STR(b->note, "已修好");
        CHECK_INT(b->ms, 40);
        json_t *j = report_event_json(a);
        CHECK_INT(json_object_size(j), 4);
        CHECK(json_is_null(json_object_get(j, "note")));
        CHECK_INT(json_integer_value(json_object_get(j, "ms")), 30);
        json_decref(j);
    }
    report_event_free_all(v, n);
    CHECK_INT(store_report_list_person(st, person, 5, &v, &n), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(v[0].code, "SP0002");
        CHECK_INT(v[0].ms, 20);
        CHECK(v[0].status != NULL);
        CHECK_STR(v[1].code, "SP0001");
    }
    report_event_free_all(v, n);
    store_close(st);
}

const struct t_case report_tests[] = {
    T(test_typed_place_after_a_text_report),
    T(test_progress_of_the_report_merged_into),
    T(test_note_is_a_sentence),
    T(test_photo_caption_like_a_command),
    T(test_report_keeps_what_was_typed),
    T(test_second_caption_adds),
    T(test_media_jpeg_gps_and_strip),
    T(test_media_png_strip_and_sniff),
    T(test_media_path_safety),
    T(test_fetcher_private_addresses),
    T(test_fetcher_address_table),
    T(test_report_codes),
    T(test_photo_then_caption_then_location),
    T(test_photos_join_duplicates_and_limit),
    T(test_status_and_list),
    T(test_workflow_pushes_and_points_once),
    T(test_followup_after_seven_days),
    T(test_nearby_reports_flagged),
    T(test_report_event_readers),
    T_END,
};
