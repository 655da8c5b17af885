/*
 * test_store.c - the SQLite store: migrations and file mode, people, inbound
 * dedupe, expiring state, the not-understood list, the probe, and savepoints
 * inside the writer's batch transaction.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "store_int.h" /* store_db(), to look at rows the API does not return */
#include "t.h"
#include "util.h"

/* One text from a query (caller frees), or NULL. */
static char *query_text(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return NULL;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
        v = xstrdup((const char *)sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

static void test_store_migrate_empty_file_then_reopen(void)
{
    char *path = xasprintf("%s/bot.db", t_tmpdir());
    FILE *f = fopen(path, "w"); /* an empty file, as a fresh deployment might have */
    CHECK(f != NULL);
    if (f != NULL)
        fclose(f);
    struct store *st = store_open(path, true);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int v = store_version(st);
    CHECK(v >= 1);
    CHECK_INT(t_query_int(st, "PRAGMA user_version"), v);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM sqlite_master WHERE name='inbound'"), 1);
    int64_t id = 0;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-1", "张师傅", 1000, &id), 0);
    CHECK_INT(store_commit(st), 0);
    store_close(st);

    /* reopening runs nothing and keeps the data */
    st = store_open(path, false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    CHECK_INT(store_version(st), v);
    CHECK_INT(t_query_int(st, "PRAGMA user_version"), v);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM people"), 1);
    int64_t id2 = 0;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-1", NULL, 2000, &id2), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(id2, id);
    store_close(st);
out:
    free(path);
}

static void test_store_refuses_newer_schema(void)
{
    char *path = xasprintf("%s/bot.db", t_tmpdir());
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "PRAGMA user_version=9999", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    struct store *st = store_open(path, true);
    CHECK(st == NULL);
    store_close(st);
    free(path);
}

static void test_store_file_mode_0600(void)
{
    char *path = xasprintf("%s/new.db", t_tmpdir());
    struct store *st = store_open(path, true);
    CHECK(st != NULL);
    struct stat sb;
    CHECK_INT(stat(path, &sb), 0);
    CHECK_INT(sb.st_mode & 0777, 0600);
    store_close(st);
    free(path);
}

static void test_store_open_bad_path(void)
{
    struct store *st = store_open("/nonexistent-dir/x/bot.db", true);
    CHECK(st == NULL);
}

static void test_store_person_ensure(void)
{
    struct store *st = store_open(":memory:", false);
    int64_t a = 0, b = 0, c = 0;
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-42", "张三", 1000, &a), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-42", "张师傅", 2000, &b), 0);
    CHECK_INT(a, b);
    char *name = query_text(st, "SELECT name FROM people");
    CHECK_STR(name, "张师傅");
    free(name);
    /* no name this time: the known one stays */
    CHECK_INT(store_person_ensure(st, "generic", "u-42", NULL, 3000, &b), 0);
    CHECK_INT(a, b);
    name = query_text(st, "SELECT name FROM people");
    CHECK_STR(name, "张师傅");
    free(name);
    /* last seen is kept to the minute for someone not linked (绑定) */
    CHECK_INT(t_query_int(st, "SELECT last_seen_ms FROM people"), 2000);
    CHECK_INT(store_person_ensure(st, "generic", "u-42", NULL, 61999, &b), 0);
    CHECK_INT(t_query_int(st, "SELECT last_seen_ms FROM people"), 2000);
    CHECK_INT(store_person_ensure(st, "generic", "u-42", NULL, 62000, &b), 0);
    CHECK_INT(t_query_int(st, "SELECT last_seen_ms FROM people"), 62000);
    CHECK_INT(a, b);
    /* the same user id on another channel is another person */
    CHECK_INT(store_person_ensure(st, "console", "u-42", NULL, 3000, &c), 0);
    CHECK_INT(t_query_int(st, "SELECT last_seen_ms FROM people WHERE channel='console'"), 3000);
    CHECK(c != a);
    struct person_info pi;
    CHECK_INT(store_person_info(st, a, &pi), 0);
    CHECK_INT(pi.created_ms, 1000);
    CHECK(!pi.opted_out);
    CHECK_INT(pi.opt_changed_ms, 0);
    CHECK_INT(store_person_set_optout(st, a, true, 4000), 0);
    CHECK_INT(store_person_info(st, a, &pi), 0);
    CHECK(pi.opted_out);
    CHECK_INT(pi.opt_changed_ms, 4000);
    CHECK_INT(store_person_info(st, 9999, &pi), -1);
    CHECK_INT(store_commit(st), 0);
    store_close(st);
}

static void test_store_inbound_add_get_unique(void)
{
    struct store *st = store_open(":memory:", false);
    int64_t p = 0, q = 0;
    char *replies = NULL, *intent = NULL;
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-1", NULL, 1000, &p), 0);
    CHECK_INT(store_inbound_get(st, "generic", "u-1", "m-1", 1000, &replies, &intent), 0);
    CHECK_INT(store_inbound_add(st, "generic", "m-1", p, "积分", "points.balance",
                                "[{\"text\":\"a\"}]", 1000),
              0);
    CHECK_INT(store_inbound_get(st, "generic", "u-1", "m-1", 1000, &replies, &intent), 1);
    CHECK_STR(replies, "[{\"text\":\"a\"}]");
    CHECK_STR(intent, "points.balance");
    free(replies);
    free(intent);
    replies = intent = NULL;
    /* UNIQUE(channel, ext_id, sender): a second add of the same message fails */
    CHECK_INT(store_inbound_add(st, "generic", "m-1", p, "x", "help", "[]", 2000), -1);
    CHECK_INT(store_inbound_count(st), 1);
    /* the same ext_id on another channel is another message; intent may be NULL */
    CHECK_INT(store_person_ensure(st, "console", "u-1", NULL, 1000, &q), 0);
    CHECK_INT(store_inbound_add(st, "console", "m-1", q, NULL, NULL, "[]", 2000), 0);
    CHECK_INT(store_inbound_get(st, "console", "u-1", "m-1", 2000, &replies, &intent), 1);
    CHECK_STR(replies, "[]");
    CHECK(intent == NULL);
    free(replies);
    free(intent);
    CHECK_INT(store_inbound_count(st), 2);
    CHECK_INT(store_commit(st), 0);
    store_close(st);
}

/* Issue 15: the dedupe key is the sender's: another sender's message with
 * the same id is not a repeat; and it lapses after INBOUND_DEDUPE_MS, when
 * the same sender may reuse the id (the old row is kept, moved aside). */
static void test_store_inbound_scoped_and_lapses(void)
{
    struct store *st = store_open(":memory:", false);
    int64_t a = 0, b = 0, later = 1000 + INBOUND_DEDUPE_MS;
    char *r = NULL, *i = NULL;
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "telegram", "42", NULL, 1000, &a), 0);
    CHECK_INT(store_person_ensure(st, "telegram", "43", NULL, 1000, &b), 0);
    CHECK_INT(store_inbound_add(st, "telegram", "7", a, "绑定", "account.link", "[\"A\"]", 1000), 0);
    CHECK_INT(store_inbound_get(st, "telegram", "43", "7", 2000, &r, &i), 0);
    CHECK_INT(store_inbound_get(st, "telegram", "nobody", "7", 2000, &r, &i), 0);
    CHECK_INT(store_inbound_add(st, "telegram", "7", b, "积分", "points", "[\"B\"]", 2000), 0);
    CHECK_INT(store_inbound_get(st, "telegram", "43", "7", 2000, &r, &i), 1);
    CHECK_STR(r, "[\"B\"]");
    free(r);
    free(i);
    CHECK_INT(store_inbound_get(st, "telegram", "42", "7", later - 1, &r, &i), 1);
    CHECK_STR(r, "[\"A\"]");
    free(r);
    free(i);
    CHECK_INT(store_inbound_get(st, "telegram", "42", "7", later, &r, &i), 0);
    CHECK_INT(store_inbound_add(st, "telegram", "7", a, "积分", "points", "[\"C\"]", later), 0);
    CHECK_INT(store_inbound_get(st, "telegram", "42", "7", later, &r, &i), 1);
    CHECK_STR(r, "[\"C\"]");
    free(r);
    free(i);
    CHECK_INT(store_inbound_count(st), 3);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM inbound WHERE ext_id LIKE '7~%'"), 1);
    CHECK_INT(store_commit(st), 0);
    store_close(st);
}

