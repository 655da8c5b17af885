/*
 * admin_dashboard.c - what the dashboard adds to the admin API: GET /stats
 * (daily counts over the last days and today's figures), GET /budget (the
 * role's points budget this month), the role rules for courses and hand
 * credits that admin_courses.c calls, and rule suggestions for the
 * not-understood list (GET /unknown?suggest=1, called from admin.c).
 */
#include "dashboard.h"

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
#include "monthly.h"
#include "norm.h"
#include "report.h"
#include "store.h"
#include "understand.h"
#include "util.h"

#define STATS_DAYS_MAX 90
#define SUGGEST_MAX_CHARS 40

static const char *role_of(const struct admin_req *rq)
{
    return rq->role ? rq->role : ADMIN_ROLE_SUPER;
}

static bool is_super(const struct admin_req *rq)
{
    return strcmp(role_of(rq), ADMIN_ROLE_SUPER) == 0;
}

int64_t dashboard_month_start(int64_t now)
{
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    localtime_r(&secs, &tm); /* TZ is the configured zone */
    tm.tm_mday = 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000;
}

json_t *stats_figures_json(const struct stats_figures *f)
{
    return json_pack("{s:I,s:I,s:I,s:I}", "seats_booked", (json_int_t)f->seats_booked,
                     "broadcasts_going", (json_int_t)f->broadcasts_going, "pushes_waiting",
                     (json_int_t)f->pushes_waiting, "unknown", (json_int_t)f->unknown);
}

json_t *stats_broadcast_json(const struct stats_broadcast *b)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:I,s:o}", "id", (json_int_t)b->id, "text",
                     b->text ? b->text : "", "audience", b->audience ? b->audience : "", "at_ms",
                     (json_int_t)b->at_ms, "recipients", (json_int_t)b->recipients, "sms_parts",
                     (json_int_t)b->sms_parts, "created_ms", (json_int_t)b->created_ms,
                     "cancelled_ms",
                     b->cancelled ? json_integer((json_int_t)b->cancelled_ms) : json_null());
}

