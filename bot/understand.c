/*
 * understand.c - rules, then rules on the matched copy, then the example
 * scorer, then a numbered choice (see understand.h).
 */
#include "understand.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "buf.h"
#include "intent.h"
#include "norm.h"
#include "scorer.h"
#include "overlay.h"
#include "util.h"

#define CHOICES 3

struct umenu {
    char *intent, *cmd; /* owned; cmd is a capture name for `text` */
};

/* Lists of words, each a line key of understand.txt (wordlist_keys). */
enum wordlist {
    W_NOTOPIC,   /* thanks and praise: not a request */
    W_QUESTION,  /* ... unless one of these asks something */
    W_DECLINE,   /* a refusal: not guessed at */
    W_ELSEWHERE, /* another company's points or app: no guess of ours */
    W_YES,       /* a yes/no question's answers */
    W_NO,
    W_UNSURE,
    W_ASKING, /* asks whether, not for: an action seen only on the matched copy waits */
    W_CALM,   /* an everyday thing done at a roof or a river: the crisis net stays off */
    W_CLAUSENOT, /* a clause starting with one refuses or corrects: no clause is read alone */
    NWORDS
};
static const char *const wordlist_keys[NWORDS] = {"notopic", "question", "decline", "elsewhere",
                                                  "yes",     "no",       "unsure",   "asking",
                                                  "calm",    "clausenot"};

struct words {
    char **w; /* normalised, owned */
    size_t n;
};

#define CRISIS_GROUP 64 /* crisis patterns matched as one alternation */

struct uconf {
    double take, margin, ask;
    double smalltalk; /* no guess taken with `none` this close behind */
    char **actions; /* owned */
    size_t nactions;
    struct umenu *menu;
    size_t nmenu;
    struct umenu *text; /* intent -> the capture that gets the whole text */
    size_t ntext;
    struct umenu *topics; /* intent -> one word naming its topic */
    size_t ntopics;
    struct umenu *moods; /* intent -> a word saying only how one feels (`mood`) */
    size_t nmoods;
    struct umenu *family; /* topic intent -> an intent of the same feature (`family`) */
    size_t nfamily;
    struct umenu *noslot; /* capture name -> a word that is no value of it (`noslot`) */
    size_t nnoslot;
    struct umenu *which; /* action -> the capture whose absence it asks for (`askswhich`) */
    size_t nwhich;
    struct words words[NWORDS]; /* understand.txt's word lists, by enum wordlist */
    pcre2_code **crisis; /* the ways people say it, beside content's words */
    char **crisis_src;   /* their text, for crisis_any */
    size_t ncrisis;
    pcre2_code **crisis_any; /* CRISIS_GROUP of them as one alternation; NULL: one by one */
    double net_score, net_lead; /* `crisisnet`: score above 1 when off */
    double near_score, near_lead; /* `crisisnear`: the same for a check-in */
    double low_score, low_lead;   /* `lowtake`: below take, a longer lead; above 1 off */
    int low_chars;                /* and at least this many letters */
    int clause_chars;             /* `clauses`: shortest clause read alone; 0 off */
    int clause_top;               /* and among this many of the whole text's closest */
    int net_chars;              /* ... and the fewest characters it looks at */
    struct scorer_support support; /* `support`: k 0 when off */
};

void uconf_free(struct uconf *uc)
{
    if (uc == NULL)
        return;
    for (size_t i = 0; i < uc->nactions; i++)
        free(uc->actions[i]);
    for (size_t i = 0; i < uc->nmenu; i++) {
        free(uc->menu[i].intent);
        free(uc->menu[i].cmd);
    }
    for (size_t i = 0; i < uc->ntext; i++) {
        free(uc->text[i].intent);
        free(uc->text[i].cmd);
    }
    free(uc->text);
    for (size_t i = 0; i < uc->ntopics; i++) {
        free(uc->topics[i].intent);
        free(uc->topics[i].cmd);
    }
    free(uc->topics);
    for (size_t i = 0; i < uc->nmoods; i++) {
        free(uc->moods[i].intent);
        free(uc->moods[i].cmd);
    }
    free(uc->moods);
    for (size_t i = 0; i < uc->nfamily; i++) {
        free(uc->family[i].intent);
        free(uc->family[i].cmd);
    }
    free(uc->family);
    for (size_t i = 0; i < uc->nnoslot; i++) {
        free(uc->noslot[i].intent);
        free(uc->noslot[i].cmd);
    }
    free(uc->noslot);
    for (size_t i = 0; i < uc->nwhich; i++) {
        free(uc->which[i].intent);
        free(uc->which[i].cmd);
    }
    free(uc->which);
    for (size_t l = 0; l < NWORDS; l++) {
        for (size_t i = 0; i < uc->words[l].n; i++)
            free(uc->words[l].w[i]);
        free(uc->words[l].w);
    }
    for (size_t i = 0; i < uc->ncrisis; i++) {
        pcre2_code_free(uc->crisis[i]);
        free(uc->crisis_src[i]);
    }
    free(uc->crisis);
    free(uc->crisis_src);
    for (size_t g = 0; uc->crisis_any != NULL && g * CRISIS_GROUP < uc->ncrisis; g++)
        pcre2_code_free(uc->crisis_any[g]);
    free(uc->crisis_any);
    free(uc->actions);
    free(uc->menu);
    free(uc);
}

/* A menu command must mean something: it is matched like a typed text. */
static bool cmd_matches(const struct intents *in, const char *cmd)
{
    struct intent_match m;
    char *n = norm_text(cmd);
    int rc = intent_match(in, n, &m);
    intent_match_release(&m);
    free(n);
    return rc == 1;
}

/* Append the space-separated words of s, normalised. */
static void add_words(char ***list, size_t *n, char *s)
{
    char *save = NULL;
    for (char *w = strtok_r(s, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        *list = xrealloc(*list, (*n + 1) * sizeof **list);
        (*list)[(*n)++] = norm_text(w);
    }
}


static bool has_any(char *const *words, size_t n, const char *text)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(text, words[i]) != NULL)
            return true;
    return false;
}