/* The turn's one lookup (store_arrival): the sender's row as
 * store_person_arrive finds it, and the message's key as store_inbound_get
 * reads it, within the window a replay, past it taken (store_inbound_put
 * moves the old row aside), scoped to the sender. */
static void test_store_arrival(void)
{
    struct store *st = store_open(":memory:", false);
    struct arrival a;
    int64_t p = 0, acc = 0, later = 1000 + INBOUND_DEDUPE_MS;
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_arrival(st, "telegram", "42", NULL, "7", 1000, &a), 0);
    CHECK(!a.known && a.replay == 0 && !a.taken);
    CHECK_INT(store_person_arrived(st, &a, "telegram", "42", "Li", 1000, &p, &acc), 1);
    CHECK(p > 0 && acc == p);
    CHECK_INT(store_inbound_put(st, &a, "telegram", "7", p, "积分", "points", "[\"A\"]", 1000), 0);
    arrival_release(&a);
    /* known, fresh and the same name: nothing to write */
    CHECK_INT(store_arrival(st, "telegram", "42", "Li", "7", 2000, &a), 0);
    CHECK(a.known && a.id == p && a.account == p && !a.stale);
    CHECK_INT(a.replay, 1);
    CHECK_STR(a.replies, "[\"A\"]");
    CHECK_STR(a.intent, "points");
    arrival_release(&a);
    /* another name: stale, written as store_person_arrive would */
    CHECK_INT(store_arrival(st, "telegram", "42", "Wang", "8", 2000, &a), 0);
    CHECK(a.known && a.stale && a.replay == 0 && !a.taken && a.replies == NULL);
    CHECK_INT(store_person_arrived(st, &a, "telegram", "42", "Wang", 2000, &p, &acc), 0);
    arrival_release(&a);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM people WHERE name='Wang'"), 1);
    /* another sender's message with the same id is not this one's */
    CHECK_INT(store_arrival(st, "telegram", "43", NULL, "7", 2000, &a), 0);
    CHECK(!a.known && a.replay == 0 && !a.taken);
    arrival_release(&a);
    /* past the window: not a replay, the key taken; the new row is stored */
    CHECK_INT(store_arrival(st, "telegram", "42", "Wang", "7", later, &a), 0);
    CHECK(a.replay == 0 && a.taken && a.replies == NULL);
    CHECK_INT(store_inbound_put(st, &a, "telegram", "7", p, "积分", "points", "[\"C\"]", later), 0);
    arrival_release(&a);
    CHECK_INT(store_arrival(st, "telegram", "42", "Wang", "7", later, &a), 0);
    CHECK_INT(a.replay, 1);
    CHECK_STR(a.replies, "[\"C\"]");
    arrival_release(&a);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM inbound WHERE ext_id LIKE '7~%'"), 1);
    CHECK_INT(store_commit(st), 0);
    store_close(st);
}

