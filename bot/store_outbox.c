/*
 * store_outbox.c - SQL of the outbox, broadcasts and tags.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "outbox.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

void out_item_release(struct out_item *it)
{
    free(it->channel);
    free(it->to);
    free(it->text);
    free(it->idem_key);
    free(it->extra);
    memset(it, 0, sizeof *it);
}

static enum out_class class_of(const char *s)
{
    if (s && strcmp(s, "reply") == 0)
        return OUT_REPLY;
    if (s && strcmp(s, "transactional") == 0)
        return OUT_TRANSACTIONAL;
    return OUT_BULK;
}

/* Run one of the outbox inserts below: both number their parameters alike. */
static int outbox_insert(struct store *st, const struct store_sql *sql, int64_t person,
                         enum out_class k, const char *text, const char *extra, const char *key,
                         const char *status, int64_t next_at, int64_t broadcast_id, int64_t now)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, out_class_name(k));
    store_bind_text(s, 3, text);
    store_bind_text(s, 4, key);
    if (broadcast_id > 0)
        store_bind_int64(s, 5, broadcast_id);
    store_bind_text(s, 6, status);
    store_bind_int64(s, 7, next_at);
    store_bind_int64(s, 8, now);
    store_bind_text(s, 9, extra); /* NULL binds NULL */
    if (store_step_done(st, s, "outbox add") == -1)
        return -1;
    return store_changes(st) == 0 ? 1 : 0;
}

int store_outbox_add(struct store *st, int64_t person, enum out_class k, const char *text,
                     const char *extra, const char *key, const char *status, int64_t next_at,
                     int64_t broadcast_id, int64_t now)
{
    SQL(sql,
        "INSERT INTO outbox(person_id, channel, to_ext, klass, text, idem_key, broadcast_id,"
        " status, next_at_ms, created_ms, updated_ms, extra)"
        " SELECT id, channel, ext_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9 FROM people"
        /* a linked account (绑定) is reached on the channel it used last */
        " WHERE coalesce(account_id, id)=(SELECT coalesce(account_id, id) FROM people WHERE id=?1)"
        " ORDER BY last_seen_ms DESC, id DESC LIMIT 1"
        " ON CONFLICT(idem_key) DO NOTHING");
    return outbox_insert(st, sql, person, k, text, extra, key, status, next_at, broadcast_id, now);
}

int store_outbox_add_every(struct store *st, int64_t person, enum out_class k, const char *text,
                           const char *key, const char *status, int64_t next_at, int64_t now)
{
    SQL(sql,
        "INSERT INTO outbox(person_id, channel, to_ext, klass, text, idem_key, broadcast_id,"
        " status, next_at_ms, created_ms, updated_ms, extra)"
        " SELECT id, channel, ext_id, ?2, ?3, ?4 || ':' || id, ?5, ?6, ?7, ?8, ?8, ?9 FROM people"
        " WHERE coalesce(account_id, id)=(SELECT coalesce(account_id, id) FROM people WHERE id=?1)"
        " ON CONFLICT(idem_key) DO NOTHING");
    return outbox_insert(st, sql, person, k, text, NULL, key, status, next_at, 0, now);
}

int store_outbox_claim(struct store *st, int64_t now, int64_t lease_ms, struct out_item *out,
                       int n)
{
    SQL(claim, "UPDATE outbox SET status='sending', lease_until_ms=?1+?2, attempts=attempts+1,"
               " updated_ms=?1 WHERE id IN (SELECT id FROM outbox WHERE status IN ('queued','held')"
               " AND next_at_ms<=?1 ORDER BY next_at_ms, id LIMIT ?3)"
               " RETURNING id, person_id, coalesce(broadcast_id, 0), channel, to_ext,"
               " coalesce(sent_text, text), idem_key, klass, attempts, extra,"
               " coalesce(json_extract(extra, '$.article_sent'), 0)");
    struct store_stmt *s = store_stmt(st, claim);
    int count = 0, rc;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, lease_ms);
    store_bind_int(s, 3, n);
    while (count < n && (rc = store_step(st, s)) == SQLITE_ROW) {
        struct out_item *it = &out[count++];
        *it = (struct out_item){0}; /* fallback starts false (valgrind caught it unset) */
        it->id = store_col_int64(s, 0);
        it->person = store_col_int64(s, 1);
        it->broadcast_id = store_col_int64(s, 2);
        it->channel = store_col_text(s, 3);
        it->to = store_col_text(s, 4);
        it->text = store_col_text(s, 5);
        it->idem_key = store_col_text(s, 6);
        it->klass = class_of(store_col_str(s, 7));
        it->attempts = store_col_int(s, 8);
        it->extra = store_col_type(s, 9) == SQLITE_NULL ? NULL : store_col_text(s, 9);
        it->article_sent = store_col_int(s, 10) != 0;
    }
    if (count < n && rc != SQLITE_DONE) {
        store_reset(s);
        for (int i = 0; i < count; i++)
            out_item_release(&out[i]);
        return store_fail(st, "outbox claim");
    }
    store_reset(s);
    return count;
}

