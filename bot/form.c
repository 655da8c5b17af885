/*
 * form.c - form-urlencoded parsing and percent-encoding (see form.h).
 */
#include "form.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

#define FORM_MAX_FIELDS 200

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode s[0..n) into a new string; *out_len its length. NULL on a bad escape. */
static char *decode(const char *s, size_t n, size_t *out_len)
{
    char *out = xmalloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[j++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                free(out);
                return NULL;
            }
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[j++] = s[i];
        }
    }
    out[j] = '\0';
    *out_len = j;
    return out;
}

int form_parse(const char *s, size_t len, struct form *f)
{
    f->pairs = NULL;
    f->n = 0;
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && s[end] != '&')
            end++;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t nlen = eq ? (size_t)(eq - (s + i)) : end - i, vlen = 0, dummy;
            if (f->n == FORM_MAX_FIELDS)
                goto fail;
            char *name = decode(s + i, nlen, &dummy);
            char *value = eq ? decode(eq + 1, (size_t)(s + end - eq - 1), &vlen) : xstrdup("");
            if (name == NULL || value == NULL) {
                free(name);
                free(value);
                goto fail;
            }
            f->pairs = xrealloc(f->pairs, (f->n + 1) * sizeof *f->pairs);
            f->pairs[f->n++] = (struct form_pair){name, value, vlen};
        }
        i = end + 1;
    }
    return 0;
fail:
    form_release(f);
    return -1;
}

const char *form_get(const struct form *f, const char *name, size_t *len)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->pairs[i].name, name) == 0) {
            if (len)
                *len = f->pairs[i].value_len;
            return f->pairs[i].value;
        }
    return NULL;
}

void form_release(struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->pairs[i].name);
        free(f->pairs[i].value);
    }
    free(f->pairs);
    f->pairs = NULL;
    f->n = 0;
}

int form_encode(struct buf *b, const char *s)
{
    static const char digits[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[3] = {'%', digits[*p >> 4], digits[*p & 15]};
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.' || *p == '~';
        if (buf_append(b, plain ? (const char *)p : esc, plain ? 1 : 3) == -1)
            return -1;
    }
    return 0;
}
