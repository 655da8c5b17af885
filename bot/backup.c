/*
 * backup.c - backup and restore (backup.h). The database goes through
 * SQLite's online backup API only: copying the file by hand while the
 * service writes would copy a torn database without its WAL.
 */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "media.h"
#include "util.h"

#define DB_NAME "yizhan.db"
#define PREFIX "yizhan-" /* daily backups: yizhan-YYYYMMDD-HHMMSS */
#define BUSY_MS 5000

static int db_open(const char *path, int flags, sqlite3 **db)
{
    *db = NULL;
    if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
        log_err("backup: %s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, BUSY_MS);
    return 0;
}

/* Copy every page of src into dst in one step: one read transaction on src,
 * which in WAL mode neither waits for nor blocks the writer. */
static int copy_pages(sqlite3 *src, sqlite3 *dst, const char *what, long long *pages)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (b == NULL)
        return log_fail("backup: %s: %s", what, sqlite3_errmsg(dst));
    int rc;
    for (int tries = 0; (rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED;
         tries++) {
        if (tries == BUSY_MS / 50)
            break;
        sqlite3_sleep(50);
    }
    if (pages != NULL)
        *pages = sqlite3_backup_pagecount(b);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return log_fail("backup: %s: %s", what, sqlite3_errstr(rc));
    return 0;
}

/* PRAGMA quick_check of db: 0 when "ok". */
static int check_db(sqlite3 *db, const char *what)
{
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) == SQLITE_OK &&
             sqlite3_step(s) == SQLITE_ROW &&
             strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0;
    sqlite3_finalize(s);
    return ok ? 0 : log_fail("backup: %s: the copy fails PRAGMA quick_check", what);
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) == -1 && errno != EEXIST)
        return log_fail("backup: %s: cannot create: %s", path, strerror(errno));
    return 0;
}

static int read_all(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return log_fail("backup: %s: %s", path, strerror(errno));
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(out, chunk, n);
    int err = ferror(f);
    fclose(f);
    return err ? log_fail("backup: %s: read error", path) : 0;
}

/* One photo file named sha from src_media to dst_media (see backup_make). */
static int copy_photo(const char *src_media, const char *dst_media, const char *link_media,
                      const char *sha, struct backup_stats *st)
{
    char *dst = media_path(dst_media, sha), *src = NULL, *prev = NULL;
    int rc = 0;
    if (access(dst, F_OK) == 0) {
        st->photos_kept++;
        goto out;
    }
    if (link_media != NULL) {
        char *sub = xasprintf("%s/%.2s", dst_media, sha);
        prev = media_path(link_media, sha);
        if (make_dir(dst_media) == 0 && make_dir(sub) == 0 && link(prev, dst) == 0) {
            st->photos_linked++;
            free(sub);
            goto out;
        }
        free(sub);
    }
    src = media_path(src_media, sha);
    struct buf b;
    buf_init(&b, 0);
    rc = read_all(src, &b);
    if (rc == 0)
        rc = media_save(dst_media, sha, b.data ? b.data : "", b.len);
    if (rc == 0)
        st->photos_new++;
    buf_release(&b);
out:
    free(dst);
    free(src);
    free(prev);
    return rc;
}

/* Every photo file of src_media (dir/ab/abcd..., names checked) into dst_media. */
static int copy_photos(const char *src_media, const char *dst_media, const char *link_media,
                       struct backup_stats *st)
{
    DIR *top = opendir(src_media);
    struct dirent *e;
    int rc = 0;
    if (top == NULL)
        return errno == ENOENT ? 0 : log_fail("backup: %s: %s", src_media, strerror(errno));
    while (rc == 0 && (e = readdir(top)) != NULL) {
        if (strlen(e->d_name) != 2 || e->d_name[0] == '.')
            continue;
        char *sub = xasprintf("%s/%s", src_media, e->d_name);
        DIR *d = opendir(sub);
        struct dirent *f;
        while (d != NULL && rc == 0 && (f = readdir(d)) != NULL)
            if (media_valid_sha(f->d_name) && strncmp(f->d_name, e->d_name, 2) == 0)
                rc = copy_photo(src_media, dst_media, link_media, f->d_name, st);
        if (d != NULL)
            closedir(d);
        free(sub);
    }
    closedir(top);
    return rc;
}

int backup_make(const char *db, const char *media_dir, const char *dir, const char *link_from,
                struct backup_stats *stats)
{
    sqlite3 *src = NULL, *dst = NULL;
    char *tmp = xasprintf("%s/." DB_NAME ".tmp", dir), *final = xasprintf("%s/" DB_NAME, dir);
    char *media = xasprintf("%s/media", dir);
    char *link_media = link_from ? xasprintf("%s/media", link_from) : NULL;
    int rc = -1;
    memset(stats, 0, sizeof *stats);
    if (make_dir(dir) == -1)
        goto out;
    unlink(tmp);
    /* no SQLITE_OPEN_CREATE: a mistyped path must not back up an empty database */
    if (db_open(db, SQLITE_OPEN_READWRITE, &src) == -1 ||
        db_open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst) == -1 ||
        copy_pages(src, dst, db, &stats->pages) == -1 || check_db(dst, tmp) == -1)
        goto out;
    sqlite3_close(src); /* the database first, then the photos its rows name */
    src = NULL;
    if (sqlite3_close(dst) != SQLITE_OK)
        goto out;
    dst = NULL;
    if (rename(tmp, final) == -1) {
        log_err("backup: %s: %s", final, strerror(errno));
        goto out;
    }
    rc = copy_photos(media_dir, media, link_media, stats);
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    if (rc == -1)
        unlink(tmp);
    free(tmp);
    free(final);
    free(media);
    free(link_media);
    return rc;
}

