/*
 * it.c - the integration-test framework: start the real ./yizhan serve on a
 * free loopback port with a temporary database, talk HTTP to it, read its
 * database and log, and run the suites listed below. Reply texts are read
 * from content/ so rewording never breaks a test. Ends with
 * "N passed, N failed"; `tests/it/itest NAME...` runs tests whose name
 * contains one of the words.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <jansson.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <libpq-fe.h>
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
#include "it.h"

int t_failed;
const char *t_current;
struct content *ct;

void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

char *read_file(const char *path)
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

char *it_key_types(const json_t *o)
{
    struct buf b;
    const char *key;
    json_t *v;
    buf_init(&b, 0);
    buf_printf(&b, "%s", "");
    json_object_foreach((json_t *)o, key, v) buf_printf(&b, "%s:%d ", key, (int)json_typeof(v));
    return buf_take(&b);
}

int t_skipped;

int it_pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("YIZHAN_TEST_PG"));
    PGresult *r = PQexec(c, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        printf("%s: %s: %s", t_current, sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok ? 0 : -1;
}

/* Start ./yizhan serve with extra "key=value" settings (NULL-terminated);
 * on PostgreSQL in a database of its own, named after its directory. */
int server_start(struct server *s, const char *const *sets)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/yizhan-it-XXXXXX");
    if (mkdtemp(s->dir) == NULL)
        return -1;
    const char *pg = getenv("YIZHAN_TEST_PG");
    if (pg != NULL) {
        char sql[128];
        snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", s->dir + strlen("/tmp/"));
        if (it_pg_admin(sql) == -1)
            return -1;
        snprintf(s->pg, sizeof s->pg, "%s dbname=%s", pg, s->dir + strlen("/tmp/"));
        /* SQLite's functions the tests' own queries use */
        if (db_exec(s, "CREATE FUNCTION instr(a text, b text) RETURNS integer LANGUAGE sql"
                       " IMMUTABLE AS 'SELECT strpos(a, b)';"
                       "CREATE FUNCTION json_extract(j text, p text) RETURNS bigint"
                       " LANGUAGE sql IMMUTABLE AS $$SELECT CASE jsonb_typeof(v) WHEN 'boolean'"
                       " THEN CASE WHEN v = 'true' THEN 1 ELSE 0 END ELSE CAST(v #>> '{}' AS"
                       " bigint) END FROM (SELECT CAST(j AS jsonb) #> string_to_array(substr(p,"
                       " 3), '.') AS v) x$$") == -1)
            return -1;
    }
    return server_restart(s, sets);
}

int server_start_beside(struct server *s, const struct server *first, const char *const *sets)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/yizhan-it-XXXXXX");
    if (mkdtemp(s->dir) == NULL)
        return -1;
    snprintf(s->pg, sizeof s->pg, "%s", first->pg);
    s->shared = true;
    return server_restart(s, sets);
}

/* exec argv, behind the words of $YIZHAN_WRAP when set (make valgrind:
 * "valgrind --error-exitcode=99 --leak-check=full"). Returns only on failure. */
