/*
 * handle_report.c - 随手拍: a photo opens a report with a receipt code at
 * once (the fetcher downloads it later), a caption or a location sent next is
 * attached, status and the person's list on request, the 7-day follow-up
 * question and its answer, and the admin chat commands (#受理 SP0042 ...).
 * The status workflow shared with the admin API and the fetcher is here too.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "log.h"
#include "msg.h"
#include "outbox.h"
#include "points.h"
#include "report.h"
#include "routing.h"
#include "staff.h"
#include "store.h"
#include "util.h"

#define DAY_MS (24LL * 3600 * 1000)
#define MENU_MS (3LL * DAY_MS) /* the follow-up question's 1 / 2 stays valid */
#define DESC_MAX 600           /* bytes of a description kept */
#define MINE_MAX 5             /* reports listed by 我的随手拍 */

static const struct content_need report_needs[] = {
    CONTENT_NEED("report.howto", ""),
    CONTENT_NEED("report.howto.sms", ""),
    CONTENT_NEED("report.text_only.sms", "code minutes"),
    CONTENT_NEED("report.mine_none.sms", ""),
    CONTENT_NEED("report.received", "code"),
    CONTENT_NEED("report.received_ask", "code minutes"),
    CONTENT_NEED("report.text_only", "code minutes"),
    CONTENT_NEED("report.photo_added", "code"),
    CONTENT_NEED("report.duplicate", "code"),
    CONTENT_NEED("report.limit", "max"),
    CONTENT_NEED("report.photos_capped", "code max"),
    CONTENT_NEED("report.photos_daily", "max"),
    CONTENT_NEED("report.caption_added", "code"),
    CONTENT_NEED("report.location_added", "code"),
    CONTENT_NEED("report.location_had", "code"),
    CONTENT_NEED("report.not_found", "code"),
    CONTENT_NEED("report.show", "code status history"),
    CONTENT_NEED("report.history_line", "time status note"),
    CONTENT_NEED("report.mine", "items"),
    CONTENT_NEED("report.mine_line", "code status date"),
    CONTENT_NEED("report.mine_none", ""),
    CONTENT_NEED("report.st.received", ""),
    CONTENT_NEED("report.st.accepted", ""),
    CONTENT_NEED("report.st.rejected", ""),
    CONTENT_NEED("report.st.in_progress", ""),
    CONTENT_NEED("report.st.resolved", ""),
    CONTENT_NEED("report.st.merged", ""),
    CONTENT_NEED("report.push.accepted", "code"),
    CONTENT_NEED("report.push.accepted_points", "code points"),
    CONTENT_NEED("report.push.rejected", "code reason"),
    CONTENT_NEED("report.push.in_progress", "code note"),
    CONTENT_NEED("report.push.resolved", "code note"),
    CONTENT_NEED("report.note", "note"),
    CONTENT_NEED("report.push.merged", "code into"),
    CONTENT_NEED("report.push.same_photo", "code into"),
    CONTENT_NEED("report.push.photo_failed", "code"),
    CONTENT_NEED("report.push.photo_partly", "code n"),
    CONTENT_NEED("report.place_words", ""),
    CONTENT_NEED("report.place_line", "place"),
    CONTENT_NEED("report.place_added", "code place"),
    CONTENT_NEED("report.followup.ask", "code"),
    CONTENT_NEED("report.followup.menu", "code"),
    CONTENT_NEED("report.followup.yes", "code"),
    CONTENT_NEED("report.followup.no", "code"),
    CONTENT_NEED("report.followup.none", "code"),
    CONTENT_NEED("admin.report.done", "code status"),
    CONTENT_NEED("admin.report.same", "code status"),
    CONTENT_NEED("admin.report.bad", "code status"),
    CONTENT_NEED("admin.report.need_reason", "code"),
    CONTENT_NEED("admin.report.not_found", "code"),
    CONTENT_NEED("turn.ctx.report", ""),
    CONTENT_NEED_END,
};

