/*
 * test_intent.c - the rule loader (file:line errors, name order, first match
 * wins, captures) and the shipped intents/ rules against the golden file
 * tests/data/intents/cases.txt, normalised first as the bot does.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "feature.h"
#include "intent.h"
#include "norm.h"
#include "scorer.h"
#include "t.h"
#include "util.h"

#define RULES_DIR "intents"
#define CASES "tests/data/intents/cases.txt"

/*
 * Every intent the product ships: those its features handle (feature.h),
 * but for the two the turn runs itself (fallback, a bare location).
 * Handlers rely on these names.
 */
#define SHIPPED_MAX 128
static const char *shipped[SHIPPED_MAX];
static size_t nshipped;

static void shipped_load(void)
{
    nshipped = 0;
    for (size_t f = 0; features[f] != NULL; f++)
        for (const struct handler *h = features[f]->intents; h != NULL && h->intent; h++)
            if (strcmp(h->intent, "fallback") != 0 && strcmp(h->intent, "location") != 0 &&
                nshipped < SHIPPED_MAX)
                shipped[nshipped++] = h->intent;
}
#define NSHIPPED nshipped

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(text, f);
        CHECK_INT(fclose(f), 0);
    }
    free(path);
}

/* intent_load() on dir; *errs gets the error text (caller frees). */
static struct intents *load(const char *dir, char **errs)
{
    struct buf b;
    struct intents *in;
    buf_init(&b, 0);
    in = intent_load(dir, &b);
    *errs = buf_take(&b);
    return in;
}

/* The shipped intents/, shared by the whole run (t_intents: read-only once
 * loaded); *errs gets its load's error text (caller frees). */
static struct intents *load_shipped(char **errs)
{
    struct buf b;
    buf_init(&b, 0);
    struct intents *in = t_intents(&b);
    *errs = buf_take(&b);
    return in;
}

static void test_intent_load_shipped(void)
{
    char *errs = NULL;
    struct intents *in = load_shipped(&errs);
    shipped_load();
    CHECK(in != NULL);
    CHECK_STR(errs, "");
    if (in != NULL) {
        CHECK_INT(intent_count(in), NSHIPPED);
        CHECK(intent_rule_count(in) >= intent_count(in));
        for (size_t i = 0; i < NSHIPPED; i++) {
            bool found = false;
            for (size_t j = 0; j < intent_count(in); j++)
                if (strcmp(intent_name(in, j), shipped[i]) == 0)
                    found = true;
            if (!found) {
                printf("%s: intent %s missing from %s/\n", t_current, shipped[i], RULES_DIR);
                t_failed++;
            }
        }
        CHECK(intent_name(in, intent_count(in)) == NULL);
    }
    t_intents_free(in);
    free(errs);
}

/* Split "a\tb\tc" in place into at most max fields. Returns the count. */
static int split_tabs(char *s, char **f, int max)
{
    int n = 0;
    f[n++] = s;
    for (char *p = s; *p && n < max; p++) {
        if (*p == '\t') {
            *p = '\0';
            f[n++] = p + 1;
        }
    }
    return n;
}

/* Check one golden row; prints file:line with got/want when it fails. */
static bool check_row(const struct intents *in, int lineno, char **f, int nf)
{
    struct intent_match m;
    char *text = norm_text(f[0]);
    const char *want = f[1];
    bool ok = true;
    int rc = intent_match(in, text, &m);
    const char *got = rc == 1 ? m.intent : "-";

    if (rc == -1 || strcmp(got, want) != 0) {
        printf("%s:%d: \"%s\" (normalised \"%s\"): got %s (%s:%d), want %s\n", CASES, lineno, f[0],
               text, rc == -1 ? "error" : got, m.file ? m.file : "-", m.line, want);
        ok = false;
        goto out;
    }
    for (int i = 2; i < nf; i++) {
        char *eq = strchr(f[i], '=');
        const char *v;
        if (eq == NULL) {
            printf("%s:%d: bad capture field \"%s\" (want name=value)\n", CASES, lineno, f[i]);
            ok = false;
            continue;
        }
        *eq = '\0';
        v = intent_cap(&m, f[i]);
        if (v == NULL || strcmp(v, eq + 1) != 0) {
            printf("%s:%d: \"%s\": capture %s: got \"%s\", want \"%s\"\n", CASES, lineno, f[0],
                   f[i], v ? v : "(none)", eq + 1);
            ok = false;
        }
    }
    if (m.ncaps != nf - 2) {
        printf("%s:%d: \"%s\": %d captures, want %d:", CASES, lineno, f[0], m.ncaps, nf - 2);
        for (int i = 0; i < m.ncaps; i++)
            printf(" %s=%s", m.caps[i].name, m.caps[i].value);
        printf("\n");
        ok = false;
    }
out:
    intent_match_release(&m);
    free(text);
    return ok;
}