/* True when text contains a word of understand.txt's list l. */
static bool says(const struct uconf *uc, enum wordlist l, const char *text)
{
    return has_any(uc->words[l].w, uc->words[l].n, text);
}

/* `crisis PATTERN` (PCRE2; a space inside the pattern is kept). 0 or -1. */
static int add_crisis(struct uconf *uc, const char *a, const char *b, const char *path, int no,
                      struct buf *errors)
{
    char *pat = b ? xasprintf("%s %s", a, b) : xstrdup(a);
    int err;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP,
                                   &err, &off, NULL);
    if (re == NULL) {
        free(pat);
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(err, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "PCRE2 error %d", err);
        buf_printf(errors, "%s:%d: %s at offset %zu\n", path, no, (const char *)msg, (size_t)off);
        return -1;
    }
    if (jit_wanted())
        (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter otherwise */
    uc->crisis = xrealloc(uc->crisis, (uc->ncrisis + 1) * sizeof *uc->crisis);
    uc->crisis_src = xrealloc(uc->crisis_src, (uc->ncrisis + 1) * sizeof *uc->crisis_src);
    uc->crisis_src[uc->ncrisis] = pat;
    uc->crisis[uc->ncrisis++] = re;
    return 0;
}

/* True when pattern p can be one alternative among others and mean what it
 * means alone: no reference to a group (\1, \g, \k, (?1), (?R), (?&n),
 * (?(1)...): numbers would shift, names clash), no verb ((*COMMIT) would stop
 * the other alternatives being tried), no inline option or group but
 * (?: (?= (?! (?<= (?<! (?> (?|. Anything else keeps its group one by one. */
static bool joinable(const char *p)
{
    for (const char *q = p; *q != '\0'; q++) {
        if (q[0] == '\\') {
            if (q[1] == 'g' || q[1] == 'k' || (q[1] >= '1' && q[1] <= '9'))
                return false;
            if (q[1] == '\0')
                break;
            q++; /* the escaped character, \\ included */
        } else if (q[0] == '(' && q[1] == '*') {
            return false;
        } else if (q[0] == '(' && q[1] == '?') {
            bool plain = q[2] == ':' || q[2] == '=' || q[2] == '!' || q[2] == '>' || q[2] == '|' ||
                         (q[2] == '<' && (q[3] == '=' || q[3] == '!'));
            if (!plain)
                return false;
        }
    }
    return true;
}

/* The crisis patterns as alternations of CRISIS_GROUP, (?:p1)|(?:p2)|...,
 * each matched once instead of one call a pattern (a profile of the node:
 * 268 calls a text, twice a message, were 15 % of its CPU; callgrind: the
 * patterns' instructions 0.59x). A group matches where any of its patterns
 * does: a group with a pattern that is not joinable, a group PCRE2 refuses
 * (its compiled size is limited, or a \Q runs to its end) and a text a group
 * cannot finish within PCRE2's limits are tried one pattern at a time. */
static void crisis_combine(struct uconf *uc)
{
    size_t ngroups = (uc->ncrisis + CRISIS_GROUP - 1) / CRISIS_GROUP;
    if (ngroups == 0)
        return;
    uc->crisis_any = xcalloc(ngroups, sizeof *uc->crisis_any);
    for (size_t g = 0; g < ngroups; g++) {
        size_t from = g * CRISIS_GROUP, to = from + CRISIS_GROUP;
        if (to > uc->ncrisis)
            to = uc->ncrisis;
        struct buf all;
        buf_init(&all, 0);
        bool ok = true;
        for (size_t i = from; i < to && ok; i++) {
            ok = joinable(uc->crisis_src[i]);
            buf_printf(&all, "%s(?:%s)", i > from ? "|" : "", uc->crisis_src[i]);
        }
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = ok ? pcre2_compile((PCRE2_SPTR)all.data, all.len, PCRE2_UTF | PCRE2_UCP, &err,
                                            &off, NULL)
                            : NULL;
        if (re != NULL && jit_wanted())
            (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE); /* the interpreter otherwise */
        uc->crisis_any[g] = re;
        buf_release(&all);
    }
}

/* A bar line `KEY SCORE LEAD [CHARS]` (crisisnet, crisisnear, lowtake): a
 * score in (0, 1], a lead in [lead_min, 1], and with chars a count of
 * letters >= 0; a is the score, b the rest. False, changing nothing, when
 * the line is not of that form. */
static bool bar_line(const char *a, const char *b, double lead_min, bool with_chars,
                     double *score, double *lead, int *chars)
{
    double v, l;
    int c = 0;
    char end;
    if (a == NULL || b == NULL || sscanf(a, "%lf", &v) != 1 || v <= 0 || v > 1)
        return false;
    int want = with_chars ? 2 : 1;
    int got = with_chars ? sscanf(b, "%lf %d %c", &l, &c, &end) : sscanf(b, "%lf %c", &l, &end);
    if (got != want || l < lead_min || l > 1 || c < 0)
        return false;
    *score = v;
    *lead = l;
    if (chars != NULL)
        *chars = c;
    return true;
}

