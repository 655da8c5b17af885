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
#include "channel.h"
#include "conf.h"
#include "desk.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "log.h"
#include "msg.h"
#include "norm.h"
#include "outbox.h"
#include "safety.h"
#include "staff.h"
#include "store.h"
#include "util.h"

#define MAX_VOLUNTEERS 64
#define TICK_BATCH 100
#define MAX_WINDOWS 8
#define RATE_MENU_MS (3LL * 86400 * 1000) /* a bare 1-5 rates a closed ticket this long */

static const struct content_need desk_needs[] = {
    CONTENT_NEED("desk.legal", ""),
    CONTENT_NEED("desk.tutoring", ""),
    CONTENT_NEED("desk.counsel", ""),
    CONTENT_NEED("desk.general", ""),
    CONTENT_NEED("desk.handover", "code desk hours"),
    CONTENT_NEED("desk.handover_later", "code desk hours at"),
    CONTENT_NEED("desk.handover_alert", "code desk"),
    CONTENT_NEED("desk.photo", "n"),
    CONTENT_NEED("desk.admin_name", ""),
    CONTENT_NEED("desk.menu", ""),
    CONTENT_NEED("desk.menu_cmds", ""),
    CONTENT_NEED("desk.ask", "desk"),
    CONTENT_NEED("desk.opened", "code desk hours"),
    CONTENT_NEED("desk.opened_later", "code desk hours at"),
    CONTENT_NEED("desk.crisis_help", ""),
    CONTENT_NEED("desk.crisis_opened", "code"),
    CONTENT_NEED("desk.crisis_added", "code"),
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
    CONTENT_NEED("desk.realert_crisis", "code desk minutes text"),
    CONTENT_NEED("desk.pair_msg", "code who text"),
    CONTENT_NEED("desk.pair_from_mentor", ""),
    CONTENT_NEED("desk.pair_from_worker", ""),
    CONTENT_NEED("desk.pair_sent", "code"),
    CONTENT_NEED("desk.no_pair", "code"),
    CONTENT_NEED("turn.ctx.desk_ask", ""),
    CONTENT_NEED("turn.ctx.ticket", ""),
    CONTENT_NEED("turn.ctx.pair", ""),
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
           strcmp(desk, "counsel") == 0 || strcmp(desk, "general") == 0;
}

static const char *desk_hours(const struct conf *c, const char *desk)
{
    if (strcmp(desk, "legal") == 0)
        return c->desk.legal_hours;
    if (strcmp(desk, "tutoring") == 0)
        return c->desk.tutoring_hours;
    if (strcmp(desk, "general") == 0)
        return c->desk.general_hours;
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
    char **chats;
    size_t nchats;
    char *copy = xstrdup(app->conf->desk.admins), *save = NULL;
    int rc = store_staff_chats_of_roles(st, roles, &chats, &nchats) == -1 ? -1 : 0, sent = 0;
    for (size_t i = 0; i < nchats; i++) {
        if (rc == 0)
            rc = alert_one(app, st, chats[i], text, keybase, now);
        sent += rc == 1;
        rc = rc == -1 ? -1 : 0;
    }
    for (char *a = strtok_r(copy, ",", &save); a && rc == 0; a = strtok_r(NULL, ",", &save)) {
        rc = alert_one(app, st, a, text, keybase, now);
        sent += rc == 1;
        rc = rc == -1 ? -1 : 0;
    }
    if (rc == 0 && sent == 0)
        log_warn("desk: no desk admins (staff accounts or desk.admins); alert %s not delivered",
                 keybase);
    store_free_strings(chats, nchats);
    free(copy);
    return rc;
}

static void ticket_code(int64_t id, char *out, size_t size)
{
    snprintf(out, size, "T%lld", (long long)id);
}

/* Push text to every active volunteer of desk, whatever their hours (a
 * crisis does not wait for a shift), with keys like alert_admins': one who is
 * also an admin gets it once. 0 or -1. */
