/*
 * store_report.c - SQL of 随手拍 reports, their history and their photo
 * downloads (see report.h). Every call runs inside the caller's transaction.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

void report_release(struct report *r)
{
    free(r->description);
    free(r->status);
    free(r->photo_status);
    free(r->reason);
    memset(r, 0, sizeof *r);
}

void media_job_release(struct media_job *j)
{
    free(j->url);
    free(j->channel);
    memset(j, 0, sizeof *j);
}

int store_report_create(struct store *st, int64_t person, const char *desc, int64_t now,
                        int64_t *id)
{
    /* The code comes from the row id, our sequence: the temporary code is
     * unique because ids are, and is replaced in the same transaction. */
    SQL(ins, "INSERT INTO reports(code, person_id, description, status, created_ms, updated_ms)"
             " VALUES('new-' || CAST(?1 AS BIGINT) || '-'"
             " || (SELECT coalesce(max(id), 0) + 1 FROM reports),"
             " ?1, ?2, 'received', ?3, ?3)");
    SQL(upd, "UPDATE reports SET code=? WHERE id=?");
    char code[REPORT_CODE_MAX];
    struct store_stmt *s = store_stmt(st, ins);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, desc);
    store_bind_int64(s, 3, now);
    if (store_insert(st, s, "report create", id) == -1)
        return -1;
    report_code_fmt(*id, code);
    s = store_stmt(st, upd);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, code);
    store_bind_int64(s, 2, *id);
    if (store_step_done(st, s, "report code") == -1)
        return -1;
    return store_report_history_add(st, *id, "received", "reporter", NULL, now, NULL);
}

int store_report_get(struct store *st, int64_t id, struct report *out)
{
    SQL(sql, "SELECT id, person_id, code, description, status, photo_status, reason,"
             " coalesce(merged_into, 0), coalesce(dup_of, 0), lat, lon, reopened, created_ms,"
             " updated_ms, coalesce(resolved_ms, 0) FROM reports WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    memset(out, 0, sizeof *out);
    store_bind_int64(s, 1, id);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        out->id = store_col_int64(s, 0);
        out->person = store_col_int64(s, 1);
        snprintf(out->code, sizeof out->code, "%s", store_col_str(s, 2));
        out->description = store_col_text(s, 3);
        out->status = store_col_text(s, 4);
        out->photo_status = store_col_text(s, 5);
        out->reason = store_col_text(s, 6);
        out->merged_into = store_col_int64(s, 7);
        out->dup_of = store_col_int64(s, 8);
        out->has_pos = store_col_type(s, 9) != SQLITE_NULL;
        out->lat = store_col_double(s, 9);
        out->lon = store_col_double(s, 10);
        out->reopened = store_col_int(s, 11) != 0;
        out->created_ms = store_col_int64(s, 12);
        out->updated_ms = store_col_int64(s, 13);
        out->resolved_ms = store_col_int64(s, 14);
    }
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "report get");
}

