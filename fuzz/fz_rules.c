/*
 * fz_rules.c - intent_load on a dir holding one .rules file with any bytes;
 * a set that loads is matched against its own text.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "intent.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = xasprintf("%s/f.rules", fuzz_setup());
    struct buf errs;
    fuzz_write(path, data, size);
    buf_init(&errs, 0);
    struct intents *in = intent_load(fuzz_setup(), &errs);
    if (in != NULL) {
        char *s = fuzz_str(data, size > 200 ? 200 : size);
        struct intent_match m;
        memset(&m, 0, sizeof m);
        (void)intent_match(in, s, &m); /* any outcome; it must not crash */
        intent_match_release(&m);
        free(s);
        intent_free(in);
    }
    buf_release(&errs);
    free(path);
    return 0;
}
