/*
 * fuzz.c - helpers shared by the fuzz targets: a quiet log, one temp dir per
 * process (removed at exit), and input as a C string or a file.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "util.h"

static char dir[64];

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", dir);
}

const char *fuzz_setup(void)
{
    if (dir[0] != '\0')
        return dir;
    log_set_level(getenv("FUZZ_LOG") ? LOG_DEBUG : LOG_OFF);
    snprintf(dir, sizeof dir, "/tmp/yizhan-fuzz-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(remove_dir);
    return dir;
}

char *fuzz_str(const uint8_t *data, size_t size)
{
    char *s = xmalloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        abort();
    }
}

void fuzz_conf(struct conf *c, const char *const *sets)
{
    char *v[32];
    int n = 0;
    struct buf errs;
    while (sets[n] != NULL && n < 32) {
        v[n] = (char *)sets[n]; /* conf_load only reads them */
        n++;
    }
    buf_init(&errs, 0);
    if (conf_load(c, NULL, v, n, &errs) == -1) {
        fprintf(stderr, "fuzz: conf: %s\n", errs.data ? errs.data : "");
        abort();
    }
    buf_release(&errs);
}
