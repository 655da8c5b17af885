/*
 * store_int.h - what the store*.c files share and nothing else includes:
 * the statement registry and cache, checked binds and the step helpers.
 */
#ifndef BOT_STORE_INT_H
#define BOT_STORE_INT_H
#include <inttypes.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct store;
sqlite3 *store_db(struct store *st);
/* The people this transaction has locked outside any savepoint
 * (store_person_lock, bot/store_nodes.c): note one, ask about one. */
void store_lock_note(struct store *st, const char *channel, const char *user);
bool store_lock_held(struct store *st, const char *channel, const char *user);

/*
 * The statement registry. Every SQL statement the store runs is declared
 *
 *     SQL(name, "SELECT ...");
 *
 * which defines name (an array of one struct store_sql, so `name` passes as a
 * pointer) in the linker section yz_sql. The linker gathers the entries of
 * every object into one array and defines __start_yz_sql and __stop_yz_sql
 * around it (GNU ld, gold and lld do so for any section named like a C
 * identifier; Linux's initcalls are found the same way). Why a section rather
 * than a list in one file: each statement stays next to the function that
 * runs it, and none can be left out of the list, so that
 * - store_open prepares every statement before any runs: a typo in rarely
 *   used SQL refuses to open (yizhan check / serve fail at start), not at
 *   run time;
 * - an entry's position in the array is its statement's index in each
 *   connection's cache (store_stmt is a subtraction, no hash);
 * - store_stmt takes nothing else: a plain string does not compile, and a
 *   struct store_sql outside the section is refused (logged, NULL).
 * The entries are const and pointer-sized-aligned, and nothing else is put
 * in the section, so it is a plain array (GCC and clang's ASan leave
 * globals with a section attribute unpadded). SQL built at run time has no
 * place here: there is none today; a need for it gets its own documented
 * path (sqlite3_prepare_v2 and finalize, never the cache).
 */
