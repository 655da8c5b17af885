/*
 * lesson.c - loads and checks the lesson files (content/lessons/NN-slug.txt)
 * into an id-sorted set. Office staff edit these files by hand, so every check
 * reports the file and line, and the loader keeps going to show all problems
 * in one run.
 */
#include "lesson.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "overlay.h"
#include "util.h"

struct lesson_set {
    struct lesson *v; /* sorted by id */
    size_t n;
};

/* The topics a lesson may have; README.md in content/lessons lists the same. */
static const char *const topics[] = {"三国文化", "襄阳历史", "隆中精神", "工匠精神", "劳动权益",
                                     "社会保险", "安全",     "身心健康", "党史党章"};

enum key {
    KEY_ID,
    KEY_TITLE,
    KEY_TOPIC,
    KEY_QUESTION,
    KEY_A,
    KEY_B,
    KEY_C,
    KEY_D,
    KEY_ANSWER,
    KEY_POINTS,
    KEY_EXPLAIN,
    KEY_LINK,
    KEY_COVER,
    KEY_NKEYS
};

static const struct {
    const char *name;
    bool is_required;
} keys[KEY_NKEYS] = {
    [KEY_ID] = {"id", true},
    [KEY_TITLE] = {"title", true},
    [KEY_TOPIC] = {"topic", true},
    [KEY_QUESTION] = {"question", true},
    [KEY_A] = {"A", true},
    [KEY_B] = {"B", true},
    [KEY_C] = {"C", false},
    [KEY_D] = {"D", false},
    [KEY_ANSWER] = {"answer", true},
    [KEY_POINTS] = {"points", true},
    [KEY_EXPLAIN] = {"explain", true},
    [KEY_LINK] = {"link", false},
    [KEY_COVER] = {"cover", false},
};

/* A lesson while loading: where its id was, and which file came first. */
struct entry {
    struct lesson l;
    int id_line;
    size_t order;
};

static void errf(struct buf *errors, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void errf(struct buf *errors, const char *path, int line, const char *fmt, ...)
{
    if (errors == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    char *msg = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    /* a full errors buffer only loses later lines; the NULL return still says "failed" */
    if (line > 0)
        (void)buf_printf(errors, "%s:%d: %s\n", path, line, msg);
    else
        (void)buf_printf(errors, "%s: %s\n", path, msg);
    free(msg);
}

static void lesson_release(struct lesson *l)
{
    free(l->title);
    free(l->topic);
    free(l->question);
    for (int i = 0; i < 4; i++)
        free(l->opts[i]);
    free(l->explain);
    free(l->link);
    free(l->cover);
    free(l->body);
    free(l->file);
    memset(l, 0, sizeof *l);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* [*s, *e) without leading and trailing ASCII white space. */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s))
        (*s)++;
    while (*e > *s && is_space((*e)[-1]))
        (*e)--;
}

