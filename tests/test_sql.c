/*
 * test_sql.c - the statement registry (store_int.h): every statement of the
 * store is known before any runs, all prepare when a store opens, SQL that
 * does not compile refuses the open, and nothing outside the registry runs.
 */
#include <glob.h>
#include <regex.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_int.h"
#include "t.h"
#include "util.h"

/* A statement of this test: the registry holds it like any other. */
SQL(t_meta_put, "INSERT INTO meta(k, v) VALUES(?1, ?2)");

/* The SQL(...) declarations in the sources of files matching pattern. */
static size_t count_sql_uses(const char *pattern)
{
    glob_t g;
    regex_t re;
    size_t n = 0;
    CHECK_INT(regcomp(&re, "^[ \t]*SQL\\(", REG_EXTENDED | REG_NEWLINE), 0);
    CHECK_INT(glob(pattern, 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char *text = t_slurp(g.gl_pathv[i], NULL), *p = text;
        regmatch_t m;
        while (p != NULL && regexec(&re, p, 1, &m, p == text ? 0 : REG_NOTBOL) == 0) {
            n++;
            p += m.rm_eo;
        }
        free(text);
    }
    globfree(&g);
    regfree(&re);
    return n;
}

/* Every SQL() of the sources is in the registry, and a fresh database at the
 * latest schema prepares every one of them at open. */
static void test_sql_every_statement_prepares_at_open(void)
{
    size_t n;
    const struct store_sql *all = store_sql_all(&n);
    CHECK(n > 300);
    CHECK_INT(n, count_sql_uses("bot/*.c") + count_sql_uses("tests/*.c"));
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        return;
    CHECK_INT(store_prepared(st), n); /* before any statement ran */
    for (size_t i = 0; i < n; i++) {
        struct store_stmt *s = store_stmt(st, &all[i]);
        CHECK(s != NULL);
        CHECK_STR(s ? sqlite3_sql(store_lite(s)) : NULL, all[i].text);
    }
    CHECK_INT(store_prepared(st), n);
    store_close(st);
    CHECK_INT(store_sql_check(), n); /* yizhan check */
}

/* A database whose schema lacks a table one statement uses (here dropped by
 * hand) refuses to open, naming the statement and SQLite's reason; before
 * the registry it opened, and the statement failed when first run. */
static void test_sql_missing_table_refuses_open(void)
{
    char *path = xasprintf("%s/y.db", t_tmpdir());
    struct store *st = store_open(path, false);
    CHECK(st != NULL);
    store_close(st);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "DROP TABLE taught", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    t_stderr_begin();
    st = store_open(path, false);
    char *log = t_stderr_end();
    CHECK(st == NULL);
    store_close(st);
    CHECK_HAS(log, "no such table: taught");
    CHECK_HAS(log, "bot/store.c:");
    CHECK_HAS(log, "not opening");
    free(log);
    free(path);
}

/* A statement that does not compile (a typo) makes the open fail with its
 * text and SQLite's message; the same open without it succeeds. */
static void test_sql_bad_statement_refuses_open(void)
{
    static const struct store_sql bad[] = {
        {"SELECT id FROM people WHERE channel=?1", "test ok", "test ok"},
        {"SELEC id FROM people", "test typo", "test typo"},
    };
    t_stderr_begin();
    struct store *st = store_open_with(":memory:", false, bad, 2);
    char *log = t_stderr_end();
    CHECK(st == NULL);
    store_close(st);
    CHECK_HAS(log, "test typo");
    CHECK_HAS(log, "SELEC id FROM people");
    CHECK_HAS(log, "syntax error");
    free(log);
    st = store_open_with(":memory:", false, bad, 1);
    CHECK(st != NULL);
    store_close(st);
}

/* store_stmt runs nothing that is not in the registry. */
static void test_sql_unregistered_statement_refused(void)
{
    static const struct store_sql stray[1] = {{"DELETE FROM meta", "test stray", "test stray"}};
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        return;
    t_stderr_begin();
    struct store_stmt *s = store_stmt(st, stray);
    char *log = t_stderr_end();
    CHECK(s == NULL);
    CHECK_HAS(log, "not in the registry: DELETE FROM meta");
    CHECK(store_stmt(st, t_meta_put) != NULL);
    free(log);
    store_close(st);
}

/* An open at an older schema (store_migrate_to) prepares nothing ahead:
 * statements name tables of later migrations. */
static void test_sql_older_schema_prepares_nothing(void)
{
    char *path = xasprintf("%s/old.db", t_tmpdir());
    CHECK_INT(store_migrate_to(path, 1), 0);
    struct store *st = store_open(path, false); /* migrates on, then prepares all */
    size_t n;
    store_sql_all(&n);
    CHECK(st != NULL);
    if (st != NULL)
        CHECK_INT(store_prepared(st), n);
    store_close(st);
    free(path);
}

/* A bind to a parameter beyond the statement's fails, is logged with the
 * parameter and the statement, and the statement does not run: nothing is
 * written. store_stmt hands it out afresh, and then it runs. */
static void test_sql_bind_beyond_parameters_not_run(void)
{
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        return;
    struct store_stmt *s = store_stmt(st, t_meta_put);
    CHECK_INT(store_bind_text(s, 1, "k"), SQLITE_OK);
    t_stderr_begin();
    int bind = store_bind_text(s, 3, "v"); /* the statement has ?1 and ?2 */
    int step = store_step_done(st, s, "test put");
    char *log = t_stderr_end();
    CHECK_INT(bind, SQLITE_RANGE);
    CHECK_INT(step, -1);
    CHECK_HAS(log, "bind parameter 3 of tests/test_sql.c:");
    CHECK_HAS(log, "t_meta_put: column index out of range");
    CHECK_HAS(log, "t_meta_put not run: parameter 3 did not bind");
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM meta WHERE k='k'"), 0);
    CHECK_INT(store_step(st, s), SQLITE_ERROR); /* still refused until store_stmt */
    free(log);
    s = store_stmt(st, t_meta_put);
    CHECK_INT(store_bind_text(s, 1, "k"), SQLITE_OK);
    CHECK_INT(store_bind_text(s, 2, "v"), SQLITE_OK);
    CHECK_INT(store_step_done(st, s, "test put"), 0);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM meta WHERE k='k' AND v='v'"), 1);
    store_close(st);
}

/* Through the store's API: a name over SQLite's length limit fails to bind.
 * Before the checked binds the person was made without the name and the
 * call succeeded; now nothing is written and the call fails. */
static void test_sql_failed_bind_writes_nothing(void)
{
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        return;
    int64_t id = 0, account = 0;
    /* one arrival first: before the registry, statements were prepared on
     * first use, and the lowered limit would refuse the SQL itself */
    CHECK_INT(store_person_arrive(st, "generic", "u-0", "b", 1000, &id, &account), 1);
    sqlite3_limit(store_db(st), SQLITE_LIMIT_LENGTH, 64);
    char name[100];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    CHECK_INT(store_person_arrive(st, "generic", "u-1", name, 1000, &id, &account), -1);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM people"), 1);
    CHECK_INT(store_person_arrive(st, "generic", "u-1", "a", 1000, &id, &account), 1);
    CHECK_INT(t_query_int(st, "SELECT count(*) FROM people WHERE name='a'"), 1);
    store_close(st);
}

/* One placeholder translation, checked and freed. */
static void check_pg(const char *sqlite_text, const char *want)
{
    char *got = store_pg_placeholders(sqlite_text);
    CHECK_STR(got, want);
    free(got);
}

/* SQLite's placeholders become PostgreSQL's $N once: ?N keeps its number
 * (reused as often as written), a bare ? is one more than the largest so
 * far, and a ? inside a literal, a quoted name or a comment is a character. */
static void test_sql_pg_placeholders(void)
{
    check_pg("SELECT 1", "SELECT 1");
    check_pg("SELECT a FROM t WHERE b=? AND c=?", "SELECT a FROM t WHERE b=$1 AND c=$2");
    check_pg("UPDATE t SET a=?2 WHERE id=?1 OR ?1 IS NULL",
             "UPDATE t SET a=$2 WHERE id=$1 OR $1 IS NULL");
    check_pg("SELECT ?3, ?, ?1, ?", "SELECT $3, $4, $1, $5"); /* bare ? after ?3 is 4 */
    check_pg("SELECT ?10", "SELECT $10");
    check_pg("SELECT 'a?b', ?", "SELECT 'a?b', $1");
    check_pg("SELECT 'it''s ?1', ?2 || '?'", "SELECT 'it''s ?1', $2 || '?'");
    check_pg("SELECT '', ?", "SELECT '', $1");
    check_pg("SELECT \"odd?\" FROM t WHERE a=?1", "SELECT \"odd?\" FROM t WHERE a=$1");
    check_pg("SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2");
    check_pg("SELECT /* ?9 */ ?", "SELECT /* ?9 */ $1");
    check_pg("SELECT 'unterminated ?", "SELECT 'unterminated ?");
    check_pg("SELECT ?0", NULL);
    check_pg("SELECT ?32767", NULL);
    check_pg("SELECT ?32766", "SELECT $32766");
}

/* The PostgreSQL text of a registered statement: its translated SQLite text
 * when it has no override. */
static void test_sql_pg_text_translates(void)
{
    char *t = store_pg_text(t_meta_put);
    CHECK_STR(t, "INSERT INTO meta(k, v) VALUES($1, $2)");
    free(t);
}

/* Every PostgreSQL override names exactly one registered statement (a
 * renamed or removed statement leaves none; a name used twice in a file,
 * two), and its text is the override's, not the translation. */
static void test_sql_pg_overrides_name_one_statement(void)
{
    size_t n, k;
    const struct store_sql *all = store_sql_all(&n);
    const char *key;
    for (k = 0; (key = store_pg_override_key(k)) != NULL; k++) {
        size_t hits = 0, at = 0;
        for (size_t i = 0; i < n; i++)
            if (all[i].key != NULL && strcmp(all[i].key, key) == 0) {
                hits++;
                at = i;
            }
        CHECK_INT(hits, 1);
        if (hits == 1) {
            char *pg = store_pg_text(&all[at]), *tr = store_pg_placeholders(all[at].text);
            CHECK(pg != NULL && tr != NULL && strcmp(pg, tr) != 0);
            free(pg);
            free(tr);
        }
    }
    CHECK(k > 10);
}

/* A parameter the PostgreSQL text never names is declared text; the others
 * are left for PostgreSQL to infer ($1 is not $10; a $ in a literal is not
 * a parameter). */
static void test_sql_pg_unnamed_parameters_are_text(void)
{
    unsigned int types[4];
    store_pg_param_types("SELECT $1, '$2', $4 -- $3", 4, types);
    CHECK_INT(types[0], 0);
    CHECK_INT(types[1], 25);
    CHECK_INT(types[2], 25);
    CHECK_INT(types[3], 0);
    store_pg_param_types("SELECT $10", 2, types);
    CHECK_INT(types[0], 25);
    CHECK_INT(types[1], 25);
}

/* store_state_get keeps a person's state rows for the transaction: every
 * statement that writes state is store_state_set's or _del's (which keep
 * the copy) or one that forgets it first (store_state_forget). A new one
 * joins this list with its call. */
static void test_sql_state_writers_known(void)
{
    static const char *const known[] = {
        "INSERT INTO state(person_id, key, value, expires_ms) VALUES(?,?,?,?)",
        "DELETE FROM state WHERE person_id=? AND key=?",
        "INSERT INTO state(person_id, key, value, expires_ms) SELECT DISTINCT coalesce(p.account_id, p.id),"
        " 'quiz'",
        "DELETE FROM state WHERE person_id IN ", NULL};
    size_t n;
    const struct store_sql *all = store_sql_all(&n);
    int writers = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = all[i].text;
        if (strstr(t, "INTO state(") == NULL && strstr(t, "UPDATE state ") == NULL &&
            strstr(t, "DELETE FROM state ") == NULL)
            continue;
        writers++;
        bool ok = false;
        for (size_t k = 0; known[k] != NULL && !ok; k++)
            ok = strncmp(t, known[k], strlen(known[k])) == 0;
        if (!ok)
            printf("  %s writes state without store_state_forget: %s\n", all[i].where, t);
        CHECK(ok);
    }
    CHECK_INT(writers, 4);
}

const struct t_case sql_tests[] = {T(test_sql_pg_placeholders), T(test_sql_state_writers_known),
                                   T(test_sql_pg_text_translates),
                                   T(test_sql_pg_overrides_name_one_statement),
                                   T(test_sql_pg_unnamed_parameters_are_text),
                                   T(test_sql_every_statement_prepares_at_open),
                                   T(test_sql_missing_table_refuses_open),
                                   T(test_sql_bad_statement_refuses_open),
                                   T(test_sql_unregistered_statement_refused),
                                   T(test_sql_older_schema_prepares_nothing),
                                   T(test_sql_bind_beyond_parameters_not_run),
                                   T(test_sql_failed_bind_writes_nothing),
                                   T_END};
