/*
 * store_privacy.c - the SQL of privacy.h: summary, export, erasure and
 * retention of a person's data. The account (绑定) is the unit: ?1 is its key,
 * and "P" below is every people row of it.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "norm.h"
#include "privacy.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

#define P "(SELECT id FROM people WHERE coalesce(account_id, id)=?1)"

int store_privacy_account(struct store *st, int64_t person, int64_t *account)
{
    SQL(sql, "SELECT coalesce(account_id, id) FROM people WHERE id=? AND channel<>'erased'");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *account = store_col_int64(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "privacy account");
}

int store_privacy_summary(struct store *st, int64_t account, struct privacy_summary *out)
{
    /* inbound has no index by person since migration 13: counting a
     * person's messages reads the table, which only 我的信息 does. */
    SQL(sql, "SELECT (SELECT count(*) FROM " P " AS a),"
             " (SELECT name FROM people WHERE id IN " P " AND name IS NOT NULL"
             "  ORDER BY last_seen_ms DESC LIMIT 1),"
             " (SELECT coalesce(sum(delta), 0) FROM points WHERE person_id IN " P "),"
             " (SELECT count(*) FROM bookings WHERE person_id IN " P "),"
             " (SELECT count(*) FROM reports WHERE person_id IN " P "),"
             " (SELECT count(*) FROM desk_tickets WHERE person_id IN " P "),"
             " (SELECT count(*) FROM inbound WHERE person_id IN " P ")");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        out->channels = store_col_int64(s, 0);
        out->name = store_col_text(s, 1);
        out->points = store_col_int64(s, 2);
        out->bookings = store_col_int64(s, 3);
        out->reports = store_col_int64(s, 4);
        out->tickets = store_col_int64(s, 5);
        out->messages = store_col_int64(s, 6);
    }
    store_reset(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "privacy summary");
}

/* Each part of an export: its name and the rows of the account. */
SQL(export_channels, "SELECT id, channel, ext_id AS platform_id, name, opted_out, created_ms,"
                     " last_seen_ms FROM people WHERE id IN " P " ORDER BY id");
SQL(export_messages, "SELECT created_ms, channel, text, intent, replies FROM inbound"
                     " WHERE person_id IN " P " ORDER BY id");
SQL(export_pushes, "SELECT created_ms, channel, klass, text, status, sent_ms FROM outbox"
                   " WHERE person_id IN " P " ORDER BY id");
SQL(export_points,
    "SELECT created_ms, delta, reason, ref FROM points WHERE person_id IN " P " ORDER BY id");
SQL(export_bookings,
    "SELECT b.created_ms, c.title AS course, b.status, b.cost, b.attended_ms"
    " FROM bookings b JOIN courses c ON c.id=b.course_id WHERE b.person_id IN " P " ORDER BY b.id");
SQL(export_checkins, "SELECT a.title AS activity, k.created_ms FROM checkins k"
                     " JOIN activities a ON a.id=k.activity_id WHERE k.person_id IN " P);
SQL(export_redemptions,
    "SELECT i.name AS item, r.cost, r.created_ms, r.handed_ms FROM redemptions r"
    " JOIN items i ON i.id=r.item_id WHERE r.person_id IN " P " ORDER BY r.id");
SQL(export_lessons, "SELECT lesson_id, shown_ms, answers, wrong, done_ms FROM lesson_progress"
                    " WHERE person_id IN " P);
SQL(export_lesson_subscription, "SELECT minute, created_ms FROM lesson_subs WHERE person_id IN " P);
SQL(export_reports, "SELECT code, created_ms, description, lat, lon, status, followup_answer"
                    " FROM reports WHERE person_id IN " P " ORDER BY id");
SQL(export_photos, "SELECT report_id, created_ms, status, sha256, mime, bytes, exif_lat, exif_lon"
                   " FROM report_media WHERE person_id IN " P " ORDER BY id");
SQL(export_desk_tickets, "SELECT id, desk, status, crisis, created_ms, closed_ms, rating"
                         " FROM desk_tickets WHERE person_id IN " P " ORDER BY id");
SQL(export_desk_messages, "SELECT m.ticket_id, m.pair_id, m.side, m.text, m.created_ms"
                          " FROM desk_messages m WHERE m.ticket_id IN (SELECT id FROM desk_tickets"
                          " WHERE person_id IN " P ") OR m.pair_id IN (SELECT id FROM mentoring"
                          " WHERE worker_id IN " P " OR mentor_id IN " P ") ORDER BY m.id");