static int parse_line(struct uconf *uc, const struct intents *in, char *line, const char *path,
                      int no, struct buf *errors)
{
    char *save = NULL, *key = strtok_r(line, " \t\r\n", &save);
    char *a = key ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    char *b = a ? strtok_r(NULL, "\r\n", &save) : NULL;
    double v;
    if (key == NULL || key[0] == '#')
        return 0;
    if ((strcmp(key, "take") == 0 || strcmp(key, "margin") == 0 || strcmp(key, "ask") == 0) &&
        a != NULL && b == NULL && sscanf(a, "%lf", &v) == 1 && v >= 0 && v <= 1) {
        *(key[0] == 't' ? &uc->take : key[0] == 'm' ? &uc->margin : &uc->ask) = v;
        return 0;
    }
    if (strcmp(key, "smalltalk") == 0 && a != NULL && b == NULL && sscanf(a, "%lf", &v) == 1 &&
        v >= 0 && v <= 1) {
        uc->smalltalk = v;
        return 0;
    }
    if (strcmp(key, "action") == 0 && a != NULL && b == NULL) {
        /* a typo here would silently let that intent act on a guess */
        bool known = in == NULL;
        for (size_t i = 0; !known && i < intent_count(in); i++)
            known = strcmp(intent_name(in, i), a) == 0;
        if (!known) {
            buf_printf(errors, "%s:%d: action '%s' is no intent of the rules\n", path, no, a);
            return -1;
        }
        uc->actions = xrealloc(uc->actions, (uc->nactions + 1) * sizeof *uc->actions);
        uc->actions[uc->nactions++] = xstrdup(a);
        return 0;
    }
    if (strcmp(key, "askswhich") == 0 && a != NULL && b != NULL && strchr(b, ' ') == NULL) {
        bool action = false;
        for (size_t i = 0; i < uc->nactions; i++)
            action = action || strcmp(uc->actions[i], a) == 0;
        if (!action) { /* a guess of anything else is taken anyway */
            buf_printf(errors, "%s:%d: askswhich '%s' is no `action` above\n", path, no, a);
            return -1;
        }
        uc->which = xrealloc(uc->which, (uc->nwhich + 1) * sizeof *uc->which);
        uc->which[uc->nwhich++] = (struct umenu){xstrdup(a), xstrdup(b)};
        return 0;
    }
    if (strcmp(key, "text") == 0 && a != NULL && b != NULL && strchr(b, ' ') == NULL) {
        uc->text = xrealloc(uc->text, (uc->ntext + 1) * sizeof *uc->text);
        uc->text[uc->ntext++] = (struct umenu){xstrdup(a), xstrdup(b)};
        return 0;
    }
    if ((strcmp(key, "topic") == 0 || strcmp(key, "mood") == 0 || strcmp(key, "family") == 0 ||
         strcmp(key, "noslot") == 0) &&
        a != NULL && b != NULL) {
        struct umenu **list = key[0] == 't'   ? &uc->topics
                              : key[0] == 'm' ? &uc->moods
                              : key[0] == 'f' ? &uc->family
                                              : &uc->noslot;
        size_t *n = key[0] == 't'   ? &uc->ntopics
                    : key[0] == 'm' ? &uc->nmoods
                    : key[0] == 'f' ? &uc->nfamily
                                    : &uc->nnoslot;
        char *save2 = NULL;
        for (char *w = strtok_r(b, " \t", &save2); w; w = strtok_r(NULL, " \t", &save2)) {
            *list = xrealloc(*list, (*n + 1) * sizeof **list);
            (*list)[(*n)++] = (struct umenu){xstrdup(a), norm_text(w)};
        }
        return 0;
    }
    for (size_t l = 0; l < NWORDS && a != NULL; l++)
        if (strcmp(key, wordlist_keys[l]) == 0) {
            add_words(&uc->words[l].w, &uc->words[l].n, a);
            if (b != NULL)
                add_words(&uc->words[l].w, &uc->words[l].n, b);
            return 0;
        }
    if (strcmp(key, "crisisnet") == 0 &&
        bar_line(a, b, 0, true, &uc->net_score, &uc->net_lead, &uc->net_chars))
        return 0;
    if (strcmp(key, "crisisnear") == 0 &&
        bar_line(a, b, -1, false, &uc->near_score, &uc->near_lead, NULL))
        return 0;
    if (strcmp(key, "lowtake") == 0 &&
        bar_line(a, b, 0, true, &uc->low_score, &uc->low_lead, &uc->low_chars))
        return 0;
    if (strcmp(key, "clauses") == 0 && a != NULL && b != NULL) {
        int n, top;
        char end;
        if (sscanf(a, "%d %c", &n, &end) == 1 && n >= 1 && n <= 100 &&
            sscanf(b, "%d %c", &top, &end) == 1 && top >= 1 && top <= CHOICES + 2) {
            uc->clause_chars = n;
            uc->clause_top = top;
            return 0;
        }
    }
    if (strcmp(key, "support") == 0 && a != NULL && b != NULL) {
        struct scorer_support sp;
        char end;
        if (sscanf(a, "%d %c", &sp.k, &end) == 1 && sp.k >= 2 && sp.k <= SCORER_SUPPORT_MAX &&
            sscanf(b, "%lf %lf %lf %c", &sp.weight, &sp.none_weight, &sp.sure, &end) == 3 &&
            sp.weight >= 0 && sp.weight <= 10 && sp.none_weight >= 0 && sp.none_weight <= 10 &&
            sp.sure > 0 && sp.sure <= 1.01) {
            uc->support = sp;
            return 0;
        }
    }
    if (strcmp(key, "crisis") == 0 && a != NULL)
        return add_crisis(uc, a, b, path, no, errors);
    if (strcmp(key, "menu") == 0 && a != NULL && b != NULL) {
        while (*b == ' ' || *b == '\t')
            b++;
        if (!cmd_matches(in, b)) {
            buf_printf(errors, "%s:%d: menu command '%s' matches no rule\n", path, no, b);
            return -1;
        }
        uc->menu = xrealloc(uc->menu, (uc->nmenu + 1) * sizeof *uc->menu);
        uc->menu[uc->nmenu++] = (struct umenu){xstrdup(a), xstrdup(b)};
        return 0;
    }
    buf_printf(errors, "%s:%d: want `take|margin|ask|smalltalk 0..1`, `action INTENT`, `text INTENT CAP`, `topic|mood INTENT WORDS`, `family INTENT INTENTS`, `noslot CAP WORDS`, `notopic|question|decline|elsewhere|yes|no|unsure|asking|calm|clausenot WORDS`, `crisis PATTERN`, `crisisnet 0..1 0..1 CHARS`, `crisisnear 0..1 -1..1`, `lowtake 0..1 0..1 CHARS`, `clauses CHARS TOP`, `support K 0..10 0..10 0..1` or `menu INTENT CMD`\n",
               path, no);
    return -1;
}

