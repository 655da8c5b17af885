/*
 * intents.c - nanoseconds per message for norm_text + intent_match: loads the
 * rules in argv[1], matches every text of tests/data/intents/cases.txt (and
 * an unmatched text, which tries every rule) for argv[2] rounds. Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "intent.h"
#include "log.h"
#include "norm.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double run(const struct intents *in, char **texts, int n, int rounds, int *matched)
{
    double t0 = now_ns();
    *matched = 0;
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < n; i++) {
            struct intent_match m;
            char *t = norm_text(texts[i]);
            memset(&m, 0, sizeof m);
            *matched += intent_match(in, t, &m) == 1;
            intent_match_release(&m);
            free(t);
        }
    return (now_ns() - t0) / ((double)rounds * n);
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
    for (int i = 0; i < n; i++)
        free(texts[i]);
    intent_free(in);
    buf_release(&errs);
    return 0;
}
