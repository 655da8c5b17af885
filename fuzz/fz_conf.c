/*
 * fz_conf.c - conf_load on any bot.conf (written to a temp file), and the
 * quiet/rush window parser on the same bytes.
 */
#include <stdlib.h>

#include "buf.h"
#include "conf.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = xasprintf("%s/bot.conf", fuzz_setup());
    char *s = fuzz_str(data, size);
    int win[8][2];
    struct conf c;
    struct buf errs;
    fuzz_write(path, data, size);
    buf_init(&errs, 0);
    if (conf_load(&c, path, NULL, 0, &errs) == 0 && errs.len != 0)
        abort(); /* success must report no problem */
    conf_release(&c);
    (void)conf_windows_parse(s, win, 8); /* any result is fine; it must not crash */
    buf_release(&errs);
    free(s);
    free(path);
    return 0;
}
