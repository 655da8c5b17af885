/*
 * scorer.c - character unigram + bigram TF-IDF vectors, cosine similarity,
 * nearest example per intent.
 *
 * Written by hand on purpose: no library in Debian gives a small text
 * classifier for C, and this one is about 200 lines, needs no training step,
 * answers in microseconds over a few thousand examples and is explainable:
 * every decision names the example phrase (file:line) it was closest to, so
 * staff fix a wrong answer by adding or moving an example line. Chinese needs
 * no word segmentation for this: character bigrams carry most of the words.
 */
#include "scorer.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <search.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "norm.h"
#include "overlay.h"
#include "util.h"

#define MAX_FEATS 256 /* features of one text: longer texts are cut there */

struct feat {
    int id;
    double w;
};

struct example {
    const char *intent; /* borrowed from names */
    char *text;         /* canon text, owned */
    const char *file;   /* borrowed from files */
    int line;
};

struct posting {
    int ex;
    double w;
};

struct scorer {
    struct example *ex;
    size_t nex;
    char **names; /* distinct intents, owned */
    size_t nnames;
    char **files;
    size_t nfiles;
    char **vocab; /* sorted feature strings, owned */
    size_t nvocab;
    double *idf;              /* per feature */
    double unknown_idf;       /* a feature no example has */
    struct posting **post;    /* per feature: the examples that have it */
    size_t *npost;
};

/* The features of s: each character (a run of Latin letters or digits counts
 * as one, digits all alike) and each pair of neighbours. Strings, owned. */
static size_t features(const char *s, char **out, size_t max)
{
    char *tok[MAX_FEATS];
    size_t nt = 0, n = strlen(s), i = 0, nf = 0;
    while (i < n && nt < MAX_FEATS) {
        size_t adv, j = i;
        if (s[i] == ' ') {
            i++;
            continue;
        }
        if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')) {
            bool digits = s[i] >= '0' && s[i] <= '9';
            while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9')))
                j++;
            tok[nt++] = digits ? xstrdup("#") : xstrndup(s + i, j - i);
            i = j;
            continue;
        }
        (void)utf8_decode(s + i, n - i, &adv);
        tok[nt++] = xstrndup(s + i, adv);
        i += adv;
    }
    for (size_t k = 0; k < nt && nf < max; k++)
        out[nf++] = xstrdup(tok[k]);
    for (size_t k = 0; k + 1 < nt && nf < max; k++) {
        size_t a = strlen(tok[k]), b = strlen(tok[k + 1]);
        char *pair = xmalloc(a + b + 2); /* "a|b": xasprintf cost a tenth of a load */
        memcpy(pair, tok[k], a);
        pair[a] = '|';
        memcpy(pair + a + 1, tok[k + 1], b + 1);
        out[nf++] = pair;
    }
    for (size_t k = 0; k < nt; k++)
        free(tok[k]);
    return nf;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int find_feat(const struct scorer *sc, const char *f)
{
    char *const *p =
        sc->nvocab > 0 ? bsearch(&f, sc->vocab, sc->nvocab, sizeof *sc->vocab, cmp_str) : NULL;
    return p ? (int)(p - sc->vocab) : -1;
}

static const char *intern(char ***list, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i], s) == 0)
            return (*list)[i];
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[*n] = xstrdup(s);
    return (*list)[(*n)++];
}

static int ends_with_examples(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 9 && strcmp(d->d_name + n - 9, ".examples") == 0;
}

static bool valid_intent(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
            return false;
    return true;
}

struct load_ctx {
    const struct lexicon *lx;
    scorer_known_fn known;
    const void *ctx;
    char **unknown; /* intents left out, logged once each */
    size_t nunknown;
};

