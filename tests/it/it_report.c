/*
 * it_report.c - 随手拍 against the real server, with a loopback image server
 * (libmicrohttpd, in this process) that serves a real JPEG with EXIF GPS, a
 * PNG, a file lying about its type, an oversized file, a slow answer, a
 * redirect loop and a 404. Each photo must end in the right report state, the
 * in-band reply must come at once in every case, stored files are named only
 * by SHA-256 (0600 in 0700 directories), and the admin API serves them.
 */
#include <dirent.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "buf.h"
#include "content.h"
#include "it.h"
#include "t.h"
#include "util.h"

#define TOKEN "it-admin-token-0001"

struct imgsrv {
    struct MHD_Daemon *d;
    int port;
    char *jpg, *png;
    size_t jpg_len, png_len;
};

static char *load_bin(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[4096];
    size_t k;
    buf_init(&b, 0);
    if (f != NULL) {
        while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_append(&b, chunk, k);
        fclose(f);
    }
    *n = b.len;
    return buf_take(&b);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status, const char *type,
                             const void *data, size_t n, const char *location)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(n, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (type)
        MHD_add_response_header(r, "Content-Type", type);
    if (location)
        MHD_add_response_header(r, "Location", location);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **ctx)
{
    struct imgsrv *s = cls;
    (void)method, (void)version, (void)upload, (void)upload_size, (void)ctx;
    if (strncmp(url, "/gps", 4) == 0) /* /gps.jpg, /gps-copy.jpg: the same bytes */
        return reply(c, 200, "image/jpeg", s->jpg, s->jpg_len, NULL);
    if (strcmp(url, "/a.png") == 0)
        return reply(c, 200, "image/png", s->png, s->png_len, NULL);
    if (strcmp(url, "/liar.jpg") == 0) {
        static const char html[] = "<html><body>not a photo</body></html>";
        return reply(c, 200, "image/jpeg", html, sizeof html - 1, NULL);
    }
    if (strcmp(url, "/big.jpg") == 0) {
        size_t n = 300 * 1024;
        char *big = xcalloc(1, n);
        memcpy(big, s->jpg, 64); /* starts like a JPEG: only the size is wrong */
        enum MHD_Result rc = reply(c, 200, "image/jpeg", big, n, NULL);
        free(big);
        return rc;
    }
    if (strcmp(url, "/slow.jpg") == 0) {
        msleep(2500); /* longer than the server's media.timeout */
        return reply(c, 200, "image/jpeg", s->jpg, s->jpg_len, NULL);
    }
    if (strcmp(url, "/loop") == 0)
        return reply(c, 302, "text/plain", "", 0, "/loop");
    return reply(c, 404, "text/plain", "not found", 9, NULL);
}

static int imgsrv_start(struct imgsrv *s)
{
    memset(s, 0, sizeof *s);
    s->jpg = load_bin("tests/data/reports/gps.jpg", &s->jpg_len);
    s->png = load_bin("tests/data/reports/a.png", &s->png_len);
    if (s->jpg_len == 0 || s->png_len == 0)
        return -1;
    s->d =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
                         NULL, serve, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
    if (s->d == NULL)
        return -1;
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = i ? i->port : 0;
    return s->port > 0 ? 0 : -1;
}

static void imgsrv_stop(struct imgsrv *s)
{
    if (s->d)
        MHD_stop_daemon(s->d);
    free(s->jpg);
    free(s->png);
}

/* POST a photo message; fails the test unless the answer is 200. Returns
 * the first reply (new string). */
static char *send_photo(int port, const char *id, const char *from, const char *caption,
                        const char *url)
{
    json_t *o = json_pack("{s:s,s:s,s:[{s:s,s:s}]}", "id", id, "from", from, "media", "url", url,
                          "type", "image/jpeg");
    if (caption)
        json_object_set_new(o, "text", json_string(caption));
    char *body = json_dumps(o, 0);
    /* No time limit here (a slow machine or valgrind is no failure): that
     * the reply does not wait for the download is checked on a photo host
     * that answers slowly (test_report_photo_server_cases). */
    struct resp r = post(port, body);
    if (r.status != 200) {
        printf("%s: photo %s: %ld: %s\n", t_current, url, r.status, r.body);
        t_failed++;
    }
    json_t *j = json_loads(r.body, 0, NULL);
    const char *t = json_string_value(
        json_object_get(json_array_get(json_object_get(j, "replies"), 0), "text"));
    char *out = xstrdup(t ? t : "(no reply)");
    json_decref(j);
    json_decref(o);
    free(body);
    free(r.body);
    return out;
}