int report_code_parse(const char *s, int64_t *id)
{
    long long v;
    if (s == NULL || (s[0] != 's' && s[0] != 'S') || (s[1] != 'p' && s[1] != 'P'))
        return -1;
    for (const char *p = s + 2; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    if (strlen(s + 2) > 9 || parse_int(s + 2, 1, 999999999, &v) == -1)
        return -1;
    *id = v;
    return 0;
}

void report_code_fmt(int64_t id, char out[REPORT_CODE_MAX])
{
    snprintf(out, REPORT_CODE_MAX, "SP%04lld", (long long)id);
}

/* Start of the local day of ms (the configured zone is TZ). */
static int64_t day_start(int64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t == (time_t)-1 ? ms - DAY_MS : (int64_t)t * 1000;
}

/* A copy of s of at most DESC_MAX bytes, never cut inside a UTF-8 sequence. */
static char *desc_copy(const char *s)
{
    size_t n = strlen(s);
    if (n > DESC_MAX) {
        n = DESC_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
    }
    return xstrndup(s, n);
}

static char *render_va(const struct app *app, const char *key, va_list ap)
{
    const char *kv[33];
    int n = 0;
    for (const char *p; n < 32 && (p = va_arg(ap, const char *)) != NULL;)
        kv[n++] = p;
    kv[n] = NULL;
    return content_render(app->ct, key, kv);
}

int report_push(const struct app *app, struct store *st, int64_t person, const char *key,
                const char *idem, int64_t now, ...)
{
    va_list ap;
    va_start(ap, now);
    char *text = render_va(app, key, ap);
    va_end(ap);
    int rc = outbox_push(st, app->conf, person, OUT_TRANSACTIONAL, text, 0, now, idem);
    free(text);
    return rc == -1 ? -1 : 0;
}

static char *status_name(const struct app *app, const char *status)
{
    char key[48];
    snprintf(key, sizeof key, "report.st.%s", status);
    return content_render(app->ct, key, NULL);
}

static bool is_status(const char *s)
{
    static const char *const ok[] = {"accepted", "rejected", "in_progress", "resolved"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(s, ok[i]) == 0)
            return true;
    return false;
}

/* An admin's note as a sentence of a push: "" for none, the note when it
 * ends a sentence already, else content report.note around it (new string;
 * {note}谢谢你！ ran together). */
static char *note_sentence(const struct app *app, const char *note)
{
    static const char *const ends[] = {"。", "！", "？", "!", "?", ".", "…", NULL};
    size_t n = note ? strlen(note) : 0;
    if (n == 0)
        return xstrdup("");
    for (int i = 0; ends[i]; i++) {
        size_t e = strlen(ends[i]);
        if (n >= e && strcmp(note + n - e, ends[i]) == 0)
            return xstrdup(note);
    }
    const char *kv[] = {"note", note, NULL};
    return content_render(app->ct, "report.note", kv);
}

/* Which changes the workflow allows (merged is final; see report_merge). */
static bool allowed(const char *from, const char *to)
{
    if (strcmp(from, "merged") == 0)
        return false;
    if (strcmp(to, "accepted") == 0)
        return strcmp(from, "received") == 0 || strcmp(from, "rejected") == 0;
    if (strcmp(to, "rejected") == 0)
        return strcmp(from, "received") == 0 || strcmp(from, "accepted") == 0 ||
               strcmp(from, "in_progress") == 0;
    if (strcmp(to, "in_progress") == 0)
        return strcmp(from, "received") == 0 || strcmp(from, "accepted") == 0 ||
               strcmp(from, "resolved") == 0;
    if (strcmp(to, "resolved") == 0)
        return strcmp(from, "received") == 0 || strcmp(from, "accepted") == 0 ||
               strcmp(from, "in_progress") == 0;
    return false;
}

int report_change(const struct app *app, struct store *st, int64_t id, const char *status,
                  const char *actor, const char *note, int64_t now)
{
    struct report r;
    int rc = -1, found;
    int64_t hid = 0;
    char idem[64], pts[24];
    if (note != NULL && note[0] == '\0')
        note = NULL;
    found = store_report_get(st, id, &r);
    if (found <= 0)
        return found == 0 ? REPORT_NOT_FOUND : -1;
    if (!is_status(status)) {
        rc = REPORT_BAD_STATUS;
        goto out;
    }
    if (strcmp(r.status, status) == 0) {
        rc = REPORT_SAME;
        goto out;
    }
    if (!allowed(r.status, status)) {
        rc = REPORT_BAD_STATUS;
        goto out;
    }
    if (strcmp(status, "rejected") == 0 && note == NULL) {
        rc = REPORT_NEED_NOTE;
        goto out;
    }
    bool rejected = strcmp(status, "rejected") == 0;
    if (store_report_set_status(st, id, status, rejected ? note : NULL, false, now) == -1 ||
        store_report_history_add(st, id, status, actor, note, now, &hid) == -1)
        goto out;
    snprintf(idem, sizeof idem, "report:%s:%lld", r.code, (long long)hid);
    /* The first step past received (other than a rejection) is the acceptance:
     * the ledger's unique ref makes the award happen once whatever the path. */
    int awarded = 1;
    int64_t amount = app->conf->report.points_accepted;
    if (!rejected && amount > 0) {
        char ref[40];
        snprintf(ref, sizeof ref, "report:%s", r.code);
        awarded = points_award(st, r.person, amount, "report", ref, now); /* points.reason.report */
        if (awarded == -1)
            goto out;
    }
    snprintf(pts, sizeof pts, "%lld", (long long)amount);
    int pr;
    if (strcmp(status, "accepted") == 0 && awarded == 0)
        pr = report_push(app, st, r.person, "report.push.accepted_points", idem, now, "code",
                         r.code, "points", pts, NULL);
    else if (strcmp(status, "accepted") == 0)
        pr =
            report_push(app, st, r.person, "report.push.accepted", idem, now, "code", r.code, NULL);
    else if (rejected)
        pr = report_push(app, st, r.person, "report.push.rejected", idem, now, "code", r.code,
                         "reason", note, NULL);
    else {
        char *said = note_sentence(app, note);
        pr = report_push(app, st, r.person,
                         strcmp(status, "in_progress") == 0 ? "report.push.in_progress"
                                                            : "report.push.resolved",
                         idem, now, "code", r.code, "note", said, NULL);
        free(said);
    }
    if (pr == -1)
        goto out;
    log_info("report: %s %s -> %s", r.code, r.status, status);
    rc = REPORT_OK;
out:
    report_release(&r);
    return rc;
}

int report_merge(const struct app *app, struct store *st, int64_t id, int64_t into,
                 const char *actor, int64_t now)
{
    struct report a = {0}, b = {0};
    int rc = -1, fa, fb;
    int64_t hid = 0;
    char idem[64], note[64];
    fa = store_report_get(st, id, &a);
    fb = fa == 1 ? store_report_get(st, into, &b) : 0;
    if (fa == -1 || fb == -1)
        goto out;
    if (fa == 0 || fb == 0) {
        rc = REPORT_NOT_FOUND;
        goto out;
    }
    if (id == into || strcmp(a.status, "merged") == 0 || strcmp(b.status, "merged") == 0) {
        rc = REPORT_BAD_STATUS;
        goto out;
    }
    snprintf(note, sizeof note, "into %s", b.code);
    if (store_report_set_merged(st, id, into, now) == -1 ||
        store_report_history_add(st, id, "merged", actor, note, now, &hid) == -1)
        goto out;
    snprintf(note, sizeof note, "%s merged in", a.code);
    if (store_report_history_add(st, into, b.status, actor, note, now, NULL) == -1)
        goto out;
    snprintf(idem, sizeof idem, "report:%s:%lld", a.code, (long long)hid);
    bool same_person = a.person == b.person && strcmp(actor, "fetcher") == 0;
    if (report_push(app, st, a.person,
                    same_person ? "report.push.same_photo" : "report.push.merged", idem, now,
                    "code", a.code, "into", b.code, NULL) == -1)
        goto out;
    rc = REPORT_OK;
out:
    report_release(&a);
    report_release(&b);
    return rc;
}

int report_flag_nearby(const struct app *app, struct store *st, int64_t id, int64_t now)
{
    struct report r;
    int64_t other = 0;
    double d = 0;
    int rc = -1;
    (void)now;
    int found = store_report_get(st, id, &r);
    if (found <= 0)
        return found;
    if (!r.has_pos || app->conf->report.dup_distance <= 0 || r.dup_of != 0) {
        rc = 0;
        goto out;
    }
    int n = store_report_nearest(st, id, r.lat, r.lon, r.created_ms - DAY_MS, r.created_ms + DAY_MS,
                                 &other, &d);
    if (n == -1)
        goto out;
    if (n == 1 && d <= (double)app->conf->report.dup_distance) {
        if (store_report_set_dup(st, id, other) == -1)
            goto out;
        log_info("report: %s may duplicate report %lld (%.0f m)", r.code, (long long)other, d);
    }
    rc = 0;
out:
    report_release(&r);
    return rc;
}

/* Per-person pending steps: the value is the report id. */
int report_state(struct turn *t, const char *key, int64_t *id)
{
    char *v = NULL;
    long long n;
    int rc = store_state_get(t->st, t->person, key, t->now, &v);
    if (rc == 1)
        rc = parse_int(v, 1, INT64_MAX, &n) == 0 ? 1 : 0;
    if (rc == 1)
        *id = n;
    free(v);
    return rc;
}

static int state_set_report(struct turn *t, const char *key, int64_t id, int64_t ttl_ms)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)id);
    return store_state_set(t->st, t->person, key, v, t->now + ttl_ms);
}

