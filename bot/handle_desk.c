/*
 * handle_desk.c - the university service desk in chat: workers open tickets
 * (法律咨询 / 课业辅导 / 心理咨询), volunteers take, answer and close them, the
 * worker follows up and rates; mentoring pairs write through the bot; the
 * tick rotates untaken tickets, escalates old ones and flags silent pairs.
 *
 * Every message between the two sides goes through the outbox as OUT_REPLY:
 * the worker asked the question (so the answer reaches an opted-out worker
 * and at any hour, like an in-band reply), volunteers and admins asked for
 * their tickets and alerts, and a mentoring pair is a conversation both sides
 * agreed to. Texts name tickets (T12) and pairs (P3), never a platform id.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "buf.h"
#include "conf.h"
#include "desk.h"
#include "handler.h"
#include "intent.h"
#include "log.h"
#include "msg.h"
#include "norm.h"
#include "outbox.h"
#include "staff.h"
#include "store.h"
#include "util.h"

#define MAX_VOLUNTEERS 64
#define TICK_BATCH 100
#define MAX_WINDOWS 8
#define RATE_MENU_MS (3LL * 86400 * 1000) /* a bare 1-5 rates a closed ticket this long */

const struct content_need desk_needs[] = {
    CONTENT_NEED("desk.legal", ""),
    CONTENT_NEED("desk.tutoring", ""),
    CONTENT_NEED("desk.counsel", ""),
    CONTENT_NEED("desk.menu", ""),
    CONTENT_NEED("desk.menu_cmds", ""),
    CONTENT_NEED("desk.ask", "desk"),
    CONTENT_NEED("desk.opened", "code desk hours"),
    CONTENT_NEED("desk.opened_later", "code desk hours at"),
    CONTENT_NEED("desk.crisis_help", ""),
    CONTENT_NEED("desk.crisis_words", ""),
    CONTENT_NEED("desk.offer", "code desk text"),
    CONTENT_NEED("desk.taken_vol", "code desk text"),
    CONTENT_NEED("desk.taken_worker", "code"),
    CONTENT_NEED("desk.taken_other", "code"),
    CONTENT_NEED("desk.no_ticket", "code"),
    CONTENT_NEED("desk.closed_already", "code"),
    CONTENT_NEED("desk.answer_worker", "code text"),
    CONTENT_NEED("desk.answer_sent", "code"),
    CONTENT_NEED("desk.followup_vol", "code text"),
    CONTENT_NEED("desk.followup_ok", "code"),
    CONTENT_NEED("desk.closed_rate", "code"),
    CONTENT_NEED("desk.closed_vol", "code"),
    CONTENT_NEED("desk.closed_by_worker", "code"),
    CONTENT_NEED("desk.rated", "code score"),
    CONTENT_NEED("desk.rate_not_closed", "code"),
    CONTENT_NEED("desk.rate_cmd", "code score"),
    CONTENT_NEED("desk.escalate", "code desk minutes text"),
    CONTENT_NEED("desk.alert_crisis", "code desk text"),
    CONTENT_NEED("desk.pair_msg", "code who text"),
    CONTENT_NEED("desk.pair_from_mentor", ""),
    CONTENT_NEED("desk.pair_from_worker", ""),
    CONTENT_NEED("desk.pair_sent", "code"),
    CONTENT_NEED("desk.no_pair", "code"),
    CONTENT_NEED_END,
};

/* The text of content key with name, value pairs and a final NULL (like say). */
static char *render(const struct content *ct, const char *key, ...)
{
    const char *kv[33];
    int n = 0;
    va_list ap;
    va_start(ap, key);
    for (const char *p; n < 32 && (p = va_arg(ap, const char *)) != NULL;)
        kv[n++] = p;
    va_end(ap);
    kv[n] = NULL;
    return content_render(ct, key, kv);
}

static bool known_desk(const char *desk)
{
    return strcmp(desk, "legal") == 0 || strcmp(desk, "tutoring") == 0 ||
           strcmp(desk, "counsel") == 0;
}