/* Wait until no photo download is pending (or 20 s). */
static void wait_fetched(const struct server *s)
{
    for (int i = 0; i < 200; i++) {
        if (db_count(s, "SELECT count(*) FROM report_media WHERE status IN"
                        " ('pending','fetching')") == 0)
            return;
        msleep(100);
    }
    printf("%s: photo downloads still pending\n", t_current);
    t_failed++;
}

struct bin {
    long status;
    char type[64];
    struct buf body;
};

static size_t on_bin(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

/* GET path from the server with the admin token (or none). */
static void get_bin(int port, const char *path, bool token, struct bin *out)
{
    char url[300];
    struct curl_slist *hl = NULL;
    char *ctype = NULL;
    memset(out, 0, sizeof *out);
    buf_init(&out->body, 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    if (token)
        hl = curl_slist_append(hl, "Authorization: Bearer " TOKEN);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_bin);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
        snprintf(out->type, sizeof out->type, "%s", ctype ? ctype : "");
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
}

static bool bin_has(const struct bin *b, const char *s)
{
    size_t m = strlen(s);
    for (size_t i = 0; b->body.data && i + m <= b->body.len; i++)
        if (memcmp(b->body.data + i, s, m) == 0)
            return true;
    return false;
}

static bool is_hex(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
            return false;
    return true;
}

/* Every stored file is dir/xx/<64 hex> with mode 0600 in 0700 directories. */
static int check_media_tree(const char *dir)
{
    struct stat sb;
    int files = 0;
    DIR *d = opendir(dir);
    if (d == NULL || stat(dir, &sb) != 0 || (sb.st_mode & 0777) != 0700) {
        printf("%s: %s missing or not 0700\n", t_current, dir);
        t_failed++;
        if (d)
            closedir(d);
        return 0;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        CHECK(is_hex(e->d_name, 2));
        CHECK(stat(sub, &sb) == 0 && (sb.st_mode & 0777) == 0700);
        DIR *d2 = opendir(sub);
        for (struct dirent *f; d2 && (f = readdir(d2)) != NULL;) {
            if (strcmp(f->d_name, ".") == 0 || strcmp(f->d_name, "..") == 0)
                continue;
            char path[1400];
            snprintf(path, sizeof path, "%s/%s", sub, f->d_name);
            CHECK(is_hex(f->d_name, 64));
            CHECK(strncmp(f->d_name, e->d_name, 2) == 0);
            CHECK(stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && (sb.st_mode & 0777) == 0600);
            files++;
        }
        if (d2)
            closedir(d2);
    }
    closedir(d);
    return files;
}

static void test_report_photo_server_cases(void)
{
    struct imgsrv img;
    struct server s;
    const char *sets[] = {"media.allow_private=true", "media.max_bytes=100000", "media.timeout=1",
                          "media.max_attempts=2",     "media.backoff_base=1",   "push.quiet=",
                          "report.join_seconds=1",    "admin.token=" TOKEN,     NULL};
    CHECK_INT(imgsrv_start(&img), 0);
    CHECK_INT(server_start(&s, sets), 0);
    static const struct {
        const char *path, *from;
    } cases[] = {{"/gps.jpg", "u-gps"},    {"/a.png", "u-png"},     {"/liar.jpg", "u-liar"},
                 {"/big.jpg", "u-big"},    {"/slow.jpg", "u-slow"}, {"/loop", "u-loop"},
                 {"/missing.jpg", "u-404"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char url[200], id[32], want[16];
        snprintf(url, sizeof url, "http://127.0.0.1:%d%s", img.port, cases[i].path);
        snprintf(id, sizeof id, "p-%zu", i);
        snprintf(want, sizeof want, "SP%04zu", i + 1);
        char *r = send_photo(s.port, id, cases[i].from, "井盖坏了", url);
        CHECK_HAS(r, want);
        free(r);
        /* the slow host (2.5 s an answer, media.timeout 1 s, two tries):
         * the receipt came while its download is still to finish */
        if (strcmp(cases[i].path, "/slow.jpg") == 0)
            CHECK_INT(db_count(&s, "SELECT count(*) FROM report_media m JOIN reports r ON"
                                   " r.id=m.report_id WHERE r.code='SP0005' AND m.status IN"
                                   " ('pending','fetching')"),
                      1);
    }
    wait_fetched(&s);
    /* the JPEG: stored, position from EXIF */
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE code='SP0001' AND"
                           " photo_status='ok' AND loc_source='exif' AND abs(lat-32.0425)<1e-6"
                           " AND abs(lon-112.1441)<1e-6"),
              1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_media WHERE report_id=1 AND"
                           " mime='image/jpeg' AND sha256<>clean_sha256 AND exif_lat IS NOT NULL"),
              1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_media WHERE report_id=2 AND"
                           " status='ok' AND mime='image/png'"),
              1);
    /* each failure is final, marked on the report, and the reporter is told */
    static const char *const fails[][2] = {{"3", "not a JPEG, PNG or WebP%"},
                                           {"4", "larger than 100000 bytes"},
                                           {"5", "%timed out%"},
                                           {"6", "%edirect%"},
                                           {"7", "HTTP 404"}};
    for (size_t i = 0; i < sizeof fails / sizeof fails[0]; i++) {
        char sql[300];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM report_media m JOIN reports r ON r.id=m.report_id"
                 " WHERE r.id=%s AND m.status='failed' AND r.photo_status='failed'"
                 " AND m.last_error LIKE '%s'",
                 fails[i][0], fails[i][1]);
        if (db_count(&s, sql) != 1) {
            printf("%s: report %s: want a failed photo with error like '%s'\n", t_current,
                   fails[i][0], fails[i][1]);
            t_failed++;
        }
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM outbox WHERE idem_key LIKE 'report-photo-failed:%%'"
                 " AND person_id=(SELECT person_id FROM reports WHERE id=%s)",
                 fails[i][0]);
        CHECK_INT(db_count(&s, sql), 1);
    }
    /* the slow one was tried twice (timeout, retry), the 404 once */
    CHECK_INT(db_count(&s, "SELECT attempts FROM report_media WHERE report_id=5"), 2);
    CHECK_INT(db_count(&s, "SELECT attempts FROM report_media WHERE report_id=7"), 1);
    /* files: original and stripped copy of 2 photos, named only by hash */
    char media[300];
    snprintf(media, sizeof media, "%s/media", s.dir);
    CHECK_INT(check_media_tree(media), 4);

    /* the same photo again from another URL, after the join time: merged */
    msleep(1200);
    char url[200];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/gps-copy.jpg", img.port);
    char *r = send_photo(s.port, "p-copy", "u-gps", NULL, url);
    CHECK_HAS(r, "SP0008");
    free(r);
    wait_fetched(&s);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE id=8 AND status='merged'"
                           " AND merged_into=1"),
              1);
    CHECK_INT(check_media_tree(media), 4); /* content-addressed: nothing new */
    /* and the same URL again: the existing receipt at once */
    r = send_photo(s.port, "p-again", "u-gps", NULL, url);
    CHECK_HAS(r, "SP0001"); /* SP0008 was merged into it */
    free(r);

    /* admin API: list, CSV, one report with media links, the files */
    const char *auth[] = {"Authorization: Bearer " TOKEN, NULL};
    struct resp l = request(s.port, "GET", "/admin/api/reports?status=received", NULL, auth);
    CHECK_INT(l.status, 200);
    CHECK_HAS(l.body, "\"SP0001\"");
    CHECK(strstr(l.body, "SP0008") == NULL);
    free(l.body);
    l = request(s.port, "GET", "/admin/api/reports?format=csv&since=0", NULL, auth);
    CHECK_HAS(l.body, "code,status,photo_status");
    CHECK_HAS(l.body, "SP0008,merged");
    free(l.body);
    check_status(s.port, "GET", "/admin/api/reports?status=nope", NULL, auth, 400, "status");
    check_status(s.port, "GET", "/admin/api/reports", NULL, NULL, 401, NULL);
    struct resp one = request(s.port, "GET", "/admin/api/reports/sp0001", NULL, auth);
    CHECK_INT(one.status, 200);
    json_t *j = json_loads(one.body, 0, NULL);
    json_t *m0 = json_array_get(json_object_get(j, "media"), 0);
    const char *share = json_string_value(json_object_get(m0, "shareable_url"));
    const char *orig = json_string_value(json_object_get(m0, "original_url"));
    CHECK(json_array_size(json_object_get(j, "history")) >= 1);
    CHECK(share != NULL && orig != NULL);
    /* a photo's wire shape: its keys in order, and their jansson types
     * (2 string, 3 integer, 4 real, 7 null: no error) */
    struct buf keys;
    buf_init(&keys, 0);
    const char *key;
    json_t *val;
    json_object_foreach(m0, key, val) buf_printf(&keys, "%s:%d ", key, (int)json_typeof(val));
    CHECK_STR(keys.data, "url:2 status:2 attempts:3 error:7 sha256:2 clean_sha256:2 mime:2"
                         " bytes:3 exif_lat:4 exif_lon:4 original_url:2 shareable_url:2 ");
    buf_release(&keys);
    /* the list names the first photo's original, for a thumbnail */
    l = request(s.port, "GET", "/admin/api/reports?limit=1000", NULL, auth);
    json_t *lj = json_loads(l.body ? l.body : "", 0, NULL), *it;
    size_t k;
    bool seen = false;
    json_array_foreach(json_object_get(lj, "items"), k, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "code")), "SP0001") != 0)
            continue;
        seen = true;
        /* a row's wire shape: keys in order with their jansson types (2
         * string, 3 integer, 4 real, 6 false, 7 null) */
        struct buf rk;
        buf_init(&rk, 0);
        json_object_foreach(it, key, val) buf_printf(&rk, "%s:%d ", key, (int)json_typeof(val));
        CHECK_STR(rk.data, "code:2 status:2 photo_status:2 description:2 created_ms:3"
                           " updated_ms:3 reporter:2 possible_duplicate_of:7 merged_into:7"
                           " reopened:6 photo_sha256:2 photos:3 category:7 district:2 body:7"
                           " observer:6 area:7 lat:4 lon:4 photo_url:2 ");
        buf_release(&rk);
        CHECK_STR(json_string_value(json_object_get(it, "photo_url")), orig);
        CHECK_INT(json_integer_value(json_object_get(it, "photos")), 1);
    }
    CHECK(seen);
    json_decref(lj);
    free(l.body);
    if (share != NULL && orig != NULL) {
        struct bin b;
        get_bin(s.port, share, true, &b);
        CHECK_INT(b.status, 200);
        CHECK_STR(b.type, "image/jpeg");
        CHECK(b.body.len > 2 && (unsigned char)b.body.data[0] == 0xff);
        CHECK(!bin_has(&b, "Exif"));
        buf_release(&b.body);
        get_bin(s.port, orig, true, &b);
        CHECK_INT(b.status, 200);
        CHECK(bin_has(&b, "Exif")); /* the evidence is kept as sent */
        CHECK_INT(b.body.len, img.jpg_len);
        buf_release(&b.body);
        get_bin(s.port, orig, false, &b);
        CHECK_INT(b.status, 401);
        buf_release(&b.body);
    }
    json_decref(j);
    free(one.body);
    struct bin b;
    static const char *const bad[] = {
        "/admin/api/media/../../y.db",
        "/admin/api/media/..%2f..%2fy.db",
        "/admin/api/media/%2e%2e/y.db",
        "/admin/api/media/y.db",
        "/admin/api/media/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
        "/admin/api/media/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/",
        NULL};
    for (int i = 0; bad[i] != NULL; i++) {
        get_bin(s.port, bad[i], true, &b);
        CHECK(b.status == 404 || b.status == 400);
        buf_release(&b.body);
        get_bin(s.port, bad[i], false, &b); /* no token: refused before the name is read */
        CHECK_INT(b.status, 401);
        buf_release(&b.body);
    }
    get_bin(s.port,
            "/admin/api/media/0000000000000000000000000000000000000000000000000000000000000000",
            true, &b);
    CHECK_INT(b.status, 404);
    buf_release(&b.body);

    /* status changes: points once, reasons required, merges */
    /* the history names who signed in, never a name the caller sends */
    check_status(s.port, "POST", "/admin/api/reports/SP0002/status",
                 "{\"status\":\"accepted\",\"by\":\"王主任\"}", auth, 400, "'by'");
    check_status(s.port, "POST", "/admin/api/reports/SP0002/status", "{\"status\":\"accepted\"}",
                 auth, 200, "\"changed\":true");
    check_status(s.port, "POST", "/admin/api/reports/SP0002/status", "{\"status\":\"accepted\"}",
                 auth, 200, "\"changed\":false");
    check_status(s.port, "POST", "/admin/api/reports/SP0003/status", "{\"status\":\"rejected\"}",
                 auth, 400, "note");
    check_status(s.port, "POST", "/admin/api/reports/SP0003/status",
                 "{\"status\":\"rejected\",\"note\":\"照片没收到，请重发\"}", auth, 200, "true");
    check_status(s.port, "POST", "/admin/api/reports/SP0003/status", "{\"status\":\"resolved\"}",
                 auth, 409, "not allowed");
    check_status(s.port, "POST", "/admin/api/reports/SP0099/status", "{\"status\":\"resolved\"}",
                 auth, 404, NULL);
    check_status(s.port, "POST", "/admin/api/reports/SP0004/merge", "{\"into\":\"SP0002\"}", auth,
                 200, "true");
    check_status(s.port, "GET", "/admin/api/reports/SP0002/status", NULL, auth, 405, NULL);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM points WHERE ref='report:SP0002'"), 1);
    /* the acceptance and the merge into it, both by the signed-in role */
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_history WHERE report_id=2 AND"
                           " actor='client:admin.token' AND status='accepted'"),
              2);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM report_history WHERE actor LIKE '%王主任%'"), 0);
    /* the reporter sees it */
    char *st = say_to(s.port, "q-1", "u-png", "进度 SP0002");
    CHECK_HAS(st, "SP0002");
    free(st);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
    imgsrv_stop(&img);
}