SQL(export_member, "SELECT name, org, contact, city, lat, lon, checkin_ms, created_ms FROM members"
                   " WHERE person_id IN " P);
SQL(export_volunteer, "SELECT name, desks, hours, active, created_ms FROM desk_volunteers"
                      " WHERE person_id IN " P);
SQL(export_tags, "SELECT tag FROM tags WHERE person_id IN " P);
SQL(export_profile, "SELECT key, value, updated_ms FROM person_fields WHERE person_id IN " P);
/* Each part's columns, in its SELECT's order. */
#define I(n) {n, EXPORT_INT}
#define R(n) {n, EXPORT_REAL}
#define T(n) {n, EXPORT_TEXT}
static const struct export_col cols_channels[] = {
    I("id"), T("channel"), T("platform_id"), T("name"), I("opted_out"), I("created_ms"),
    I("last_seen_ms")};
static const struct export_col cols_messages[] = {I("created_ms"), T("channel"), T("text"),
                                                  T("intent"), T("replies")};
static const struct export_col cols_pushes[] = {I("created_ms"), T("channel"), T("klass"),
                                                T("text"),       T("status"),  I("sent_ms")};
static const struct export_col cols_points[] = {I("created_ms"), I("delta"), T("reason"),
                                                T("ref")};
static const struct export_col cols_bookings[] = {I("created_ms"), T("course"), T("status"),
                                                  I("cost"), I("attended_ms")};
static const struct export_col cols_checkins[] = {T("activity"), I("created_ms")};
static const struct export_col cols_redemptions[] = {T("item"), I("cost"), I("created_ms"),
                                                     I("handed_ms")};
static const struct export_col cols_lessons[] = {I("lesson_id"), I("shown_ms"), I("answers"),
                                                 I("wrong"), I("done_ms")};
static const struct export_col cols_lesson_subscription[] = {I("minute"), I("created_ms")};
static const struct export_col cols_reports[] = {
    T("code"), I("created_ms"), T("description"), R("lat"), R("lon"), T("status"),
    T("followup_answer")};
static const struct export_col cols_photos[] = {
    I("report_id"), I("created_ms"), T("status"),   T("sha256"),
    T("mime"),      I("bytes"),      R("exif_lat"), R("exif_lon")};
static const struct export_col cols_desk_tickets[] = {
    I("id"), T("desk"), T("status"), I("crisis"), I("created_ms"), I("closed_ms"), I("rating")};
static const struct export_col cols_desk_messages[] = {I("ticket_id"), I("pair_id"), T("side"),
                                                       T("text"), I("created_ms")};
static const struct export_col cols_member[] = {T("name"), T("org"), T("contact"), T("city"),
                                                R("lat"),  R("lon"), I("checkin_ms"),
                                                I("created_ms")};
static const struct export_col cols_volunteer[] = {T("name"), T("desks"), T("hours"), I("active"),
                                                   I("created_ms")};
static const struct export_col cols_tags[] = {T("tag")};
static const struct export_col cols_profile[] = {T("key"), T("value"), I("updated_ms")};
#undef I
#undef R
#undef T

#define PART(n) {#n, export_##n, cols_##n, sizeof cols_##n / sizeof cols_##n[0]}
static const struct {
    const char *name;
    const struct store_sql *sql;
    const struct export_col *cols;
    size_t ncols;
} export_parts[EXPORT_PARTS] = {
    PART(channels),     PART(messages),     PART(pushes),    PART(points),
    PART(bookings),     PART(checkins),     PART(redemptions), PART(lessons),
    PART(lesson_subscription), PART(reports), PART(photos),  PART(desk_tickets),
    PART(desk_messages), PART(member),      PART(volunteer), PART(tags),
    PART(profile),
};
#undef PART

void privacy_export_clear(struct privacy_export *e)
{
    for (size_t p = 0; p < EXPORT_PARTS; p++) {
        struct export_part *part = &e->parts[p];
        for (size_t i = 0; i < part->nrows * part->ncols; i++)
            free(part->values[i].text);
        free(part->values);
    }
    memset(e, 0, sizeof *e);
}

/* Row values of a stepped statement into v (ncols of them), each read as
 * its column's declared type. */
