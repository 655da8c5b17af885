/*
 * handler.c - features[] (feature.h), the helpers that iterate it, and the
 * helpers handlers share. An intent of the rules that no feature handles stops
 * the bot at startup (live.c checks).
 */
#include "handler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "content.h"
#include "feature.h"
#include "intent.h"
#include "log.h"
#include "msg.h"
#include "norm.h"
#include "staff.h"
#include "store.h"
#include "util.h"

/*
 * Every feature, once: its name here, its descriptor feature_<name> in its
 * own file (feature.h). The order is the order of the claims in the
 * numbered "which one?" question, of the admin routes and of the ticks.
 */
#define FEATURES(X) \
    X(core) X(station) X(turn) X(understand) X(points) X(lesson) X(courses) X(report) \
    X(member) X(desk) X(dashboard) X(privacy) X(staff) X(people) X(account) X(content)

#define DECL(name) extern const struct feature feature_##name;
FEATURES(DECL)
#undef DECL

const struct feature *const features[] = {
#define ROW(name) &feature_##name,
    FEATURES(ROW)
#undef ROW
    NULL,
};

/* The i-th claim of list, or NULL past the last. */
static const struct claimer *claim_in(const struct feature *const *list, int i)
{
    for (size_t f = 0; list[f] != NULL && i >= 0; f++)
        for (const struct claimer *c = list[f]->claims; c != NULL && c->name; c++)
            if (i-- == 0)
                return c;
    return NULL;
}

const struct claimer *claimer_at(int i)
{
    return claim_in(features, i);
}

bool intent_is_answer(const char *intent)
{
    const struct claimer *c;
    for (int i = 0; intent != NULL && (c = claimer_at(i)) != NULL; i++)
        if (c->answers != NULL && strcmp(c->answers, intent) == 0)
            return true;
    return false;
}

int features_tick(const struct feature *const *list, const struct app *app, struct store *st,
                  int64_t now)
{
    char job[64];
    for (size_t f = 0; list[f] != NULL; f++) {
        if (list[f]->tick == NULL)
            continue;
        /* several nodes on one database: one runs a feature's tick at a time,
         * the others skip it this time (docs/scaling.md) */
        snprintf(job, sizeof job, "yizhan.tick.%s", list[f]->name);
        int got = store_job_lock(st, job);
        if (got == -1 || (got == 1 && list[f]->tick(app, st, now) == -1))
            return -1;
    }
    return 0;
}

int handler_tick(const struct app *app, struct store *st, int64_t now)
{
    return features_tick(features, app, st, now);
}

int features_route(const struct app *app, struct store *st, int64_t now,
                   const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    for (size_t f = 0; features[f] != NULL; f++)
        for (const admin_route_fn *r = features[f]->routes; *r != NULL; r++) {
            int rc = (*r)(app, st, now, rq, seg, nseg, resp);
            if (rc != 0)
                return rc == -1 ? -1 : 1;
        }
    return 0;
}

int features_check_content(const struct content *ct, struct buf *errors)
{
    const struct content_need *needs[64];
    size_t n = 0;
    for (size_t f = 0; features[f] != NULL; f++)
        for (size_t k = 0; k < FEATURE_NEEDS_MAX && features[f]->needs[k] != NULL; k++) {
            if (n + 1 == sizeof needs / sizeof needs[0]) {
                buf_printf(errors, "handler.c: more than %zu lists of content needs\n", n);
                return -1;
            }
            needs[n++] = features[f]->needs[k];
        }
    needs[n] = NULL;
    return content_check(ct, needs, errors);
}

/* Whether f lists content key. */
static bool feature_needs(const struct feature *f, const char *key)
{
    for (size_t k = 0; k < FEATURE_NEEDS_MAX && f->needs[k] != NULL; k++)
        for (const struct content_need *nd = f->needs[k]; nd->key != NULL; nd++)
            if (strcmp(nd->key, key) == 0)
                return true;
    return false;
}

/* The handler for intent in list, and its feature in *owner; NULL when none. */
static const struct handler *find_in(const struct feature *const *list, const char *intent,
                                     const struct feature **owner)
{
    for (size_t f = 0; list[f] != NULL; f++)
        for (const struct handler *h = list[f]->intents; h != NULL && h->intent; h++)
            if (strcmp(h->intent, intent) == 0) {
                *owner = list[f];
                return h;
            }
    return NULL;
}

/* The problems of the claims of feature f of list. 0 or -1. */
static int check_claims(const struct feature *const *list, const struct feature *f,
                        struct buf *errors)
{
    int rc = 0;
    for (const struct claimer *c = f->claims; c != NULL && c->name; c++) {
        const struct feature *owner = NULL;
        char key[64];
        snprintf(key, sizeof key, "turn.ctx.%s", c->name);
        int same = 0;
        for (int i = 0; claim_in(list, i) != NULL; i++)
            same += strcmp(claim_in(list, i)->name, c->name) == 0;
        if (same > 1) {
            buf_printf(errors, "feature %s: claim '%s' is another claim's name too\n", f->name,
                       c->name);
            rc = -1;
        }
        if (c->answers != NULL && (find_in(list, c->answers, &owner) == NULL || owner != f)) {
            buf_printf(errors, "feature %s: claim '%s' answers '%s', not its own intent\n",
                       f->name, c->name, c->answers);
            rc = -1;
        }
        if (!feature_needs(f, key)) {
            buf_printf(errors, "feature %s: claim '%s' needs its label %s among its needs\n",
                       f->name, c->name, key);
            rc = -1;
        }
    }
    return rc;
}