/* Admin chat commands over the webhook, and the caption follow-up. */
static void test_report_chat_commands(void)
{
    struct server s;
    /* loopback allowed: the photo host is absent (retried), not refused */
    const char *sets[] = {"generic.secret=" IT_SECRET, "admin.chat_ids=generic:boss",
                          "push.quiet=", "media.allow_private=true", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    /* a photo host that is not there: the reply still comes at once */
    char *r = send_photo(s.port, "c-1", "u-1", NULL, "http://127.0.0.1:9/x.jpg");
    CHECK_HAS(r, "SP0001");
    free(r);
    r = say_to(s.port, "c-2", "u-1", "楼道里的灭火器过期了");
    char *want =
        content_render(ct, "report.caption_added", (const char *const[]){"code", "SP0001", NULL});
    CHECK_STR(r, want);
    free(want);
    free(r);
    r = say_to(s.port, "c-3", "u-2", "#受理 SP0001");
    char *fb = text_of("fallback");
    CHECK_STR(r, fb);
    free(fb);
    free(r);
    r = say_to(s.port, "c-4", "boss", "#受理 sp0001");
    CHECK_HAS(r, "SP0001");
    free(r);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE status='accepted'"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM points WHERE ref='report:SP0001'"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM outbox WHERE text LIKE '%SP0001%'"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* One good and one failed photo of a report: it goes on with the good one
 * (it stayed photo_status pending for good) and the reporter is told once. */
static void test_report_one_good_one_failed_photo(void)
{
    struct imgsrv img;
    struct server s;
    const char *sets[] = {"media.allow_private=true", "media.max_attempts=1",
                          "report.join_seconds=60", "push.quiet=", NULL};
    char url[200];
    CHECK_INT(imgsrv_start(&img), 0);
    CHECK_INT(server_start(&s, sets), 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/a.png", img.port);
    char *r = send_photo(s.port, "g-1", "u-two", "井盖坏了", url);
    CHECK_HAS(r, "SP0001");
    free(r);
    wait_fetched(&s);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/missing.jpg", img.port);
    r = send_photo(s.port, "g-2", "u-two", NULL, url);
    CHECK_HAS(r, "SP0001");
    free(r);
    wait_fetched(&s);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM reports WHERE photo_status='ok'"), 1);
    CHECK_INT(
        db_count(&s, "SELECT count(*) FROM outbox WHERE idem_key LIKE 'report-photo-partly:%'"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
    imgsrv_stop(&img);
}

const struct t_case it_report_tests[] = {
    T(test_report_one_good_one_failed_photo),
    T(test_report_photo_server_cases),
    T(test_report_chat_commands),
    T_END,
};