static bool is_url(const char *v)
{
    const char *rest;
    if (str_has_prefix(v, "https://"))
        rest = v + 8;
    else if (str_has_prefix(v, "http://"))
        rest = v + 7;
    else
        return false;
    if (*rest == '\0' || *rest == '/')
        return false;
    for (const unsigned char *p = (const unsigned char *)rest; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

/* [*host, *end) of an http(s) URL's host (no port, no userinfo); false when v is none. */
static bool url_host(const char *v, const char **host, const char **end)
{
    if (!is_url(v))
        return false;
    const char *h = v + (str_has_prefix(v, "https://") ? 8 : 7);
    const char *e = h + strcspn(h, "/?#");
    const char *at = memchr(h, '@', (size_t)(e - h));
    if (at != NULL)
        h = at + 1;
    const char *colon =
        *h == '[' ? memchr(h, ']', (size_t)(e - h)) : memchr(h, ':', (size_t)(e - h));
    if (colon != NULL && *h != '[')
        e = colon;
    else if (colon != NULL)
        e = colon + 1; /* "[::1]" */
    while (e > h && e[-1] == '.')
        e--; /* "example.org." */
    *host = h;
    *end = e;
    return true;
}

/* Whether [h, e) is name or ends in ".name", ignoring case. */
static bool host_is_under(const char *h, const char *e, const char *name)
{
    size_t n = strlen(name), len = (size_t)(e - h);
    if (len < n || strncasecmp(e - n, name, n) != 0)
        return false;
    return len == n || e[-(ptrdiff_t)n - 1] == '.';
}

bool lesson_url_is_placeholder(const char *url)
{
    /* RFC 2606 / RFC 6761 names that never serve a worker anything, and loopback */
    static const char *const reserved[] = {"example.org", "example.com", "example.net", "example",
                                           "invalid",     "test",        "localhost",   "local"};
    const char *h, *e;
    if (!url_host(url, &h, &e))
        return false;
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (host_is_under(h, e, reserved[i]))
            return true;
    size_t len = (size_t)(e - h);
    return (len >= 4 && strncmp(h, "127.", 4) == 0) || (len == 5 && strncmp(h, "[::1]", 5) == 0) ||
           (len == 7 && strncmp(h, "0.0.0.0", 7) == 0);
}

/* A path under [lessons] link_base: "v/03-longzhong-dui", "img/03.jpg?w=640". No scheme,
 * no leading '/', no "..", only URL path characters (checked by hand: a
 * short allow-list, not a URL parser). */
static bool is_relative(const char *v)
{
    if (v[0] == '/' || v[0] == '.' || strstr(v, "..") != NULL || strstr(v, "//") != NULL)
        return false;
    for (const char *p = v; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("-._~/%?=&+#", *p) != NULL))
            return false;
    return v[0] != '\0';
}

char *lesson_url(const char *base, const char *v)
{
    if (v == NULL)
        return NULL;
    if (is_url(v))
        return lesson_url_is_placeholder(v) ? NULL : xstrdup(v);
    if (base == NULL || base[0] == '\0' || !is_relative(v) || lesson_url_is_placeholder(base))
        return NULL;
    size_t n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    return xasprintf("%.*s/%s", (int)n, base, v);
}

/* A link: or cover: value: a real http(s) address or a path under link_base. */
static bool check_url(const char *path, int line, const char *key, const char *v,
                      struct buf *errors)
{
    if (is_url(v) && lesson_url_is_placeholder(v)) {
        errf(errors, path, line,
             "%s '%s' has a placeholder host that never serves anything: give the real address, "
             "a path under [lessons] link_base, or delete the line",
             key, v);
        return false;
    }
    if (!is_url(v) && !is_relative(v)) {
        errf(errors, path, line,
             "%s '%s' is not an http(s) URL nor a path under [lessons] link_base", key, v);
        return false;
    }
    return true;
}

static bool is_topic(const char *v)
{
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
        if (strcmp(v, topics[i]) == 0)
            return true;
    return false;
}

static char *topic_list(void)
{
    struct buf b;
    buf_init(&b, 0);
    for (size_t i = 0; i < sizeof topics / sizeof topics[0]; i++)
        (void)buf_printf(&b, "%s%s", i ? ", " : "", topics[i]); /* no cap: cannot fail */
    return buf_take(&b);
}

/* Line number (1-based) of byte offset off in text. */
static int line_of(const char *text, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

/* Code points of body up to and including the first 。！？ (all of it when none). */
static size_t first_sentence_len(const char *body)
{
    size_t n = strlen(body), i = 0, adv, count = 0;
    while (i < n) {
        uint32_t cp = utf8_decode(body + i, n - i, &adv);
        i += adv;
        count++;
        if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F) /* 。！？ */
            break;
    }
    return count;
}

char *lesson_first_sentence(const struct lesson *l)
{
    size_t n = first_sentence_len(l->body), i = 0, adv;
    size_t len = strlen(l->body);
    for (size_t k = 0; k < n && i < len; k++) {
        (void)utf8_decode(l->body + i, len - i, &adv); /* only its length is needed */
        i += adv;
    }
    while (i > 0 && (l->body[i - 1] == '\n' || l->body[i - 1] == ' '))
        i--;
    return xstrndup(l->body, i);
}

/*
 * Check the header values once all are read. vals[k] is NULL for a key not
 * given; lines[k] its line. Fills l and returns the number of problems.
 */
static int check_header(const char *path, char **vals, const int *lines, int sep_line,
                        struct lesson *l, struct buf *errors)
{
    int bad = 0;
    long long v;

    for (int k = 0; k < KEY_NKEYS; k++) {
        if (vals[k] == NULL && keys[k].is_required) {
            errf(errors, path, sep_line, "missing key '%s'", keys[k].name);
            bad++;
        }
    }
    if (vals[KEY_ID]) {
        if (parse_int(vals[KEY_ID], 1, INT_MAX, &v) == 0) {
            l->id = (int)v;
        } else {
            errf(errors, path, lines[KEY_ID], "id '%s' is not a positive integer", vals[KEY_ID]);
            bad++;
        }
    }
    if (vals[KEY_TOPIC] && !is_topic(vals[KEY_TOPIC])) {
        char *list = topic_list();
        errf(errors, path, lines[KEY_TOPIC], "unknown topic '%s' (one of %s)", vals[KEY_TOPIC],
             list);
        free(list);
        bad++;
    }
    if (vals[KEY_POINTS]) {
        if (parse_int(vals[KEY_POINTS], 1, 100, &v) == 0) {
            l->points = (int)v;
        } else {
            errf(errors, path, lines[KEY_POINTS], "points '%s' is not an integer from 1 to 100",
                 vals[KEY_POINTS]);
            bad++;
        }
    }
    if (vals[KEY_LINK] && !check_url(path, lines[KEY_LINK], "link", vals[KEY_LINK], errors))
        bad++;
    if (vals[KEY_COVER] && !check_url(path, lines[KEY_COVER], "cover", vals[KEY_COVER], errors))
        bad++;

    /* options: A and B are required; C and D only follow the letter before them */
    l->nopts = 0;
    for (int k = KEY_A; k <= KEY_D; k++) {
        if (vals[k] == NULL)
            continue;
        if (k > KEY_A && vals[k - 1] == NULL) {
            errf(errors, path, lines[k], "option %s without option %s", keys[k].name,
                 keys[k - 1].name);
            bad++;
        }
        l->nopts = k - KEY_A + 1;
    }
    if (vals[KEY_ANSWER]) {
        const char *a = vals[KEY_ANSWER];
        if (a[0] < 'A' || a[0] > 'D' || a[1] != '\0') {
            errf(errors, path, lines[KEY_ANSWER], "answer '%s' is not one letter A to D", a);
            bad++;
        } else if (vals[KEY_A + (a[0] - 'A')] == NULL) {
            errf(errors, path, lines[KEY_ANSWER], "answer '%s' is not among the options", a);
            bad++;
        } else {
            l->answer = a[0];
        }
    }
    if (bad)
        return bad;

    /* all good: the set takes the values */
    l->title = vals[KEY_TITLE];
    l->topic = vals[KEY_TOPIC];
    l->question = vals[KEY_QUESTION];
    for (int i = 0; i < 4; i++)
        l->opts[i] = vals[KEY_A + i];
    l->explain = vals[KEY_EXPLAIN];
    l->link = vals[KEY_LINK];
    l->cover = vals[KEY_COVER];
    for (int k = 0; k < KEY_NKEYS; k++)
        if (k != KEY_ID && k != KEY_POINTS && k != KEY_ANSWER)
            vals[k] = NULL;
    return 0;
}

/*
 * Parse one lesson file (text is NUL-terminated, len bytes) into e.
 * Returns the number of problems; e holds nothing to free when it is not 0.
 */
static int parse_lesson(const char *path, const char *text, size_t len, struct entry *e,
                        struct buf *errors)
{
    char *vals[KEY_NKEYS] = {0};
    int lines[KEY_NKEYS] = {0};
    int bad = 0, line = 0, sep_line = 0;
    size_t pos = 0;

    memset(&e->l, 0, sizeof e->l);
    if (!utf8_valid(text, len)) {
        size_t i = 0, adv;
        while (i < len) {
            uint32_t cp = utf8_decode(text + i, len - i, &adv);
            if (cp == 0 || (cp == 0xFFFD && !(adv == 3 && (unsigned char)text[i] == 0xEF)))
                break;
            i += adv;
        }
        errf(errors, path, line_of(text, i), "not valid UTF-8 text");
        return 1;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a byte-order mark from a Windows editor */

    /* header: key: value lines up to --- */
    while (pos < len) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        const char *end = nl ? nl : text + len;
        pos = (size_t)(end - text) + (nl ? 1 : 0);
        line++;
        const char *ks = s, *ke = end;
        trim(&ks, &ke);
        if (ke - ks == 3 && memcmp(ks, "---", 3) == 0) {
            sep_line = line;
            break;
        }
        if (ks == ke || *ks == '#')
            continue; /* blank lines and comments */
        const char *colon = memchr(ks, ':', (size_t)(ke - ks));
        if (colon == NULL) {
            errf(errors, path, line, "expected 'key: value' or '---'");
            bad++;
            continue;
        }
        const char *vs = colon + 1, *ve = ke;
        ke = colon;
        trim(&ks, &ke);
        trim(&vs, &ve);
        int k = 0;
        while (k < KEY_NKEYS && !(strlen(keys[k].name) == (size_t)(ke - ks) &&
                                  memcmp(keys[k].name, ks, (size_t)(ke - ks)) == 0))
            k++;
        if (k == KEY_NKEYS) {
            errf(errors, path, line, "unknown key '%.*s'", (int)(ke - ks), ks);
            bad++;
        } else if (vals[k] != NULL) {
            errf(errors, path, line, "duplicate key '%s' (first on line %d)", keys[k].name,
                 lines[k]);
            bad++;
        } else if (vs == ve) {
            errf(errors, path, line, "empty value for '%s'", keys[k].name);
            bad++;
        } else {
            vals[k] = xstrndup(vs, (size_t)(ve - vs));
            lines[k] = line;
        }
    }
    if (sep_line == 0) {
        errf(errors, path, line > 0 ? line : 1, "no '---' line after the header");
        bad++;
        goto out;
    }
    bad += check_header(path, vals, lines, sep_line, &e->l, errors);
    e->id_line = lines[KEY_ID];

    /* body: the rest, without leading blank lines, trailing blanks or CRs */
    int body_line = sep_line + 1;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        size_t i = pos;
        while (i < end && is_space(text[i]))
            i++;
        if (i < end)
            break;
        pos = nl ? end + 1 : len;
        body_line++;
    }
    struct buf body;
    buf_init(&body, 0);
    for (size_t i = pos; i < len; i++)
        if (text[i] != '\r')
            (void)buf_append(&body, text + i, 1); /* no cap: cannot fail */
    while (body.len > 0 && is_space(body.data[body.len - 1]))
        body.data[--body.len] = '\0';
    char *b = buf_take(&body);
    size_t n = utf8_len(b);
    if (n == 0) {
        errf(errors, path, sep_line, "empty body");
        bad++;
    } else {
        if (n > LESSON_BODY_MAX) {
            errf(errors, path, body_line, "body is %zu characters, more than %d", n,
                 LESSON_BODY_MAX);
            bad++;
        }
        size_t first = first_sentence_len(b);
        if (first > LESSON_FIRST_MAX) {
            errf(errors, path, body_line, "first sentence is %zu characters, more than %d", first,
                 LESSON_FIRST_MAX);
            bad++;
        }
    }
    if (bad) {
        free(b);
        lesson_release(&e->l);
    } else {
        e->l.body = b;
        e->l.file = xstrdup(path);
    }
out:
    for (int k = 0; k < KEY_NKEYS; k++)
        free(vals[k]);
    return bad;
}

