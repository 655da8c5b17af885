/*
 * load.c - loads the rules and examples of argv[1] once, with the matched
 * copies kept in argv[2] (intent_load_cached), for bench/load to count or
 * time under valgrind. Not a test.
 */
#include <stdio.h>

#include "buf.h"
#include "intent.h"

int main(int argc, char **argv)
{
    struct buf errors;
    if (argc != 3) {
        fprintf(stderr, "usage: load INTENTS-DIR CACHE-DIR\n");
        return 2;
    }
    buf_init(&errors, 0);
    struct intents *in = intent_load_cached(argv[1], argv[2], &errors);
    if (in == NULL) {
        fprintf(stderr, "%s", errors.data ? errors.data : "cannot load\n");
        buf_release(&errors);
        return 1;
    }
    printf("%zu rules\n", intent_rule_count(in));
    intent_free(in);
    buf_release(&errors);
    return 0;
}
