/*
 * store_desk.c - SQL of the service desk: tickets and their messages,
 * volunteers and their rotation, mentoring pairs, and the admin lists
 * (see desk.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "desk.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

static void copy_col(struct store_stmt *s, int col, char *out, size_t size)
{
    const char *v = store_col_str(s, col);
    snprintf(out, size, "%s", v ? (const char *)v : "");
}

/* An integer column as JSON, null when NULL. */
/* Run a statement whose only result is its change count: 1 changed, 0 not. */
static int step_changed(struct store *st, struct store_stmt *s, const char *what)
{
    if (store_step_done(st, s, what) == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

/* Collect the first column of every row as ids. Count or -1. */
static int step_ids(struct store *st, struct store_stmt *s, int64_t *ids, int max, const char *what)
{
    int n = 0, rc;
    while (n < max && (rc = store_step(st, s)) == SQLITE_ROW)
        ids[n++] = store_col_int64(s, 0);
    if (n < max && rc != SQLITE_DONE) {
        store_reset(s);
        return store_fail(st, what);
    }
    store_reset(s);
    return n;
}

int store_desk_ticket_add(struct store *st, const char *desk, int64_t person, bool crisis,
                          int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO desk_tickets(desk, person_id, status, crisis,"
             " created_ms) VALUES(?,?,'open',?,?)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, desk);
    store_bind_int64(s, 2, person);
    store_bind_int(s, 3, crisis);
    store_bind_int64(s, 4, now);
    return store_insert(st, s, "desk ticket add", id);
}

int store_desk_ticket_get(struct store *st, int64_t id, struct desk_ticket *out)
{
    SQL(sql, "SELECT id, person_id, coalesce(volunteer_id, 0), coalesce(offered_to, 0), created_ms,"
             " offers, desk, status, crisis,"
             " coalesce((SELECT person_id FROM desk_volunteers WHERE id=volunteer_id), 0)"
             " FROM desk_tickets WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        out->id = store_col_int64(s, 0);
        out->person = store_col_int64(s, 1);
        out->volunteer = store_col_int64(s, 2);
        out->offered_to = store_col_int64(s, 3);
        out->created_ms = store_col_int64(s, 4);
        out->offers = store_col_int(s, 5);
        copy_col(s, 6, out->desk, sizeof out->desk);
        copy_col(s, 7, out->status, sizeof out->status);
        out->crisis = store_col_int(s, 8) != 0;
        out->volunteer_person = store_col_int64(s, 9);
    }
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "desk ticket get");
}

/* The one id sql (bound to person) selects: 1 (*id set), 0 none, -1. */
static int ticket_of(struct store *st, const struct store_sql *sql, int64_t person, int64_t *id,
                     const char *what)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    if (store_bind_int64(s, 1, person) != SQLITE_OK) {
        store_reset(s);
        return store_fail(st, what);
    }
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *id = store_col_int64(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, what);
}

int store_desk_ticket_open_of(struct store *st, int64_t person, int64_t *id)
{
    SQL(sql, "SELECT id FROM desk_tickets WHERE person_id=? AND status<>'closed'"
             " ORDER BY id DESC LIMIT 1");
    return ticket_of(st, sql, person, id, "desk ticket open of");
}

int store_desk_crisis_open_of(struct store *st, int64_t person, int64_t *id)
{
    SQL(sql, "SELECT id FROM desk_tickets WHERE person_id=? AND crisis=1"
             " AND status<>'closed' ORDER BY id DESC LIMIT 1");
    return ticket_of(st, sql, person, id, "desk crisis open of");
}

int store_desk_ticket_offer(struct store *st, int64_t id, int64_t volunteer, int64_t now)
{
    SQL(sql, "UPDATE desk_tickets SET offered_to=?, offered_ms=?,"
             " offers=offers+1 WHERE id=?");
    SQL(rot, "UPDATE desk_volunteers SET last_offer_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, volunteer);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, id);
    if (store_step_done(st, s, "desk ticket offer") == -1)
        return -1;
    s = store_stmt(st, rot);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, volunteer);
    return store_step_done(st, s, "desk volunteer rotate");
}

int store_desk_ticket_take(struct store *st, int64_t id, int64_t volunteer, int64_t now)
{
    SQL(sql, "UPDATE desk_tickets SET status='taken', volunteer_id=?,"
             " taken_ms=? WHERE id=? AND status='open'");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, volunteer);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, id);
    return step_changed(st, s, "desk ticket take");
}