static void read_rate(struct store_stmt *s, void *out)
{
    struct send_rate *r = out;
    r->channel = store_col_text(s, 0);
    r->tokens = store_col_double(s, 1);
    r->last_ms = store_col_int64(s, 2);
    r->paused_until = store_col_int64(s, 3);
}

static void rate_clear(void *p)
{
    free(((struct send_rate *)p)->channel);
}

int store_rate_make(struct store *st, const char *channel, double full, int64_t now)
{
    SQL(sql, "INSERT INTO send_rate(channel, tokens, last_ms, paused_until_ms)"
             " VALUES(?1, ?2, ?3, 0) ON CONFLICT(channel) DO NOTHING");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_double(s, 2, full);
    store_bind_int64(s, 3, now);
    return store_step_done(st, s, "send rate make");
}

int store_rate_lock(struct store *st, struct send_rate **v, size_t *n)
{
    /* PostgreSQL: the same text FOR UPDATE (bot/store_pg.c); the rows are
     * locked as they leave the sort, so in name order on every node */
    SQL(rate_lock, "SELECT channel, tokens, last_ms, paused_until_ms FROM send_rate"
                   " ORDER BY channel");
    struct store_stmt *s = store_stmt(st, rate_lock);
    if (s == NULL)
        return -1;
    return store_read_all(st, s, "send rate lock", read_rate, rate_clear, sizeof **v, (void **)v,
                          n);
}

void store_rates_free(struct send_rate *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, rate_clear);
}