static bool has_crisis_examples(const struct intents *in)
{
    const struct scorer *sc = in ? intent_scorer(in) : NULL;
    for (size_t i = 0; i < scorer_count(sc); i++) {
        const char *intent, *file;
        int line;
        (void)scorer_example(sc, i, &intent, &file, &line);
        if (strcmp(intent, "crisis") == 0)
            return true;
    }
    return false;
}

struct uconf *uconf_load(const char *dir, const struct intents *in, struct buf *errors)
{
    struct uconf *uc = xcalloc(1, sizeof *uc);
    char *path = xasprintf("%s/understand.txt", dir), *line = NULL;
    size_t cap = 0;
    int no = 0, bad = 0;
    uc->take = 0.6;
    uc->margin = 0.05;
    uc->ask = 0.3;
    uc->net_score = 2; /* off until `crisisnet` */
    uc->near_score = 2; /* off until `crisisnear` */
    uc->low_score = 2;  /* off until `lowtake` */
    FILE *f = overlay_fopen(path, "r");
    if (f == NULL && errno != ENOENT) {
        buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
        bad++;
    }
    while (f != NULL && getline(&line, &cap, f) != -1)
        if (parse_line(uc, in, line, path, ++no, errors) == -1)
            bad++;
    if (f != NULL)
        (void)fclose(f); /* read-only */
    if (uc->net_score <= 1 && !has_crisis_examples(in)) {
        buf_printf(errors, "%s: crisisnet is set but no example is labelled crisis\n", path);
        bad++;
    }
    if (uc->ask > uc->take) {
        buf_printf(errors, "%s: ask %.2f is above take %.2f\n", path, uc->ask, uc->take);
        bad++;
    }
    free(line);
    free(path);
    if (bad) {
        uconf_free(uc);
        return NULL;
    }
    crisis_combine(uc);
    return uc;
}

bool understand_is_question(const struct intents *in, const char *normed)
{
    const struct uconf *uc = in ? intent_uconf(in) : NULL;
    return uc != NULL && normed != NULL && says(uc, W_QUESTION, normed);
}

bool understand_is_action(const struct intents *in, const char *intent)
{
    const struct uconf *uc = intent_uconf(in);
    for (size_t i = 0; uc != NULL && i < uc->nactions; i++)
        if (strcmp(uc->actions[i], intent) == 0)
            return true;
    return false;
}

static const char *lookup(const struct umenu *list, size_t n, const char *intent);

/* The capture an `askswhich` action asks for when it lacks it, or NULL. */
static const char *asks_which(const struct uconf *uc, const char *intent)
{
    return uc != NULL ? lookup(uc->which, uc->nwhich, intent) : NULL;
}

bool understand_acts(const struct intents *in, const struct intent_match *m)
{
    if (!understand_is_action(in, m->intent))
        return false;
    const char *cap = asks_which(intent_uconf(in), m->intent);
    const char *v = cap != NULL ? intent_cap(m, cap) : NULL;
    return cap == NULL || (v != NULL && v[0] != '\0');
}

static const char *lookup(const struct umenu *list, size_t n, const char *intent)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].intent, intent) == 0)
            return list[i].cmd;
    return NULL;
}

/* name is borrowed: a literal, or a string of the uconf */
static void add_cap(struct intent_match *m, const char *name, const char *value)
{
    if (m->ncaps < INTENT_MAX_CAPS) {
        m->caps[m->ncaps].name = name;
        m->caps[m->ncaps++].value = xstrdup(value);
    }
}

/* A numbered choice of the intents in r (best first) that have a menu
 * command, each command once. 1 when there is at least one, else 0. */
static int ask(const struct uconf *uc, const struct scored *r, int n, struct intent_match *m)
{
    static const char *const cn[CHOICES] = {"c1", "c2", "c3"};
    static const char *const in_[CHOICES] = {"i1", "i2", "i3"};
    const char *cmds[CHOICES];
    int k = 0;
    for (int i = 0; i < n && k < CHOICES; i++) {
        const char *cmd = lookup(uc->menu, uc->nmenu, r[i].intent);
        bool dup = cmd == NULL || r[i].score < uc->ask * 0.75;
        for (int j = 0; j < k && !dup; j++)
            dup = strcmp(cmds[j], cmd) == 0;
        if (dup)
            continue;
        cmds[k] = cmd;
        add_cap(m, cn[k], cmd);
        add_cap(m, in_[k], r[i].intent);
        k++;
    }
    if (k == 0)
        return 0;
    m->intent = "ask";
    m->file = r[0].file;
    m->line = r[0].line;
    return 1;
}

/* Count each topic word of list that canon names for its intent (names,
 * hits: at most 16 intents). */
static void count_topics(const struct umenu *list, size_t nlist, const char *canon,
                         const char **names, int *hits, int *n)
{
    for (size_t i = 0; i < nlist; i++) {
        if (strstr(canon, list[i].cmd) == NULL)
            continue;
        int k = 0;
        while (k < *n && strcmp(names[k], list[i].intent) != 0)
            k++;
        if (k == *n && *n == 16)
            continue;
        if (k == *n) {
            names[*n] = list[i].intent;
            hits[(*n)++] = 0;
        }
        hits[k]++;
    }
}

/* The intent whose topic words canon names most often, or NULL (none, or a
 * tie between intents). A `mood` word (郁闷, 好烦: how one feels, said of
 * anything) counts only for an intent with a topic word named too, or in a
 * text that asks something (最近很烦怎么办; not 头盔丢了 郁闷). */