static int load_file(struct scorer *sc, const char *dir, const char *name, struct load_ctx *lc,
                     struct buf *errors)
{
    char *path = xasprintf("%s/%s", dir, name), *line = NULL;
    size_t cap = 0;
    int no = 0, bad = 0;
    FILE *f = overlay_fopen(path, "r");
    if (f == NULL) {
        buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
        free(path);
        return -1;
    }
    const char *file = intern(&sc->files, &sc->nfiles, name);
    while (getline(&line, &cap, f) != -1) {
        no++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (tab != NULL)
            *tab++ = '\0';
        if (tab == NULL || !valid_intent(line) || !utf8_valid(tab, strlen(tab))) {
            buf_printf(errors, "%s:%d: want `intent<TAB>phrase`\n", path, no);
            bad++;
            continue;
        }
        if (lc->known != NULL && !lc->known(lc->ctx, line)) {
            size_t before = lc->nunknown;
            (void)intern(&lc->unknown, &lc->nunknown, line);
            if (lc->nunknown > before)
                log_debug("scorer: %s:%d: no rules for intent %s: its examples are not used", path,
                         no, line);
            continue;
        }
        char *nt = norm_text(tab);
        char *ct = norm_canon(lc->lx, nt);
        free(nt);
        if (ct[0] == '\0') {
            buf_printf(errors, "%s:%d: the phrase is empty once normalised (only filler?)\n",
                       path, no);
            free(ct);
            bad++;
            continue;
        }
        sc->ex = xrealloc(sc->ex, (sc->nex + 1) * sizeof *sc->ex);
        sc->ex[sc->nex++] = (struct example){intern(&sc->names, &sc->nnames, line), ct, file, no};
    }
    (void)fclose(f); /* read-only */
    free(line);
    free(path);
    return bad ? -1 : 0;
}

struct vocab_entry {
    char *s;
    int old; /* its id before sorting */
};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct vocab_entry *)a)->s, ((const struct vocab_entry *)b)->s);
}

/*
 * The vocabulary, document frequencies and the inverted index. Each feature
 * is interned with one lookup in glibc's hash table (hsearch_r) and only the
 * distinct ones are sorted (find_feat bisects them): sorting every feature
 * of every example took about half of loading the intents, which every start,
 * every reload and every test pays (valgrind: ~8 s a load at 8,700 examples).
 */
static void build(struct scorer *sc)
{
    char *f[MAX_FEATS];
    struct hsearch_data tab = {0};
    size_t bytes = 0, cap = 64;
    for (size_t e = 0; e < sc->nex; e++)
        bytes += strlen(sc->ex[e].text);
    /* a character gives at most two features (itself and a pair) */
    if (hcreate_r(2 * bytes + 64, &tab) == 0)
        abort(); /* ENOMEM only: as the x-allocators do */
    int **exids = xcalloc(sc->nex + 1, sizeof *exids);
    size_t *exn = xcalloc(sc->nex + 1, sizeof *exn), u = 0;
    sc->vocab = xcalloc(cap, sizeof *sc->vocab);
    for (size_t e = 0; e < sc->nex; e++) {
        size_t nf = features(sc->ex[e].text, f, MAX_FEATS), m = 0;
        exids[e] = xcalloc(nf + 1, sizeof **exids);
        for (size_t k = 0; k < nf; k++) {
            ENTRY *hit, item = {f[k], (void *)(intptr_t)u};
            if (hsearch_r(item, ENTER, &hit, &tab) == 0)
                abort(); /* full: cannot be, it is sized for every feature */
            if (hit->key == f[k]) { /* new */
                if (u == cap) {
                    cap *= 2;
                    sc->vocab = xrealloc(sc->vocab, cap * sizeof *sc->vocab);
                }
                sc->vocab[u++] = f[k];
            } else {
                free(f[k]);
            }
            int id = (int)(intptr_t)hit->data;
            bool seen = false; /* counting a feature once per example */
            for (size_t q = 0; q < m && !seen; q++)
                seen = exids[e][q] == id;
            if (!seen)
                exids[e][m++] = id;
        }
        exn[e] = m;
    }
    hdestroy_r(&tab); /* the keys are the vocabulary's strings: kept */
    /* sort the distinct features; renumber the examples' ids */
    struct vocab_entry *ent = xcalloc(u + 1, sizeof *ent);
    int *renum = xcalloc(u + 1, sizeof *renum);
    for (size_t k = 0; k < u; k++)
        ent[k] = (struct vocab_entry){sc->vocab[k], (int)k};
    if (u > 0) /* qsort with a null base is undefined even for 0 items */
        qsort(ent, u, sizeof *ent, cmp_entry);
    for (size_t k = 0; k < u; k++) {
        sc->vocab[k] = ent[k].s;
        renum[ent[k].old] = (int)k;
    }
    free(ent);
    sc->nvocab = u;
    sc->idf = xcalloc(u + 1, sizeof *sc->idf);
    sc->post = xcalloc(u + 1, sizeof *sc->post);
    sc->npost = xcalloc(u + 1, sizeof *sc->npost);
    /* the inverted index, each list in example order */
    for (size_t e = 0; e < sc->nex; e++)
        for (size_t k = 0; k < exn[e]; k++)
            sc->npost[exids[e][k] = renum[exids[e][k]]]++;
    for (size_t k = 0; k < u; k++)
        sc->post[k] = xcalloc(sc->npost[k] + 1, sizeof **sc->post);
    size_t *fill = xcalloc(u + 1, sizeof *fill);
    for (size_t e = 0; e < sc->nex; e++) {
        for (size_t k = 0; k < exn[e]; k++) {
            int id = exids[e][k];
            sc->post[id][fill[id]++] = (struct posting){(int)e, 1.0};
        }
        free(exids[e]);
    }
    free(fill);
    free(renum);
    free(exids);
    free(exn);
    double n = (double)sc->nex;
    for (size_t k = 0; k < u; k++)
        sc->idf[k] = log((n + 1) / ((double)sc->npost[k] + 1)) + 1;
    sc->unknown_idf = log(n + 1) + 1;
    /* weights: tf-idf of each example, unit length */
    double *len = xcalloc(sc->nex, sizeof *len);
    for (size_t k = 0; k < u; k++)
        for (size_t p = 0; p < sc->npost[k]; p++) {
            sc->post[k][p].w = sc->idf[k];
            len[sc->post[k][p].ex] += sc->idf[k] * sc->idf[k];
        }
    for (size_t k = 0; k < u; k++)
        for (size_t p = 0; p < sc->npost[k]; p++)
            sc->post[k][p].w /= sqrt(len[sc->post[k][p].ex]);
    free(len);
}

