/*
 * admin_report.c - /admin/api/ routes of 随手拍 reports: the list (JSON or
 * CSV), one report with its history and media links, status changes, merges,
 * and the stored photos themselves by SHA-256.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "admin.h"
#include "channel.h"
#include "conf.h"
#include "handler.h"
#include "log.h"
#include "media.h"
#include "report.h"
#include "staff.h"
#include "routing.h"
#include "util.h"

static const char *const csv_columns[] = {
    "code",        "status",     "photo_status", "description",           "lat",         "lon",
    "created_ms",  "updated_ms", "reporter",     "possible_duplicate_of", "merged_into", "reopened",
    "category",    "district",   "body",         "observer",              "resolved_ms", NULL};


const char *admin_report_area(const struct admin_req *rq)
{
    if (rq->role == NULL || strcmp(rq->role, ADMIN_ROLE_REPORTS) != 0)
        return NULL;
    return rq->area ? rq->area : ""; /* no area: nothing matches */
}

/* ?category=&district=&body=&observer=1; a report handler's area is their
 * body whatever they ask. 1 fine, 0 a 400 is set. */
static int filter_args(const struct admin_req *rq, struct report_filter *f, struct http_resp *resp)
{
    const char *obs = json_string_value(json_object_get(rq->query, "observer"));
    f->category = json_string_value(json_object_get(rq->query, "category"));
    f->district = json_string_value(json_object_get(rq->query, "district"));
    f->body = json_string_value(json_object_get(rq->query, "body"));
    if (f->category != NULL && f->category[0] == '\0')
        f->category = NULL;
    if (f->district != NULL && f->district[0] == '\0')
        f->district = NULL;
    if (f->body != NULL && f->body[0] == '\0')
        f->body = NULL;
    if (obs != NULL && strcmp(obs, "1") != 0 && strcmp(obs, "0") != 0 && obs[0] != '\0') {
        http_resp_error(resp, 400, "'observer' must be 1 or 0");
        return 0;
    }
    f->observer = obs != NULL && strcmp(obs, "1") == 0;
    if (admin_report_area(rq) != NULL) /* a handler sees their area's only (reports_visible_to) */
        f->body = admin_report_area(rq);
    return 1;
}


/* May rq see report id? A report handler only its area's: 1 yes, 0 no (404
 * set, as for a report that does not exist), -1 error. */
static int in_area(struct store *st, const struct admin_req *rq, int64_t id,
                   struct http_resp *resp)
{
    const char *want = admin_report_area(rq);
    if (want == NULL)
        return 1;
    int v = reports_visible_to(st, want, id);
    if (v == 0)
        http_resp_error(resp, 404, "no such report");
    return v;
}

/* POST /reports/<code>/area {"area": "..."} (null or "" clears). */
static int set_area(struct store *st, int64_t id, const char *code, const struct admin_req *rq,
                    struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    json_t *v = json_object_get(b, "area");
    int rc = 0;
    if (!(json_is_null(v) || (json_is_string(v) && json_string_length(v) < STAFF_TEXT_MAX))) {
        http_resp_error(resp, 400, "want {\"area\": \"<name>\"} (or null to clear)");
    } else {
        rc = store_report_area_set(st, id, json_string_value(v));
        if (rc == 0)
            http_resp_error(resp, 404, "no such report");
        else if (rc == 1)
            admin_reply(resp, 200, json_pack("{s:s,s:s?}", "code", code, "area",
                                             json_string_value(v)));
        rc = rc == -1 ? -1 : 0;
    }
    json_decref(b);
    return rc;
}

