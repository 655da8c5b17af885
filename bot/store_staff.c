/*
 * store_staff.c - SQL of staff accounts, their linked chats, the audit trail
 * and the area of a report (see staff.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "staff.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* Bind text, NULL for an empty string when empty_null. SQLITE_OK or an error. */
static int bind_text(struct store_stmt *s, int i, const char *v, bool empty_null)
{
    if (v == NULL || (empty_null && v[0] == '\0'))
        return store_bind_null(s, i);
    return store_bind_text(s, i, v);
}

static void copy_col(struct store_stmt *s, int col, char *out, size_t size)
{
    const char *v = store_col_str(s, col);
    snprintf(out, size, "%s", v ? (const char *)v : "");
}

int store_staff_add(struct store *st, const struct staff *s, int64_t now, int64_t *id)
{
    SQL(sql,
        "INSERT INTO staff(username, display_name, org, role, area, pwhash, disabled,"
        " created_ms, updated_ms) VALUES(?,?,?,?,?,?,?,?,?8) ON CONFLICT(username) DO NOTHING");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (bind_text(q, 1, s->username, false) || bind_text(q, 2, s->display, false) ||
        bind_text(q, 3, s->org, false) || bind_text(q, 4, s->role, false) ||
        bind_text(q, 5, s->area, true) || bind_text(q, 6, s->hash, false) ||
        store_bind_int(q, 7, s->disabled) || store_bind_int64(q, 8, now))
        return store_fail(st, "staff add bind");
    if (store_insert(st, q, "staff add", id) == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

#define STAFF_COLS "id, username, display_name, org, role, coalesce(area,''), pwhash, disabled"

static void staff_row(struct store_stmt *q, struct staff *out)
{
    memset(out, 0, sizeof *out);
    out->id = store_col_int64(q, 0);
    copy_col(q, 1, out->username, sizeof out->username);
    copy_col(q, 2, out->display, sizeof out->display);
    copy_col(q, 3, out->org, sizeof out->org);
    copy_col(q, 4, out->role, sizeof out->role);
    copy_col(q, 5, out->area, sizeof out->area);
    copy_col(q, 6, out->hash, sizeof out->hash);
    out->disabled = store_col_int(q, 7) != 0;
}

/* Step q (bound) for at most one staff row. 1, 0 or -1. */
static int staff_one(struct store *st, struct store_stmt *q, struct staff *out, const char *what)
{
    int rc = store_step(st, q);
    if (rc == SQLITE_ROW)
        staff_row(q, out);
    store_reset(q);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, what);
}

int store_staff_get(struct store *st, int64_t id, const char *username, struct staff *out)
{
    SQL(by_id, "SELECT " STAFF_COLS " FROM staff WHERE id=?");
    SQL(by_name, "SELECT " STAFF_COLS " FROM staff WHERE username=?");
    struct store_stmt *q = store_stmt(st, username ? by_name : by_id);
    if (q == NULL)
        return -1;
    int b = username ? bind_text(q, 1, username, false) : store_bind_int64(q, 1, id);
    if (b != SQLITE_OK)
        return store_fail(st, "staff get bind");
    return staff_one(st, q, out, "staff get");
}

int store_staff_by_chat(struct store *st, const char *chat, struct staff *out)
{
    SQL(sql, "SELECT " STAFF_COLS " FROM staff"
             " WHERE id=(SELECT staff_id FROM staff_chats WHERE chat=?)");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (bind_text(q, 1, chat, false) != SQLITE_OK)
        return store_fail(st, "staff by chat bind");
    return staff_one(st, q, out, "staff by chat");
}

int store_staff_update(struct store *st, const struct staff *s, int64_t now)
{
    SQL(sql, "UPDATE staff SET display_name=?, role=?, area=?, disabled=?,"
             " pwhash=?, updated_ms=? WHERE id=?");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (bind_text(q, 1, s->display, false) || bind_text(q, 2, s->role, false) ||
        bind_text(q, 3, s->area, true) || store_bind_int(q, 4, s->disabled) ||
        bind_text(q, 5, s->hash, false) || store_bind_int64(q, 6, now) ||
        store_bind_int64(q, 7, s->id))
        return store_fail(st, "staff update bind");
    return store_step_done(st, q, "staff update");
}

int store_staff_chats_set(struct store *st, int64_t id, json_t *chats, const char **taken)
{
    SQL(del, "DELETE FROM staff_chats WHERE staff_id=?");
    SQL(ins, "INSERT INTO staff_chats(chat, staff_id) VALUES(?,?)"
             " ON CONFLICT(chat) DO NOTHING");
    struct store_stmt *q = store_stmt(st, del);
    if (q == NULL)
        return -1;
    if (store_bind_int64(q, 1, id) != SQLITE_OK)
        return store_fail(st, "staff chats bind");
    if (store_step_done(st, q, "staff chats clear") == -1)
        return -1;
    size_t i;
    json_t *v;
    json_array_foreach(chats, i, v)
    {
        q = store_stmt(st, ins);
        if (q == NULL)
            return -1;
        if (bind_text(q, 1, json_string_value(v), false) || store_bind_int64(q, 2, id))
            return store_fail(st, "staff chat bind");
        if (store_step_done(st, q, "staff chat add") == -1)
            return -1;
        if (store_changes(st) == 0) {
            *taken = json_string_value(v);
            return 0;
        }
    }
    return 1;
}

int store_staff_list_chats(struct store *st, int64_t id, char ***v, size_t *n)
{
    SQL(sql, "SELECT chat FROM staff_chats WHERE staff_id=? ORDER BY chat");
    struct store_stmt *q = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (q == NULL)
        return -1;
    if (store_bind_int64(q, 1, id) != SQLITE_OK)
        return store_fail(st, "staff chats bind");
    return store_read_all(st, q, "staff chats", store_read_string, store_clear_string, sizeof **v,
                          (void **)v, n);
}

static void entry_read(struct store_stmt *q, void *out)
{
    struct staff_entry *e = out;
    staff_row(q, &e->s);
    e->s.hash[0] = '\0'; /* never listed */
    e->created_ms = store_col_int64(q, 8);
}

static void entry_clear(void *out)
{
    struct staff_entry *e = out;
    store_free_strings(e->chats, e->nchats);
}

void staff_entry_free_all(struct staff_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, entry_clear);
}