static int attach_location(struct turn *t, int64_t id)
{
    int set = store_report_set_pos(t->st, id, t->in->lat, t->in->lon, "message", t->now);
    if (set == 1 && report_placed(t->app, t->st, id, t->now) == -1)
        return -1;
    return set;
}

/* Photos of this message not already reported by this person within a day;
 * *dup gets a report that already has one of them. Returns the count. */
static int new_photos(struct turn *t, bool fresh[MSG_MAX_MEDIA], int64_t *dup)
{
    int n = 0;
    for (int i = 0; i < t->in->nmedia; i++) {
        int64_t id = 0;
        int f = store_report_find_url(t->st, t->person, t->in->media[i].url, t->now - DAY_MS, &id);
        if (f == -1)
            return -1;
        fresh[i] = f == 0;
        if (f == 1 && *dup == 0)
            *dup = id;
        n += f == 0;
    }
    return n;
}

/* Photos refused at intake by this message: over [report] max_photos for
 * the report, over daily_photos for the person today. */
struct capped {
    int report, day;
};

/* Add the message's fresh photos to report id. Those over a cap are recorded
 * as refused (failed with no attempt, never fetched) and counted in *cap. */
static int add_photos(struct turn *t, int64_t id, const bool fresh[MSG_MAX_MEDIA],
                      struct capped *cap)
{
    const struct conf *c = t->app->conf;
    int64_t in_report = store_photos_kept(t->st, id, 0, 0);
    int64_t today = store_photos_kept(t->st, 0, t->person, day_start(t->now));
    int kept = 0;
    if (in_report == -1 || today == -1)
        return -1;
    for (int i = 0; i < t->in->nmedia; i++) {
        if (!fresh[i])
            continue;
        const char *why = NULL;
        if (in_report >= c->report.max_photos) {
            why = "refused: the report has [report] max_photos photos";
            cap->report++;
        } else if (today >= c->report.daily_photos) {
            why = "refused: [report] daily_photos photos today";
            cap->day++;
        }
        if (store_report_media_add(t->st, id, t->person, t->in->media[i].url, t->in->media[i].type,
                                   why, t->now) == -1)
            return -1;
        kept += why == NULL;
        in_report += why == NULL;
        today += why == NULL;
    }
    return kept > 0 ? store_report_set_photo(t->st, id, "pending", t->now) : 0;
}

