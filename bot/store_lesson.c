/*
 * store_lesson.c - SQL of the micro-lessons (see the store side of lesson.h):
 * progress per person and lesson, days with an answer for streaks, daily
 * subscriptions, and the per-lesson totals for the admin API.
 */
#include <stdio.h>

#include "lesson.h"
#include "store.h"
#include "store_int.h"

int store_lesson_shown(struct store *st, int64_t person, int lesson, int64_t now)
{
    SQL(sql, "INSERT INTO lesson_progress(person_id, lesson_id, shown_ms)"
             " VALUES(?,?,?) ON CONFLICT DO NOTHING");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, lesson);
    store_bind_int64(s, 3, now);
    return store_step_done(st, s, "lesson shown");
}

int store_lesson_answer(struct store *st, int64_t person, int lesson, bool is_right,
                        int64_t retry_at, int64_t now, bool *was_done)
{
    SQL(get, "SELECT done_ms IS NOT NULL FROM lesson_progress WHERE person_id=? AND lesson_id=?");
    /* In DO UPDATE lesson_progress.x is the row before the update (a bare x
     * is ambiguous with excluded.x on PostgreSQL). ?3 is 0 or 1. */
    SQL(sql, "INSERT INTO lesson_progress(person_id, lesson_id, shown_ms, answers, wrong,"
             " first_right, done_ms, retry_at_ms)"
             " VALUES(?1, ?2, ?5, 1, 1 - ?3, ?3, CASE WHEN ?3<>0 THEN CAST(?5 AS BIGINT) END,"
             " CASE WHEN ?3<>0 THEN NULL ELSE CAST(?4 AS BIGINT) END)"
             " ON CONFLICT(person_id, lesson_id) DO UPDATE SET"
             " answers=lesson_progress.answers+1, wrong=lesson_progress.wrong+(1 - ?3),"
             " first_right=coalesce(lesson_progress.first_right, ?3),"
             " done_ms=CASE WHEN lesson_progress.done_ms IS NULL AND ?3<>0 THEN ?5"
             " ELSE lesson_progress.done_ms END,"
             " retry_at_ms=CASE WHEN ?3<>0 OR lesson_progress.done_ms IS NOT NULL THEN NULL"
             " ELSE ?4 END");
    struct store_stmt *s = store_stmt(st, get);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, lesson);
    int rc = store_step(st, s);
    *was_done = rc == SQLITE_ROW && store_col_int(s, 0) != 0;
    store_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "lesson done");
    s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, lesson);
    store_bind_int(s, 3, is_right);
    store_bind_int64(s, 4, retry_at);
    store_bind_int64(s, 5, now);
    return store_step_done(st, s, "lesson answer");
}

/* Every first column of s (bound by the caller) as *v of *n ids. */
static int id_column(struct store *st, struct store_stmt *s, const char *what, int64_t **v,
                     size_t *n)
{
    return store_read_all(st, s, what, store_read_id, NULL, sizeof **v, (void **)v, n);
}

int store_lesson_answered(struct store *st, int64_t person, int64_t **v, size_t *n)
{
    SQL(sql, "SELECT lesson_id FROM lesson_progress WHERE person_id=?"
             " AND answers>0 ORDER BY lesson_id");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    return id_column(st, s, "lesson answered", v, n);
}

int store_lesson_due(struct store *st, int64_t person, int64_t now, int64_t **v, size_t *n)
{
    SQL(sql, "SELECT lesson_id FROM lesson_progress WHERE person_id=? AND done_ms IS NULL"
             " AND retry_at_ms IS NOT NULL AND retry_at_ms<=? ORDER BY retry_at_ms, lesson_id");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int64(s, 2, now);
    return id_column(st, s, "lesson due", v, n);
}

int store_lesson_next_review(struct store *st, int64_t person, int64_t now, int64_t *at,
                             int64_t *count)
{
    SQL(sql, "SELECT min(retry_at_ms) FILTER (WHERE retry_at_ms>?2), count(*) FROM lesson_progress"
             " WHERE person_id=?1 AND done_ms IS NULL AND retry_at_ms IS NOT NULL");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int64(s, 2, now);
    int rc = store_step(st, s), found = 0;
    if (rc == SQLITE_ROW && store_col_type(s, 0) != SQLITE_NULL) {
        *at = store_col_int64(s, 0);
        *count = store_col_int64(s, 1);
        found = 1;
    }
    store_reset(s);
    return rc == SQLITE_ROW ? found : store_fail(st, "lesson next review");
}

int store_lesson_day_add(struct store *st, int64_t person, const char *day)
{
    SQL(sql, "INSERT INTO lesson_days(person_id, day) VALUES(?,?) ON CONFLICT DO NOTHING");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, day);
    return store_step_done(st, s, "lesson day");
}