int store_report_set_desc(struct store *st, int64_t id, const char *desc, int64_t now)
{
    SQL(sql, "UPDATE reports SET description=?, updated_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, desc);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, id);
    return store_step_done(st, s, "report desc");
}

int store_report_set_pos(struct store *st, int64_t id, double lat, double lon, const char *source,
                         int64_t now)
{
    SQL(sql, "UPDATE reports SET lat=?, lon=?, loc_source=?, updated_ms=?"
             " WHERE id=? AND lat IS NULL");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_double(s, 1, lat);
    store_bind_double(s, 2, lon);
    store_bind_text(s, 3, source);
    store_bind_int64(s, 4, now);
    store_bind_int64(s, 5, id);
    if (store_step_done(st, s, "report pos") == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}

/* count(*) of sql with ?1 person and ?2 since_ms; -1 on error. */
static int64_t count_of(struct store *st, const struct store_sql *sql, int64_t person,
                        int64_t since_ms)
{
    struct store_stmt *s = store_stmt(st, sql);
    int64_t n = -1;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int64(s, 2, since_ms);
    if (store_step(st, s) == SQLITE_ROW)
        n = store_col_int64(s, 0);
    else
        store_fail(st, "report count");
    store_reset(s);
    return n;
}

int64_t store_report_count_since(struct store *st, int64_t person, int64_t since_ms)
{
    SQL(sql, "SELECT count(*) FROM reports WHERE person_id=?1 AND created_ms>=?2");
    return count_of(st, sql, person, since_ms);
}

int64_t store_report_open_count(struct store *st, int64_t person)
{
    SQL(sql, "SELECT count(*) FROM reports WHERE person_id=?1 AND created_ms>=?2"
             " AND status IN ('received','accepted','in_progress')");
    return count_of(st, sql, person, 0);
}

int store_report_set_status(struct store *st, int64_t id, const char *status, const char *reason,
                            bool reopen, int64_t now)
{
    SQL(sql, "UPDATE reports SET status=?1, reason=coalesce(?2, reason), updated_ms=?3,"
             " resolved_ms=CASE WHEN ?1='resolved' THEN ?3 ELSE resolved_ms END,"
             " followup_ms=CASE WHEN ?1='resolved' THEN NULL ELSE followup_ms END,"
             " reopened=CASE WHEN reopened<>0 OR ?4<>0 THEN 1 ELSE 0 END WHERE id=?5");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, status);
    store_bind_text(s, 2, reason);
    store_bind_int64(s, 3, now);
    store_bind_int(s, 4, reopen);
    store_bind_int64(s, 5, id);
    return store_step_done(st, s, "report status");
}

int store_report_set_merged(struct store *st, int64_t id, int64_t into, int64_t now)
{
    SQL(sql, "UPDATE reports SET status='merged', merged_into=?, updated_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, into);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, id);
    return store_step_done(st, s, "report merge");
}

int store_report_set_dup(struct store *st, int64_t id, int64_t other)
{
    SQL(sql, "UPDATE reports SET dup_of=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, other);
    store_bind_int64(s, 2, id);
    return store_step_done(st, s, "report dup");
}

int store_report_set_photo(struct store *st, int64_t id, const char *photo_status, int64_t now)
{
    SQL(sql, "UPDATE reports SET photo_status=?, updated_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, photo_status);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, id);
    return store_step_done(st, s, "report photo");
}

int store_report_history_add(struct store *st, int64_t id, const char *status, const char *actor,
                             const char *note, int64_t now, int64_t *hid)
{
    SQL(sql, "INSERT INTO report_history(report_id, status, actor, note,"
             " created_ms) VALUES(?,?,?,?,?)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_text(s, 2, status);
    store_bind_text(s, 3, actor);
    store_bind_text(s, 4, note);
    store_bind_int64(s, 5, now);
    return store_insert(st, s, "report history add", hid);
}

static void report_event_clear(void *out)
{
    struct report_event *e = out;
    free(e->code);
    free(e->status);
    free(e->actor);
    free(e->note);
}

void report_event_free_all(struct report_event *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, report_event_clear);
}

/* status, actor, note, created_ms */
static void history_read(struct store_stmt *s, void *out)
{
    struct report_event *e = out;
    e->status = store_col_text(s, 0);
    e->actor = store_col_text(s, 1);
    e->note = store_col_text(s, 2);
    e->ms = store_col_int64(s, 3);
}

int store_report_history(struct store *st, int64_t id, struct report_event **v, size_t *n)
{
    SQL(sql, "SELECT status, actor, note, created_ms FROM report_history"
             " WHERE report_id=? ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    return store_read_all(st, s, "report history", history_read, report_event_clear, sizeof **v,
                          (void **)v, n);
}

/* code, status, created_ms */
static void brief_read(struct store_stmt *s, void *out)
{
    struct report_event *e = out;
    e->code = store_col_text(s, 0);
    e->status = store_col_text(s, 1);
    e->ms = store_col_int64(s, 2);
}

int store_report_list_person(struct store *st, int64_t person, int lim, struct report_event **v,
                             size_t *n)
{
    SQL(sql, "SELECT code, status, created_ms FROM reports WHERE person_id=?"
             " ORDER BY id DESC LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_int(s, 2, lim);
    return store_read_all(st, s, "report list person", brief_read, report_event_clear, sizeof **v,
                          (void **)v, n);
}

static void entry_read(struct store_stmt *s, void *out)
{
    struct report_entry *r = out;
    r->code = store_col_text(s, 0);
    r->status = store_col_text(s, 1);
    r->photo_status = store_col_text(s, 2);
    r->description = store_col_text(s, 3);
    r->has_pos = store_col_type(s, 4) != SQLITE_NULL;
    r->lat = store_col_double(s, 4);
    r->lon = store_col_double(s, 5);
    r->created_ms = store_col_int64(s, 6);
    r->updated_ms = store_col_int64(s, 7);
    r->reporter = store_col_text(s, 8);
    r->dup_of = store_col_text(s, 9);
    r->merged_into = store_col_text(s, 10);
    r->reopened = store_col_int(s, 11) != 0;
    r->photo_sha256 = store_col_text(s, 12);
    r->photos = store_col_int(s, 13);
    r->category = store_col_text(s, 14);
    r->district = store_col_text(s, 15);
    r->body = store_col_text(s, 16);
    r->observer = store_col_int(s, 17) != 0;
    r->resolved_ms = store_col_int64(s, 18);
    r->area = store_col_text(s, 19);
}

static void entry_clear(void *out)
{
    struct report_entry *r = out;
    char *const strs[] = {r->code,     r->status,   r->photo_status, r->description,
                          r->reporter, r->dup_of,   r->merged_into,  r->photo_sha256,
                          r->category, r->district, r->body,         r->area};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(strs[i]);
}

void report_entry_free_all(struct report_entry *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, entry_clear);
}

int store_report_list(struct store *st, const struct report_filter *f, struct report_entry **v,
                      size_t *n)
{
    SQL(sql, "SELECT r.code, r.status, r.photo_status, r.description, r.lat, r.lon, r.created_ms,"
             " r.updated_ms, p.channel || ':' || p.ext_id, d.code, m.code, r.reopened,"
             " (SELECT sha256 FROM report_media WHERE report_id=r.id AND status='ok' ORDER BY id"
             " LIMIT 1), (SELECT count(*) FROM report_media WHERE report_id=r.id),"
             " c.name, r.district, b.code, p.observer_ms IS NOT NULL, r.resolved_ms, r.area"
             " FROM reports r JOIN people p ON p.id=r.person_id"
             " LEFT JOIN reports d ON d.id=r.dup_of LEFT JOIN reports m ON m.id=r.merged_into"
             " LEFT JOIN report_categories c ON c.id=r.category_id"
             " LEFT JOIN report_bodies b ON b.id=r.body_id"
             " WHERE (CAST(?1 AS TEXT) IS NULL OR r.status=?1) AND r.created_ms>=?2"
             " AND (CAST(?4 AS TEXT) IS NULL OR c.name=?4)"
             " AND (CAST(?5 AS TEXT) IS NULL OR r.district=?5)"
             " AND (CAST(?6 AS TEXT) IS NULL OR coalesce(r.area, b.code)=?6)"
             " AND (?7=0 OR p.observer_ms IS NOT NULL)"
             " AND (?8=0 OR r.created_ms<?8) ORDER BY r.id DESC LIMIT ?3");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, f->status);
    store_bind_int64(s, 2, f->since_ms);
    store_bind_int(s, 3, f->limit);
    store_bind_text(s, 4, f->category);
    store_bind_text(s, 5, f->district);
    store_bind_text(s, 6, f->body);
    store_bind_int(s, 7, f->observer);
    store_bind_int64(s, 8, f->until_ms);
    return store_read_all(st, s, "report list", entry_read, entry_clear, sizeof **v, (void **)v, n);
}

int store_report_find_url(struct store *st, int64_t person, const char *url, int64_t since_ms,
                          int64_t *id)
{
    SQL(sql, "SELECT coalesce(r.merged_into, r.id) FROM report_media m JOIN reports r"
             " ON r.id=m.report_id WHERE m.person_id=? AND m.url=? AND r.created_ms>=?"
             " ORDER BY m.id DESC LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, person);
    store_bind_text(s, 2, url);
    store_bind_int64(s, 3, since_ms);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *id = store_col_int64(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "report find url");
}

int store_report_merged_from(struct store *st, int64_t into, int64_t person)
{
    SQL(sql, "SELECT 1 FROM reports WHERE merged_into=? AND person_id=? LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    if (store_bind_int64(s, 1, into) != SQLITE_OK || store_bind_int64(s, 2, person) != SQLITE_OK) {
        store_reset(s);
        return store_fail(st, "report merged from");
    }
    int rc = store_step(st, s);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "report merged from");
}

int store_report_find_hash(struct store *st, int64_t person, const char *sha, int64_t since_ms,
                           int64_t id, int64_t *other)
{
    SQL(sql, "SELECT m.report_id FROM report_media m JOIN reports r ON r.id=m.report_id"
             " WHERE m.sha256=? AND m.person_id=? AND m.report_id<>? AND r.created_ms>=?"
             " AND r.status<>'merged' ORDER BY r.id LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, sha);
    store_bind_int64(s, 2, person);
    store_bind_int64(s, 3, id);
    store_bind_int64(s, 4, since_ms);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *other = store_col_int64(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "report find hash");
}

/* Great-circle distance in metres (haversine; fine at city scale). */
static double distance_m(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371000.0, rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

int store_report_nearest(struct store *st, int64_t id, double lat, double lon, int64_t from_ms,
                         int64_t to_ms, int64_t *other, double *dist_m)
{
    /* A coarse box in SQL (0.01 degree is about 1 km), the exact distance here. */
    SQL(sql, "SELECT id, lat, lon FROM reports WHERE id<>?1 AND lat IS NOT NULL"
             " AND status<>'merged' AND created_ms BETWEEN ?2 AND ?3"
             " AND lat BETWEEN ?4 - 0.02 AND ?4 + 0.02 AND lon BETWEEN ?5 - 0.02 AND ?5 + 0.02");
    struct store_stmt *s = store_stmt(st, sql);
    int rc, found = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, id);
    store_bind_int64(s, 2, from_ms);
    store_bind_int64(s, 3, to_ms);
    store_bind_double(s, 4, lat);
    store_bind_double(s, 5, lon);
    while ((rc = store_step(st, s)) == SQLITE_ROW) {
        double d = distance_m(lat, lon, store_col_double(s, 1), store_col_double(s, 2));
        if (!found || d < *dist_m) {
            *other = store_col_int64(s, 0);
            *dist_m = d;
            found = 1;
        }
    }
    store_reset(s);
    return rc == SQLITE_DONE ? found : store_fail(st, "report nearest");
}

int store_report_followup_due(struct store *st, int64_t before_ms, int64_t *out, int n)
{
    SQL(sql, "SELECT id FROM reports WHERE status='resolved'"
             " AND followup_ms IS NULL AND resolved_ms<=? ORDER BY id LIMIT ?");
    struct store_stmt *s = store_stmt(st, sql);
    int rc, k = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, before_ms);
    store_bind_int(s, 2, n);
    while ((rc = store_step(st, s)) == SQLITE_ROW && k < n)
        out[k++] = store_col_int64(s, 0);
    store_reset(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? k : store_fail(st, "report followup due");
}

int store_report_followup_set(struct store *st, int64_t id, const char *answer, int64_t now)
{
    SQL(sql, "UPDATE reports SET followup_ms=coalesce(followup_ms, ?1),"
             " followup_answer=coalesce(?2, followup_answer) WHERE id=?3");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    store_bind_text(s, 2, answer);
    store_bind_int64(s, 3, id);
    return store_step_done(st, s, "report followup");
}

int store_report_media_add(struct store *st, int64_t report, int64_t person, const char *url,
                           const char *type, const char *refused, int64_t now)
{
    /* a refused photo is failed with no attempt: the mark store_photos_kept skips */
    SQL(sql,
        "INSERT INTO report_media(report_id, person_id, url, declared_type, status, last_error,"
        " next_at_ms, created_ms, updated_ms)"
        " VALUES(?1, ?2, ?3, ?4,"
        " CASE WHEN CAST(?6 AS TEXT) IS NULL THEN 'pending' ELSE 'failed' END, ?6,"
        " ?5, ?5, ?5)");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, report);
    store_bind_int64(s, 2, person);
    store_bind_text(s, 3, url);
    store_bind_text(s, 4, type);
    store_bind_int64(s, 5, now);
    if (refused != NULL)
        store_bind_text(s, 6, refused);
    else
        store_bind_null(s, 6);
    return store_step_done(st, s, "report media add");
}

int64_t store_photos_kept(struct store *st, int64_t report, int64_t person, int64_t since_ms)
{
    SQL(by_report, "SELECT count(*) FROM report_media WHERE report_id=?1"
                   " AND created_ms>=?2 AND NOT (status='failed' AND attempts=0)");
    SQL(by_person, "SELECT count(*) FROM report_media WHERE person_id=?1"
                   " AND created_ms>=?2 AND NOT (status='failed' AND attempts=0)");
    return report > 0 ? count_of(st, by_report, report, 0)
                      : count_of(st, by_person, person, since_ms);
}

static void photo_read(struct store_stmt *s, void *out)
{
    struct report_photo *p = out;
    p->url = store_col_text(s, 0);
    p->status = store_col_text(s, 1);
    p->attempts = store_col_int(s, 2);
    p->error = store_col_text(s, 3);
    p->sha256 = store_col_text(s, 4);
    p->clean_sha256 = store_col_text(s, 5);
    p->mime = store_col_text(s, 6);
    p->has_bytes = store_col_type(s, 7) != SQLITE_NULL;
    p->bytes = store_col_int64(s, 7);
    p->has_exif = store_col_type(s, 8) != SQLITE_NULL;
    p->exif_lat = store_col_double(s, 8);
    p->exif_lon = store_col_double(s, 9);
}

static void photo_clear(void *out)
{
    struct report_photo *p = out;
    free(p->url);
    free(p->status);
    free(p->error);
    free(p->sha256);
    free(p->clean_sha256);
    free(p->mime);
}

void report_photo_free_all(struct report_photo *v, size_t n)
{
    store_free_rows(v, n, sizeof *v, photo_clear);
}

int store_report_media(struct store *st, int64_t report, struct report_photo **v, size_t *n)
{
    SQL(sql,
        "SELECT url, status, attempts, last_error, sha256, clean_sha256, mime, bytes, exif_lat,"
        " exif_lon FROM report_media WHERE report_id=? ORDER BY id");
    struct store_stmt *s = store_stmt(st, sql);
    *v = NULL;
    *n = 0;
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, report);
    return store_read_all(st, s, "report media", photo_read, photo_clear, sizeof **v, (void **)v,
                          n);
}

int store_report_media_counts(struct store *st, int64_t report, int *pending, int *ok, int *failed)
{
    SQL(sql, "SELECT"
             " coalesce(sum(CASE WHEN status IN ('pending','fetching') THEN 1 ELSE 0 END), 0),"
             " coalesce(sum(CASE WHEN status='ok' THEN 1 ELSE 0 END), 0),"
             " coalesce(sum(CASE WHEN status='failed' THEN 1 ELSE 0 END), 0)"
             " FROM report_media WHERE report_id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, report);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        *pending = store_col_int(s, 0);
        *ok = store_col_int(s, 1);
        *failed = store_col_int(s, 2);
    }
    store_reset(s);
    return rc == SQLITE_ROW ? 0 : store_fail(st, "report media counts");
}

int store_media_claim(struct store *st, int64_t now, int64_t lease_ms, int64_t after_person,
                      int per_person, struct media_job *out)
{
    /* Round-robin by person: the first due photo of the next person after
     * after_person (wrapping), skipping people with per_person downloads
     * already running; each person's photos in due order. */
    /* PostgreSQL: FOR UPDATE SKIP LOCKED (bot/store_pg.c), so two nodes never
     * take the same photo */
    SQL(media_claim,
        "UPDATE report_media SET status='fetching', attempts=attempts+1, lease_until_ms=?1,"
        " updated_ms=?2 WHERE id=(SELECT id FROM report_media WHERE status='pending'"
        " AND next_at_ms<=?2 AND person_id NOT IN (SELECT person_id FROM report_media"
        " WHERE status='fetching' GROUP BY person_id HAVING count(*)>=?4)"
        " ORDER BY person_id<=?3, person_id, next_at_ms, id LIMIT 1)"
        " RETURNING id, report_id, person_id, url, attempts,"
        " (SELECT channel FROM people WHERE people.id=person_id)");
    struct store_stmt *s = store_stmt(st, media_claim);
    if (s == NULL)
        return -1;
    memset(out, 0, sizeof *out);
    store_bind_int64(s, 1, now + lease_ms);
    store_bind_int64(s, 2, now);
    store_bind_int64(s, 3, after_person);
    store_bind_int(s, 4, per_person);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW) {
        out->id = store_col_int64(s, 0);
        out->report = store_col_int64(s, 1);
        out->person = store_col_int64(s, 2);
        out->url = store_col_text(s, 3);
        out->attempts = store_col_int(s, 4);
        out->channel = store_col_text(s, 5);
    }
    store_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "media claim");
}