int store_staff_list(struct store *st, struct staff_entry **v, size_t *n)
{
    SQL(sql, "SELECT " STAFF_COLS ", created_ms FROM staff ORDER BY username");
    struct store_stmt *q = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (q == NULL || store_read_all(st, q, "staff list", entry_read, entry_clear, sizeof **v,
                                    (void **)v, n) == -1)
        return -1;
    for (size_t i = 0; i < *n; i++) { /* after the list's statement is reset */
        struct staff_entry *e = &(*v)[i];
        if (store_staff_list_chats(st, e->s.id, &e->chats, &e->nchats) == -1) {
            staff_entry_free_all(*v, *n);
            *v = NULL;
            *n = 0;
            return -1;
        }
    }
    return 0;
}

int store_staff_chats_of_roles(struct store *st, const char *const *roles, char ***v, size_t *n)
{
    SQL(sql, "SELECT c.chat FROM staff_chats c JOIN staff s ON s.id=c.staff_id"
             " WHERE s.disabled=0 AND s.role=? ORDER BY c.chat");
    *v = NULL;
    *n = 0;
    for (int i = 0; roles[i]; i++) {
        struct store_stmt *q = store_stmt(st, sql);
        char **some;
        size_t k;
        if (q == NULL || bind_text(q, 1, roles[i], false) != SQLITE_OK ||
            store_read_all(st, q, "staff chats of roles", store_read_string, store_clear_string,
                           sizeof *some, (void **)&some, &k) == -1) {
            store_free_strings(*v, *n);
            *v = NULL;
            *n = 0;
            return -1;
        }
        *v = xrealloc(*v, (*n + k + 1) * sizeof **v);
        if (k > 0) /* no rows: some is NULL, which memcpy may not be given */
            memcpy(*v + *n, some, k * sizeof *some);
        *n += k;
        free(some); /* its strings now in *v */
    }
    return 0;
}

int store_staff_count_role(struct store *st, const char *role)
{
    SQL(sql, "SELECT count(*) FROM staff WHERE disabled=0 AND role=?");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (bind_text(q, 1, role, false) != SQLITE_OK)
        return store_fail(st, "staff count bind");
    int rc = store_step(st, q), n = rc == SQLITE_ROW ? store_col_int(q, 0) : -1;
    store_reset(q);
    return rc == SQLITE_ROW ? n : store_fail(st, "staff count");
}

int store_audit_add(struct store *st, const struct audit_row *a)
{
    SQL(sql, "INSERT INTO audit(at_ms, actor, action, object, origin, status)"
             " VALUES(?,?,?,?,?,?)");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (store_bind_int64(q, 1, a->at_ms) || bind_text(q, 2, a->actor, false) ||
        bind_text(q, 3, a->action, false) || bind_text(q, 4, a->object, true) ||
        bind_text(q, 5, a->origin, true) || store_bind_int(q, 6, a->status))
        return store_fail(st, "audit bind");
    return store_step_done(st, q, "audit add");
}