static const char *topic_of(const struct uconf *uc, const char *normed, const char *canon)
{
    const char *names[16];
    int hits[16], n = 0, best = -1;
    bool tie = false;
    count_topics(uc->topics, uc->ntopics, canon, names, hits, &n);
    int strong = n;
    const char *mnames[16];
    int mhits[16], mn = 0;
    count_topics(uc->moods, uc->nmoods, canon, mnames, mhits, &mn);
    bool asks = says(uc, W_QUESTION, normed);
    for (int j = 0; j < mn; j++) {
        int k = 0;
        while (k < strong && strcmp(names[k], mnames[j]) != 0)
            k++;
        if (k < strong)
            hits[k] += mhits[j];
        else if (asks && n < 16) {
            names[n] = mnames[j];
            hits[n++] = mhits[j];
        }
    }
    for (int k = 0; k < n; k++) {
        if (best < 0 || hits[k] > hits[best]) {
            best = k;
            tie = false;
        } else if (hits[k] == hits[best])
            tie = true;
    }
    return best < 0 || tie ? NULL : names[best];
}

/* True when guess is of the same feature as the topic word's intent (`family`:
 * 下水道 names reports, not whether it is a new one or one asked after). */
static bool in_family(const struct uconf *uc, const char *topic, const char *guess)
{
    for (size_t i = 0; i < uc->nfamily; i++)
        if (strcmp(uc->family[i].intent, topic) == 0 && strcmp(uc->family[i].cmd, guess) == 0)
            return true;
    return false;
}

/* Take intent as understood (file:line names the reason), with the whole
 * text as its capture where understand.txt says so. */
static int take(const struct uconf *uc, const char *intent, const char *file, int line,
                const char *normed, struct intent_match *m)
{
    m->intent = intent;
    m->file = file;
    m->line = line;
    const char *cap = lookup(uc->text, uc->ntext, intent);
    if (cap != NULL)
        add_cap(m, cap, normed);
    return 1;
}

static size_t count_chars(const char *s, size_t *letters);

/* The letters of canon (Chinese or Latin), for the shortest text the net and `lowtake` judge. */
static int net_letters(const char *canon)
{
    size_t letters;
    (void)count_chars(canon, &letters);
    return (int)letters;
}

/* The topic's desk or feature offered first in a numbered choice, then the
 * scorer's likeliest meanings (ask). */
static int ask_topic(const struct uconf *uc, const char *topic, const char *normed,
                     const struct scored *r, int n, struct intent_match *m)
{
    struct scored all[CHOICES + 3];
    int k = 0;
    all[k++] = (struct scored){topic, 1.0, "understand.txt", 0};
    for (int i = 0; i < n && k < CHOICES + 3; i++)
        if (strcmp(r[i].intent, topic) != 0)
            all[k++] = r[i];
    if (ask(uc, all, k, m) == 1)
        return 1;
    /* no numbered choice can offer it (no `menu` line): the topic as before */
    return take(uc, topic, "understand.txt", 0, normed, m);
}

/* The scorer's guess at canon. r (CHOICES + 2 entries) gets its ranking, *nr
 * how many (the clauses below read it). */
static int from_scorer(const struct intents *in, const char *normed, const char *canon,
                       struct intent_match *m, enum understood_via *via, struct scored *r, int *nr)
{
    const struct uconf *uc = intent_uconf(in);
    int n = *nr = intent_rank(in, canon, r, CHOICES + 2); /* the examples and those taught */
    if (uc == NULL)
        return 0;
    /* thanks or praise that asks nothing is not a request (notopic) */
    if (says(uc, W_NOTOPIC, normed) && !says(uc, W_QUESTION, normed))
        return 0;
    if (says(uc, W_DECLINE, normed)) /* a refusal names what it refuses */
        return 0;
    if (says(uc, W_ELSEWHERE, canon)) /* another's points: only a desk topic it names */
        n = 0;
    bool none_first = n > 0 && strcmp(r[0].intent, "none") == 0;
    /* close to small talk for sure: not sent to a desk for a word it names
     * (今天路上看到车祸了 吓人 is no legal question) */
    if (none_first && r[0].score >= uc->take &&
        (n == 1 || r[0].score - r[1].score >= uc->smalltalk))
        return 0;
    if (n == 0 || r[0].score < uc->ask || none_first) {
        const char *topic = topic_of(uc, normed, canon); /* small talk naming a problem */
        if (topic == NULL)
            return 0; /* nothing close, or closest to small talk */
        /* a question naming a problem goes to its desk or feature; small
         * talk or a statement that names one is offered it first (a ticket
         * alerts a volunteer; tests/data/eval/README.md, "Topics offered") */
        if (none_first || !says(uc, W_QUESTION, normed)) {
            *via = VIA_ASK;
            return ask_topic(uc, topic, normed, r, n, m);
        }
        *via = VIA_SCORER;
        return take(uc, topic, "understand.txt", 0, normed, m);
    }
    double lead = n > 1 ? r[0].score - r[1].score : r[0].score;
    bool near_none = false; /* small talk close behind: ask, do not guess */
    for (int i = 1; i < n; i++)
        near_none = near_none || (strcmp(r[i].intent, "none") == 0 &&
                                  r[0].score - r[i].score < uc->smalltalk);
    /* below take (`lowtake`): the first of the numbered choices the question
     * would offer (an intent with a menu command), well ahead of the next,
     * in a text long enough for its scores to mean something */
    bool low = r[0].score >= uc->low_score && lead >= uc->low_lead &&
               net_letters(canon) >= uc->low_chars &&
               lookup(uc->menu, uc->nmenu, r[0].intent) != NULL;
    /* an action is never taken on a guess, unless it asks for its value
     * (`askswhich`), which a guess never has: 我想报个电工的课 gets the
     * courses, not "did you mean 1 报名 2 …" first; not with a number the
     * rules left (我同事想报第2个) nor in a question (签到码是多少) */
    bool sure = ((r[0].score >= uc->take && lead >= uc->margin) || low) && !near_none &&
                (!understand_is_action(in, r[0].intent) ||
                 (asks_which(uc, r[0].intent) != NULL && strpbrk(canon, "0123456789") == NULL &&
                  !says(uc, W_QUESTION, normed)));
    const char *topic = topic_of(uc, normed, canon);
    if (sure && (topic == NULL || strcmp(topic, r[0].intent) == 0 ||
                 in_family(uc, topic, r[0].intent))) {
        *via = VIA_SCORER;
        return take(uc, r[0].intent, r[0].file, r[0].line, normed, m);
    }
    /* an action of the topic's own feature (`family`: 培训怎么取消, 参加培训2)
     * is asked, its choice first, not sent to the topic's list (round 23) */
    bool own_action = topic != NULL && understand_is_action(in, r[0].intent) &&
                      in_family(uc, topic, r[0].intent);
    if (topic != NULL && !own_action) { /* a question naming a problem goes to its desk */
        *via = VIA_SCORER;
        return take(uc, topic, "understand.txt", 0, normed, m);
    }
    *via = VIA_ASK;
    return ask(uc, r, n, m);
}