static void test_intent_golden_cases(void)
{
    char *errs = NULL, *line = NULL;
    size_t cap = 0;
    int lineno = 0, rows = 0, bad = 0;
    bool seen[SHIPPED_MAX] = {false};
    struct intents *in = load_shipped(&errs);
    FILE *f = fopen(CASES, "r");
    shipped_load();

    CHECK(in != NULL);
    CHECK(f != NULL);
    if (in == NULL || f == NULL)
        goto out;
    while (getline(&line, &cap, f) != -1) {
        char *fields[2 + INTENT_MAX_CAPS];
        size_t len = strlen(line);
        int nf;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (line[0] == '#' || len == 0)
            continue;
        nf = split_tabs(line, fields, 2 + INTENT_MAX_CAPS);
        if (nf < 2) {
            printf("%s:%d: want text<TAB>intent\n", CASES, lineno);
            bad++;
            continue;
        }
        rows++;
        for (size_t i = 0; i < NSHIPPED; i++)
            if (strcmp(fields[1], shipped[i]) == 0)
                seen[i] = true;
        if (!check_row(in, lineno, fields, nf))
            bad++;
    }
    if (bad)
        printf("%s: %d of %d rows failed\n", CASES, bad, rows);
    CHECK_INT(bad, 0);
    CHECK(rows >= 120);
    /* every shipped intent has at least one golden row */
    for (size_t i = 0; i < NSHIPPED; i++) {
        if (!seen[i]) {
            printf("%s: no row for intent %s\n", CASES, shipped[i]);
            t_failed++;
        }
    }
out:
    if (f != NULL)
        fclose(f);
    free(line);
    t_intents_free(in);
    free(errs);
}

static void test_intent_bad_pattern(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL, *want = NULL;
    struct intents *in;

    write_file(dir, "10-a.rules", "# comment\n\nhelp ^(?:帮助$\nmore ^more$\n");
    write_file(dir, "20-b.rules", "ok ^ok$\nbad ^[a-$\n");
    in = load(dir, &errs);
    CHECK(in == NULL);
    want = xasprintf("%s/10-a.rules:3: ", dir);
    CHECK_HAS(errs, want);
    free(want);
    want = xasprintf("%s/20-b.rules:2: ", dir);
    CHECK_HAS(errs, want); /* loading goes on after the first problem */
    CHECK_HAS(errs, "at offset");
    CHECK_HAS(errs, "missing closing parenthesis");
    free(want);
    t_intents_free(in);
    free(errs);
    free(dir);
}

static void test_intent_line_without_pattern(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL, *want = NULL;
    struct intents *in;

    write_file(dir, "a.rules", "help ^help$\nmore\nprofile   \t \n");
    in = load(dir, &errs);
    CHECK(in == NULL);
    want = xasprintf("%s/a.rules:2: no pattern", dir);
    CHECK_HAS(errs, want);
    free(want);
    want = xasprintf("%s/a.rules:3: no pattern", dir);
    CHECK_HAS(errs, want);
    free(want);
    t_intents_free(in);
    free(errs);
    free(dir);
}

static void test_intent_bad_name(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL, *want = NULL;
    struct intents *in;

    write_file(dir, "a.rules", "Help ^help$\n1x ^x$\nx-y ^y$\nok.fine_2 ^z$\n");
    in = load(dir, &errs);
    CHECK(in == NULL);
    for (int line = 1; line <= 3; line++) {
        want = xasprintf("%s/a.rules:%d: bad intent name", dir, line);
        CHECK_HAS(errs, want);
        free(want);
    }
    CHECK(strstr(errs, "a.rules:4:") == NULL);
    t_intents_free(in);
    free(errs);
    free(dir);
}

static void test_intent_no_rules(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL, *missing = xasprintf("%s/nope", dir);
    struct intents *in;

    write_file(dir, "readme.txt", "not rules ((\n");
    write_file(dir, "only-comments.rules", "# nothing yet\n\n");
    in = load(dir, &errs);
    CHECK(in == NULL);
    CHECK_HAS(errs, dir);
    CHECK_HAS(errs, "no rules");
    free(errs);
    in = load(missing, &errs);
    CHECK(in == NULL);
    CHECK_HAS(errs, missing);
    CHECK_HAS(errs, "cannot open");
    free(errs);
    free(missing);
    free(dir);
}

