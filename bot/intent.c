/*
 * intent.c - loads the *.rules files in intents/ (name order, one `intent pattern` rule a
 * line), compiles each pattern once with PCRE2 (UTF, Unicode properties, JIT
 * when available) and matches normalised text against them, first rule wins.
 *
 * A line `!intent pattern` is a veto: wherever the pattern is found in a text,
 * no rule of that intent matches it (the next rule is tried, as when a rule's
 * own negative lookahead fails). One veto per meaning — 开玩笑, a refused
 * stop — guards every rule of an action at once, rules written later too.
 */
#include "intent.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>

#include "buf.h"
#include "log.h"
#include "norm.h"
#include "scorer.h"
#include "understand.h"
#include "overlay.h"
#include "util.h"

struct rule_cap {
    char *name; /* owned */
    int group;
};

struct rule {
    char *intent;     /* owned */
    const char *file; /* borrowed from intents.files */
    int line;
    pcre2_code *code; /* owned */
    int ncaps;
    struct rule_cap caps[INTENT_MAX_CAPS];
};

/* `!intent pattern`: no rule of intent matches a text the pattern is found in */
struct veto {
    char *intent;     /* owned */
    const char *file; /* borrowed from intents.files */
    int line;
    pcre2_code *code; /* owned */
};

struct intents {
    struct rule *rules;
    size_t nrules, rules_cap;
    struct veto *vetoes;
    size_t nvetoes;
    const char **names; /* distinct intent names in rule order, borrowed from rules */
    size_t nnames;
    char **files; /* basenames of the loaded files, owned */
    size_t nfiles;
    const pcre2_code *widest; /* the pattern with most groups: sizes the match data */
    uint32_t widest_groups;
    struct lexicon *lx; /* lexicon.txt and OpenCC, for norm_canon */
    struct scorer *sc;  /* the *.examples */
    struct uconf *uc;   /* understand.txt */
    /* the examples taught at run time (intent_taught_set): the only part
     * that changes after load, under its lock */
    pthread_mutex_t taught_mu;
    int64_t taught_version;
    struct scorer *taught; /* base + taught, or NULL */
};