static int alert_desk(const struct app *app, struct store *st, const char *desk, const char *text,
                      const char *keybase, int64_t now)
{
    struct desk_volunteer v[MAX_VOLUNTEERS];
    int n = store_desk_volunteers_for(st, desk, v, MAX_VOLUNTEERS);
    if (n == -1)
        return -1;
    for (int i = 0; i < n; i++) {
        char *key = xasprintf("%s:%lld", keybase, (long long)v[i].person);
        int rc = push(app, st, v[i].person, text, key, now);
        free(key);
        if (rc == -1)
            return -1;
    }
    return 0;
}

/*
 * Alert the counselling desk (its volunteers, any hours) and the desk admins
 * that crisis ticket tk has text: the alert names the ticket, says how to
 * take it (接 Tn) and how to reach the person (答 Tn, through the bot). The
 * alert time is kept (escalated_ms) so the tick alerts again until someone
 * takes it. key tells this alert from the others of the ticket.
 */
static int crisis_alert(const struct app *app, struct store *st, const struct desk_ticket *tk,
                        const char *msg, const char *key, int64_t now)
{
    char code[32], keybase[96];
    ticket_code(tk->id, code, sizeof code);
    snprintf(keybase, sizeof keybase, "desk:%s:crisis:%s", code, key);
    if (store_desk_ticket_set_crisis(st, tk->id) == -1 ||
        store_desk_ticket_escalated(st, tk->id, now) == -1 ||
        alert_desk(app, st, "counsel", msg, keybase, now) == -1)
        return -1;
    return alert_admins(app, st, msg, keybase, now);
}

