/*
 * canon_cache.c - the example phrases' matched copies, kept on disk
 * (canon_cache.h says why).
 *
 * The file: cache_dir/canon-<32 hex>.tsv, one `normed<TAB>copy` a line,
 * the hex the start of a SHA-256 over what a copy depends on besides the
 * phrase: the lexicon's digest, this executable's identity (device, inode,
 * size, change time: a rebuild or an upgrade makes a new one), OpenCC's
 * library and its t2s files (the same). Written to a temporary name and
 * renamed, so a reader sees a whole file or none; two starts writing at
 * once each write a whole file. A line that is not two fields is skipped.
 * Looked up with glibc's hash table (hsearch_r), as scorer.c interns.
 */
#include "canon_cache.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <opencc/opencc.h>
#include <openssl/evp.h>

#include "buf.h"
#include "log.h"
#include "norm.h"
#include "util.h"

/* bump when the file's format changes */
#define CANON_CACHE_FORMAT "yizhan canon cache 1"
/* an old build's file is removed once it is this old (seconds) */
#define CANON_CACHE_STALE (24 * 3600)

struct canon_cache {
    char *dir, *path;
    char *data; /* the file read, its lines cut in place */
    struct hsearch_data tab;
    bool have_tab;
    size_t held, used, made;
    struct buf out; /* every copy asked for, in the file's format */
};

/* Add what identifies the file at path (or that there is none) to md. */
static void digest_file_id(EVP_MD_CTX *md, const char *path)
{
    struct stat st;
    char id[160];
    int n = stat(path, &st) == 0
                ? snprintf(id, sizeof id, "%s %ju %ju %jd %jd.%09ld\n", path, (uintmax_t)st.st_dev,
                           (uintmax_t)st.st_ino, (intmax_t)st.st_size, (intmax_t)st.st_ctim.tv_sec,
                           st.st_ctim.tv_nsec)
                : snprintf(id, sizeof id, "%s none\n", path);
    if (n > 0)
        (void)EVP_DigestUpdate(md, id, (size_t)n < sizeof id ? (size_t)n : sizeof id - 1);
}

/* "canon-<hex>.tsv" in dir; NULL when no digest can be made. */
static char *cache_path(const char *dir, const struct lexicon *lx)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char exe[4096];
    Dl_info dl;
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return NULL;
    }
    (void)EVP_DigestUpdate(md, CANON_CACHE_FORMAT, strlen(CANON_CACHE_FORMAT));
    (void)EVP_DigestUpdate(md, lexicon_digest(lx), LEXICON_DIGEST_LEN);
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    digest_file_id(md, exe);
    /* OpenCC: the library that converts and the dictionaries t2s.json
     * names (its data directory is fixed when it is built) */
    digest_file_id(md, dladdr((void *)opencc_open, &dl) != 0 && dl.dli_fname ? dl.dli_fname : "?");
    static const char *const opencc_files[] = {"t2s.json", "TSPhrases.ocd2", "TSCharacters.ocd2"};
    for (size_t i = 0; i < sizeof opencc_files / sizeof *opencc_files; i++) {
        char p[256];
        snprintf(p, sizeof p, "/usr/share/opencc/%s", opencc_files[i]);
        digest_file_id(md, p);
    }
    int ok = EVP_DigestFinal_ex(md, d, &dlen);
    EVP_MD_CTX_free(md);
    if (ok != 1 || dlen < 16)
        return NULL;
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return xasprintf("%s/canon-%s.tsv", dir, hex);
}

/* Read the file and index its lines; a missing or bad file leaves it empty. */
static void cache_read(struct canon_cache *cc)
{
    FILE *f = fopen(cc->path, "re");
    struct stat st;
    if (f == NULL || fstat(fileno(f), &st) == -1 || st.st_size <= 0) {
        if (f == NULL && errno != ENOENT)
            log_warn("canon cache: cannot read %s: %s (the copies are made again)", cc->path,
                     strerror(errno));
        if (f != NULL)
            (void)fclose(f);
        return;
    }
    size_t len = (size_t)st.st_size;
    cc->data = xmalloc(len + 1);
    len = fread(cc->data, 1, len, f);
    cc->data[len] = '\0';
    (void)fclose(f); /* read-only */
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += cc->data[i] == '\n';
    memset(&cc->tab, 0, sizeof cc->tab);
    if (hcreate_r(2 * lines + 64, &cc->tab) == 0)
        return;
    cc->have_tab = true;
    char *save = NULL;
    for (char *ln = strtok_r(cc->data, "\n", &save); ln != NULL; ln = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(ln, '\t');
        if (tab == NULL || strchr(tab + 1, '\t') != NULL)
            continue;
        *tab = '\0';
        ENTRY item = {ln, tab + 1}, *hit;
        if (hsearch_r(item, ENTER, &hit, &cc->tab) == 0)
            break;
        cc->held++;
    }
}