static void values_read(struct store_stmt *s, const struct export_part *part,
                        struct export_value *v)
{
    for (size_t c = 0; c < part->ncols; c++) {
        memset(&v[c], 0, sizeof v[c]);
        v[c].null = store_col_type(s, (int)c) == SQLITE_NULL;
        if (v[c].null)
            continue;
        if (part->cols[c].type == EXPORT_INT)
            v[c].i = store_col_int64(s, (int)c);
        else if (part->cols[c].type == EXPORT_REAL)
            v[c].r = store_col_double(s, (int)c);
        else
            v[c].text = store_col_text(s, (int)c);
    }
}

/* The rows of a bound statement into part: 0 or -1 (logged). */
static int part_read(struct store *st, struct store_stmt *s, struct export_part *part)
{
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        struct export_value *v =
            realloc(part->values, (part->nrows + 1) * part->ncols * sizeof *part->values);
        if (v == NULL) {
            rc = SQLITE_NOMEM;
            break;
        }
        part->values = v;
        values_read(s, part, v + part->nrows++ * part->ncols);
    }
    store_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, part->name);
}

int store_privacy_export(struct store *st, int64_t account, struct privacy_export *out)
{
    memset(out, 0, sizeof *out);
    out->person = account;
    for (size_t i = 0; i < EXPORT_PARTS; i++) {
        struct export_part *part = &out->parts[i];
        part->name = export_parts[i].name;
        part->cols = export_parts[i].cols;
        part->ncols = export_parts[i].ncols;
        struct store_stmt *s = store_stmt(st, export_parts[i].sql);
        if (s == NULL || store_bind_int64(s, 1, account) != SQLITE_OK ||
            part_read(st, s, part) == -1) {
            if (s != NULL)
                store_reset(s);
            privacy_export_clear(out);
            return -1;
        }
    }
    return 0;
}

/* Collect the text column 0 of every row of a bound statement into a. */
static int collect(struct store *st, struct store_stmt *s, json_t *a, const char *what)
{
    int rc;
    while ((rc = store_step(st, s)) == SQLITE_ROW)
        for (int c = 0; c < store_col_count(s); c++) {
            const char *v = store_col_str(s, c);
            if (v != NULL && v[0] != '\0')
                json_array_append_new(a, json_string((const char *)v));
        }
    store_reset(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, what);
}

static int collect_account(struct store *st, const struct store_sql *sql, int64_t account,
                           json_t *a, const char *what)
{
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, account);
    return collect(st, s, a, what);
}

/* Texts that other people's rows may carry: a desk message is relayed to a
 * volunteer, a crisis text to the desk admins, a name and a platform id are
 * shown to a mentor. Shorter strings would match unrelated text. */
#define SECRET_MIN_BYTES 4
SQL(sql_secrets,
    "SELECT text FROM desk_messages WHERE ticket_id IN (SELECT id FROM desk_tickets WHERE"
    " person_id IN " P ") OR pair_id IN (SELECT id FROM mentoring WHERE worker_id IN " P ")");
SQL(sql_secret_ids, "SELECT ext_id, name FROM people WHERE id IN " P);
/* Not-understood texts are kept normalised and without a person. */
SQL(sql_texts, "SELECT text FROM inbound WHERE person_id IN " P " AND text IS NOT NULL");
SQL(sql_shas, "SELECT sha256, clean_sha256 FROM report_media"
              " WHERE person_id IN " P);

/* Blank rows of anyone that carry one of the secrets (a queued push with
 * it is cancelled), and not-understood entries equal to one. */
static int scrub_secrets(struct store *st, json_t *secrets, json_t *texts)
{
    SQL(outbox, "UPDATE outbox SET text='', sent_text=NULL, extra=NULL, last_error=NULL,"
                " status=CASE WHEN status IN ('queued','held') THEN 'cancelled' ELSE status END"
                " WHERE instr(text, ?1) OR instr(sent_text, ?1)");
    SQL(replies, "UPDATE inbound SET replies='[]' WHERE instr(replies, ?1)");
    SQL(unknown, "DELETE FROM unknown WHERE text=?1");
    static const struct store_sql *const by_secret[] = {outbox, replies};
    size_t i;
    json_t *v;
    store_arrivals_forget(st); /* replies */
    json_array_foreach(secrets, i, v)
    {
        const char *sv = json_string_value(v);
        if (strlen(sv) < SECRET_MIN_BYTES)
            continue;
        for (size_t k = 0; k < sizeof by_secret / sizeof by_secret[0]; k++) {
            struct store_stmt *s = store_stmt(st, by_secret[k]);
            if (s == NULL)
                return -1;
            store_bind_text(s, 1, sv);
            if (store_step_done(st, s, "privacy scrub") == -1)
                return -1;
        }
    }
    json_array_foreach(texts, i, v)
    {
        char *n = norm_text(json_string_value(v));
        struct store_stmt *s = store_stmt(st, unknown);
        if (s != NULL)
            store_bind_text(s, 1, n);
        int rc = s ? store_step_done(st, s, "privacy unknown") : -1;
        free(n);
        if (rc == -1)
            return -1;
    }
    return 0;
}