/* Tell the reporter once (one reply for the message) that photos were refused. */
static int say_capped(struct turn *t, const struct capped *cap, const char *code)
{
    const struct conf *c = t->app->conf;
    char max[24];
    if (cap->report > 0) {
        snprintf(max, sizeof max, "%lld", c->report.max_photos);
        return say(t, "report.photos_capped", "code", code, "max", max, NULL);
    }
    if (cap->day > 0) {
        snprintf(max, sizeof max, "%lld", c->report.daily_photos);
        return say(t, "report.photos_daily", "max", max, NULL);
    }
    return 0;
}

/* report.new: 随手拍 [desc], or any photo. */
static int handle_report_new(struct turn *t)
{
    const struct conf *c = t->app->conf;
    bool fresh[MSG_MAX_MEDIA] = {false};
    struct capped cap = {0, 0};
    int64_t dup = 0, open = 0, id = 0;
    char code[REPORT_CODE_MAX], minutes[24];
    char *desc = NULL;
    int rc = -1;
    const char *d = turn_cap(t, "desc");
    if (d == NULL && t->m == NULL && t->text[0] != '\0')
        d = t->text; /* a photo whose caption matched no command: the caption */
    if (d != NULL && d[0] != '\0') { /* kept as typed; the rules saw the normalised copy */
        char *raw = turn_raw_arg(t, d);
        desc = desc_copy(raw);
        free(raw);
    }
    snprintf(minutes, sizeof minutes, "%lld", c->report.caption_wait / 60);
    int64_t wait_ms = c->report.caption_wait * 1000, join_ms = c->report.join_seconds * 1000;

    if (t->in->nmedia == 0 && desc == NULL) {
        char k[48]; /* on SMS: describe it in words, no photo */
        rc = say(t, turn_key(t, "report.howto", k, sizeof k), NULL);
        goto out;
    }
    int n = new_photos(t, fresh, &dup);
    if (n == -1)
        goto out;
    if (t->in->nmedia > 0 && n == 0) { /* the same photo again */
        report_code_fmt(dup, code);
        rc = say(t, "report.duplicate", "code", code, NULL);
        goto out;
    }
    int o = t->in->nmedia > 0 ? report_state(t, "report.open", &open) : 0;
    if (o == -1)
        goto out;
    if (o == 1) { /* more photos within the minute: the same report */
        struct report r;
        int f = store_report_get(t->st, open, &r);
        bool usable = f == 1 && strcmp(r.status, "received") == 0;
        if (usable && desc != NULL && r.description != NULL && r.description[0] != '\0') {
            /* the caption of a later photo adds to the description */
            char *both = xasprintf("%s\n%s", r.description, desc);
            free(desc);
            desc = desc_copy(both);
            free(both);
        }
        report_release(&r);
        if (f == -1)
            goto out;
        if (usable) {
            report_code_fmt(open, code);
            if (add_photos(t, open, fresh, &cap) == -1 ||
                state_set_report(t, "report.open", open, join_ms) == -1 ||
                (desc != NULL && store_report_set_desc(t->st, open, desc, t->now) == -1) ||
                (t->in->has_location && attach_location(t, open) == -1))
                goto out;
            if (cap.report + cap.day < n)
                rc = say(t, "report.photo_added", "code", code, NULL);
            else
                rc = 0;
            if (rc == 0)
                rc = say_capped(t, &cap, code);
            goto out;
        }
    }
    int64_t today = store_report_count_since(t->st, t->person, day_start(t->now));
    int64_t photos = store_photos_kept(t->st, 0, t->person, day_start(t->now));
    if (today == -1 || photos == -1)
        goto out;
    if (t->in->nmedia > 0 && photos >= c->report.daily_photos) { /* no report of refusals */
        cap.day = n;
        rc = say_capped(t, &cap, "");
        goto out;
    }
    if (today >= c->report.daily_limit) {
        char max[24];
        snprintf(max, sizeof max, "%lld", c->report.daily_limit);
        rc = say(t, "report.limit", "max", max, NULL);
        goto out;
    }
    if (store_report_create(t->st, t->person, desc, t->now, &id) == -1)
        goto out;
    report_code_fmt(id, code);
    if (t->in->nmedia > 0 && add_photos(t, id, fresh, &cap) == -1)
        goto out;
    /* a text-only report waits the caption time for its photo, photos a minute for more */
    if (state_set_report(t, "report.open", id, t->in->nmedia > 0 ? join_ms : wait_ms) == -1)
        goto out;
    if (t->in->has_location) {
        if (attach_location(t, id) == -1)
            goto out;
    } else if (state_set_report(t, "report.loc", id, wait_ms) == -1) {
        goto out;
    }
    if (desc == NULL) {
        if (state_set_report(t, "report.caption", id, wait_ms) == -1)
            goto out;
        rc = say(t, "report.received_ask", "code", code, "minutes", minutes, NULL);
    } else if (t->in->nmedia == 0) {
        char k[48]; /* on SMS: the place in words, no location */
        rc = say(t, turn_key(t, "report.text_only", k, sizeof k), "code", code, "minutes",
                 minutes, NULL);
    } else {
        rc = say(t, "report.received", "code", code, NULL);
    }
    if (rc == 0)
        rc = say_capped(t, &cap, code);
    if (rc == 0) /* last: the number answered next is for this question */
        rc = report_ask_category(t, id);
    log_info("report: %s opened photos=%d", code, n - cap.report - cap.day);
out:
    free(desc);
    return rc;
}