static void test_store_inbound_needs_person(void)
{
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    /* foreign_keys=ON: no such person */
    CHECK_INT(store_inbound_add(st, "generic", "m-1", 77, "x", "help", "[]", 1000), -1);
    CHECK_INT(store_rollback(st), 0);
    store_close(st);
}

static void test_store_state_get_set_expire_del(void)
{
    struct store *st = store_open(":memory:", false);
    int64_t p = 0;
    char *v = NULL;
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-1", NULL, 1000, &p), 0);
    CHECK_INT(store_state_get(st, p, "menu", 1000, &v), 0);
    CHECK_INT(store_state_set(st, p, "menu", "[\"积分\"]", 5000), 0);
    CHECK_INT(store_state_get(st, p, "menu", 4999, &v), 1);
    CHECK_STR(v, "[\"积分\"]");
    free(v);
    v = NULL;
    /* expires_ms is the first moment it is gone */
    CHECK_INT(store_state_get(st, p, "menu", 5000, &v), 0);
    CHECK(v == NULL);
    /* set replaces, and keys are separate */
    CHECK_INT(store_state_set(st, p, "menu", "new", 9000), 0);
    CHECK_INT(store_state_set(st, p, "more", "rest", 9000), 0);
    CHECK_INT(store_state_get(st, p, "menu", 6000, &v), 1);
    CHECK_STR(v, "new");
    free(v);
    v = NULL;
    CHECK_INT(store_state_del(st, p, "menu"), 0);
    CHECK_INT(store_state_get(st, p, "menu", 6000, &v), 0);
    CHECK_INT(store_state_get(st, p, "more", 6000, &v), 1);
    CHECK_STR(v, "rest");
    free(v);
    CHECK_INT(store_state_del(st, p, "absent"), 0);
    CHECK_INT(store_commit(st), 0);
    store_close(st);
}

/* The copy of a person's state rows kept within a transaction answers as
 * the table would: after a set and a del of its person, after a rollback to
 * a savepoint, for another person, and in the next transaction after a
 * write it did not see (another store's). */