/* What erasure changes, in order; ?1 the account, ?2 now. The people rows
 * go last: the others find them by the account key. points, admin_credits,
 * checkins, redemptions, lesson_progress and lesson_days keep their rows:
 * they hold no text and the ledger's sums and the statistics need them. */
SQL(erase_inbound, "UPDATE inbound SET text=NULL, replies='[]' WHERE person_id IN " P);
SQL(erase_state, "DELETE FROM state WHERE person_id IN " P);
SQL(erase_outbox,
    "UPDATE outbox SET to_ext='', text='', sent_text=NULL, extra=NULL, last_error=NULL,"
    " status=CASE WHEN status IN ('queued','held','sending') THEN 'cancelled' ELSE status END"
    " WHERE person_id IN " P);
SQL(erase_tags, "DELETE FROM tags WHERE person_id IN " P);
SQL(erase_person_fields, "DELETE FROM person_fields WHERE person_id IN " P);
SQL(erase_filter_members, "DELETE FROM filter_members WHERE person_id IN " P);
SQL(erase_lesson_subs, "DELETE FROM lesson_subs WHERE person_id IN " P);
SQL(erase_bookings, "UPDATE bookings SET status='cancelled', offer_until_ms=NULL, updated_ms=?2"
                    " WHERE person_id IN " P " AND status IN ('seat','offered','waiting')");
SQL(erase_desk_messages,
    "UPDATE desk_messages SET text='' WHERE ticket_id IN (SELECT id FROM desk_tickets WHERE"
    " person_id IN " P ") OR pair_id IN (SELECT id FROM mentoring WHERE worker_id IN " P
    " OR mentor_id IN " P ")");
SQL(erase_desk_tickets, "UPDATE desk_tickets SET status='closed', closed_ms=coalesce(closed_ms, ?2)"
                        " WHERE person_id IN " P " AND status<>'closed'");
SQL(erase_desk_volunteers, "UPDATE desk_volunteers SET name='', active=0 WHERE person_id IN " P);
SQL(erase_mentoring,
    "UPDATE mentoring SET mentor_name=NULL, active=0 WHERE worker_id IN " P " OR mentor_id IN " P);
SQL(erase_members,
    "UPDATE members SET name=NULL, contact=NULL, lat=NULL, lon=NULL WHERE person_id IN " P);
SQL(erase_report_history,
    "UPDATE report_history SET note=NULL WHERE report_id IN (SELECT id FROM reports"
    " WHERE person_id IN " P ")");
SQL(erase_reports,
    "UPDATE reports SET description=NULL, followup_answer=NULL, reason=NULL, updated_ms=?2"
    " WHERE person_id IN " P);
SQL(erase_report_media,
    "UPDATE report_media SET url='', sha256=NULL, clean_sha256=NULL, exif_lat=NULL,"
    " exif_lon=NULL, last_error=NULL, lease_until_ms=NULL,"
    " status=CASE WHEN status IN ('pending','fetching') THEN 'failed' ELSE status END,"
    " updated_ms=?2 WHERE person_id IN " P);
SQL(erase_link_codes, "DELETE FROM link_codes WHERE account_id IN " P);
SQL(erase_link_fails, "DELETE FROM link_fails WHERE person_id IN " P);
SQL(erase_people,
    "UPDATE people SET channel='erased', ext_id='erased-' || id, name=NULL, account_id=NULL,"
    " opted_out=1, opt_changed_ms=?2 WHERE id IN " P);
static const struct store_sql *const erase_steps[] = {
    erase_inbound,       erase_state,          erase_outbox,          erase_tags,
    erase_person_fields, erase_filter_members, erase_lesson_subs,     erase_bookings,
    erase_desk_messages, erase_desk_tickets,   erase_desk_volunteers, erase_mentoring,
    erase_members,       erase_report_history, erase_reports,         erase_report_media,
    erase_link_codes,    erase_link_fails,     erase_people,
};