static int list(struct store *st, const struct admin_req *rq, struct http_resp *resp)
{
    static const char *const ok[] = {"received", "accepted", "rejected", "in_progress",
                                     "resolved", "merged",   NULL};
    const char *status = json_string_value(json_object_get(rq->query, "status"));
    const char *since = json_string_value(json_object_get(rq->query, "since"));
    const char *format = json_string_value(json_object_get(rq->query, "format"));
    int64_t since_ms = 0;
    if (status != NULL && status[0] == '\0')
        status = NULL;
    if (status != NULL) {
        bool known = false;
        for (int i = 0; ok[i]; i++)
            known |= strcmp(ok[i], status) == 0;
        if (!known) {
            http_resp_error(resp, 400, "unknown status");
            return 0;
        }
    }
    if (since != NULL && since[0] != '\0') {
        long long v;
        int bad = 0;
        if (parse_int(since, 0, INT64_MAX, &v) == 0) {
            since_ms = v;
        } else {
            json_t *s = json_string(since);
            bad = admin_parse_time(s, &since_ms);
            json_decref(s);
        }
        if (bad == -1) {
            http_resp_error(resp, 400, "'since' must be Unix ms or local 'YYYY-MM-DD HH:MM'");
            return 0;
        }
    }
    struct report_filter f = {.status = status, .since_ms = since_ms,
                              .limit = admin_query_limit(rq, 200)};
    if (filter_args(rq, &f, resp) != 1)
        return 0;
    struct report_entry *v;
    size_t n;
    if (store_report_list(st, &f, &v, &n) == -1)
        return -1;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, report_entry_json(&v[i]));
    report_entry_free_all(v, n);
    if (format != NULL && strcmp(format, "csv") == 0)
        admin_reply_csv(resp, a, csv_columns);
    else
        admin_reply(resp, 200, json_pack("{s:o}", "items", a));
    return 0;
}

static int code_id(const char *s, int64_t *id, struct http_resp *resp)
{
    if (report_code_parse(s, id) == -1) {
        http_resp_error(resp, 404, "no such report");
        return -1;
    }
    return 0;
}

json_t *report_event_json(const struct report_event *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(e->status ? e->status : ""));
    json_object_set_new(o, "actor", json_string(e->actor ? e->actor : ""));
    json_object_set_new(o, "note", e->note ? json_string(e->note) : json_null());
    json_object_set_new(o, "ms", json_integer(e->ms));
    return o;
}

json_t *report_entry_json(const struct report_entry *r)
{
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s?,s:I,s:I,s:s,s:s?,s:s?,s:b,s:s?,s:i,s:s?,s:s?,s:s?,s:b,s:s?}", "code",
        r->code ? r->code : "", "status", r->status ? r->status : "", "photo_status",
        r->photo_status ? r->photo_status : "", "description", r->description, "created_ms",
        (json_int_t)r->created_ms, "updated_ms", (json_int_t)r->updated_ms, "reporter",
        r->reporter ? r->reporter : "", "possible_duplicate_of", r->dup_of, "merged_into",
        r->merged_into, "reopened", r->reopened, "photo_sha256", r->photo_sha256, "photos",
        r->photos, "category", r->category, "district", r->district, "body", r->body, "observer",
        r->observer, "area", r->area);
    if (r->has_pos) {
        json_object_set_new(o, "lat", json_real(r->lat));
        json_object_set_new(o, "lon", json_real(r->lon));
    }
    if (r->resolved_ms != 0)
        json_object_set_new(o, "resolved_ms", json_integer(r->resolved_ms));
    if (r->photo_sha256 != NULL) /* a thumbnail for the list: the original, like show's */
        json_object_set_new(o, "photo_url", json_sprintf("/admin/api/media/%s", r->photo_sha256));
    return o;
}

json_t *report_photo_json(const struct report_photo *p)
{
    json_t *o = json_pack("{s:s,s:s,s:i,s:s?,s:s?,s:s?,s:s?}", "url", p->url ? p->url : "",
                          "status", p->status ? p->status : "", "attempts", p->attempts, "error",
                          p->error, "sha256", p->sha256, "clean_sha256", p->clean_sha256, "mime",
                          p->mime);
    if (p->has_bytes)
        json_object_set_new(o, "bytes", json_integer(p->bytes));
    if (p->has_exif) {
        json_object_set_new(o, "exif_lat", json_real(p->exif_lat));
        json_object_set_new(o, "exif_lon", json_real(p->exif_lon));
    }
    if (p->sha256 != NULL)
        json_object_set_new(o, "original_url", json_sprintf("/admin/api/media/%s", p->sha256));
    if (p->clean_sha256 != NULL)
        json_object_set_new(o, "shareable_url",
                            json_sprintf("/admin/api/media/%s", p->clean_sha256));
    return o;
}

