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
#include <pthread.h>
#include <search.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "canon_cache.h"
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
    int in; /* intent's index in names (build) */
};

struct posting {
    int ex;
    int in; /* the example's intent, by its index in names */
    double w;
};

struct sim {
    int ex;
    double s; /* cosine with that example */
};

struct scorer {
    struct example *ex;
    size_t nex, excap;
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
    uint64_t uid; /* unique in the process (similarities' memo) */
};

static _Atomic uint64_t next_uid = 1; /* scorer uids: never reused in the process */

/* A growable block of NUL-terminated strings (features()). Not a struct buf:
 * features() sizes the block once for the whole text, and buf_append's check
 * and NUL on each of ~400,000 short puts cost ~90 million instructions a load
 * (docs/performance.md, "Stop 38"). */
struct arena {
    char *p;
    size_t len, cap;
};

static void arena_put(struct arena *a, const char *s, size_t n)
{
    memcpy(a->p + a->len, s, n); /* room made by features() */
    a->len += n;
}

/* The features of s: each character (a run of Latin letters or digits counts
 * as one, digits all alike) and each pair of neighbours, as NUL-terminated
 * strings in a (emptied first) at the offsets written to off. One block for
 * all of them: a malloc and a free per feature were a fifth of loading the
 * examples (~400,000 features). Returns how many. */
static size_t features(const char *s, struct arena *a, size_t *off, size_t max)
{
    size_t at[MAX_FEATS], len[MAX_FEATS]; /* each token: where in s, how long */
    size_t nt = 0, n = strlen(s), i = 0, nf = 0;
    while (i < n && nt < MAX_FEATS) {
        size_t adv, j = i;
        if (s[i] == ' ') {
            i++;
            continue;
        }
        if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')) {
            while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= '0' && s[j] <= '9')))
                j++;
            at[nt] = i;
            len[nt++] = j - i;
            i = j;
            continue;
        }
        (void)utf8_decode(s + i, n - i, &adv);
        at[nt] = i;
        len[nt++] = adv;
        i += adv;
    }
    /* each token is in a unigram and two pairs, each feature ends in one byte */
    size_t need = 3 * (n + 2 * nt) + 1;
    if (a->cap < need) {
        a->cap = need > 2 * a->cap ? need : 2 * a->cap;
        a->p = xrealloc(a->p, a->cap);
    }
    a->len = 0;
    /* a token as it counts: a run starting with a digit is "#" */
#define TOKEN(k) (s[at[k]] >= '0' && s[at[k]] <= '9' ? "#" : s + at[k])
#define TOKLEN(k) (s[at[k]] >= '0' && s[at[k]] <= '9' ? 1 : len[k])
    for (size_t k = 0; k < nt && nf < max; k++) {
        off[nf++] = a->len;
        arena_put(a, TOKEN(k), TOKLEN(k));
        arena_put(a, "", 1);
    }
    for (size_t k = 0; k + 1 < nt && nf < max; k++) { /* "a|b" */
        off[nf++] = a->len;
        arena_put(a, TOKEN(k), TOKLEN(k));
        arena_put(a, "|", 1);
        arena_put(a, TOKEN(k + 1), TOKLEN(k + 1));
        arena_put(a, "", 1);
    }
#undef TOKEN
#undef TOKLEN
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
    struct canon_cache *cache; /* NULL: every copy is made */
    scorer_known_fn known;
    const void *ctx;
    char **unknown; /* intents left out, logged once each */
    size_t nunknown;
};

/* True when s (UTF-8) holds a CJK character (U+3400..U+9FFF: lead bytes
 * E3..E9 of a three-byte sequence). A byte test, not a decoder: s is valid
 * UTF-8 (checked at load), so a lead byte is never a continuation. */