static void test_intent_first_match_wins(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL;
    struct intents *in;
    struct intent_match m;

    /* written out of order: loading sorts by name; CRLF and comments are fine */
    write_file(dir, "20-late.rules", "late ^ab$\nlater ^.*$\n");
    write_file(dir, "10-early.rules", "# early\r\n  early   ^a  \r\n\r\nearly ^x$\r\n");
    write_file(dir, "15-skip.txt", "skip ^ab$\n");
    in = load(dir, &errs);
    CHECK(in != NULL);
    CHECK_STR(errs, "");
    if (in == NULL)
        goto out;
    CHECK_INT(intent_rule_count(in), 4);
    CHECK_INT(intent_count(in), 3);
    CHECK_STR(intent_name(in, 0), "early");
    CHECK_STR(intent_name(in, 1), "late");
    CHECK_STR(intent_name(in, 2), "later");
    CHECK_INT(intent_match(in, "ab", &m), 1);
    CHECK_STR(m.intent, "early");
    CHECK_STR(m.file, "10-early.rules");
    CHECK_INT(m.line, 2);
    intent_match_release(&m);
    CHECK_INT(intent_match(in, "zz", &m), 1);
    CHECK_STR(m.intent, "later");
    CHECK_STR(m.file, "20-late.rules");
    CHECK_INT(m.line, 2);
    intent_match_release(&m);
out:
    t_intents_free(in);
    free(errs);
    free(dir);
}

/* `!intent pattern` vetoes every rule of intent wherever the pattern is
 * found: the next rule is tried; a veto naming no rule's intent is an error */
static void test_intent_veto(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL, *want = NULL;
    struct intents *in;
    struct intent_match m;

    write_file(dir, "10-a.rules", "stop ^(?<w>stop)\\b\nstop ^halt\nother ^.*$\n");
    write_file(dir, "20-v.rules", "# vetoes\n!stop joke|kidding\n");
    in = load(dir, &errs);
    CHECK(in != NULL);
    CHECK_STR(errs, "");
    if (in == NULL)
        goto out;
    CHECK_INT(intent_rule_count(in), 3);
    CHECK_INT(intent_match(in, "stop now", &m), 1);
    CHECK_STR(m.intent, "stop");
    CHECK_STR(intent_cap(&m, "w"), "stop");
    intent_match_release(&m);
    /* found anywhere, it vetoes both stop rules: the next rule takes it */
    CHECK_INT(intent_match(in, "stop, just a joke", &m), 1);
    CHECK_STR(m.intent, "other");
    CHECK_INT(m.line, 3);
    intent_match_release(&m);
    CHECK_INT(intent_match(in, "halt kidding", &m), 1);
    CHECK_STR(m.intent, "other");
    intent_match_release(&m);
    t_intents_free(in);

    write_file(dir, "20-v.rules", "# vetoes\n!stpo joke\n!stop (\n");
    free(errs);
    in = load(dir, &errs);
    CHECK(in == NULL);
    want = xasprintf("%s/20-v.rules:2: veto for 'stpo', which no rule has", dir);
    CHECK_HAS(errs, want);
    free(want);
    want = xasprintf("%s/20-v.rules:3: missing closing parenthesis", dir);
    CHECK_HAS(errs, want);
    free(want);
out:
    t_intents_free(in);
    free(errs);
    free(dir);
}

