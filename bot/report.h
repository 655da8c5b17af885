/*
 * report.h - 随手拍 photo reports: a worker's photo becomes a report with a
 * receipt code (SP0042) at once; the fetcher thread downloads its photos
 * later. Status changes (received -> accepted | rejected -> in_progress ->
 * resolved, or merged) keep who, when and a note, and are pushed to the
 * reporter in the same transaction. The workflow (report_change, report_merge)
 * is shared by the chat handlers, the admin chat commands, the admin API and
 * the fetcher; the SQL is in store_report.c.
 */
#ifndef BOT_REPORT_H
#define BOT_REPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct app;
struct store;

#define REPORT_CODE_MAX 16

/* One report row. Strings owned; report_release() frees them. */
struct report {
    int64_t id, person, merged_into, dup_of; /* 0 when none */
    char code[REPORT_CODE_MAX];
    char *description, *status, *photo_status, *reason; /* status, photo_status never NULL */
    bool has_pos, reopened;
    double lat, lon;
    int64_t created_ms, updated_ms, resolved_ms;
};
void report_release(struct report *r);

/* "SP0042", "sp42" (any case) -> 42. 0, or -1 when it is not a code. */
int report_code_parse(const char *s, int64_t *id);
/* The code of report id ("SP0042", at least four digits) into out. */
void report_code_fmt(int64_t id, char out[REPORT_CODE_MAX]);

/* Outcomes of a workflow step that the caller reports differently. */
enum report_rc {
    REPORT_OK,
    REPORT_NOT_FOUND,
    REPORT_BAD_STATUS, /* not a status, or this change is not allowed from the current one */
    REPORT_NEED_NOTE,  /* a rejection needs a reason written for the reporter */
    REPORT_SAME,       /* already in that status: nothing changed */
};

/*
 * Move report id to status (accepted, rejected, in_progress, resolved) in the
 * caller's transaction: a history row (actor, note), one transactional push to
 * the reporter, and the [points] report_accepted award (once, ref
 * "report:SP0042") when the report first leaves received for anything but a
 * rejection. Returns an enum report_rc, or -1 when the store failed.
 */
int report_change(const struct app *app, struct store *st, int64_t id, const char *status,
                  const char *actor, const char *note, int64_t now);
/* Merge report id into report into (both must exist, differ, and into must not
 * be merged itself): status merged, history on both, a push to the reporter.
 * Returns an enum report_rc or -1. */
int report_merge(const struct app *app, struct store *st, int64_t id, int64_t into,
                 const char *actor, int64_t now);
/* Flag report id as a possible duplicate when another report lies within
 * [report] dup_distance metres and a day of it. 0 or -1. */
int report_flag_nearby(const struct app *app, struct store *st, int64_t id, int64_t now);
/* Queue a transactional push of content key (with placeholder pairs and a
 * final NULL) to person, idempotent under key. 0 or -1. */
int report_push(const struct app *app, struct store *st, int64_t person, const char *key,
                const char *idem, int64_t now, ...);
/* The 7-day follow-up question: feature_report's tick. */
int report_tick(const struct app *app, struct store *st, int64_t now);

/* admin_report.c: GET /reports[?status=&since=&format=csv], GET /reports/<code>,
 * POST /reports/<code>/status, POST /reports/<code>/merge, GET /media/<sha256>
 * (admin_route_fns among feature_report's routes). */
