/*
 * content.c - loads [key] sections of reply text and fills {placeholders}.
 */
#include "content.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "overlay.h"
#include "util.h"

struct entry {
    char *key, *text, *file;
    int line;   /* of the [key] header */
    int *lines; /* file line of each text line: comments and trimmed blanks are not in text */
};

struct content {
    struct entry *e; /* in file order, which error messages follow */
    size_t n, cap;
    struct entry **sorted; /* by key once loaded: a turn looks up several keys */
};

static int by_key(const void *a, const void *b)
{
    return strcmp((*(struct entry *const *)a)->key, (*(struct entry *const *)b)->key);
}

static struct entry *find(const struct content *ct, const char *key)
{
    if (ct->sorted != NULL) { /* a linear scan of ~200 keys was 2% of the writer thread */
        struct entry k = {.key = (char *)key}, *pk = &k;
        struct entry **hit = bsearch(&pk, ct->sorted, ct->n, sizeof *ct->sorted, by_key);
        return hit ? *hit : NULL;
    }
    for (size_t i = 0; i < ct->n; i++) /* while loading */
        if (strcmp(ct->e[i].key, key) == 0)
            return &ct->e[i];
    return NULL;
}

static bool valid_key(const char *k, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = k[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

/* Close the open section: trim blank lines at both ends and store it.
 * lines[i] is the file line of the body's line i. */
static void finish(struct content *ct, char *key, struct buf *body, const int *lines, int nlines,
                   const char *path, int line)
{
    char *t = buf_take(body);
    size_t start = 0, n = strlen(t);
    while (start < n && t[start] == '\n')
        start++;
    int kept = nlines - (int)start;
    int *lns = xcalloc(kept > 0 ? (size_t)kept : 1, sizeof *lns);
    if (kept > 0)
        memcpy(lns, lines + start, (size_t)kept * sizeof *lns);
    while (n > start && (t[n - 1] == '\n' || t[n - 1] == ' '))
        n--;
    if (ct->n == ct->cap) {
        ct->cap = ct->cap ? ct->cap * 2 : 64;
        ct->e = xrealloc(ct->e, ct->cap * sizeof *ct->e);
    }
    ct->e[ct->n++] =
        (struct entry){key, xstrndup(t + start, n - start), xstrdup(path), line, lns};
    free(t);
}

static int load_file(struct content *ct, const char *path, struct buf *errors)
{
    FILE *f = overlay_fopen(path, "r");
    if (f == NULL) {
        buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0, lineno = 0, key_line = 0, nlines = 0, lines_cap = 0;
    int *lines = NULL;
    char *line = NULL, *key = NULL;
    size_t cap = 0;
    ssize_t len;
    struct buf body;
    buf_init(&body, 0);
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!utf8_valid(line, (size_t)len)) {
            buf_printf(errors, "%s:%d: not valid UTF-8\n", path, lineno);
            rc = -1;
            continue;
        }
        if (strcmp(line, "#") == 0 || str_has_prefix(line, "# "))
            continue;
        if (line[0] == '[') {
            char *end = strchr(line, ']');
            if (end == NULL || end[1] != '\0' || !valid_key(line + 1, (size_t)(end - line - 1))) {
                buf_printf(errors, "%s:%d: bad key header (want [lower.case.key])\n", path,
                           lineno);
                rc = -1;
                continue;
            }
            if (key != NULL)
                finish(ct, key, &body, lines, nlines, path, key_line);
            nlines = 0;
            key = xstrndup(line + 1, (size_t)(end - line - 1));
            key_line = lineno;
            struct entry *dup = find(ct, key);
            if (dup != NULL) {
                buf_printf(errors, "%s:%d: duplicate key '%s' (first at %s:%d)\n", path, lineno,
                           key, dup->file, dup->line);
                rc = -1;
            }
            continue;
        }
        if (key == NULL) {
            if (line[0] != '\0') {
                buf_printf(errors, "%s:%d: text before the first [key]\n", path, lineno);
                rc = -1;
            }
            continue;
        }
        buf_append(&body, line, (size_t)len);
        buf_puts(&body, "\n");
        if (nlines == lines_cap) {
            lines_cap = lines_cap ? lines_cap * 2 : 32;
            lines = xrealloc(lines, (size_t)lines_cap * sizeof *lines);
        }
        lines[nlines++] = lineno;
    }
    if (key != NULL)
        finish(ct, key, &body, lines, nlines, path, key_line);
    buf_release(&body);
    free(lines);
    free(line);
    fclose(f);
    return rc;
}

static int txt_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 4 && strcmp(d->d_name + n - 4, ".txt") == 0;
}

struct content *content_load(const char *dir, struct buf *errors)
{
    struct dirent **names = NULL;
    struct content *ct = xcalloc(1, sizeof *ct);
    int rc = 0;
    int n = scandir(dir, &names, txt_filter, alphasort);
    if (n < 0) {
        buf_printf(errors, "%s: cannot read: %s\n", dir, strerror(errno));
        rc = -1;
        n = 0;
    }
    for (int i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]->d_name);
        if (load_file(ct, path, errors) == -1)
            rc = -1;
        free(path);
        free(names[i]);
    }
    free(names);
    if (rc == 0 && ct->n == 0) {
        buf_printf(errors, "%s: no content (*.txt with [key] sections)\n", dir);
        rc = -1;
    }
    if (rc == -1) {
        content_free(ct);
        return NULL;
    }
    ct->sorted = xcalloc(ct->n, sizeof *ct->sorted);
    for (size_t i = 0; i < ct->n; i++)
        ct->sorted[i] = &ct->e[i];
    qsort(ct->sorted, ct->n, sizeof *ct->sorted, by_key);
    return ct;
}