static int show(struct store *st, int64_t id, const struct admin_req *rq, struct http_resp *resp)
{
    struct report r;
    json_t *hist = NULL, *media = NULL;
    int rc = -1;
    int v = reports_visible_to(st, admin_report_area(rq), id);
    if (v == -1)
        return -1;
    int f = v == 1 ? store_report_get(st, id, &r) : 0;
    if (f == -1)
        return -1;
    if (f == 0) {
        http_resp_error(resp, 404, "no such report");
        return 0;
    }
    struct report_event *ev;
    size_t nev;
    if (store_report_history(st, id, &ev, &nev) == -1)
        goto out;
    hist = json_array();
    for (size_t k = 0; k < nev; k++)
        json_array_append_new(hist, report_event_json(&ev[k]));
    report_event_free_all(ev, nev);
    struct report_photo *ph;
    size_t nph;
    if (store_report_media(st, id, &ph, &nph) == -1)
        goto out;
    media = json_array();
    for (size_t k = 0; k < nph; k++)
        json_array_append_new(media, report_photo_json(&ph[k]));
    report_photo_free_all(ph, nph);
    char dup[REPORT_CODE_MAX] = "", into[REPORT_CODE_MAX] = "";
    if (r.dup_of)
        report_code_fmt(r.dup_of, dup);
    if (r.merged_into)
        report_code_fmt(r.merged_into, into);
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s?,s:s?,s:b,s:I,s:I,s:O,s:O}", "code", r.code, "status", r.status,
                  "photo_status", r.photo_status, "description", r.description, "reason", r.reason,
                  "reopened", r.reopened, "created_ms", (json_int_t)r.created_ms, "updated_ms",
                  (json_int_t)r.updated_ms, "history", hist, "media", media);
    if (o == NULL)
        goto out;
    if (r.has_pos) {
        json_object_set_new(o, "lat", json_real(r.lat));
        json_object_set_new(o, "lon", json_real(r.lon));
    }
    struct report_routing rr;
    if (store_report_routing(st, id, &rr) != 1) {
        report_routing_clear(&rr);
        json_decref(o);
        goto out;
    }
    json_t *routing = report_routing_json(&rr);
    report_routing_clear(&rr);
    json_object_update(o, routing);
    json_decref(routing);
    if (dup[0])
        json_object_set_new(o, "possible_duplicate_of", json_string(dup));
    if (into[0])
        json_object_set_new(o, "merged_into", json_string(into));
    admin_reply(resp, 200, o);
    rc = 0;
out:
    json_decref(hist);
    json_decref(media);
    report_release(&r);
    return rc;
}

static void answer_rc(int rc, const char *code, struct http_resp *resp, const char *what)
{
    if (rc == REPORT_NOT_FOUND)
        http_resp_error(resp, 404, "no such report");
    else if (rc == REPORT_NEED_NOTE)
        http_resp_error(resp, 400,
                        "a rejection needs a 'note': the reason, written for the "
                        "reporter");
    else if (rc == REPORT_BAD_STATUS)
        http_resp_error(resp, 409, what);
    else
        admin_reply(resp, 200, json_pack("{s:s,s:b}", "code", code, "changed", rc == REPORT_OK));
}

static int set_status(const struct app *app, struct store *st, int64_t id, const char *code,
                      int64_t now, const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    const char *status = json_string_value(json_object_get(b, "status"));
    const char *note = json_string_value(json_object_get(b, "note"));
    int rc = 0;
    if (status == NULL) {
        http_resp_error(resp, 400,
                        "want {\"status\": accepted|rejected|in_progress|resolved, \"note\"?}");
        goto out;
    }
    if (json_object_get(b, "by") != NULL) {
        http_resp_error(resp, 400, "'by' is not taken: the history names who signed in");
        goto out;
    }
    char actor[128];
    admin_actor(rq, actor, sizeof actor);
    rc = report_change(app, st, id, status, actor, note, now);
    if (rc == -1)
        goto out;
    answer_rc(rc, code, resp, "this status change is not allowed from the report's status");
    rc = 0;
out:
    json_decref(b);
    return rc;
}

