/*
 * itest.c - integration tests against the real ./yizhan serve on a free
 * loopback port with a temporary database: status codes, signatures,
 * idempotent replays (also 20 concurrent copies), opt-out/opt-in, menu
 * numbers, `more`, and a graceful stop with a request in flight.
 * Reply texts are read from content/ so rewording never breaks a test.
 * Ends with "N passed, N failed".
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "content.h"
#include "crypto.h"
#include "t.h"
#include "util.h"

int t_failed;
const char *t_current;
static struct content *ct;

struct server {
    pid_t pid;
    int port;
    char dir[128], log[192], db[192];
};

static void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    struct buf b;
    char chunk[4096];
    size_t n;
    buf_init(&b, 0);
    if (f != NULL) {
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            buf_append(&b, chunk, n);
        fclose(f);
    }
    return buf_take(&b);
}

/* Start ./yizhan serve with extra "key=value" settings (NULL-terminated). */
static int server_start(struct server *s, const char *const *sets)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/yizhan-it-XXXXXX");
    if (mkdtemp(s->dir) == NULL)
        return -1;
    snprintf(s->log, sizeof s->log, "%s/serve.log", s->dir);
    snprintf(s->db, sizeof s->db, "%s/y.db", s->dir);
    char *argv[64];
    int n = 0;
    char dbset[256], mediaset[256];
    snprintf(dbset, sizeof dbset, "database=%s", s->db);
    snprintf(mediaset, sizeof mediaset, "media_dir=%s/media", s->dir);
    argv[n++] = "./yizhan";
    argv[n++] = "serve";
    argv[n++] = "--set";
    argv[n++] = "listen=127.0.0.1:0";
    argv[n++] = "--set";
    argv[n++] = dbset;
    argv[n++] = "--set";
    argv[n++] = mediaset;
    for (int i = 0; sets && sets[i] && n < 60; i++) {
        argv[n++] = "--set";
        argv[n++] = (char *)sets[i];
    }
    argv[n] = NULL;
    s->pid = fork();
    if (s->pid == -1)
        return -1;
    if (s->pid == 0) {
        FILE *f = freopen(s->log, "w", stderr);
        if (f == NULL)
            _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        char *log = read_file(s->log);
        char *p = strstr(log, "listening on 127.0.0.1:");
        if (p != NULL)
            s->port = atoi(p + strlen("listening on 127.0.0.1:"));
        free(log);
        if (s->port > 0)
            return 0;
        msleep(50);
    }
    printf("server did not start; log:\n");
    char *log = read_file(s->log);
    printf("%s\n", log);
    free(log);
    return -1;
}

/* Stop with sig, wait; returns the exit status (or -1). Fails the test on any
 * error line in the log. */