struct scorer *scorer_load(const char *dir, const struct lexicon *lx, scorer_known_fn known,
                           const void *ctx, struct buf *errors)
{
    struct load_ctx lc = {lx, known, ctx, NULL, 0};
    struct dirent **list = NULL;
    int n = scandir(dir, &list, ends_with_examples, alphasort), bad = 0;
    if (n == -1) {
        buf_printf(errors, "%s: cannot open: %s\n", dir, strerror(errno));
        return NULL;
    }
    struct scorer *sc = xcalloc(1, sizeof *sc);
    for (int i = 0; i < n; i++) {
        if (load_file(sc, dir, list[i]->d_name, &lc, errors) == -1)
            bad++;
        free(list[i]);
    }
    free(list);
    for (size_t i = 0; i < lc.nunknown; i++)
        free(lc.unknown[i]);
    free(lc.unknown);
    if (bad) {
        scorer_free(sc);
        return NULL;
    }
    build(sc);
    return sc;
}

void scorer_free(struct scorer *sc)
{
    if (sc == NULL)
        return;
    for (size_t i = 0; i < sc->nex; i++)
        free(sc->ex[i].text);
    for (size_t i = 0; i < sc->nnames; i++)
        free(sc->names[i]);
    for (size_t i = 0; i < sc->nfiles; i++)
        free(sc->files[i]);
    for (size_t i = 0; i < sc->nvocab; i++) {
        free(sc->vocab[i]);
        free(sc->post[i]);
    }
    free(sc->ex);
    free(sc->names);
    free(sc->files);
    free(sc->vocab);
    free(sc->post);
    free(sc->npost);
    free(sc->idf);
    free(sc);
}

struct scorer *scorer_extend(const struct scorer *base, const struct lexicon *lx,
                             const char *const *intents, const char *const *texts, size_t n)
{
    struct scorer *sc = xcalloc(1, sizeof *sc);
    size_t nbase = base ? base->nex : 0;
    sc->ex = xcalloc(nbase + n + 1, sizeof *sc->ex);
    /* files are borrowed: the base's (it outlives this copy) and a literal */
    for (size_t e = 0; e < nbase; e++)
        sc->ex[sc->nex++] = (struct example){intern(&sc->names, &sc->nnames, base->ex[e].intent),
                                             xstrdup(base->ex[e].text), base->ex[e].file,
                                             base->ex[e].line};
    for (size_t i = 0; i < n; i++) {
        char *nt = norm_text(texts[i]);
        char *ct = norm_canon(lx, nt);
        free(nt);
        if (ct[0] == '\0' || !valid_intent(intents[i])) {
            free(ct);
            continue;
        }
        sc->ex[sc->nex++] =
            (struct example){intern(&sc->names, &sc->nnames, intents[i]), ct, "taught", (int)i + 1};
    }
    build(sc);
    return sc;
}