static void exec_wrapped(char **argv)
{
    const char *wrap = getenv("YIZHAN_WRAP");
    char *words[96], *copy = NULL, *save = NULL;
    int n = 0;
    if (wrap == NULL || wrap[0] == '\0') {
        execv(argv[0], argv);
        return;
    }
    copy = xstrdup(wrap);
    for (char *w = strtok_r(copy, " ", &save); w != NULL && n < 30; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    for (int i = 0; argv[i] != NULL && n < 95; i++)
        words[n++] = argv[i];
    words[n] = NULL;
    execvp(words[0], words);
    free(copy);
}

/* One cache_dir for every server of the run: the first start makes the
 * example phrases' matched copies, the others read them (most of a start
 * under valgrind). A server that runs as another user gets none. */
static char it_cache[64];

int server_restart(struct server *s, const char *const *sets)
{
    static int run;
    s->port = 0;
    snprintf(s->log, sizeof s->log, "%s/serve-%d.log", s->dir, ++run);
    snprintf(s->db, sizeof s->db, "%s/y.db", s->dir);
    char *argv[64];
    int n = 0;
    char dbset[256], mediaset[256], pgset[600], cacheset[100];
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
    snprintf(cacheset, sizeof cacheset, "cache_dir=%s", s->run_as == 0 ? it_cache : "");
    argv[n++] = "--set";
    argv[n++] = cacheset;
    argv[n++] = "--set"; /* it_privacy turns it on again */
    argv[n++] = "privacy.notice=false";
    if (s->pg[0] != '\0') {
        snprintf(pgset, sizeof pgset, "store.conninfo=%s", s->pg);
        argv[n++] = "--set";
        argv[n++] = "store.engine=postgres";
        argv[n++] = "--set";
        argv[n++] = pgset;
    }
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
        if (s->run_as != 0 && geteuid() == 0 &&
            (setgid((gid_t)s->run_as) == -1 || setuid(s->run_as) == -1))
            _exit(127);
        exec_wrapped(argv);
        _exit(127);
    }
    /* 30 s (x6 under valgrind): returns as soon as the port is in the log;
     * two lanes and CI's other load have made a start take over 10 s */
    for (int i = 0; i < it_patience(30000) / 50; i++) {
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
int server_stop(struct server *s, int sig)
{
    int status = -1;
    bool exited = false;
    if (s->pid > 0) {
        kill(s->pid, sig);
        for (int i = 0; i < 600 && !exited; i++) { /* 30 s: a loaded CI machine is slow */
            exited = waitpid(s->pid, &status, WNOHANG) == s->pid;
            if (!exited)
                msleep(50);
        }
        if (!exited) { /* say so, and do not leave it running */
            kill(s->pid, SIGKILL);
            (void)waitpid(s->pid, &status, 0);
        }
    }
    char *log = read_file(s->log);
    if (s->pid > 0 && sig != SIGKILL && (!exited || !WIFEXITED(status))) { /* show why */
        const char *tail = log + strlen(log);
        for (int n = 0; tail > log && n < 25; n += tail[-1] == '\n')
            tail--;
        printf("%s: the server %s after signal %d; its log ends:\n%s\n", t_current,
               !exited ? "did not exit within 30 s" : "died by a signal", sig, tail);
        if (exited && WIFSIGNALED(status))
            printf("%s: killed by signal %d\n", t_current, WTERMSIG(status));
    }
    if (strstr(log, "Z error ") != NULL) {
        printf("%s: error line in the server log:\n%s\n", t_current, log);
        t_failed++;
    }
    free(log);
    if (getenv("YIZHAN_WRAP") != NULL && WIFEXITED(status) && WEXITSTATUS(status) == 99) {
        printf("%s: the wrapper (valgrind) found errors; see %s (YIZHAN_KEEP=1 keeps it)\n",
               t_current, s->log);
        t_failed++;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void server_cleanup(struct server *s)
{
    char cmd[200];
    if (getenv("YIZHAN_KEEP") != NULL) { /* the log and database, to look at */
        printf("kept %s\n", s->dir);
        return;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0)
        printf("could not remove %s\n", s->dir);
    if (s->pg[0] != '\0' && !s->shared) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)",
                 s->dir + strlen("/tmp/"));
        it_pg_admin(sql);
        s->pg[0] = '\0';
    }
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    buf_append(ud, p, size * n);
    return size * n;
}

/* One request; headers is a NULL-terminated list of "Name: value". */
struct resp request(int port, const char *method, const char *path, const char *body,
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
    /* under valgrind a content save rebuilds the rules and examples for
     * ~20 s of CPU: the same patience as the server's start */
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)it_patience(20000) / 1000);
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

struct hresp hrequest_from(int port, const char *from, const char *method, const char *path,
                           const char *body, const char *const *headers)
{
    struct hresp r = {0, NULL, NULL};
    struct buf b, h;
    char url[512];
    struct curl_slist *hl = NULL;
    buf_init(&b, 0);
    buf_init(&h, 0);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    /* under valgrind a content save rebuilds the rules and examples for
     * ~20 s of CPU: the same patience as the server's start */
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)it_patience(20000) / 1000);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (from != NULL)
        curl_easy_setopt(c, CURLOPT_INTERFACE, from);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    hl = curl_slist_append(hl, "Expect:");
    for (int i = 0; headers && headers[i]; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    r.body = buf_take(&b);
    r.headers = buf_take(&h);
    return r;
}

struct hresp hrequest(int port, const char *method, const char *path, const char *body,
                      const char *const *headers)
{
    return hrequest_from(port, NULL, method, path, body, headers);
}

void hresp_release(struct hresp *r)
{
    free(r->body);
    free(r->headers);
}

struct resp post(int port, const char *body)
{
    char hex[65], sig[100];
    crypto_hmac_sha256_hex(IT_SECRET, strlen(IT_SECRET), body, strlen(body), hex);
    snprintf(sig, sizeof sig, "X-Yizhan-Signature: sha256=%s", hex);
    const char *const headers[] = {sig, NULL};
    return request(port, "POST", "/webhook/generic", body, headers);
}

