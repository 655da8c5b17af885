/*
 * safety.c - crisis words on every text (safety.h). The phrase lists are
 * plain substrings; the patterns are PCRE2, compiled once for the content
 * text they came from and kept until that text changes (tests load several
 * content sets; the bot one).
 */
#include "safety.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "intent.h"
#include "buf.h"
#include "log.h"
#include "norm.h"
#include "understand.h"
#include "scorer.h"
#include "util.h"

const struct content_need safety_needs[] = {
    CONTENT_NEED("desk.crisis_words", ""),
    CONTENT_NEED("safety.crisis_patterns", ""),
    CONTENT_NEED("safety.not_crisis", ""),
    CONTENT_NEED("safety.figures", ""),
    CONTENT_NEED("safety.sincere", ""),
    CONTENT_NEED_END,
};

/* The compiled safety.crisis_patterns (one alternation) and the text it was
 * compiled from; guarded by mu. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *compiled_src;
static pcre2_code *compiled;
static pcre2_match_data *compiled_md;

/* Line w of a content list without its surrounding spaces (in place). */
static char *trim_line(char *w, size_t *len)
{
    while (*w == ' ')
        w++;
    *len = strlen(w);
    while (*len > 0 && (w[*len - 1] == ' ' || w[*len - 1] == '\r'))
        w[--*len] = '\0';
    return w;
}

/* The lines of a content list joined as one alternation "(?:a)|(?:b)". */
static char *alternation(const char *lines)
{
    char *copy = xstrdup(lines), *save = NULL, *out = xstrdup("");
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        size_t len;
        l = trim_line(l, &len);
        if (len == 0)
            continue;
        char *next = xasprintf("%s%s(?:%s)", out, out[0] ? "|" : "", l);
        free(out);
        out = next;
    }
    free(copy);
    return out;
}

/* The pattern for src, compiled on first use or when src changed. Called
 * with mu held. NULL when src is empty or does not compile (logged). */
static const pcre2_code *patterns_for(const char *src)
{
    if (compiled_src != NULL && strcmp(compiled_src, src) == 0)
        return compiled;
    pcre2_code_free(compiled); /* NULL is fine */
    pcre2_match_data_free(compiled_md);
    compiled = NULL;
    compiled_md = NULL;
    free(compiled_src);
    compiled_src = xstrdup(src);
    char *alt = alternation(src);
    int err = 0;
    PCRE2_SIZE off = 0;
    if (alt[0] != '\0') {
        compiled = pcre2_compile((PCRE2_SPTR)alt, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
                                 &err, &off, NULL);
        if (compiled == NULL)
            log_err("safety: safety.crisis_patterns does not compile (error %d at %zu)", err,
                    (size_t)off);
        /* JIT: a fifth of the cost of a text; without it pcre2_match interprets */
        if (compiled != NULL && jit_wanted())
            (void)pcre2_jit_compile(compiled, PCRE2_JIT_COMPLETE);
        compiled_md = compiled ? pcre2_match_data_create_from_pattern(compiled, NULL) : NULL;
    }
    free(alt);
    return compiled;
}

static bool patterns_match(const char *src, const char *text)
{
    bool hit = false;
    pthread_mutex_lock(&mu);
    const pcre2_code *re = patterns_for(src);
    if (re != NULL && compiled_md != NULL)
        hit = pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, compiled_md, NULL) >= 0;
    pthread_mutex_unlock(&mu);
    return hit;
}

/* True for what does not change the meaning of a sentence: ASCII spaces and
 * punctuation, and the Chinese marks the normaliser leaves inside a text. */
