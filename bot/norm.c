/*
 * norm.c - the normaliser: full-width to half-width, Unicode spaces to one
 * ASCII space, ASCII lower case, trim and collapse, trailing punctuation off.
 * Hand-written on purpose: this is a small fixed mapping over a few code point
 * ranges, no library in our stack (PCRE2, Jansson, SQLite, ...) does it, and
 * ICU would be a heavy dependency for forty lines of table lookups.
 */
#include "norm.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "util.h"

/* Unicode White_Space, plus the ASCII controls that act as spaces. */
static bool is_space(uint32_t cp)
{
    switch (cp) {
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0D:
    case 0x20:
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/*
 * Invisible characters that arrive in copy-pasted chat text (zero-width
 * space and joiners, word joiner, byte order mark) and the remaining C0/C1
 * controls: dropped, so they cannot split a command from its argument.
 */
static bool is_dropped(uint32_t cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x200B || cp == 0x200C ||
           cp == 0x200D || cp == 0x2060 || cp == 0xFEFF;
}

/* Punctuation stripped from the end of a text (after the full-width map). */
static bool is_trailing_punct(uint32_t cp)
{
    if (cp < 0x80)
        return cp != '\0' && strchr(".,!?;:~-'\"`", (int)cp) != NULL;
    switch (cp) {
    case 0x00B7: /* middle dot */
    case 0x2013:
    case 0x2014:
    case 0x2015: /* dashes */
    case 0x2018:
    case 0x2019:
    case 0x201C:
    case 0x201D: /* curly quotes */
    case 0x2026:
    case 0x2027: /* ellipsis, hyphenation point */
    case 0x3001:
    case 0x3002: /* ideographic comma, full stop */
    case 0x301C:
    case 0x3030: /* wave dash, wavy dash */
    case 0x30FB: /* katakana middle dot */
    case 0xFF61:
    case 0xFF64:
    case 0xFF65: /* half-width full stop, comma, dot */
        return true;
    default:
        return false;
    }
}

char *norm_text(const char *s)
{
    struct buf out;
    size_t n, i = 0, adv;
    size_t keep = 0; /* length up to the last char that is neither space nor punctuation */
    bool pending_space = false;

    buf_init(&out, 0);
    if (s == NULL)
        return buf_take(&out); /* treated as empty text */
    n = strlen(s);
    while (i < n) {
        uint32_t cp = utf8_decode(s + i, n - i, &adv);
        bool invalid = cp == 0xFFFD && !(adv == 3 && (unsigned char)s[i] == 0xEF);
        char enc[4];
        i += adv;
        if (invalid)
            continue;
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0; /* full-width ASCII variants */
        if (is_space(cp)) {
            pending_space = out.len > 0; /* leading spaces vanish */
            continue;
        }
        if (is_dropped(cp))
            continue;
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        /* buf without a cap never fails (xrealloc aborts on OOM) */
        if (pending_space)
            (void)buf_append(&out, " ", 1);
        pending_space = false;
        (void)buf_append(&out, enc, utf8_encode(cp, enc));
        if (!is_trailing_punct(cp))
            keep = out.len;
    }
    /*
     * keep == 0 with text left means the text is only punctuation (a lone
     * "?" asks for help): it stays as it is, trimmed and collapsed.
     */
    if (keep > 0) {
        out.len = keep;
        out.data[keep] = '\0';
    }
    return buf_take(&out);
}
