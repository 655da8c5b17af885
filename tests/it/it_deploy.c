/*
 * it_deploy.c - the server as systemd runs it (docs/operations.md): the
 * sd_notify protocol seen from systemd's side (a datagram socket named by
 * NOTIFY_SOCKET): READY=1 once it listens, WATCHDOG=1 every half
 * WATCHDOG_USEC while the writer is healthy (none while the disk is "full",
 * again once it is not), STOPPING=1 on SIGTERM; SIGHUP leaves it serving; and
 * `yizhan migrate [--check]` on real database files.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "it.h"
#include "t.h"
#include "util.h"

/* systemd's end of the notify socket, at a fresh path. -1 on failure. */
static int notify_listen(char *path, size_t cap)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(path, cap, "/tmp/yizhan-notify-%d-%lld.sock", (int)getpid(), (long long)time(NULL));
    unlink(path);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    if (fd == -1 || bind(fd, (struct sockaddr *)&a, sizeof a) == -1) {
        printf("notify socket %s: %m\n", path);
        if (fd != -1)
            close(fd);
        return -1;
    }
    struct timeval tv = {0, 100 * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Datagrams received within ms, each message's lines appended to all. */
static void notify_read(int fd, int ms, struct buf *all)
{
    for (int waited = 0; waited < ms; waited += 100) {
        char msg[512];
        ssize_t n;
        while ((n = recv(fd, msg, sizeof msg - 1, 0)) > 0) {
            msg[n] = '\0';
            buf_printf(all, "%s\n", msg);
        }
    }
}

/* How often needle occurs in hay; nothing received (NULL) is none. */
static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    if (hay == NULL)
        return 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Start the server as systemd does with Type=notify and WatchdogSec=1 (a
 * ping every 0.5 s), file_limit bytes at most per file written (0: none).
 * *fd: our end of the notify socket, or -1. 0 or -1. */
static int start_notified(struct server *s, char *path, size_t cap, int *fd, rlim_t file_limit)
{
    struct rlimit old, small;
    memset(s, 0, sizeof *s);
    *fd = notify_listen(path, cap);
    CHECK(*fd != -1);
    if (*fd == -1)
        return -1;
    getrlimit(RLIMIT_FSIZE, &old);
    small = old;
    if (file_limit > 0) {
        small.rlim_cur = file_limit; /* the server inherits both */
        signal(SIGXFSZ, SIG_IGN);
    }
    setenv("NOTIFY_SOCKET", path, 1);
    setenv("WATCHDOG_USEC", "1000000", 1);
    setrlimit(RLIMIT_FSIZE, &small);
    int started = server_start(s, NULL);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, SIG_DFL);
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    CHECK_INT(started, 0);
    return started;
}

static void test_deploy_notify_ready_watchdog_stopping(void)
{
    char path[100];
    struct server s;
    struct buf got;
    int fd;
    buf_init(&got, 0);
    int started = start_notified(&s, path, sizeof path, &fd, 0);
    if (started == 0) {
        notify_read(fd, 2000, &got);
        CHECK_HAS(got.data, "READY=1");
        CHECK_HAS(got.data, "STATUS=listening on port");
        /* ready before any ping, and pinging while the writer is healthy */
        const char *ready = strstr(got.data ? got.data : "", "READY=1");
        const char *ping = strstr(got.data ? got.data : "", "WATCHDOG=1");
        CHECK(ready != NULL && ping != NULL && ready < ping);
        CHECK(count_of(got.data, "WATCHDOG=1") >= 3);
        struct resp h = request(s.port, "GET", "/healthz", NULL, NULL);
        CHECK_INT(h.status, 200);
        free(h.body);
        /* ExecReload (SIGHUP): RELOADING=1, then READY=1 once the reload is done */
        got.len = 0;
        got.data[0] = '\0';
        kill(s.pid, SIGHUP);
        /* a rebuild takes ~15 ms, far longer under valgrind: wait up to 30 s */
        for (int i = 0; i < 60; i++) {
            notify_read(fd, 500, &got);
            const char *r = strstr(got.data ? got.data : "", "RELOADING=1");
            if (r != NULL && strstr(r, "READY=1") != NULL)
                break;
        }
        const char *reloading = strstr(got.data, "RELOADING=1");
        CHECK(reloading != NULL && strstr(reloading, "READY=1") != NULL);
        CHECK_HAS(got.data, "MONOTONIC_USEC=");
        CHECK_INT(server_stop(&s, SIGTERM), 0);
        notify_read(fd, 300, &got);
        CHECK_HAS(got.data, "STOPPING=1");
    }
    server_cleanup(&s);
    buf_release(&got);
    close(fd);
    unlink(path);
}

