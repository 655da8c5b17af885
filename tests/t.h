/*
 * t.h - the whole unit-test framework. A failed check prints
 * file:line: test: got ..., want ... and marks the running test failed.
 */
#ifndef TESTS_T_H
#define TESTS_T_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct t_case {
    const char *name;
    void (*fn)(void);
};
#define T(fn) {#fn, fn}
#define T_END {NULL, NULL}

/* Whether the next case of the run is this process's to run: with
 * YIZHAN_SHARD=K/N (tests/lanes.sh) a runner runs every N-th case from
 * the K-th, so N copies side by side run each case once (make valgrind
 * runs the suites as two lanes on the two cores). Without it, every case.
 * Called once per case, in order. */
static inline int t_in_shard(void)
{
    static long next;
    int k = 0, n = 1;
    const char *s = getenv("YIZHAN_SHARD");
    if (s == NULL || sscanf(s, "%d/%d", &k, &n) != 2 || n < 1 || k < 0 || k >= n)
        k = 0, n = 1;
    return next++ % n == k;
}

extern int t_failed;          /* checks failed in the running test */
extern const char *t_current; /* name of the running test */

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, t_current, #cond);        \
            t_failed++;                                                                            \
        }                                                                                          \
    } while (0)
#define CHECK_INT(got, want)                                                                       \
    do {                                                                                           \
        long long g_ = (long long)(got), w_ = (long long)(want);                                   \
        if (g_ != w_) {                                                                            \
            printf("%s:%d: %s: got %lld, want %lld (%s)\n", __FILE__, __LINE__, t_current, g_, w_, \
                   #got);                                                                          \
            t_failed++;                                                                            \
        }                                                                                          \
    } while (0)
#define CHECK_STR(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {                           \
            printf("%s:%d: %s: got \"%s\", want \"%s\" (%s)\n", __FILE__, __LINE__, t_current,     \
                   g_ ? g_ : "(null)", w_ ? w_ : "(null)", #got);                                  \
            t_failed++;                                                                            \
        }                                                                                          \
    } while (0)
/* got contains want as a substring */
#define CHECK_HAS(got, want)                                                                       \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (g_ == NULL || strstr(g_, w_) == NULL) {                                                \
            printf("%s:%d: %s: got \"%s\", want it to contain \"%s\"\n", __FILE__, __LINE__,       \
                   t_current, g_ ? g_ : "(null)", w_);                                             \
            t_failed++;                                                                            \
        }                                                                                          \
    } while (0)

/* A fresh temporary directory for this test (removed after the run). */
const char *t_tmpdir(void);
/* Write text to dir/name (a fixture file), checking each step. */
void t_put(const char *dir, const char *name, const char *text);
/* The whole file, NUL-terminated (new; its length in *len when not NULL),
 * or NULL when it cannot be opened. */
char *t_slurp(const char *path, size_t *len);
/* Catch what is written to stderr, the log at level info included, until
 * t_stderr_end(), which returns it (the caller frees). */
void t_stderr_begin(void);
char *t_stderr_end(void);
/* One integer from a query on the store's connection, or -1. */
struct store;
long long t_query_int(struct store *st, const char *sql);
/* The shipped intents/ (read-only once loaded: every reader takes them
 * const), loaded once for the whole run and shared by every test that
 * asks; its load errors appended to errs on every call. Why: a load takes
 * ~0.2 s, ~10 s under valgrind, and 140 of them were most of `make
 * valgrind`'s unit run. t_intents_free frees any other intents and leaves
 * the shared one alone (tests/run frees it at the end). */
struct buf;
struct intents;
struct intents *t_intents(struct buf *errs);
void t_intents_free(struct intents *in);
/* Source tree root, for fixtures: the directory tests/run was started from. */
void stub_clock_set(int64_t ms);
void stub_clock_advance(int64_t ms);

#endif
