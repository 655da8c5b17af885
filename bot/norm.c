/*
 * norm.c - the normaliser: full-width to half-width, Unicode spaces to one
 * ASCII space, ASCII lower case, trim and collapse, trailing punctuation off.
 * Hand-written on purpose: this is a small fixed mapping over a few code point
 * ranges, no library in our stack (PCRE2, Jansson, SQLite, ...) does it, and
 * ICU would be a heavy dependency for forty lines of table lookups.
 */
#include "norm.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <opencc/opencc.h>
#include <openssl/evp.h>
#include <pcre2.h>
#include <pthread.h>

#include "buf.h"
#include "overlay.h"
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

/* The value of a circled or parenthesised number (①..⑳ ❶..❿ ➀..➉ ➊..➓
 * ⑴..⒇ ⒈..⒛: list numbers that phones and menus print), 0 otherwise.
 * Written out: no library in Debian maps just these (NFKC would also fold
 * what norm_text keeps). */
static int circled(uint32_t cp)
{
    static const uint32_t ranges[][2] = {{0x2460, 20}, {0x2474, 20}, {0x2488, 20},
                                         {0x2776, 10}, {0x2780, 10}, {0x278A, 10}};
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        if (cp >= ranges[r][0] && cp < ranges[r][0] + ranges[r][1])
            return (int)(cp - ranges[r][0]) + 1;
    return 0;
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
        int num = circled(cp);
        if (num > 0) { /* 兑换③ -> 兑换3 */
            char digits[4];
            (void)buf_append(&out, digits, (size_t)snprintf(digits, sizeof digits, "%d", num));
            keep = out.len;
            continue;
        }
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

/* ---- the matched copy (norm_canon) ---- */

enum anchor { ANY, AT_START, AT_END };

struct rewrite {
    char *from, *to; /* owned; to is "" for a filler that is dropped */
    size_t len;
    enum anchor anchor;
    bool word; /* Latin: only as a whole word (jf, jifen, bangzhu) */
};

/* The rewrites that start with one character: rw[start..end). */
struct first {
    uint32_t cp;
    size_t start, end;
};

struct lexicon {
    struct rewrite *rw; /* by first character, then longest first */
    size_t nrw;
    struct first *firsts; /* by cp, for bsearch */
    size_t nfirsts;
    char **after, **before; /* numeral context words, owned, NULL-terminated */
    size_t nafter, nbefore;
    opencc_t cc; /* (opencc_t)-1 when OpenCC could not open t2s.json */
    uint64_t uid; /* unique in the process (norm_canon's memo) */
    unsigned char digest[LEXICON_DIGEST_LEN]; /* SHA-256 of the bytes read */
};

static _Atomic uint64_t next_lexicon_uid = 1;

static bool is_alnum_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static uint32_t first_cp(const char *s)
{
    size_t adv;
    return utf8_decode(s, strlen(s), &adv);
}

static int by_first_then_len(const void *a, const void *b)
{
    const struct rewrite *x = a, *y = b;
    uint32_t cx = first_cp(x->from), cy = first_cp(y->from);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return x->len < y->len ? 1 : x->len > y->len ? -1 : strcmp(x->from, y->from);
}

static int cmp_first(const void *key, const void *elem)
{
    uint32_t cp = *(const uint32_t *)key, e = ((const struct first *)elem)->cp;
    return cp < e ? -1 : cp > e ? 1 : 0;
}

/* Index the sorted rewrites by their first character. */
static void index_firsts(struct lexicon *lx)
{
    for (size_t k = 0; k < lx->nrw; k++) {
        uint32_t cp = first_cp(lx->rw[k].from);
        if (lx->nfirsts > 0 && lx->firsts[lx->nfirsts - 1].cp == cp) {
            lx->firsts[lx->nfirsts - 1].end = k + 1;
            continue;
        }
        lx->firsts = xrealloc(lx->firsts, (lx->nfirsts + 1) * sizeof *lx->firsts);
        lx->firsts[lx->nfirsts++] = (struct first){cp, k, k + 1};
    }
}

static void push_words(char ***list, size_t *n, char *words)
{
    char *save = NULL;
    for (char *w = strtok_r(words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        *list = xrealloc(*list, (*n + 2) * sizeof **list);
        (*list)[(*n)++] = xstrdup(w);
        (*list)[*n] = NULL;
    }
}

/* One line of the lexicon: `from<TAB>to`, `from` alone (dropped), `^from`
 * (only at the start), `from$` (only at the end), `@after words`, `@before
 * words`. The from side is normalised like any text (norm_text) so it is
 * written as a worker would type it. 0 or -1 with an error added. */
static int lexicon_line(struct lexicon *lx, char *line, const char *path, int no,
                        struct buf *errors)
{
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '\0' || line[0] == '#')
        return 0;
    if (str_has_prefix(line, "@after ") || str_has_prefix(line, "@before ")) {
        bool after = line[1] == 'a';
        push_words(after ? &lx->after : &lx->before, after ? &lx->nafter : &lx->nbefore,
                   line + (after ? 7 : 8));
        return 0;
    }
    char *tab = strchr(line, '\t');
    if (tab != NULL)
        *tab++ = '\0';
    struct rewrite r = {0};
    char *from = line;
    if (from[0] == '^') {
        r.anchor = AT_START;
        from++;
    }
    size_t fl = strlen(from);
    if (r.anchor == ANY && fl > 1 && from[fl - 1] == '$') {
        r.anchor = AT_END;
        from[--fl] = '\0';
    }
    r.from = norm_text(from);
    r.to = norm_text(tab ? tab : "");
    r.len = strlen(r.from);
    if (r.len == 0 || !utf8_valid(line, strlen(line)) || (tab && !utf8_valid(tab, strlen(tab)))) {
        buf_printf(errors, "%s:%d: want `from<TAB>to`, `from` (dropped), ^from or from$\n", path,
                   no);
        free(r.from);
        free(r.to);
        return -1;
    }
    r.word = true;
    for (size_t i = 0; i < r.len; i++)
        r.word = r.word && is_alnum_byte((unsigned char)r.from[i]);
    lx->rw = xrealloc(lx->rw, (lx->nrw + 1) * sizeof *lx->rw);
    lx->rw[lx->nrw++] = r;
    return 0;
}

void lexicon_free(struct lexicon *lx)
{
    if (lx == NULL)
        return;
    for (size_t i = 0; i < lx->nrw; i++) {
        free(lx->rw[i].from);
        free(lx->rw[i].to);
    }
    for (size_t i = 0; i < lx->nafter; i++)
        free(lx->after[i]);
    for (size_t i = 0; i < lx->nbefore; i++)
        free(lx->before[i]);
    free(lx->after);
    free(lx->before);
    free(lx->rw);
    free(lx->firsts);
    if (lx->cc != (opencc_t)-1)
        (void)opencc_close(lx->cc);
    free(lx);
}

struct lexicon *lexicon_load(const char *path, struct buf *errors)
{
    struct lexicon *lx = xcalloc(1, sizeof *lx);
    lx->uid = next_lexicon_uid++;
    char *line = NULL;
    size_t cap = 0;
    int no = 0, bad = 0;

    lx->cc = opencc_open("t2s.json");
    if (lx->cc == (opencc_t)-1) {
        buf_printf(errors, "%s: OpenCC cannot open t2s.json: %s\n", path, opencc_error());
        bad++;
    }
    FILE *f = overlay_fopen(path, "r");
    if (f == NULL && errno != ENOENT) {
        buf_printf(errors, "%s: cannot open: %s\n", path, strerror(errno));
        bad++;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        buf_printf(errors, "%s: cannot start a SHA-256 digest\n", path);
        bad++;
    }
    ssize_t got;
    while (f != NULL && (got = getline(&line, &cap, f)) != -1) {
        if (md != NULL)
            (void)EVP_DigestUpdate(md, line, (size_t)got);
        if (lexicon_line(lx, line, path, ++no, errors) == -1)
            bad++;
    }
    unsigned int dlen = 0;
    if (md != NULL && !bad && (EVP_DigestFinal_ex(md, lx->digest, &dlen) != 1 ||
                               dlen != LEXICON_DIGEST_LEN)) {
        buf_printf(errors, "%s: cannot finish the SHA-256 digest\n", path);
        bad++;
    }
    EVP_MD_CTX_free(md);
    if (f != NULL)
        (void)fclose(f); /* read-only */
    free(line);
    if (bad) {
        lexicon_free(lx);
        return NULL;
    }
    if (lx->nrw > 0) /* qsort with a null base is undefined even for 0 items */
        qsort(lx->rw, lx->nrw, sizeof *lx->rw, by_first_then_len);
    index_firsts(lx);
    return lx;
}

static bool is_cjk(uint32_t cp)
{
    return cp >= 0x2E80 && cp != 0x3000;
}

/* Chinese punctuation inside a text: a pause, like a space. */
static bool is_inner_punct(uint32_t cp)
{
    return cp == 0xFF0C || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0x3001 ||
           cp == 0xFF1B || cp == ',' || cp == '!' || cp == '?' || cp == ';' || cp == 0x2026 ||
           cp == '~' || cp == 0x301C || cp == '.';
}

/* Pictographs and emoji (U+2600-27BF, U+2B00-2BFF, U+1F000-1FAFF, the
 * emoji variation selector): a feeling, not a word. The keycap's enclosing
 * mark (U+20E3) goes too: 2️⃣ is 2, U+FE0F, U+20E3, and its digit stays. */
static bool is_pictograph(uint32_t cp)
{
    return (cp >= 0x2600 && cp <= 0x27BF) || (cp >= 0x2B00 && cp <= 0x2BFF) ||
           (cp >= 0x1F000 && cp <= 0x1FAFF) || cp == 0xFE0F || cp == 0x20E3;
}

/* The length of a WeChat emoticon code at s ([微笑], [捂脸]: one to four
 * Chinese characters in square brackets), or 0. */
static size_t emoticon_len(const char *s, size_t n)
{
    size_t i = 1, adv;
    if (n == 0 || s[0] != '[')
        return 0;
    for (int k = 0; i < n && k <= 4; k++) {
        uint32_t cp = utf8_decode(s + i, n - i, &adv);
        if (cp == ']')
            return k >= 1 ? i + 1 : 0;
        if (cp < 0x4E00 || cp > 0x9FFF)
            return 0;
        i += adv;
    }
    return 0;
}

/* A pinyin vowel with its tone mark (gèng duō, jīfēn, as pinyin input and
 * voice input print them) as the plain letter, so the lexicon's pinyin words
 * match; ü and its tones are v, as pinyin keyboards type it. Any other
 * character is returned as it is. */
static uint32_t toneless(uint32_t cp)
{
    static const struct {
        uint32_t cp;
        char plain;
    } marked[] = {
        {0x0101, 'a'}, {0x00E1, 'a'}, {0x01CE, 'a'}, {0x00E0, 'a'}, {0x0113, 'e'},
        {0x00E9, 'e'}, {0x011B, 'e'}, {0x00E8, 'e'}, {0x012B, 'i'}, {0x00ED, 'i'},
        {0x01D0, 'i'}, {0x00EC, 'i'}, {0x014D, 'o'}, {0x00F3, 'o'}, {0x01D2, 'o'},
        {0x00F2, 'o'}, {0x016B, 'u'}, {0x00FA, 'u'}, {0x01D4, 'u'}, {0x00F9, 'u'},
        {0x01D6, 'v'}, {0x01D8, 'v'}, {0x01DA, 'v'}, {0x01DC, 'v'}, {0x00FC, 'v'},
    };
    for (size_t k = 0; k < sizeof marked / sizeof marked[0]; k++)
        if (cp == marked[k].cp)
            return (uint32_t)marked[k].plain;
    return cp;
}

/* Punctuation, emoji and emoticon codes to spaces, tone marks off pinyin
 * vowels, then a space goes unless both sides are Latin or digits. */
static char *squeeze(const char *s)
{
    struct buf out;
    size_t n = strlen(s), i = 0, adv, tok = 0; /* length of the Latin word just copied */
    uint32_t prev = 0;
    bool space = false;
    buf_init(&out, 0);
    while (i < n) {
        size_t emo = emoticon_len(s + i, n - i);
        if (emo > 0) {
            i += emo;
            space = out.len > 0;
            continue;
        }
        uint32_t cp = toneless(utf8_decode(s + i, n - i, &adv));
        char enc[4];
        i += adv;
        /* a colon after Chinese is a pause (答案：c); between digits a time */
        if (cp == ' ' || is_inner_punct(cp) || (cp == ':' && is_cjk(prev)) || is_pictograph(cp)) {
            space = out.len > 0;
            continue;
        }
        /* a number sign before a number is not part of it (报名 #4) */
        if (cp == '#' && i < n && s[i] >= '0' && s[i] <= '9')
            continue;
        bool alnum = cp < 0x80 && is_alnum_byte((unsigned char)cp);
        /* a code typed apart (k 7 q 2) is one word again; words stay apart */
        bool lone = alnum && tok == 1 && (i >= n || !is_alnum_byte((unsigned char)s[i]));
        if (space && !is_cjk(prev) && !is_cjk(cp) && !lone)
            (void)buf_append(&out, " ", 1);
        tok = alnum ? (space ? 1 : tok + 1) : 0;
        space = false;
        (void)buf_append(&out, enc, utf8_encode(cp, enc));
        prev = cp;
    }
    return buf_take(&out);
}

static const struct rewrite *rewrite_at(const struct lexicon *lx, const char *s, size_t i,
                                        size_t n)
{
    size_t adv;
    uint32_t cp = utf8_decode(s + i, n - i, &adv);
    const struct first *f =
        lx->nfirsts > 0 ? bsearch(&cp, lx->firsts, lx->nfirsts, sizeof *f, cmp_first) : NULL;
    for (size_t k = f ? f->start : 0; f != NULL && k < f->end; k++) {
        const struct rewrite *r = &lx->rw[k];
        if (r->len > n - i || memcmp(s + i, r->from, r->len) != 0)
            continue;
        if ((r->anchor == AT_START && i != 0) || (r->anchor == AT_END && i + r->len != n))
            continue;
        /* a number may follow at once (bm2, dh 3 squeezed to dh3) */
        if (r->word && ((i > 0 && is_alnum_byte((unsigned char)s[i - 1])) ||
                        (i + r->len < n && s[i + r->len] >= 'a' && s[i + r->len] <= 'z')))
            continue;
        return r;
    }
    return NULL;
}

/* One pass of the lexicon's rewrites, longest match first at each position. */
static char *rewrite_pass(const struct lexicon *lx, const char *s)
{
    struct buf out;
    size_t n = strlen(s), i = 0;
    buf_init(&out, 0);
    while (i < n) {
        const struct rewrite *r = rewrite_at(lx, s, i, n);
        if (r != NULL) {
            (void)buf_puts(&out, r->to);
            i += r->len;
            continue;
        }
        size_t adv;
        (void)utf8_decode(s + i, n - i, &adv);
        (void)buf_append(&out, s + i, adv);
        i += adv;
    }
    return buf_take(&out);
}

/* The value of a Chinese numeral digit, 10 for 十, 100 for 百, -1 otherwise.
 * The capital digits of cheques and receipts (第叁课, 报名贰) count too; not
 * 拾 (收拾个屋子) nor 佰, and not 伍 and 陆, everyday words and surnames first
 * (队伍, 陆续: 报名陆续开始了 is no seat 6); UINT32_MAX never matches. */
static int numeral(uint32_t cp)
{
    static const uint32_t digits[] = {0x96F6, 0x4E00, 0x4E8C, 0x4E09, 0x56DB,
                                      0x4E94, 0x516D, 0x4E03, 0x516B, 0x4E5D}; /* 零一二...九 */
    static const uint32_t capitals[] = {0x96F6,     0x58F9,     0x8D30, 0x53C1, 0x8086,
                                        UINT32_MAX, UINT32_MAX, 0x67D2, 0x634C, 0x7396};
    /* 零壹贰叁肆 (伍陆) 柒捌玖 */
    for (int d = 0; d < 10; d++)
        if (cp == digits[d] || cp == capitals[d])
            return d;
    if (cp == 0x3007) /* 〇 */
        return 0;
    if (cp == 0x4E24) /* 两 */
        return 2;
    return cp == 0x5341 ? 10 : cp == 0x767E ? 100 : -1;
}

/* The value of the numeral run s[0..n), or -1 (too big, or not a number).
 * A digit right after 百 is its tens, as said aloud: 三百五 is 350, 三百零五
 * 305. */
static long numeral_value(const char *s, size_t n)
{
    long total = 0, cur = -1;
    bool units = false, zero = false;
    int last_unit = 0;
    for (size_t i = 0, adv; i < n; i += adv) {
        int v = numeral(utf8_decode(s + i, n - i, &adv));
        if (v >= 10) {
            total += (cur > 0 ? cur : 1) * v;
            cur = -1;
            units = true;
            last_unit = v;
        } else if (cur >= 0 && !units)
            cur = cur * 10 + v; /* 一二 read digit by digit */
        else {
            zero = zero || (units && v == 0);
            cur = v;
        }
    }
    if (last_unit == 100 && !zero && cur > 0 && cur < 10)
        cur *= 10;
    total += cur > 0 ? cur : 0;
    return total > 999 ? -1 : total;
}

static bool ends_with_word(const struct buf *b, char *const *words)
{
    for (size_t k = 0; words != NULL && words[k]; k++) {
        size_t l = strlen(words[k]);
        if (b->len >= l && memcmp(b->data + b->len - l, words[k], l) == 0)
            return true;
    }
    return false;
}

static bool starts_with_word(const char *s, char *const *words)
{
    for (size_t k = 0; words != NULL && words[k]; k++)
        if (str_has_prefix(s, words[k]))
            return true;
    return false;
}

/* The digit a Chinese digit character stands for when a code is spoken
 * character by character (零一二 ... 九, 〇, and 幺 for 1 as numbers are read
 * aloud), -1 otherwise. No 十 or 百: a code is read digit by digit. */
static int spoken_digit(uint32_t cp)
{
    if (cp == 0x5E7A) /* 幺 */
        return 1;
    int d = numeral(cp);
    return d >= 0 && d < 10 && cp != 0x4E24 /* 两 */ ? d : -1;
}

/* A code spoken aloud, its letters and digits mixed (K七Q二, SP零一二三 as
 * speech recognition writes them), becomes the code (k7q2, sp0123): a run
 * of 4 to 8 ASCII letters, ASCII digits and Chinese digits with at least
 * one letter, one Chinese digit and two digits in all. Everyday runs stay:
 * wifi一直 (one digit), ok一下 and mp三 (too short), 二十 (no letter). */
static char *spoken_codes(const char *s)
{
    struct buf out;
    size_t n = strlen(s), i = 0, adv;
    buf_init(&out, 0);
    while (i < n) {
        size_t j = i, chars = 0, letters = 0, cjk = 0, ascii = 0;
        for (;;) {
            if (j >= n)
                break;
            unsigned char c = (unsigned char)s[j];
            if (c >= 'a' && c <= 'z')
                letters++, j++;
            else if (c >= '0' && c <= '9')
                ascii++, j++;
            else if (c >= 0x80 && spoken_digit(utf8_decode(s + j, n - j, &adv)) >= 0)
                cjk++, j += adv;
            else
                break;
            chars++;
        }
        if (j == i) {
            (void)utf8_decode(s + i, n - i, &adv);
            (void)buf_append(&out, s + i, adv);
            i += adv;
            continue;
        }
        if (chars >= 4 && chars <= 8 && letters >= 1 && cjk >= 1 && cjk + ascii >= 2) {
            for (size_t k = i; k < j; k += adv) {
                unsigned char c = (unsigned char)s[k];
                if (c < 0x80) {
                    adv = 1;
                    (void)buf_append(&out, s + k, 1);
                } else
                    buf_printf(&out, "%d", spoken_digit(utf8_decode(s + k, j - k, &adv)));
            }
        } else
            (void)buf_append(&out, s + i, j - i);
        i = j;
    }
    return buf_take(&out);
}

/* Chinese numerals in a command position become digits (see norm.h). */
static char *numerals(const struct lexicon *lx, const char *s)
{
    struct buf out;
    size_t n = strlen(s), i = 0, adv;
    buf_init(&out, 0);
    while (i < n) {
        size_t j = i;
        while (j < n && numeral(utf8_decode(s + j, n - j, &adv)) >= 0)
            j += adv;
        if (j == i) {
            (void)utf8_decode(s + i, n - i, &adv);
            (void)buf_append(&out, s + i, adv);
            i += adv;
            continue;
        }
        long v = numeral_value(s + i, j - i);
        /* a lone 一 is mostly "a" (一个, 一点, 报名一起): a number only after
         * 第, or after a command word at the end of the text or before a
         * counter that is not 个 */
        bool lone_one = j - i == 3 && memcmp(s + i, "\xe4\xb8\x80", 3) == 0;
        bool after = ends_with_word(&out, lx ? lx->after : NULL);
        bool before = starts_with_word(s + j, lx ? lx->before : NULL);
        bool ctx = after || before || (i == 0 && j == n);
        if (lone_one)
            ctx = (out.len >= 3 && memcmp(out.data + out.len - 3, "\xe7\xac\xac", 3) == 0) ||
                  (after && (j == n || (before && !str_has_prefix(s + j, "\xe4\xb8\xaa")))) ||
                  (i == 0 && j == n);
        if (v > 0 && ctx)
            buf_printf(&out, "%ld", v);
        else
            (void)buf_append(&out, s + i, j - i);
        i = j;
    }
    return buf_take(&out);
}

/* A part of the day before a clock time, and how it moves the hour. */
static const struct {
    const char *word;
    int pm; /* 1: add 12 below 12; 2: add 12 below 6 (中午一点); 0: as said */
} day_parts[] = {
    {"凌晨", 0}, {"早上", 0}, {"早晨", 0}, {"上午", 0}, {"早", 0},    {"中午", 2},
    {"下午", 1}, {"傍晚", 1}, {"晚上", 1}, {"夜里", 1}, {"晚", 1},
};

/* "H点", "H点半", "H点M分" with an optional part of the day before it at
 * s: its length, with the time as 24-hour H:MM in out; 0 when none. */
static size_t clock_time(const char *s, char *out, size_t size)
{
    size_t i = 0;
    int pm = 0, h = 0, m = 0, digits = 0;
    for (size_t k = 0; k < sizeof day_parts / sizeof day_parts[0]; k++)
        if (str_has_prefix(s, day_parts[k].word)) {
            i = strlen(day_parts[k].word);
            pm = day_parts[k].pm;
            break;
        }
    for (; s[i] >= '0' && s[i] <= '9' && digits < 3; i++, digits++)
        h = h * 10 + (s[i] - '0');
    if (digits == 0 || digits > 2 || h > 24 || !str_has_prefix(s + i, "点"))
        return 0;
    i += strlen("点");
    if (str_has_prefix(s + i, "半")) {
        m = 30;
        i += strlen("半");
    } else if (s[i] >= '0' && s[i] <= '9') {
        for (digits = 0; s[i] >= '0' && s[i] <= '9' && digits < 2; i++, digits++)
            m = m * 10 + (s[i] - '0');
        if (m > 59 || (s[i] >= '0' && s[i] <= '9'))
            return 0;
        if (str_has_prefix(s + i, "分"))
            i += strlen("分");
    } else if (str_has_prefix(s + i, "整") || str_has_prefix(s + i, "钟"))
        i += 3;
    if ((pm == 1 && h < 12) || (pm == 2 && h < 6))
        h += 12;
    if (h == 24)
        h = 0;
    snprintf(out, size, "%d:%02d", h, m);
    return i;
}

/* Clock times said in words become H:MM (晚上八点半 -> 20:30). */
static char *clock_times(const char *s)
{
    struct buf out;
    size_t n = strlen(s), i = 0, adv;
    char t[16];
    buf_init(&out, 0);
    while (i < n) {
        size_t len = clock_time(s + i, t, sizeof t);
        if (len > 0) {
            (void)buf_puts(&out, t);
            i += len;
            continue;
        }
        (void)utf8_decode(s + i, n - i, &adv);
        (void)buf_append(&out, s + i, adv);
        i += adv;
    }
    return buf_take(&out);
}

const unsigned char *lexicon_digest(const struct lexicon *lx)
{
    return lx->digest;
}

static char *canon_of(const struct lexicon *lx, const char *normed)
{
    char *s = NULL;
    bool ascii = true;
    for (const char *p = normed; *p && ascii; p++)
        ascii = (unsigned char)*p < 0x80;
    if (lx != NULL && lx->cc != (opencc_t)-1 && !ascii) /* OpenCC costs ~15 us */
        s = opencc_convert_utf8(lx->cc, normed, (size_t)-1);
    char *cur = squeeze(s != NULL ? s : normed);
    if (s != NULL)
        opencc_convert_utf8_free(s);
    for (int pass = 0; lx != NULL && pass < 4; pass++) {
        char *next = rewrite_pass(lx, cur);
        char *sq = squeeze(next); /* a dropped word may leave spaces to join */
        free(next);
        bool same = strcmp(sq, cur) == 0;
        free(cur);
        cur = sq;
        if (same)
            break;
    }
    char *codes = spoken_codes(cur);
    free(cur);
    char *num = numerals(lx, codes);
    free(codes);
    char *out = clock_times(num);
    free(num);
    return out;
}

/* The last two matched copies made on this thread, of a whole text and of
 * a part of it (a text inside the whole one: the crisis net's parts), for
 * the same lexicon: a turn asks for the copy of its text three times (the
 * rules on the matched copy, the crisis check, the scorer), and OpenCC is
 * most of the cost. Short texts only, so the memo needs no heap. */
#define CANON_MEMO_LEN 512
struct canon_memo {
    uint64_t uid; /* the lexicon's; 0 empty */
    char normed[CANON_MEMO_LEN], canon[2 * CANON_MEMO_LEN];
};
static _Thread_local struct canon_memo canon_whole, canon_part;

char *norm_canon(const struct lexicon *lx, const char *normed)
{
    if (lx == NULL || strlen(normed) >= CANON_MEMO_LEN)
        return canon_of(lx, normed);
    if (canon_whole.uid == lx->uid && strcmp(canon_whole.normed, normed) == 0)
        return xstrdup(canon_whole.canon);
    if (canon_part.uid == lx->uid && strcmp(canon_part.normed, normed) == 0)
        return xstrdup(canon_part.canon);
    char *c = canon_of(lx, normed);
    bool part = canon_whole.uid == lx->uid && strstr(canon_whole.normed, normed) != NULL;
    struct canon_memo *m = part ? &canon_part : &canon_whole;
    m->uid = 0;
    if (strlen(c) < sizeof m->canon) {
        memcpy(m->normed, normed, strlen(normed) + 1);
        memcpy(m->canon, c, strlen(c) + 1);
        m->uid = lx->uid;
    }
    return c;
}

/* --- a choice from a numbered list (norm_choice) --- */

#define CHOICE_NUM "(?:[0-9]{1,2}|[一二两三四五六七八九十])"
/* one number: a wish word, 第, the number, a counter, a particle, then
 * nothing or a pause and a short remark */
static const char choice_one[] =
    "^(?:我要|我选|我就要|就要|那就|要|选|就|那|我要选)?(?<di>第)? ?(?<n>" CHOICE_NUM ") ?"
    "(?<ct>个|号|项|条|件|种|位)?(?:吧|呢|啦|了|呀|啊)?(?:[,.;:!、 ](?!.*(?:不|别|没|考虑|想想|再说|吗|\\?)).{0,20})?$";
/* two numbers or more */
static const char choice_more[] = "^(?:我要|我选|要|选|就)?(?:第)?" CHOICE_NUM
                                  "(?:个|号)?(?:和|跟|还有|加|与|,|、| )(?:第)?" CHOICE_NUM;
static pcre2_code *choice_re[2];
static pthread_once_t choice_once = PTHREAD_ONCE_INIT;

static void choice_compile(void)
{
    const char *pats[2] = {choice_one, choice_more};
    for (int i = 0; i < 2; i++) {
        int err;
        PCRE2_SIZE off;
        choice_re[i] = pcre2_compile((PCRE2_SPTR)pats[i], PCRE2_ZERO_TERMINATED,
                                     PCRE2_UTF | PCRE2_UCP, &err, &off, NULL);
    }
}

/* The value of a digit string or one Chinese numeral (1..99), or 0. */
static int choice_value(const char *s, size_t len)
{
    static const char *const han[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
    if (len > 0 && s[0] >= '0' && s[0] <= '9')
        return (int)strtol(s, NULL, 10);
    if (len == strlen("两") && memcmp(s, "两", len) == 0)
        return 2;
    for (int i = 0; i < 10; i++)
        if (len == strlen(han[i]) && memcmp(s, han[i], len) == 0)
            return i + 1;
    return 0;
}

/* Length of named group name in md (0 when unset); *at its start. */
static size_t choice_group(pcre2_code *re, pcre2_match_data *md, const char *name, size_t *at)
{
    int g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    if (g < 0 || ov[2 * g] == PCRE2_UNSET)
        return 0;
    *at = ov[2 * g];
    return ov[2 * g + 1] - ov[2 * g];
}

static bool choice_match(pcre2_code *re, const char *s, pcre2_match_data *md)
{
    return re != NULL && pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0;
}

int norm_choice(const char *normed)
{
    int n = 0;
    (void)pthread_once(&choice_once, choice_compile);
    if (normed == NULL || choice_re[0] == NULL || strlen(normed) > 64)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(choice_re[0], NULL);
    if (md == NULL)
        return 0;
    if (choice_match(choice_re[1], normed, md)) {
        n = NORM_CHOICE_SEVERAL;
    } else if (choice_match(choice_re[0], normed, md)) {
        size_t at = 0, di_at = 0, ct_at = 0;
        size_t len = choice_group(choice_re[0], md, "n", &at);
        bool di = choice_group(choice_re[0], md, "di", &di_at) > 0;
        size_t ct = choice_group(choice_re[0], md, "ct", &ct_at);
        bool count = !di && ct == strlen("个") && memcmp(normed + ct_at, "个", ct) == 0;
        n = count ? NORM_CHOICE_SEVERAL : choice_value(normed + at, len); /* 3个: how many? */
    }
    pcre2_match_data_free(md);
    return n;
}