static void test_intent_captures(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL;
    struct intents *in;
    struct intent_match m;

    write_file(dir, "a.rules",
               "pair ^(?<a>[0-9]+)(?:-(?<b>[a-z]+))?$\n"
               "plain ^(x)(y)?$\n"
               "han ^报到 ?(?<city>\\p{Han}+)$\n");
    in = load(dir, &errs);
    CHECK(in != NULL);
    CHECK_STR(errs, "");
    if (in == NULL)
        goto out;
    CHECK_INT(intent_match(in, "12", &m), 1);
    CHECK_INT(m.ncaps, 1);
    CHECK_STR(intent_cap(&m, "a"), "12");
    CHECK(intent_cap(&m, "b") == NULL); /* did not take part */
    intent_match_release(&m);
    CHECK_INT(intent_match(in, "12-ab", &m), 1);
    CHECK_INT(m.ncaps, 2);
    CHECK_STR(intent_cap(&m, "a"), "12");
    CHECK_STR(intent_cap(&m, "b"), "ab");
    intent_match_release(&m);
    CHECK_INT(m.ncaps, 0);
    CHECK_INT(intent_match(in, "xy", &m), 1);
    CHECK_STR(m.intent, "plain");
    CHECK_INT(m.ncaps, 0); /* unnamed groups are not captures */
    intent_match_release(&m);
    CHECK_INT(intent_match(in, "报到 武汉", &m), 1); /* UTF mode: \p{Han} per character */
    CHECK_STR(intent_cap(&m, "city"), "武汉");
    intent_match_release(&m);
    CHECK_INT(intent_match(in, "nothing", &m), 0);
    CHECK(m.intent == NULL);
    CHECK_INT(m.ncaps, 0);
    intent_match_release(&m);
out:
    t_intents_free(in);
    free(errs);
    free(dir);
}

static void test_intent_too_many_caps(void)
{
    char *dir = xstrdup(t_tmpdir());
    char *errs = NULL;
    struct intents *in;

    write_file(dir, "a.rules",
               "x ^(?<a>.)(?<b>.)(?<c>.)(?<d>.)(?<e>.)(?<f>.)(?<g>.)(?<h>.)(?<i>.)$\n");
    in = load(dir, &errs);
    CHECK(in == NULL);
    CHECK_HAS(errs, "a.rules:1: 9 named groups");
    t_intents_free(in);
    free(errs);
    free(dir);
}

/* Several threads match the shipped rules at once (run under ASan/TSan). */
static void *match_many(void *arg)
{
    const struct intents *in = arg;
    static const char *const texts[] = {"积分", "报名 2", "签到 k7q2", "asdf", "答案是c"};
    static const char *const want[] = {"points.balance", "course.book", "checkin", NULL,
                                       "quiz.answer"};
    long bad = 0;
    for (int i = 0; i < 2000; i++) {
        struct intent_match m;
        int k = i % 5;
        int rc = intent_match(in, texts[k], &m);
        if (want[k] == NULL ? rc != 0 : rc != 1 || strcmp(m.intent, want[k]) != 0)
            bad++;
        intent_match_release(&m);
    }
    return (void *)bad;
}

static void test_intent_match_threads(void)
{
    char *errs = NULL;
    struct intents *in = load_shipped(&errs);
    pthread_t th[4];

    CHECK(in != NULL);
    if (in == NULL)
        goto out;
    for (int i = 0; i < 4; i++)
        CHECK_INT(pthread_create(&th[i], NULL, match_many, in), 0);
    for (int i = 0; i < 4; i++) {
        void *bad = NULL;
        CHECK_INT(pthread_join(th[i], &bad), 0);
        CHECK_INT((long)bad, 0);
    }
out:
    t_intents_free(in);
    free(errs);
}

/* The canon-*.tsv files in dir: how many, and the last one's path in path. */
static int cache_files(const char *dir, char *path, size_t size)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
        if (strncmp(e->d_name, "canon-", 6) == 0 && strstr(e->d_name, ".tsv") != NULL &&
            strstr(e->d_name, ".tmp") == NULL) {
            snprintf(path, size, "%s/%s", dir, e->d_name);
            n++;
        }
    if (d != NULL)
        (void)closedir(d);
    return n;
}

/* Every example phrase of a and b: the same intents and matched copies, in
 * the same order. */
static void check_same_examples(const struct intents *a, const struct intents *b)
{
    const struct scorer *sa = a ? intent_scorer(a) : NULL, *sb = b ? intent_scorer(b) : NULL;
    CHECK(sa != NULL && sb != NULL);
    if (sa == NULL || sb == NULL)
        return;
    CHECK_INT((long long)scorer_count(sb), (long long)scorer_count(sa));
    int differ = 0;
    for (size_t i = 0; i < scorer_count(sa) && i < scorer_count(sb); i++) {
        const char *ia, *ib, *fa, *fb;
        int la, lb;
        const char *ta = scorer_example(sa, i, &ia, &fa, &la),
                   *tb = scorer_example(sb, i, &ib, &fb, &lb);
        if (strcmp(ta, tb) != 0 || strcmp(ia, ib) != 0) {
            if (differ++ < 3)
                CHECK_STR(tb, ta);
        }
    }
    CHECK_INT(differ, 0);
}

/* The shipped examples' matched copies, made (a cold start writes the
 * cache) and read back (a warm start): the same as without a cache. */