static int report_pending(struct turn *t);

/* Whether a pending step of 随手拍 waits for this message (see report_take). */
static int report_claim(struct turn *t)
{
    int64_t id = 0;
    int cat = report_category_claim(t); /* a bare number: the category question */
    if (cat != 0)
        return cat;
    if (t->in->has_location)
        return report_state(t, "report.loc", &id);
    if (t->text[0] == '\0' || t->in->nmedia > 0)
        return 0;
    int f = report_state(t, "report.caption", &id);
    if (f != 0)
        return f;
    /* a report with its description waits for its place: a typed one (SMS
     * sends no location) that names a place (content report.place_words) */
    f = report_state(t, "report.loc", &id);
    if (f != 1)
        return f;
    return content_list_in(t->app->ct, "report.place_words", t->text);
}

/* A typed place for report id (report.loc): a line of its description. */
static int typed_place(struct turn *t, int64_t id)
{
    struct report r = {0};
    char code[REPORT_CODE_MAX];
    int rc = -1;
    char *place = turn_raw_text(t);
    const char *kv[] = {"place", place, NULL};
    char *line = content_render(t->app->ct, "report.place_line", kv);
    if (store_report_get(t->st, id, &r) != 1)
        goto out;
    char *both = r.description && r.description[0] ? xasprintf("%s\n%s", r.description, line)
                                                   : xstrdup(line);
    char *desc = desc_copy(both);
    free(both);
    report_code_fmt(id, code);
    if (store_report_set_desc(t->st, id, desc, t->now) == 0 &&
        store_state_del(t->st, t->person, "report.loc") == 0 &&
        say(t, "report.place_added", "code", code, "place", place, NULL) == 0)
        rc = 1;
    free(desc);
out:
    report_release(&r);
    free(line);
    free(place);
    return rc;
}

static int report_take(struct turn *t)
{
    return report_pending(t) == 1 ? 0 : -1;
}

/*
 * A pending step of 随手拍: a text that is no command becomes the caption a
 * photo asked for; a location message is attached to the report opened
 * within the caption time. 1 handled, 0 not ours, -1.
 */
