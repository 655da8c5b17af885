/*
 * store_staff.c - SQL of staff accounts, their linked chats, the audit trail
 * and the area of a report (see staff.h).
 */
#include <stdio.h>
#include <string.h>

#include "staff.h"
#include "store.h"
#include "store_int.h"

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

json_t *store_staff_list_chats(struct store *st, int64_t id)
{
    SQL(sql, "SELECT chat FROM staff_chats WHERE staff_id=? ORDER BY chat");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return NULL;
    if (store_bind_int64(q, 1, id) != SQLITE_OK) {
        store_fail(st, "staff chats bind");
        return NULL;
    }
    json_t *a = json_array();
    int rc;
    while ((rc = store_step(st, q)) == SQLITE_ROW)
        json_array_append_new(a, json_string(store_col_str(q, 0)));
    store_reset(q);
    if (rc != SQLITE_DONE) {
        json_decref(a);
        store_fail(st, "staff chats");
        return NULL;
    }
    return a;
}

json_t *store_staff_list(struct store *st)
{
    SQL(sql, "SELECT " STAFF_COLS ", created_ms FROM staff ORDER BY username");
    struct store_stmt *q = store_stmt(st, sql);
    if (q == NULL)
        return NULL;
    json_t *a = json_array();
    int64_t ids[512];
    int n = 0, rc;
    while ((rc = store_step(st, q)) == SQLITE_ROW && n < 512) {
        struct staff s;
        staff_row(q, &s);
        ids[n++] = s.id;
        json_array_append_new(a,
                              json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b,s:I}", "id", (json_int_t)s.id,
                                        "username", s.username, "display", s.display, "org", s.org,
                                        "role", s.role, "area", s.area, "disabled", s.disabled,
                                        "created_ms", (json_int_t)store_col_int64(q, 8)));
    }
    store_reset(q);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        json_decref(a);
        store_fail(st, "staff list");
        return NULL;
    }
    for (int i = 0; i < n; i++) { /* after the list's statement is reset */
        json_t *c = store_staff_list_chats(st, ids[i]);
        if (c == NULL) {
            json_decref(a);
            return NULL;
        }
        json_object_set_new(json_array_get(a, (size_t)i), "chats", c);
    }
    return a;
}

json_t *store_staff_chats_of_roles(struct store *st, const char *const *roles)
{
    SQL(sql, "SELECT c.chat FROM staff_chats c JOIN staff s ON s.id=c.staff_id"
             " WHERE s.disabled=0 AND s.role=? ORDER BY c.chat");
    json_t *a = json_array();
    for (int i = 0; roles[i]; i++) {
        struct store_stmt *q = store_stmt(st, sql);
        int rc;
        if (q == NULL || bind_text(q, 1, roles[i], false) != SQLITE_OK) {
            json_decref(a);
            return NULL;
        }
        while ((rc = store_step(st, q)) == SQLITE_ROW)
            json_array_append_new(a, json_string(store_col_str(q, 0)));
        store_reset(q);
        if (rc != SQLITE_DONE) {
            json_decref(a);
            store_fail(st, "staff chats of roles");
            return NULL;
        }
    }
    return a;
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