int store_desk_ticket_answered(struct store *st, int64_t id, int64_t now)
{
    SQL(sql, "UPDATE desk_tickets SET answered_ms=coalesce(answered_ms, ?) WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, id);
    return store_step_done(st, s, "desk ticket answered");
}

int store_desk_ticket_close(struct store *st, int64_t id, int64_t now)
{
    SQL(sql,
        "UPDATE desk_tickets SET status='closed', closed_ms=? WHERE id=? AND status<>'closed'");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, id);
    return step_changed(st, s, "desk ticket close");
}

int store_desk_ticket_rate(struct store *st, int64_t id, int64_t person, int score, int64_t now)
{
    SQL(sql, "UPDATE desk_tickets SET rating=?, rated_ms=? WHERE id=?"
             " AND person_id=? AND status='closed'");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int(s, 1, score);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, id);
    store_bind_int64(s, 4, person);
    return step_changed(st, s, "desk ticket rate");
}

int store_desk_ticket_set_crisis(struct store *st, int64_t id)
{
    SQL(sql, "UPDATE desk_tickets SET crisis=1 WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    return store_step_done(st, s, "desk ticket crisis");
}

int store_desk_ticket_escalated(struct store *st, int64_t id, int64_t now)
{
    SQL(sql, "UPDATE desk_tickets SET escalated_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, id);
    return store_step_done(st, s, "desk ticket escalated");
}

/* The ids sql selects with ?1 = before and ?2 = max: count or -1. */
static int due_ids(struct store *st, const struct store_sql *sql, int64_t before, int64_t *ids,
                   int max, const char *what)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    if (store_bind_int64(s, 1, before) != SQLITE_OK || store_bind_int(s, 2, max) != SQLITE_OK) {
        store_reset(s);
        return store_fail(st, what);
    }
    return step_ids(st, s, ids, max, what);
}

int store_desk_due_offers(struct store *st, int64_t offered_before, int64_t *ids, int max)
{
    SQL(sql, "SELECT id FROM desk_tickets WHERE status='open' AND"
             " (offered_ms IS NULL OR offered_ms<=?) ORDER BY id LIMIT ?");
    return due_ids(st, sql, offered_before, ids, max, "desk due offers");
}

int store_desk_due_escalations(struct store *st, int64_t created_before, int64_t *ids, int max)
{
    SQL(sql, "SELECT id FROM desk_tickets WHERE status='open' AND crisis=0 AND"
             " escalated_ms IS NULL AND created_ms<=? ORDER BY id LIMIT ?");
    return due_ids(st, sql, created_before, ids, max, "desk due escalations");
}

int store_desk_due_crisis(struct store *st, int64_t alerted_before, int64_t *ids, int max)
{
    SQL(sql, "SELECT id FROM desk_tickets WHERE status='open' AND crisis=1 AND"
             " coalesce(escalated_ms, created_ms)<=? ORDER BY id LIMIT ?");
    return due_ids(st, sql, alerted_before, ids, max, "desk due crisis");
}

int store_desk_msg_add(struct store *st, int64_t ticket, int64_t pair, const char *side,
                       const char *text, int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO desk_messages(ticket_id, pair_id, side, text,"
             " created_ms) VALUES(?,?,?,?,?)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    if (ticket > 0)
        store_bind_int64(s, 1, ticket);
    if (pair > 0)
        store_bind_int64(s, 2, pair);
    store_bind_text(s, 3, side);
    store_bind_text(s, 4, text);
    store_bind_int64(s, 5, now);
    return store_insert(st, s, "desk message add", id);
}

int store_desk_ticket_text(struct store *st, int64_t id, struct buf *out)
{
    SQL(sql, "SELECT text FROM desk_messages WHERE ticket_id=? AND side='worker' ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    int rc, n = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    while ((rc = store_step(st, s)) == SQLITE_ROW)
        buf_printf(out, "%s%s", n++ ? "\n" : "", store_col_str(s, 0));
    store_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, "desk ticket text");
}

int store_desk_volunteer_set(struct store *st, int64_t person, const char *name, const char *desks,
                             const char *hours, int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO desk_volunteers(person_id, name, desks, hours, created_ms)"
             " VALUES(?,?,?,?,?) ON CONFLICT(person_id) DO UPDATE SET name=excluded.name,"
             " desks=excluded.desks, hours=excluded.hours, active=1 RETURNING id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, name);
    store_bind_text(s, 3, desks);
    store_bind_text(s, 4, hours);
    store_bind_int64(s, 5, now);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *id = store_col_int64(s, 0);
    store_reset(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "desk volunteer set");
}

static void read_volunteer(struct store_stmt *s, struct desk_volunteer *v)
{
    v->id = store_col_int64(s, 0);
    v->person = store_col_int64(s, 1);
    copy_col(s, 2, v->hours, sizeof v->hours);
}

int store_desk_volunteer_of(struct store *st, int64_t person, const char *desk,
                            struct desk_volunteer *out)
{
    SQL(volunteer_of,
        "SELECT id, person_id, hours FROM desk_volunteers WHERE person_id=?1 AND active=1"
        " AND (?2 IS NULL OR instr(desks, ',' || ?2 || ',') > 0)");
    struct store_stmt *s = store_stmt(st, volunteer_of);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    if (desk != NULL)
        store_bind_text(s, 2, desk);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        read_volunteer(s, out);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "desk volunteer of");
}

int store_desk_volunteers_for(struct store *st, const char *desk, struct desk_volunteer *out,
                              int max)
{
    SQL(volunteers_for,
        "SELECT id, person_id, hours FROM desk_volunteers WHERE active=1"
        " AND instr(desks, ',' || ? || ',') > 0 ORDER BY last_offer_ms, id LIMIT ?");
    struct store_stmt *s = store_stmt(st, volunteers_for);
    int n = 0, rc = SQLITE_DONE;
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, desk);
    store_bind_int(s, 2, max);
    while (n < max && (rc = store_step(st, s)) == SQLITE_ROW)
        read_volunteer(s, &out[n++]);
    store_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_fail(st, "desk volunteers for");
    return n;
}