static size_t skippable(const char *s)
{
    static const char *const marks[] = {"，", "。", "、", "！", "？", "…", "～", "·", "；", "：", NULL};
    unsigned char c = (unsigned char)*s;
    if (c < 0x80)
        return (c == ' ' || (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
                (c >= '[' && c <= '`') || (c >= '{' && c <= '~'))
                   ? 1
                   : 0;
    for (int i = 0; marks[i]; i++)
        if (str_has_prefix(s, marks[i]))
            return strlen(marks[i]);
    return 0;
}

/* text without spaces and punctuation (new string). */
static char *compact(const char *text)
{
    char *out = xcalloc(1, strlen(text) + 1), *o = out;
    for (const char *p = text; *p;) {
        size_t skip = skippable(p);
        if (skip > 0) {
            p += skip;
            continue;
        }
        *o++ = *p++;
    }
    return out;
}

/* Blank out (with spaces) every occurrence of each line of lines in s. */
static void blank_phrases(char *s, const char *lines)
{
    char *copy = xstrdup(lines), *save = NULL;
    for (char *w = strtok_r(copy, "\n", &save); w; w = strtok_r(NULL, "\n", &save)) {
        size_t len;
        w = trim_line(w, &len);
        for (char *at; len > 0 && (at = strstr(s, w)) != NULL;)
            memset(at, ' ', len);
    }
    free(copy);
}

/* One form of the text: compacted, everyday phrases blanked, then the
 * content's words and patterns and the `crisis` patterns of
 * intents/understand.txt (in may be NULL in tests without rules). */
static bool says_crisis(const struct content *ct, const struct intents *in, const char *text,
                        bool figures)
{
    const char *pats = content_get(ct, "safety.crisis_patterns");
    const char *not = content_get(ct, "safety.not_crisis");
    const char *fig = figures ? content_get(ct, "safety.figures") : NULL;
    char *s = compact(text);
    if (not != NULL)
        blank_phrases(s, not);
    if (fig != NULL)
        blank_phrases(s, fig);
    bool hit = content_list_in(ct, "desk.crisis_words", s) ||
               (pats != NULL && patterns_match(pats, s)) ||
               (in != NULL && understand_is_crisis(in, s));
    free(s);
    return hit;
}

/* The second net: the matched copy, everyday phrases blanked, close to the
 * crisis examples (understand_crisis_level). Unless all, a text whose
 * verdict is surely below least is not scored (CRISIS_FAR, why and
 * against not filled). */
static enum crisis_verdict net_says(const struct content *ct, const struct intents *in,
                                    const char *canon, bool all, enum crisis_verdict least,
                                    struct scored *why, struct scored *against)
{
    const char *not = content_get(ct, "safety.not_crisis");
    const char *fig = content_get(ct, "safety.figures");
    char *s = xstrdup(canon);
    if (not != NULL)
        blank_phrases(s, not);
    if (fig != NULL)
        blank_phrases(s, fig);
    enum crisis_verdict v = all || understand_crisis_could(in, s, least)
                                ? understand_crisis_level(in, s, why, against)
                                : CRISIS_FAR;
    free(s);
    return v;
}

/* The parts of text between spaces and punctuation (new strings, at most
 * max); 0 when there is only one. A crisis said inside a long story is
 * closer to the crisis lines alone than the whole story is. */
static int parts_of(const char *text, char **out, int max)
{
    int n = 0;
    for (const char *p = text; *p && n < max;) {
        size_t skip = skippable(p);
        if (skip > 0) {
            p += skip;
            continue;
        }
        const char *start = p;
        while (*p && skippable(p) == 0)
            p++;
        out[n++] = xstrndup(start, (size_t)(p - start));
    }
    if (n == 1) {
        free(out[0]);
        n = 0;
    }
    return n;
}

/* safety_net_scores on canon, the matched copy of norm_text, and in *whole
 * the verdict on the whole text (a part is never only near: the check-in
 * is for what the whole text says). With all false, only the verdict
 * counts: the parts are scored only while none has said crisis, and not at
 * all when the whole did, and a text that cannot reach a verdict (the whole
 * near, a part the net) is not scored; the scores are then not filled. */
static int net_scores(const struct content *ct, const struct intents *in, const char *norm_text,
                      const char *canon, struct scored *why, struct scored *against, int max,
                      bool all, enum crisis_verdict *whole)
{
    char *parts[SAFETY_NET_PARTS];
    int hit = 0, n = 0;
    *whole = CRISIS_FAR;
    if (max < 1)
        return 0;
    *whole = net_says(ct, in, canon, all, CRISIS_NEAR, &why[n], &against[n]);
    hit |= *whole == CRISIS_NET;
    n++;
    int np = hit && !all ? 0 : parts_of(norm_text, parts, SAFETY_NET_PARTS);
    for (int i = 0; i < np; i++) {
        if (n < max && (all || !hit)) {
            char *pc = norm_canon(intent_lexicon(in), parts[i]);
            hit |= net_says(ct, in, pc, all, CRISIS_NET, &why[n], &against[n]) == CRISIS_NET;
            n++;
            free(pc);
        }
        free(parts[i]);
    }
    return hit ? -n : n;
}

int safety_net_scores(const struct content *ct, const struct intents *in, const char *norm_text,
                      struct scored *why, struct scored *against, int max)
{
    enum crisis_verdict whole;
    char *canon = norm_canon(intent_lexicon(in), norm_text);
    int n = net_scores(ct, in, norm_text, canon, why, against, max, true, &whole);
    free(canon);
    return n;
}

/* A crisis said only as a figure of speech (`safety.figures`: 想死的心都有了
 * of a traffic jam, 热得想死): the words are there, but with the figure
 * blanked nothing is. Neither a crisis reply nor nothing: the check-in. */
static bool figure_only(const struct content *ct, const struct intents *in, const char *norm_text,
                        const char *canon)
{
    const char *fig = content_get(ct, "safety.figures");
    if (fig == NULL || fig[0] == '\0')
        return false;
    /* only a text with a figure in it can differ (blank_phrases is what
     * tells: it changes the compacted text) */
    char *s = compact(norm_text), *t = xstrdup(s);
    blank_phrases(t, fig);
    bool has = strcmp(s, t) != 0;
    free(s);
    free(t);
    if (!has)
        return false;
    return says_crisis(ct, in, norm_text, false) ||
           (canon != NULL && says_crisis(ct, in, canon, false));
}

/* A figure the worker says is meant (`safety.sincere`: 不是开玩笑, 不是说笑,
 * 我是认真的): 想死的心都有了 不是说笑 is no figure any more. */
static bool says_sincere(const struct content *ct, const char *norm_text)
{
    char *s = compact(norm_text);
    bool yes = content_list_in(ct, "safety.sincere", s);
    free(s);
    return yes;
}

enum safety_level safety_level(const struct content *ct, const struct intents *in,
                               const char *norm_text)
{
    if (norm_text == NULL || norm_text[0] == '\0')
        return SAFETY_NONE;
    if (says_crisis(ct, in, norm_text, true))
        return SAFETY_CRISIS;
    if (in == NULL)
        return !figure_only(ct, in, norm_text, NULL) ? SAFETY_NONE
               : says_sincere(ct, norm_text)          ? SAFETY_CRISIS
                                                      : SAFETY_NEAR;
    /* the matched copy: traditional characters, numerals, typos (norm_canon),
     * made once for the patterns and the second net */
    char *canon = norm_canon(intent_lexicon(in), norm_text);
    enum safety_level level = SAFETY_CRISIS;
    if (!says_crisis(ct, in, canon, true)) {
        bool figure = figure_only(ct, in, norm_text, canon);
        if (figure && says_sincere(ct, norm_text)) {
            free(canon);
            return SAFETY_CRISIS;
        }
        /* the second net: the whole text and each of its parts, scored once
         * for both the crisis and the check-in */
        struct scored why[SAFETY_NET_PARTS + 1], against[SAFETY_NET_PARTS + 1];
        enum crisis_verdict whole;
        if (net_scores(ct, in, norm_text, canon, why, against, SAFETY_NET_PARTS + 1, false,
                       &whole) >= 0)
            level = whole == CRISIS_NEAR || figure ? SAFETY_NEAR : SAFETY_NONE;
    }
    free(canon);
    return level;
}

bool safety_is_crisis(const struct content *ct, const struct intents *in, const char *norm_text)
{
    return safety_level(ct, in, norm_text) == SAFETY_CRISIS;
}

int safety_check(const struct content *ct, struct buf *errors)
{
    /* Each pattern alone, so a bad line names itself: compiled together, one
     * bad line would turn every pattern off and crisis texts would go unseen. */
    const char *src = content_get(ct, "safety.crisis_patterns");
    int rc = 0;
    for (const char *l = src; l != NULL && *l;) {
        const char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l) : strlen(l);
        char *pat = xstrndup(l, n);
        size_t len;
        char *p = trim_line(pat, &len);
        int err = 0;
        PCRE2_SIZE at = 0;
        pcre2_code *re = len == 0 ? NULL
                                  : pcre2_compile((PCRE2_SPTR)p, len, PCRE2_UTF | PCRE2_UCP, &err,
                                                  &at, NULL);
        if (len > 0 && re == NULL) {
            PCRE2_UCHAR msg[160];
            const char *file = "content";
            int line = content_where(ct, "safety.crisis_patterns", (size_t)(l - src), &file);
            pcre2_get_error_message(err, msg, sizeof msg);
            buf_printf(errors, "%s:%d: safety.crisis_patterns: %s at offset %zu\n", file, line,
                       (const char *)msg, (size_t)at);
            rc = -1;
        }
        pcre2_code_free(re);
        free(pat);
        l = end ? end + 1 : NULL;
    }
    return rc;
}