/* The first alert for message mid of crisis ticket tk. */
static int crisis_alert_msg(const struct app *app, struct store *st, const struct desk_ticket *tk,
                            const char *text, int64_t mid, int64_t now)
{
    char code[32], key[32];
    ticket_code(tk->id, code, sizeof code);
    snprintf(key, sizeof key, "m%lld", (long long)mid);
    char *label = desk_label(app->ct, tk->desk);
    char *msg =
        render(app->ct, "desk.alert_crisis", "code", code, "desk", label, "text", text, NULL);
    int rc = crisis_alert(app, st, tk, msg, key, now);
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

/*
 * Open a ticket at desk with the worker's text, offer it, answer with the
 * opened/opened_later pair of content keys (desk.opened, desk.handover). A
 * crisis ticket says the hotlines first and alerts at once.
 */
static int open_ticket(struct turn *t, const char *desk, const char *text, bool crisis,
                       const char *opened)
{
    const struct app *app = t->app;
    struct desk_ticket tk;
    char code[32], at[32], later[48];
    int64_t id = 0, mid = 0;
    int rc = -1;
    char *label = desk_label(app->ct, desk);
    const char *hours = desk_hours(app->conf, desk);
    if (store_desk_ticket_add(t->st, desk, t->person, crisis, t->now, &id) == -1 ||
        store_desk_msg_add(t->st, id, 0, "worker", text, t->now, &mid) == -1 ||
        store_desk_ticket_get(t->st, id, &tk) != 1 || offer_next(app, t->st, &tk, t->now) == -1)
        goto out;
    ticket_code(id, code, sizeof code);
    /* hotlines first: the one line that must not be missed or cut */
    if (crisis && (say(t, "desk.crisis_help", NULL) == -1 ||
                   crisis_alert_msg(app, t->st, &tk, text, mid, t->now) == -1))
        goto out;
    if (crisis) {
        rc = say(t, "desk.crisis_opened", "code", code, NULL);
    } else if (in_hours(hours, t->now)) {
        rc = say(t, opened, "code", code, "desk", label, "hours", hours, NULL);
    } else {
        snprintf(later, sizeof later, "%s_later", opened);
        turn_fmt_time(next_open(hours, t->now), "%m-%d %H:%M", at, sizeof at);
        rc = say(t, later, "code", code, "desk", label, "hours", hours, "at", at, NULL);
    }
out:
    free(label);
    return rc;
}

/* service.legal, service.tutoring, service.counsel */
static int handle_desk_open(struct turn *t)
{
    const char *desk = strchr(t->intent, '.') + 1;
    const char *q = turn_cap(t, "q");
    int rc;
    if (!known_desk(desk)) /* a rule for a desk this build does not have */
        return handle_fallback(t);
    if (q != NULL && q[0] != '\0') {
        char *text = turn_raw_arg(t, q);
        rc = open_ticket(t, desk, text, false, "desk.opened");
        free(text);
        return rc;
    }
    /* the question follows in the next message (desk_ask_claim) */
    if (turn_state_set(t, "desk.ask", desk) == -1)
        return -1;
    char *label = desk_label(t->app->ct, desk);
    rc = say(t, "desk.ask", "desk", label, NULL);
    free(label);
    return rc;
}

/* desk.menu: the three desks as a numbered menu. */
static int handle_desk_menu(struct turn *t)
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

/* True when this message's sender is one of conf desk.admins. */
static bool is_desk_admin(const struct turn *t)
{
    char *copy = xstrdup(t->app->conf->desk.admins), *save = NULL;
    bool hit = false;
    for (char *a = strtok_r(copy, ", ", &save); a && !hit; a = strtok_r(NULL, ", ", &save)) {
        char *colon = strchr(a, ':');
        hit = colon != NULL && t->in->user != NULL &&
              strncmp(a, t->ch->name, (size_t)(colon - a)) == 0 &&
              t->ch->name[colon - a] == '\0' && strcmp(colon + 1, t->in->user) == 0;
    }
    free(copy);
    return hit;
}

/*
 * Who acts on ticket tk (接, 答, 结): a volunteer of its desk, or a desk
 * admin, who gets the alerts and escalations of every desk and so may take
 * any ticket: an admin without a volunteer row gets one that serves no desk
 * (never offered tickets in rotation). 1 (*v set), 0 neither, -1 error.
 */
static int staff_of(struct turn *t, const struct desk_ticket *tk, struct desk_volunteer *v)
{
    int found = store_desk_volunteer_of(t->st, t->person, tk->desk, v);
    if (found != 0 || !is_desk_admin(t))
        return found;
    found = store_desk_volunteer_of(t->st, t->person, NULL, v);
    if (found != 0)
        return found;
    char *name = content_render(t->app->ct, "desk.admin_name", NULL);
    int rc = store_desk_volunteer_set(t->st, t->person, name, ",", "", t->now, &v->id);
    free(name);
    if (rc == -1)
        return -1;
    v->person = t->person;
    v->hours[0] = '\0';
    return 1;
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
static int handle_desk_take(struct turn *t)
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
    found = staff_of(t, &tk, &v);
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
static int handle_desk_answer(struct turn *t)
{
    struct desk_ticket tk;
    struct desk_volunteer v;
    char code[32];
    int found = cap_ticket(t, &tk, code, sizeof code);
    if (found != 1)
        return found;
    found = staff_of(t, &tk, &v);
    if (found == -1)
        return -1;
    if (found == 0)
        return say(t, "desk.no_ticket", "code", code, NULL);
    char *text = turn_raw_arg(t, turn_cap(t, "text"));
    int rc = volunteer_answer(t, &tk, &v, code, text);
    free(text);
    return rc;
}

/* desk.say: T12 <text>, from the worker (a follow-up) or the volunteer (an answer). */
static int handle_desk_say(struct turn *t)
{
    struct desk_ticket tk;
    struct desk_volunteer v;
    char code[32];
    int rc, found = cap_ticket(t, &tk, code, sizeof code);
    if (found != 1)
        return found;
    char *text = turn_raw_arg(t, turn_cap(t, "text"));
    if (tk.person == t->person) {
        rc = worker_followup(t, &tk, code, text);
    } else {
        found = staff_of(t, &tk, &v);
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
static int handle_desk_close(struct turn *t)
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
        found = staff_of(t, &tk, &v);
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
        /* the worker's menu, from the volunteer's turn: under the worker's
         * lock (store_person_lock_id), which another node's batch of theirs
         * may hold with their state read */
        if (push(t->app, t->st, tk.person, msg, key, t->now) == -1 ||
            store_person_lock_id(t->st, tk.person) == -1 ||
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
static int handle_desk_rate(struct turn *t)
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
static int handle_desk_pair(struct turn *t)
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
    char *text = turn_raw_arg(t, turn_cap(t, "text"));
    int rc = pair_relay(t, &p, text);
    free(text);
    return rc;
}

/*
 * Context claims (feature_desk below). *_claim says whether this person's
 * open desk context would take this message (1, 0, -1); *_take takes it
 * (0, -1); the turn asks when two would. ask: the question after 法律咨询;
 * ticket: their open ticket (texts and photos); pair: a mentoring
 * conversation open for desk.pair_open_hours.
 */

/* After 法律咨询 (no question yet) the next text is the question. */
static int desk_ask_claim(struct turn *t)
{
    char *desk = NULL;
    if (t->text[0] == '\0' || t->in->nmedia > 0)
        return 0;
    int found = turn_state_get(t, "desk.ask", &desk);
    bool ok = found == 1 && known_desk(desk);
    free(desk);
    return found == -1 ? -1 : ok;
}

static int desk_ask_take(struct turn *t)
{
    char *desk = NULL;
    int found = turn_state_get(t, "desk.ask", &desk);
    int rc = -1;
    if (found == 1 && turn_state_del(t, "desk.ask") == 0) {
        char *text = turn_raw_text(t);
        rc = open_ticket(t, desk, text, false, "desk.opened");
        free(text);
    }
    free(desk);
    return rc;
}

/* The person's open ticket (their newest that is not closed). 1, 0, -1. */
static int open_ticket_of(struct turn *t, struct desk_ticket *tk)
{
    int64_t id = 0;
    int found = store_desk_ticket_open_of(t->st, t->person, &id);
    if (found == 1 && store_desk_ticket_get(t->st, id, tk) != 1)
        return -1;
    return found;
}

/* An open ticket takes the worker's texts and photos (a homework photo in a
 * 课业辅导 ticket is for the volunteer, not a 随手拍 report). */
static int desk_ticket_claim(struct turn *t)
{
    struct desk_ticket tk;
    struct desk_context c;
    if (t->text[0] == '\0' && t->in->nmedia == 0)
        return 0;
    /* read with the pair's claim (store_desk_context): one statement */
    if (store_desk_context(t->st, t->person, &c) == -1)
        return -1;
    if (c.ticket == 0)
        return 0;
    return store_desk_ticket_get(t->st, c.ticket, &tk) == 1 ? 1 : -1;
}

/* The text a ticket keeps for a message: what was typed, and a note of its
 * photos (they stay with the platform; the volunteer asks for what they
 * need). New string. */
static char *ticket_text(struct turn *t)
{
    char *text = turn_raw_text(t);
    if (t->in->nmedia == 0)
        return text;
    char n[12];
    snprintf(n, sizeof n, "%d", t->in->nmedia);
    char *note = render(t->app->ct, "desk.photo", "n", n, NULL);
    char *both = xasprintf("%s%s%s", note, text[0] ? " " : "", text);
    free(note);
    free(text);
    return both;
}

static int desk_ticket_take(struct turn *t)
{
    struct desk_ticket tk;
    char code[32];
    if (open_ticket_of(t, &tk) != 1)
        return -1;
    ticket_code(tk.id, code, sizeof code);
    char *text = ticket_text(t);
    int rc = worker_followup(t, &tk, code, text);
    free(text);
    return rc;
}

/* A mentoring pair takes plain texts while its conversation is open: for
 * desk.pair_open_hours after the last message through it. Older, a text
 * must start with P3 (a stray text never reaches the other side unasked). */
static int desk_pair_claim(struct turn *t)
{
    struct desk_context c;
    if (t->text[0] == '\0' || t->in->nmedia > 0)
        return 0;
    if (store_desk_context(t->st, t->person, &c) == -1)
        return -1;
    if (c.pair.id == 0)
        return 0;
    return c.pair.last_ms + t->app->conf->desk.pair_open_hours * 3600000LL > t->now;
}

static int desk_pair_take(struct turn *t)
{
    struct mentor_pair p;
    if (store_mentor_of(t->st, t->person, &p) <= 0)
        return -1;
    char *text = turn_raw_text(t);
    int rc = pair_relay(t, &p, text);
    free(text);
    return rc;
}

bool desk_staff_text(struct turn *t)
{
    struct desk_ticket tk;
    struct mentor_pair p;
    long long id = 0;
    const char *n = turn_cap(t, "n");
    if (t->intent == NULL || n == NULL || parse_int(n, 1, INT64_MAX, &id) == -1)
        return false;
    if (strcmp(t->intent, "desk.answer") == 0)
        return true;
    if (strcmp(t->intent, "desk.say") == 0)
        return store_desk_ticket_get(t->st, id, &tk) == 1 && tk.person != t->person;
    if (strcmp(t->intent, "desk.pair") == 0)
        return store_mentor_get(t->st, id, &p) == 1 && p.mentor == t->person;
    return false;
}

/*
 * Safety (the turn's first stage): the text has crisis words. The hotlines
 * at once; the text goes to the person's open crisis ticket, or opens one at
 * the counselling desk, which is alerted (again at each crisis message, and
 * by the tick until someone takes it).
 */
int desk_crisis(struct turn *t)
{
    struct desk_ticket tk;
    char code[32];
    int64_t id = 0, mid = 0;
    int rc = -1;
    char *text = turn_raw_text(t);
    int found = store_desk_crisis_open_of(t->st, t->person, &id);
    if (found == 0) {
        rc = open_ticket(t, "counsel", text, true, "desk.opened");
        goto out;
    }
    if (found == -1 || store_desk_ticket_get(t->st, id, &tk) != 1)
        goto out;
    ticket_code(tk.id, code, sizeof code);
    if (say(t, "desk.crisis_help", NULL) == -1 ||
        store_desk_msg_add(t->st, tk.id, 0, "worker", text, t->now, &mid) == -1)
        goto out;
    if (tk.volunteer_person != 0) { /* taken: the one who has it hears at once */
        char key[64];
        char *msg = render(t->app->ct, "desk.followup_vol", "code", code, "text", text, NULL);
        snprintf(key, sizeof key, "desk:%s:msg:%lld", code, (long long)mid);
        int prc = push(t->app, t->st, tk.volunteer_person, msg, key, t->now);
        free(msg);
        if (prc == -1)
            goto out;
    } else if (crisis_alert_msg(t->app, t->st, &tk, text, mid, t->now) == -1) {
        goto out;
    }
    rc = say(t, "desk.crisis_added", "code", code, NULL);
out:
    free(text);
    return rc;
}

/* A person asked for a person and nobody of the general desk was offered
 * the ticket (none on duty): the desk admins hear at once. 0 or -1. */
static int handover_alert(struct turn *t)
{
    struct desk_ticket tk;
    char code[32], keybase[64];
    if (open_ticket_of(t, &tk) != 1)
        return -1;
    if (tk.offered_to != 0)
        return 0;
    ticket_code(tk.id, code, sizeof code);
    snprintf(keybase, sizeof keybase, "desk:%s:handover", code);
    char *label = desk_label(t->app->ct, tk.desk);
    char *msg = render(t->app->ct, "desk.handover_alert", "code", code, "desk", label, NULL);
    int rc = alert_admins(t->app, t->st, msg, keybase, t->now);
    free(msg);
    free(label);
    return rc;
}

/* handover: 人工 / 客服 / 找人. A general-desk ticket whose staff answer in
 * this chat; an open ticket of the person takes the text instead. */
static int handle_handover(struct turn *t)
{
    struct desk_ticket tk;
    char code[32];
    int found = open_ticket_of(t, &tk);
    if (found == -1)
        return -1;
    char *text = turn_raw_text(t);
    int rc;
    if (found == 1) {
        ticket_code(tk.id, code, sizeof code);
        rc = worker_followup(t, &tk, code, text);
    } else {
        rc = open_ticket(t, "general", text, false, "desk.handover");
        if (rc == 0)
            rc = handover_alert(t);
    }
    free(text);
    return rc;
}

/* Content key (desk.escalate, desk.realert_crisis) for ticket tk that has
 * waited since it was opened: the minutes really waited, not a configured
 * threshold. New string, or NULL on a store error. */
static char *waited_msg(const struct app *app, struct store *st, const struct desk_ticket *tk,
                        const char *key, int64_t now)
{
    char code[32], minutes[24];
    struct buf text;
    char *msg = NULL;
    buf_init(&text, 0);
    buf_puts(&text, "");
    if (store_desk_ticket_text(st, tk->id, &text) == 0) {
        ticket_code(tk->id, code, sizeof code);
        snprintf(minutes, sizeof minutes, "%lld", (long long)((now - tk->created_ms) / 60000));
        char *label = desk_label(app->ct, tk->desk);
        msg = render(app->ct, key, "code", code, "desk", label, "minutes", minutes, "text",
                     text.data, NULL);
        free(label);
    }
    buf_release(&text);
    return msg;
}

/* Untaken crisis tickets: alerted again every desk.crisis_realert_minutes,
 * with the minutes they have waited, until someone takes them. */
static int realert_crisis(const struct app *app, struct store *st, int64_t now)
{
    int64_t ids[TICK_BATCH];
    struct desk_ticket tk;
    int n = store_desk_due_crisis(st, now - app->conf->desk.crisis_realert_minutes * 60000, ids,
                                  TICK_BATCH);
    for (int i = 0; i < n; i++) {
        char key[32];
        if (store_desk_ticket_get(st, ids[i], &tk) != 1)
            return -1;
        snprintf(key, sizeof key, "re%lld", (long long)now);
        char *msg = waited_msg(app, st, &tk, "desk.realert_crisis", now);
        int arc = msg == NULL ? -1 : crisis_alert(app, st, &tk, msg, key, now);
        free(msg);
        if (arc == -1)
            return -1;
    }
    return n == -1 ? -1 : 0;
}

int desk_tick(const struct app *app, struct store *st, int64_t now)
{
    const struct conf *c = app->conf;
    int64_t ids[TICK_BATCH];
    struct desk_ticket tk;
    int rc = -1, n;

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
        char code[32], keybase[64];
        if (store_desk_ticket_get(st, ids[i], &tk) != 1)
            goto out;
        /* a ticket from outside the desk's hours waits from their start:
         * nobody could take it at night, and admins are not woken for it */
        int64_t start = next_open(desk_hours(c, tk.desk), tk.created_ms);
        if (start + c->desk.escalate_minutes * 60000 > now)
            continue;
        ticket_code(tk.id, code, sizeof code);
        snprintf(keybase, sizeof keybase, "desk:%s:escalate", code);
        char *msg = waited_msg(app, st, &tk, "desk.escalate", now);
        if (msg == NULL)
            goto out;
        int arc = alert_admins(app, st, msg, keybase, now);
        free(msg);
        if (arc == -1 || store_desk_ticket_escalated(st, tk.id, now) == -1)
            goto out;
    }

    if (realert_crisis(app, st, now) == -1 ||
        store_mentor_flag_silent(st, now - c->desk.silent_weeks * 7 * 86400000LL, now) == -1)
        goto out;
    rc = 0;
out:
    return rc;
}

const struct feature feature_desk = {
    .name = "desk",
    .intents = (const struct handler[]){
        {"service.legal", handle_desk_open, false},
        {"service.tutoring", handle_desk_open, false},
        {"service.counsel", handle_desk_open, false},
        {"handover", handle_handover, false},
        {"desk.menu", handle_desk_menu, false},
        {"desk.take", handle_desk_take, true},
        {"desk.answer", handle_desk_answer, true},
        {"desk.say", handle_desk_say, false},
        {"desk.close", handle_desk_close, true},
        {"desk.rate", handle_desk_rate, false},
        {"desk.pair", handle_desk_pair, true},
        {NULL, NULL, false},
    },
    .claims = (const struct claimer[]){
        {"desk_ask", NULL, desk_ask_claim, desk_ask_take},       /* the question after 法律咨询 */
        {"ticket", NULL, desk_ticket_claim, desk_ticket_take}, /* an open desk ticket */
        {"pair", NULL, desk_pair_claim, desk_pair_take},       /* a mentoring conversation */
        {NULL, NULL, NULL, NULL},
    },
    .tick = desk_tick,
    .needs = {desk_needs},
    .routes = {admin_desk_route},
};
