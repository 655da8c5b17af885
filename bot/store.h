/*
 * store.h - the store: one connection per struct store, used by one thread
 * at a time. SQLite by default (WAL, busy_timeout, foreign keys, numbered
 * migrations, PRAGMA user_version) or PostgreSQL (store_open_pg,
 * docs/scaling.md). All SQL of the service lives in store*.c. Writes happen
 * inside store_begin()/store_commit().
 */
#ifndef BOT_STORE_H
#define BOT_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* Open (creating the file with mode 0600 and running migrations). sync_full
 * selects synchronous=FULL. NULL on failure (logged). */
struct store *store_open(const char *path, bool sync_full);
/* Open the store on PostgreSQL (conninfo: a libpq connection string, more
 * than one host allowed): the schema is created in an empty database, and
 * every statement is prepared on the server. NULL on failure (logged). */
struct store *store_open_pg(const char *conninfo);
/* The configured engine: "postgres" opens conninfo, anything else the
 * SQLite file path. */
struct store *store_open_engine(const char *engine, const char *path, const char *conninfo,
                                bool sync_full);
/* PostgreSQL: a statement's answer is waited for ms at most (10,000 unless
 * set; [store] statement_timeout), then its connection is given up, as one
 * that broke. No-op on SQLite and for a NULL store. */
void store_set_timeout(struct store *st, int ms);
/* Whether st runs on PostgreSQL. */
bool store_is_pg(struct store *st);
void store_close(struct store *st);
/* Schema version after migrations. */
int store_version(struct store *st);
/* The schema version this build migrates to. */
int store_schema_latest(void);
/* yizhan check: prepare every SQL statement of the store against a new
 * in-memory database at the latest schema (the configured file is not
 * opened: that would migrate it). The number of statements, or -1 when one
 * does not compile (logged with its place, text and SQLite's message). */
long store_sql_check(void);
/* What opening path would change, without changing it: calls fn for each
 * migration the database still needs, in order, with its number, its note
 * (the "-- " lines it starts with, "" for none) and its statements by their
 * first words ("CREATE TABLE people; CREATE INDEX inbound_person"). Returns
 * the database's schema version (0 for a missing file), or -1 (logged). */
typedef void (*store_pending_fn)(int version, const char *note, const char *statements,
                                 void *ctx);
int store_pending(const char *path, store_pending_fn fn, void *ctx);
/* The same for a PostgreSQL database (0 for an empty one, whose first entry
 * is bot/schema_pg.sql, the schema PostgreSQL starts at). */
int store_pending_pg(const char *conninfo, store_pending_fn fn, void *ctx);
/* Create or upgrade the database at path to schema version and no further,
 * as an older build left it (tests of upgrades). 0 or -1 (logged). */
int store_migrate_to(const char *path, int version);
/* The same on PostgreSQL, from its first schema (bot/schema_pg.sql) on. */
int store_migrate_to_pg(const char *conninfo, int version);
/* Migration i (0-based) of this build, as SQLite's and PostgreSQL's text
 * (pg NULL for those bot/schema_pg.sql holds). false past the last. */
bool store_migration(int i, const char **lite, const char **pg);
/* The first schema on PostgreSQL: bot/schema_pg.sql's version. */
int store_schema_pg_base(void);

/* Free a list of n strings a store function returned (each, then v). */
void store_free_strings(char **v, size_t n);

/* Whether anything wrote to the outbox or the photo queue on this connection
 * since the last call (store_watch_queues() starts watching), so the sender
 * and the fetcher are woken only when there is work for them. A rolled-back
 * write still counts: a spare wake-up costs one empty claim. */
void store_watch_queues(struct store *st);
bool store_queues_changed(struct store *st);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK, and nested savepoints. 0 or -1. */
int store_begin(struct store *st);
/* store_begin with PostgreSQL's BEGIN sent in the pipeline, in the round
 * trip of the statement the caller runs next (at once). A connection that
 * died since the last transaction then fails that statement, not the
 * BEGIN: the caller rolls back and, when store_lost says so, begins once
 * more, as store_begin does after a BEGIN of its own (bot/engine.c
 * batch_begin). store_begin on SQLite. 0 or -1. */
int store_begin_queued(struct store *st);
/* PostgreSQL: the connection was found broken since the last BEGIN (the
 * server ended it), not given up on a timeout: a statement that timed out
 * (waiting for a lock another transaction holds, for a synchronous
 * standby) would time out again on a new connection. */
bool store_lost(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);
int store_savepoint(struct store *st);
int store_release(struct store *st);
/* PostgreSQL, after a statement or a COMMIT failed: a write a job queued
 * (store_step_queued) failed in this transaction, or the COMMIT was
 * answered ROLLBACK (a statement had failed and its caller went on). */
