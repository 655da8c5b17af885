/*
 * eval.c - `make eval`: how well the bot understands texts written by
 * someone who has not read the rules. Reads label<TAB>text files (the
 * labels are intent names, `crisis` and `none`), understands each text the
 * way a turn without context does (the crisis check, then the rules, the
 * rules on the matched copy, the example scorer) and prints per-intent
 * precision and recall, the overall accuracy, the precision of actions and
 * every miss. No server, no database.
 *
 *   tests/eval/eval [-i intents] [-c content] [-t threshold] [--cache dir] [--plain] [-q]
 *                   [--net] [--via] FILE...
 *
 * --cache keeps the example phrases' matched copies in dir between runs, as
 * the server's cache_dir does (`make eval` runs it ~45 times).
 *
 * --plain measures the matcher before understanding was added (the rules on
 * the normalised text only; no crisis check outside a desk ticket), to
 * compare with another intents directory, e.g. an old commit's.
 * A prediction is right when it equals the label; for `none`, help, ask
 * (a numbered choice) and not-understood are right. Actions are the intents
 * understand.txt names `action` in the -a directory (default intents), less
 * those taken without the value they then ask for (`askswhich`: 报名 with
 * no number lists the courses and books nothing).
 * Also printed: the accuracy on the labels the -a rules can say at all (a
 * feature whose rules are not in this build counts against the first).
 * Also printed: the misses one reply away, asked with a numbered choice
 * whose 1 is the label (the worker answers 1), and the share right or so.
 * The threshold file holds `accuracy PERCENT` and `action_precision
 * PERCENT` lines; below either, the exit status is 1.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "content.h"
#include "intent.h"
#include "log.h"
#include "norm.h"
#include "safety.h"
#include "scorer.h"
#include "understand.h"
#include "util.h"

#define MAX_LABELS 128

struct tally {
    char *name;
    int labelled, predicted;
    int pred_right, label_right; /* right among its predictions, among its texts */
};

static struct tally tallies[MAX_LABELS];
static int ntallies;
static int checks_crisis; /* crisis texts that got the check-in, not the crisis reply */
static int asked_first; /* misses asked with a numbered choice whose 1 is the label */

static struct tally *tally_of(const char *name)
{
    for (int i = 0; i < ntallies; i++)
        if (strcmp(tallies[i].name, name) == 0)
            return &tallies[i];
    if (ntallies == MAX_LABELS)
        return NULL;
    tallies[ntallies].name = xstrdup(name);
    return &tallies[ntallies++];
}

static const char *via_name(enum understood_via v)
{
    static const char *const names[] = {"none", "rule", "canon", "scorer", "ask", "clause", "clause"};
    return names[v];
}

struct opts {
    const char *intents, *content, *threshold, *actions;
    const char *cache; /* --cache: the examples' matched copies kept (canon_cache.h) */
    bool plain, quiet; /* quiet: no MISS lines (a held-out set is measured, not read) */
    bool net;          /* one NET line a text: the crisis net's scores (a sweep's input) */
    bool via;          /* one VIA line a text: how it was understood (tests/eval/lofo.sh) */
};

/* What the text means to a turn without context: an intent name, `crisis`,
 * `ask`, `crisis.check` (not understood, near a crisis: the check-in) or
 * `fallback`. *via says how. choices (when ask) gets c1.. joined. */
static const char *predict(const struct intents *in, const struct content *ct, bool plain,
                           const char *text, struct intent_match *m, enum understood_via *via)
{
    char *n = norm_text(text);
    const char *p = "fallback";
    int rc;
    *via = VIA_NONE;
    enum safety_level level = plain ? SAFETY_NONE : safety_level(ct, in, n);
    if (level == SAFETY_CRISIS) {
        free(n);
        return "crisis";
    }
    if (plain) {
        rc = n[0] ? intent_match(in, n, m) : 0;
        *via = rc == 1 ? VIA_RULE : VIA_NONE;
    } else
        rc = understand(in, n, m, via);
    /* near a crisis, a guess gives way to the check-in, as in the turn */
    if (rc == 1 && !(level == SAFETY_NEAR && understand_gives_way(m, *via)))
        p = m->intent;
    else if (level == SAFETY_NEAR)
        p = "crisis.check"; /* the fallback's check-in with the hotlines */
    free(n);
    return p;
}

/* True when this build can say label at all (crisis, none, ask, or an
 * intent some rule has). */
static bool reachable(const struct intents *in, const char *label)
{
    if (strcmp(label, "crisis") == 0 || strcmp(label, "none") == 0 || strcmp(label, "ask") == 0)
        return true;
    for (size_t i = 0; i < intent_count(in); i++)
        if (strcmp(intent_name(in, i), label) == 0)
            return true;
    return false;
}

