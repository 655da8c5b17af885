/*
 * test_backup.c - the daily backup with the stub clock: made once a day at
 * the configured hour, photos copied once and hard-linked by the next day's
 * backup, the oldest beyond keep removed, off with an empty dir; and
 * backup_make / backup_restore on a file database.
 */
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "backup.h"
#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "media.h"
#include "store.h"
#include "t.h"
#include "util.h"

#define DAY (24LL * 3600 * 1000)
#define SHA "ab00000000000000000000000000000000000000000000000000000000000001"

static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    while (d != NULL && (e = readdir(d)) != NULL)
        n += strncmp(e->d_name, "yizhan-", 7) == 0;
    if (d != NULL)
        closedir(d);
    return n;
}

static long long rows(const char *db)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *s = NULL;
    long long n = -1;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT count(*) FROM people", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(h);
    return n;
}

struct bfx {
    struct conf c;
    struct store *st;
    char dir[200];
};

static int bfx_init(struct bfx *f, int hour, const char *backup_dir)
{
    struct buf errs;
    char db[256], media[256], bdir[256], bhour[32];
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s", t_tmpdir());
    snprintf(db, sizeof db, "database=%s/y.db", f->dir);
    snprintf(media, sizeof media, "media_dir=%s/media", f->dir);
    snprintf(bdir, sizeof bdir, "backup.dir=%s", backup_dir);
    snprintf(bhour, sizeof bhour, "backup.hour=%d", hour);
    char *sets[] = {db, media, bdir, bhour, "backup.keep=2"};
    buf_init(&errs, 0);
    int rc = conf_load(&f->c, NULL, sets, 5, &errs);
    CHECK_STR(errs.data ? errs.data : "", "");
    buf_release(&errs);
    f->st = store_open(f->c.database, false);
    CHECK(f->st != NULL);
    int64_t id;
    if (f->st != NULL) {
        CHECK_INT(store_person_ensure(f->st, "generic", "u-1", "甲", now_ms(), &id), 0);
        CHECK_INT(store_person_ensure(f->st, "generic", "u-2", "乙", now_ms(), &id), 0);
    }
    CHECK_INT(media_save(f->c.media_dir, SHA, "photo", 5), 0);
    return rc == 0 && f->st != NULL ? 0 : -1;
}

static void bfx_release(struct bfx *f)
{
    store_close(f->st);
    conf_release(&f->c);
}

static int local_hour(int64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    return tm.tm_hour;
}

/* The photo in the newest-but-one and newest backups is one file (linked). */
static void test_backup_daily_once_linked_and_pruned(void)
{
    struct bfx f;
    char bdir[256];
    snprintf(bdir, sizeof bdir, "%s/daily", t_tmpdir());
    int64_t t0 = now_ms();
    if (bfx_init(&f, local_hour(t0), bdir) == -1)
        return;
    CHECK_INT(backup_daily(&f.c, t0 - 3600 * 1000), 0); /* not the hour */
    CHECK_INT(backup_daily(&f.c, t0), 1);
    CHECK_INT(backup_daily(&f.c, t0 + 60 * 1000), 0); /* once a day */
    CHECK_INT(entries(bdir), 1);
    CHECK_INT(backup_daily(&f.c, t0 + DAY), 1);
    CHECK_INT(entries(bdir), 2);
    /* find the photo in the two backups: the same inode (copied once) */
    DIR *d = opendir(bdir);
    struct dirent *e;
    ino_t inode = 0;
    int same = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "yizhan-", 7) != 0)
            continue;
        char *p = xasprintf("%s/%s/media/ab/%s", bdir, e->d_name, SHA);
        char *db = xasprintf("%s/%s/yizhan.db", bdir, e->d_name);
        struct stat sb;
        CHECK_INT(stat(p, &sb), 0);
        same += inode == 0 || sb.st_ino == inode;
        inode = sb.st_ino;
        CHECK_INT(rows(db), 2);
        free(p);
        free(db);
    }
    if (d != NULL)
        closedir(d);
    CHECK_INT(same, 2);
    CHECK_INT(backup_daily(&f.c, t0 + 2 * DAY), 1);
    CHECK_INT(backup_daily(&f.c, t0 + 3 * DAY), 1);
    CHECK_INT(entries(bdir), 2); /* keep = 2 */
    bfx_release(&f);
}

static void test_backup_off_without_dir(void)
{
    struct bfx f;
    if (bfx_init(&f, local_hour(now_ms()), "") == -1)
        return;
    CHECK_INT(backup_daily(&f.c, now_ms()), 0);
    CHECK(backup_start(&f.c) == NULL);
    bfx_release(&f);
}

static void test_backup_make_and_restore(void)
{
    struct bfx f;
    struct backup_stats bs;
    char out[256], db2[256], media2[256];
    if (bfx_init(&f, 0, "") == -1)
        return;
    snprintf(out, sizeof out, "%s/one", f.dir);
    snprintf(db2, sizeof db2, "%s/restored/y.db", f.dir);
    snprintf(media2, sizeof media2, "%s/restored/media", f.dir);
    CHECK_INT(backup_make(f.c.database, f.c.media_dir, out, NULL, &bs), 0);
    CHECK_INT(bs.photos_new, 1);
    CHECK_INT(backup_make(f.c.database, f.c.media_dir, out, NULL, &bs), 0);
    CHECK_INT(bs.photos_new, 0); /* copied once */
    CHECK_INT(bs.photos_kept, 1);
    CHECK_INT(backup_make("/nonexistent/y.db", f.c.media_dir, out, NULL, &bs), -1);
    /* the live database: another connection has it open */
    CHECK_INT(backup_restore(out, f.c.database, f.c.media_dir, true, &bs), -1);
    char *dir = xasprintf("%s/restored", f.dir);
    mkdir(dir, 0700);
    free(dir);
    CHECK_INT(backup_restore(out, db2, media2, false, &bs), 0);
    CHECK_INT(rows(db2), 2);
    char *photo = media_path(media2, SHA);
    struct stat sb;
    CHECK_INT(stat(photo, &sb), 0);
    free(photo);
    CHECK_INT(backup_restore(out, db2, media2, false, &bs), -1); /* exists: --force */
    CHECK_INT(backup_restore(out, db2, media2, true, &bs), 0);
    CHECK_INT(backup_restore("/nonexistent", db2, media2, true, &bs), -1);
    bfx_release(&f);
}

const struct t_case backup_tests[] = {
    T(test_backup_daily_once_linked_and_pruned),
    T(test_backup_off_without_dir),
    T(test_backup_make_and_restore),
    T_END,
};