static int report_pending(struct turn *t)
{
    int64_t id = 0;
    char code[REPORT_CODE_MAX];
    int f = report_category_take(t);
    if (f != 0)
        return f;
    if (t->in->has_location) {
        f = report_state(t, "report.loc", &id);
        if (f != 1)
            return f;
        report_code_fmt(id, code);
        int set = attach_location(t, id);
        if (set == -1 || store_state_del(t->st, t->person, "report.loc") == -1)
            return -1;
        if (say(t, set == 1 ? "report.location_added" : "report.location_had", "code", code,
                NULL) == -1)
            return -1;
        return 1;
    }
    if (t->text[0] == '\0')
        return 0;
    f = report_state(t, "report.caption", &id);
    if (f == 0 && report_state(t, "report.loc", &id) == 1)
        return typed_place(t, id);
    if (f != 1)
        return f;
    char *desc = desc_copy(t->in->text ? t->in->text : t->text);
    report_code_fmt(id, code);
    int rc = -1;
    if (store_report_set_desc(t->st, id, desc, t->now) == 0 &&
        store_state_del(t->st, t->person, "report.caption") == 0 &&
        say(t, "report.caption_added", "code", code, NULL) == 0)
        rc = 1;
    free(desc);
    return rc;
}

static int show_report(struct turn *t, const char *codetext)
{
    struct report r = {0};
    struct buf hist;
    struct report_event *h = NULL;
    size_t nh = 0;
    int64_t id = 0;
    int rc = -1;
    char upper[REPORT_CODE_MAX];
    snprintf(upper, sizeof upper, "%s", codetext);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    buf_init(&hist, 0);
    int f = report_code_parse(codetext, &id) == 0 ? store_report_get(t->st, id, &r) : 0;
    /* someone else's report is not found either, unless theirs was merged
     * into it: the merge push told them to follow this code */
    if (f == 1 && r.person != t->person)
        f = store_report_merged_from(t->st, id, t->person);
    if (f == -1)
        goto out;
    if (f == 0) {
        rc = say(t, "report.not_found", "code", upper, NULL);
        goto out;
    }
    if (store_report_history(t->st, id, &h, &nh) == -1)
        goto out;
    for (size_t i = 0; i < nh; i++) {
        char when[32];
        const char *st = h[i].status ? h[i].status : "";
        const char *actor = h[i].actor ? h[i].actor : "";
        const char *note = h[i].note;
        /* admins' internal notes stay internal, except what was written for the reporter */
        bool show_note = note != NULL && strcmp(actor, "fetcher") != 0 &&
                         strcmp(actor, "reporter") != 0 && strcmp(st, "merged") != 0;
        turn_fmt_time(h[i].ms, "%m-%d %H:%M", when, sizeof when);
        char *name = status_name(t->app, st);
        const char *kv[] = {"time", when, "status", name, "note", show_note ? note : "", NULL};
        char *line = content_render(t->app->ct, "report.history_line", kv);
        buf_printf(&hist, "%s%s", i ? "\n" : "", line);
        free(line);
        free(name);
    }
    char *name = status_name(t->app, r.status);
    rc = say(t, "report.show", "code", r.code, "status", name, "history",
             hist.data ? hist.data : "", NULL);
    free(name);
out:
    report_event_free_all(h, nh);
    buf_release(&hist);
    report_release(&r);
    return rc;
}

static int list_mine(struct turn *t)
{
    struct buf items;
    struct report_event *a;
    size_t n;
    int rc = -1;
    if (store_report_list_person(t->st, t->person, MINE_MAX, &a, &n) == -1)
        return -1;
    if (n == 0) {
        char k[48];
        return say(t, turn_key(t, "report.mine_none", k, sizeof k), NULL);
    }
    buf_init(&items, 0);
    for (size_t i = 0; i < n; i++) {
        char date[16];
        turn_fmt_time(a[i].ms, "%m-%d", date, sizeof date);
        char *name = status_name(t->app, a[i].status);
        const char *kv[] = {"code", a[i].code, "status", name, "date", date, NULL};
        char *line = content_render(t->app->ct, "report.mine_line", kv);
        buf_printf(&items, "%s%s", i ? "\n" : "", line);
        free(line);
        free(name);
    }
    rc = say(t, "report.mine", "items", items.data, NULL);
    buf_release(&items);
    report_event_free_all(a, n);
    return rc;
}

/* report.status: 进度 SP0042, or 我的随手拍. */
static int handle_report_status(struct turn *t)
{
    const char *code = turn_cap(t, "code");
    return code != NULL ? show_report(t, code) : list_mine(t);
}