/* True when the lexicon rewrites nothing of normed outside what m's named
 * groups took: a code the worker typed is not words (绑定 QD5G5CJK: qd is
 * 签到's pinyin, and the copy would read 绑定 签到5g5cjk, a check-in). */
static bool rewrites_only_slots(const struct intents *in, const char *normed,
                                const struct intent_match *m)
{
    if (m->ncaps == 0)
        return false;
    char *rest = xstrdup(normed);
    bool took = false;
    for (int i = 0; i < m->ncaps; i++) {
        const char *v = m->caps[i].value;
        char *at = v != NULL && v[0] != '\0' ? strstr(rest, v) : NULL;
        if (at != NULL) {
            memmove(at, at + strlen(v), strlen(at + strlen(v)) + 1);
            took = true;
        }
    }
    char *canon = took ? norm_canon(intent_lexicon(in), rest) : NULL;
    /* the copy drops spaces; everything else it does is a rewrite */
    size_t k = 0;
    for (size_t i = 0; rest[i] != '\0'; i++)
        if (rest[i] != ' ')
            rest[k++] = rest[i];
    rest[k] = '\0';
    bool same = canon != NULL && strcmp(canon, rest) == 0;
    free(canon);
    free(rest);
    return same;
}

bool understand_no_value(const struct intents *in, const char *cap, const char *value)
{
    const struct uconf *uc = in != NULL ? intent_uconf(in) : NULL;
    for (size_t i = 0; uc != NULL && value != NULL && i < uc->nnoslot; i++)
        if (strcmp(uc->noslot[i].intent, cap) == 0 && strcmp(uc->noslot[i].cmd, value) == 0)
            return true;
    return false;
}

/* m without the captures that took a `noslot` word (现在报到: 现在 is no
 * city): the handler then asks for the value, as when none was typed. */
static void drop_no_values(const struct intents *in, struct intent_match *m)
{
    int k = 0;
    for (int i = 0; i < m->ncaps; i++) {
        if (understand_no_value(in, m->caps[i].name, m->caps[i].value)) {
            free(m->caps[i].value);
            continue;
        }
        m->caps[k++] = m->caps[i];
    }
    m->ncaps = k;
}

int understand_rules(const struct intents *in, const char *normed, struct intent_match *m,
                     enum understood_via *via)
{
    enum understood_via dummy;
    if (via == NULL)
        via = &dummy;
    *via = VIA_NONE;
    memset(m, 0, sizeof *m);
    if (normed[0] == '\0')
        return 0;
    int rc = intent_match(in, normed, m);
    char *canon = NULL;
    if (rc == 1 && understand_is_action(in, m->intent)) {
        /* An action read off the text as typed must not be contradicted by
         * the text as meant: 取销报名2 (a typo of 取消) reads as 报名2 until
         * the lexicon repairs it into 取消报名2. When the two readings name
         * different intents the rules have not understood it, and the guess
         * asks with a numbered choice (a wrong action is worse than a
         * question). */
        canon = norm_canon(intent_lexicon(in), normed);
        struct intent_match cm;
        memset(&cm, 0, sizeof cm);
        bool differ = canon[0] != '\0' && strcmp(canon, normed) != 0 &&
                      intent_match(in, canon, &cm) == 1 && strcmp(cm.intent, m->intent) != 0;
        if (cm.intent != NULL)
            intent_match_release(&cm);
        free(canon);
        if (differ && !rewrites_only_slots(in, normed, m)) {
            intent_match_release(m);
            memset(m, 0, sizeof *m);
            return 0;
        }
    }
    if (rc != 0) {
        *via = rc == 1 ? VIA_RULE : VIA_NONE;
        if (rc == 1)
            drop_no_values(in, m);
        return rc;
    }
    canon = norm_canon(intent_lexicon(in), normed);
    if (canon[0] != '\0' && strcmp(canon, normed) != 0) {
        rc = intent_match(in, canon, m);
        *via = rc == 1 ? VIA_CANON : VIA_NONE;
        /* an action found only after rewriting is asked before it is done
         * (the handlers that spend read capture ask); when the text itself
         * asks whether (退订了吗 → 退订: the filler dropped its 吗) the rules
         * have not understood it: the guess asks with a numbered choice */
        if (rc == 1 && understand_is_action(in, m->intent) &&
            says(intent_uconf(in), W_ASKING, normed)) {
            intent_match_release(m);
            memset(m, 0, sizeof *m);
            rc = 0;
            *via = VIA_NONE;
        } else if (rc == 1 && understand_is_action(in, m->intent) && intent_cap(m, "ask") == NULL)
            add_cap(m, "ask", "");
        if (rc == 1)
            drop_no_values(in, m);
    }
    free(canon);
    return rc;
}