int store_mentor_add(struct store *st, int64_t worker, int64_t mentor, const char *mentor_name,
                     int64_t now, int64_t *id)
{
    SQL(sql, "INSERT INTO mentoring(worker_id, mentor_id, mentor_name, created_ms) VALUES(?,?,?,?)"
             " ON CONFLICT(worker_id, mentor_id) DO UPDATE SET active=1,"
             " mentor_name=coalesce(excluded.mentor_name, mentoring.mentor_name) RETURNING id");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, worker);
    store_bind_int64(s, 2, mentor);
    store_bind_text(s, 3, mentor_name);
    store_bind_int64(s, 4, now);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *id = store_col_int64(s, 0);
    store_reset(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "mentor add");
}

static void read_pair(struct store_stmt *s, struct mentor_pair *out)
{
    out->id = store_col_int64(s, 0);
    out->worker = store_col_int64(s, 1);
    out->mentor = store_col_int64(s, 2);
    out->last_ms = store_col_int64(s, 3);
}

int store_mentor_get(struct store *st, int64_t id, struct mentor_pair *out)
{
    SQL(sql, "SELECT id, worker_id, mentor_id, coalesce(last_contact_ms, created_ms) FROM mentoring"
             " WHERE id=? AND active=1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        read_pair(s, out);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "mentor get");
}

int store_mentor_of(struct store *st, int64_t person, struct mentor_pair *out)
{
    SQL(sql, "SELECT id, worker_id, mentor_id, coalesce(last_contact_ms, created_ms) FROM mentoring"
             " WHERE active=1 AND (worker_id=?1 OR mentor_id=?1) ORDER BY id DESC");
    struct store_stmt *s = store_stmt(st, sql);
    int n = 0, rc;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        if (n++ == 0)
            read_pair(s, out);
    }
    store_reset(s);
    return rc == SQLITE_DONE ? n : store_fail(st, "mentor of");
}

/* The last answer of store_desk_context on this thread, and when it was
 * read (store_generation: unique in the process, so no other store and no
 * later statement can show the same number). */
static _Thread_local struct {
    const struct store *st;
    uint64_t gen;
    int64_t person;
    struct desk_context v;
} context_seen;

