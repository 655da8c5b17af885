/*
 * fz_content.c - content_load on a dir holding one content file with any
 * bytes, then content_check and content_render of key "a" with placeholder x.
 */
#include <stdlib.h>

#include "buf.h"
#include "content.h"
#include "fuzz.h"
#include "util.h"

static const struct content_need needs[] = {CONTENT_NEED("a", "x"), CONTENT_NEED_END};
static const struct content_need *const all_needs[] = {needs, NULL};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = xasprintf("%s/f.txt", fuzz_setup());
    struct buf errs;
    fuzz_write(path, data, size);
    buf_init(&errs, 0);
    struct content *ct = content_load(fuzz_setup(), &errs);
    if (ct != NULL) {
        static const char *const kv[] = {"x", "{x}{{", NULL};
        (void)content_check(ct, all_needs, &errs); /* problems are expected */
        free(content_render(ct, "a", kv));
        content_free(ct);
    }
    buf_release(&errs);
    free(path);
    return 0;
}