static bool has_han(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xE3 && *p <= 0xE9)
            return true;
    return false;
}

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
        char *ct = canon_cache_canon(lc->cache, lc->lx, nt);
        free(nt);
        if (ct[0] == '\0') {
            buf_printf(errors, "%s:%d: the phrase is empty once normalised (only filler?)\n",
                       path, no);
            free(ct);
            bad++;
            continue;
        }
        /* English words and pinyin syllables are rare among the examples, so
         * each weighs much: `I want to die` made "I want to check my points"
         * a crisis (stop 37) */
        if (strcmp(line, "crisis") == 0 && !has_han(ct)) {
            buf_printf(errors,
                       "%s:%d: a crisis line in Latin letters only (English, pinyin) makes "
                       "texts that share a word with it a crisis: write it as a `crisis` "
                       "pattern of understand.txt\n",
                       path, no);
            free(ct);
            bad++;
            continue;
        }
        if (sc->nex == sc->excap) { /* doubling: one more each line copied ~8 GB under valgrind */
            sc->excap = sc->excap ? 2 * sc->excap : 1024;
            sc->ex = xrealloc(sc->ex, sc->excap * sizeof *sc->ex);
        }
        sc->ex[sc->nex++] = (struct example){intern(&sc->names, &sc->nnames, line), ct, file, no, 0};
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
    size_t off[MAX_FEATS];
    struct arena arena = {0};
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
        size_t nf = features(sc->ex[e].text, &arena, off, MAX_FEATS), m = 0;
        exids[e] = xcalloc(nf + 1, sizeof **exids);
        for (size_t k = 0; k < nf; k++) {
            ENTRY *hit, item = {arena.p + off[k], NULL};
            if (hsearch_r(item, FIND, &hit, &tab) == 0) { /* new: the key is kept */
                item = (ENTRY){xstrdup(arena.p + off[k]), (void *)(intptr_t)u};
                if (hsearch_r(item, ENTER, &hit, &tab) == 0)
                    abort(); /* full: cannot be, it is sized for every feature */
                if (u == cap) {
                    cap *= 2;
                    sc->vocab = xrealloc(sc->vocab, cap * sizeof *sc->vocab);
                }
                sc->vocab[u++] = item.key;
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
    free(arena.p);
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
    size_t *order = xcalloc(sc->nex + 1, sizeof *order), *from = xcalloc(sc->nnames + 1, sizeof *from);
    for (size_t e = 0; e < sc->nex; e++)
        for (size_t i = 0; i < sc->nnames; i++)
            if (sc->names[i] == sc->ex[e].intent)
                sc->ex[e].in = (int)i;
    /* each list by intent, then example (scorer_best reads one intent's
     * run): the examples are added in that order (a counting sort by
     * intent), so no list needs sorting; a sum over the features is the
     * same in any order of a list */
    for (size_t e = 0; e < sc->nex; e++)
        from[sc->ex[e].in + 1]++;
    for (size_t i = 0; i < sc->nnames; i++)
        from[i + 1] += from[i];
    for (size_t e = 0; e < sc->nex; e++)
        order[from[sc->ex[e].in]++] = e;
    for (size_t o = 0; o < sc->nex; o++) {
        size_t e = order[o];
        for (size_t k = 0; k < exn[e]; k++) {
            int id = exids[e][k];
            sc->post[id][fill[id]++] = (struct posting){(int)e, sc->ex[e].in, 1.0};
        }
        free(exids[e]);
    }
    free(order);
    free(from);
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
    sc->uid = next_uid++;
}

struct scorer *scorer_load(const char *dir, const struct lexicon *lx, scorer_known_fn known,
                           const void *ctx, const char *cache_dir, struct buf *errors)
{
    struct load_ctx lc = {lx, NULL, known, ctx, NULL, 0};
    struct dirent **list = NULL;
    int n = scandir(dir, &list, ends_with_examples, alphasort), bad = 0;
    if (n == -1) {
        buf_printf(errors, "%s: cannot open: %s\n", dir, strerror(errno));
        return NULL;
    }
    struct scorer *sc = xcalloc(1, sizeof *sc);
    lc.cache = canon_cache_open(cache_dir, lx);
    for (int i = 0; i < n; i++) {
        if (load_file(sc, dir, list[i]->d_name, &lc, errors) == -1)
            bad++;
        free(list[i]);
    }
    free(list);
    canon_cache_close(lc.cache);
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
                                             base->ex[e].line, 0};
    for (size_t i = 0; i < n; i++) {
        char *nt = norm_text(texts[i]);
        char *ct = norm_canon(lx, nt);
        free(nt);
        if (ct[0] == '\0' || !valid_intent(intents[i])) {
            free(ct);
            continue;
        }
        sc->ex[sc->nex++] =
            (struct example){intern(&sc->names, &sc->nnames, intents[i]), ct, "taught", (int)i + 1,
                             0};
    }
    build(sc);
    return sc;
}

