/*
 * text.c - sentence-aware cutting for replies longer than a channel allows.
 */
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

static bool sentence_end(uint32_t cp)
{
    return cp == 0x3002 /* 。 */ || cp == 0xFF01 /* ！ */ || cp == 0xFF1F /* ？ */ ||
           cp == 0xFF1B /* ； */ || cp == '!' || cp == '?' || cp == ';' || cp == '\n';
}

/* How much of a limit cp takes, adv bytes long, counted in u. */
static size_t unit_width(uint32_t cp, size_t adv, enum text_unit u)
{
    if (u == TEXT_BYTES)
        return adv;
    if (u == TEXT_UTF16)
        return cp > 0xFFFF ? 2 : 1;
    return 1;
}

size_t text_cut_units(const char *s, size_t max, enum text_unit u)
{
    size_t n = strlen(s), i = 0, used = 0, adv, last_end = 0;
    while (i < n) {
        uint32_t cp = utf8_decode(s + i, n - i, &adv);
        size_t w = unit_width(cp, adv, u);
        if (used + w > max)
            return last_end ? last_end : i; /* i: the limit, between code points */
        i += adv;
        used += w;
        if (sentence_end(cp) && used >= max / 2)
            last_end = i;
    }
    return n; /* fits */
}

size_t text_cut(const char *s, size_t max)
{
    return text_cut_units(s, max, TEXT_CHARS);
}