int store_media_reclaim(struct store *st, int64_t now)
{
    SQL(sql, "UPDATE report_media SET status='pending', next_at_ms=?1,"
             " updated_ms=?1 WHERE status='fetching' AND lease_until_ms<?1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_int64(s, 1, now);
    if (store_step_done(st, s, "media reclaim") == -1)
        return -1;
    return store_changes(st);
}

int store_media_done(struct store *st, int64_t id, const char *sha, const char *clean_sha,
                     const char *mime, int64_t bytes, bool has_gps, double lat, double lon,
                     int64_t now)
{
    SQL(sql,
        "UPDATE report_media SET status='ok', sha256=?, clean_sha256=?, mime=?, bytes=?,"
        " exif_lat=?, exif_lon=?, last_error=NULL, lease_until_ms=NULL, updated_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, sha);
    store_bind_text(s, 2, clean_sha);
    store_bind_text(s, 3, mime);
    store_bind_int64(s, 4, bytes);
    if (has_gps) {
        store_bind_double(s, 5, lat);
        store_bind_double(s, 6, lon);
    }
    store_bind_int64(s, 7, now);
    store_bind_int64(s, 8, id);
    return store_step_done(st, s, "media done");
}

int store_media_failed(struct store *st, int64_t id, const char *error, bool final, int64_t next_at,
                       int64_t now)
{
    SQL(sql, "UPDATE report_media SET status=?, last_error=?, next_at_ms=?, lease_until_ms=NULL,"
             " updated_ms=? WHERE id=?");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, final ? "failed" : "pending");
    store_bind_text(s, 2, error);
    store_bind_int64(s, 3, next_at);
    store_bind_int64(s, 4, now);
    store_bind_int64(s, 5, id);
    return store_step_done(st, s, "media failed");
}

int store_media_mime(struct store *st, const char *sha, char **mime)
{
    SQL(sql, "SELECT mime FROM report_media WHERE status='ok' AND (sha256=?1 OR clean_sha256=?1)"
             " LIMIT 1");
    struct store_stmt *s = store_stmt(st, sql);
    if (s == NULL)
        return -1;
    store_bind_text(s, 1, sha);
    int rc = store_step(st, s);
    if (rc == SQLITE_ROW)
        *mime = store_col_text(s, 0);
    store_reset(s);
    if (rc == SQLITE_ROW)
        return *mime != NULL ? 1 : 0;
    return rc == SQLITE_DONE ? 0 : store_fail(st, "media mime");
}
