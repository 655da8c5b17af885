/*
 * fz_text.c - sms_parts and text_cut (the reply cutter): the first byte is
 * the cut length, the rest the text. The cut must land inside the text and on
 * a UTF-8 boundary.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "outbox.h"
#include "text.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max = data[0];
    char *s = fuzz_str(data + 1, size - 1);
    int units = 0;
    bool ucs2 = false;
    if (sms_parts(s, &units, &ucs2) < 0 || units < 0)
        abort();
    size_t cut = text_cut(s, max);
    if (cut > strlen(s) || (utf8_valid(s, strlen(s)) && ((unsigned char)s[cut] & 0xC0) == 0x80))
        abort();
    free(s);
    return 0;
}