/* report.followup.yes / .no: the answer to 问题解决了吗 (a bare 1 / 2 arrives
 * here through the menu the tick left, content report.followup.menu). */
static int handle_report_followup(struct turn *t)
{
    const char *codetext = turn_cap(t, "code");
    struct report r = {0};
    int64_t id = 0;
    int rc = -1;
    char code[REPORT_CODE_MAX] = "";
    int f = codetext && report_code_parse(codetext, &id) == 0 ? store_report_get(t->st, id, &r) : 0;
    if (f == -1)
        goto out;
    if (f == 1)
        snprintf(code, sizeof code, "%s", r.code);
    if (f == 0 || r.person != t->person || strcmp(r.status, "resolved") != 0) {
        rc = say(t, "report.followup.none", "code", code, NULL);
        goto out;
    }
    bool yes = strcmp(t->intent, "report.followup.yes") == 0;
    if (store_state_del(t->st, t->person, "menu") == -1)
        goto out;
    if (yes) {
        if (store_report_followup_set(t->st, id, "yes", t->now) == -1 ||
            store_report_history_add(t->st, id, "resolved", "reporter", "confirmed solved", t->now,
                                     NULL) == -1)
            goto out;
        rc = say(t, "report.followup.yes", "code", code, NULL);
        goto out;
    }
    /* a "no" reopens the report and flags it for the office */
    if (store_report_followup_set(t->st, id, "no", t->now) == -1 ||
        store_report_set_status(t->st, id, "in_progress", NULL, true, t->now) == -1 ||
        store_report_history_add(t->st, id, "in_progress", "reporter", "not solved: reopened",
                                 t->now, NULL) == -1)
        goto out;
    log_info("report: %s reopened by its reporter", code);
    rc = say(t, "report.followup.no", "code", code, NULL);
out:
    report_release(&r);
    return rc;
}

/* The commands a bare 1 / 2 stands for after the question, one a line in
 * content report.followup.menu, as the JSON array the engine's menu reads. */
static char *followup_menu(const struct app *app, const char *code)
{
    const char *kv[] = {"code", code, NULL};
    char *text = content_render(app->ct, "report.followup.menu", kv), *save = NULL, *s;
    json_t *a = json_array();
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        json_array_append_new(a, json_string(line));
    s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    free(text);
    return s;
}

/* The follow-up question of report r: the push, the reporter's menu (under
 * their lock, taken by report_tick), the report marked asked. 0 or -1. */
static int followup_ask(const struct app *app, struct store *st, const struct report *r,
                        int64_t now)
{
    char idem[64];
    char *menu = followup_menu(app, r->code);
    snprintf(idem, sizeof idem, "report-followup:%s:%lld", r->code, (long long)r->resolved_ms);
    int rc = menu == NULL ? -1
                          : report_push(app, st, r->person, "report.followup.ask", idem, now,
                                        "code", r->code, NULL);
    if (rc == 0)
        rc = store_state_set(st, r->person, "menu", menu, now + MENU_MS);
    if (rc == 0)
        rc = store_report_followup_set(st, r->id, NULL, now);
    free(menu);
    return rc;
}

int report_tick(const struct app *app, struct store *st, int64_t now)
{
    enum { DUE_MAX = 50 };
    int64_t ids[DUE_MAX], people[DUE_MAX];
    struct report rs[DUE_MAX] = {0};
    int64_t before = now - app->conf->report.followup_days * DAY_MS;
    int n = store_report_followup_due(st, before, ids, DUE_MAX), got = 0, rc = 0;
    if (n == -1)
        return -1;
    for (; got < n && rc == 0; got++) {
        if (store_report_get(st, ids[got], &rs[got]) != 1)
            rc = -1; /* the row was just listed */
        people[got] = rs[got].person;
    }
    /* every menu is a state row of the reporter, which a batch holding
     * them has read and acts on: all their locks first, in one statement,
     * in the order the batches take theirs (store_people_lock_ids); one at
     * a time in report order, a batch holding one of them and waiting for
     * another waited in a cycle with the tick. (The pushes' outbox rows
     * alone no longer wait for a batch: lock_person takes FOR NO KEY
     * UPDATE since migration 26, which a foreign key check passes.) */
    if (rc == 0)
        rc = store_people_lock_ids(st, people, (size_t)n);
    for (int i = 0; i < n && rc == 0; i++)
        rc = followup_ask(app, st, &rs[i], now);
    for (int i = 0; i < got; i++)
        report_release(&rs[i]);
    return rc;
}

/* True when the sender is listed in [admin] chat_ids ("<channel>:<id>,..."):
 * the fallback for chats not linked to a staff account (staff.h). */