/* Read a whole file into a NUL-terminated string, at most LESSON_FILE_MAX bytes. */
static char *read_file(const char *path, size_t *len, struct buf *errors)
{
    struct buf b;
    char chunk[4096];
    size_t n;
    FILE *f = overlay_fopen(path, "rb");
    if (f == NULL) {
        errf(errors, path, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    buf_init(&b, LESSON_FILE_MAX);
    bool is_big = false;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_append(&b, chunk, n) == -1) {
            is_big = true;
            break;
        }
    }
    bool is_err = ferror(f) != 0;
    int saved = errno;
    (void)fclose(f); /* read-only: nothing to flush, nothing to report */
    if (is_err) {
        errf(errors, path, 0, "cannot read: %s", strerror(saved));
        buf_release(&b);
        return NULL;
    }
    if (is_big) {
        errf(errors, path, 0, "larger than %d bytes", LESSON_FILE_MAX);
        buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return buf_take(&b);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->l.id != y->l.id)
        return x->l.id < y->l.id ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* The *.txt names in dir, sorted; NULL (reported) when dir cannot be read. */
static char **list_dir(const char *dir, size_t *count, struct buf *errors)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    DIR *d = opendir(dir);
    if (d == NULL) {
        errf(errors, dir, 0, "cannot open directory: %s", strerror(errno));
        return NULL;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 4 || strcmp(de->d_name + len - 4, ".txt") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(de->d_name);
    }
    (void)closedir(d); /* a directory stream: nothing to report */
    if (n > 0)
        qsort(names, n, sizeof *names, cmp_name);
    *count = n;
    return names ? names : xcalloc(1, sizeof *names);
}

