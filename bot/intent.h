/*
 * intent.h - intent rules: the *.rules files in intents/, one rule a line
 * (`intent-name  PCRE2-pattern`, `#` comments), compiled once with JIT.
 * Files are read in name order; the first matching rule wins. Patterns are
 * matched against normalised text (norm.h); named captures go to handlers.
 */
#ifndef BOT_INTENT_H
#define BOT_INTENT_H
#include <stddef.h>
#include <stdint.h>

struct buf;
struct intents;

#define INTENT_MAX_CAPS 8
struct intent_cap {
    const char *name; /* borrowed from the rule set */
    char *value;      /* owned; freed by intent_match_release() */
};
struct intent_match {
    const char *intent; /* borrowed from the rule set; NULL when nothing matched */
    const char *file;   /* rule's file (basename) and line, for `check --try` */
    int line;
    int ncaps;
    struct intent_cap caps[INTENT_MAX_CAPS]; /* only named groups that took part */
};

/*
 * Load every *.rules file in dir. Every problem is appended to errors as one
 * line "path:line: message" (a bad pattern: "path:line: PCRE2 message at
 * offset N"). Returns the rule set, or NULL when there was any problem.
 */
struct intents *intent_load(const char *dir, struct buf *errors);
/* The same, keeping the example phrases' matched copies in cache_dir
 * between starts (canon_cache.h; NULL or "": none). */
struct intents *intent_load_cached(const char *dir, const char *cache_dir, struct buf *errors);
void intent_free(struct intents *in);
/* Match normalised text. 1 matched (m filled), 0 no rule matched, -1 error
 * (logged). Safe to call from several threads at once. */
int intent_match(const struct intents *in, const char *text, struct intent_match *m);
/* 1 when a veto (`!intent` line) of intent is found in text, 0 when none,
 * -1 on an error (logged). */
int intent_vetoed(const struct intents *in, const char *intent, const char *text);
/* The value of capture `name`, or NULL. Borrowed from m. */
const char *intent_cap(const struct intent_match *m, const char *name);
void intent_match_release(struct intent_match *m);
/* Distinct intent names in rule order, for checking each has a handler. */
size_t intent_count(const struct intents *in);
const char *intent_name(const struct intents *in, size_t i);
/* Number of rules loaded. */
size_t intent_rule_count(const struct intents *in);
/*
 * Loaded beside the rules by intent_load (understand.h): lexicon.txt (the
 * matched copy's rewrites, norm.h), *.examples (scorer.h) and understand.txt.
 */
struct lexicon;
struct scorer;
struct uconf;
const struct lexicon *intent_lexicon(const struct intents *in);
const struct scorer *intent_scorer(const struct intents *in);
const struct uconf *intent_uconf(const struct intents *in);
/*
 * Examples taught at run time (the dashboard's not-understood page; stored
 * in the store's taught table): intent_taught_set replaces them (version is
 * the store's counter), intent_rank ranks with them (scorer_rank on the
 * examples and the taught ones; names in out stay valid as long as in).
 * Thread-safe.
 */
struct scored;
int64_t intent_taught_version(const struct intents *in);
void intent_taught_set(const struct intents *in, int64_t version, const char *const *intents,
                       const char *const *texts, size_t n);
int intent_rank(const struct intents *in, const char *canon, struct scored *out, int max);

#endif
