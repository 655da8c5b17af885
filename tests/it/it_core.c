/*
 * it_core.c - integration tests of the core service: status codes,
 * signatures, idempotent replays (also 20 concurrent copies), opt-out/opt-in,
 * menu numbers, `more`, log hygiene, a graceful stop with a request in flight,
 * config errors.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "content.h"
#include "crypto.h"
#include "it.h"
#include "t.h"
#include "util.h"

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
    char *range = content_render(ct, "menu.bad_number", (const char *const[]){"max", "7", NULL});
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
 * stored; a new request gets 503 and is not stored; the process exits 0. */
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
    /* a new request is not taken: 503 (platforms retry), nothing read or
     * stored. (Not a refused connection: libmicrohttpd's quiesce aborts now
     * and then with a thread pool, see http_quiesce.) */
    struct resp late = post(s.port, "{\"id\":\"g-2\",\"from\":\"u-2\",\"text\":\"帮助\"}");
    CHECK(late.status == 503 || late.status == 0); /* 0: already closed, also fine */
    free(late.body);
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
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE ext_id='g-2'"), 0);
    if (s.pg[0] == '\0') /* SQLite's file check; PostgreSQL has no torn file to check */
        CHECK_INT(db_count(&s, "SELECT count(*) FROM pragma_integrity_check"
                               " WHERE integrity_check='ok'"),
                  1);
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

/*
 * Another process writing to the database while the server runs (an admin's
 * sqlite3 shell, a backup) must not make the server's later commits invisible:
 * store_open once closed a descriptor of its own on the file, which dropped
 * the server's locks; the other process then deleted the WAL the server was
 * still writing to, and a crash would have lost every commit since.
 */
/* Drop every connection to s's database: a PostgreSQL restart, a failover. */
static void pg_drop_connections(const struct server *s)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname='%s'",
             s->dir + strlen("/tmp/"));
    CHECK_INT(it_pg_admin(sql), 0);
}

/* Let connections to s's database in (on) or refuse them (the server down). */
static void pg_allow(const struct server *s, bool on)
{
    char sql[200];
    snprintf(sql, sizeof sql, "ALTER DATABASE \"%s\" ALLOW_CONNECTIONS %s",
             s->dir + strlen("/tmp/"), on ? "true" : "false");
    CHECK_INT(it_pg_admin(sql), 0);
}

/*
 * PostgreSQL drops the service's connections. While the server takes no new
 * ones (down), a message is answered 500, so the platform retries it; once
 * it takes them again, the store reconnects (after a short backoff) and the
 * retry is answered and stored once. Connections dropped by a server that is
 * up again at once cost the message nothing: the batch is retried on a new
 * connection.
 */
static void test_pg_connection_lost_500_then_reconnects(void)
{
    struct server s;
    IT_PG_ONLY("a PostgreSQL server dropping the store's connections");
    CHECK_INT(server_start(&s, NULL), 0);
    free(say_to(s.port, "pl-1", "u-1", "帮助"));
    pg_allow(&s, false);
    pg_drop_connections(&s);
    const char *body = "{\"id\":\"pl-2\",\"from\":\"u-1\",\"text\":\"积分\"}";
    struct resp r = post(s.port, body);
    CHECK_INT(r.status, 500);
    free(r.body);
    pg_allow(&s, true);
    long status = 0;
    for (int i = 0; i < 40 && status != 200; i++) { /* the platform's retries */
        msleep(250);
        r = post(s.port, body);
        status = r.status;
        if (status == 200)
            CHECK_HAS(r.body, "积分");
        free(r.body);
    }
    CHECK_INT(status, 200);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE ext_id='pl-2'"), 1);
    pg_drop_connections(&s); /* up again at once: nothing lost */
    char *reply = say_to(s.port, "pl-3", "u-1", "积分");
    CHECK_HAS(reply, "积分");
    free(reply);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE ext_id='pl-3'"), 1);
    char *log = read_file(s.log);
    CHECK_HAS(log, "store: reconnected to PostgreSQL");
    free(log);
    kill(s.pid, SIGTERM); /* not server_stop: the log has the lost connection's errors */
    CHECK_INT(waitpid(s.pid, NULL, 0), s.pid);
    server_cleanup(&s);
}

/* A platform retries a message answered 500 for as long as the store is
 * down; those retries took the sender's throttle tokens, so past the burst a
 * retry was answered throttle.slow with 200 and the message was never
 * stored: acknowledged and lost (found by make test-failover). Now a 500
 * gives its token back. */
static void test_pg_retries_of_a_500_are_not_throttled(void)
{
    struct server s;
    IT_PG_ONLY("a PostgreSQL server refusing the store's connections");
    const char *sets[] = {"throttle.per_minute=1", "throttle.burst=3", NULL};
    CHECK_INT(server_start(&s, sets), 0);
    free(say_to(s.port, "pt-1", "u-1", "帮助"));
    pg_allow(&s, false);
    pg_drop_connections(&s);
    const char *body = "{\"id\":\"pt-2\",\"from\":\"u-1\",\"text\":\"积分\"}";
    for (int i = 0; i < 6; i++) { /* twice the burst of retries */
        struct resp r = post(s.port, body);
        CHECK_INT(r.status, 500);
        free(r.body);
    }
    pg_allow(&s, true);
    long status = 0;
    for (int i = 0; i < 40 && status != 200; i++) {
        msleep(250);
        struct resp r = post(s.port, body);
        status = r.status;
        if (status == 200)
            CHECK_HAS(r.body, "积分");
        free(r.body);
    }
    CHECK_INT(status, 200);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound WHERE ext_id='pt-2'"), 1);
    kill(s.pid, SIGTERM); /* not server_stop: the log has the lost connection's errors */
    CHECK_INT(waitpid(s.pid, NULL, 0), s.pid);
    server_cleanup(&s);
}

static void test_wal_survives_another_writer(void)
{
    struct server s;
    IT_SQLITE_ONLY("SQLite's WAL with a second process writing the file");
    CHECK_INT(server_start(&s, NULL), 0);
    char *r = say_to(s.port, "w-1", "u-1", "帮助");
    free(r);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(s.db, &db), SQLITE_OK);
    /* as any other writer must: the server may hold the write lock (a tick,
     * the sender's claim) at this moment; without a timeout that is BUSY */
    sqlite3_busy_timeout(db, 5000);
    CHECK_INT(sqlite3_exec(db, "INSERT INTO meta(k, v) VALUES('hand', 'x')", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(sqlite3_close(db), SQLITE_OK);
    r = say_to(s.port, "w-2", "u-1", "帮助");
    free(r);
    /* a fresh reader sees the commit while the server still runs */
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 2);
    CHECK_INT(server_stop(&s, SIGKILL), -1);
    CHECK_INT(db_count(&s, "SELECT count(*) FROM inbound"), 2);
    server_cleanup(&s);
}

const struct t_case it_core_tests[] = {
    T(test_wal_survives_another_writer),
    T(test_pg_connection_lost_500_then_reconnects),
    T(test_pg_retries_of_a_500_are_not_throttled),
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