int store_rate_save(struct store *st, const char *channel, double tokens, int64_t last_ms,
                    int64_t paused_until)
{
    SQL(sql, "UPDATE send_rate SET tokens=?2, last_ms=?3, paused_until_ms=?4 WHERE channel=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_double(s, 2, tokens);
    store_bind_int64(s, 3, last_ms);
    store_bind_int64(s, 4, paused_until);
    return store_step_done(st, s, "send rate save");
}

int store_outbox_reclaim(struct store *st, int64_t now)
{
    SQL(sql,
        "UPDATE outbox SET status='queued', updated_ms=?1, last_error='lease expired: sender died'"
        " WHERE status='sending' AND lease_until_ms<?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    int rc = store_step(st, s);
    store_reset(s);
    /* The sender reclaims every second: a write transaction that held the
     * database past the busy timeout (a content save rebuilding the rules
     * under valgrind) costs one round, not an error. */
    if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
        log_warn("store: outbox reclaim: the database stayed locked; again in a second");
        return -1;
    }
    if (rc != SQLITE_DONE)
        return store_fail(st, "outbox reclaim");
    return store_changes(st);
}

int store_outbox_merge_due(struct store *st, struct out_item *it, const char *claimed,
                           int64_t now)
{
    /* sent_text: a row sent in parts keeps only what is left to send */
    SQL(find, "SELECT id, coalesce(sent_text, text) FROM outbox WHERE channel=?1 AND to_ext=?2"
              " AND id<>?3 AND (status IN ('queued','held')"
              " OR (status='sending' AND id IN (SELECT value FROM json_each(?5))))"
              " AND next_at_ms<=?4 AND klass<>'reply' AND extra IS NULL"
              " AND (?6=0 OR klass<>?7) ORDER BY id");
    SQL(merge, "UPDATE outbox SET status='merged', merged_into=?2, updated_ms=?3 WHERE id=?1");
    SQL(save, "UPDATE outbox SET sent_text=?2 WHERE id=?1");
    struct store_stmt *s = store_stmt(st, find);
    struct buf text;
    int64_t ids[64];
    int n = 0, rc, ret = -1;
    if (it->klass == OUT_REPLY || s == NULL)
        return s == NULL ? -1 : 0;
    /* a carrier that goes to an opted-out person (a seat offer) takes no
     * bulk row in: out_class_heeds_optout */
    int out = out_class_heeds_optout(it->klass) ? 0 : store_person_opted_out(st, it->person);
    if (out == -1)
        return -1;
    buf_init(&text, 0);
    buf_puts(&text, it->text);
    store_bind_text(s, 1, it->channel);
    store_bind_text(s, 2, it->to);
    store_bind_int64(s, 3, it->id);
    store_bind_int64(s, 4, now);
    store_bind_text(s, 5, claimed ? claimed : "[]");
    store_bind_int(s, 6, out);
    store_bind_text(s, 7, out_class_name(OUT_BULK));
    while (n < 64 && (rc = store_step(st, s)) == SQLITE_ROW) {
        ids[n++] = store_col_int64(s, 0);
        buf_printf(&text, "\n\n%s", store_col_str(s, 1));
    }
    store_reset(s);
    if (n == 0) {
        ret = 0;
        goto out;
    }
    for (int i = 0; i < n; i++) {
        s = store_stmt(st, merge);
        if (s == NULL)
            goto out;
        store_bind_int64(s, 1, ids[i]);
        store_bind_int64(s, 2, it->id);
        store_bind_int64(s, 3, now);
        if (store_step_done(st, s, "outbox merge") == -1)
            goto out;
    }
    s = store_stmt(st, save);
    if (s == NULL)
        goto out;
    store_bind_int64(s, 1, it->id);
    store_bind_text(s, 2, text.data);
    if (store_step_done(st, s, "outbox merge text") == -1)
        goto out;
    free(it->text);
    it->text = buf_take(&text);
    ret = 0;
out:
    buf_release(&text);
    return ret;
}

int store_outbox_article_sent(struct store *st, int64_t id, int64_t now)
{
    SQL(article_sent,
        "UPDATE outbox SET extra=json_set(extra, '$.article_sent', json('true')), updated_ms=?2"
        " WHERE id=?1 AND extra IS NOT NULL");
    struct store_stmt *s = store_stmt(st, article_sent);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now);
    return store_step_done(st, s, "outbox article sent");
}

int store_outbox_defer(struct store *st, int64_t id, const char *status, int64_t next_at,
                       const char *why, int64_t now)
{
    SQL(sql, "UPDATE outbox SET status=?2, next_at_ms=?3,"
             " attempts=CASE WHEN attempts>0 THEN attempts-1 ELSE 0 END,"
             " last_error=coalesce(?4, last_error), updated_ms=?5 WHERE id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, status);
    store_bind_int64(s, 3, next_at);
    store_bind_text(s, 4, why);
    store_bind_int64(s, 5, now);
    return store_step_done(st, s, "outbox defer");
}

int store_outbox_mark(struct store *st, int64_t id, const char *status, const char *error,
                      const char *ext_msg_id, int64_t next_at, int64_t now)
{
    SQL(sql, "UPDATE outbox SET status=?2, last_error=?3, ext_msg_id=coalesce(?4, ext_msg_id),"
             " next_at_ms=?5, updated_ms=?6, lease_until_ms=NULL,"
             " sent_ms=CASE WHEN ?2='sent' THEN ?6 ELSE sent_ms END WHERE id=?1");
    SQL(follow, "UPDATE outbox SET status=?2, updated_ms=?3,"
                " sent_ms=CASE WHEN ?2='sent' THEN ?3 ELSE sent_ms END"
                " WHERE merged_into=?1 AND status='merged'");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, status);
    store_bind_text(s, 3, error);
    store_bind_text(s, 4, ext_msg_id);
    store_bind_int64(s, 5, next_at);
    store_bind_int64(s, 6, now);
    if (store_step_done(st, s, "outbox mark") == -1)
        return -1;
    if (strcmp(status, "queued") == 0)
        return 0; /* merged rows wait with their carrier */
    s = store_stmt(st, follow);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, status);
    store_bind_int64(s, 3, now);
    return store_step_done(st, s, "outbox mark merged");
}