struct lesson_set *lesson_load(const char *dir, struct buf *errors)
{
    struct lesson_set *set = NULL;
    struct entry *es = NULL;
    char **names = NULL;
    size_t nnames = 0, n = 0;
    int bad = 0;

    names = list_dir(dir, &nnames, errors);
    if (names == NULL)
        return NULL;
    if (nnames == 0) {
        errf(errors, dir, 0, "no lesson files (*.txt)");
        bad++;
        goto out;
    }
    es = xcalloc(nnames, sizeof *es);
    for (size_t i = 0; i < nnames; i++) {
        size_t len = 0;
        char *path = xasprintf("%s/%s", dir, names[i]);
        char *text = read_file(path, &len, errors);
        if (text == NULL) {
            bad++;
        } else if (parse_lesson(path, text, len, &es[n], errors) != 0) {
            bad++;
        } else {
            es[n].order = i;
            n++;
        }
        free(text);
        free(path);
    }

    /* ids are unique across files; the earlier file (by name) keeps it */
    if (n > 1)
        qsort(es, n, sizeof *es, cmp_entry);
    for (size_t i = 1, first = 0; i < n; i++) {
        if (es[i].l.id != es[first].l.id) {
            first = i;
            continue;
        }
        errf(errors, es[i].l.file, es[i].id_line, "duplicate id %d (first in %s:%d)", es[i].l.id,
             es[first].l.file, es[first].id_line);
        bad++;
    }
    if (bad)
        goto out;