/* The characters of s that are not a space; *letters gets those that are
 * Chinese or Latin letters. */
static size_t count_chars(const char *s, size_t *letters)
{
    size_t chars = 0, let = 0, n = strlen(s), adv;
    for (size_t i = 0; i < n; i += adv) {
        uint32_t cp = utf8_decode(s + i, n - i, &adv);
        chars += cp != ' ';
        let += cp >= 0x80 || (cp >= 'a' && cp <= 'z');
    }
    *letters = let;
    return chars;
}

/* Words to compare: a bare number or punctuation (a menu answer without a
 * menu) is not guessed at, nor one character (我想想 once filler is gone). */
static bool has_words(const char *s)
{
    size_t letters;
    size_t chars = count_chars(s, &letters);
    return letters > 0 && chars >= 2;
}

/* True when a clause of parts starts with a `clausenot` word. */
static bool clause_refuses(const struct uconf *uc, char **parts, int n)
{
    const struct words *no = &uc->words[W_CLAUSENOT];
    for (int i = 0; i < n; i++)
        for (size_t k = 0; k < no->n; k++)
            if (str_has_prefix(parts[i], no->w[k]))
                return true;
    return false;
}

/*
 * `clauses N TOP`: a text the rules did not understand whole, and the
 * scorer neither (or only with a question), read clause by clause (between
 * spaces and punctuation, as voice input and quick typing run requests into
 * a story: 在楼下等电梯 微课 我要学习 今天的还没看呢). When the rules
 * understand exactly one intent among its clauses of N characters or more,
 * it is among the scorer's TOP closest intents for the whole text (r, nr:
 * two readings agree), it is no action (an action is never taken off part
 * of a text) and it has a `menu` command (what the numbered question could
 * offer), it is that intent with that rule's captures. Not when the text
 * declines or names another company, or a clause starts with a `clausenot`
 * word (不退订 我要学习, 不是要上报: a refusal or a correction beside it),
 * nor when a veto of that intent is found in the whole text.
 * 1 with *m and *via set, else 0 and m unchanged.
 */
static int from_clauses(const struct intents *in, const struct uconf *uc, const char *normed,
                        const char *canon, const struct scored *r, int nr,
                        struct intent_match *m, enum understood_via *via)
{
    if (uc == NULL || uc->clause_chars == 0 || says(uc, W_DECLINE, normed) ||
        says(uc, W_ELSEWHERE, canon))
        return 0;
    enum { MAX_CLAUSES = 32 };
    static const char seps[] = " ,.!?;:~";
    char *copy = xstrdup(normed), *save = NULL, *parts[MAX_CLAUSES];
    int np = 0;
    for (char *p = strtok_r(copy, seps, &save); p != NULL && np < MAX_CLAUSES;
         p = strtok_r(NULL, seps, &save))
        parts[np++] = p;
    struct intent_match found = {0};
    enum understood_via fv = VIA_NONE;
    int nfound = 0;
    if (np < 2 || clause_refuses(uc, parts, np))
        np = 0;
    for (int i = 0; i < np && nfound < 2; i++) {
        struct intent_match cm;
        enum understood_via cv;
        if (utf8_len(parts[i]) < (size_t)uc->clause_chars ||
            understand_rules(in, parts[i], &cm, &cv) != 1)
            continue;
        if (strcmp(cm.intent, "ask") == 0) {
            intent_match_release(&cm);
            continue;
        }
        if (nfound == 0) {
            found = cm;
            fv = cv;
            nfound = 1;
            continue;
        }
        if (strcmp(found.intent, cm.intent) != 0)
            nfound = 2; /* two meanings: not for the clauses to choose */
        intent_match_release(&cm);
    }
    free(copy);
    bool near = false; /* among the whole text's closest intents */
    for (int k = 0; nfound == 1 && k < nr && k < uc->clause_top; k++)
        near = near || strcmp(r[k].intent, found.intent) == 0;
    /* an action is never taken off part of a text, nor what the numbered
     * question would not offer (quiz.answer: its own question asks it), nor
     * what a veto of the whole text forbids: the clause 你给我回个电话 lost the
     * 妈 that made the text a message to the family (round 40) */
    if (nfound != 1 || !near || understand_is_action(in, found.intent) ||
        lookup(uc->menu, uc->nmenu, found.intent) == NULL ||
        intent_vetoed(in, found.intent, normed) != 0 || intent_vetoed(in, found.intent, canon) != 0) {
        if (nfound > 0)
            intent_match_release(&found);
        return 0;
    }
    *m = found;
    *via = fv == VIA_CANON ? VIA_CLAUSE_CANON : VIA_CLAUSE;
    return 1;
}

int understand_guess(const struct intents *in, const char *normed, struct intent_match *m,
                     enum understood_via *via)
{
    enum understood_via dummy;
    if (via == NULL)
        via = &dummy;
    *via = VIA_NONE;
    memset(m, 0, sizeof *m);
    char *canon = norm_canon(intent_lexicon(in), normed);
    /* a number or 第二个 with no list open means no command: not guessed */
    bool guess = has_words(canon) && norm_choice(normed) == 0;
    struct scored r[CHOICES + 2];
    int nr = 0;
    int rc = guess ? from_scorer(in, normed, canon, m, via, r, &nr) : 0;
    if (guess && (rc == 0 || (rc == 1 && strcmp(m->intent, "ask") == 0))) {
        struct intent_match cm;
        enum understood_via cv;
        if (from_clauses(in, intent_uconf(in), normed, canon, r, nr, &cm, &cv) == 1) {
            if (rc == 1)
                intent_match_release(m);
            *m = cm;
            *via = cv;
            rc = 1;
        }
    }
    if (rc != 1)
        *via = VIA_NONE;
    free(canon);
    return rc;
}