/* A message with 700 bytes of text. The HTTP status. */
static long say_full(int port, int i)
{
    char text[700];
    memset(text, 'y', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    char *body =
        xasprintf("{\"id\":\"full-%d\",\"from\":\"u-full-%d\",\"text\":\"积分 %s\"}", i, i, text);
    struct resp r = request(port, "POST", "/webhook/generic", body,
                            (const char *const[]){"Content-Type: application/json", NULL});
    free(r.body);
    free(body);
    return r.status;
}

/* A full disk, made with RLIMIT_FSIZE (the server inherits it and an ignored
 * SIGXFSZ, so writes past 1.5 MB fail with EFBIG): once commits fail,
 * /healthz says 503 and the watchdog pings stop (systemd would restart the
 * service); when there is room again, both come back. */
static void test_deploy_watchdog_stops_while_the_store_fails(void)
{
    char path[100];
    struct server s;
    struct buf got;
    int fd;
    IT_NOT_WRAPPED("six watchdog periods without a ping while the disk is full");
    IT_SQLITE_ONLY("a full disk under the SQLite file (RLIMIT_FSIZE); PostgreSQL writes on its"
                   " own server");
    buf_init(&got, 0);
    if (start_notified(&s, path, sizeof path, &fd, 1536 * 1024) !=
        0) /* the schema alone: ~0.4 MB, its WAL more */
        goto out;
    /* messages keep coming while the disk is full: every batch fails */
    long last = 0;
    int fails = 0;
    for (int i = 0; i < 3000 && fails < 30; i++) {
        last = say_full(s.port, i);
        if (last == 500 && fails++ == 0) {
            struct resp h = request(s.port, "GET", "/healthz", NULL, NULL);
            CHECK_INT(h.status, 503);
            free(h.body);
            notify_read(fd, 600, &got); /* what was sent before */
            got.len = 0;
            got.data[0] = '\0';
        }
        if (fails > 0)
            notify_read(fd, 100, &got);
    }
    CHECK_INT(last, 500);
    CHECK_INT(fails, 30);                           /* 3 s of a full disk */
    CHECK_INT(count_of(got.data, "WATCHDOG=1"), 0); /* six periods without a ping */
    char *log = read_file(s.log);
    CHECK_HAS(log, "no watchdog ping");
    free(log);

    struct rlimit room = {RLIM_INFINITY, RLIM_INFINITY};
    CHECK_INT(prlimit(s.pid, RLIMIT_FSIZE, &room, NULL), 0);
    notify_read(fd, 4000, &got); /* an idle probe every 2 s finds room */
    CHECK(count_of(got.data, "WATCHDOG=1") >= 1);
    struct resp h = request(s.port, "GET", "/healthz", NULL, NULL);
    CHECK_INT(h.status, 200);
    free(h.body);
    kill(s.pid, SIGTERM); /* not server_stop: the log has the store's errors */
    CHECK_INT(waitpid(s.pid, NULL, 0), s.pid);
out:
    server_cleanup(&s);
    buf_release(&got);
    close(fd);
    unlink(path);
}

/* SIGHUP (systemctl kill -s HUP, a stray logrotate) used to end the process. */
static void test_deploy_sighup_keeps_serving(void)
{
    struct server s;
    CHECK_INT(server_start(&s, NULL), 0);
    kill(s.pid, SIGHUP);
    msleep(300);
    CHECK_INT(waitpid(s.pid, NULL, WNOHANG), 0); /* still running */
    struct resp h = request(s.port, "GET", "/healthz", NULL, NULL);
    CHECK_INT(h.status, 200);
    free(h.body);
    char *reply = say_to(s.port, "hup-1", "u-hup", "积分");
    CHECK(reply != NULL && reply[0] != '\0');
    free(reply);
    char *log = read_file(s.log);
    CHECK_HAS(log, "SIGHUP");
    free(log);
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    server_cleanup(&s);
}

/* Run a command line; its exit status, its stdout in out (emptied first). */
static int run(const char *cmd, struct buf *out)
{
    out->len = 0;
    if (out->data != NULL)
        out->data[0] = '\0';
    FILE *p = popen(cmd, "r");
    char line[512];
    if (p == NULL)
        return -1;
    while (fgets(line, sizeof line, p) != NULL)
        buf_puts(out, line);
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_deploy_migrate_check_then_migrate(void)
{
    struct server s;
    struct buf out;
    char cmd[512];
    IT_SQLITE_ONLY("SQLite files (PostgreSQL's: test_deploy_migrate_pg_check_then_migrate)");
    buf_init(&out, 0);
    CHECK_INT(server_start(&s, NULL), 0); /* serve migrates at start */
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    snprintf(cmd, sizeof cmd, "./yizhan migrate --check --set database=%s 2>&1", s.db);
    CHECK_INT(run(cmd, &out), 0);
    CHECK_HAS(out.data, "up to date");

    char fresh[256];
    snprintf(fresh, sizeof fresh, "%s/new.db", s.dir);
    snprintf(cmd, sizeof cmd, "./yizhan migrate --check --set database=%s 2>&1", fresh);
    CHECK_INT(run(cmd, &out), 10); /* pending: exit 10, and nothing written */
    CHECK_HAS(out.data, "schema: 0 (this build:");
    CHECK_HAS(out.data, "pending migrations:");
    CHECK_HAS(out.data, "1: core");
    CHECK_HAS(out.data, "CREATE TABLE people");
    CHECK(access(fresh, F_OK) != 0);
    snprintf(cmd, sizeof cmd, "./yizhan migrate --set database=%s 2>/dev/null", fresh);
    CHECK_INT(run(cmd, &out), 0);
    CHECK_HAS(out.data, "migrated: schema 0 ->");
    snprintf(cmd, sizeof cmd, "./yizhan migrate --check --set database=%s 2>&1", fresh);
    CHECK_INT(run(cmd, &out), 0);
    CHECK_HAS(out.data, "up to date");
    buf_release(&out);
    server_cleanup(&s);
}

/* `yizhan migrate [--check]` on PostgreSQL: an empty database's first step
 * is bot/schema_pg.sql, a database an older build left at that schema lists
 * the migrations after it and is upgraded by migrate (or serve), and one at
 * the latest is up to date. */
static int migrate_pg(const char *flags, const char *conninfo, struct buf *out)
{
    char *cmd = xasprintf("./yizhan migrate %s--set store.engine=postgres"
                          " --set 'store.conninfo=%s' 2>&1",
                          flags, conninfo);
    int rc = run(cmd, out);
    free(cmd);
    return rc;
}

static void test_deploy_migrate_pg_check_then_migrate(void)
{
    struct server s, old;
    struct buf out;
    char sql[256];
    IT_PG_ONLY("the PostgreSQL migrations");
    buf_init(&out, 0);
    CHECK_INT(server_start(&s, NULL), 0); /* serve creates the schema at start */
    CHECK_INT(server_stop(&s, SIGTERM), 0);
    CHECK_INT(migrate_pg("--check ", s.pg, &out), 0);
    CHECK_HAS(out.data, "database: PostgreSQL");
    CHECK_HAS(out.data, "up to date");

    memset(&old, 0, sizeof old); /* a second database, as an older build left it */
    const char *name = s.dir + strlen("/tmp/");
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%.60s-old\"", name);
    CHECK_INT(it_pg_admin(sql), 0);
    snprintf(old.pg, sizeof old.pg, "%.400s dbname=%.60s-old", getenv("YIZHAN_TEST_PG"), name);
    CHECK_INT(migrate_pg("--check ", old.pg, &out),
              10); /* empty: everything pending, nothing written */
    CHECK_HAS(out.data, "schema: 0 (this build:");
    CHECK_HAS(out.data, "22: the schema of migrations 1..22 at once");
    CHECK_HAS(out.data, "23: an explicit position");
    CHECK_INT(db_count(&old, "SELECT count(*) FROM pg_tables WHERE schemaname='public'"), 0);
    char *schema = read_file("bot/schema_pg.sql");
    CHECK_INT(db_exec(&old, schema), 0);
    free(schema);
    CHECK_INT(migrate_pg("--check ", old.pg, &out), 10);
    CHECK_HAS(out.data, "schema: 22 (this build:");
    CHECK_HAS(out.data, "ADD COLUMN pos; UPDATE report_districts d;"); /* PostgreSQL's */
    CHECK(strstr(out.data, "22: the schema") == NULL);
    CHECK_INT(migrate_pg("", old.pg, &out), 0);
    CHECK_HAS(out.data, "migrated: schema 22 -> ");
    CHECK_INT(db_count(&old, "SELECT count(*) FROM report_districts WHERE pos=0"), 0);
    CHECK_INT(migrate_pg("--check ", old.pg, &out), 0);
    CHECK_HAS(out.data, "up to date");
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%.60s-old\" WITH (FORCE)", name);
    it_pg_admin(sql);
    buf_release(&out);
    server_cleanup(&s);
}

const struct t_case it_deploy_tests[] = {
    T(test_deploy_notify_ready_watchdog_stopping),
    T(test_deploy_watchdog_stops_while_the_store_fails),
    T(test_deploy_sighup_keeps_serving),
    T(test_deploy_migrate_check_then_migrate),
    T(test_deploy_migrate_pg_check_then_migrate),
    T_END,
};