static void test_store_state_read_once(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/state.db", t_tmpdir());
    struct store *st = store_open(path, false), *other = store_open(path, false);
    int64_t p = 0, q = 0;
    char *v = NULL;
    CHECK(st != NULL && other != NULL);
    if (st == NULL || other == NULL)
        goto out;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-1", NULL, 1000, &p), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-2", NULL, 1000, &q), 0);
    CHECK_INT(store_state_set(st, p, "a", "1", 9000), 0);
    CHECK_INT(store_state_set(st, q, "a", "q1", 9000), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_state_get(st, p, "a", 2000, &v), 1); /* read p's rows */
    CHECK_STR(v, "1");
    free(v);
    CHECK_INT(store_state_set(st, p, "b", "2", 9000), 0);
    CHECK_INT(store_state_get(st, p, "b", 2000, &v), 1);
    CHECK_STR(v, "2");
    free(v);
    CHECK_INT(store_state_get(st, q, "a", 2000, &v), 1); /* another person */
    CHECK_STR(v, "q1");
    free(v);
    CHECK_INT(store_state_get(st, p, "b", 2000, &v), 1);
    CHECK_STR(v, "2");
    free(v);
    CHECK_INT(store_savepoint(st), 0);
    CHECK_INT(store_state_set(st, p, "c", "3", 9000), 0);
    CHECK_INT(store_state_del(st, p, "a"), 0);
    CHECK_INT(store_state_get(st, p, "a", 2000, &v), 0);
    CHECK_INT(store_rollback_to(st), 0); /* the set and the del undone */
    CHECK_INT(store_state_get(st, p, "c", 2000, &v), 0);
    CHECK_INT(store_state_get(st, p, "a", 2000, &v), 1);
    CHECK_STR(v, "1");
    free(v);
    CHECK_INT(store_commit(st), 0);
    /* written by another store between two transactions of this one */
    CHECK_INT(store_begin(other), 0);
    CHECK_INT(store_state_set(other, p, "a", "other", 9000), 0);
    CHECK_INT(store_commit(other), 0);
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_state_get(st, p, "a", 2000, &v), 1);
    CHECK_STR(v, "other");
    free(v);
    CHECK_INT(store_commit(st), 0);
    /* outside a transaction: read each time */
    CHECK_INT(store_state_get(st, p, "b", 2000, &v), 1);
    CHECK_STR(v, "2");
    free(v);
out:
    store_close(st);
    store_close(other);
}

struct top {
    int n;
    char text[8][32];
    int64_t count[8], last[8];
};

static void collect(const char *text, int64_t count, int64_t last_ms, bool asked, void *ctx)
{
    struct top *t = ctx;
    (void)asked;
    if (t->n < 8) {
        snprintf(t->text[t->n], sizeof t->text[0], "%s", text);
        t->count[t->n] = count;
        t->last[t->n] = last_ms;
        t->n++;
    }
}

static void test_store_unknown_top(void)
{
    struct store *st = store_open(":memory:", false);
    struct top t = {0};
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_unknown_top(st, 10, collect, &t), 0);
    CHECK_INT(store_unknown_add(st, "once", 100), 0);
    CHECK_INT(store_unknown_add(st, "thrice", 200), 0);
    CHECK_INT(store_unknown_add(st, "twice", 300), 0);
    CHECK_INT(store_unknown_add(st, "thrice", 400), 0);
    CHECK_INT(store_unknown_add(st, "twice", 500), 0);
    CHECK_INT(store_unknown_add(st, "thrice", 600), 0);
    CHECK_INT(store_unknown_add(st, "also once", 700), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(store_unknown_top(st, 10, collect, &t), 4);
    CHECK_STR(t.text[0], "thrice");
    CHECK_INT(t.count[0], 3);
    CHECK_INT(t.last[0], 600);
    CHECK_STR(t.text[1], "twice");
    CHECK_INT(t.count[1], 2);
    /* equal counts: the most recent first */
    CHECK_STR(t.text[2], "also once");
    CHECK_STR(t.text[3], "once");
    CHECK_INT(t.count[3], 1);
    CHECK_INT(t.last[3], 100);
    memset(&t, 0, sizeof t);
    CHECK_INT(store_unknown_top(st, 2, collect, &t), 2);
    CHECK_STR(t.text[1], "twice");
    store_close(st);
}