static void audit_read(struct store_stmt *q, void *out)
{
    struct audit_entry *e = out;
    e->id = store_col_int64(q, 0);
    e->at_ms = store_col_int64(q, 1);
    e->actor = store_col_text(q, 2);
    e->action = store_col_text(q, 3);
    e->object = store_col_text(q, 4);
    e->origin = store_col_text(q, 5);
    e->status = store_col_int(q, 6);
}

static void audit_clear(void *out)
{
    struct audit_entry *e = out;
    free(e->actor);
    free(e->action);
    free(e->object);
    free(e->origin);
}

void audit_free_all(struct audit_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, audit_clear);
}

int store_audit_list(struct store *st, const struct audit_query *aq, struct audit_entry **v,
                     size_t *n)
{
    SQL(audit_list, "SELECT id, at_ms, actor, action, object, origin, status FROM audit"
                    " WHERE (?1 IS NULL OR actor=?1) AND (?2 IS NULL OR instr(action, ?2) > 0)"
                    " AND at_ms>=?3 AND at_ms<?4 ORDER BY id DESC LIMIT ?5");
    struct store_stmt *q = store_stmt(st, audit_list);
    *v = NULL;
    *n = 0;
    if (q == NULL)
        return -1;
    if (bind_text(q, 1, aq->who, true) || bind_text(q, 2, aq->what, true) ||
        store_bind_int64(q, 3, aq->since) || store_bind_int64(q, 4, aq->until) ||
        store_bind_int(q, 5, aq->limit))
        return store_fail(st, "audit list bind");
    return store_read_all(st, q, "audit list", audit_read, audit_clear, sizeof **v, (void **)v, n);
}

int store_report_area(struct store *st, int64_t id, char *out, size_t size)
{
    SQL(sql, "SELECT coalesce(area,'') FROM reports WHERE id=?");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (store_bind_int64(q, 1, id) != SQLITE_OK)
        return store_fail(st, "report area bind");
    int rc = store_step(st, q);
    if (rc == SQLITE_ROW)
        copy_col(q, 0, out, size);
    store_reset(q);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "report area");
}

int store_report_area_set(struct store *st, int64_t id, const char *area)
{
    SQL(sql, "UPDATE reports SET area=? WHERE id=?");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (bind_text(q, 1, area, true) || store_bind_int64(q, 2, id))
        return store_fail(st, "report area set bind");
    if (store_step_done(st, q, "report area set") == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

int store_media_in_area(struct store *st, const char *sha, const char *area)
{
    SQL(sql, "SELECT 1 FROM report_media m JOIN reports r ON r.id=m.report_id"
             " WHERE (m.sha256=?1 OR m.clean_sha256=?1) AND r.area=?2 LIMIT 1");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (bind_text(q, 1, sha, false) || bind_text(q, 2, area, false))
        return store_fail(st, "media area bind");
    int rc = store_step(st, q);
    store_reset(q);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "media area");
}

int store_staff_code_set(struct store *st, int64_t id, const char *hash, int64_t expires_ms)
{
    SQL(sql, "INSERT INTO staff_codes(staff_id, code_hash, expires_ms, tries)"
             " VALUES(?,?,?,0) ON CONFLICT(staff_id) DO UPDATE SET"
             " code_hash=excluded.code_hash, expires_ms=excluded.expires_ms,"
             " tries=0");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    if (store_bind_int64(q, 1, id) || bind_text(q, 2, hash, false) ||
        store_bind_int64(q, 3, expires_ms))
        return store_fail(st, "staff code bind");
    return store_step_done(st, q, "staff code set");
}

int store_staff_code_get(struct store *st, int64_t id, struct staff_code *out)
{
    SQL(sql, "SELECT code_hash, expires_ms, tries FROM staff_codes WHERE staff_id=?");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return -1;
    memset(out, 0, sizeof *out);
    if (store_bind_int64(q, 1, id) != SQLITE_OK)
        return store_fail(st, "staff code get bind");
    int rc = store_step(st, q);
    if (rc == SQLITE_ROW) {
        copy_col(q, 0, out->hash, sizeof out->hash);
        out->expires_ms = store_col_int64(q, 1);
        out->tries = store_col_int(q, 2);
    }
    store_reset(q);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "staff code get");
}

int store_staff_code_used(struct store *st, int64_t id, bool ok)
{
    SQL(del, "DELETE FROM staff_codes WHERE staff_id=?");
    SQL(tried, "UPDATE staff_codes SET tries=tries+1 WHERE staff_id=?");
    struct store_stmt *q = store_stmt(st, ok ? del : tried);
    if (q == NULL)
        return -1;
    if (store_bind_int64(q, 1, id) != SQLITE_OK)
        return store_fail(st, "staff code used bind");
    return store_step_done(st, q, "staff code used");
}