static void test_canon_cache_same_copies(void)
{
    char *errs = NULL, path[512];
    struct intents *plain = load_shipped(&errs);
    free(errs);
    const char *cache = t_tmpdir();
    struct buf e;
    buf_init(&e, 0);
    struct intents *cold = intent_load_cached("intents", cache, &e);
    CHECK_STR(e.data ? e.data : "", "");
    CHECK_INT(cache_files(cache, path, sizeof path), 1);
    size_t len = 0;
    char *file = t_slurp(path, &len);
    size_t lines = 0;
    for (size_t i = 0; file && i < len; i++)
        lines += file[i] == '\n';
    /* one line a phrase (a phrase written twice, twice) */
    CHECK(plain != NULL && lines == scorer_count(intent_scorer(plain)));
    free(file);
    struct intents *warm = intent_load_cached("intents", cache, &e);
    CHECK_STR(e.data ? e.data : "", "");
    check_same_examples(plain, cold);
    check_same_examples(plain, warm);
    CHECK_INT(cache_files(cache, path, sizeof path), 1);
    intent_free(cold);
    intent_free(warm);
    t_intents_free(plain);
    buf_release(&e);
}

/* The copies follow the lexicon (a new file when its bytes change), a bad
 * line in the file is skipped, and a cache that cannot be written costs
 * only the time. */
static void test_canon_cache_follows_lexicon(void)
{
    const char *dir = t_tmpdir();
    char *cache = xasprintf("%s/var/cache", t_tmpdir()); /* made, parents too */
    char path[512], first[512];
    struct buf e;
    buf_init(&e, 0);
    t_put(dir, "10.rules", "points.balance ^积分$\nhelp ^帮助$\n");
    t_put(dir, "10.examples", "points.balance\t查一下积份\nhelp\t怎么用\n");
    t_put(dir, "lexicon.txt", "");
    struct intents *in = intent_load_cached(dir, cache, &e);
    CHECK_STR(e.data ? e.data : "", "");
    const char *intent, *f;
    int line;
    CHECK_STR(in ? scorer_example(intent_scorer(in), 0, &intent, &f, &line) : "", "查一下积份");
    intent_free(in);
    CHECK_INT(cache_files(cache, first, sizeof first), 1);

    t_put(dir, "lexicon.txt", "积份\t积分\n");
    in = intent_load_cached(dir, cache, &e);
    CHECK_STR(e.data ? e.data : "", "");
    CHECK_STR(in ? scorer_example(intent_scorer(in), 0, &intent, &f, &line) : "", "查一下积分");
    intent_free(in);
    CHECK_INT(cache_files(cache, path, sizeof path), 2);

    /* a line that is not two fields is skipped; a phrase the file lacks is
     * made again */
    CHECK_INT(cache_files(cache, path, sizeof path), 2);
    FILE *fp = fopen(first, "w");
    CHECK(fp != NULL);
    if (fp != NULL) {
        fputs("no tab here\n查一下积份\t错\t多了一栏\n", fp);
        (void)fclose(fp);
    }
    t_put(dir, "lexicon.txt", "");
    in = intent_load_cached(dir, cache, &e);
    CHECK_STR(e.data ? e.data : "", "");
    CHECK_STR(in ? scorer_example(intent_scorer(in), 0, &intent, &f, &line) : "", "查一下积份");
    intent_free(in);

    /* cache_dir is a file: nothing can be written there, the load works */
    char *notdir = xasprintf("%s/file", dir);
    t_put(dir, "file", "x");
    in = intent_load_cached(dir, notdir, &e);
    CHECK_STR(e.data ? e.data : "", "");
    CHECK_STR(in ? scorer_example(intent_scorer(in), 1, &intent, &f, &line) : "", "怎么用");
    intent_free(in);
    free(notdir);
    free(cache);
    buf_release(&e);
}

const struct t_case intent_tests[] = {T(test_intent_load_shipped),
                                      T(test_intent_golden_cases),
                                      T(test_intent_bad_pattern),
                                      T(test_intent_line_without_pattern),
                                      T(test_intent_bad_name),
                                      T(test_intent_no_rules),
                                      T(test_intent_first_match_wins),
                                      T(test_intent_veto),
                                      T(test_intent_captures),
                                      T(test_intent_too_many_caps),
                                      T(test_intent_match_threads),
                                      T(test_canon_cache_same_copies),
                                      T(test_canon_cache_follows_lexicon),
                                      T_END};