/* Unknown texts are written at COMMIT (store.c, unknown_flush): a rolled
 * back transaction counts none, and one that commits counts each once. */
static void test_store_unknown_counted_at_commit(void)
{
    struct store *st = store_open(":memory:", false);
    struct top t = {0};
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_unknown_add(st, "gone", 100), 0);
    CHECK_INT(store_rollback(st), 0);
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_unknown_asked(st, "kept", 200), 0);
    CHECK_INT(store_unknown_add(st, "kept", 300), 0);
    CHECK_INT(store_unknown_asked(st, "kept", 400), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(store_unknown_add(st, "outside", 500), 0); /* no transaction: at once */
    CHECK_INT(store_unknown_top(st, 10, collect, &t), 2);
    CHECK_STR(t.text[0], "kept");
    CHECK_INT(t.count[0], 3);
    CHECK_INT(t.last[0], 400);
    CHECK_STR(t.text[1], "outside");
    CHECK_INT(t_query_int(st, "SELECT asked FROM unknown WHERE text='kept'"), 1);
    CHECK_INT(t_query_int(st, "SELECT first_ms FROM unknown WHERE text='kept'"), 200);
    store_close(st);
}

static void test_store_probe(void)
{
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_probe(st, 1234), 0);
    CHECK_INT(t_query_int(st, "SELECT v FROM meta WHERE k='probe'"), 1234);
    CHECK_INT(store_probe(st, 5678), 0);
    CHECK_INT(t_query_int(st, "SELECT v FROM meta WHERE k='probe'"), 5678);
    /* the probe committed: a new transaction can start */
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_commit(st), 0);
    store_close(st);
}

/* The writer's batch: one transaction, a savepoint per turn; a failed turn's
 * writes are undone while the others commit. */
static void test_store_savepoint_rollback_to(void)
{
    char *path = xasprintf("%s/bot.db", t_tmpdir());
    struct store *st = store_open(path, true);
    int64_t p = 0;
    char *r = NULL, *i = NULL, *v = NULL;
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    CHECK_INT(store_begin(st), 0);

    CHECK_INT(store_savepoint(st), 0);
    CHECK_INT(store_person_ensure(st, "generic", "u-1", NULL, 1000, &p), 0);
    CHECK_INT(store_inbound_add(st, "generic", "m-1", p, "a", "help", "[]", 1000), 0);
    CHECK_INT(store_release(st), 0);

    CHECK_INT(store_savepoint(st), 0);
    CHECK_INT(store_inbound_add(st, "generic", "m-2", p, "b", "help", "[]", 1000), 0);
    CHECK_INT(store_state_set(st, p, "menu", "x", 9000), 0);
    CHECK_INT(store_unknown_add(st, "b", 1000), 0);
    CHECK_INT(store_rollback_to(st), 0);

    CHECK_INT(store_savepoint(st), 0);
    CHECK_INT(store_inbound_add(st, "generic", "m-3", p, "c", "help", "[]", 1000), 0);
    CHECK_INT(store_release(st), 0);

    CHECK_INT(store_commit(st), 0);
    store_close(st);

    st = store_open(path, true);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    CHECK_INT(store_inbound_count(st), 2);
    CHECK_INT(store_inbound_get(st, "generic", "u-1", "m-1", 1000, &r, &i), 1);
    free(r);
    free(i);
    CHECK_INT(store_inbound_get(st, "generic", "u-1", "m-2", 1000, &r, &i), 0);
    CHECK_INT(store_inbound_get(st, "generic", "u-1", "m-3", 1000, &r, &i), 1);
    free(r);
    free(i);
    CHECK_INT(store_state_get(st, p, "menu", 1000, &v), 0);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM unknown"), 0);
    store_close(st);
out:
    free(path);
}

const struct t_case store_tests[] = {T(test_store_migrate_empty_file_then_reopen),
                                     T(test_store_refuses_newer_schema),
                                     T(test_store_file_mode_0600),
                                     T(test_store_open_bad_path),
                                     T(test_store_person_ensure),
                                     T(test_store_inbound_add_get_unique), T(test_store_arrival),
                                     T(test_store_inbound_needs_person),
                                     T(test_store_inbound_scoped_and_lapses),
                                     T(test_store_state_get_set_expire_del), T(test_store_state_read_once),
                                     T(test_store_unknown_top),
                                     T(test_store_unknown_counted_at_commit),
                                     T(test_store_probe),
                                     T(test_store_savepoint_rollback_to),
                                     T_END};