int store_outbox_follow(struct store *st, int64_t id, int64_t carrier, int64_t now)
{
    /* the carrier waits (queued or held): wait with it, just after it in
     * id order; otherwise come back now on its own */
    SQL(sql, "UPDATE outbox SET attempts=CASE WHEN attempts>0 THEN attempts-1 ELSE 0 END,"
             " updated_ms=?3, lease_until_ms=NULL,"
             " status=coalesce((SELECT status FROM outbox c WHERE c.id=?2"
             " AND c.status IN ('queued','held')), 'queued'),"
             " next_at_ms=coalesce((SELECT CASE WHEN c.next_at_ms>?3 THEN c.next_at_ms ELSE ?3 END"
             " FROM outbox c WHERE c.id=?2 AND c.status IN ('queued','held')), ?3)"
             " WHERE id=?1 AND status='sending'");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, carrier);
    store_bind_int64(s, 3, now);
    return store_step_done(st, s, "outbox follow");
}

int store_outbox_next_part(struct store *st, int64_t id, const char *rest, const char *ext_msg_id,
                           int64_t now)
{
    SQL(sql, "UPDATE outbox SET status='queued', sent_text=?2, attempts=0, last_error=NULL,"
             " ext_msg_id=coalesce(?3, ext_msg_id), next_at_ms=?4, updated_ms=?4,"
             " lease_until_ms=NULL WHERE id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, rest);
    store_bind_text(s, 3, ext_msg_id);
    store_bind_int64(s, 4, now);
    return store_step_done(st, s, "outbox next part");
}

int store_person_opted_out(struct store *st, int64_t person)
{
    /* the opt-out is the account's (绑定): its canonical person holds it */
    SQL(sql, "SELECT c.opted_out FROM people p"
             " JOIN people c ON c.id=coalesce(p.account_id, p.id) WHERE p.id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    int rc = store_step(st, s), v = rc == SQLITE_ROW ? store_col_int(s, 0) != 0 : 1;
    store_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "person opted out");
    return v; /* a person who no longer exists gets nothing */
}


static void entry_read(struct store_stmt *s, void *out)
{
    struct outbox_entry *e = out;
    e->id = store_col_int64(s, 0);
    e->person = store_col_int64(s, 1);
    e->channel = store_col_text(s, 2);
    e->klass = store_col_text(s, 3);
    e->status = store_col_text(s, 4);
    e->attempts = store_col_int64(s, 5);
    e->last_error = store_col_text(s, 6);
    e->broadcast_id = store_col_int64(s, 7);
    e->text = store_col_text(s, 8);
    e->extra = store_col_text(s, 9);
    e->created_ms = store_col_int64(s, 10);
    e->updated_ms = store_col_int64(s, 11);
    e->next_at_ms = store_col_int64(s, 12);
    e->sent_ms = store_col_int64(s, 13);
}

static void entry_clear(void *out)
{
    struct outbox_entry *e = out;
    char *const strs[] = {e->channel, e->klass, e->status, e->last_error, e->text, e->extra};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(strs[i]);
}

void outbox_entry_free_all(struct outbox_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, entry_clear);
}

int store_outbox_list(struct store *st, const char *status, int limit, struct outbox_entry **v,
                      size_t *n)
{
    SQL(sql, "SELECT id, person_id, channel, klass, status, attempts, last_error, broadcast_id,"
             " text, extra, created_ms, updated_ms, next_at_ms, sent_ms FROM outbox"
             " WHERE CAST(?1 AS TEXT) IS NULL OR status=?1 ORDER BY id DESC LIMIT ?2");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, status);
    store_bind_int(s, 2, limit);
    return store_read_all(st, s, "outbox list", entry_read, entry_clear, sizeof **v, (void **)v, n);
}

