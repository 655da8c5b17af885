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

size_t text_cut(const char *s, size_t max)
{
    size_t n = strlen(s), i = 0, chars = 0, adv, last_end = 0, limit_at = 0;
    while (i < n) {
        if (chars == max) {
            limit_at = i;
            break;
        }
        uint32_t cp = utf8_decode(s + i, n - i, &adv);
        i += adv;
        chars++;
        if (sentence_end(cp) && chars >= max / 2)
            last_end = i;
    }
    if (i >= n && limit_at == 0)
        return n; /* fits */
    return last_end ? last_end : limit_at;
}