static bool right(const char *label, const char *pred)
{
    /* a check-in does nothing: right for small talk, a miss for a crisis
     * (no ticket, no alert), counted apart as hotlines shown */
    if (strcmp(label, "none") == 0)
        return strcmp(pred, "fallback") == 0 || strcmp(pred, "help") == 0 ||
               strcmp(pred, "ask") == 0 || strcmp(pred, "crisis.check") == 0;
    return strcmp(label, pred) == 0;
}

static double pct(int a, int b)
{
    return b > 0 ? 100.0 * a / b : 100.0;
}

static int read_threshold(const char *path, double *acc, double *act)
{
    FILE *f = fopen(path, "r");
    char key[64];
    double v;
    if (f == NULL) {
        perror(path);
        return -1;
    }
    while (fscanf(f, "%63s %lf", key, &v) == 2) {
        if (strcmp(key, "accuracy") == 0)
            *acc = v;
        else if (strcmp(key, "action_precision") == 0)
            *act = v;
    }
    (void)fclose(f);
    return 0;
}

/* VIA<TAB>label<TAB>prediction<TAB>how<TAB>choices<TAB>text<TAB>closest
 * <TAB>score<TAB>second<TAB>right: `how` is rule, canon, scorer, ask or none
 * (a crisis, a check-in or not understood); choices are the intents a
 * numbered choice offered, joined by commas, or `-`; closest is the scorer's
 * best intent, with its score and the next intent's (what the thresholds of
 * understand.txt see); right is 1 when right() counts the prediction right
 * (lofo.sh reads it rather than judging again); acts is 1 when the
 * prediction is an action that would act (understand_acts: not one taken
 * without the value it then asks for). */
static void print_via(const struct intents *in, const char *label, const char *pred,
                      enum understood_via via, const struct intent_match *m, bool acted,
                      const char *text)
{
    printf("VIA\t%s\t%s\t%s\t", label, pred, via_name(via));
    int k = 0;
    for (int i = 0; strcmp(pred, "ask") == 0 && i < m->ncaps; i++)
        if (m->caps[i].name[0] == 'i')
            printf("%s%s", k++ ? "," : "", m->caps[i].value);
    char *n = norm_text(text), *canon = norm_canon(intent_lexicon(in), n);
    struct scored r[2];
    int nr = intent_rank(in, canon, r, 2);
    printf("%s\t%s\t%s\t%.4f\t%.4f\t%d\t%d\n", k ? "" : "-", text, nr > 0 ? r[0].intent : "-",
           nr > 0 ? r[0].score : 0, nr > 1 ? r[1].score : 0, right(label, pred), acted);
    free(canon);
    free(n);
}