bool store_queued_failed(struct store *st);
/* PostgreSQL: statements sent and round trips waited for on this
 * connection since it opened (tests/pg/pgprep, bench/inbound-pg). */
void store_wire_counts(struct store *st, long *statements, long *round_trips);
/* The same summed over every store of the process (GET /metrics). */
void store_wire_totals(long *statements, long *round_trips);
int store_rollback_to(struct store *st);

/*
 * Inbound messages and their dedupe key (channel, sender, ext_id): a message
 * repeats an earlier one only when the same sender sent the same id within
 * INBOUND_DEDUPE_MS. Scoped to the sender, another chat reusing an id never
 * gets this one's replies (Telegram's update_id restarts at random after a
 * week without updates); the window is longer than any platform retries
 * (WeChat 3 tries within 15 s, Twilio 15 s, Kannel none by default, Telegram
 * "a reasonable number of attempts", hours: /work/shared/docs/channels.md).
 */
#define INBOUND_DEDUPE_MS (48LL * 3600 * 1000)
/* The stored replies of the message ext_id that user sent on channel within
 * the window before now. 1 found (*replies and *intent are new strings,
 * intent may be NULL), 0 not found, -1 error. */
int store_inbound_get(struct store *st, const char *channel, const char *user, const char *ext_id,
                      int64_t now, char **replies, char **intent);
/* Store a message of sender (the sender's own people row, not its account)
 * with its replies. A row with the same key older than the window keeps its
 * history under the key ext_id~rowid. 0 or -1 (also when the key is live). */
int store_inbound_add(struct store *st, const char *channel, const char *ext_id, int64_t sender,
                      const char *text, const char *intent, const char *replies, int64_t now);
/*
 * What a turn needs to know of its sender and its message before it runs,
 * looked up in one statement (store_arrival): the sender's people row, and
 * the inbound row holding the message's key. The replay check and the
 * person lookup were two round trips a turn on PostgreSQL.
 */
struct arrival {
    bool known;          /* the sender has a people row */
    int64_t id, account; /* its id and its account's canonical person */
    bool stale;          /* the row needs writing (last_seen, name, consent) */
    int replay;          /* 1: the message is within the window (replies, intent set) */
    bool taken;          /* an older row holds the key (store_inbound_put moves it aside) */
    char *replies, *intent; /* of a replay; intent may be NULL */
};
/* Look up user's row on channel (name and contact as store_person_arrive)
 * and the message ext_id at now. 0 or -1; arrival_release after. */
int store_arrival(struct store *st, const char *channel, const char *user, const char *name,
                  const char *ext_id, int64_t now, struct arrival *a);
void arrival_release(struct arrival *a);
/* PostgreSQL: the arrivals of a batch's n messages (channels[i], users[i],
 * ext_ids[i]) read in one statement after its people were locked, with the
 * state rows of their accounts (store_state_get), kept for the transaction:
 * store_arrival then answers a person's first message from them instead of
 * a statement of its own. A no-op on SQLite. 0 or -1. */
int store_arrivals_load(struct store *st, const char *const *channels, const char *const *users,
                        const char *const *ext_ids, size_t n);
/* store_person_arrive with the row as store_arrival found it (the person is
 * locked and the transaction the same: it has not changed since). */
int store_person_arrived(struct store *st, const struct arrival *a, const char *channel,
                         const char *user, const char *name, int64_t now, int64_t *id,
                         int64_t *account);
/* store_inbound_add for a message whose key store_arrival looked up: when
 * no row holds it, one INSERT, queued on PostgreSQL (store_step_queued). */
int store_inbound_put(struct store *st, const struct arrival *a, const char *channel,
                      const char *ext_id, int64_t sender, const char *text, const char *intent,
                      const char *replies, int64_t now);
/* Count of inbound rows (tests and metrics). -1 on error. */
int64_t store_inbound_count(struct store *st);

/* People, keyed by (channel, platform user id). Creates the row when new and
 * updates the name and last-seen time (exact for a linked account, whose
 * pushes go to the channel used last, and a millisecond past its other rows
 * when they spoke in the same one; to the minute for anyone else). For
 * someone who has not written (an admin call names them): no consent to
 * bulk pushes is recorded. 0 with *id set, or -1. */
int store_person_ensure(struct store *st, const char *channel, const char *user,
                        const char *name, int64_t now, int64_t *id);
/* The same for a person who writes: records their consent ('contact') to
 * bulk pushes on this channel, and sets *account to the canonical person of
 * the person's account (绑定; the person itself when not linked). 1 instead
 * of 0 when the row was made now (the first-contact notice, privacy.h). */
int store_person_arrive(struct store *st, const char *channel, const char *user,
                        const char *name, int64_t now, int64_t *id, int64_t *account);