static int server_stop(struct server *s, int sig)
{
    int status = -1;
    if (s->pid > 0) {
        kill(s->pid, sig);
        for (int i = 0; i < 300; i++) {
            if (waitpid(s->pid, &status, WNOHANG) == s->pid)
                break;
            msleep(50);
        }
    }
    char *log = read_file(s->log);
    if (strstr(log, "Z error ") != NULL) {
        printf("%s: error line in the server log:\n%s\n", t_current, log);
        t_failed++;
    }
    free(log);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void server_cleanup(struct server *s)
{
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", s->dir);
}

struct resp {
    long status;
    char *body;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

/* One request; headers is a NULL-terminated list of "Name: value". */
static struct resp request(int port, const char *method, const char *path, const char *body,
                           const char *const *headers)
{
    struct resp r = {0, NULL};
    struct buf out;
    char url[256];
    struct curl_slist *hl = NULL;
    buf_init(&out, 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    r.body = buf_take(&out);
    return r;
}

static struct resp post(int port, const char *body)
{
    return request(port, "POST", "/webhook/generic", body, NULL);
}

/* POST {"id","from","text"} and return the first reply's text (new string). */
static char *say_to(int port, const char *id, const char *from, const char *text)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "id", id, "from", from, "text", text);
    char *body = json_dumps(o, 0);
    struct resp r = post(port, body);
    char *reply = NULL;
    json_t *j = json_loads(r.body, 0, NULL);
    json_t *t = json_object_get(json_array_get(json_object_get(j, "replies"), 0), "text");
    if (r.status == 200 && json_is_string(t))
        reply = xstrdup(json_string_value(t));
    else
        printf("%s: POST %s got %ld %s\n", t_current, body, r.status, r.body);
    json_decref(j);
    json_decref(o);
    free(body);
    free(r.body);
    return reply ? reply : xstrdup("(no reply)");
}

static long long db_count(const struct server *s, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_open_v2(s->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    else
        printf("%s: db_count(%s): %s\n", t_current, sql, db ? sqlite3_errmsg(db) : "?");
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static char *text_of(const char *key)
{
    return content_render(ct, key, NULL);
}

static void check_status(int port, const char *method, const char *path, const char *body,
                         const char *const *headers, long want, const char *want_error)
{
    struct resp r = request(port, method, path, body, headers);
    if (r.status != want) {
        printf("%s: %s %s %s: got %ld %s, want %ld\n", t_current, method, path,
               body ? body : "", r.status, r.body, want);
        t_failed++;
    } else if (want_error != NULL && strstr(r.body, want_error) == NULL) {
        printf("%s: %s %s: body %s lacks %s\n", t_current, method, path, r.body, want_error);
        t_failed++;
    }
    free(r.body);
}

static void test_status_codes_write_nothing_on_error(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    check_status(s.port, "POST", "/webhook/generic", "{bad", NULL, 400, "malformed JSON");
    check_status(s.port, "POST", "/webhook/generic", "{\"from\":\"u\",\"text\":\"x\"}", NULL, 400,
                 "'id' missing");
    check_status(s.port, "POST", "/webhook/generic", "{\"id\":\"1\",\"text\":\"x\"}", NULL, 400,
                 "'from' missing");
    check_status(s.port, "POST", "/webhook/generic", "{\"id\":\"1\",\"from\":\"u\"}", NULL, 400,
                 "need 'text'");
    check_status(s.port, "POST", "/webhook/generic", "[]", NULL, 400, "JSON object");
    check_status(s.port, "GET", "/webhook/generic", NULL, NULL, 405, "not allowed");
    check_status(s.port, "PUT", "/webhook/generic", "{}", NULL, 405, "not allowed");
    check_status(s.port, "POST", "/nowhere", "{}", NULL, 404, "no such route");
    check_status(s.port, "POST", "/healthz", "{}", NULL, 405, NULL);
    /* 413 from Content-Length, without reading the body */
    char *big = xmalloc(70000);
    memset(big, 'a', 69999);
    big[69999] = '\0';
    check_status(s.port, "POST", "/webhook/generic", big, NULL, 413, "too large");
    free(big);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 0);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM people"), 0);
    check_status(s.port, "POST", "/webhook/generic",
                 "{\"id\":\"m-1\",\"from\":\"u-42\",\"name\":\"张师傅\",\"text\":\"积分\"}", NULL,
                 200, "replies");
    check_status(s.port, "GET", "/healthz", NULL, NULL, 200, "ok");
    struct resp m = request(s.port, "GET", "/metrics", NULL, NULL);
    CHECK_HAS(m.body, "yizhan_http_requests_total{route=\"/webhook/generic\",status=\"400\"} 5");
    CHECK_HAS(m.body, "yizhan_messages_total{intent=\"points.balance\"} 1");
    CHECK_HAS(m.body, "yizhan_http_request_seconds_bucket{le=\"+Inf\"}");
    free(m.body);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* A chunked upload has no Content-Length: the cap applies while reading. */
static void test_chunked_body_over_cap_is_413(void)
{
    struct server s;
    const char *sets[] = {"max_body=2048", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *big = xmalloc(10000);
    memset(big, 'a', 9999);
    big[9999] = '\0';
    const char *hdrs[] = {"Transfer-Encoding: chunked", NULL};
    check_status(s.port, "POST", "/webhook/generic", big, hdrs, 413, "too large");
    free(big);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 0);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_signature_good_bad_missing(void)
{
    struct server s;
    const char *sets[] = {"generic.secret=s3cret", NULL};
    const char *body = "{\"id\":\"sig-1\",\"from\":\"u-1\",\"text\":\"帮助\"}";
    char hex[65], good[100];
    crypto_hmac_sha256_hex("s3cret", 6, body, strlen(body), hex);
    snprintf(good, sizeof good, "X-Yizhan-Signature: sha256=%s", hex);
    CHECK_INT(server_start(&s, sets), 0);
    const char *missing[] = {NULL};
    const char *bad[] = {"X-Yizhan-Signature: sha256="
                         "0000000000000000000000000000000000000000000000000000000000000000",
                         NULL};
    const char *ok[] = {good, NULL};
    check_status(s.port, "POST", "/webhook/generic", body, missing, 401, "Signature");
    check_status(s.port, "POST", "/webhook/generic", body, bad, 401, "Signature");
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 0);
    check_status(s.port, "POST", "/webhook/generic", body, ok, 200, "replies");
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    /* the secret never reaches the log */
    char *log = read_file(s.log);
    CHECK(strstr(log, "s3cret") == NULL);
    free(log);
    server_cleanup(&s);
}

static void test_replay_sequential_same_answer(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    char *a = say_to(s.port, "dup-1", "u-7", "退订");
    char *b = say_to(s.port, "dup-1", "u-7", "退订");
    char *done = text_of("optout.done");
    CHECK_STR(a, done);
    CHECK_STR(b, done); /* not "already": the handler did not run again */
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 1);
    free(a);
    free(b);
    free(done);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

struct conc {
    int port;
    struct resp r;
};

static void *conc_main(void *arg)
{
    struct conc *c = arg;
    c->r = post(c->port, "{\"id\":\"same-1\",\"from\":\"u-9\",\"text\":\"退订\"}");
    return NULL;
}

static void test_replay_twenty_concurrent_copies(void)
{
    struct server s;
    struct conc c[20];
    pthread_t th[20];
    CHECK_INT(server_start(&s, NULL), 0);
    for (int i = 0; i < 20; i++) {
        c[i].port = s.port;
        pthread_create(&th[i], NULL, conc_main, &c[i]);
    }
    for (int i = 0; i < 20; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 20; i++) {
        CHECK_INT(c[i].r.status, 200);
        CHECK_STR(c[i].r.body, c[0].r.body);
    }
    char *done = text_of("optout.done");
    CHECK_HAS(c[0].r.body, done);
    free(done);
    for (int i = 0; i < 20; i++)
        free(c[i].r.body);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE ext_id='same-1'"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM people"), 1);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_optout_then_optin(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    char *want[4] = {text_of("optout.done"), text_of("optout.already"), text_of("optin.done"),
                     text_of("optin.already")};
    const char *texts[4] = {"退订", "ＳＴＯＰ", "订阅", "START"};
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "oo-%d", i);
        char *got = say_to(s.port, id, "u-5", texts[i]);
        CHECK_STR(got, want[i]);
        free(got);
        free(want[i]);
        if (i == 1)
            CHECK_INT(db_count(&s, "SELECT opted_out FROM people WHERE ext_id='u-5'"), 1);
    }
    CHECK_INT(db_count(&s, "SELECT opted_out FROM people WHERE ext_id='u-5'"), 0);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_menu_number_answers_last_menu(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    char *menu = say_to(s.port, "n-1", "u-3", "帮助");
    char *by_number = say_to(s.port, "n-2", "u-3", "６"); /* full-width 6: 我的 */
    char *by_word = say_to(s.port, "n-3", "u-4", "我的");
    CHECK_HAS(menu, "6 ");
    /* the same profile, apart from the message count */
    CHECK(strncmp(by_number, by_word, 20) == 0);
    char *bad = say_to(s.port, "n-4", "u-3", "99");
    char *range = content_render(ct, "menu.bad_number", (const char *const[]){"max", "6", NULL});
    CHECK_STR(bad, range);
    free(menu);
    free(by_number);
    free(by_word);
    free(bad);
    free(range);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_more_continues_a_cut_reply(void)
{
    struct server s;
    const char *sets[] = {"generic.max_reply_chars=40", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    char *hint = text_of("more.hint");
    char *first = say_to(s.port, "c-1", "u-8", "菜单");
    CHECK(utf8_len(first) <= 40);
    CHECK_HAS(first, hint);
    char *rest = say_to(s.port, "c-2", "u-8", "更多");
    char *rest2 = say_to(s.port, "c-3", "u-8", "更多");
    /* everything of the menu arrives, in order, across the parts */
    struct buf all;
    buf_init(&all, 0);
    buf_append(&all, first, strlen(first) - strlen(hint));
    buf_puts(&all, rest);
    buf_puts(&all, rest2);
    CHECK_HAS(all.data, "6 ");
    char *none = text_of("more.none");
    char *last = xstrdup(rest2);
    for (int i = 4; i < 10 && strcmp(last, none) != 0; i++) {
        char id[16];
        snprintf(id, sizeof id, "c-%d", i);
        free(last);
        last = say_to(s.port, id, "u-8", "更多");
    }
    CHECK_STR(last, none);
    buf_release(&all);
    free(hint);
    free(first);
    free(rest);
    free(rest2);
    free(none);
    free(last);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

static void test_logs_mask_ids_and_hide_text(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    char *r = say_to(s.port, "l-1", "13800001234", "法律咨询 老板拖欠工资两个月");
    free(r);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    char *log = read_file(s.log);
    CHECK(strstr(log, "13800001234") == NULL);
    CHECK_HAS(log, "…1234");
    CHECK(strstr(log, "拖欠") == NULL);
    CHECK_HAS(log, "POST /webhook/generic 200 ms=");
    free(log);
    server_cleanup(&s);
}

static int connect_port(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == -1) {
        close(fd);
        return -1;
    }
    return fd;
}

/* SIGTERM while a request is half sent: it still completes with 200 and is
 * stored; new connections are refused; the process exits 0. */
static void test_graceful_stop_finishes_in_flight(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    const char *body = "{\"id\":\"g-1\",\"from\":\"u-1\",\"text\":\"帮助\"}";
    char head[256];
    snprintf(head, sizeof head,
             "POST /webhook/generic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\n\r\n",
             strlen(body));
    int fd = connect_port(s.port);
    CHECK(fd != -1);
    CHECK(write(fd, head, strlen(head)) == (ssize_t)strlen(head));
    CHECK(write(fd, body, 10) == 10);
    msleep(200);
    kill(s.pid, SIGTERM);
    msleep(300);
    CHECK_INT(connect_port(s.port), -1); /* no new connections */
    CHECK(write(fd, body + 10, strlen(body) - 10) == (ssize_t)(strlen(body) - 10));
    char resp[4096];
    ssize_t n, got = 0;
    while (got < (ssize_t)sizeof resp - 1 && (n = read(fd, resp + got, sizeof resp - 1 - (size_t)got)) > 0) {
        got += n;
        resp[got] = '\0';
        if (strstr(resp, "\r\n\r\n") && strstr(resp, "]}"))
            break;
    }
    resp[got > 0 ? got : 0] = '\0';
    close(fd);
    CHECK_HAS(resp, "HTTP/1.1 200");
    CHECK_HAS(resp, "replies");
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE ext_id='g-1'"), 1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check='ok'"), 1);
    char *log = read_file(s.log);
    CHECK_HAS(log, "serve: stopped");
    free(log);
    server_cleanup(&s);
}

static void test_bad_config_stops_startup_with_line(void)
{
    char dir[] = "/tmp/yizhan-it-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], cmd[512];
    snprintf(path, sizeof path, "%s/bot.conf", dir);
    FILE *f = fopen(path, "w");
    fputs("# test\nlisten = 127.0.0.1:0\nlisten_prot = 1\n[generic]\nmax_reply_chars = lots\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "./yizhan serve -c %s > %s/out 2>&1", path, dir);
    int rc = system(cmd);
    CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
    snprintf(cmd, sizeof cmd, "%s/out", dir);
    char *out = read_file(cmd);
    char want[200];
    snprintf(want, sizeof want, "%s:3: unknown key 'listen_prot'", path);
    CHECK_HAS(out, want);
    snprintf(want, sizeof want, "%s:5: bad value 'lots'", path);
    CHECK_HAS(out, want);
    free(out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
}

static const struct t_case cases[] = {
    T(test_status_codes_write_nothing_on_error),
    T(test_chunked_body_over_cap_is_413),
    T(test_signature_good_bad_missing),
    T(test_replay_sequential_same_answer),
    T(test_replay_twenty_concurrent_copies),
    T(test_optout_then_optin),
    T(test_menu_number_answers_last_menu),
    T(test_more_continues_a_cut_reply),
    T(test_logs_mask_ids_and_hide_text),
    T(test_graceful_stop_finishes_in_flight),
    T(test_bad_config_stops_startup_with_line),
    T_END,
};

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    struct buf errors;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    buf_init(&errors, 0);
    ct = content_load("content", &errors);
    if (ct == NULL) {
        printf("content: %s\n", errors.data);
        return 1;
    }
    buf_release(&errors);
    for (const struct t_case *c = cases; c->name; c++) {
        bool want = argc < 2;
        for (int i = 1; i < argc; i++)
            if (strstr(c->name, argv[i]))
                want = true;
        if (!want)
            continue;
        t_current = c->name;
        t_failed = 0;
        c->fn();
        printf("%s it.%s\n", t_failed ? "FAIL" : "ok  ", c->name);
        if (t_failed)
            failed++;
        else
            passed++;
    }
    content_free(ct);
    curl_global_cleanup();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
