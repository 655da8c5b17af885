/*
 * store_account.c - SQL for linked accounts (account.h): people.account_id,
 * link codes and the wrong-code counts behind the limits on guessing.
 */
#include "account.h"

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"
#include "store_int.h"

int store_account_code_add(struct store *st, int64_t account, const char *code, int64_t expires_ms,
                           int64_t now)
{
    SQL(drop, "DELETE FROM link_codes WHERE account_id=?1 OR expires_ms<=?2");
    SQL(add, "INSERT INTO link_codes(code, account_id, expires_ms) VALUES(?,?,?)"
             " ON CONFLICT(code) DO NOTHING");
    struct store_stmt *s = store_stmt(st, drop);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    store_bind_int64(s, 2, now);
    if (store_step_done(st, s, "link code drop") == -1)
        return -1;
    s = store_stmt(st, add);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, code);
    store_bind_int64(s, 2, account);
    store_bind_int64(s, 3, expires_ms);
    if (store_step_done(st, s, "link code add") == -1)
        return -1;
    return store_changes(st) == 0 ? 1 : 0;
}

int store_account_code_find(struct store *st, const char *code, int64_t now, int64_t *account)
{
    SQL(sql, "SELECT account_id FROM link_codes WHERE code=? AND expires_ms>?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, code);
    store_bind_int64(s, 2, now);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *account = store_col_int64(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "link code find");
}

int store_account_fails(struct store *st, int64_t person, int64_t since_ms)
{
    SQL(sql, "SELECT count(*) FROM link_fails WHERE person_id=? AND at_ms>?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int64(s, 2, since_ms);
    int rc = store_step(st, s), n = rc == SQLITE_ROW ? store_col_int(s, 0) : -1;
    store_reset(s);
    return rc == SQLITE_ROW ? n : store_fail(st, "link fails");
}

int store_account_channel_fails(struct store *st, const char *channel, int64_t since_ms)
{
    SQL(sql, "SELECT count(*) FROM link_fails WHERE channel=? AND at_ms>=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, channel);
    store_bind_int64(s, 2, since_ms);
    int rc = store_step(st, s), n = rc == SQLITE_ROW ? store_col_int(s, 0) : -1;
    store_reset(s);
    return rc == SQLITE_ROW ? n : store_fail(st, "link channel fails");
}

int store_account_fail_add(struct store *st, int64_t person, const char *channel, int max_wrong,
                           int64_t now)
{
    SQL(add, "INSERT INTO link_fails(person_id, channel, at_ms) VALUES(?,?,?)");
    SQL(old, "DELETE FROM link_fails WHERE at_ms<=?");
    SQL(wrong, "UPDATE link_codes SET wrong=wrong+1 WHERE expires_ms>?");
    SQL(dead, "DELETE FROM link_codes WHERE wrong>=? OR expires_ms<=?");
    struct store_stmt *s = store_stmt(st, add);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, channel);
    store_bind_int64(s, 3, now);
    if (store_step_done(st, s, "link fail add") == -1 || (s = store_stmt(st, old)) == NULL)
        return -1;
    store_bind_int64(s, 1, now - (int64_t)ACCOUNT_FAIL_MINUTES * 60000);
    if (store_step_done(st, s, "link fails old") == -1 || (s = store_stmt(st, wrong)) == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    if (store_step_done(st, s, "link code wrong") == -1 || (s = store_stmt(st, dead)) == NULL)
        return -1;
    store_bind_int(s, 1, max_wrong);
    store_bind_int64(s, 2, now);
    return store_step_done(st, s, "link code dead");
}

int store_account_link(struct store *st, int64_t account, int64_t other, const char *code)
{
    SQL(link, "UPDATE people SET account_id=?1 WHERE id=?2 OR account_id=?2");
    SQL(optout,
        "UPDATE people SET opted_out=(SELECT opted_out FROM people WHERE id=?1),"
        " opt_changed_ms=(SELECT opt_changed_ms FROM people WHERE id=?1) WHERE account_id=?1");
    SQL(used, "DELETE FROM link_codes WHERE code=?");
    struct store_stmt *s = store_stmt(st, link);
    const int64_t both[] = {account, other}; /* the account is not the turn's person */
    store_arrivals_forget(st); /* the rows' accounts change */
    if (s == NULL || store_people_lock_ids(st, both, 2) == -1)
        return -1;
    store_bind_int64(s, 1, account);
    store_bind_int64(s, 2, other);
    if (store_step_done(st, s, "account link") == -1)
        return -1;
    s = store_stmt(st, optout);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    if (store_step_done(st, s, "account link optout") == -1)
        return -1;
    s = store_stmt(st, used);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, code);
    return store_step_done(st, s, "link code use");
}

int store_account_unlink(struct store *st, int64_t account)
{
    SQL(sql, "UPDATE people SET account_id=NULL WHERE account_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    store_arrivals_forget(st); /* the rows' accounts change */
    if (s == NULL || store_person_lock_id(st, account) == -1)
        return -1;
    store_bind_int64(s, 1, account);
    if (store_step_done(st, s, "account unlink") == -1)
        return -1;
    return store_changes(st);
}

int store_account_size(struct store *st, int64_t account)
{
    SQL(sql, "SELECT count(*) FROM people WHERE coalesce(account_id, id)=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    int rc = store_step(st, s), n = rc == SQLITE_ROW ? store_col_int(s, 0) : -1;
    store_reset(s);
    return rc == SQLITE_ROW ? n : store_fail(st, "account size");
}