/* Record the consent an import carries (source: how it was given), unless
 * the person has one already. 0 or -1. */
int store_person_set_consent(struct store *st, int64_t id, const char *source);
/* Look a person up without creating one. 1 found (*id set), 0 not found, -1 error. */
int store_person_find(struct store *st, const char *channel, const char *user, int64_t *id);
/* Several nodes on one database (docs/scaling.md): the person's row (their
 * account's, 绑定) locked until the transaction ends, so that their turns
 * on two nodes run one after the other; for one who is new, the lock their
 * first message's turn makes them under. People this transaction locked
 * already are skipped. A no-op on SQLite (one writer). 0 or -1. */
int store_person_lock(struct store *st, const char *channel, const char *user);
/* The same for n people in one statement, locked in the order given: the
 * caller sorts them by (channel, user) (strcmp), the order every node uses
 * (bot/engine.c lock_people). queued: the caller's next statement follows at
 * once, and the lock is sent in the pipeline ahead of it (store_step_queued):
 * one round trip for both; the server runs the lock first, so that
 * statement (with a snapshot of its own) sees the people locked, and a lock
 * that failed fails it. 0 or -1. */
int store_people_lock(struct store *st, const char *const *channels, const char *const *users,
                      size_t n, bool queued);
/* Several nodes on one database: the people with these ids (people.id,
 * any channel of an account) locked as a batch locks them (lock_person,
 * their account's row), in one statement, sorted by (channel, ext_id) as
 * the batches sort theirs. For a write to a person's state or people row
 * outside that person's own turn (a staff answer setting a worker's menu,
 * a lesson push, an admin edit, a link, an erasure): another node's batch
 * holding the person has read their rows and acts on that copy until its
 * COMMIT, so the write waits for it, and a batch that comes after sees
 * it. A push alone (an INSERT that only points at the person) needs no
 * lock and does not wait for their batch: lock_person's FOR NO KEY UPDATE
 * (migration 26) lets a foreign key check through. Locks this transaction
 * holds already are taken again (no wait). A no-op on SQLite (the transaction holds the write lock). 0 or -1. */
int store_people_lock_ids(struct store *st, const int64_t *ids, size_t n);
int store_person_lock_id(struct store *st, int64_t id);
/* Whether other processes may write st's database at the same time
 * (PostgreSQL: several nodes); false on SQLite (one process). */
bool store_shared(struct store *st);
/* Periodic job name runs on one node at a time: 1 when this transaction may
 * run it (SQLite: always), 0 when another node's transaction is running it
 * now (skip this tick), -1 on error. PostgreSQL: an advisory lock on
 * hashtext(name), released when the transaction ends. */
int store_job_lock(struct store *st, const char *name);
struct person_info {
    int64_t created_ms, opt_changed_ms;
    bool opted_out;
};
int store_person_info(struct store *st, int64_t id, struct person_info *out);
int store_person_set_optout(struct store *st, int64_t id, bool opted_out, int64_t now);

/* Small per-person state that expires (menus, cut replies, pending steps).
 * get: 1 found (*value new string), 0 absent or expired, -1 error. */
int store_state_get(struct store *st, int64_t person, const char *key, int64_t now, char **value);
int store_state_set(struct store *st, int64_t person, const char *key, const char *value,
                    int64_t expires_ms);
int store_state_del(struct store *st, int64_t person, const char *key);

/* The not-understood list: count one more for text. */
int store_unknown_add(struct store *st, const char *text, int64_t now);
/* The same, for a text that got a numbered choice (understand_fallback):
 * recorded too, marked asked. */
int store_unknown_asked(struct store *st, const char *text, int64_t now);
typedef void (*store_unknown_fn)(const char *text, int64_t count, int64_t last_ms, bool asked,
                                 void *ctx);
/* Most frequent first, at most limit rows. Returns the row count or -1. */
int store_unknown_top(struct store *st, int limit, store_unknown_fn fn, void *ctx);

/* Examples staff teach from the dashboard (POST /admin/api/unknown/teach):
 * add or replace text -> intent, drop text from the not-understood list and
 * bump the version the scorer checks (handle_understand.c). 0 or -1. */
int store_taught_add(struct store *st, const char *text, const char *intent, int64_t now);
/* The taught version: 0 before anything was taught, -1 on error. */
int64_t store_taught_version(struct store *st);
typedef void (*store_taught_fn)(const char *text, const char *intent, void *ctx);
/* Every taught example, oldest first. Count or -1. */
int store_taught_list(struct store *st, store_taught_fn fn, void *ctx);

/* Prove the store is writable: a small write in its own transaction. 0 or -1. */
int store_probe(struct store *st, int64_t now);

#endif