struct canon_cache *canon_cache_open(const char *dir, const struct lexicon *lx)
{
    if (dir == NULL || dir[0] == '\0' || lx == NULL)
        return NULL;
    struct canon_cache *cc = calloc(1, sizeof *cc);
    if (cc == NULL)
        return NULL;
    cc->path = cache_path(dir, lx);
    if (cc->path == NULL) {
        free(cc);
        return NULL;
    }
    cc->dir = xstrdup(dir);
    buf_init(&cc->out, 0);
    cache_read(cc);
    return cc;
}

/* A copy the file can hold: one line, two fields. */
static bool storable(const char *s)
{
    return strpbrk(s, "\t\n") == NULL;
}

char *canon_cache_canon(struct canon_cache *cc, const struct lexicon *lx, const char *normed)
{
    if (cc == NULL || !storable(normed))
        return norm_canon(lx, normed);
    ENTRY item = {(char *)normed, NULL}, *hit = NULL;
    char *copy;
    if (cc->have_tab && hsearch_r(item, FIND, &hit, &cc->tab) != 0 && hit != NULL) {
        copy = xstrdup(hit->data);
        cc->used++;
    } else {
        copy = norm_canon(lx, normed);
        if (!storable(copy))
            return copy;
        cc->made++;
    }
    /* appends, not buf_printf: its vsnprintf was a tenth of a start */
    (void)buf_puts(&cc->out, normed);
    (void)buf_append(&cc->out, "\t", 1);
    (void)buf_puts(&cc->out, copy);
    (void)buf_append(&cc->out, "\n", 1);
    return copy;
}

/* Remove other builds' files of dir, and writes that died, once they are
 * a day old (a build that still runs writes its own again). */
static void remove_stale(const struct canon_cache *cc)
{
    DIR *d = opendir(cc->dir);
    if (d == NULL)
        return;
    const char *mine = strrchr(cc->path, '/') + 1;
    time_t now = time(NULL);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t n = strlen(e->d_name);
        /* another build's file, or a write that died half way */
        if (strncmp(e->d_name, "canon-", 6) != 0 || n < 10 ||
            (strcmp(e->d_name + n - 4, ".tsv") != 0 && strcmp(e->d_name + n - 4, ".tmp") != 0) ||
            strcmp(e->d_name, mine) == 0)
            continue;
        char *p = xasprintf("%s/%s", cc->dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && now - st.st_mtime > CANON_CACHE_STALE && unlink(p) == 0)
            log_info("canon cache: removed %s (another build's, unused for a day)", p);
        free(p);
    }
    (void)closedir(d);
}

/* mkdir -p, mode 0700: the default var/cache is written at the first
 * start, before the database makes var/. */
static int make_dirs(const char *dir)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = strchr(p + 1, '/'); s != NULL && rc == 0; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(p, 0700) == -1 && errno != EEXIST)
            rc = -1;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0700) == -1 && errno != EEXIST)
        rc = -1;
    free(p);
    return rc;
}

static void cache_write(const struct canon_cache *cc)
{
    if (make_dirs(cc->dir) == -1) {
        log_warn("canon cache: cannot make %s: %s (the copies are made at each start)", cc->dir,
                 strerror(errno));
        return;
    }
    /* unique to this process and load: two loads at once (a reload beside
     * a start) each write a whole file of their own, then rename it */
    static _Atomic unsigned seq;
    char *tmp = xasprintf("%s.%ld.%u.tmp", cc->path, (long)getpid(), seq++);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd != -1 ? fdopen(fd, "w") : NULL;
    if (f == NULL && fd != -1)
        (void)close(fd);
    bool ok = f != NULL && fwrite(cc->out.data, 1, cc->out.len, f) == cc->out.len;
    if (f != NULL && fclose(f) != 0)
        ok = false;
    if (ok && rename(tmp, cc->path) == 0)
        log_debug("canon cache: wrote %zu copies to %s", cc->used + cc->made, cc->path);
    else {
        log_warn("canon cache: cannot write %s: %s (the copies are made at each start)", cc->path,
                 strerror(errno));
        (void)unlink(tmp);
    }
    free(tmp);
    remove_stale(cc);
}

void canon_cache_close(struct canon_cache *cc)
{
    if (cc == NULL)
        return;
    if (cc->made > 0 || cc->used < cc->held)
        cache_write(cc);
    if (cc->have_tab)
        hdestroy_r(&cc->tab);
    buf_release(&cc->out);
    free(cc->data);
    free(cc->path);
    free(cc->dir);
    free(cc);
}