int store_desk_context(struct store *st, int64_t person, struct desk_context *out)
{
    SQL(sql, "SELECT (SELECT id FROM desk_tickets WHERE person_id=?1 AND status<>'closed'"
             " ORDER BY id DESC LIMIT 1), m.id, m.worker_id, m.mentor_id, m.last_ms"
             " FROM (SELECT 1 AS one) o LEFT JOIN (SELECT id, worker_id, mentor_id,"
             " coalesce(last_contact_ms, created_ms) AS last_ms FROM mentoring"
             " WHERE active=1 AND (worker_id=?1 OR mentor_id=?1) ORDER BY id DESC LIMIT 1) m"
             " ON 1=1");
    if (context_seen.st == st && context_seen.gen == store_generation(st) &&
        context_seen.person == person) {
        *out = context_seen.v;
        return 0;
    }
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    if (store_bind_int64(s, 1, person) != SQLITE_OK) {
        store_reset(s);
        return store_fail(st, "desk context bind");
    }
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        out->ticket = store_col_int64(s, 0);
        out->pair.id = store_col_int64(s, 1);
        out->pair.worker = store_col_int64(s, 2);
        out->pair.mentor = store_col_int64(s, 3);
        out->pair.last_ms = store_col_int64(s, 4);
    }
    store_reset(s);
    if (rc != SQLITE_ROW)
        return store_fail(st, "desk context");
    context_seen.st = st;
    context_seen.gen = store_generation(st);
    context_seen.person = person;
    context_seen.v = *out;
    return 0;
}

int store_mentor_touch(struct store *st, int64_t id, int64_t now)
{
    SQL(sql, "UPDATE mentoring SET last_contact_ms=?, flagged_ms=NULL WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, id);
    return store_step_done(st, s, "mentor touch");
}

int store_mentor_flag_silent(struct store *st, int64_t before, int64_t now)
{
    SQL(sql, "UPDATE mentoring SET flagged_ms=? WHERE active=1 AND flagged_ms IS NULL"
             " AND coalesce(last_contact_ms, created_ms)<=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_int64(s, 2, before);
    if (store_step_done(st, s, "mentor flag") == -1)
        return -1;
    return store_changes(st);
}

static void volunteer_read(struct store_stmt *s, void *out)
{
    struct volunteer_entry *v = out;
    v->id = store_col_int64(s, 0);
    v->name = store_col_text(s, 1);
    v->desks = store_col_text(s, 2);
    v->hours = store_col_text(s, 3);
    v->active = store_col_int(s, 4) != 0;
    v->last_offer_ms = store_col_int64(s, 5);
    v->tickets = store_col_int64(s, 6);
    v->person = store_col_text(s, 7);
}

static void volunteer_clear(void *out)
{
    struct volunteer_entry *v = out;
    free(v->name);
    free(v->desks);
    free(v->hours);
    free(v->person);
}

void volunteer_entry_free_all(struct volunteer_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, volunteer_clear);
}

int store_desk_volunteer_list(struct store *st, struct volunteer_entry **v, size_t *n)
{
    SQL(sql,
        "SELECT v.id, v.name, trim(v.desks, ','), v.hours, v.active, v.last_offer_ms,"
        " (SELECT count(*) FROM desk_tickets WHERE volunteer_id=v.id),"
        " p.channel || ':' || p.ext_id FROM desk_volunteers v JOIN people p ON p.id=v.person_id"
        " ORDER BY v.id");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    return store_read_all(st, s, "desk volunteer list", volunteer_read, volunteer_clear, sizeof **v,
                          (void **)v, n);
}

#define TICKET_COLS                                                                                \
    "SELECT t.id, t.desk, t.status, t.created_ms, t.taken_ms, t.answered_ms, t.closed_ms,"         \
    " t.escalated_ms, t.rating, t.crisis, v.name,"                                                 \
    " (SELECT text FROM desk_messages WHERE ticket_id=t.id AND side='worker' ORDER BY id"          \
    " LIMIT 1)"                                                                                    \
    " FROM desk_tickets t LEFT JOIN desk_volunteers v ON v.id=t.volunteer_id"

static void ticket_read(struct store_stmt *s, void *out)
{
    struct ticket_entry *t = out;
    t->id = store_col_int64(s, 0);
    t->desk = store_col_text(s, 1);
    t->status = store_col_text(s, 2);
    t->created_ms = store_col_int64(s, 3);
    t->taken_ms = store_col_int64(s, 4);
    t->answered_ms = store_col_int64(s, 5);
    t->closed_ms = store_col_int64(s, 6);
    t->escalated_ms = store_col_int64(s, 7);
    t->rating = store_col_int(s, 8);
    t->crisis = store_col_int(s, 9) != 0;
    t->volunteer = store_col_text(s, 10);
    t->question = store_col_text(s, 11);
}

static void ticket_clear(void *out)
{
    struct ticket_entry *t = out;
    free(t->desk);
    free(t->status);
    free(t->volunteer);
    free(t->question);
    memset(t, 0, sizeof *t);
}

void ticket_entry_clear(struct ticket_entry *t)
{
    ticket_clear(t);
}

void ticket_entry_free_all(struct ticket_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, ticket_clear);
}

