/*
 * store_nodes.c - what several `yizhan serve` processes on one PostgreSQL
 * database need besides the sender's and the fetcher's claims (those are
 * FOR UPDATE SKIP LOCKED in bot/store_pg.c): a periodic job runs on one node
 * at a time, and one person's turns run one at a time across nodes
 * (docs/scaling.md, "Several nodes on one database"). On SQLite there is one
 * process with one writer, so both are true without asking the database.
 */
#include <sqlite3.h>
#include <stdlib.h>

#include "buf.h"
#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

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

/* A PostgreSQL array literal of texts ({"a","b"}): by hand, since libpq
 * has no array writer; each element is quoted, and " and \ in it are
 * escaped with a backslash (PostgreSQL's array input syntax). */
void store_pg_text_array(struct buf *b, const char *const *v, size_t n)
{
    buf_puts(b, "{");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ",\"" : "\"");
        for (const char *p = v[i]; *p != '\0'; p++) {
            if (*p == '"' || *p == '\\')
                buf_puts(b, "\\");
            buf_append(b, p, 1);
        }
        buf_puts(b, "\"");
    }
    buf_puts(b, "}");
}

/*
 * The people locked in one statement (one round trip for a whole batch):
 * lock_person (migrations 25 and 26, bot/store.c) for each (channels[i],
 * users[i]) in the order given. Each one: the account's canonical row FOR
 * NO KEY UPDATE (绑定: turns through any of its channels serialise; it
 * conflicts with itself and with an UPDATE or DELETE of the row, not with
 * the FOR KEY SHARE of a foreign key check, so a push or any other INSERT
 * that only points at the person does not wait for the batch: whoever
 * writes a person's rows outside their turn takes this lock itself,
 * store_person_lock_id, store_people_lock_ids); for a person with no row
 * yet, pg_advisory_xact_lock(1, hashtext(channel ' ' user)), which the turn
 * that makes them holds (their first message at two nodes at once would
 * otherwise insert them twice), then the row again with a new snapshot: if
 * another node made them while this one waited, that row is locked too.
 * That second look is why the lock is a function and not one SELECT ... FOR
 * UPDATE OF people over the unnest: a statement's snapshot is taken before
 * it waits on the advisory lock and would not see the other node's row.
 *
 * Lock order: one person after the other in the arrays' order, which the
 * caller sorts by (channel, user) with strcmp on every node, as the
 * statement per person did before. ORDER BY k.n fixes it: EXPLAIN VERBOSE
 * (PostgreSQL 15, the generic plan and a custom one alike) shows no Sort at
 * all, "Aggregate -> Function Scan on k, Output: lock_person(k.c, k.u),
 * k.n": the planner knows WITH ORDINALITY's rows come in k.n order (the
 * scan's pathkey), so the scan itself delivers the order asked for and
 * lock_person runs in its projection, one row at a time in that order. Had
 * it chosen a Sort, a VOLATILE output column is evaluated above it
 * (make_sort_input_target), in the sorted order again; and being VOLATILE
 * the column is not dropped although count(*) does not read it. Each
 * person's locks (the advisory lock, then the row) are taken together at
 * that person's place, so a batch waits for a lock only while holding
 * locks of people sorted before it: two nodes' batches never wait for each
 * other in a cycle, however their batches mix old and new people.
 */
static int lock_people(struct store *st, const char *const *channels, const char *const *users,
                       size_t n, bool queued)
{
    /* The SQLite text is never run; it is the statement's shape (two
     * parameters, one column "locked"). */
    SQL(sql_people, "SELECT length(?1) + length(?2) AS locked");
    struct store_stmt *s = store_stmt(st, sql_people);
    struct buf c, u;
    int64_t locked = 0;
    if (s == NULL)
        return -1;
    buf_init(&c, 0);
    buf_init(&u, 0);
    store_pg_text_array(&c, channels, n);
    store_pg_text_array(&u, users, n);
    store_bind_text(s, 1, c.data);
    store_bind_text(s, 2, u.data);
    if (queued) { /* its count (n by construction) is not read; an error (a
                   * deadlock, a timeout) fails the statement collected with it */
        int q = store_step_queued(st, s, "people lock");
        buf_release(&c);
        buf_release(&u);
        return q;
    }
    int rc = store_read_one(st, s, "people lock", store_read_id, &locked, sizeof locked);
    buf_release(&c);
    buf_release(&u);
    if (rc != 1 || locked != (int64_t)n)
        return rc == -1 ? -1 : log_fail("store: people lock: %lld of %zu", (long long)locked, n);
    return 0;
}

int store_people_lock(struct store *st, const char *const *channels, const char *const *users,
                      size_t n, bool queued)
{
    if (!store_shared(st) || n == 0)
        return 0;
    /* The batch locked its people before its turns ran (bot/engine.c,
     * lock_people); each turn asked again, one to three statements more per
     * message (a third of pg1's statements in bench/inbound-pg). */
    const char **c = xmalloc(n * sizeof *c), **u = xmalloc(n * sizeof *u);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!store_lock_held(st, channels[i], users[i])) {
            c[k] = channels[i];
            u[k++] = users[i];
        }
    int rc = k == 0 ? 0 : lock_people(st, c, u, k, queued);
    for (size_t i = 0; rc == 0 && i < k; i++)
        store_lock_note(st, c[i], u[i]);
    free(c);
    free(u);
    return rc;
}

int store_person_lock(struct store *st, const char *channel, const char *user)
{
    return store_people_lock(st, &channel, &user, 1, false);
}

int store_people_lock_ids(struct store *st, const int64_t *ids, size_t n)
{
    /* PostgreSQL (bot/store_pg.c): lock_person(channel, ext_id) of each
     * row, ORDER BY both COLLATE "C" (strcmp's order, engine.c by_person);
     * the volatile output column is computed above the Sort, in its order.
     * The SQLite text is never run (one parameter, one column "locked"). */
    SQL(sql_ids, "SELECT length(?1) AS locked");
    if (!store_shared(st) || n == 0)
        return 0;
    struct store_stmt *s = store_stmt(st, sql_ids);
    struct buf b;
    int64_t locked = 0;
    if (s == NULL)
        return -1;
    buf_init(&b, 0);
    buf_puts(&b, "{");
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
    buf_puts(&b, "}");
    store_bind_text(s, 1, b.data);
    int rc = store_read_one(st, s, "people lock by id", store_read_id, &locked, sizeof locked);
    buf_release(&b);
    return rc == -1 ? -1 : 0;
}

int store_person_lock_id(struct store *st, int64_t id)
{
    return store_people_lock_ids(st, &id, 1);
}