/* Append one "path:line: message" line to errors (or log it when errors is NULL). */
static void add_error(struct buf *errors, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add_error(struct buf *errors, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    msg = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (errors == NULL)
        log_err("intent: %s", msg);
    else if (buf_puts(errors, msg) == -1 || buf_puts(errors, "\n") == -1)
        log_err("intent: %s (error buffer full)", msg);
    free(msg);
}

static bool valid_name(const char *s)
{
    if (!(*s >= 'a' && *s <= 'z'))
        return false;
    for (s++; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
            return false;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int ends_with_rules(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 6 && strcmp(d->d_name + n - 6, ".rules") == 0;
}

static bool has_name(const struct intents *in, const char *name)
{
    for (size_t i = 0; i < in->nnames; i++)
        if (strcmp(in->names[i], name) == 0)
            return true;
    return false;
}

static void add_name(struct intents *in, const char *name)
{
    if (has_name(in, name))
        return;
    in->names = xrealloc(in->names, (in->nnames + 1) * sizeof *in->names);
    in->names[in->nnames++] = name;
}

/* Record the named groups of r->code in r->caps. 0, or -1 with an error added. */
static int read_names(struct rule *r, const char *path, struct buf *errors)
{
    uint32_t count = 0, entry = 0;
    PCRE2_SPTR table = NULL;

    if (pcre2_pattern_info(r->code, PCRE2_INFO_NAMECOUNT, &count) != 0 ||
        pcre2_pattern_info(r->code, PCRE2_INFO_NAMEENTRYSIZE, &entry) != 0 ||
        pcre2_pattern_info(r->code, PCRE2_INFO_NAMETABLE, &table) != 0) {
        add_error(errors, "%s:%d: cannot read the pattern's named groups", path, r->line);
        return -1;
    }
    if (count > INTENT_MAX_CAPS) {
        add_error(errors, "%s:%d: %u named groups, at most %d", path, r->line, count,
                  INTENT_MAX_CAPS);
        return -1;
    }
    /* each entry: group number in two bytes, big-endian, then the NUL-terminated name */
    for (uint32_t i = 0; i < count; i++) {
        PCRE2_SPTR e = table + (size_t)i * entry;
        r->caps[i].group = (e[0] << 8) | e[1];
        r->caps[i].name = xstrdup((const char *)e + 2);
    }
    r->ncaps = (int)count;
    return 0;
}

/* Parse and compile one rule line. 0 added or skipped, -1 with an error added. */
static int load_line(struct intents *in, char *text, const char *path, const char *file, int line,
                     struct buf *errors)
{
    char *name, *pat, *end;
    struct rule r;
    int errcode;
    PCRE2_SIZE erroff;
    uint32_t groups = 0;

    end = text + strlen(text);
    while (end > text && is_blank(end[-1]))
        *--end = '\0';
    while (is_blank(*text))
        text++;
    if (*text == '\0' || *text == '#')
        return 0;
    name = text;
    while (*text && !is_blank(*text))
        text++;
    pat = text;
    if (*pat) {
        *pat++ = '\0';
        while (is_blank(*pat))
            pat++;
    }
    bool veto = name[0] == '!';
    if (veto)
        name++;
    if (!valid_name(name)) {
        add_error(errors, "%s:%d: bad intent name '%s' (want [a-z][a-z0-9_.]*)", path, line, name);
        return -1;
    }
    if (*pat == '\0') {
        add_error(errors, "%s:%d: no pattern after intent '%s'", path, line, name);
        return -1;
    }

    memset(&r, 0, sizeof r);
    r.file = file;
    r.line = line;
    r.code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &errcode,
                           &erroff, NULL);
    if (r.code == NULL) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
            snprintf((char *)msg, sizeof msg, "PCRE2 error %d", errcode);
        add_error(errors, "%s:%d: %s at offset %zu", path, line, (const char *)msg, (size_t)erroff);
        return -1;
    }
    /*
     * Without JIT support (PCRE2_ERROR_JIT_BADOPTION) or memory for it,
     * pcre2_match() runs the interpreter on the same code: same results.
     */
    if (jit_wanted())
        (void)pcre2_jit_compile(r.code, PCRE2_JIT_COMPLETE);
    if (veto) { /* captures nothing: only whether it is found */
        in->vetoes = xrealloc(in->vetoes, (in->nvetoes + 1) * sizeof *in->vetoes);
        in->vetoes[in->nvetoes++] = (struct veto){xstrdup(name), file, line, r.code};
        return 0;
    }
    if (read_names(&r, path, errors) == -1 ||
        pcre2_pattern_info(r.code, PCRE2_INFO_CAPTURECOUNT, &groups) != 0) {
        for (int i = 0; i < r.ncaps; i++)
            free(r.caps[i].name);
        pcre2_code_free(r.code);
        return -1;
    }
    r.intent = xstrdup(name);
    if (in->nrules == in->rules_cap) {
        in->rules_cap = in->rules_cap ? in->rules_cap * 2 : 64;
        in->rules = xrealloc(in->rules, in->rules_cap * sizeof *in->rules);
    }
    in->rules[in->nrules++] = r;
    if (in->widest == NULL || groups > in->widest_groups) {
        in->widest = r.code;
        in->widest_groups = groups;
    }
    return 0;
}

/* Load one rules file. 0, or -1 when it had any problem (all added to errors). */
static int load_file(struct intents *in, const char *dir, const char *file, struct buf *errors)
{
    int rc = -1, line = 0;
    char *path = NULL, *text = NULL;
    size_t cap = 0;
    FILE *f = NULL;
    struct stat st;
    bool bad = false;

    path = xasprintf("%s/%s", dir, file);
    f = overlay_fopen(path, "r");
    if (f == NULL) {
        add_error(errors, "%s: cannot open: %s", path, strerror(errno));
        goto out;
    }
    if (fileno(f) != -1 && (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode))) {
        add_error(errors, "%s: not a regular file", path);
        goto out;
    }
    in->files = xrealloc(in->files, (in->nfiles + 1) * sizeof *in->files);
    in->files[in->nfiles] = xstrdup(file);
    file = in->files[in->nfiles++];
    errno = 0;
    while (getline(&text, &cap, f) != -1) {
        line++;
        if (load_line(in, text, path, file, line, errors) == -1)
            bad = true;
    }
    if (ferror(f)) {
        add_error(errors, "%s:%d: read error: %s", path, line + 1, strerror(errno));
        goto out;
    }
    rc = bad ? -1 : 0;
out:
    if (f != NULL)
        (void)fclose(f); /* opened read-only: nothing can be lost on close */
    free(text);
    free(path);
    return rc;
}

/* An example's intent must have rules (`none` marks small talk, `crisis` the
 * second crisis net's examples: understand_crisis_net); examples
 * of an intent this build has no rules for are left out (logged). */
static bool known_intent(const void *ctx, const char *intent)
{
    return strcmp(intent, "none") == 0 || strcmp(intent, "crisis") == 0 || has_name(ctx, intent);
}

/* The lexicon, the examples and understand.txt beside the rules. 0 or -1. */
static int load_understanding(struct intents *in, const char *dir, const char *cache_dir,
                              struct buf *errors)
{
    struct buf local;
    struct buf *e = errors;
    if (e == NULL) {
        buf_init(&local, 0);
        e = &local;
    }
    char *path = xasprintf("%s/lexicon.txt", dir);
    in->lx = lexicon_load(path, e);
    free(path);
    in->sc = in->lx ? scorer_load(dir, in->lx, known_intent, in, cache_dir, e) : NULL;
    in->uc = in->sc ? uconf_load(dir, in, e) : NULL;
    if (e != errors) {
        if (local.len > 0)
            log_err("intent: %s", local.data);
        buf_release(&local);
    }
    return in->uc != NULL ? 0 : -1;
}

