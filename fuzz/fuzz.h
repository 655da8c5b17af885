/*
 * fuzz.h - what the libFuzzer targets in fuzz/ share (fuzz/fuzz.c). A target
 * is one file fuzz/fz_<name>.c defining LLVMFuzzerTestOneInput (and, when it
 * needs set-up, LLVMFuzzerInitialize), with seeds in fuzz/corpus/<name>/;
 * `make fuzz` finds it by its name. Targets run in the repository root.
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Silence the bot's log and make a private temp dir once per process; the
 * dir is removed at exit. Returns its path (static). Aborts on failure. */
const char *fuzz_setup(void);
/* A copy of data with a NUL after its size bytes (as a C string it stops
 * at the first NUL in data). Caller frees. */
char *fuzz_str(const uint8_t *data, size_t size);
/* Write data to path, replacing it. Aborts on failure. */
void fuzz_write(const char *path, const uint8_t *data, size_t size);
/* Load c from the defaults plus "key=value" settings (NULL-terminated).
 * Aborts on failure. */
struct conf;
void fuzz_conf(struct conf *c, const char *const *sets);

#endif
