/*
 * fz_lesson.c - lesson_load on a dir holding one lesson file with any bytes;
 * a lesson that loads is rendered.
 */
#include <stdlib.h>

#include "buf.h"
#include "fuzz.h"
#include "lesson.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *path = xasprintf("%s/01-fuzz.txt", fuzz_setup());
    struct buf errs;
    fuzz_write(path, data, size);
    buf_init(&errs, 0);
    struct lesson_set *set = lesson_load(fuzz_setup(), &errs);
    if (set == NULL && errs.len == 0)
        abort(); /* a rejected set must say why */
    for (size_t i = 0; set != NULL && i < lesson_count(set); i++)
        free(lesson_render(lesson_at(set, i)));
    lesson_set_free(set);
    buf_release(&errs);
    free(path);
    return 0;
}