struct intents *intent_load(const char *dir, struct buf *errors)
{
    return intent_load_cached(dir, NULL, errors);
}

struct intents *intent_load_cached(const char *dir, const char *cache_dir, struct buf *errors)
{
    struct intents *in = NULL;
    struct dirent **list = NULL;
    int n, bad = 0;

    n = scandir(dir, &list, ends_with_rules, alphasort);
    if (n == -1) {
        add_error(errors, "%s: cannot open rules directory: %s", dir, strerror(errno));
        return NULL;
    }
    in = xcalloc(1, sizeof *in);
    pthread_mutex_init(&in->taught_mu, NULL);
    for (int i = 0; i < n; i++) {
        if (load_file(in, dir, list[i]->d_name, errors) == -1)
            bad++;
        free(list[i]);
    }
    free(list);
    if (!bad && in->nrules == 0) {
        add_error(errors, "%s: no rules (want *.rules files with `intent pattern` lines)", dir);
        bad++;
    }
    /* every file's errors at once: a veto's name is checked against the
     * rules that did load */
    for (size_t i = 0; i < in->nrules; i++)
        add_name(in, in->rules[i].intent);
    for (size_t i = 0; i < in->nvetoes; i++)
        if (!has_name(in, in->vetoes[i].intent)) { /* a typo would guard nothing */
            add_error(errors, "%s/%s:%d: veto for '%s', which no rule has", dir,
                      in->vetoes[i].file, in->vetoes[i].line, in->vetoes[i].intent);
            bad++;
        }
    if (bad || load_understanding(in, dir, cache_dir, errors) == -1) {
        intent_free(in);
        return NULL;
    }
    return in;
}

void intent_free(struct intents *in)
{
    if (in == NULL)
        return;
    for (size_t i = 0; i < in->nrules; i++) {
        struct rule *r = &in->rules[i];
        for (int c = 0; c < r->ncaps; c++)
            free(r->caps[c].name);
        pcre2_code_free(r->code);
        free(r->intent);
    }
    for (size_t i = 0; i < in->nvetoes; i++) {
        pcre2_code_free(in->vetoes[i].code);
        free(in->vetoes[i].intent);
    }
    free(in->vetoes);
    for (size_t i = 0; i < in->nfiles; i++)
        free(in->files[i]);
    scorer_free(in->taught); /* borrows from in->sc */
    pthread_mutex_destroy(&in->taught_mu);
    lexicon_free(in->lx);
    scorer_free(in->sc);
    uconf_free(in->uc);
    free(in->files);
    free(in->rules);
    free(in->names);
    free(in);
}

/* Copy the named groups of r that took part in the match into m. */
static void take_caps(const struct rule *r, const char *text, pcre2_match_data *md, int pairs,
                      struct intent_match *m)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);

    for (int i = 0; i < r->ncaps && m->ncaps < INTENT_MAX_CAPS; i++) {
        int g = r->caps[i].group;
        if (g >= pairs || ov[2 * g] == PCRE2_UNSET || ov[2 * g + 1] < ov[2 * g])
            continue;
        m->caps[m->ncaps].name = r->caps[i].name;
        m->caps[m->ncaps].value = xstrndup(text + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
        m->ncaps++;
    }
}

/* 1 when a veto of intent is found in text, 0 when none, -1 on a match error
 * (logged). md is only scratch here: the caller reads its rule's groups after. */
static int vetoed(const struct intents *in, const char *intent, const char *text, size_t len,
                  pcre2_match_data *md)
{
    for (size_t i = 0; i < in->nvetoes; i++) {
        const struct veto *v = &in->vetoes[i];
        if (strcmp(v->intent, intent) != 0)
            continue;
        int n = pcre2_match(v->code, (PCRE2_SPTR)text, len, 0, 0, md, NULL);
        if (n >= 0)
            return 1;
        if (n != PCRE2_ERROR_NOMATCH) {
            log_fail("intent: %s:%d: veto match: PCRE2 error %d", v->file, v->line, n);
            return -1;
        }
    }
    return 0;
}

int intent_vetoed(const struct intents *in, const char *intent, const char *text)
{
    if (in == NULL || in->nvetoes == 0)
        return 0;
    pcre2_match_data *vm = pcre2_match_data_create(1, NULL);
    if (vm == NULL) {
        log_fail("intent: cannot allocate match data");
        return -1;
    }
    int v = vetoed(in, intent, text, strlen(text), vm);
    pcre2_match_data_free(vm);
    return v;
}