int understand(const struct intents *in, const char *normed, struct intent_match *m,
               enum understood_via *via)
{
    int rc = understand_rules(in, normed, m, via);
    if (rc == 0)
        rc = understand_guess(in, normed, m, via);
    return rc;
}

const struct scorer_support *understand_support(const struct uconf *uc)
{
    return uc != NULL && uc->support.k >= 2 ? &uc->support : NULL;
}

bool understand_gives_way(const struct intent_match *m, enum understood_via via)
{
    return strcmp(m->intent, "ask") == 0 ||
           (via == VIA_SCORER && strcmp(m->file, "understand.txt") != 0);
}

bool understand_is_crisis(const struct intents *in, const char *text)
{
    const struct uconf *uc = intent_uconf(in);
    bool hit = false;
    if (uc == NULL || uc->ncrisis == 0)
        return false;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (md == NULL)
        return false;
    size_t len = strlen(text);
    for (size_t g = 0; g * CRISIS_GROUP < uc->ncrisis && !hit; g++) {
        int rc = uc->crisis_any != NULL && uc->crisis_any[g] != NULL
                     ? pcre2_match(uc->crisis_any[g], (PCRE2_SPTR)text, len, 0, 0, md, NULL)
                     : PCRE2_ERROR_NULL;
        if (rc >= 0 || rc == PCRE2_ERROR_NOMATCH) {
            hit = rc >= 0;
            continue;
        }
        for (size_t i = g * CRISIS_GROUP; i < uc->ncrisis && i < (g + 1) * CRISIS_GROUP && !hit; i++)
            hit = pcre2_match(uc->crisis[i], (PCRE2_SPTR)text, len, 0, 0, md, NULL) >= 0;
    }
    pcre2_match_data_free(md);
    return hit;
}

/* The crisis net's scores of canon into *mine and *other: false when it
 * cannot judge it (too short, or calm words say it is no danger). */
/* Whether the net judges canon at all (net_judge, understand_crisis_could):
 * not a text too short to judge (most texts are short), nor an everyday
 * thing done at a roof or a river (站在楼顶上拍照: close to 我站在楼顶上 by its
 * words, not by what it says). */
static bool net_judges(const struct uconf *uc, const char *canon)
{
    return uc != NULL && (uc->net_score > 1 || net_letters(canon) >= uc->net_chars) &&
           !says(uc, W_CALM, canon);
}

static bool net_judge(const struct uconf *uc, const struct intents *in, const char *canon,
                      struct scored *mine, struct scored *other)
{
    /* scored for the figures (eval --net) unless too short */
    if (uc == NULL || uc->net_score > 1 || net_letters(canon) >= uc->net_chars)
        scorer_versus(intent_scorer(in), canon, "crisis", mine, other);
    return net_judges(uc, canon);
}

enum crisis_verdict understand_crisis_level(const struct intents *in, const char *canon,
                                            struct scored *why, struct scored *against)
{
    const struct uconf *uc = intent_uconf(in);
    struct scored mine = {"crisis", 0, NULL, 0}, other = {NULL, 0, NULL, 0};
    bool judged = net_judge(uc, in, canon, &mine, &other);
    if (why != NULL)
        *why = mine;
    if (against != NULL)
        *against = other;
    if (!judged)
        return CRISIS_FAR;
    double lead = mine.score - other.score;
    if (uc->net_score <= 1 && mine.score >= uc->net_score && lead >= uc->net_lead)
        return CRISIS_NET;
    if (uc->near_score <= 1 && mine.score >= uc->near_score && lead >= uc->near_lead)
        return CRISIS_NEAR;
    return CRISIS_FAR;
}

bool understand_crisis_could(const struct intents *in, const char *canon, enum crisis_verdict v)
{
    const struct uconf *uc = intent_uconf(in);
    if (v == CRISIS_FAR)
        return true;
    /* what the net does not judge, then the bar of the lowest verdict asked
     * for: every verdict above CRISIS_FAR needs the closest crisis example there */
    if (!net_judges(uc, canon))
        return false;
    double bar = uc->net_score;
    if (v == CRISIS_NEAR && uc->near_score < bar)
        bar = uc->near_score;
    return bar <= 1 && scorer_best(intent_scorer(in), canon, "crisis") >= bar;
}

bool understand_crisis_net(const struct intents *in, const char *canon, struct scored *why,
                           struct scored *against)
{
    return understand_crisis_level(in, canon, why, against) == CRISIS_NET;
}

bool understand_crisis_near(const struct intents *in, const char *canon)
{
    return understand_crisis_level(in, canon, NULL, NULL) == CRISIS_NEAR;
}

const char *understand_menu_cmd(const struct intents *in, const char *intent)
{
    const struct uconf *uc = in ? intent_uconf(in) : NULL;
    return uc ? lookup(uc->menu, uc->nmenu, intent) : NULL;
}

const char *understand_text_cap(const struct intents *in, const char *intent)
{
    const struct uconf *uc = in ? intent_uconf(in) : NULL;
    return uc ? lookup(uc->text, uc->ntext, intent) : NULL;
}

int understand_answer(const struct intents *in, const char *normed)
{
    const struct uconf *uc = in ? intent_uconf(in) : NULL;
    if (uc == NULL || normed == NULL || utf8_len(normed) > 24)
        return 0; /* a long text says more than yes or no */
    if (says(uc, W_UNSURE, normed))
        return 2;
    if (says(uc, W_NO, normed))
        return -1;
    const struct words *yes = &uc->words[W_YES];
    for (size_t i = 0; i < yes->n; i++) {
        size_t len = strlen(yes->w[i]);
        /* it starts with the yes word (1 but not 12) */
        if (strncmp(normed, yes->w[i], len) == 0 && !(normed[len] >= '0' && normed[len] <= '9'))
            return 1;
    }
    return 0;
}
