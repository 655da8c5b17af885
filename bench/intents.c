/*
 * intents.c - nanoseconds per message for norm_text + intent_match: loads the
 * rules in argv[1], matches every text of tests/data/intents/cases.txt (and
 * an unmatched text, which tries every rule) for argv[2] rounds. Not a test.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "content.h"
#include "intent.h"
#include "log.h"
#include "norm.h"
#include "safety.h"
#include "understand.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double run_with(const struct intents *in, char **texts, int n, int rounds, int *matched,
                       bool whole)
{
    double t0 = now_ns();
    *matched = 0;
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < n; i++) {
            struct intent_match m;
            char *t = norm_text(texts[i]);
            memset(&m, 0, sizeof m);
            *matched += (whole ? understand(in, t, &m, NULL) : intent_match(in, t, &m)) == 1;
            intent_match_release(&m);
            free(t);
        }
    return (now_ns() - t0) / ((double)rounds * n);
}

/* The safety stage every text passes first (safety_is_crisis: the crisis
 * words and patterns, then the crisis net on the text and its parts). */
static double run_safety(const struct content *ct, const struct intents *in, char **texts, int n,
                         int rounds, int *hits)
{
    double t0 = now_ns();
    *hits = 0;
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < n; i++) {
            char *t = norm_text(texts[i]);
            *hits += safety_is_crisis(ct, in, t);
            free(t);
        }
    return (now_ns() - t0) / ((double)rounds * n);
}

static double run(const struct intents *in, char **texts, int n, int rounds, int *matched)
{
    return run_with(in, texts, n, rounds, matched, false);
}

/* The texts of the eval files (label<TAB>text), up to max: dev and the
 * validation split, never the held-out sets (measured by the lead only). */
static int eval_texts(char **texts, int max)
{
    const char *files[] = {"tests/data/eval/dev.tsv", "tests/data/eval/valid3.tsv"};
    char line[2048];
    int n = 0;
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        FILE *f = fopen(files[k], "r");
        while (f != NULL && n < max && fgets(line, sizeof line, f) != NULL) {
            char *tab = strchr(line, '\t');
            if (tab == NULL)
                continue;
            tab[1 + strcspn(tab + 1, "\n")] = '\0';
            texts[n++] = strdup(tab + 1);
        }
        if (f)
            fclose(f);
    }
    return n;
}

int main(int argc, char **argv)
{
    struct buf errs;
    char *texts[1000], line[2048];
    int n = 0, rounds = argc > 2 ? atoi(argv[2]) : 200, matched;
    log_set_level(LOG_ERR);
    buf_init(&errs, 0);
    struct intents *in = intent_load(argc > 1 ? argv[1] : "intents", &errs);
    if (in == NULL) {
        fprintf(stderr, "%s", errs.data);
        return 1;
    }
    FILE *f = fopen("tests/data/intents/cases.txt", "r");
    while (f != NULL && n < 1000 && fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\t\n")] = '\0';
        texts[n++] = strdup(line);
    }
    if (f)
        fclose(f);
    char *none[] = {"今天天气怎么样，我在襄阳送外卖"};
    double ns = run(in, texts, n, rounds, &matched);
    double ns_none = run(in, none, 1, rounds * 50, &matched);
    printf("%zu rules, %d texts x %d rounds: %.0f ns per message (normalise + match)\n",
           intent_rule_count(in), n, rounds, ns);
    printf("a text no rule matches (all %zu rules tried): %.0f ns\n", intent_rule_count(in),
           ns_none);
    ns = run_with(in, texts, n, rounds, &matched, true);
    printf("understand() on the same texts: %.0f ns per message\n", ns);
    ns_none = run_with(in, none, 1, rounds * 10, &matched, true);
    printf("understand() on a text no rule matches (matched copy + scorer): %.0f ns\n", ns_none);
    char *worker[2000];
    int nw = eval_texts(worker, 2000);
    if (nw > 0) {
        ns = run_with(in, worker, nw, rounds / 10 + 1, &matched, true);
        printf("understand() on %d eval texts (as workers write): %.0f ns per message\n", nw, ns);
        struct content *ct = content_load("content", &errs);
        if (ct != NULL) {
            ns = run_safety(ct, in, worker, nw, rounds / 10 + 1, &matched);
            printf("safety_is_crisis() on the same texts: %.0f ns per message\n", ns);
        }
        content_free(ct);
    }
    for (int i = 0; i < nw; i++)
        free(worker[i]);
    for (int i = 0; i < n; i++)
        free(texts[i]);
    intent_free(in);
    buf_release(&errs);
    return 0;
}