int intent_match(const struct intents *in, const char *text, struct intent_match *m)
{
    int rc = -1;
    pcre2_match_data *md = NULL, *vm = NULL; /* vm: the vetoes', made when a rule matches */
    size_t len = strlen(text);

    memset(m, 0, sizeof *m);
    /*
     * Match data is per call, so threads share only the read-only compiled
     * code. One block sized from the pattern with most groups fits every rule.
     */
    md = pcre2_match_data_create_from_pattern(in->widest, NULL);
    if (md == NULL) {
        log_fail("intent: cannot allocate match data");
        goto out;
    }
    for (size_t i = 0; i < in->nrules; i++) {
        const struct rule *r = &in->rules[i];
        int n = pcre2_match(r->code, (PCRE2_SPTR)text, len, 0, 0, md, NULL);
        if (n == PCRE2_ERROR_NOMATCH)
            continue;
        if (n < 0) {
            PCRE2_UCHAR msg[256];
            if (pcre2_get_error_message(n, msg, sizeof msg) < 0)
                snprintf((char *)msg, sizeof msg, "PCRE2 error %d", n);
            log_fail("intent: %s:%d: match: %s", r->file, r->line, (const char *)msg);
            goto out;
        }
        if (in->nvetoes > 0 && vm == NULL &&
            (vm = pcre2_match_data_create(1, NULL)) == NULL) {
            log_fail("intent: cannot allocate match data");
            goto out;
        }
        int v = in->nvetoes > 0 ? vetoed(in, r->intent, text, len, vm) : 0;
        if (v == -1)
            goto out;
        if (v == 1)
            continue;
        m->intent = r->intent;
        m->file = r->file;
        m->line = r->line;
        /* n == 0 would mean the ovector is too small; it is sized for every rule */
        take_caps(r, text, md, n, m);
        rc = 1;
        goto out;
    }
    rc = 0;
out:
    pcre2_match_data_free(md); /* NULL is fine */
    pcre2_match_data_free(vm);
    return rc;
}

const char *intent_cap(const struct intent_match *m, const char *name)
{
    for (int i = 0; i < m->ncaps; i++)
        if (strcmp(m->caps[i].name, name) == 0)
            return m->caps[i].value;
    return NULL;
}

void intent_match_release(struct intent_match *m)
{
    for (int i = 0; i < m->ncaps; i++)
        free(m->caps[i].value);
    memset(m, 0, sizeof *m);
}

size_t intent_count(const struct intents *in)
{
    return in->nnames;
}

const char *intent_name(const struct intents *in, size_t i)
{
    return i < in->nnames ? in->names[i] : NULL;
}

size_t intent_rule_count(const struct intents *in)
{
    return in->nrules;
}

const struct lexicon *intent_lexicon(const struct intents *in)
{
    return in->lx;
}

int64_t intent_taught_version(const struct intents *in)
{
    struct intents *w = (struct intents *)in; /* the lock and the taught set only */
    pthread_mutex_lock(&w->taught_mu);
    int64_t v = w->taught_version;
    pthread_mutex_unlock(&w->taught_mu);
    return v;
}

void intent_taught_set(const struct intents *in, int64_t version, const char *const *intents,
                       const char *const *texts, size_t n)
{
    struct intents *w = (struct intents *)in;
    struct scorer *sc = in->sc ? scorer_extend(in->sc, in->lx, intents, texts, n) : NULL;
    pthread_mutex_lock(&w->taught_mu);
    struct scorer *old = w->taught;
    w->taught = sc;
    w->taught_version = version;
    pthread_mutex_unlock(&w->taught_mu);
    scorer_free(old);
}

/* The name as the rules spell it (lives as long as in), "none", or NULL. */
static const char *stable_name(const struct intents *in, const char *name)
{
    for (size_t i = 0; i < in->nnames; i++)
        if (strcmp(in->names[i], name) == 0)
            return in->names[i];
    return strcmp(name, "none") == 0 ? "none" : NULL;
}

int intent_rank(const struct intents *in, const char *canon, struct scored *out, int max)
{
    struct intents *w = (struct intents *)in;
    pthread_mutex_lock(&w->taught_mu);
    int n = scorer_rank_support(w->taught ? w->taught : in->sc, canon, understand_support(in->uc),
                                out, max),
        k = 0;
    /* names and files that outlive the lock: the rules', the base's, literals */
    for (int i = 0; i < n; i++) {
        const char *name = stable_name(in, out[i].intent);
        if (name == NULL)
            continue;
        out[k] = out[i];
        out[k++].intent = name;
    }
    pthread_mutex_unlock(&w->taught_mu);
    return k;
}

const struct scorer *intent_scorer(const struct intents *in)
{
    return in->sc;
}

const struct uconf *intent_uconf(const struct intents *in)
{
    return in->uc;
}