int store_privacy_erase(struct store *st, int64_t account, int64_t now, json_t *shas)
{
    json_t *secrets = json_array(), *texts = json_array();
    int rc = -1;
    /* Zero the bytes of what is deleted or overwritten, not only unlink
     * them from the b-tree: erased means unreadable in the file too. Only
     * for erasure: on every turn it would add writes. */
    if (store_exec(st, "PRAGMA secure_delete=ON") == -1)
        goto out;
    /* an admin's erasure: another node's batch of the person waits */
    if (store_person_lock_id(st, account) == -1)
        goto out;
    if (collect_account(st, sql_secrets, account, secrets, "privacy secrets") == -1 ||
        collect_account(st, sql_secret_ids, account, secrets, "privacy ids") == -1 ||
        collect_account(st, sql_texts, account, texts, "privacy texts") == -1 ||
        collect_account(st, sql_shas, account, shas, "privacy photos") == -1)
        goto out;
    store_state_forget(st); /* erase_state */
    store_arrivals_forget(st); /* erase_inbound, the people row */
    for (size_t i = 0; i < sizeof erase_steps / sizeof erase_steps[0]; i++) {
        struct store_stmt *s = store_stmt(st, erase_steps[i]);
        if (s == NULL)
            goto out;
        store_bind_int64(s, 1, account);
        if (store_param_count(s) >= 2) /* only the steps that stamp a time */
            store_bind_int64(s, 2, now);
        if (store_step_done(st, s, "privacy erase") == -1)
            goto out;
    }
    rc = scrub_secrets(st, secrets, texts);
out:
    if (store_exec(st, "PRAGMA secure_delete=OFF") == -1)
        rc = -1;
    json_decref(secrets);
    json_decref(texts);
    return rc;
}

int store_privacy_sha_unused(struct store *st, const char *sha)
{
    SQL(sql, "SELECT NOT EXISTS(SELECT 1 FROM report_media WHERE sha256=?1 OR clean_sha256=?1)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, sha);
    int rc = store_step(st, s), unused = rc == SQLITE_ROW ? store_col_int(s, 0) : -1;
    store_reset(s);
    return rc == SQLITE_ROW ? unused : store_fail(st, "privacy sha");
}

int store_privacy_meta_get(struct store *st, const char *key, char *out, size_t n)
{
    SQL(sql, "SELECT v FROM meta WHERE k=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, key);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        snprintf(out, n, "%s", store_col_str(s, 0) ? store_col_str(s, 0) : "");
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "privacy meta");
}

int store_privacy_meta_set(struct store *st, const char *key, const char *value)
{
    SQL(sql, "INSERT INTO meta(k, v) VALUES(?1, ?2) ON CONFLICT(k) DO UPDATE SET v=excluded.v");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, key);
    store_bind_text(s, 2, value);
    return store_step_done(st, s, "privacy meta set");
}

/*
 * Retention walks each kind by id from a watermark in meta (ids grow with
 * time) and stops at the first row not yet due, so a run reads only the rows
 * that came due since the last one plus one, through the primary key. Each
 * kind: the meta key; the rows after the watermark (?1) in id order, at most
 * ?2, as id, created_ms, what to do with the row (1 change it, 0 not this
 * kind's: pass it, 2 not finished, like a push still queued: stop before it
 * and come back another day), then photo file names; and the change of one
 * row (?1 its id).
 */
SQL(retention_inbound_next,
    "SELECT id, created_ms, 1 FROM inbound WHERE id>?1 ORDER BY id LIMIT ?2");
SQL(retention_inbound_change, "UPDATE inbound SET text=NULL, replies='[]' WHERE id=?1");
SQL(retention_outbox_next,
    "SELECT id, created_ms, CASE WHEN status IN ('queued','held','sending') THEN 2 ELSE 1 END"
    " FROM outbox WHERE id>?1 ORDER BY id LIMIT ?2");
SQL(retention_outbox_change,
    "UPDATE outbox SET text='', sent_text=NULL, extra=NULL, last_error=NULL WHERE id=?1");
SQL(retention_photos_next,
    "SELECT id, created_ms, CASE WHEN status IN ('pending','fetching') THEN 2 ELSE 1 END,"
    " sha256, clean_sha256 FROM report_media WHERE id>?1 ORDER BY id LIMIT ?2");