int store_outbox_retry(struct store *st, int64_t id, int64_t now)
{
    SQL(sql, "UPDATE outbox SET status='queued', attempts=0, next_at_ms=?2, updated_ms=?2"
             " WHERE id=?1 AND status IN ('failed','dead')");
    /* rows folded into it ride with it again, as in store_outbox_retry_dead */
    SQL(riders, "UPDATE outbox SET status='merged', updated_ms=?2"
                " WHERE merged_into=?1 AND status IN ('failed','dead')");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now);
    if (store_step_done(st, s, "outbox retry") == -1)
        return -1;
    if (store_changes(st) == 0)
        return 0;
    s = store_stmt(st, riders);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now);
    return store_step_done(st, s, "outbox retry merged") == -1 ? -1 : 1;
}

int store_outbox_retry_dead(struct store *st, const char *channel, int64_t from, int64_t to,
                            int64_t now)
{
    /* dead rows only: a failed row was refused for good and stays so;
     * updated_ms is when the row died. Rows folded into a dead carrier go
     * back to merged (they ride with it again), so their text is not sent a
     * second time on its own. */
#define DEAD_CARRIERS                                                                              \
    " status='dead' AND merged_into IS NULL AND (CAST(?1 AS TEXT) IS NULL OR channel=?1)"          \
    " AND updated_ms>=?2 AND updated_ms<?3"
    SQL(riders, "UPDATE outbox SET status='merged', updated_ms=?4 WHERE status='dead'"
                " AND merged_into IN (SELECT id FROM outbox WHERE" DEAD_CARRIERS ")");
    SQL(carriers, "UPDATE outbox SET status='queued', attempts=0, next_at_ms=?4, updated_ms=?4,"
                  " lease_until_ms=NULL WHERE" DEAD_CARRIERS);
#undef DEAD_CARRIERS
    const struct store_sql *const sql[] = {riders, carriers};
    int n = 0;
    for (int i = 0; i < 2; i++) {
        struct store_stmt *s = store_stmt(st, sql[i]);
        if (s == NULL)
            return -1;
        store_bind_text(s, 1, channel);
        store_bind_int64(s, 2, from);
        store_bind_int64(s, 3, to);
        store_bind_int64(s, 4, now);
        if (store_step_done(st, s, "outbox retry dead") == -1)
            return -1;
        n += store_changes(st);
    }
    return n;
}

static void undelivered_read(struct store_stmt *s, void *out)
{
    struct undelivered *u = out;
    u->channel = store_col_text(s, 0);
    u->status = store_col_text(s, 1);
    u->error = store_col_text(s, 2);
    u->count = store_col_int64(s, 3);
    u->first_ms = store_col_int64(s, 4);
    u->last_ms = store_col_int64(s, 5);
}

static void undelivered_clear(void *out)
{
    struct undelivered *u = out;
    free(u->channel);
    free(u->status);
    free(u->error);
}

void undelivered_free_all(struct undelivered *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, undelivered_clear);
}

int store_outbox_undelivered(struct store *st, int limit, struct undelivered **v, size_t *n)
{
    SQL(sql, "SELECT channel, status, coalesce(last_error, ''), count(*), min(updated_ms),"
             " max(updated_ms) FROM outbox WHERE status IN ('dead','failed')"
             " GROUP BY channel, status, last_error ORDER BY count(*) DESC, channel LIMIT ?1");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, limit);
    return store_read_all(st, s, "outbox undelivered", undelivered_read, undelivered_clear,
                          sizeof **v, (void **)v, n);
}

/* Split an audience into (kind, value); -1 when unknown. */
static int audience_parse(const char *a, int *kind, const char **value)
{
    *value = "";
    if (strcmp(a, "all") == 0)
        *kind = 0;
    else if (strcmp(a, "subscribers") == 0)
        *kind = 1;
    else if (str_has_prefix(a, "channel:") && a[8]) {
        *kind = 2;
        *value = a + 8;
    } else if (str_has_prefix(a, "tag:") && a[4]) {
        *kind = 3;
        *value = a + 4;
    } else if (str_has_prefix(a, "filter:") && a[7]) {
        *kind = 4; /* filter_members, resolved just before (people.h) */
        *value = a + 7;
    } else
        return -1;
    return 0;
}