/* GET /stats?days=N (default 30): {"days":[...], "<series>":[counts], "now":{...}, "broadcasts"}. */
static int stats_get(struct store *st, int64_t now, const struct admin_req *rq,
                     struct http_resp *resp)
{
    static const char *const series[] = {"messages", "people", "pushes", "bookings", NULL};
    long long ndays = 30;
    const char *q = json_string_value(json_object_get(rq->query, "days"));
    if (q != NULL && parse_int(q, 1, STATS_DAYS_MAX, &ndays) == -1) {
        http_resp_error(resp, 400, "'days' must be an integer 1..90");
        return 0;
    }
    time_t secs = (time_t)(now / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday -= (int)ndays - 1;
    tm.tm_isdst = -1;
    int64_t since = (int64_t)mktime(&tm) * 1000;
    json_t *out = json_object(), *days = json_array();
    json_object_set_new(out, "days", days);
    for (long long i = 0; i < ndays; i++) {
        char d[16];
        struct tm t = tm;
        t.tm_mday += (int)i;
        t.tm_hour = 12; /* noon: a DST change never moves it to another day */
        t.tm_isdst = -1;
        mktime(&t);
        strftime(d, sizeof d, "%Y-%m-%d", &t);
        json_array_append_new(days, json_string(d));
    }
    for (int k = 0; series[k]; k++) {
        struct stats_day *m;
        size_t nm, i;
        json_t *d, *a = json_array();
        if (stats_daily(st, series[k], since, &m, &nm) == -1) {
            json_decref(a);
            json_decref(out);
            return -1;
        }
        json_array_foreach(days, i, d)
        {
            int64_t count = 0;
            for (size_t j = 0; j < nm; j++)
                if (strcmp(m[j].day, json_string_value(d)) == 0)
                    count = m[j].count;
            json_array_append_new(a, json_integer((json_int_t)count));
        }
        free(m);
        json_object_set_new(out, series[k], a);
    }
    /* the super admin and leadership's read-only viewer see every office's figures */
    bool all = is_super(rq) || strcmp(role_of(rq), ADMIN_ROLE_VIEWER) == 0;
    struct stats_figures fig;
    struct stats_broadcast *bv;
    size_t nb;
    if (stats_now(st, now, all ? NULL : role_of(rq), &fig) == -1 ||
        stats_broadcasts(st, 10, &bv, &nb) == -1) {
        json_decref(out);
        return -1;
    }
    json_t *bc = json_array();
    for (size_t i = 0; i < nb; i++)
        json_array_append_new(bc, stats_broadcast_json(&bv[i]));
    stats_broadcast_free_all(bv, nb);
    json_object_set_new(out, "now", stats_figures_json(&fig));
    json_object_set_new(out, "broadcasts", bc);
    json_object_set_new(out, "role", json_string(role_of(rq)));
    admin_reply(resp, 200, out);
    return 0;
}

static int64_t budget_of(const struct conf *c, const struct admin_req *rq)
{
    if (strcmp(role_of(rq), ADMIN_ROLE_UNION) == 0)
        return c->admin.union_points_budget;
    if (strcmp(role_of(rq), ADMIN_ROLE_DESK) == 0)
        return c->admin.desk_points_budget;
    return -1; /* the super-admin has none */
}

/* GET /budget: {"role","budget" (null: none),"used","left","since_ms"}. */
static int budget_get(const struct app *app, struct store *st, int64_t now,
                      const struct admin_req *rq, struct http_resp *resp)
{
    int64_t since = dashboard_month_start(now), budget = budget_of(app->conf, rq);
    int64_t used = stats_credits_sum(st, role_of(rq), since);
    if (used < 0)
        return -1;
    json_t *o = json_pack("{s:s,s:I,s:I}", "role", role_of(rq), "used", (json_int_t)used,
                          "since_ms", (json_int_t)since);
    json_object_set_new(o, "budget", budget < 0 ? json_null() : json_integer(budget));
    json_object_set_new(o, "left",
                        budget < 0 ? json_null() : json_integer(budget > used ? budget - used : 0));
    admin_reply(resp, 200, o);
    return 0;
}

int admin_dashboard_route(const struct app *app, struct store *st, int64_t now,
                          const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    if (nseg != 1 || (strcmp(seg[0], "stats") != 0 && strcmp(seg[0], "budget") != 0))
        return 0;
    if (strcmp(rq->method, "GET") != 0) {
        http_resp_error(resp, 405, "method not allowed: use GET");
        return 1;
    }
    int rc = strcmp(seg[0], "stats") == 0 ? stats_get(st, now, rq, resp)
                                          : budget_get(app, st, now, rq, resp);
    return rc == -1 ? -1 : 1;
}

int dashboard_course_allowed(struct store *st, const struct admin_req *rq, int64_t id)
{
    char owner[8];
    if (is_super(rq))
        return 1;
    int found = stats_course_owner(st, id, owner);
    if (found != 1)
        return found;
    return strcmp(owner, role_of(rq)) == 0;
}

int dashboard_courses_filter(struct store *st, const struct admin_req *rq, json_t *items)
{
    size_t i = 0;
    while (i < json_array_size(items)) {
        json_t *c = json_array_get(items, i);
        char owner[8];
        int found = stats_course_owner(st, json_integer_value(json_object_get(c, "id")), owner);
        if (found == -1)
            return -1;
        if (found == 0 || (!is_super(rq) && strcmp(owner, role_of(rq)) != 0)) {
            json_array_remove(items, i);
            continue;
        }
        json_object_set_new(c, "owner", json_string(owner));
        i++;
    }
    return 0;
}

const char *dashboard_course_owner(const struct admin_req *rq, json_t *body,
                                   struct http_resp *resp)
{
    json_t *v = json_object_get(body, "owner");
    if (!is_super(rq)) {
        if (v != NULL && !(json_is_string(v) && strcmp(json_string_value(v), role_of(rq)) == 0)) {
            http_resp_error(resp, 403, "a course can only be created for your own office");
            return NULL;
        }
        return role_of(rq);
    }
    if (v == NULL || json_is_null(v))
        return ADMIN_ROLE_UNION;
    const char *o = json_string_value(v);
    if (o != NULL && strcmp(o, ADMIN_ROLE_UNION) == 0)
        return ADMIN_ROLE_UNION;
    if (o != NULL && strcmp(o, ADMIN_ROLE_DESK) == 0)
        return ADMIN_ROLE_DESK;
    http_resp_error(resp, 400, "'owner' must be \"union\" or \"desk\"");
    return NULL;
}

int dashboard_budget_check(const struct app *app, struct store *st, const struct admin_req *rq,
                           int64_t person, int64_t delta, const char *ref, int64_t now,
                           struct http_resp *resp)
{
    char why[200];
    int64_t budget = budget_of(app->conf, rq);
    if (budget < 0 || delta <= 0)
        return 1; /* corrections (negative) never need budget */
    int seen = stats_points_ref_exists(st, person, ref);
    if (seen != 0)
        return seen == 1 ? 1 : -1; /* a retry: answered as a duplicate, nothing added */
    int64_t used = stats_credits_sum(st, role_of(rq), dashboard_month_start(now));
    if (used < 0)
        return -1;
    if (used + delta <= budget)
        return 1;
    snprintf(why, sizeof why,
             "over this month's points budget of %lld for %s: %lld used, %lld left",
             (long long)budget, role_of(rq), (long long)used,
             (long long)(budget > used ? budget - used : 0));
    http_resp_error(resp, 403, why);
    return 0;
}

int dashboard_budget_record(struct store *st, const struct admin_req *rq, int64_t person,
                            int64_t delta, const char *ref, int64_t now)
{
    if (is_super(rq) || delta <= 0)
        return 0;
    return stats_credits_add(st, role_of(rq), person, delta, ref, now);
}

/* Length in bytes of the UTF-8 character at p (1 for a stray byte). */
static size_t char_len(const char *p)
{
    unsigned char c = (unsigned char)*p;
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if (p[i] == '\0')
            return i;
    return n;
}

/* The intent of text under the rules, or NULL. */
static const char *try_rules(const struct intents *in, const char *text)
{
    struct intent_match m;
    const char *intent = NULL;
    memset(&m, 0, sizeof m);
    if (intent_match(in, text, &m) == 1)
        intent = m.intent;
    intent_match_release(&m);
    return intent;
}

/* A staff command's intent (答 T12, 进度 SP1: staff handlers, admin.*):
 * never suggested or taught to workers' understanding. */
static bool staff_intent(const char *intent)
{
    const struct handler *h = intent ? handler_find(intent) : NULL;
    return intent != NULL && (str_has_prefix(intent, "admin.") || (h != NULL && h->staff));
}

/* Whether normalised n names a report code (sp42, SP0042) anywhere. */
static bool has_report_code(const char *n)
{
    for (const char *p = strstr(n, "sp"); p != NULL; p = strstr(p + 2, "sp")) {
        size_t len = 2 + strspn(p + 2, "0123456789");
        char *code = xstrndup(p, len);
        int64_t id;
        bool is = len > 2 && report_code_parse(code, &id) == 0;
        free(code);
        if (is)
            return true;
    }
    return false;
}

/* Text staff may not map to a worker intent: a staff command (whole or any
 * part the rules take as one) or a report code. */
static bool staff_text(const struct app *app, const char *n)
{
    struct intent_match m;
    memset(&m, 0, sizeof m);
    if (has_report_code(n))
        return true;
    /* the rules as a turn asks them: on the text, then on its matched copy */
    bool staff = understand_rules(app->intents, n, &m, NULL) == 1 && staff_intent(m.intent);
    intent_match_release(&m);
    return staff;
}

/* PCRE2 pattern text matching s literally, appended to out. */
static void rule_escape(struct buf *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (strchr("\\^$.|?*+()[]{}#", *p) != NULL)
            buf_puts(out, "\\");
        if (*p == ' ')
            buf_puts(out, " ?");
        else
            buf_append(out, p, 1);
    }
}