/* One answer of similarities(): the scorer (by its uid) and the text it
 * was for, and the cosines. */
struct memo {
    uint64_t uid;
    char *canon; /* owned; NULL when empty */
    struct sim *hits;
    size_t nhits;
};

/* One thread's scratch for similarities(), grown to the largest scorer it
 * met and kept for the thread's life (freed by the key's destructor): sums
 * per example (all zero between calls), a bit per example touched, and two
 * answers kept. A calloc of a vector as long as the examples on every call,
 * and loops over every example, cost more than the postings themselves. */
struct scratch {
    double *sum;
    uint64_t *touched;
    size_t cap;              /* examples */
    struct memo whole, part; /* see similarities() */
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    struct scratch *s = p;
    free(s->sum);
    free(s->touched);
    free(s->whole.canon);
    free(s->whole.hits);
    free(s->part.canon);
    free(s->part.hits);
    free(s);
}

static void scratch_key_make(void)
{
    if (pthread_key_create(&scratch_key, scratch_free) != 0)
        abort(); /* EAGAIN or ENOMEM only: as the x-allocators do */
}

static struct scratch *scratch_for(size_t nex)
{
    (void)pthread_once(&scratch_once, scratch_key_make); /* cannot fail once the key exists */
    struct scratch *s = pthread_getspecific(scratch_key);
    if (s == NULL) {
        s = xcalloc(1, sizeof *s);
        if (pthread_setspecific(scratch_key, s) != 0)
            abort(); /* ENOMEM only */
    }
    if (s->cap < nex) {
        free(s->sum);
        free(s->touched);
        free(s->whole.hits);
        free(s->part.hits);
        s->sum = xcalloc(nex, sizeof *s->sum);
        s->touched = xcalloc((nex + 63) / 64, sizeof *s->touched);
        s->whole.hits = xcalloc(nex, sizeof *s->whole.hits);
        s->part.hits = xcalloc(nex, sizeof *s->part.hits);
        s->whole.uid = s->part.uid = 0; /* no answer kept */
        s->cap = nex;
    }
    return s;
}

/* The features of canon as ids of sc's vocabulary into ids (-1 unknown, -2
 * a repeat: binary weights count a feature once), and in *qlen the square
 * of the text's length. Returns how many. */
static size_t query(const struct scorer *sc, const char *canon, int *ids, double *qlen)
{
    size_t off[MAX_FEATS];
    struct arena arena = {0};
    size_t nf = features(canon, &arena, off, MAX_FEATS);
    *qlen = 0;
    for (size_t k = 0; k < nf; k++) {
        ids[k] = find_feat(sc, arena.p + off[k]);
        bool seen = false;
        for (size_t q = 0; q < k; q++)
            seen = seen || strcmp(arena.p + off[q], arena.p + off[k]) == 0;
        double w = ids[k] >= 0 ? sc->idf[ids[k]] : sc->unknown_idf;
        if (seen)
            ids[k] = -2; /* binary weights: a repeated feature counts once */
        else
            *qlen += w * w;
    }
    free(arena.p);
    return nf;
}

/* The cosine of canon with each example that shares a feature with it (the
 * others are 0), in example order, into m. */
