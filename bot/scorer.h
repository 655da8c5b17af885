/*
 * scorer.h - the example-phrase scorer: what the rules miss is compared with
 * the example phrases of every intent (the .examples files in intents/) and the intents
 * whose closest example is most alike come back ranked, with a confidence.
 */
#ifndef BOT_SCORER_H
#define BOT_SCORER_H
#include <stdbool.h>
#include <stddef.h>

struct buf;
struct lexicon;
struct scorer;

struct scored {
    const char *intent; /* borrowed from the scorer */
    double score;       /* cosine similarity of the closest example, 0..1 */
    const char *file;   /* that example's file and line, to explain a choice */
    int line;
};

/*
 * Load every *.examples file in dir: one `intent<TAB>phrase` a line, `#`
 * comments. Phrases are put through norm_text and norm_canon(lx), as a
 * worker's text is. Examples whose intent known() rejects are left out and
 * logged once per intent (a feature whose rules are not in this build).
 * cache_dir (NULL or "": none) keeps the phrases' matched copies between
 * starts (canon_cache.h). Problems go to errors as "path:line: message";
 * NULL when there was any.
 */
typedef bool (*scorer_known_fn)(const void *ctx, const char *intent);
struct scorer *scorer_load(const char *dir, const struct lexicon *lx, scorer_known_fn known,
                           const void *ctx, const char *cache_dir, struct buf *errors);
void scorer_free(struct scorer *sc);
/* A new scorer: base's examples and n more (intents[i], texts[i]: the
 * examples staff taught, file "taught", line i + 1), normalised as at load.
 * The copy borrows base's file names: free it before base. */
struct scorer *scorer_extend(const struct scorer *base, const struct lexicon *lx,
                             const char *const *intents, const char *const *texts, size_t n);
/* Rank intents for canon (a norm_canon text): up to max, best first, one
 * entry per intent, each scored by its closest example. Returns how many
 * were filled. Thread-safe. */
int scorer_rank(const struct scorer *sc, const char *canon, struct scored *out, int max);
/* How an intent's other close examples count (understand.txt `support`):
 * its score is (closest + weight * mean of its next k-1 closest) / (1 +
 * weight), none_weight for `none` (each of its lines is a different
 * lookalike, not a paraphrase of one meaning); a closest example at sure or
 * above counts alone (a near copy, a line staff just taught). When the
 * single closest example is of another intent than the best so scored, the
 * best gets no lead over the next (out[0].score = out[1].score): the guess
 * is offered, never taken, on a disagreement. */
#define SCORER_SUPPORT_MAX 4
struct scorer_support {
    int k; /* 2..SCORER_SUPPORT_MAX; below 2, scorer_rank */
    double weight, none_weight, sure;
};
/* scorer_rank, each intent scored with sup (NULL: scorer_rank). */
int scorer_rank_support(const struct scorer *sc, const char *canon,
                        const struct scorer_support *sup, struct scored *out, int max);
/* The closest example of intent (*mine) and the closest example of any
 * other intent (*other) to canon; score 0 and file NULL when none shares a
 * feature. Thread-safe. */
void scorer_versus(const struct scorer *sc, const char *canon, const char *intent,
                   struct scored *mine, struct scored *other);
/* The score of the closest example of intent to canon (scorer_versus'
 * mine->score, the same bits) without scoring the other examples; 0 when
 * none shares a feature. Thread-safe. */
double scorer_best(const struct scorer *sc, const char *canon, const char *intent);
/* Each example phrase in load order, for checks: its intent, canon text, file, line. */
size_t scorer_count(const struct scorer *sc);
const char *scorer_example(const struct scorer *sc, size_t i, const char **intent,
                           const char **file, int *line);

#endif