/* The audience as a WHERE clause over people (?1 kind, ?2 value). A linked
 * account (绑定) counts once, on the channel it used last, except for a
 * channel:<name> audience, which means that channel's people. Each subquery
 * is an index search per person (people_account_key; CROSS JOIN keeps the tag
 * lookup on the tags primary key), so a broadcast stays linear. */
#define AUDIENCE_WHERE                                                                             \
    " (?1 IN (0, 1) OR (?1=2 AND channel=?2) OR"                                                   \
    " (?1=3 AND EXISTS(SELECT 1 FROM people t CROSS JOIN tags WHERE tags.tag=?2 AND"               \
    " tags.person_id=t.id AND coalesce(t.account_id, t.id)=coalesce(people.account_id,"            \
    " people.id))) OR"                                                                             \
    " (?1=4 AND coalesce(people.account_id, people.id) IN (SELECT person_id FROM filter_members"    \
    " WHERE name=?2)))"                                                                            \
    " AND (?1=2 OR NOT EXISTS(SELECT 1 FROM people q WHERE q.id<>people.id AND"                  \
    " coalesce(q.account_id, q.id)=coalesce(people.account_id, people.id) AND"                    \
    " (q.last_seen_ms>people.last_seen_ms OR (q.last_seen_ms=people.last_seen_ms AND q.id>people.id))))"

int store_audience_count(struct store *st, const char *audience, struct audience_count *out)
{
    SQL(sql, "SELECT channel, sum(CASE WHEN opted_out=0 AND consent IS NOT NULL THEN 1 ELSE 0 END),"
             " sum(CASE WHEN opted_out<>0 THEN 1 ELSE 0 END),"
             " sum(CASE WHEN opted_out=0 AND consent IS NULL THEN 1 ELSE 0 END)"
             " FROM people WHERE" AUDIENCE_WHERE " GROUP BY channel");
    int kind, rc;
    const char *value;
    memset(out, 0, sizeof *out);
    if (audience_parse(audience, &kind, &value) == -1)
        return log_fail("store: unknown audience");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, kind);
    store_bind_text(s, 2, value);
    out->by_channel = json_object();
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        int64_t in = store_col_int64(s, 1), outs = store_col_int64(s, 2);
        json_object_set_new(out->by_channel, store_col_str(s, 0),
                            json_integer(in));
        out->recipients += in;
        out->opted_out += outs;
        out->no_consent += store_col_int64(s, 3);
    }
    store_reset(s);
    if (rc != SQLITE_DONE) {
        json_decref(out->by_channel);
        out->by_channel = NULL;
        return store_fail(st, "audience count");
    }
    return 0;
}

int store_broadcast_create(struct store *st, const char *text, const char *audience,
                           int64_t at, int64_t first_at, const char *status, int64_t spread_ms,
                           int parts, int64_t now, int64_t *id, int64_t *recipients)
{
    SQL(add, "INSERT INTO broadcasts(text, audience, at_ms, spread_ms, sms_parts,"
             " created_ms) VALUES(?,?,?,?,?,?)");
    SQL(fan, "INSERT INTO outbox(person_id, channel, to_ext, klass, text, idem_key, broadcast_id,"
             " status, next_at_ms, created_ms, updated_ms)"
             " SELECT id, channel, ext_id, 'bulk', ?3, 'bc' || CAST(?4 AS BIGINT) || '-' || id,"
             " ?4, ?5, ?6 + (row_number() OVER (ORDER BY id) - 1) * ?7"
             " / CASE WHEN ?8>1 THEN ?8 ELSE 1 END, ?9, ?9"
             " FROM people WHERE opted_out=0 AND consent IS NOT NULL AND" AUDIENCE_WHERE);
    SQL(count, "UPDATE broadcasts SET recipients=?2 WHERE id=?1");
    struct audience_count ac;
    int kind;
    const char *value;
    if (audience_parse(audience, &kind, &value) == -1)
        return log_fail("store: unknown audience");
    if (store_audience_count(st, audience, &ac) == -1)
        return -1;
    json_decref(ac.by_channel);
    struct store_stmt *s = store_stmt(st, add);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, text);
    store_bind_text(s, 2, audience);
    store_bind_int64(s, 3, at);
    store_bind_int64(s, 4, spread_ms);
    store_bind_int(s, 5, parts);
    store_bind_int64(s, 6, now);
    if (store_step_done(st, s, "broadcast add") == -1)
        return -1;
    *id = store_last_id(st);
    s = store_stmt(st, fan);
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, kind);
    store_bind_text(s, 2, value);
    store_bind_text(s, 3, text);
    store_bind_int64(s, 4, *id);
    store_bind_text(s, 5, status);
    store_bind_int64(s, 6, first_at);
    store_bind_int64(s, 7, spread_ms);
    store_bind_int64(s, 8, ac.recipients);
    store_bind_int64(s, 9, now);
    if (store_step_done(st, s, "broadcast fan-out") == -1)
        return -1;
    *recipients = store_changes(st);
    s = store_stmt(st, count);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, *id);
    store_bind_int64(s, 2, *recipients);
    return store_step_done(st, s, "broadcast count");
}

