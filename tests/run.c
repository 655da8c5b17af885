/*
 * run.c - runs every unit-test suite, or the ones named on the command line
 * (tests/run intent store). Ends with "N passed, N failed"; exit 1 on failure.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "intent.h"
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_int.h" /* store_db(), for t_query_int */
#include "t.h"
#include "util.h"

int t_failed;
const char *t_current;
static char tmp_template[] = "/tmp/yizhan-test-XXXXXX";
static char *tmp_root;
static int tmp_seq;

const char *t_tmpdir(void)
{
    static char path[256];
    if (tmp_root == NULL) {
        tmp_root = mkdtemp(tmp_template);
        if (tmp_root == NULL) {
            perror("mkdtemp");
            exit(2);
        }
    }
    snprintf(path, sizeof path, "%s/%d", tmp_root, ++tmp_seq);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
    if (system(cmd) != 0) {
        perror("mkdir");
        exit(2);
    }
    return path;
}

static struct intents *shipped;
static char *shipped_errs; /* its load's errors, "" when none */

struct intents *t_intents(struct buf *errs)
{
    if (shipped_errs == NULL) {
        struct buf e;
        buf_init(&e, 0);
        shipped = intent_load("intents", &e);
        shipped_errs = xstrdup(e.data ? e.data : "");
        buf_release(&e);
    }
    if (shipped_errs[0] != '\0')
        buf_puts(errs, shipped_errs);
    return shipped;
}

void t_intents_free(struct intents *in)
{
    if (in != shipped)
        intent_free(in);
}

void t_put(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        CHECK_INT(fclose(f), 0);
    }
}

char *t_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    struct buf b;
    char chunk[4096];
    size_t n;
    if (f == NULL)
        return NULL;
    buf_init(&b, 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        (void)buf_append(&b, chunk, n); /* no cap: cannot fail */
    fclose(f);
    if (len != NULL)
        *len = b.len;
    return buf_take(&b);
}

static FILE *capture_file;
static int capture_saved = -1;

void t_stderr_begin(void)
{
    char *path = xasprintf("%s/stderr.txt", t_tmpdir());
    capture_file = fopen(path, "w+");
    free(path);
    CHECK(capture_file != NULL);
    fflush(stderr);
    capture_saved = dup(STDERR_FILENO);
    if (capture_file != NULL)
        dup2(fileno(capture_file), STDERR_FILENO);
    log_set_level(LOG_INFO);
}

char *t_stderr_end(void)
{
    log_set_level(getenv("TEST_LOG") ? LOG_DEBUG : LOG_OFF); /* as main() below */
    fflush(stderr);
    dup2(capture_saved, STDERR_FILENO);
    close(capture_saved);
    if (capture_file == NULL)
        return xstrdup("");
    fseek(capture_file, 0, SEEK_END);
    long n = ftell(capture_file);
    char *text = xcalloc(1, (size_t)(n > 0 ? n : 0) + 1);
    rewind(capture_file);
    CHECK_INT((long)fread(text, 1, (size_t)(n > 0 ? n : 0), capture_file), n);
    fclose(capture_file);
    capture_file = NULL;
    return text;
}

long long t_query_int(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

#define SUITES(X) \
    X(util) X(conf) X(norm) X(intent) X(lesson) X(content) \
    X(store) X(engine) X(chan_generic) X(text) X(outbox) X(handle_lesson) \
    X(points) X(courses) X(desk) X(chan_wechat) X(chan_telegram) X(chan_twilio) \
    X(chan_kannel) X(chan_events) X(report) X(web) X(throttle) X(account) \
    X(delivery) X(security) X(xml) X(understand) X(privacy) X(backup) X(staff) X(migrate) X(routing) X(people) \
    X(sql) X(live) X(features)

#define DECL(s) extern const struct t_case s##_tests[];
SUITES(DECL)
#undef DECL

static const struct {
    const char *name;
    const struct t_case *cases;
} suites[] = {
#define ROW(s) {#s, s##_tests},
    SUITES(ROW)
#undef ROW
};

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* tests provoke errors on purpose; TEST_LOG=1 shows the log lines */
    log_set_level(getenv("TEST_LOG") ? LOG_DEBUG : LOG_OFF);
    for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
        bool want = argc < 2;
        for (int i = 1; i < argc; i++)
            if (strcmp(argv[i], suites[s].name) == 0)
                want = true;
        if (!want)
            continue;
        for (const struct t_case *c = suites[s].cases; c->name; c++) {
            if (!t_in_shard())
                continue;
            t_current = c->name;
            t_failed = 0;
            c->fn();
            if (t_failed) {
                printf("FAIL %s.%s\n", suites[s].name, c->name);
                failed++;
            } else {
                passed++;
            }
        }
    }
    if (tmp_root) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_root);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmp_root);
    }
    intent_free(shipped);
    free(shipped_errs);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