/* Hold db for this process alone: a server that has it open makes this fail. */
static int lock_alone(sqlite3 *db, const char *path)
{
    sqlite3_busy_timeout(db, 0);
    if (sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
        return log_fail("restore: %s is in use (is `yizhan serve` running on it? stop it first)",
                        path);
    /* in exclusive locking mode the lock outlives the transaction */
    return sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int backup_restore(const char *dir, const char *db, const char *media_dir, bool force,
                   struct backup_stats *stats)
{
    sqlite3 *src = NULL, *dst = NULL;
    char *from = xasprintf("%s/" DB_NAME, dir), *media = xasprintf("%s/media", dir);
    struct stat sb;
    int rc = -1;
    memset(stats, 0, sizeof *stats);
    if (stat(from, &sb) == -1) {
        log_err("restore: %s: %s (want a folder made by yizhan backup)", from, strerror(errno));
        goto out;
    }
    if (!force && stat(db, &sb) == 0 && sb.st_size > 0) {
        log_err("restore: %s exists; add --force to replace it", db);
        goto out;
    }
    if (db_open(from, SQLITE_OPEN_READWRITE, &src) == -1 || check_db(src, from) == -1 ||
        db_open(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &dst) == -1 ||
        lock_alone(dst, db) == -1 || copy_pages(src, dst, db, &stats->pages) == -1 ||
        check_db(dst, db) == -1)
        goto out;
    if (chmod(db, 0600) == -1)
        log_warn("restore: %s: chmod 0600: %s", db, strerror(errno));
    rc = copy_photos(media, media_dir, NULL, stats);
out:
    sqlite3_close(src);
    sqlite3_close(dst);
    free(from);
    free(media);
    return rc;
}

static int names_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The daily backups in dir, oldest first (their names sort by time). */
static char **list_backups(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t cap = 0;
    *n = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, PREFIX, strlen(PREFIX)) != 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[(*n)++] = xstrdup(e->d_name);
    }
    if (d != NULL)
        closedir(d);
    if (*n > 0)
        qsort(names, *n, sizeof *names, names_cmp);
    return names;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == -1)
        log_warn("backup: %s: cannot remove: %s", path, strerror(errno));
    return 0;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Remove the oldest daily backups beyond keep. */
static void prune(const char *dir, long long keep)
{
    size_t n;
    char **names = list_backups(dir, &n);
    for (size_t i = 0; i + (size_t)keep < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
        log_info("backup: removed %s (keep = %lld)", path, keep);
        free(path);
    }
    free_names(names, n);
}

int backup_daily(const struct conf *c, int64_t now)
{
    if (c->backup.dir[0] == '\0')
        return 0;
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    char day[16], name[64];
    localtime_r(&secs, &tm); /* TZ is the configured zone */
    if (tm.tm_hour != c->backup.hour)
        return 0;
    strftime(day, sizeof day, "%Y%m%d", &tm);
    strftime(name, sizeof name, PREFIX "%Y%m%d-%H%M%S", &tm);
    size_t n;
    char **names = list_backups(c->backup.dir, &n);
    bool done = n > 0 && strncmp(names[n - 1] + strlen(PREFIX), day, strlen(day)) == 0;
    char *prev = n > 0 ? xasprintf("%s/%s", c->backup.dir, names[n - 1]) : NULL;
    free_names(names, n);
    int rc = 0;
    if (!done) {
        /* made under a name the list skips, renamed when complete */
        char *part = xasprintf("%s/.partial-%s", c->backup.dir, name);
        char *path = xasprintf("%s/%s", c->backup.dir, name);
        struct backup_stats bs;
        nftw(part, remove_one, 16, FTW_DEPTH | FTW_PHYS); /* a failed try's */
        rc = make_dir(c->backup.dir) == 0 &&
                     backup_make(c->database, c->media_dir, part, prev, &bs) == 0 &&
                     rename(part, path) == 0
                 ? 1
                 : -1;
        if (rc == 1) {
            log_info("backup: %s: %lld pages, photos %lld copied, %lld linked", path, bs.pages,
                     bs.photos_new, bs.photos_linked);
            prune(c->backup.dir, c->backup.keep);
        } else
            log_err("backup: the daily backup into %s failed; it is tried again", path);
        free(part);
        free(path);
    }
    free(prev);
    return rc;
}

struct backup_thread {
    const struct conf *c;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static void *backup_main(void *arg)
{
    struct backup_thread *t = arg;
    pthread_setname_np(pthread_self(), "backup");
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        backup_daily(t->c, now_ms());
        pthread_mutex_lock(&t->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 60;
        while (!t->stop && pthread_cond_timedwait(&t->cv, &t->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

struct backup_thread *backup_start(const struct conf *c)
{
    if (c->backup.dir[0] == '\0')
        return NULL;
    if (strcmp(c->store.engine, "postgres") == 0) {
        log_warn("backup: [backup] dir is set but the store is on PostgreSQL: no daily backups"
                 " here; back it up with pg_dump (docs/scaling.md)");
        return NULL;
    }
    struct backup_thread *t = xcalloc(1, sizeof *t);
    t->c = c;
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->th, NULL, backup_main, t) != 0) {
        log_err("backup: cannot start the backup thread");
        free(t);
        return NULL;
    }
    return t;
}

void backup_stop(struct backup_thread *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = true;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->th, NULL);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