int store_lesson_days(struct store *st, int64_t person, int max, char ***v, size_t *n)
{
    SQL(sql, "SELECT day FROM lesson_days WHERE person_id=? ORDER BY day DESC LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, max);
    return store_read_all(st, s, "lesson days", store_read_string, store_clear_string, sizeof **v,
                          (void **)v, n);
}

int store_lesson_stats(struct store *st, int64_t person, struct lesson_stats *out)
{
    SQL(sql,
        "SELECT (SELECT count(*) FROM lesson_progress WHERE person_id=?1 AND done_ms IS NOT NULL),"
        " (SELECT count(*) FROM lesson_progress WHERE person_id=?1 AND done_ms IS NULL"
        "  AND retry_at_ms IS NOT NULL),"
        " (SELECT coalesce(sum(delta), 0) FROM points WHERE person_id=?1"
        "  AND (ref LIKE 'lesson:%' OR ref LIKE 'lesson-streak:%'))");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        out->done = store_col_int64(s, 0);
        out->reviews = store_col_int64(s, 1);
        out->points = store_col_int64(s, 2);
    }
    store_reset(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "lesson stats");
}

int store_lesson_sub_set(struct store *st, int64_t person, int minute, const char *last_day,
                         int64_t now)
{
    SQL(sql, "INSERT INTO lesson_subs(person_id, minute, last_day, created_ms) VALUES(?1,?2,?3,?4)"
             " ON CONFLICT(person_id) DO UPDATE SET minute=?2,"
             " last_day=CASE WHEN lesson_subs.last_day IS NULL OR ?3 > lesson_subs.last_day THEN ?3"
             " ELSE lesson_subs.last_day END");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, minute);
    store_bind_text(s, 3, last_day);
    store_bind_int64(s, 4, now);
    return store_step_done(st, s, "lesson sub set");
}

int store_lesson_sub_del(struct store *st, int64_t person)
{
    SQL(sql, "DELETE FROM lesson_subs WHERE person_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    if (store_step_done(st, s, "lesson sub del") == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

int store_lesson_sub_get(struct store *st, int64_t person, int *minute)
{
    SQL(sql, "SELECT minute FROM lesson_subs WHERE person_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *minute = store_col_int(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "lesson sub get");
}

int store_lesson_subs_due(struct store *st, int minute, const char *day, int limit, int64_t **v,
                          size_t *n)
{
    SQL(sql, "SELECT s.person_id FROM lesson_subs s JOIN people p ON p.id=s.person_id"
             " WHERE p.opted_out=0 AND s.minute<=?1 AND (s.last_day IS NULL OR s.last_day<?2)"
             " ORDER BY s.person_id LIMIT ?3");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, minute);
    store_bind_text(s, 2, day);
    store_bind_int(s, 3, limit);
    return id_column(st, s, "lesson subs due", v, n);
}

int store_lesson_sub_served(struct store *st, int64_t person, const char *day)
{
    SQL(sql, "UPDATE lesson_subs SET last_day=? WHERE person_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, day);
    store_bind_int64(s, 2, person);
    return store_step_done(st, s, "lesson sub served");
}

static void total_read(struct store_stmt *s, void *out)
{
    struct lesson_total *t = out;
    t->lesson_id = store_col_int(s, 0);
    t->shown = store_col_int64(s, 1);
    t->answered = store_col_int64(s, 2);
    t->done = store_col_int64(s, 3);
    t->first_right = store_col_int64(s, 4);
}

int store_lesson_totals(struct store *st, struct lesson_total **v, size_t *n)
{
    SQL(sql, "SELECT lesson_id, count(*), count(*) FILTER (WHERE answers>0),"
             " count(done_ms), count(*) FILTER (WHERE first_right=1)"
             " FROM lesson_progress GROUP BY lesson_id");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    return store_read_all(st, s, "lesson totals", total_read, NULL, sizeof **v, (void **)v, n);
}

int store_lesson_broadcast_mark(struct store *st, int64_t broadcast, int lesson, int64_t expires_ms,
                                int64_t now)
{
    /* on the account (a linked one's row goes out on the channel it used
     * last, maybe not the account's): where its turns read state */
    SQL(quiz, "INSERT INTO state(person_id, key, value, expires_ms)"
              " SELECT DISTINCT coalesce(p.account_id, p.id), 'quiz', CAST(?2 AS TEXT),"
              " CAST(?3 AS BIGINT) FROM outbox o JOIN people p ON p.id=o.person_id"
              " WHERE o.broadcast_id=?1"
              " ON CONFLICT(person_id, key) DO UPDATE SET value=excluded.value,"
              " expires_ms=excluded.expires_ms");
    SQL(shown, "INSERT INTO lesson_progress(person_id, lesson_id, shown_ms)"
               " SELECT DISTINCT coalesce(p.account_id, p.id), CAST(?2 AS BIGINT),"
               " CAST(?3 AS BIGINT) FROM outbox o JOIN people p ON p.id=o.person_id"
               " WHERE o.broadcast_id=?1"
               " ON CONFLICT DO NOTHING");
    char id[24];
    snprintf(id, sizeof id, "%d", lesson);
    struct store_stmt *s = store_stmt(st, quiz);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, broadcast);
    store_bind_text(s, 2, id);
    store_bind_int64(s, 3, expires_ms);
    store_state_forget(st);
    if (store_step_done(st, s, "lesson broadcast quiz") == -1)
        return -1;
    s = store_stmt(st, shown);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, broadcast);
    store_bind_int(s, 2, lesson);
    store_bind_int64(s, 3, now);
    return store_step_done(st, s, "lesson broadcast shown");
}
