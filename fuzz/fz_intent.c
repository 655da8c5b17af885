/*
 * fz_intent.c - the normaliser and the intent matcher with the real intents/:
 * what every message's text goes through, then the matched copy and the
 * example scorer (understand.h). Also checks that normalising is
 * idempotent, since menus and replays normalise text again.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "intent.h"
#include "norm.h"
#include "understand.h"

static struct intents *in;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct buf errs;
    (void)argc;
    (void)argv;
    fuzz_setup();
    buf_init(&errs, 0);
    in = intent_load("intents", &errs);
    if (in == NULL)
        abort(); /* run from the repository root */
    buf_release(&errs);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_str(data, size);
    char *n = norm_text(s);
    char *again = norm_text(n);
    struct intent_match m;
    if (strcmp(n, again) != 0)
        abort(); /* norm_text(norm_text(x)) must equal norm_text(x) */
    memset(&m, 0, sizeof m);
    if (intent_match(in, n, &m) == 1) {
        for (int i = 0; i < m.ncaps; i++)
            if (m.caps[i].value == NULL || strlen(m.caps[i].value) > strlen(n))
                abort();
    }
    intent_match_release(&m);
    /* the whole of understanding: matched copy, rules again, scorer */
    char *canon = norm_canon(intent_lexicon(in), n);
    if (understand(in, n, &m, NULL) == 1)
        for (int i = 0; i < m.ncaps; i++)
            if (m.caps[i].value == NULL)
                abort();
    intent_match_release(&m);
    free(canon);
    free(again);
    free(n);
    free(s);
    return 0;
}