static void compute(const struct scorer *sc, const char *canon, struct scratch *s, struct memo *m)
{
    int ids[MAX_FEATS];
    double qlen;
    size_t nf = query(sc, canon, ids, &qlen);
    m->nhits = 0;
    if (nf == 0)
        return;
    /* each example's sum in the same order as over a whole vector: the same bits */
    for (size_t k = 0; k < nf; k++)
        for (size_t p = 0; ids[k] >= 0 && p < sc->npost[ids[k]]; p++) {
            int e = sc->post[ids[k]][p].ex;
            s->touched[e / 64] |= (uint64_t)1 << (e % 64);
            s->sum[e] += sc->idf[ids[k]] * sc->post[ids[k]][p].w;
        }
    /* in example order, as the callers' ties need; the scratch left zeroed */
    for (size_t w = 0; w < (sc->nex + 63) / 64; w++)
        for (uint64_t bits = s->touched[w]; bits != 0; bits &= bits - 1) {
            size_t e = w * 64 + (size_t)__builtin_ctzll(bits);
            m->hits[m->nhits++] = (struct sim){(int)e, s->sum[e] / sqrt(qlen)};
            s->sum[e] = 0;
        }
    memset(s->touched, 0, (sc->nex + 63) / 64 * sizeof *s->touched);
}

/*
 * The cosine of canon with each example that shares a feature with it (the
 * others are 0), in example order: *out (borrowed, until this thread's next
 * call) and the count; 0 when there is nothing to compare.
 *
 * A turn scores the same text more than once (the crisis net, then the
 * ranking of understanding; eval's --via again), with the parts of the text
 * in between (the net's parts): the last two answers are kept per thread,
 * one for a whole text and one for a part of it, and given again for the
 * same scorer and text. A text inside the kept whole one counts as a part,
 * so the parts do not push the whole text out. Which answer is kept changes
 * only the time, never a score.
 */
static size_t similarities(const struct scorer *sc, const char *canon, const struct sim **out)
{
    if (sc == NULL || sc->nex == 0 || canon[0] == '\0')
        return 0;
    struct scratch *s = scratch_for(sc->nex);
    struct memo *m = NULL;
    if (s->whole.uid == sc->uid && strcmp(s->whole.canon, canon) == 0)
        m = &s->whole;
    else if (s->part.uid == sc->uid && strcmp(s->part.canon, canon) == 0)
        m = &s->part;
    if (m == NULL) {
        bool part = s->whole.uid == sc->uid && strstr(s->whole.canon, canon) != NULL;
        m = part ? &s->part : &s->whole;
        free(m->canon);
        m->canon = xstrdup(canon);
        m->uid = sc->uid;
        compute(sc, canon, s, m);
    }
    *out = m->hits;
    return m->nhits;
}

double scorer_best(const struct scorer *sc, const char *canon, const char *intent)
{
    int ids[MAX_FEATS], in = -1;
    double qlen, best = 0;
    if (sc == NULL || sc->nex == 0 || canon[0] == '\0')
        return 0;
    for (size_t i = 0; i < sc->nnames && in < 0; i++)
        if (strcmp(sc->names[i], intent) == 0)
            in = (int)i;
    size_t nf = in < 0 ? 0 : query(sc, canon, ids, &qlen);
    if (nf == 0)
        return 0;
    struct scratch *s = scratch_for(sc->nex);
    /* as compute(), over the run of intent's examples in each list */
    for (size_t k = 0; k < nf; k++) {
        if (ids[k] < 0)
            continue;
        const struct posting *pl = sc->post[ids[k]];
        size_t lo = 0, hi = sc->npost[ids[k]];
        while (lo < hi) { /* the first posting of intent or after */
            size_t mid = lo + (hi - lo) / 2;
            if (pl[mid].in < in)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t p = lo; p < sc->npost[ids[k]] && pl[p].in == in; p++) {
            s->touched[pl[p].ex / 64] |= (uint64_t)1 << (pl[p].ex % 64);
            s->sum[pl[p].ex] += sc->idf[ids[k]] * pl[p].w;
        }
    }
    for (size_t w = 0; w < (sc->nex + 63) / 64; w++) {
        for (uint64_t bits = s->touched[w]; bits != 0; bits &= bits - 1) {
            size_t e = w * 64 + (size_t)__builtin_ctzll(bits);
            double v = s->sum[e] / sqrt(qlen);
            best = v > best ? v : best;
            s->sum[e] = 0;
        }
        s->touched[w] = 0;
    }
    return best;
}