SQL(retention_photos_change,
    "UPDATE report_media SET url='', sha256=NULL, clean_sha256=NULL, exif_lat=NULL,"
    " exif_lon=NULL WHERE id=?1");
SQL(retention_reports_next,
    "SELECT id, created_ms, 1 FROM reports WHERE id>?1 ORDER BY id LIMIT ?2");
SQL(retention_reports_change,
    "UPDATE reports SET description=NULL, followup_answer=NULL WHERE id=?1");
SQL(retention_desk_next, "SELECT id, created_ms, 1 FROM desk_messages WHERE id>?1 ORDER BY id"
                         " LIMIT ?2");
SQL(retention_desk_change, "UPDATE desk_messages SET text='' WHERE id=?1");
SQL(retention_crisis_next,
    "SELECT m.id, m.created_ms, coalesce(k.crisis, 0) FROM desk_messages m"
    " LEFT JOIN desk_tickets k ON k.id=m.ticket_id WHERE m.id>?1 ORDER BY m.id LIMIT ?2");
SQL(retention_crisis_change, "UPDATE desk_messages SET text='' WHERE id=?1");
static const struct {
    const char *mark;
    const struct store_sql *next, *change;
    int cut; /* 0 messages, 1 photos, 2 desk, 3 crisis */
} kinds[] = {
    {"retention.inbound", retention_inbound_next, retention_inbound_change, 0},
    {"retention.outbox", retention_outbox_next, retention_outbox_change, 0},
    {"retention.photos", retention_photos_next, retention_photos_change, 1},
    {"retention.reports", retention_reports_next, retention_reports_change, 1},
    {"retention.desk", retention_desk_next, retention_desk_change, 2},
    {"retention.crisis", retention_crisis_next, retention_crisis_change, 3},
};

/* Rows of kind k due before cutoff after its watermark, at most limit: ids
 * to change go to ids, photo names to shas, the new watermark to *last. */
static int retention_due(struct store *st, size_t k, int64_t from, int64_t cutoff, int limit,
                         json_t *ids, json_t *shas, int64_t *last, int *advanced)
{
    struct store_stmt *s = store_stmt(st, kinds[k].next);
    int rc;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, from);
    store_bind_int(s, 2, limit);
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        int what = store_col_int(s, 2);
        if (store_col_int64(s, 1) >= cutoff || what == 2)
            break; /* this one (and every later one) is still kept */
        *last = store_col_int64(s, 0);
        (*advanced)++;
        if (what == 0)
            continue;
        json_array_append_new(ids, json_integer(*last));
        for (int c = 3; c < store_col_count(s); c++)
            if (store_col_str(s, c) != NULL)
                json_array_append_new(shas,
                                      json_string(store_col_str(s, c)));
    }
    store_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_fail(st, "retention due");
}

static int retention_kind(struct store *st, size_t k, int64_t cutoff, int limit, json_t *shas)
{
    char mark[32];
    int64_t from = 0, last = 0;
    int advanced = 0, rc = store_privacy_meta_get(st, kinds[k].mark, mark, sizeof mark);
    if (rc == -1)
        return -1;
    if (rc == 1)
        from = strtoll(mark, NULL, 10);
    last = from;
    json_t *ids = json_array();
    size_t i;
    json_t *v;
    if (retention_due(st, k, from, cutoff, limit, ids, shas, &last, &advanced) == -1)
        goto fail;
    json_array_foreach(ids, i, v)
    {
        struct store_stmt *u = store_stmt(st, kinds[k].change);
        if (u == NULL)
            goto fail;
        store_bind_int64(u, 1, json_integer_value(v));
        if (store_step_done(st, u, "retention change") == -1)
            goto fail;
    }
    json_decref(ids);
    if (last != from) {
        snprintf(mark, sizeof mark, "%lld", (long long)last);
        if (store_privacy_meta_set(st, kinds[k].mark, mark) == -1)
            return -1;
    }
    return advanced;
fail:
    json_decref(ids);
    return -1;
}

int store_privacy_retention(struct store *st, const struct retention_cut *cut, int limit,
                            json_t *shas)
{
    store_arrivals_forget(st); /* inbound rows' replies */
    const int64_t cuts[] = {cut->messages, cut->photos, cut->desk, cut->crisis};
    int more = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = retention_kind(st, k, cuts[kinds[k].cut], limit, shas);
        if (n == -1)
            return -1;
        if (n == limit)
            more = 1; /* a full batch: more may be due behind it */
    }
    return more;
}