/*
 * Which intent would take text: the whole normalised text, else the longest
 * part of it (at least two characters: one character alone would match
 * quiz answers and menu numbers) that a rule matches.
 */
static json_t *suggest_one(const struct app *app, const char *text)
{
    char *n = norm_text(text);
    if (staff_text(app, n)) { /* no rule may capture a staff command or a report code */
        json_t *o = json_pack("{s:s,s:s}", "normalised", n, "why",
                              "staff command or report code: not for workers' rules");
        free(n);
        return o;
    }
    const char *intent = try_rules(app->intents, n);
    char *matched = intent ? xstrdup(n) : NULL;
    size_t off[SUGGEST_MAX_CHARS + 1];
    int nch = 0;
    for (const char *p = n; *p && nch < SUGGEST_MAX_CHARS; p += char_len(p))
        off[nch++] = (size_t)(p - n);
    off[nch] = nch < SUGGEST_MAX_CHARS ? strlen(n) : off[nch - 1] + char_len(n + off[nch - 1]);
    for (int len = nch - 1; intent == NULL && len >= 2; len--) {
        for (int start = 0; intent == NULL && start + len <= nch; start++) {
            char *part = xstrndup(n + off[start], off[start + len] - off[start]);
            char *pn = norm_text(part); /* trims the spaces a cut leaves */
            intent = pn[0] ? try_rules(app->intents, pn) : NULL;
            if (staff_intent(intent)) /* 进度 sp1: an admin command inside */
                intent = NULL;
            if (intent != NULL)
                matched = xstrdup(pn);
            free(pn);
            free(part);
        }
    }
    struct buf rule;
    buf_init(&rule, 0);
    buf_puts(&rule, intent ? intent : "INTENT");
    buf_puts(&rule, "  ^(?:");
    rule_escape(&rule, n);
    buf_puts(&rule, ")$");
    json_t *o = json_pack("{s:s?,s:s?,s:s,s:s}", "intent", intent, "matched", matched, "normalised",
                          n, "rule", rule.data ? rule.data : "");
    buf_release(&rule);
    free(matched);
    free(n);
    return o;
}