static int run_file(const char *path, const struct opts *o, const struct intents *in,
                    const struct intents *acts, const struct content *ct, int *total, int *ok,
                    int *act_pred, int *act_right, int *reach_total, int *reach_ok)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    int no = 0;
    if (f == NULL) {
        perror(path);
        return -1;
    }
    while (getline(&line, &cap, f) != -1) {
        no++;
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || tab == NULL)
            continue;
        *tab = '\0';
        const char *label = line, *text = tab + 1;
        struct intent_match m;
        enum understood_via via;
        memset(&m, 0, sizeof m);
        const char *pred = predict(in, ct, o->plain, text, &m, &via);
        /* m is filled only when pred is its intent */
        bool acted = understand_is_action(acts, pred) && understand_acts(acts, &m);
        if (o->net) {
            struct scored why[SAFETY_NET_PARTS + 1], against[SAFETY_NET_PARTS + 1];
            char *n = norm_text(text);
            int k = abs(safety_net_scores(ct, in, n, why, against, SAFETY_NET_PARTS + 1));
            printf("NET\t%s\t%d\t%.4f\t%.4f\t%s\t%s\n", label, strcmp(pred, "crisis") == 0,
                   why[0].score, against[0].score, against[0].intent ? against[0].intent : "-",
                   text);
            for (int i = 1; i < k; i++) /* each part, for a sweep of the net on parts */
                printf("NETSEG\t%s\t%.4f\t%.4f\t-\n", label, why[i].score, against[i].score);
            free(n);
        }
        if (o->via)
            print_via(in, label, pred, via, &m, acted, text);
        bool good = right(label, pred);
        if (!good && strcmp(pred, "ask") == 0)
            for (int i = 0; i < m.ncaps; i++)
                if (m.caps[i].name[0] == 'i') { /* the first choice offered */
                    asked_first += strcmp(m.caps[i].value, label) == 0;
                    break;
                }
        checks_crisis += strcmp(label, "crisis") == 0 && strcmp(pred, "crisis.check") == 0;
        struct tally *tl = tally_of(label), *tp = tally_of(pred);
        if (tl == NULL || tp == NULL) {
            intent_match_release(&m);
            continue;
        }
        tl->labelled++;
        tp->predicted++;
        tp->pred_right += good;
        tl->label_right += good;
        (*total)++;
        *ok += good;
        if (reachable(acts, label)) {
            (*reach_total)++;
            *reach_ok += good;
        }
        if (acted) {
            (*act_pred)++;
            *act_right += good;
        }
        if (!good && !o->quiet) {
            printf("MISS %s:%d\t%s\t-> %s (%s", path, no, label, pred, via_name(via));
            if (strcmp(pred, "ask") == 0)
                for (int i = 0; i < m.ncaps; i++)
                    if (m.caps[i].name[0] == 'i')
                        printf(" %s", m.caps[i].value);
            printf(")\t%s\n", text);
        }
        intent_match_release(&m);
    }
    free(line);
    (void)fclose(f);
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o = {.intents = "intents", .content = "content", .actions = "intents"};
    int i = 1, total = 0, ok = 0, act_pred = 0, act_right = 0, rc = 0, rtotal = 0, rok = 0;
    struct buf errs;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--plain") == 0)
            o.plain = true;
        else if (strcmp(argv[i], "--net") == 0)
            o.net = o.quiet = true;
        else if (strcmp(argv[i], "-q") == 0)
            o.quiet = true;
        else if (strcmp(argv[i], "--via") == 0)
            o.via = o.quiet = true;
        else if (i + 1 < argc && strcmp(argv[i], "-i") == 0)
            o.intents = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "-c") == 0)
            o.content = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "-t") == 0)
            o.threshold = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "-a") == 0)
            o.actions = argv[++i];
        else if (i + 1 < argc && strcmp(argv[i], "--cache") == 0)
            o.cache = argv[++i];
        else {
            fprintf(stderr, "usage: eval [-i intents] [-c content] [-a intents] [-t threshold] "
                            "[--cache dir] [--plain] [-q] [--net] [--via] FILE...\n");
            return 2;
        }
    }
    log_set_level(LOG_ERR);
    buf_init(&errs, 0);
    struct intents *in = intent_load_cached(o.intents, o.cache, &errs);
    struct intents *acts = in && strcmp(o.actions, o.intents) != 0
                               ? intent_load_cached(o.actions, o.cache, &errs)
                               : in;
    struct content *ct = content_load(o.content, &errs);
    if (in == NULL || acts == NULL || ct == NULL) {
        fprintf(stderr, "%s", errs.data ? errs.data : "cannot load\n");
        return 2;
    }
    for (; i < argc; i++)
        if (run_file(argv[i], &o, in, acts, ct, &total, &ok, &act_pred, &act_right, &rtotal,
                     &rok) == -1)
            rc = 2;
    printf("\n%-22s %6s %6s %6s %9s %7s\n", "label", "texts", "said", "right", "precision",
           "recall");
    for (int k = 0; k < ntallies; k++) {
        const struct tally *t = &tallies[k];
        char prec[16] = "-", rec[16] = "-";
        if (t->predicted > 0)
            snprintf(prec, sizeof prec, "%.1f%%", pct(t->pred_right, t->predicted));
        if (t->labelled > 0)
            snprintf(rec, sizeof rec, "%.1f%%", pct(t->label_right, t->labelled));
        printf("%-22s %6d %6d %6d %9s %7s\n", t->name, t->labelled, t->predicted,
               t->label_right, prec, rec);
    }
    double acc = pct(ok, total), actp = pct(act_right, act_pred);
    printf("\naccuracy on labels the -a rules have %.2f%% (%d/%d)\n", pct(rok, rtotal), rok,
           rtotal);
    printf("accuracy %.2f%% (%d/%d)\naction precision %.2f%% (%d/%d)\n", acc, ok, total, actp,
           act_right, act_pred);
    printf("right or one reply away (asked, its choice 1 right: %d) %.2f%%\n", asked_first,
           pct(ok + asked_first, total));
    const struct tally *tc = tally_of("crisis"), *tk = tally_of("crisis.check");
    if (tc != NULL && tk != NULL && (tc->labelled > 0 || tk->predicted > 0))
        printf("hotlines shown to crisis texts %d/%d (crisis reply %d, check-in %d); "
               "check-ins to other texts %d\n",
               tc->label_right + checks_crisis, tc->labelled, tc->label_right, checks_crisis,
               tk->predicted - checks_crisis);
    if (o.threshold != NULL) {
        double min_acc = 0, min_act = 0;
        if (read_threshold(o.threshold, &min_acc, &min_act) == -1)
            return 2;
        if (acc < min_acc || actp < min_act) {
            printf("FAIL: below the threshold in %s (accuracy %.2f%%, action precision %.2f%%)\n",
                   o.threshold, min_acc, min_act);
            rc = rc ? rc : 1;
        }
    }
    if (acts != in)
        intent_free(acts);
    intent_free(in);
    content_free(ct);
    buf_release(&errs);
    return rc;
}
