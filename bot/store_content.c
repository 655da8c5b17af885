/*
 * store_content.c - SQL of the content versions saved in the dashboard
 * (live.h): one row a save or revert, the newest row of a file wins.
 */
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

int64_t store_content_version(struct store *st)
{
    SQL(sql, "SELECT coalesce(max(id), 0) FROM content_versions");
    struct store_stmt *s = store_stmt(st, sql);
    int64_t v = 0;
    if (s == NULL)
        return -1;
    return store_read_one(st, s, "content version", store_read_id, &v, sizeof v) == 1 ? v : -1;
}

int store_content_latest(struct store *st, store_content_fn fn, void *ctx)
{
    SQL(sql, "SELECT c.file, c.body, c.id FROM content_versions c"
        " WHERE c.id=(SELECT max(id) FROM content_versions WHERE file=c.file) ORDER BY c.file");
    struct store_stmt *s = store_stmt(st, sql);
    int n = 0, rc;
    if (s == NULL)
        return -1;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        fn(store_col_str(s, 0), store_col_str(s, 1),
           store_col_int64(s, 2), ctx);
        n++;
    }
    store_reset(s);
    return rc == SQLITE_DONE ? n : store_fail(st, "content latest");
}

int store_content_add(struct store *st, const char *file, const char *body, const char *actor,
                      const char *note, int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO content_versions(file, body, actor, note, created_ms)"
                              " VALUES(?1,?2,?3,?4,?5)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, file);
    if (body != NULL)
        store_bind_text(s, 2, body);
    else
        store_bind_null(s, 2);
    store_bind_text(s, 3, actor);
    store_bind_text(s, 4, note);
    store_bind_int64(s, 5, now);
    if (store_step_done(st, s, "content add") == -1)
        return -1;
    *id = store_last_id(st);
    return 0;
}

int store_content_get(struct store *st, const char *file, int64_t *id, char **body)
{
    SQL(sql, "SELECT body, id FROM content_versions WHERE file=?2"
                              " AND (id=?1 OR ?1=0) ORDER BY id DESC LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    *body = NULL;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, *id);
    store_bind_text(s, 2, file);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        *body = store_col_text(s, 0);
        *id = store_col_int64(s, 1);
    }
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "content get");
}

int store_content_history(struct store *st, const char *file, int limit, store_version_fn fn,
                          void *ctx)
{
    SQL(history, "SELECT id, actor, created_ms, note, body IS NULL, length(CAST(body AS BLOB)),"
                 " length(body) - length(replace(body, char(10), '')) FROM content_versions"
                 " WHERE file=?1 ORDER BY id DESC LIMIT ?2");
    struct store_stmt *s = store_stmt(st, history);
    int n = 0, rc;
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, file);
    store_bind_int(s, 2, limit);
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        struct content_version v = {
            .id = store_col_int64(s, 0),
            .actor = store_col_str(s, 1),
            .at = store_col_int64(s, 2),
            .note = store_col_str(s, 3),
            .shipped = store_col_int(s, 4) != 0,
            .size = store_col_int64(s, 5),
            .lines = store_col_int64(s, 6),
        };
        fn(&v, ctx);
        n++;
    }
    store_reset(s);
    return rc == SQLITE_DONE ? n : store_fail(st, "content history");
}