static void message_read(struct store_stmt *s, void *out)
{
    struct ticket_message *m = out;
    m->side = store_col_text(s, 0);
    m->text = store_col_text(s, 1);
    m->ms = store_col_int64(s, 2);
}

static void message_clear(void *out)
{
    struct ticket_message *m = out;
    free(m->side);
    free(m->text);
}

void ticket_message_free_all(struct ticket_message *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, message_clear);
}

int store_desk_ticket_list(struct store *st, const char *status, const char *desk, int limit,
                           struct ticket_entry **v, size_t *n)
{
    SQL(sql, TICKET_COLS " WHERE (CAST(?1 AS TEXT) IS NULL OR t.status=?1)"
                         " AND (CAST(?2 AS TEXT) IS NULL OR t.desk=?2) ORDER BY t.id DESC"
                         " LIMIT ?3");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    if (status != NULL)
        store_bind_text(s, 1, status);
    if (desk != NULL)
        store_bind_text(s, 2, desk);
    store_bind_int(s, 3, limit);
    return store_read_all(st, s, "desk ticket list", ticket_read, ticket_clear, sizeof **v,
                          (void **)v, n);
}

int store_desk_ticket_show(struct store *st, int64_t id, struct ticket_entry *out,
                           struct ticket_message **m, size_t *nm)
{
    SQL(sql, TICKET_COLS " WHERE t.id=?");
    SQL(msgs, "SELECT side, text, created_ms FROM desk_messages WHERE ticket_id=? ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    *m = NULL;
    *nm = 0;
    memset(out, 0, sizeof *out);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    int f = store_read_one(st, s, "desk ticket", ticket_read, out, sizeof *out);
    if (f != 1)
        return f;
    s = store_stmt(st, msgs);
    if (s != NULL)
        store_bind_int64(s, 1, id);
    if (s == NULL || store_read_all(st, s, "desk ticket messages", message_read, message_clear,
                                    sizeof **m, (void **)m, nm) == -1) {
        ticket_clear(out);
        return -1;
    }
    return 1;
}

static void mentor_read(struct store_stmt *s, void *out)
{
    struct mentor_entry *m = out;
    m->id = store_col_int64(s, 0);
    m->worker = store_col_text(s, 1);
    m->mentor = store_col_text(s, 2);
    m->mentor_name = store_col_text(s, 3);
    m->active = store_col_int(s, 4) != 0;
    m->created_ms = store_col_int64(s, 5);
    m->has_contact = store_col_type(s, 6) != SQLITE_NULL;
    m->last_contact_ms = store_col_int64(s, 6);
    m->silent = store_col_type(s, 7) != SQLITE_NULL;
    m->flagged_ms = store_col_int64(s, 7);
    m->messages = store_col_int64(s, 8);
}

static void mentor_clear(void *out)
{
    struct mentor_entry *m = out;
    free(m->worker);
    free(m->mentor);
    free(m->mentor_name);
}

void mentor_entry_free_all(struct mentor_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, mentor_clear);
}

int store_mentor_list(struct store *st, struct mentor_entry **v, size_t *n)
{
    SQL(sql,
        "SELECT m.id, w.channel || ':' || w.ext_id, t.channel || ':' || t.ext_id, m.mentor_name,"
        " m.active, m.created_ms, m.last_contact_ms, m.flagged_ms,"
        " (SELECT count(*) FROM desk_messages WHERE pair_id=m.id)"
        " FROM mentoring m JOIN people w ON w.id=m.worker_id JOIN people t ON t.id=m.mentor_id"
        " ORDER BY m.id");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    return store_read_all(st, s, "mentor list", mentor_read, mentor_clear, sizeof **v, (void **)v,
                          n);
}
