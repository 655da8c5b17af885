/*
 * soak.c - crash safety under load. Client threads drive a mixed load through
 * the generic channel (texts, 报名 on a course made with the admin API, quiz
 * answers; every fourth sender then sends two photos, served by the fake
 * API's image route) with distinct ids while the main thread posts broadcasts and
 * SIGKILLs the server at random moments, restarting it on the same database
 * and port; clients re-send every message until it is answered 200, as
 * platforms do. Then it checks: every acknowledged message is in inbound
 * exactly once, points and bookings match what the replies promised, every
 * acknowledged photo created or joined exactly one report as its reply said
 * (one media row per photo, none doubled), every push reached the fake
 * platform exactly once (by idempotency key).
 * Usage: tests/soak/soak [kills] (env SOAK_KILLS, default 20). Exit 1 on a failed check.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "soak.h"

#define CLIENTS 16
#define MAX_SENDERS 100000
#define PHOTO_EVERY 4                /* senders k with k % PHOTO_EVERY == 0 also send photos */
#define PHOTO_CREATED "收到！回执号" /* content/reports.txt report.received */
#define PHOTO_JOINED "照片已加到"    /* report.photo_added */

/* What one sender was promised by the replies it got with a 200. */
struct promise {
    int acked;    /* messages answered 200 */
    int booked;   /* replies that said 报名成功 */
    int quiz_pts; /* sum of +N in 答对了 replies */
    int quiz_right;
    int photos;         /* photo messages answered 200 */
    int reports_opened; /* of them, replies that gave a new receipt code */
    int photos_joined;  /* replies that added the photo to the open report */
};

static struct srv S;
static int course_no, fake_port;
static atomic_int next_sender, senders_done;
static atomic_llong sent_tries, acked_total, retries;
static atomic_bool stop_load;
static struct promise promises[MAX_SENDERS];
static int fails, passes;

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: " __VA_ARGS__);                                                          \
            printf("\n");                                                                          \
            fails++;                                                                               \
        } else {                                                                                   \
            passes++;                                                                              \
        }                                                                                          \
    } while (0)

/* Send until 200, like a platform; returns the reply body. With photo
 * (a URL) the message carries it as media, and text may be NULL. */
static char *deliver_media(CURL *c, const char *id, const char *from, const char *text,
                           const char *photo)
{
    for (;;) {
        char *body = NULL;
        long st;
        atomic_fetch_add(&sent_tries, 1);
        if (photo == NULL) {
            st = say(c, S.port, id, from, text, &body);
        } else {
            json_t *o = json_pack("{s:s,s:s,s:s?,s:[{s:s,s:s}]}", "id", id, "from", from, "text",
                                  text, "media", "url", photo, "type", "image/jpeg");
            char *js = json_dumps(o, JSON_COMPACT);
            st = http(c, S.port, "POST", "/webhook/generic", js, NULL, &body);
            free(js);
            json_decref(o);
        }
        if (st == 200)
            return body;
        free(body);
        atomic_fetch_add(&retries, 1);
        msleep(st == 0 ? 20 : 5);
    }
}

static char *deliver(CURL *c, const char *id, const char *from, const char *text)
{
    return deliver_media(c, id, from, text, NULL);
}

static void note(struct promise *p, const char *reply)
{
    const char *q;
    p->acked++;
    if (strstr(reply, "报名成功") != NULL)
        p->booked++;
    q = strstr(reply, "答对了！+");
    if (q != NULL) {
        p->quiz_right++;
        p->quiz_pts += (int)strtol(q + strlen("答对了！+"), NULL, 10);
    }
}