/* POST {"id","from","text"} and return the first reply's text (new string). */
char *say_to(int port, const char *id, const char *from, const char *text)
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

/* db_count on PostgreSQL: the first column of the first row. */
static long long pg_count(const struct server *s, const char *sql)
{
    long long n = -1;
    PGconn *c = PQconnectdb(s->pg);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0) {
        const char *v = PQgetvalue(r, 0, 0);
        n = strcmp(v, "t") == 0 ? 1 : strcmp(v, "f") == 0 ? 0 : atoll(v);
    } else {
        printf("%s: db_count(%s): %s", t_current, sql, PQerrorMessage(c));
    }
    PQclear(r);
    PQfinish(c);
    return n;
}

const char *it_store_args(const struct server *s)
{
    static char args[700];
    if (s->pg[0] == '\0')
        return "";
    snprintf(args, sizeof args, " --set store.engine=postgres --set 'store.conninfo=%s'", s->pg);
    return args;
}

int db_exec(const struct server *s, const char *sql)
{
    int ok;
    if (s->pg[0] != '\0') {
        PGconn *c = PQconnectdb(s->pg);
        PGresult *r = PQexec(c, sql);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            printf("%s: db_exec(%s): %s", t_current, sql, PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        return ok ? 0 : -1;
    }
    sqlite3 *db = NULL;
    ok = sqlite3_open(s->db, &db) == SQLITE_OK;
    /* as any other writer must: the server may hold the write lock now */
    sqlite3_busy_timeout(db, 5000);
    ok = ok && sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        printf("%s: db_exec(%s): %s\n", t_current, sql, db ? sqlite3_errmsg(db) : "?");
    sqlite3_close(db);
    return ok ? 0 : -1;
}

int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int it_patience(int ms)
{
    return getenv("YIZHAN_WRAP") != NULL ? ms * 6 : ms;
}

long long wait_db(const struct server *s, const char *sql, long long want, int ms)
{
    int64_t until = wall_ms() + it_patience(ms);
    for (;;) {
        long long v = db_count(s, sql);
        if (v == want || wall_ms() >= until)
            return v;
        msleep(100);
    }
}

long long db_count(const struct server *s, const char *sql)
{
    if (s->pg[0] != '\0')
        return pg_count(s, sql);
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

char *text_of(const char *key)
{
    return content_render(ct, key, NULL);
}

void check_status(int port, const char *method, const char *path, const char *body,
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


/* --- the fake platform API (tests/it/fakeapi) --- */

int fake_start(struct fake *f, const char *dir)
{
    memset(f, 0, sizeof *f);
    if (dir == NULL) { /* a directory of its own, removed by fake_stop */
        snprintf(f->dir, sizeof f->dir, "/tmp/yizhan-fake-XXXXXX");
        if (mkdtemp(f->dir) == NULL)
            return -1;
        dir = f->dir;
    }
    snprintf(f->record, sizeof f->record, "%s/fake.jsonl", dir);
    snprintf(f->ready, sizeof f->ready, "%s/fake.ready", dir);
    f->pid = fork();
    if (f->pid == -1)
        return -1;
    if (f->pid == 0) {
        char log[256];
        snprintf(log, sizeof log, "%s/fake.log", dir);
        if (freopen(log, "w", stderr) == NULL)
            _exit(127);
        execl("tests/it/fakeapi", "fakeapi", "--port", "0", "--record", f->record, "--ready",
              f->ready, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {
        char *r = read_file(f->ready);
        if (str_has_prefix(r, "port="))
            f->port = atoi(r + 5);
        free(r);
        if (f->port > 0)
            return 0;
        msleep(25);
    }
    printf("%s: fakeapi did not start\n", t_current);
    return -1;
}

void fake_stop(struct fake *f)
{
    int status = 0;
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        for (int i = 0; i < 200 && f->pid > 0; i++) {
            if (waitpid(f->pid, &status, WNOHANG) == f->pid)
                f->pid = 0;
            else
                msleep(25);
        }
        if (f->pid > 0) {
            kill(f->pid, SIGKILL);
            waitpid(f->pid, &status, 0);
            f->pid = 0;
        }
    }
    if (f->dir[0] != '\0') {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
        if (system(cmd) != 0)
            printf("could not remove %s\n", f->dir);
        f->dir[0] = '\0';
    }
}

/* POST a control request; fails the test unless it answers 200. */
void fake_control(const struct fake *f, const char *path, const char *body)
{
    struct resp r = request(f->port, "POST", path, body, NULL);
    if (r.status != 200) {
        printf("%s: fakeapi %s %s: %ld %s\n", t_current, path, body, r.status, r.body);
        t_failed++;
    }
    free(r.body);
}

/* Requests the fake has answered (control requests not included), or -1. */
long long fake_requests(const struct fake *f)
{
    struct resp r = request(f->port, "GET", "/_control/count", NULL, NULL);
    json_t *o = json_loads(r.body, 0, NULL);
    json_t *v = json_object_get(o, "requests");
    long long n = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
    json_decref(o);
    free(r.body);
    return n;
}

/* The record file as a JSON array of its lines (new reference). */
json_t *fake_records(const struct fake *f)
{
    char *all = read_file(f->record);
    json_t *a = json_array();
    char *save = NULL;
    for (char *line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_error_t err;
        json_t *o = json_loads(line, 0, &err);
        if (o == NULL) {
            printf("%s: bad record line: %s: %s\n", t_current, err.text, line);
            t_failed++;
            continue;
        }
        json_array_append_new(a, o);
    }
    free(all);
    return a;
}

#define IT_SUITES(X) X(core) X(outbox) X(lesson) X(courses) X(desk) X(channels) X(report) X(dashboard) X(hardening) X(security) X(net) X(privacy) X(staff) X(deploy) X(sender) X(routing) X(people) X(content) X(nodes)
#define DECL(s) extern const struct t_case it_##s##_tests[];
IT_SUITES(DECL)
#undef DECL
static const struct t_case *const suites[] = {
#define ROW(s) it_##s##_tests,
    IT_SUITES(ROW)
#undef ROW
};

int main(int argc, char **argv)
{
    int passed = 0, failed = 0, skipped = 0;
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
    snprintf(it_cache, sizeof it_cache, "/tmp/yizhan-it-cache-XXXXXX");
    if (mkdtemp(it_cache) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++)
    for (const struct t_case *c = suites[s]; c->name; c++) {
        bool want = argc < 2;
        for (int i = 1; i < argc; i++)
            if (strstr(c->name, argv[i]))
                want = true;
        if (!want || !t_in_shard())
            continue;
        t_current = c->name;
        t_failed = 0;
        t_skipped = 0;
        c->fn();
        if (t_skipped && !t_failed) {
            skipped++;
            continue;
        }
        printf("%s it.%s\n", t_failed ? "FAIL" : "ok  ", c->name);
        if (t_failed)
            failed++;
        else
            passed++;
    }
    content_free(ct);
    curl_global_cleanup();
    char rm[128];
    snprintf(rm, sizeof rm, "rm -rf '%s'", it_cache);
    if (system(rm) != 0)
        printf("could not remove %s\n", it_cache);
    if (skipped > 0)
        printf("%d skipped\n", skipped);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

int it_staff_sign_in(int port, const char *sup, const char *user, const char *role,
                     const char *area, char *cookie, char *csrf)
{
    char body[400], auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", sup);
    const char *const h[] = {auth, NULL};
    snprintf(body, sizeof body,
             "{\"username\":\"%s\",\"display\":\"%s\",\"org\":\"union\",\"role\":\"%s\","
             "\"area\":\"%s\",\"password\":\"pw-%s-0123\"}",
             user, user, role, area, user);
    struct hresp r = hrequest(port, "POST", "/admin/api/staff", body, h);
    long made = r.status;
    hresp_release(&r);
    if (made != 201 && made != 409)
        return -1;
    snprintf(body, sizeof body, "{\"username\":\"%s\",\"password\":\"pw-%s-0123\"}", user,
             user);
    r = hrequest(port, "POST", "/admin/login", body, NULL);
    int rc = -1;
    const char *sc = r.headers ? strstr(r.headers, "Set-Cookie: yz_sid=") : NULL;
    json_t *j = json_loads(r.body ? r.body : "", 0, NULL);
    const char *x = json_string_value(json_object_get(j, "csrf"));
    if (r.status == 200 && sc != NULL && x != NULL) {
        snprintf(cookie, 120, "Cookie: yz_sid=%.64s", sc + strlen("Set-Cookie: yz_sid="));
        snprintf(csrf, 120, "X-CSRF-Token: %s", x);
        rc = 0;
    }
    json_decref(j);
    hresp_release(&r);
    return rc;
}
