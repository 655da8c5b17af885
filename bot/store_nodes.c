/*
 * store_nodes.c - what several `yizhan serve` processes on one PostgreSQL
 * database need besides the sender's and the fetcher's claims (those are
 * FOR UPDATE SKIP LOCKED in bot/store_pg.c): a periodic job runs on one node
 * at a time, and one person's turns run one at a time across nodes
 * (docs/scaling.md, "Several nodes on one database"). On SQLite there is one
 * process with one writer, so both are true without asking the database.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

bool store_shared(struct store *st)
{
    return st != NULL && store_db(st) == NULL;
}

int store_job_lock(struct store *st, const char *name)
{
    /* PostgreSQL (bot/store_pg.c): pg_try_advisory_xact_lock(hashtext(name)),
     * held until the caller's transaction ends. The SQLite text is never run;
     * it is the statement's shape (one parameter, one column "got"). */
    SQL(sql_job, "SELECT length(?1) > 0 AS got");
    if (!store_shared(st)) /* SQLite, or no store (tests/test_features.c) */
        return 1;
    struct store_stmt *s = store_stmt(st, sql_job);
    int64_t got = 0;
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, name);
    if (store_read_one(st, s, "job lock", store_read_id, &got, sizeof got) != 1)
        return -1;
    return got != 0;
}

/* The account's canonical row locked, when the person exists: 1, 0 (none), -1. */
static int lock_row(struct store *st, const char *channel, const char *user)
{
    /* PostgreSQL: the same text FOR UPDATE (bot/store_pg.c), on the account's
     * canonical row (绑定), so turns through any of its channels serialise. */
    SQL(sql_person, "SELECT id FROM people WHERE id=(SELECT coalesce(account_id, id) FROM people"
                    " WHERE channel=?1 AND ext_id=?2)");
    struct store_stmt *s = store_stmt(st, sql_person);
    int64_t id = 0;
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, user);
    return store_read_one(st, s, "person lock", store_read_id, &id, sizeof id);
}

/* The lock itself (store_person_lock): 0 or -1. */
static int lock_person(struct store *st, const char *channel, const char *user)
{
    /* PostgreSQL: pg_advisory_xact_lock(1, hashtext(...)) (bot/store_pg.c):
     * a person nobody has made yet has no row to lock, and their first
     * message at two nodes at once would insert them twice (the loser's turn
     * failing on the unique key); this waits for the other's commit instead. */
    SQL(sql_new, "SELECT ?1 || ' ' || ?2 AS locked");
    int rc = lock_row(st, channel, user);
    if (rc != 0)
        return rc == -1 ? -1 : 0;
    struct store_stmt *s = store_stmt(st, sql_new);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_text(s, 2, user);
    if (store_step_done(st, s, "new person lock") == -1)
        return -1;
    return lock_row(st, channel, user) == -1 ? -1 : 0; /* made meanwhile: theirs now */
}

int store_person_lock(struct store *st, const char *channel, const char *user)
{
    if (!store_shared(st))
        return 0;
    /* The batch locked its people before its turns ran (bot/engine.c,
     * lock_people); each turn asked again, one to three statements more per
     * message (a third of pg1's statements in bench/inbound-pg). */
    if (store_lock_held(st, channel, user))
        return 0;
    if (lock_person(st, channel, user) == -1)
        return -1;
    store_lock_note(st, channel, user);
    return 0;
}