static const char *desk_hours(const struct conf *c, const char *desk)
{
    if (strcmp(desk, "legal") == 0)
        return c->desk.legal_hours;
    if (strcmp(desk, "tutoring") == 0)
        return c->desk.tutoring_hours;
    return c->desk.counsel_hours;
}

/* The desk's name from content (desk.legal, ...); the caller frees it. */
static char *desk_label(const struct content *ct, const char *desk)
{
    char key[32];
    snprintf(key, sizeof key, "desk.%s", desk);
    return content_render(ct, key, NULL);
}

/* Whether minute of the day m falls in one of the n windows. */
static bool in_windows(const int (*w)[2], int n, int m)
{
    for (int i = 0; i < n; i++) {
        int s = w[i][0], e = w[i][1];
        if ((s < e && m >= s && m < e) || (s > e && (m >= s || m < e)))
            return true;
    }
    return false;
}

static int local_minute(int64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

/* True when local time now is inside one of the windows of spec; an empty
 * (or unreadable) spec means any time. */
static bool in_hours(const char *spec, int64_t now)
{
    int w[MAX_WINDOWS][2];
    int n = conf_windows_parse(spec ? spec : "", w, MAX_WINDOWS);
    if (n <= 0)
        return true;
    return in_windows((const int (*)[2])w, n, local_minute(now));
}

/* The next minute at or after now when spec is open (windows repeat daily).
 * The spec is parsed once and the clock read once: this ran up to 1,440
 * parses and time conversions per off-hours ticket (perf, bench/inbound).
 * A daylight-saving jump inside the wait is not accounted for. */
static int64_t next_open(const char *spec, int64_t now)
{
    int w[MAX_WINDOWS][2];
    int n = conf_windows_parse(spec ? spec : "", w, MAX_WINDOWS);
    if (n <= 0)
        return now;
    int m0 = local_minute(now);
    if (in_windows((const int (*)[2])w, n, m0))
        return now;
    for (int k = 1; k <= 1440; k++)
        if (in_windows((const int (*)[2])w, n, (m0 + k) % 1440))
            return (now / 60000 + k) * 60000;
    return now;
}

/*
 * The text a capture came from, as the person typed it (case, full-width
 * punctuation and a final question mark kept): the longest tail of raw whose
 * normalised form is the capture. Falls back to the capture. New string.
 */
static char *raw_arg(const char *raw, const char *cap)
{
    size_t n = raw ? strlen(raw) : 0, adv;
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

/* The whole raw text of the message, trimmed (new string; "" when none). */
static char *raw_text(const struct turn *t)
{
    return raw_arg(t->in->text, t->text);
}

/* True when text contains a phrase of content desk.crisis_words. */
static bool has_crisis(const struct content *ct, const char *text)
{
    const char *words = content_get(ct, "desk.crisis_words");
    char *copy = xstrdup(words ? words : ""), *save = NULL;
    bool hit = false;
    for (char *w = strtok_r(copy, "\n", &save); w && !hit; w = strtok_r(NULL, "\n", &save)) {
        while (*w == ' ')
            w++;
        size_t len = strlen(w);
        while (len > 0 && (w[len - 1] == ' ' || w[len - 1] == '\r'))
            w[--len] = '\0';
        if (len > 0 && strstr(text, w) != NULL)
            hit = true;
    }
    free(copy);
    return hit;
}

static int push(const struct app *app, struct store *st, int64_t person, const char *text,
                const char *key, int64_t now)
{
    return outbox_push(st, app->conf, person, OUT_REPLY, text, 0, now, key) == -1 ? -1 : 0;
}

/* Push text to one admin chat ("<channel>:<id>", modified in place) under
 * key "<keybase>:<person>"; a person row is made for an admin who never
 * wrote to the bot. 1 pushed, 0 malformed (skipped), -1 error. */
static int alert_one(const struct app *app, struct store *st, char *a, const char *text,
                     const char *keybase, int64_t now)
{
    while (*a == ' ')
        a++;
    size_t len = strlen(a);
    while (len > 0 && a[len - 1] == ' ')
        a[--len] = '\0';
    char *colon = strchr(a, ':');
    if (colon == NULL || colon == a || colon[1] == '\0') {
        log_warn("desk: desk.admins entry '%s' is not <channel>:<id>; skipped", a);
        return 0;
    }
    *colon = '\0';
    int64_t pid = 0;
    int found = store_person_find(st, a, colon + 1, &pid);
    if (found == 0 && store_person_ensure(st, a, colon + 1, NULL, now, &pid) == -1)
        found = -1;
    if (found == -1)
        return -1;
    char *key = xasprintf("%s:%lld", keybase, (long long)pid);
    int rc = push(app, st, pid, text, key, now);
    free(key);
    return rc == -1 ? -1 : 1;
}

/*
 * Push text to every desk admin: the chats linked to enabled staff accounts
 * of the roles that read counselling and crisis texts (super admin,
 * counselling), then the older config list desk.admins ("<channel>:<id>,...",
 * kept as a fallback); the key "<keybase>:<person>" makes a chat in both
 * get it once. 0 or -1.
 */
static int alert_admins(const struct app *app, struct store *st, const char *text,
                        const char *keybase, int64_t now)
{
    static const char *const roles[] = {ADMIN_ROLE_SUPER, ADMIN_ROLE_COUNSEL, NULL};
    json_t *chats = store_staff_chats_of_roles(st, roles);
    char *copy = xstrdup(app->conf->desk.admins), *save = NULL;
    int rc = chats == NULL ? -1 : 0, sent = 0;
    size_t i;
    json_t *v;
    json_array_foreach(chats, i, v)
    {
        char *c = xstrdup(json_string_value(v));
        if (rc == 0)
            rc = alert_one(app, st, c, text, keybase, now);
        sent += rc == 1;
        rc = rc == -1 ? -1 : 0;
        free(c);
    }
    for (char *a = strtok_r(copy, ",", &save); a && rc == 0; a = strtok_r(NULL, ",", &save)) {
        rc = alert_one(app, st, a, text, keybase, now);
        sent += rc == 1;
        rc = rc == -1 ? -1 : 0;
    }
    if (rc == 0 && sent == 0)
        log_warn("desk: no desk admins (staff accounts or desk.admins); alert %s not delivered",
                 keybase);
    json_decref(chats);
    free(copy);
    return rc;
}

static void ticket_code(int64_t id, char *out, size_t size)
{
    snprintf(out, size, "T%lld", (long long)id);
}

/* Alert the admins that a message of ticket tk (message mid) has crisis words. */
static int crisis_alert(const struct app *app, struct store *st, const struct desk_ticket *tk,
                        const char *text, int64_t mid, int64_t now)
{
    char code[32], keybase[64];
    ticket_code(tk->id, code, sizeof code);
    snprintf(keybase, sizeof keybase, "desk:%s:crisis:%lld", code, (long long)mid);
    char *label = desk_label(app->ct, tk->desk);
    char *msg =
        render(app->ct, "desk.alert_crisis", "code", code, "desk", label, "text", text, NULL);
    int rc = store_desk_ticket_set_crisis(st, tk->id);
    if (rc == 0)
        rc = alert_admins(app, st, msg, keybase, now);
    free(msg);
    free(label);
    return rc;
}

/*
 * Offer ticket tk to the next volunteer of its desk on duty now, in rotation
 * (least recently offered first), skipping the one it was last offered to.
 * 1 offered, 0 nobody on duty, -1 error.
 */
static int offer_next(const struct app *app, struct store *st, const struct desk_ticket *tk,
                      int64_t now)
{
    struct desk_volunteer v[MAX_VOLUNTEERS];
    const struct desk_volunteer *pick = NULL;
    char code[32], key[64];
    char *label = NULL, *msg = NULL;
    struct buf text;
    int rc = -1;
    buf_init(&text, 0);
    int n = store_desk_volunteers_for(st, tk->desk, v, MAX_VOLUNTEERS);
    if (n == -1)
        goto out;
    for (int i = 0; i < n && pick == NULL; i++) {
        const char *hours = v[i].hours[0] ? v[i].hours : desk_hours(app->conf, tk->desk);
        if (v[i].id != tk->offered_to && in_hours(hours, now))
            pick = &v[i];
    }
    if (pick == NULL) {
        rc = 0;
        goto out;
    }
    buf_puts(&text, "");
    if (store_desk_ticket_text(st, tk->id, &text) == -1)
        goto out;
    ticket_code(tk->id, code, sizeof code);
    label = desk_label(app->ct, tk->desk);
    msg = render(app->ct, "desk.offer", "code", code, "desk", label, "text", text.data, NULL);
    snprintf(key, sizeof key, "desk:%s:offer:%d", code, tk->offers + 1);
    if (store_desk_ticket_offer(st, tk->id, pick->id, now) == -1 ||
        push(app, st, pick->person, msg, key, now) == -1)
        goto out;
    rc = 1;
out:
    free(label);
    free(msg);
    buf_release(&text);
    return rc;
}

/* Open a ticket at desk with the worker's question, offer it, answer. */
static int open_ticket(struct turn *t, const char *desk, const char *text)
{
    const struct app *app = t->app;
    struct desk_ticket tk;
    char code[32], at[32];
    int64_t id = 0, mid = 0;
    int rc = -1;
    bool crisis = has_crisis(app->ct, text);
    char *label = desk_label(app->ct, desk);
    const char *hours = desk_hours(app->conf, desk);
    if (store_desk_ticket_add(t->st, desk, t->person, crisis, t->now, &id) == -1 ||
        store_desk_msg_add(t->st, id, 0, "worker", text, t->now, &mid) == -1 ||
        store_desk_ticket_get(t->st, id, &tk) != 1 || offer_next(app, t->st, &tk, t->now) == -1)
        goto out;
    ticket_code(id, code, sizeof code);
    /* hotlines first: the one line that must not be missed or cut */
    if (crisis && (say(t, "desk.crisis_help", NULL) == -1 ||
                   crisis_alert(app, t->st, &tk, text, mid, t->now) == -1))
        goto out;
    if (in_hours(hours, t->now)) {
        rc = say(t, "desk.opened", "code", code, "desk", label, "hours", hours, NULL);
    } else {
        turn_fmt_time(next_open(hours, t->now), "%m-%d %H:%M", at, sizeof at);
        rc = say(t, "desk.opened_later", "code", code, "desk", label, "hours", hours, "at", at,
                 NULL);
    }
out:
    free(label);
    return rc;
}

/* service.legal, service.tutoring, service.counsel */
int handle_desk_open(struct turn *t)
{
    const char *desk = strchr(t->intent, '.') + 1;
    const char *q = turn_cap(t, "q");
    int rc;
    if (!known_desk(desk)) /* a rule for a desk this build does not have */
        return handle_fallback(t);
    if (q != NULL && q[0] != '\0') {
        char *text = raw_arg(t->in->text, q);
        rc = open_ticket(t, desk, text);
        free(text);
        return rc;
    }
    /* the question follows in the next message (desk_followup) */
    if (turn_state_set(t, "desk.ask", desk) == -1)
        return -1;
    char *label = desk_label(t->app->ct, desk);
    rc = say(t, "desk.ask", "desk", label, NULL);
    free(label);
    return rc;
}

/* desk.menu: the three desks as a numbered menu. */
int handle_desk_menu(struct turn *t)
{
    char *cmds = xstrdup(content_get(t->app->ct, "desk.menu_cmds")), *save = NULL;
    const char *list[8];
    int n = 0, rc = -1;
    for (char *c = strtok_r(cmds, "\n", &save); c && n < 8; c = strtok_r(NULL, "\n", &save))
        if (c[0] != '\0')
            list[n++] = c;
    if (say(t, "desk.menu", NULL) == 0)
        rc = turn_set_menu(t, list, n);
    free(cmds);
    return rc;
}

/* The ticket named by capture n. 1 found, 0 not (no_ticket said), -1. */
static int cap_ticket(struct turn *t, struct desk_ticket *tk, char *code, size_t size)
{
    long long id = 0;
    const char *n = turn_cap(t, "n");
    snprintf(code, size, "T%s", n ? n : "");
    int found = 0;
    if (n != NULL && parse_int(n, 1, INT64_MAX, &id) == 0) {
        found = store_desk_ticket_get(t->st, id, tk);
        if (found == -1)
            return -1;
    }
    if (found == 1)
        ticket_code(tk->id, code, size); /* T012 is T12 */
    else if (say(t, "desk.no_ticket", "code", code, NULL) == -1)
        return -1;
    return found;
}

/* The JSON menu of the five rating commands for ticket code (new string). */
static char *rate_menu(const struct content *ct, const char *code)
{
    json_t *a = json_array();
    for (int s = 1; s <= 5; s++) {
        char score[12];
        snprintf(score, sizeof score, "%d", s);
        char *cmd = render(ct, "desk.rate_cmd", "code", code, "score", score, NULL);
        json_array_append_new(a, json_string(cmd));
        free(cmd);
    }
    char *out = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return out;
}

/* The volunteer v (of tk's desk) answers tk with text. */
static int volunteer_answer(struct turn *t, const struct desk_ticket *tk,
                            const struct desk_volunteer *v, const char *code, const char *text)
{
    char key[64];
    int64_t mid = 0;
    if (strcmp(tk->status, "closed") == 0)
        return say(t, "desk.closed_already", "code", code, NULL);
    if (tk->volunteer != 0 && tk->volunteer != v->id)
        return say(t, "desk.taken_other", "code", code, NULL);
    if (tk->volunteer == 0 && store_desk_ticket_take(t->st, tk->id, v->id, t->now) == -1)
        return -1;
    if (store_desk_msg_add(t->st, tk->id, 0, "volunteer", text, t->now, &mid) == -1 ||
        store_desk_ticket_answered(t->st, tk->id, t->now) == -1)
        return -1;
    char *msg = render(t->app->ct, "desk.answer_worker", "code", code, "text", text, NULL);
    snprintf(key, sizeof key, "desk:%s:msg:%lld", code, (long long)mid);
    int rc = push(t->app, t->st, tk->person, msg, key, t->now);
    free(msg);
    if (rc == -1)
        return -1;
    return say(t, "desk.answer_sent", "code", code, NULL);
}

/* The worker adds text to their ticket tk. */
static int worker_followup(struct turn *t, const struct desk_ticket *tk, const char *code,
                           const char *text)
{
    char key[64];
    int64_t mid = 0;
    if (strcmp(tk->status, "closed") == 0)
        return say(t, "desk.closed_already", "code", code, NULL);
    if (store_desk_msg_add(t->st, tk->id, 0, "worker", text, t->now, &mid) == -1)
        return -1;
    if (has_crisis(t->app->ct, text) && (say(t, "desk.crisis_help", NULL) == -1 ||
                                         crisis_alert(t->app, t->st, tk, text, mid, t->now) == -1))
        return -1;
    if (tk->volunteer_person != 0) {
        char *msg = render(t->app->ct, "desk.followup_vol", "code", code, "text", text, NULL);
        snprintf(key, sizeof key, "desk:%s:msg:%lld", code, (long long)mid);
        int rc = push(t->app, t->st, tk->volunteer_person, msg, key, t->now);
        free(msg);
        if (rc == -1)
            return -1;
    }
    return say(t, "desk.followup_ok", "code", code, NULL);
}

/* desk.take: 接 T12 */
int handle_desk_take(struct turn *t)
{
    struct desk_ticket tk;
    struct desk_volunteer v;
    struct buf text;
    char code[32], key[64];
    char *label = NULL, *msg = NULL;
    int rc = -1, found = cap_ticket(t, &tk, code, sizeof code);
    buf_init(&text, 0);
    if (found != 1)
        return found;
    found = store_desk_volunteer_of(t->st, t->person, tk.desk, &v);
    if (found == -1)
        goto out;
    if (found == 0) { /* the ticket text is for that desk's volunteers only */
        rc = say(t, "desk.no_ticket", "code", code, NULL);
        goto out;
    }
    if (strcmp(tk.status, "closed") == 0) {
        rc = say(t, "desk.closed_already", "code", code, NULL);
        goto out;
    }
    if (tk.volunteer != 0 && tk.volunteer != v.id) {
        rc = say(t, "desk.taken_other", "code", code, NULL);
        goto out;
    }
    if (tk.volunteer == 0) {
        if (store_desk_ticket_take(t->st, tk.id, v.id, t->now) == -1)
            goto out;
        msg = render(t->app->ct, "desk.taken_worker", "code", code, NULL);
        snprintf(key, sizeof key, "desk:%s:taken", code);
        if (push(t->app, t->st, tk.person, msg, key, t->now) == -1)
            goto out;
    }
    buf_puts(&text, "");
    if (store_desk_ticket_text(t->st, tk.id, &text) == -1)
        goto out;
    label = desk_label(t->app->ct, tk.desk);
    rc = say(t, "desk.taken_vol", "code", code, "desk", label, "text", text.data, NULL);
out:
    free(label);
    free(msg);
    buf_release(&text);
    return rc;
}

/* desk.answer: 答 T12 <text> */
int handle_desk_answer(struct turn *t)
{
    struct desk_ticket tk;
    struct desk_volunteer v;
    char code[32];
    int found = cap_ticket(t, &tk, code, sizeof code);
    if (found != 1)
        return found;
    found = store_desk_volunteer_of(t->st, t->person, tk.desk, &v);
    if (found == -1)
        return -1;
    if (found == 0)
        return say(t, "desk.no_ticket", "code", code, NULL);
    char *text = raw_arg(t->in->text, turn_cap(t, "text"));
    int rc = volunteer_answer(t, &tk, &v, code, text);
    free(text);
    return rc;
}

/* desk.say: T12 <text>, from the worker (a follow-up) or the volunteer (an answer). */
int handle_desk_say(struct turn *t)
{
    struct desk_ticket tk;
    struct desk_volunteer v;
    char code[32];
    int rc, found = cap_ticket(t, &tk, code, sizeof code);
    if (found != 1)
        return found;
    char *text = raw_arg(t->in->text, turn_cap(t, "text"));
    if (tk.person == t->person) {
        rc = worker_followup(t, &tk, code, text);
    } else {
        found = store_desk_volunteer_of(t->st, t->person, tk.desk, &v);
        if (found == -1)
            rc = -1;
        else if (found == 1)
            rc = volunteer_answer(t, &tk, &v, code, text);
        else
            rc = say(t, "desk.no_ticket", "code", code, NULL);
    }
    free(text);
    return rc;
}

/* desk.close: 结 T12, by the worker or by the volunteer who took it. */
int handle_desk_close(struct turn *t)
{
    struct desk_ticket tk;
    struct desk_volunteer v;
    char code[32], key[64];
    char *msg = NULL, *menu = NULL;
    int rc = -1, found = cap_ticket(t, &tk, code, sizeof code);
    if (found != 1)
        return found;
    bool by_worker = tk.person == t->person;
    if (!by_worker) {
        found = store_desk_volunteer_of(t->st, t->person, tk.desk, &v);
        if (found == -1)
            return -1;
        if (found == 0 || tk.volunteer != v.id)
            return say(t, "desk.no_ticket", "code", code, NULL);
    }
    int closed = store_desk_ticket_close(t->st, tk.id, t->now);
    if (closed == -1)
        return -1;
    if (closed == 0)
        return say(t, "desk.closed_already", "code", code, NULL);
    snprintf(key, sizeof key, "desk:%s:closed", code);
    menu = rate_menu(t->app->ct, code);
    if (menu == NULL)
        goto out;
    if (by_worker) {
        if (tk.volunteer_person != 0) {
            msg = render(t->app->ct, "desk.closed_by_worker", "code", code, NULL);
            if (push(t->app, t->st, tk.volunteer_person, msg, key, t->now) == -1)
                goto out;
        }
        /* a bare 1-5 next rates the ticket */
        if (store_state_set(t->st, t->person, "menu", menu, t->now + RATE_MENU_MS) == -1)
            goto out;
        rc = say(t, "desk.closed_rate", "code", code, NULL);
    } else {
        msg = render(t->app->ct, "desk.closed_rate", "code", code, NULL);
        if (push(t->app, t->st, tk.person, msg, key, t->now) == -1 ||
            store_state_set(t->st, tk.person, "menu", menu, t->now + RATE_MENU_MS) == -1)
            goto out;
        rc = say(t, "desk.closed_vol", "code", code, NULL);
    }
out:
    free(msg);
    free(menu);
    return rc;
}

/* desk.rate: 评价 T12 5 (or a bare 5 after the closing message) */
int handle_desk_rate(struct turn *t)
{
    struct desk_ticket tk;
    char code[32];
    long long score = 0;
    int found = cap_ticket(t, &tk, code, sizeof code);
    if (found != 1)
        return found;
    const char *sc = turn_cap(t, "score");
    if (tk.person != t->person || sc == NULL || parse_int(sc, 1, 5, &score) == -1)
        return say(t, "desk.no_ticket", "code", code, NULL);
    int rated = store_desk_ticket_rate(t->st, tk.id, t->person, (int)score, t->now);
    if (rated == -1)
        return -1;
    if (rated == 0)
        return say(t, "desk.rate_not_closed", "code", code, NULL);
    if (turn_state_del(t, "menu") == -1)
        return -1;
    return say(t, "desk.rated", "code", code, "score", sc, NULL);
}

/* Pass text from this side of pair p to the other. */
static int pair_relay(struct turn *t, const struct mentor_pair *p, const char *text)
{
    char code[32], key[64];
    int64_t mid = 0;
    bool from_worker = p->worker == t->person;
    snprintf(code, sizeof code, "P%lld", (long long)p->id);
    if (store_desk_msg_add(t->st, 0, p->id, from_worker ? "worker" : "mentor", text, t->now,
                           &mid) == -1 ||
        store_mentor_touch(t->st, p->id, t->now) == -1)
        return -1;
    char *who = content_render(
        t->app->ct, from_worker ? "desk.pair_from_worker" : "desk.pair_from_mentor", NULL);
    char *msg = render(t->app->ct, "desk.pair_msg", "code", code, "who", who, "text", text, NULL);
    snprintf(key, sizeof key, "desk:%s:msg:%lld", code, (long long)mid);
    int rc = push(t->app, t->st, from_worker ? p->mentor : p->worker, msg, key, t->now);
    free(msg);
    free(who);
    if (rc == -1)
        return -1;
    return say(t, "desk.pair_sent", "code", code, NULL);
}

/* desk.pair: P3 <text> from either side of the pair. */
int handle_desk_pair(struct turn *t)
{
    struct mentor_pair p;
    long long id = 0;
    char code[32];
    const char *n = turn_cap(t, "n");
    int found = 0;
    snprintf(code, sizeof code, "P%s", n ? n : "");
    if (n != NULL && parse_int(n, 1, INT64_MAX, &id) == 0) {
        found = store_mentor_get(t->st, id, &p);
        if (found == -1)
            return -1;
    }
    if (found == 0 || (p.worker != t->person && p.mentor != t->person))
        return say(t, "desk.no_pair", "code", code, NULL);
    char *text = raw_arg(t->in->text, turn_cap(t, "text"));
    int rc = pair_relay(t, &p, text);
    free(text);
    return rc;
}

int desk_followup(struct turn *t)
{
    char *desk = NULL, *text = NULL;
    int rc = 0, found;
    int64_t id = 0;
    struct desk_ticket tk;
    struct mentor_pair p;
    char code[32];
    if (t->in->text == NULL || t->text[0] == '\0')
        return 0;
    text = raw_text(t);
    found = turn_state_get(t, "desk.ask", &desk);
    if (found == -1)
        goto fail;
    if (found == 1 && known_desk(desk)) {
        if (turn_state_del(t, "desk.ask") == -1 || open_ticket(t, desk, text) == -1)
            goto fail;
        rc = 1;
        goto out;
    }
    found = store_desk_ticket_open_of(t->st, t->person, &id);
    if (found == -1 || (found == 1 && store_desk_ticket_get(t->st, id, &tk) != 1))
        goto fail;
    if (found == 1) {
        ticket_code(tk.id, code, sizeof code);
        if (worker_followup(t, &tk, code, text) == -1)
            goto fail;
        rc = 1;
        goto out;
    }
    /* one standing mentoring pair: the message is for the other side */
    found = store_mentor_of(t->st, t->person, &p);
    if (found == -1)
        goto fail;
    if (found == 1) {
        if (pair_relay(t, &p, text) == -1)
            goto fail;
        rc = 1;
    }
    goto out;
fail:
    rc = -1;
out:
    free(desk);
    free(text);
    return rc;
}

int desk_tick(const struct app *app, struct store *st, int64_t now)
{
    const struct conf *c = app->conf;
    int64_t ids[TICK_BATCH];
    struct desk_ticket tk;
    struct buf text;
    int rc = -1, n;
    buf_init(&text, 0);

    /* untaken tickets move on to the next volunteer on duty */
    n = store_desk_due_offers(st, now - c->desk.offer_minutes * 60000, ids, TICK_BATCH);
    if (n == -1)
        goto out;
    for (int i = 0; i < n; i++)
        if (store_desk_ticket_get(st, ids[i], &tk) != 1 || offer_next(app, st, &tk, now) == -1)
            goto out;

    /* nobody took it in time: the desk admins */
    n = store_desk_due_escalations(st, now - c->desk.escalate_minutes * 60000, ids, TICK_BATCH);
    if (n == -1)
        goto out;
    for (int i = 0; i < n; i++) {
        char code[32], keybase[64], minutes[24];
        if (store_desk_ticket_get(st, ids[i], &tk) != 1)
            goto out;
        /* a ticket from outside the desk's hours waits from their start:
         * nobody could take it at night, and admins are not woken for it */
        int64_t start = next_open(desk_hours(c, tk.desk), tk.created_ms);
        if (start + c->desk.escalate_minutes * 60000 > now)
            continue;
        buf_release(&text);
        buf_init(&text, 0);
        buf_puts(&text, "");
        if (store_desk_ticket_text(st, tk.id, &text) == -1)
            goto out;
        ticket_code(tk.id, code, sizeof code);
        snprintf(keybase, sizeof keybase, "desk:%s:escalate", code);
        snprintf(minutes, sizeof minutes, "%lld", c->desk.escalate_minutes);
        char *label = desk_label(app->ct, tk.desk);
        char *msg = render(app->ct, "desk.escalate", "code", code, "desk", label, "minutes",
                           minutes, "text", text.data, NULL);
        int arc = alert_admins(app, st, msg, keybase, now);
        free(msg);
        free(label);
        if (arc == -1 || store_desk_ticket_escalated(st, tk.id, now) == -1)
            goto out;
    }

    if (store_mentor_flag_silent(st, now - c->desk.silent_weeks * 7 * 86400000LL, now) == -1)
        goto out;
    rc = 0;
out:
    buf_release(&text);
    return rc;
}