static int merge(const struct app *app, struct store *st, int64_t id, const char *code, int64_t now,
                 const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    int64_t into = 0;
    int rc = 0;
    if (b == NULL)
        return 0;
    const char *target = json_string_value(json_object_get(b, "into"));
    if (target == NULL || report_code_parse(target, &into) == -1) {
        http_resp_error(resp, 400, "want {\"into\": \"SP0041\"}");
        goto out;
    }
    rc = in_area(st, rq, into, resp); /* a handler merges within its area */
    if (rc != 1) {
        rc = rc == -1 ? -1 : 0;
        goto out;
    }
    char actor[128];
    admin_actor(rq, actor, sizeof actor);
    rc = report_merge(app, st, id, into, actor, now);
    if (rc == -1)
        goto out;
    answer_rc(rc, code, resp, "cannot merge: same report, or one of them is merged already");
    rc = 0;
out:
    json_decref(b);
    return rc;
}

/* The stored file named sha, with the type recorded when it was fetched. */
static int media_get(const struct app *app, struct store *st, const char *sha,
                     struct http_resp *resp)
{
    char *mime = NULL, *path = NULL;
    int rc = 0, fd = -1;
    struct stat sb;
    if (!media_valid_sha(sha)) {
        http_resp_error(resp, 404, "no such photo");
        return 0;
    }
    int f = store_media_mime(st, sha, &mime);
    if (f == -1)
        return -1;
    path = media_path(app->conf->media_dir, sha);
    if (f == 0 || path == NULL) {
        http_resp_error(resp, 404, "no such photo");
        goto out;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd == -1 || fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
        log_warn("admin: photo %.12s: %s", sha, fd == -1 ? strerror(errno) : "not a file");
        http_resp_error(resp, 404, "photo file missing");
        goto out;
    }
    size_t n = (size_t)sb.st_size, got = 0;
    char *data = xmalloc(n ? n : 1);
    while (got < n) {
        ssize_t r = read(fd, data + got, n - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != n) {
        free(data);
        http_resp_error(resp, 500, "cannot read the photo");
        goto out;
    }
    free(resp->body);
    resp->status = 200;
    resp->body = data;
    resp->len = n;
    /* content_type must be static: one of media_mime()'s literals */
    resp->content_type = strcmp(mime, "image/png") == 0    ? "image/png"
                         : strcmp(mime, "image/webp") == 0 ? "image/webp"
                                                           : "image/jpeg";
out:
    if (fd != -1)
        close(fd);
    free(path);
    free(mime);
    return rc;
}

int admin_report_routes(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    int64_t id = 0;
    if (nseg == 2 && strcmp(seg[0], "media") == 0) {
        if (!get) {
            http_resp_error(resp, 405, "method not allowed: use GET");
            return 1;
        }
        const char *area = admin_report_area(rq);
        int ok = area == NULL ? 1 : store_media_in_area(st, seg[1], area);
        if (ok == 0)
            http_resp_error(resp, 404, "no such photo");
        if (ok != 1)
            return ok == -1 ? -1 : 1;
        return media_get(app, st, seg[1], resp) == -1 ? -1 : 1;
    }
    if (nseg < 1 || strcmp(seg[0], "reports") != 0)
        return 0;
    if (nseg == 1) {
        if (!get) {
            http_resp_error(resp, 405, "method not allowed: use GET");
            return 1;
        }
        return list(st, rq, resp) == -1 ? -1 : 1;
    }
    if (code_id(seg[1], &id, resp) == -1)
        return 1;
    char code[REPORT_CODE_MAX];
    report_code_fmt(id, code);
    int rc = nseg <= 3 ? in_area(st, rq, id, resp) : 1;
    if (rc != 1)
        return rc == -1 ? -1 : 1;
    if (nseg == 3 && strcmp(seg[2], "area") == 0 && post)
        rc = set_area(st, id, code, rq, resp);
    else if (nseg == 2 && get)
        rc = show(st, id, rq, resp);
    else if (nseg == 3 && strcmp(seg[2], "status") == 0 && post)
        rc = set_status(app, st, id, code, now, rq, resp);
    else if (nseg == 3 && strcmp(seg[2], "merge") == 0 && post)
        rc = merge(app, st, id, code, now, rq, resp);
    else if (nseg == 2 ||
             (nseg == 3 && (strcmp(seg[2], "status") == 0 || strcmp(seg[2], "merge") == 0))) {
        http_resp_error(resp, 405,
                        nseg == 2 ? "method not allowed: use GET" : "method not allowed: use POST");
        rc = 0;
    } else {
        http_resp_error(resp, 404, "no such admin route");
        rc = 0;
    }
    return rc == -1 ? -1 : 1;
}