void dashboard_unknown_suggest(const struct app *app, json_t *items)
{
    size_t i;
    json_t *it;
    if (app->intents == NULL)
        return;
    json_array_foreach(items, i, it)
    {
        const char *text = json_string_value(json_object_get(it, "text"));
        if (text != NULL)
            json_object_set_new(it, "suggest", suggest_one(app, text));
    }
}

/* Intents staff may teach: the rules know it, a worker's handler runs it. */
static bool teachable(const struct app *app, const char *intent)
{
    bool known = false;
    for (size_t i = 0; i < intent_count(app->intents) && !known; i++)
        known = strcmp(intent_name(app->intents, i), intent) == 0;
    return known && handler_find(intent) != NULL && !staff_intent(intent) &&
           strcmp(intent, "fallback") != 0;
}

int dashboard_unknown_teach(const struct app *app, struct store *st, int64_t now,
                            const struct admin_req *rq, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    const char *text = json_string_value(json_object_get(b, "text"));
    const char *intent = json_string_value(json_object_get(b, "intent"));
    char *n = text ? norm_text(text) : NULL;
    const char *ruled = n && n[0] ? try_rules(app->intents, n) : NULL;
    char why[160];
    int rc = 0, status = 400;
    why[0] = '\0';
    if (n == NULL || n[0] == '\0' || utf8_len(n) > 200 || intent == NULL)
        snprintf(why, sizeof why, "want {\"text\": \"1..200 characters\", \"intent\": \"<intent>\"}");
    else if (!teachable(app, intent))
        snprintf(why, sizeof why, "intent %.60s is not a worker intent of the rules", intent);
    else if (staff_text(app, n))
        snprintf(why, sizeof why, "a staff command or a report code cannot be taught");
    else if (ruled != NULL) {
        status = 409;
        snprintf(why, sizeof why, "the rules already take this text as %.60s", ruled);
    }
    if (why[0] != '\0') {
        http_resp_error(resp, status, why);
        goto out;
    }
    int64_t v = -1;
    if (store_taught_add(st, n, intent, now) == -1 || (v = store_taught_version(st)) == -1) {
        rc = -1;
        goto out;
    }
    admin_reply(resp, 200, json_pack("{s:s,s:s,s:I}", "text", n, "intent", intent, "version",
                                     (json_int_t)v));
out:
    free(n);
    json_decref(b);
    return rc;
}

/* The dashboard's figures: stats, the SMS budget, the monthly summary. */
const struct feature feature_dashboard = {
    .name = "dashboard",
    .routes = {admin_dashboard_route, admin_monthly_route},
};