    set = xcalloc(1, sizeof *set);
    set->v = xcalloc(n, sizeof *set->v);
    set->n = n;
    for (size_t i = 0; i < n; i++)
        set->v[i] = es[i].l;
    n = 0; /* the set owns the lessons now */
out:
    for (size_t i = 0; i < n; i++)
        lesson_release(&es[i].l);
    free(es);
    for (size_t i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    return set;
}

void lesson_set_free(struct lesson_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->n; i++)
        lesson_release(&set->v[i]);
    free(set->v);
    free(set);
}

size_t lesson_count(const struct lesson_set *set)
{
    return set ? set->n : 0;
}

const struct lesson *lesson_at(const struct lesson_set *set, size_t i)
{
    return set && i < set->n ? &set->v[i] : NULL;
}

const struct lesson *lesson_find(const struct lesson_set *set, int id)
{
    size_t lo = 0, hi = set ? set->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->v[mid].id == id)
            return &set->v[mid];
        if (set->v[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

char *lesson_render(const struct lesson *l)
{
    struct buf b;
    buf_init(&b, 0);
    /* no cap on b: the appends cannot fail */
    (void)buf_printf(&b, "%s\n%s\n\n%s", l->title, l->body, l->question);
    for (int i = 0; i < l->nopts; i++)
        (void)buf_printf(&b, "\n%c. %s", 'A' + i, l->opts[i]);
    return buf_take(&b);
}