static void *client_main(void *arg)
{
    CURL *c = curl_easy_init();
    char book[32];
    (void)arg;
    snprintf(book, sizeof book, "报名 %d", course_no);
    const char *script[] = {"你好", book,   "课 3", "答A",      "积分",
                            book,   "课 1", "答B",  "我的报名", "帮助"};
    const int nscript = (int)(sizeof script / sizeof script[0]);
    while (!atomic_load(&stop_load)) {
        int k = atomic_fetch_add(&next_sender, 1);
        if (k >= MAX_SENDERS)
            break;
        char from[32], id[64];
        snprintf(from, sizeof from, "w%d", k);
        for (int i = 0; i < nscript; i++) {
            snprintf(id, sizeof id, "s%d-%d", k, i);
            char *reply = deliver(c, id, from, script[i]);
            note(&promises[k], reply);
            atomic_fetch_add(&acked_total, 1);
            free(reply);
        }
        /* a photo with a caption opens a report; a second one within
         * report.join_seconds joins it (or, after a long stall, opens another) */
        for (int i = 0; k % PHOTO_EVERY == 0 && i < 2; i++) {
            char url[128];
            snprintf(id, sizeof id, "s%d-p%d", k, i);
            snprintf(url, sizeof url, "http://127.0.0.1:%d/mmbiz/w%d-%d.jpg", fake_port, k, i);
            char *reply = deliver_media(c, id, from, i == 0 ? "消防通道被堵" : NULL, url);
            note(&promises[k], reply);
            promises[k].photos++;
            if (strstr(reply, PHOTO_CREATED) != NULL)
                promises[k].reports_opened++;
            else if (strstr(reply, PHOTO_JOINED) != NULL)
                promises[k].photos_joined++;
            atomic_fetch_add(&acked_total, 1);
            free(reply);
        }
        atomic_fetch_add(&senders_done, 1);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static long long q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int admin_post(const char *path, const char *body, char **out)
{
    const char *h[] = {"Authorization: Bearer soak-admin-token-01", NULL};
    return (int)http(NULL, S.port, "POST", path, body, h, out);
}

/* Wait until the outbox has nothing left to send (or 120 s). */
static void wait_drained(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(S.db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return;
    sqlite3_busy_timeout(db, 5000);
    for (int i = 0; i < 1200; i++) {
        if (q1(db, "SELECT count(*) FROM outbox WHERE status IN ('queued','held','sending')") == 0)
            break;
        msleep(100);
    }
    sqlite3_close(db);
}

static void check_store(int nsenders)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long acked = 0, booked = 0, quiz = 0, pts = 0;
    if (sqlite3_open_v2(S.db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        EXPECT(0, "cannot open %s", S.db);
        return;
    }
    for (int k = 0; k < nsenders; k++) {
        acked += promises[k].acked;
        booked += promises[k].booked;
        quiz += promises[k].quiz_right;
        pts += promises[k].quiz_pts;
    }
    long long inbound =
        q1(db, "SELECT count(*) FROM inbound WHERE channel='generic' AND ext_id LIKE 's%'");
    long long distinct = q1(
        db,
        "SELECT count(DISTINCT ext_id) FROM inbound WHERE channel='generic' AND ext_id LIKE 's%'");
    printf("messages acknowledged %lld, in inbound %lld (distinct %lld)\n", acked, inbound,
           distinct);
    EXPECT(inbound == acked && distinct == acked, "inbound %lld/%lld, acknowledged %lld", inbound,
           distinct, acked);
    /* per sender: bookings and quiz points as promised */
    const char *sql =
        "SELECT p.ext_id,"
        " (SELECT count(*) FROM bookings b WHERE b.person_id=p.id AND b.status='seat'),"
        " (SELECT count(*) FROM points x WHERE x.person_id=p.id AND x.ref LIKE 'lesson:%'),"
        " (SELECT coalesce(sum(delta),0) FROM points x WHERE x.person_id=p.id AND x.ref LIKE "
        "'lesson:%'),"
        " (SELECT count(*) FROM inbound i WHERE i.person_id=p.id)"
        " FROM people p WHERE p.channel='generic' AND p.ext_id LIKE 'w%'";
    long long db_booked = 0, db_quiz = 0, db_pts = 0, people = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        EXPECT(0, "query: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int k = atoi((const char *)sqlite3_column_text(st, 0) + 1);
        long long b = sqlite3_column_int64(st, 1), n = sqlite3_column_int64(st, 2),
                  p = sqlite3_column_int64(st, 3), in = sqlite3_column_int64(st, 4);
        people++;
        db_booked += b;
        db_quiz += n;
        db_pts += p;
        if (k < 0 || k >= nsenders)
            continue;
        EXPECT(b == promises[k].booked, "w%d: %lld bookings, promised %d", k, b,
               promises[k].booked);
        EXPECT(n == promises[k].quiz_right && p == promises[k].quiz_pts,
               "w%d: %lld quiz entries (%lld points), promised %d (%d)", k, n, p,
               promises[k].quiz_right, promises[k].quiz_pts);
        EXPECT(in == promises[k].acked, "w%d: %lld inbound rows, %d acknowledged", k, in,
               promises[k].acked);
    }
    sqlite3_finalize(st);
    printf("senders %lld; bookings %lld (promised %lld); quiz points entries %lld = %lld points "
           "(promised %lld = %lld)\n",
           people, db_booked, booked, db_quiz, db_pts, quiz, pts);
    EXPECT(db_booked == booked && db_quiz == quiz && db_pts == pts, "totals differ");
    sqlite3_close(db);
}

/* Wait until no photo download is due (or 30 s), with the server running. */
static void wait_photos(void)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(S.db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return;
    sqlite3_busy_timeout(db, 5000);
    for (int i = 0; i < 300; i++) {
        if (q1(db, "SELECT count(*) FROM report_media WHERE status='pending'") == 0)
            break;
        msleep(100);
    }
    sqlite3_close(db);
}

/*
 * Photos: per photo sender, as many reports as replies gave receipt codes,
 * one media row per acknowledged photo (each URL once: no photo doubled or
 * attached to two reports), every reply either opened or joined; and the
 * downloads, which wait_photos let finish (rows a killed fetcher held stay
 * leased until their lease ends: counted apart).
 */
static void check_photos(int nsenders)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long photos = 0, opened = 0, joined = 0, db_reports = 0, db_media = 0, people = 0;
    if (sqlite3_open_v2(S.db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        EXPECT(0, "cannot open %s", S.db);
        return;
    }
    sqlite3_busy_timeout(db, 5000);
    for (int k = 0; k < nsenders; k++) {
        photos += promises[k].photos;
        opened += promises[k].reports_opened;
        joined += promises[k].photos_joined;
        EXPECT(promises[k].reports_opened + promises[k].photos_joined == promises[k].photos,
               "w%d: %d photos answered, %d opened and %d joined a report", k, promises[k].photos,
               promises[k].reports_opened, promises[k].photos_joined);
    }
    const char *sql = "SELECT p.ext_id,"
                      " (SELECT count(*) FROM reports r WHERE r.person_id=p.id),"
                      " (SELECT count(*) FROM report_media m WHERE m.person_id=p.id),"
                      " (SELECT count(DISTINCT m.url) FROM report_media m WHERE m.person_id=p.id),"
                      " (SELECT count(*) FROM report_media m JOIN reports r ON r.id=m.report_id"
                      "  WHERE m.person_id=p.id AND r.person_id<>p.id)"
                      " FROM people p WHERE p.channel='generic' AND p.ext_id LIKE 'w%'";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        EXPECT(0, "query: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        int k = atoi((const char *)sqlite3_column_text(st, 0) + 1);
        long long r = sqlite3_column_int64(st, 1), m = sqlite3_column_int64(st, 2),
                  urls = sqlite3_column_int64(st, 3), foreign = sqlite3_column_int64(st, 4);
        db_reports += r;
        db_media += m;
        if (r > 0)
            people++;
        if (k < 0 || k >= nsenders)
            continue;
        EXPECT(r == promises[k].reports_opened, "w%d: %lld reports, replies opened %d", k, r,
               promises[k].reports_opened);
        EXPECT(m == promises[k].photos && urls == m, "w%d: %lld media rows (%lld urls), %d photos",
               k, m, urls, promises[k].photos);
        EXPECT(foreign == 0, "w%d: %lld photos on someone else's report", k, foreign);
    }
    sqlite3_finalize(st);
    printf("photos acknowledged %lld: %lld opened a report, %lld joined one; reports %lld from "
           "%lld senders, media rows %lld\n",
           photos, opened, joined, db_reports, people, db_media);
    EXPECT(db_reports == opened && db_media == photos, "photo totals differ");
    long long ok = q1(db, "SELECT count(*) FROM report_media WHERE status='ok'");
    long long failed = q1(db, "SELECT count(*) FROM report_media WHERE status='failed'");
    long long pending = q1(db, "SELECT count(*) FROM report_media WHERE status='pending'");
    long long leased = q1(db, "SELECT count(*) FROM report_media WHERE status='fetching'");
    printf("photo downloads: ok %lld, failed %lld, pending %lld, leased by a killed fetcher "
           "%lld\n",
           ok, failed, pending, leased);
    EXPECT(failed == 0 && pending == 0, "photo downloads failed %lld, pending %lld", failed,
           pending);
    sqlite3_close(db);
}

/* Every outbox row sent or merged, and each sent row's key at the fake
 * platform; a repeat is allowed only with the same key (the crash window). */
static void check_pushes(const struct fake *f)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    FILE *rf = fopen(f->record, "r");
    json_t *keys = json_object(); /* key -> times seen */
    char *line = NULL;
    size_t cap = 0;
    long long records = 0, repeats = 0, missing = 0, unknown = 0;
    while (rf != NULL && getline(&line, &cap, rf) > 0) {
        json_t *r = json_loads(line, 0, NULL);
        const char *k = json_string_value(json_object_get(r, "key"));
        records++;
        if (k != NULL) {
            json_int_t n = json_integer_value(json_object_get(keys, k));
            if (n > 0)
                repeats++;
            json_object_set_new(keys, k, json_integer(n + 1));
        }
        json_decref(r);
    }
    free(line);
    if (rf)
        fclose(rf);
    if (sqlite3_open_v2(S.db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return;
    long long rows = q1(db, "SELECT count(*) FROM outbox");
    long long sent = q1(db, "SELECT count(*) FROM outbox WHERE status='sent'");
    long long merged = q1(db, "SELECT count(*) FROM outbox WHERE status='merged'");
    /* rows folded into a carrier (merged_into) follow its status: they were
     * delivered inside the carrier's message, under the carrier's key */
    long long folded = q1(db, "SELECT count(*) FROM outbox WHERE merged_into IS NOT NULL");
    long long orphans = q1(db, "SELECT count(*) FROM outbox o WHERE merged_into IS NOT NULL AND"
                               " NOT EXISTS (SELECT 1 FROM outbox c WHERE c.id=o.merged_into AND"
                               " c.status=o.status AND c.merged_into IS NULL)");
    long long bcs = q1(db, "SELECT count(*) FROM broadcasts");
    if (sqlite3_prepare_v2(
            db, "SELECT idem_key FROM outbox WHERE status='sent' AND merged_into IS NULL", -1, &st,
            NULL) == SQLITE_OK) {
        json_t *seen = json_object();
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *k = (const char *)sqlite3_column_text(st, 0);
            if (json_object_get(keys, k) == NULL)
                missing++;
            json_object_set_new(seen, k, json_true());
        }
        const char *k;
        json_t *v;
        json_object_foreach(keys, k, v)
        {
            (void)v;
            if (json_object_get(seen, k) == NULL)
                unknown++;
        }
        json_decref(seen);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("broadcasts %lld; outbox rows %lld: sent %lld (%lld of them folded into another "
           "row's message), merged %lld; fake platform got %lld requests, %zu distinct keys, %lld "
           "repeats with the same key\n",
           bcs, rows, sent, folded, merged, records, json_object_size(keys), repeats);
    EXPECT(sent + merged == rows, "%lld outbox rows neither sent nor merged", rows - sent - merged);
    EXPECT(orphans == 0, "%lld folded rows whose carrier was not sent", orphans);
    sent -= folded;
    EXPECT(missing == 0, "%lld sent rows never reached the fake platform", missing);
    EXPECT(unknown == 0, "%lld keys at the fake platform match no sent row", unknown);
    EXPECT((long long)json_object_size(keys) == sent, "distinct keys %zu, sent rows %lld",
           json_object_size(keys), sent);
    json_decref(keys);
}

int main(int argc, char **argv)
{
    struct fake f = {0};
    pthread_t th[CLIENTS];
    char fakeurl[96], *out = NULL;
    int kills = argc > 1 ? atoi(argv[1]) : getenv("SOAK_KILLS") ? atoi(getenv("SOAK_KILLS")) : 20;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)getpid());
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (srv_init(&S) == -1 || fake_start(&f, S.dir) == -1)
        return 1;
    snprintf(fakeurl, sizeof fakeurl, "generic.outbound_url=http://127.0.0.1:%d/send", f.port);
    const char *sets[] = {"log_level=warn",
                          "admin.token=soak-admin-token-01",
                          "push.quiet=",
                          "push.rush=",
                          "generic.rate=100000",
                          "generic.recipient_rate=100000",
                          "throttle.per_minute=0",
                          "media.allow_private=true", /* the fake API's image is on loopback */
                          "media.backoff_base=1",
                          fakeurl,
                          NULL};
    memcpy(S.sets, sets, sizeof sets);
    fake_port = f.port;
    if (srv_start(&S) == -1)
        return 1;
    if (admin_post("/admin/api/courses",
                   "{\"title\":\"soak\",\"place\":\"p\",\"start\":\"2030-01-01 10:00\","
                   "\"end\":\"2030-01-01 12:00\",\"capacity\":100000}",
                   &out) != 201) {
        printf("cannot create the course: %s\n", out);
        return 1;
    }
    json_t *cr = json_loads(out, 0, NULL);
    course_no = (int)json_integer_value(json_object_get(cr, "no"));
    json_decref(cr);
    free(out);
    printf("soak: %d kills, %d clients, course %d, server %s\n", kills, CLIENTS, course_no, S.dir);
    double t0 = mono_ms();
    for (int i = 0; i < CLIENTS; i++)
        pthread_create(&th[i], NULL, client_main, NULL);
    int done = 0, bcs = 0, bc_lost = 0;
    while (done < kills) {
        msleep(100 + rand() % 700);
        if (rand() % 3 == 0) { /* a broadcast; not retried: an admin POST is not idempotent */
            char *bo = NULL;
            int st = admin_post("/admin/api/broadcasts",
                                "{\"text\":\"今晚8点安全培训\",\"audience\":\"all\"}", &bo);
            if (st == 202 || st == 201 || st == 200)
                bcs++;
            else
                bc_lost++;
            free(bo);
            msleep(rand() % 50); /* kill while its pushes are in flight */
        }
        srv_stop(&S, SIGKILL);
        done++;
        if (srv_start(&S) == -1)
            return 1;
    }
    atomic_store(&stop_load, true);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(th[i], NULL);
    double t1 = mono_ms();
    int nsenders = atomic_load(&senders_done);
    wait_drained();
    wait_photos();
    int rc = srv_stop(&S, SIGTERM);
    EXPECT(rc == 0, "server exit status %d on SIGTERM", rc);
    fake_stop(&f);
    printf("%d kills in %.1f s; %d senders, %lld messages acknowledged after %lld sends "
           "(%lld re-sent); broadcasts answered %d, unanswered %d\n",
           done, (t1 - t0) / 1000, nsenders, (long long)acked_total, (long long)sent_tries,
           (long long)retries, bcs, bc_lost);
    check_store(nsenders);
    check_photos(nsenders);
    check_pushes(&f);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "grep -h ' error ' '%s'/serve-*.log | head -5", S.dir);
    if (system(cmd) != 0)
        printf("(grep failed)\n");
    printf("soak: %s\n", fails ? "FAILED" : "ok");
    printf("%d passed, %d failed\n", passes, fails);
    if (fails == 0) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", S.dir);
        if (system(cmd) != 0)
            printf("could not remove %s\n", S.dir);
    }
    curl_global_cleanup();
    return fails ? 1 : 0;
}