/* The cosine of canon with every example (new array of sc->nex), or NULL
 * when there is nothing to compare. */
static double *similarities(const struct scorer *sc, const char *canon)
{
    char *f[MAX_FEATS];
    size_t nf = features(canon, f, MAX_FEATS);
    int ids[MAX_FEATS];
    double qlen = 0;
    if (sc == NULL || sc->nex == 0 || nf == 0) {
        for (size_t k = 0; k < nf; k++)
            free(f[k]);
        return NULL;
    }
    for (size_t k = 0; k < nf; k++) {
        ids[k] = find_feat(sc, f[k]);
        bool seen = false;
        for (size_t q = 0; q < k; q++)
            seen = seen || strcmp(f[q], f[k]) == 0;
        double w = ids[k] >= 0 ? sc->idf[ids[k]] : sc->unknown_idf;
        if (seen)
            ids[k] = -2; /* binary weights: a repeated feature counts once */
        else
            qlen += w * w;
    }
    for (size_t k = 0; k < nf; k++) /* after the loop: it compares with earlier ones */
        free(f[k]);
    double *sim = xcalloc(sc->nex, sizeof *sim);
    for (size_t k = 0; k < nf; k++)
        for (size_t p = 0; ids[k] >= 0 && p < sc->npost[ids[k]]; p++)
            sim[sc->post[ids[k]][p].ex] += sc->idf[ids[k]] * sc->post[ids[k]][p].w;
    for (size_t e = 0; e < sc->nex; e++)
        sim[e] /= sqrt(qlen);
    return sim;
}

int scorer_rank(const struct scorer *sc, const char *canon, struct scored *out, int max)
{
    int filled = 0;
    double *sim = similarities(sc, canon);
    if (sim == NULL)
        return 0;
    /* best example per intent, then the best intents */
    for (size_t e = 0; e < sc->nex; e++) {
        double s = sim[e];
        int slot = -1;
        if (s <= 0)
            continue; /* nothing in common */
        for (int i = 0; i < filled; i++)
            if (out[i].intent == sc->ex[e].intent)
                slot = i;
        if (slot >= 0 && out[slot].score >= s)
            continue;
        if (slot < 0) {
            if (filled < max)
                slot = filled++;
            else if (out[filled - 1].score < s)
                slot = filled - 1;
            else
                continue;
        }
        out[slot] = (struct scored){sc->ex[e].intent, s, sc->ex[e].file, sc->ex[e].line};
        while (slot > 0 && out[slot - 1].score < out[slot].score) {
            struct scored tmp = out[slot - 1];
            out[slot - 1] = out[slot];
            out[slot] = tmp;
            slot--;
        }
    }
    free(sim);
    return filled;
}

void scorer_versus(const struct scorer *sc, const char *canon, const char *intent,
                   struct scored *mine, struct scored *other)
{
    double *sim = similarities(sc, canon);
    *mine = (struct scored){intent, 0, NULL, 0};
    *other = (struct scored){NULL, 0, NULL, 0};
    for (size_t e = 0; sim != NULL && e < sc->nex; e++) {
        bool is_mine = strcmp(sc->ex[e].intent, intent) == 0;
        struct scored *to = is_mine ? mine : other;
        if (sim[e] > to->score)
            *to = (struct scored){sc->ex[e].intent, sim[e], sc->ex[e].file, sc->ex[e].line};
    }
    free(sim);
}

size_t scorer_count(const struct scorer *sc)
{
    return sc ? sc->nex : 0;
}

const char *scorer_example(const struct scorer *sc, size_t i, const char **intent,
                           const char **file, int *line)
{
    if (sc == NULL || i >= sc->nex)
        return NULL;
    *intent = sc->ex[i].intent;
    *file = sc->ex[i].file;
    *line = sc->ex[i].line;
    return sc->ex[i].text;
}