int store_broadcast_set_extra(struct store *st, int64_t id, const char *extra)
{
    SQL(sql, "UPDATE outbox SET extra=?2 WHERE broadcast_id=?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, extra);
    return store_step_done(st, s, "broadcast extra");
}

const char *const bc_count_names[BC_N] = {"queued", "held", "sending",  "sent",
                                          "failed", "dead", "cancelled"};

static void error_read(struct store_stmt *s, void *out)
{
    struct broadcast_error *e = out;
    e->status = store_col_text(s, 0);
    e->error = store_col_text(s, 1);
    e->count = store_col_int64(s, 2);
}

static void error_clear(void *out)
{
    struct broadcast_error *e = out;
    free(e->status);
    free(e->error);
}

/* Why b's rows did not go out into b->errors, most first: 0 or -1. */
static int broadcast_errors(struct store *st, struct broadcast_info *b)
{
    SQL(sql, "SELECT status, coalesce(last_error, ''), count(*) FROM outbox"
             " WHERE broadcast_id=?1 AND status IN ('failed','dead') GROUP BY status, last_error"
             " ORDER BY count(*) DESC LIMIT 10");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, b->id);
    return store_read_all(st, s, "broadcast errors", error_read, error_clear, sizeof *b->errors,
                          (void **)&b->errors, &b->nerrors);
}

void broadcast_info_clear(struct broadcast_info *b)
{
    free(b->text);
    free(b->audience);
    store_free_rows(b->errors, b->nerrors, sizeof *b->errors, error_clear);
}

static void info_clear(void *out)
{
    broadcast_info_clear(out);
}

void broadcast_info_free_all(struct broadcast_info *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, info_clear);
}

/* The columns of broadcasts every reading selects first, b. its alias. */
#define BC_COLS(b)                                                                                 \
    b "id, " b "text, " b "audience, " b "at_ms, " b "spread_ms, " b "recipients, " b "sms_parts, " \
    b "created_ms, " b "cancelled_ms"

/* Those columns, then (the list) the counts in enum bc_count's order. */
static void info_read(struct store_stmt *s, void *out)
{
    struct broadcast_info *b = out;
    b->id = store_col_int64(s, 0);
    b->text = store_col_text(s, 1);
    b->audience = store_col_text(s, 2);
    b->at_ms = store_col_int64(s, 3);
    b->spread_ms = store_col_int64(s, 4);
    b->recipients = store_col_int64(s, 5);
    b->sms_parts = store_col_int64(s, 6);
    b->created_ms = store_col_int64(s, 7);
    b->cancelled_ms = store_col_int64(s, 8);
    for (int k = 0; k < BC_N && 9 + k < store_col_count(s); k++)
        b->counts[k] = store_col_int64(s, 9 + k);
}

/* A row status's place among the counts; merged counts as queued. */
static int count_of(const char *status)
{
    for (int k = 0; k < BC_N; k++)
        if (strcmp(bc_count_names[k], status) == 0)
            return k;
    return BC_QUEUED;
}

