/*
 * backup.h - consistent copies of the live database (SQLite's online backup
 * API: one read transaction, so the copy is a snapshot while `yizhan serve`
 * keeps writing in WAL mode) with the photos beside it, the daily backup of
 * the service, and restore. A backup is a folder: yizhan.db and media/ (the
 * content-addressed photo files, the same layout as media_dir).
 */
#ifndef BOT_BACKUP_H
#define BOT_BACKUP_H
#include <stdbool.h>
#include <stdint.h>

struct conf;

struct backup_stats {
    long long pages;        /* database pages copied */
    long long photos_new;   /* photo files copied */
    long long photos_linked; /* hard-linked from the previous backup */
    long long photos_kept;  /* already there */
};

/*
 * Copy the database db and the photos of media_dir into the folder dir
 * (made when missing). Photo files already in dir are kept; one found in
 * link_from (a previous backup's folder, or NULL) is hard-linked instead of
 * copied, so each photo is copied once across daily backups. 0 or -1 (logged).
 */
int backup_make(const char *db, const char *media_dir, const char *dir, const char *link_from,
                struct backup_stats *stats);
/*
 * Restore the backup folder dir into the database db and media_dir. Refuses
 * (-1, why in the log) when db has data and force is false, or when another
 * process (a running server) has db open. 0 or -1.
 */
int backup_restore(const char *dir, const char *db, const char *media_dir, bool force,
                   struct backup_stats *stats);

/*
 * The daily backup ([backup] in bot.conf): when the local hour of now is
 * c->backup.hour and no backup of today is in c->backup.dir, make one in
 * "<dir>/yizhan-YYYYMMDD-HHMMSS" and remove the oldest beyond keep.
 * 1 made, 0 nothing due (or backup.dir empty), -1 failed.
 */
int backup_daily(const struct conf *c, int64_t now);

/* The thread of `yizhan serve` that calls backup_daily every minute; NULL
 * when backup.dir is empty. backup_stop joins it. */
struct backup_thread;
struct backup_thread *backup_start(const struct conf *c);
void backup_stop(struct backup_thread *t);

#endif