int scorer_rank(const struct scorer *sc, const char *canon, struct scored *out, int max)
{
    int filled = 0;
    const struct sim *hits;
    size_t nh = similarities(sc, canon, &hits);
    /* best example per intent, then the best intents */
    for (size_t h = 0; h < nh; h++) {
        size_t e = (size_t)hits[h].ex;
        double s = hits[h].s;
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
    return filled;
}

/* Put x into out (best first, at most max, filled so far *filled). */
static void rank_insert(struct scored *out, int max, int *filled, struct scored x)
{
    int slot;
    if (*filled < max)
        slot = (*filled)++;
    else if (*filled > 0 && out[*filled - 1].score < x.score)
        slot = *filled - 1;
    else
        return;
    out[slot] = x;
    while (slot > 0 && out[slot - 1].score < out[slot].score) {
        struct scored tmp = out[slot - 1];
        out[slot - 1] = out[slot];
        out[slot] = tmp;
        slot--;
    }
}

int scorer_rank_support(const struct scorer *sc, const char *canon,
                        const struct scorer_support *sup, struct scored *out, int max)
{
    if (sup == NULL || sup->k < 2 || sc == NULL)
        return scorer_rank(sc, canon, out, max);
    const struct sim *hits;
    size_t nh = similarities(sc, canon, &hits);
    if (nh == 0 || max < 1)
        return 0;
    int k = sup->k < SCORER_SUPPORT_MAX ? sup->k : SCORER_SUPPORT_MAX;
    /* each intent's k closest examples, closest first, and the closest's index */
    double *top = xcalloc(sc->nnames * SCORER_SUPPORT_MAX, sizeof *top);
    int *near = xcalloc(sc->nnames, sizeof *near);
    size_t nearest = 0; /* the intent of the single closest example */
    for (size_t h = 0; h < nh; h++) {
        size_t e = (size_t)hits[h].ex, in = (size_t)sc->ex[e].in;
        double v = hits[h].s;
        if (v <= 0)
            continue;
        double *t = top + in * SCORER_SUPPORT_MAX;
        if (v > t[0])
            near[in] = (int)e;
        for (int j = 0; j < k; j++)
            if (v > t[j]) {
                memmove(t + j + 1, t + j, (size_t)(k - 1 - j) * sizeof *t);
                t[j] = v;
                break;
            }
        if (v > top[nearest * SCORER_SUPPORT_MAX])
            nearest = in;
    }
    int filled = 0;
    for (size_t in = 0; in < sc->nnames; in++) {
        const double *t = top + in * SCORER_SUPPORT_MAX;
        if (t[0] <= 0)
            continue;
        double w = strcmp(sc->names[in], "none") == 0 ? sup->none_weight : sup->weight, rest = 0;
        for (int j = 1; j < k; j++)
            rest += t[j] / (k - 1);
        double v = t[0] >= sup->sure ? t[0] : (t[0] + w * rest) / (1 + w);
        const struct example *x = &sc->ex[near[in]];
        rank_insert(out, max, &filled, (struct scored){x->intent, v, x->file, x->line});
    }
    if (filled > 1 && out[0].intent != sc->names[nearest])
        out[0].score = out[1].score; /* the closest example disagrees: no lead */
    free(top);
    free(near);
    return filled;
}

void scorer_versus(const struct scorer *sc, const char *canon, const char *intent,
                   struct scored *mine, struct scored *other)
{
    const struct sim *hits;
    size_t nh = similarities(sc, canon, &hits);
    const char *name = NULL; /* intent as the scorer holds it: one compare an example */
    for (size_t i = 0; nh > 0 && i < sc->nnames && name == NULL; i++)
        if (strcmp(sc->names[i], intent) == 0)
            name = sc->names[i];
    *mine = (struct scored){intent, 0, NULL, 0};
    *other = (struct scored){NULL, 0, NULL, 0};
    for (size_t h = 0; h < nh; h++) {
        size_t e = (size_t)hits[h].ex;
        struct scored *to = sc->ex[e].intent == name ? mine : other;
        if (hits[h].s > to->score)
            *to = (struct scored){sc->ex[e].intent, hits[h].s, sc->ex[e].file, sc->ex[e].line};
    }
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