int store_broadcast_get(struct store *st, int64_t id, struct broadcast_info *out)
{
    SQL(one, "SELECT " BC_COLS("") " FROM broadcasts WHERE id=?");
    SQL(counts, "SELECT status, count(*) FROM outbox WHERE broadcast_id=? GROUP BY status");
    struct store_stmt *s = store_stmt(st, one);
    int rc, found;
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    found = store_read_one(st, s, "broadcast get", info_read, out, sizeof *out);
    if (found != 1)
        return found;
    s = store_stmt(st, counts);
    if (s == NULL)
        goto fail;
    store_bind_int64(s, 1, id);
    while ((rc = store_step(st, s)) == SQLITE_ROW)
        out->counts[count_of(store_col_str(s, 0))] += store_col_int64(s, 1);
    store_reset(s);
    if (rc != SQLITE_DONE) {
        store_fail(st, "broadcast counts");
        goto fail;
    }
    if (broadcast_errors(st, out) == 0)
        return 1;
fail:
    broadcast_info_clear(out);
    memset(out, 0, sizeof *out);
    return -1;
}

int store_broadcast_list(struct store *st, int limit, struct broadcast_info **v, size_t *n)
{
    /* a merged row goes out inside another: it counts as queued, as in _get */
    SQL(sql, "SELECT " BC_COLS("b.") ","
             " count(CASE WHEN o.status IN ('queued','merged') THEN 1 END),"
             " count(CASE WHEN o.status='held' THEN 1 END),"
             " count(CASE WHEN o.status='sending' THEN 1 END),"
             " count(CASE WHEN o.status='sent' THEN 1 END),"
             " count(CASE WHEN o.status='failed' THEN 1 END),"
             " count(CASE WHEN o.status='dead' THEN 1 END),"
             " count(CASE WHEN o.status='cancelled' THEN 1 END)"
             " FROM (SELECT " BC_COLS("") " FROM broadcasts ORDER BY id DESC LIMIT ?1) b"
             " LEFT JOIN outbox o ON o.broadcast_id=b.id GROUP BY " BC_COLS("b.")
             " ORDER BY b.id DESC");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, limit);
    if (store_read_all(st, s, "broadcast list", info_read, info_clear, sizeof **v, (void **)v, n) ==
        -1)
        return -1;
    for (size_t i = 0; i < *n; i++) {
        struct broadcast_info *b = &(*v)[i];
        if (b->counts[BC_FAILED] + b->counts[BC_DEAD] > 0 && broadcast_errors(st, b) == -1) {
            broadcast_info_free_all(*v, *n);
            *v = NULL;
            *n = 0;
            return -1;
        }
    }
    return 0;
}

int store_broadcast_cancel(struct store *st, int64_t id, int64_t now, int *found)
{
    SQL(mark, "UPDATE broadcasts SET cancelled_ms=coalesce(cancelled_ms, ?2) WHERE id=?1");
    SQL(rows,
        "UPDATE outbox SET status='cancelled', last_error='broadcast cancelled', updated_ms=?2"
        " WHERE broadcast_id=?1 AND status IN ('queued','held','merged')");
    struct store_stmt *s = store_stmt(st, mark);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now);
    if (store_step_done(st, s, "broadcast cancel") == -1)
        return -1;
    *found = store_changes(st) > 0;
    if (!*found)
        return 0;
    s = store_stmt(st, rows);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, now);
    if (store_step_done(st, s, "broadcast cancel rows") == -1)
        return -1;
    return store_changes(st);
}

int store_tag_add(struct store *st, int64_t person, const char *tag)
{
    SQL(sql, "INSERT INTO tags(person_id, tag) VALUES(?,?) ON CONFLICT DO NOTHING");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, tag);
    return store_step_done(st, s, "tag add");
}

int store_outbox_has_key(struct store *st, const char *key)
{
    SQL(sql, "SELECT 1 FROM outbox WHERE idem_key=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    if (store_bind_text(s, 1, key) != SQLITE_OK)
        return store_fail(st, "outbox key bind");
    int rc = store_step(st, s);
    store_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, "outbox key");
    return rc == SQLITE_ROW;
}
