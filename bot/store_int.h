/*
 * store_int.h - what the store*.c files share and nothing else includes:
 * the statement cache and step helpers.
 */
#ifndef BOT_STORE_INT_H
#define BOT_STORE_INT_H
#include <jansson.h>
#include <sqlite3.h>

struct store;
sqlite3 *store_db(struct store *st);
/* Cached prepared statement for a static SQL literal (reset, bindings cleared). */
sqlite3_stmt *store_stmt(struct store *st, const char *sql);
/* Log sqlite3_errmsg with what, return -1. */
int store_fail(struct store *st, const char *what);
int store_exec(struct store *st, const char *sql);
/* Step to completion and reset; 0 or -1 (logged). */
int store_step_done(struct store *st, sqlite3_stmt *s, const char *what);
/* Step an INSERT and set *id (when not NULL) to the new row's id. Cheaper than
 * RETURNING id, for which SQLite opens and closes a temporary table. */
int store_insert(struct store *st, sqlite3_stmt *s, const char *what, int64_t *id);
/* Copy of a text column, or NULL. */
char *store_col_text(sqlite3_stmt *s, int col);
/* The current row as a JSON object keyed by column name (new reference). */
json_t *store_row_json(sqlite3_stmt *s);
/* Every row of a bound statement as an array; resets it. NULL on error (logged). */
json_t *store_rows_json(struct store *st, sqlite3_stmt *s, const char *what);
/* The first row, or NULL with *found 0 (none) or -1 (error, logged). */
json_t *store_one_row(struct store *st, sqlite3_stmt *s, const char *what, int *found);

#endif