struct admin_req;
struct http_resp;
int admin_report_routes(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

/* --- store side (store_report.c) --- */

/* Create a received report for person with description (may be NULL): sets
 * its code and a first history row. 0 with *id, or -1. */
int store_report_create(struct store *st, int64_t person, const char *desc, int64_t now,
                        int64_t *id);
/* 1 found (out filled), 0 not found, -1 error. */
int store_report_get(struct store *st, int64_t id, struct report *out);
int store_report_set_desc(struct store *st, int64_t id, const char *desc, int64_t now);
/* Set the position when the report has none. 1 set, 0 it had one, -1 error. */
int store_report_set_pos(struct store *st, int64_t id, double lat, double lon, const char *source,
                         int64_t now);
/* Reports person opened at or after since_ms. -1 on error. */
int64_t store_report_count_since(struct store *st, int64_t person, int64_t since_ms);
/* Reports of person still being handled (received, accepted, in_progress):
 * the profile (我的) shows them. -1 on error. */
int64_t store_report_open_count(struct store *st, int64_t person);
/* Set status (and reason, resolved time when resolved; reopened when reopen). */
int store_report_set_status(struct store *st, int64_t id, const char *status, const char *reason,
                            bool reopen, int64_t now);
int store_report_set_merged(struct store *st, int64_t id, int64_t into, int64_t now);
int store_report_set_dup(struct store *st, int64_t id, int64_t other);
int store_report_set_photo(struct store *st, int64_t id, const char *photo_status, int64_t now);
/* Append a history row; *hid (may be NULL) gets its id. 0 or -1. */
int store_report_history_add(struct store *st, int64_t id, const char *status, const char *actor,
                             const char *note, int64_t now, int64_t *hid);
/* A report's history entry, or (code set, actor and note NULL) a line of a
 * person's list of reports. The struct owns its strings. */
struct report_event {
    char *code, *status, *actor;
    char *note; /* NULL when none */
    int64_t ms;
};
void report_event_free_all(struct report_event *v, size_t n);
/* The admin API's JSON of a history entry: {"status","actor","note","ms"},
 * note null when none (new reference). */
json_t *report_event_json(const struct report_event *e);
/* Lists: 0 with *v (NULL when *n is 0) and *n, or -1. */
/* A report's history (status, actor, note, ms), oldest first. */
int store_report_history(struct store *st, int64_t id, struct report_event **v, size_t *n);
/* person's newest reports (code, status, ms). */
int store_report_list_person(struct store *st, int64_t person, int lim, struct report_event **v,
                             size_t *n);
/* What the admin list shows: each field NULL (0) for any. body is a handling
 * body's code (routing.h; a report handler's area: a report's own `area`, set
 * by the super admin, overrides the body routing gave it); observer: only reports of
 * 社区民情观察员. */
struct report_filter {
    const char *status, *category, *district, *body;
    bool observer;
    int64_t since_ms, until_ms; /* created in [since_ms, until_ms); until 0: no end */
    int limit;
};
/* A report as the admin list shows it: reporter "channel:id"; dup_of and
 * merged_into codes; photos counts its media rows, photo_sha256 names the
 * first fetched one; what is unset NULL (resolved_ms 0, the position only
 * when has_pos); observer: the reporter is one. */
struct report_entry {
    char *code, *status, *photo_status, *description, *reporter, *dup_of, *merged_into,
        *photo_sha256, *category, *district, *body, *area;
    bool reopened, observer, has_pos;
    double lat, lon;
    int64_t created_ms, updated_ms, resolved_ms;
    int photos;
};
/* The reports f picks, newest first, as *v of *n: 0 (free with
 * report_entry_free_all), -1. */
int store_report_list(struct store *st, const struct report_filter *f, struct report_entry **v,
                      size_t *n);
void report_entry_free_all(struct report_entry *v, size_t n);
/* The admin API's JSON of one (new reference): {"code","status",
 * "photo_status","description","created_ms","updated_ms","reporter",
 * "possible_duplicate_of","merged_into","reopened","photo_sha256","photos",
 * "category","district","body","observer","area"} (unset: null), then
 * "lat","lon" and "resolved_ms" when known, "photo_url" with a photo. */
json_t *report_entry_json(const struct report_entry *r);
/* A report of person created at or after since_ms that has a photo from url
 * (the report it was merged into, if it was). 1 (*id set), 0 none, -1 error. */
int store_report_find_url(struct store *st, int64_t person, const char *url, int64_t since_ms,
                          int64_t *id);
/* Whether a report of person was merged into report into (the merge push
 * told them to follow into's code): 1, 0, -1. */
int store_report_merged_from(struct store *st, int64_t into, int64_t person);
/* A report (not merged, not id) of person created at or after since_ms with a
 * downloaded photo whose SHA-256 is sha. 1 (*other set), 0, -1. */
int store_report_find_hash(struct store *st, int64_t person, const char *sha, int64_t since_ms,
                           int64_t id, int64_t *other);
/* The nearest other report (not merged) with a position, created within
 * [from_ms, to_ms]; *dist_m its distance. 1, 0 none, -1. */
int store_report_nearest(struct store *st, int64_t id, double lat, double lon, int64_t from_ms,
                         int64_t to_ms, int64_t *other, double *dist_m);
/* Resolved reports whose follow-up is due (resolved at or before before_ms,
 * not asked yet): up to n ids into out. Count or -1. */
int store_report_followup_due(struct store *st, int64_t before_ms, int64_t *out, int n);
int store_report_followup_set(struct store *st, int64_t id, const char *answer, int64_t now);

/* Photos. Add one pending download, or with refused (the reason) a photo
 * refused at intake: failed with no attempt. 0 or -1. */
int store_report_media_add(struct store *st, int64_t report, int64_t person, const char *url,
                           const char *type, const char *refused, int64_t now);
/* Photos not refused at intake: of report when report > 0, else of person
 * since since_ms. Count or -1. */
int64_t store_photos_kept(struct store *st, int64_t report, int64_t person, int64_t since_ms);
/* A report's photo: error, the digests and mime NULL until known; the size
 * and the EXIF position only when has_*. */
struct report_photo {
    char *url, *status, *error, *sha256, *clean_sha256, *mime;
    int attempts;
    bool has_bytes, has_exif;
    int64_t bytes;
    double exif_lat, exif_lon;
};
/* The report's photos in the order they came, as *v of *n: 0 (free with
 * report_photo_free_all), -1. */
int store_report_media(struct store *st, int64_t report, struct report_photo **v, size_t *n);
void report_photo_free_all(struct report_photo *v, size_t n);
/* The admin API's JSON of one (new reference): {"url","status","attempts",
 * "error","sha256","clean_sha256","mime", "bytes"?, "exif_lat"?, "exif_lon"?,
 * "original_url"?, "shareable_url"?} (the last two: /admin/api/media/<sha>). */
json_t *report_photo_json(const struct report_photo *p);
/* Count the report's photos by state. 0 or -1. */
int store_report_media_counts(struct store *st, int64_t report, int *pending, int *ok, int *failed);

/* One claimed download, as the fetcher sees it. Strings owned. */
struct media_job {
    int64_t id, report, person;
    char *url;
    char *channel; /* the reporter's channel, whose media_request reads url; may be NULL */
    int attempts;  /* including this one */
};
void media_job_release(struct media_job *j);
/* Claim the next due download for lease_ms, fairly: the next person after
 * after_person (by id, wrapping) with a due photo and fewer than per_person
 * downloads running. 1 claimed, 0 none due, -1. */
int store_media_claim(struct store *st, int64_t now, int64_t lease_ms, int64_t after_person,
                      int per_person, struct media_job *out);
/* Put downloads whose fetcher died back. Count or -1. */
int store_media_reclaim(struct store *st, int64_t now);
/* Record a downloaded photo. has_gps selects whether lat, lon are kept. 0 or -1. */
int store_media_done(struct store *st, int64_t id, const char *sha, const char *clean_sha,
                     const char *mime, int64_t bytes, bool has_gps, double lat, double lon,
                     int64_t now);
/* A failed try: status pending again at next_at, or failed when final. 0 or -1. */
int store_media_failed(struct store *st, int64_t id, const char *error, bool final, int64_t next_at,
                       int64_t now);
/* The MIME type stored for a file of this SHA-256 (original or stripped).
 * 1 (*mime new string), 0 unknown, -1. */
int store_media_mime(struct store *st, const char *sha, char **mime);

#endif