void content_free(struct content *ct)
{
    if (ct == NULL)
        return;
    for (size_t i = 0; i < ct->n; i++) {
        free(ct->e[i].key);
        free(ct->e[i].text);
        free(ct->e[i].file);
        free(ct->e[i].lines);
    }
    free(ct->e);
    free(ct->sorted);
    free(ct);
}

static bool word_in(const char *list, const char *w, size_t n)
{
    const char *p = list;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - p) == n && strncmp(p, w, n) == 0)
            return true;
        p = e;
    }
    return false;
}

static const struct content_need *find_need(const struct content_need *const *needs,
                                            const char *key)
{
    for (size_t t = 0; needs[t]; t++)
        for (const struct content_need *nd = needs[t]; nd->key; nd++)
            if (strcmp(nd->key, key) == 0)
                return nd;
    return NULL;
}

/* Line number, within the entry's file, of the text line holding offset off. */
static int line_of(const struct entry *e, size_t off)
{
    int i = 0;
    for (size_t k = 0; k < off; k++)
        if (e->text[k] == '\n')
            i++;
    return e->lines[i];
}

int content_check(const struct content *ct, const struct content_need *const *needs,
                  struct buf *errors)
{
    int rc = 0;
    for (size_t t = 0; needs[t]; t++) {
        for (const struct content_need *nd = needs[t]; nd->key; nd++) {
            if (find(ct, nd->key) == NULL) {
                buf_printf(errors, "%s:%d: content key '%s' is missing from content/*.txt\n",
                           nd->file, nd->line, nd->key);
                rc = -1;
            }
        }
    }
    for (size_t i = 0; i < ct->n; i++) {
        const struct entry *e = &ct->e[i];
        const struct content_need *nd = find_need(needs, e->key);
        if (nd == NULL) {
            buf_printf(errors, "%s:%d: unknown content key '%s'\n", e->file, e->line, e->key);
            rc = -1;
            continue;
        }
        for (const char *p = e->text; (p = strchr(p, '{')) != NULL;) {
            if (p[1] == '{') {
                p += 2;
                continue;
            }
            const char *end = strchr(p, '}');
            if (end == NULL || !word_in(nd->params, p + 1, (size_t)(end - p - 1))) {
                int len = end ? (int)(end - p + 1) : 1;
                buf_printf(errors, "%s:%d: [%s] uses unknown placeholder %.*s (allowed: %s)\n",
                           e->file, line_of(e, (size_t)(p - e->text)), e->key, len, p,
                           nd->params[0] ? nd->params : "none");
                rc = -1;
                if (end == NULL)
                    break;
            }
            p = end ? end + 1 : p + 1;
        }
    }
    return rc;
}

const char *content_get(const struct content *ct, const char *key)
{
    const struct entry *e = find(ct, key);
    return e ? e->text : NULL;
}

int content_where(const struct content *ct, const char *key, size_t off, const char **file)
{
    const struct entry *e = find(ct, key);
    if (e == NULL || off > strlen(e->text))
        return -1;
    *file = e->file;
    return line_of(e, off);
}

bool content_list_in(const struct content *ct, const char *key, const char *text)
{
    const char *list = content_get(ct, key);
    const char *p = list ? list : "";
    while (*p != '\0') {
        size_t len = strcspn(p, "\n");
        size_t a = 0, b = len;
        while (a < b && p[a] == ' ')
            a++;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\r'))
            b--;
        if (b > a && memmem(text, strlen(text), p + a, b - a) != NULL)
            return true;
        p += len + (p[len] == '\n');
    }
    return false;
}

char *content_render(const struct content *ct, const char *key, const char *const *kv)
{
    const char *text = content_get(ct, key);
    return text == NULL ? xstrdup(key) : content_fill(text, kv);
}

const char *content_placeholder_unknown(const char *text, const char *const *names, size_t *len)
{
    for (const char *p = text; (p = strchr(p, '{')) != NULL;) {
        if (p[1] == '{') {
            p += 2;
            continue;
        }
        const char *end = strchr(p, '}');
        if (end == NULL)
            return NULL; /* a lone '{' is text, as content_fill leaves it */
        bool known = false;
        for (size_t i = 0; names[i] && !known; i++)
            known = strlen(names[i]) == (size_t)(end - p - 1) &&
                    strncmp(names[i], p + 1, (size_t)(end - p - 1)) == 0;
        if (!known) {
            *len = (size_t)(end - p + 1);
            return p;
        }
        p = end + 1;
    }
    return NULL;
}

char *content_fill(const char *text, const char *const *kv)
{
    struct buf out;
    buf_init(&out, 0);
    for (const char *p = text; *p;) {
        if (p[0] == '{' && p[1] == '{') {
            buf_puts(&out, "{");
            p += 2;
            continue;
        }
        if (p[0] == '{') {
            const char *end = strchr(p, '}');
            const char *val = NULL;
            if (end != NULL && kv != NULL) {
                for (size_t i = 0; kv[i] && kv[i + 1]; i += 2)
                    if (strlen(kv[i]) == (size_t)(end - p - 1) &&
                        strncmp(kv[i], p + 1, (size_t)(end - p - 1)) == 0)
                        val = kv[i + 1];
            }
            if (val != NULL) {
                buf_puts(&out, val);
                p = end + 1;
                continue;
            }
        }
        buf_append(&out, p, 1);
        p++;
    }
    return buf_take(&out);
}