int features_check(const struct feature *const *list, struct buf *errors)
{
    int rc = 0;
    for (size_t f = 0; list[f] != NULL; f++) {
        for (const struct handler *h = list[f]->intents; h != NULL && h->intent; h++) {
            const struct feature *owner = NULL;
            if (find_in(list, h->intent, &owner) != h) {
                buf_printf(errors, "features %s and %s: intent '%s' has two handlers\n",
                           owner->name, list[f]->name, h->intent);
                rc = -1;
            }
        }
        if (check_claims(list, list[f], errors) == -1)
            rc = -1;
    }
    return rc;
}

int handler_run(const struct handler *h, struct turn *t)
{
    if (h->staff && !t->in->authenticated) {
        log_info("handler: %s refused: the message was not authenticated", h->intent);
        return handle_fallback(t); /* not understood, as for anyone else */
    }
    int rc = h->fn(t);
    if (rc == 0 && h->staff) /* the one place a chat command is audited */
        rc = staff_chat_audit(t, h->intent);
    return rc;
}

const struct handler *handler_find(const char *intent)
{
    const struct feature *owner;
    return find_in(features, intent, &owner);
}

int say_text(struct turn *t, const char *text)
{
    json_t *o = json_pack("{s:s}", "text", text);
    if (o == NULL || json_array_append_new(t->replies, o) == -1)
        return -1;
    return 0;
}

int say(struct turn *t, const char *key, ...)
{
    const char *kv[33];
    int n = 0;
    va_list ap;
    va_start(ap, key);
    for (const char *p; n < 32 && (p = va_arg(ap, const char *)) != NULL;)
        kv[n++] = p;
    va_end(ap);
    kv[n] = NULL;
    char *text = content_render(t->app->ct, key, kv);
    int rc = say_text(t, text);
    free(text);
    return rc;
}

int turn_set_menu(struct turn *t, const char *const *cmds, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_string(cmds[i]));
    char *s = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    if (s == NULL)
        return -1;
    /* a bare number now answers this menu, not an older "which one?" (turn.c) */
    int rc = turn_state_del(t, "turn.choice") == 0 ? turn_state_set(t, "menu", s) : -1;
    free(s);
    return rc;
}

int turn_state_get(struct turn *t, const char *key, char **value)
{
    return store_state_get(t->st, t->person, key, t->now, value);
}

int turn_state_set(struct turn *t, const char *key, const char *value)
{
    return store_state_set(t->st, t->person, key, value,
                           t->now + t->app->conf->state_ttl * 1000);
}

int turn_state_del(struct turn *t, const char *key)
{
    return store_state_del(t->st, t->person, key);
}

char *turn_raw_arg(const struct turn *t, const char *cap)
{
    const char *raw = t->picked != NULL ? t->picked : t->in->text;
    size_t n = raw ? strlen(raw) : 0, adv;
    if (cap == NULL)
        return xstrdup("");
    /* the command before the argument is short; do not scan a long text */
    for (size_t i = 0; i < n && i <= 96; i += adv) {
        char *nm = norm_text(raw + i);
        bool same = strcmp(nm, cap) == 0;
        free(nm);
        if (same) {
            const char *p = raw + i;
            size_t len = strlen(p);
            while (*p == ' ' || *p == '\t' || *p == '\n') {
                p++;
                len--;
            }
            while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\n' || p[len - 1] == '\r'))
                len--;
            return xstrndup(p, len);
        }
        utf8_decode(raw + i, n - i, &adv);
    }
    return xstrdup(cap);
}

char *turn_raw_text(const struct turn *t)
{
    return turn_raw_arg(t, t->text);
}

const char *turn_cap(const struct turn *t, const char *name)
{
    return t->m ? intent_cap(t->m, name) : NULL;
}

void turn_fmt_time(int64_t ms, const char *fmt, char *out, size_t size)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm); /* TZ was set from the config at startup */
    /* fmt is checked at each call site by the format(strftime) attribute */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    if (strftime(out, size, fmt, &tm) == 0 && size > 0)
        out[0] = '\0';
#pragma GCC diagnostic pop
}

void turn_fmt_when(int64_t ms, int64_t now, bool clock, char *out, size_t size)
{
    char y[8], ny[8];
    turn_fmt_time(ms, "%Y", y, sizeof y);
    turn_fmt_time(now, "%Y", ny, sizeof ny);
    /* 12-30 read in January is next December's: name the year then */
    if (strcmp(y, ny) == 0)
        turn_fmt_time(ms, clock ? "%m-%d %H:%M" : "%m-%d", out, size);
    else
        turn_fmt_time(ms, clock ? "%Y-%m-%d %H:%M" : "%Y-%m-%d", out, size);
}

const char *turn_key(const struct turn *t, const char *key, char *buf, size_t size)
{
    if (t->ch == NULL || !t->ch->is_sms)
        return key;
    snprintf(buf, size, "%s.sms", key);
    return content_get(t->app->ct, buf) != NULL ? buf : key;
}