struct store_sql {
    const char *text;
    const char *where; /* "bot/store_x.c:123 name", for logs */
    const char *key;   /* "bot/store_x.c name": names it in an engine's overrides */
};
#define STORE_STR_(x) #x
#define STORE_STR(x) STORE_STR_(x)
#define SQL(name, sql_text)                                                                        \
    static const struct store_sql name[1]                                                          \
        __attribute__((used, section("yz_sql"), aligned(sizeof(void *)))) = {                      \
            {sql_text, __FILE__ ":" STORE_STR(__LINE__) " " #name, __FILE__ " " #name}}

/* The registry: *n entries. */
const struct store_sql *store_sql_all(size_t *n);
/* Open path like store_open, and also check that the extra statements
 * prepare (tests give a bad one: the open must fail naming it). */
struct store *store_open_with(const char *path, bool sync_full, const struct store_sql *extra,
                              size_t nextra);
/* Statements prepared on this connection so far (all of the registry once
 * store_open has returned). */
size_t store_prepared(struct store *st);

/*
 * A statement handle, the same on either engine (store_stmt): the slot of a
 * registered statement in its connection's cache. The store files bind,
 * step and read columns only through the functions below, so that none of
 * them knows which engine runs the statement. On SQLite it is the prepared
 * statement and nothing else happens on the way; on PostgreSQL (store.c)
 * binds fill text parameters, the first step runs the prepared statement
 * and later steps walk its result's rows.
 */
struct pg_result; /* libpq's PGresult */
struct store_stmt {
    sqlite3_stmt *lite; /* SQLite's statement; NULL on PostgreSQL */
    struct store *st;
    /* PostgreSQL */
    char **params;         /* nparams values as text, NULL for NULL */
    struct pg_result *res; /* from the first step until reset */
    int nparams, row;      /* row: the current one, -1 before the first */
    bool ready;            /* prepared on the server */
    bool queue_write;      /* writes the outbox or the photo queue (store_watch_queues) */
    bool returns_id;       /* prepared with RETURNING id added (pg_prepare): store_last_id */
};

/* Cached prepared statement for a registered statement (reset, bindings
 * cleared), or NULL (logged) for a pointer that is not in the registry. */
struct store_stmt *store_stmt(struct store *st, const struct store_sql *sql);
/* The SQLite statement behind a handle (NULL on PostgreSQL). */
static inline sqlite3_stmt *store_lite(struct store_stmt *s)
{
    return s->lite;
}
/*
 * Checked binds. Each returns SQLite's code; a failure (a parameter number
 * beyond the statement's, text over SQLite's length limit, no memory) is
 * logged with the parameter and the statement, and marks the statement in
 * its connection's cache: store_step and the helpers below refuse to run it
 * until store_stmt hands it out afresh. Callers need not check the result.
 * Text is copied (SQLITE_TRANSIENT); NULL text binds NULL. On PostgreSQL a
 * value is bound as its text (store_pg_bind copies it).
 */
int store_bind_failed(struct store_stmt *s, int i, int rc);
int store_pg_bind(struct store_stmt *s, int i, const char *text);
static inline int store_bind_int64(struct store_stmt *s, int i, int64_t v)
{
    if (s->lite == NULL) {
        char t[24];
        snprintf(t, sizeof t, "%" PRId64, v);
        return store_pg_bind(s, i, t);
    }
    int rc = sqlite3_bind_int64(s->lite, i, v);
    return rc == SQLITE_OK ? rc : store_bind_failed(s, i, rc);
}
static inline int store_bind_int(struct store_stmt *s, int i, int v)
{
    if (s->lite == NULL)
        return store_bind_int64(s, i, v);
    int rc = sqlite3_bind_int(s->lite, i, v);
    return rc == SQLITE_OK ? rc : store_bind_failed(s, i, rc);
}
static inline int store_bind_double(struct store_stmt *s, int i, double v)
{
    if (s->lite == NULL) {
        char t[40];
        snprintf(t, sizeof t, "%.17g", v);
        return store_pg_bind(s, i, t);
    }
    int rc = sqlite3_bind_double(s->lite, i, v);
    return rc == SQLITE_OK ? rc : store_bind_failed(s, i, rc);
}
static inline int store_bind_null(struct store_stmt *s, int i)
{
    if (s->lite == NULL)
        return store_pg_bind(s, i, NULL);
    int rc = sqlite3_bind_null(s->lite, i);
    return rc == SQLITE_OK ? rc : store_bind_failed(s, i, rc);
}
static inline int store_bind_text(struct store_stmt *s, int i, const char *v)
{
    if (s->lite == NULL)
        return store_pg_bind(s, i, v);
    int rc = sqlite3_bind_text(s->lite, i, v, -1, SQLITE_TRANSIENT);
    return rc == SQLITE_OK ? rc : store_bind_failed(s, i, rc);
}
/* Parameters the statement takes. */
int store_param_count(struct store_stmt *s);
/*
 * Column reads of the current row (after store_step returned SQLITE_ROW),
 * with sqlite3_column_*'s meaning: NULL reads as 0 / NULL, store_col_type
 * is SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT (or SQLITE_BLOB).
 * store_col_str's text lives until the next step or reset.
 */
int64_t store_col_int64(struct store_stmt *s, int col);
int store_col_int(struct store_stmt *s, int col);
double store_col_double(struct store_stmt *s, int col);
const char *store_col_str(struct store_stmt *s, int col);
int store_col_type(struct store_stmt *s, int col);
int store_col_count(struct store_stmt *s);
/* Back to before the first step (a statement read part-way is finished). */
void store_reset(struct store_stmt *s);
/* Rows the last INSERT, UPDATE or DELETE on st changed. */
int store_changes(struct store *st);
/* The id of the row the last INSERT on st added. */
int64_t store_last_id(struct store *st);
/* sqlite3_step, unless a bind of s failed since store_stmt (then
 * SQLITE_ERROR without running it, logged). */
int store_step(struct store *st, struct store_stmt *s);
/* Log the engine's last error with what, return -1. */
int store_fail(struct store *st, const char *what);
int store_exec(struct store *st, const char *sql);
/*
 * The PostgreSQL text of a registered statement (store_pg.c; newly
 * allocated): its entry in the PostgreSQL overrides when it has one, else its
 * SQLite text with the placeholders translated. NULL when the SQLite text's
 * placeholders cannot be translated (logged).
 */
char *store_pg_text(const struct store_sql *q);
/* SQLite's ?NNN and ? as PostgreSQL's $N (newly allocated), or NULL for a
 * ?0 or a number over 32766. */
char *store_pg_placeholders(const char *sqlite_text);
/* PostgreSQL must know each parameter's type when it prepares a statement.
 * It infers the type of one the text names from where it stands; one the
 * text never names (a statement sharing its binds with a sibling that uses
 * more) is declared text. Fills types[0..n) with 0 (infer) or text's OID,
 * for PQprepare's paramTypes. */
void store_pg_param_types(const char *pg_text, int n, unsigned int *types);
/* The number of parameters a statement's PostgreSQL text takes: its
 * largest $N. */
int store_pg_nparams(const char *pg_text);
/* The i-th override's key ("bot/store_x.c name"), or NULL past the last. */
const char *store_pg_override_key(size_t i);
/* Step to completion and reset; 0 or -1 (logged). */
int store_step_done(struct store *st, struct store_stmt *s, const char *what);
/*
 * A write whose result nobody reads (no rows, no store_changes, no
 * store_last_id) and whose failure fails its turn: on PostgreSQL inside a
 * transaction it is sent in libpq's pipeline mode without waiting, and its
 * result is collected with the next statement's, in that statement's round
 * trip (the COMMIT at the latest). A failure then fails that next statement
 * (store_queued_failed says why); the engine runs its batch again, a
 * savepoint per job (bot/engine.c), as when the write failed at once. On
 * SQLite, and outside a transaction, store_step_done. 0 or -1 (logged).
 */
int store_step_queued(struct store *st, struct store_stmt *s, const char *what);
/* A number that changes whenever a statement is handed out on st
 * (store_stmt, store_exec: every read and write, BEGIN, COMMIT and
 * savepoints included), unique in the process: an answer read when it was
 * g is still the database's answer while it is g, within one transaction
 * (store_desk_context). */
uint64_t store_generation(struct store *st);
/* Forget the copy of a person's state rows store_state_get keeps within a
 * transaction: for a statement other than store_state_set and _del that
 * writes state (tests/test_sql.c lists them). */
void store_state_forget(struct store *st);
/* Forget the arrivals store_arrivals_load read for a batch (bot/store.c):
 * called by the statements that change people rows (other than a turn's
 * own) or inbound rows. */
void store_arrivals_forget(struct store *st);
/* A PostgreSQL array literal of the n texts v ({"a","b"}) appended to b. */
struct buf;
void store_pg_text_array(struct buf *b, const char *const *v, size_t n);
/* Step an INSERT and set *id (when not NULL) to the new row's id. Cheaper than
 * RETURNING id, for which SQLite opens and closes a temporary table. */
int store_insert(struct store *st, struct store_stmt *s, const char *what, int64_t *id);
/* Copy of a text column, or NULL. */
char *store_col_text(struct store_stmt *s, int col);
/* Typed rows. A reader fills *out (a struct, zeroed before) from the current
 * row by column index; a clearer frees what a reader allocated in it. */
typedef void (*store_read_fn)(struct store_stmt *s, void *out);
typedef void (*store_clear_fn)(void *out);
/* The first row of a bound statement into out (zeroed first; size bytes):
 * 1, 0 none, -1 error (logged). Resets it. */
int store_read_one(struct store *st, struct store_stmt *s, const char *what, store_read_fn read,
                   void *out, size_t size);
/* Every row into a new array of elements of size bytes: 0 with *v (NULL
 * when *n is 0) and *n, or -1 (logged; what was read is cleared and freed).
 * Resets it. clear may be NULL when elements own nothing. */
int store_read_all(struct store *st, struct store_stmt *s, const char *what, store_read_fn read,
                   store_clear_fn clear, size_t size, void **v, size_t *n);
/* Clear each of n elements of size bytes with clear (when not NULL), then free v. */
void store_free_rows(void *v, size_t n, size_t size, store_clear_fn clear);
/* Column 0 as an int64 (0 for NULL), into *out (an int64_t): the reader for
 * lists of ids. */
void store_read_id(struct store_stmt *s, void *out);
/* Column 0 as a new string (NULL for NULL) into *out (a char *), and its
 * clear: the reader for lists of names (freed by store_free_strings). */
void store_read_string(struct store_stmt *s, void *out);
void store_clear_string(void *out);

#endif