static bool is_admin(const struct turn *t)
{
    const char *list = t->app->conf->admin.chat_ids;
    size_t cl = strlen(t->ch->name), ul = strlen(t->in->user);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p + strcspn(p, ",");
        const char *e = end;
        while (e > p && e[-1] == ' ')
            e--;
        if ((size_t)(e - p) == cl + 1 + ul && strncmp(p, t->ch->name, cl) == 0 && p[cl] == ':' &&
            strncmp(p + cl + 1, t->in->user, ul) == 0)
            return true;
        p = end;
    }
    return false;
}

/*
 * The admin's note as typed (the capture is normalised: lower case, trailing
 * punctuation gone): what follows the code in the raw text, or the capture.
 */
static const char *raw_note(const struct turn *t, const char *code, const char *note)
{
    const char *raw = t->in->text;
    const char *at = raw && code[0] ? strcasestr(raw, code) : NULL;
    if (note == NULL || at == NULL)
        return note;
    at += strlen(code);
    while (*at == ' ')
        at++;
    return *at ? at : note;
}

/* admin.report.*: #受理 / #驳回 原因 / #处理 / #解决 SP0042, from [admin] chat_ids. */
static int handle_admin_report(struct turn *t)
{
    static const struct {
        const char *intent, *status;
    } acts[] = {{"admin.report.accept", "accepted"},
                {"admin.report.reject", "rejected"},
                {"admin.report.progress", "in_progress"},
                {"admin.report.resolve", "resolved"}};
    const char *codetext = turn_cap(t, "code"), *status = NULL;
    char actor[160], code[REPORT_CODE_MAX];
    int64_t id = 0;
    struct staff sm;
    int acct = staff_of_chat(t->st, t->ch->name, t->in->user, &sm);
    if (acct == -1)
        return -1;
    /* the staff account linked to this chat, by the role x route table; a
     * chat linked to a disabled account is refused even if [admin] chat_ids
     * (the older fallback) still lists it */
    bool by_acct = acct == 1 && staff_may(&sm, "POST", "/reports/x/status");
    if (!by_acct && (acct == 1 || !is_admin(t)))
        return handle_fallback(t); /* not understood, as for anyone else */
    for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
        if (strcmp(t->intent, acts[i].intent) == 0)
            status = acts[i].status;
    snprintf(code, sizeof code, "%s", codetext ? codetext : "");
    for (char *p = code; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    if (status == NULL || report_code_parse(code, &id) == -1)
        return say(t, "admin.report.not_found", "code", code, NULL);
    if (by_acct && strcmp(sm.role, ADMIN_ROLE_REPORTS) == 0) { /* its area's reports only */
        char area[STAFF_TEXT_MAX];
        int f = store_report_area(t->st, id, area, sizeof area);
        if (f == -1)
            return -1;
        if (f == 0 || strcmp(area, sm.area) != 0)
            return say(t, "admin.report.not_found", "code", code, NULL);
    }
    if (by_acct)
        snprintf(actor, sizeof actor, "staff:%s", sm.username);
    else
        snprintf(actor, sizeof actor, "%s:%s", t->ch->name, t->in->user);
    const char *note = raw_note(t, code, turn_cap(t, "note"));
    int rc = report_change(t->app, t->st, id, status, actor, note, t->now);
    if (rc == -1)
        return -1;
    if (rc == REPORT_NOT_FOUND)
        return say(t, "admin.report.not_found", "code", code, NULL);
    if (rc == REPORT_NEED_NOTE)
        return say(t, "admin.report.need_reason", "code", code, NULL);
    struct report r;
    if (store_report_get(t->st, id, &r) != 1)
        return -1;
    char *name = status_name(t->app, r.status);
    const char *key = rc == REPORT_OK     ? "admin.report.done"
                      : rc == REPORT_SAME ? "admin.report.same"
                                          : "admin.report.bad";
    int out = say(t, key, "code", code, "status", name, NULL);
    free(name);
    report_release(&r);
    return out;
}

const struct feature feature_report = {
    .name = "report",
    .intents = (const struct handler[]){
        {"report.new", handle_report_new, false},
        {"report.status", handle_report_status, false},
        {"report.followup.yes", handle_report_followup, false},
        {"report.followup.no", handle_report_followup, false},
        {"admin.report.accept", handle_admin_report, true},
        {"admin.report.reject", handle_admin_report, true},
        {"admin.report.progress", handle_admin_report, true},
        {"admin.report.resolve", handle_admin_report, true},
        {NULL, NULL, false},
    },
    .claims = (const struct claimer[]){
        {"report", NULL, report_claim, report_take}, /* caption or position of a photo */
        {NULL, NULL, NULL, NULL},
    },
    .tick = report_tick,
    .needs = {report_needs, report_route_needs},
    /* routing first: /reports/<code>/category is its */
    .routes = {admin_routing_route, admin_report_routes},
};
