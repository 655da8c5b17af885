/*
 * handler.c - the intent -> handler table and the helpers handlers share.
 * An intent without a row here stops the bot at startup (main.c checks).
 */
#include "handler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel.h"
#include "conf.h"
#include "content.h"
#include "desk.h"
#include "intent.h"
#include "log.h"
#include "member.h"
#include "msg.h"
#include "norm.h"
#include "people.h"
#include "privacy.h"
#include "report.h"
#include "safety.h"
#include "staff.h"
#include "turn.h"
#include "store.h"
#include "throttle.h"
#include "util.h"

/*
 * Every intent of the rules has its row; main() refuses to start when one is
 * missing. Several intents may share a handler that reads t->intent.
 */
static const struct handler handlers[] = {
    {"help", handle_help, false},
    {"profile", handle_profile, false},
    {"optout", handle_optout, false},
    {"optin", handle_optin, false},
    {"more", handle_more, false},
    {"location", handle_location, false},
    {"fallback", handle_fallback, false},
    {"points.balance", handle_points_balance, false},
    {"points.history", handle_points_history, false},
    {"redeem.list", handle_redeem_list, false},
    {"redeem.item", handle_redeem_item, false},
    {"lesson.next", handle_lesson_next, false},
    {"lesson.show", handle_lesson_show, false},
    {"lesson.progress", handle_lesson_progress, false},
    {"lesson.subscribe", handle_lesson_subscribe, false},
    {"lesson.unsubscribe", handle_lesson_unsubscribe, false},
    {"quiz.answer", handle_quiz_answer, false},
    {"course.list", handle_course_list, false},
    {"course.show", handle_course_show, false},
    {"course.book", handle_course_book, false},
    {"course.cancel", handle_course_cancel, false},
    {"course.confirm", handle_course_confirm, false},
    {"course.mine", handle_course_mine, false},
    {"checkin", handle_checkin, false},
    {"report.new", handle_report_new, false},
    {"report.status", handle_report_status, false},
    {"service.legal", handle_desk_open, false},
    {"service.tutoring", handle_desk_open, false},
    {"service.counsel", handle_desk_open, false},
    {"member.checkin", handle_member_checkin, false},
    {"member.org", handle_member_org, false},
    {"account.link", handle_account_link, false},
    {"account.unlink", handle_account_unlink, false},
    {"handover", handle_handover, false},
    {"station", handle_station, false},
    {"privacy", handle_privacy, false},
    {"privacy.mine", handle_privacy_mine, false},
    {"privacy.erase", handle_privacy_erase, false},
    {"privacy.erase.confirm", handle_privacy_erase_confirm, false},
    {"desk.menu", handle_desk_menu, false},
    {"desk.take", handle_desk_take, true},
    {"desk.answer", handle_desk_answer, true},
    {"desk.say", handle_desk_say, false},
    {"desk.close", handle_desk_close, true},
    {"desk.rate", handle_desk_rate, false},
    {"desk.pair", handle_desk_pair, true},
    {"report.followup.yes", handle_report_followup, false},
    {"report.followup.no", handle_report_followup, false},
    {"admin.report.accept", handle_admin_report, true},
    {"admin.report.reject", handle_admin_report, true},
    {"admin.report.progress", handle_admin_report, true},
    {"admin.report.resolve", handle_admin_report, true},
};

const struct content_need *const handler_needs[] = {core_needs, lesson_needs, points_needs, courses_needs, desk_needs, member_needs, report_needs, report_route_needs, throttle_needs, account_needs, safety_needs, turn_needs, understand_needs, privacy_needs, staff_needs, people_needs, NULL};

/* Each feature's periodic work; see handler.h. */
static const tick_fn ticks[] = {
    NULL, /* keeps the table non-empty until a feature adds one */
    lesson_tick,
    courses_tick,
    desk_tick,
    report_tick,
    privacy_tick, /* retention, once a day */
    schedule_tick, /* monthly 报到 reminders, pushes after joining (people.h) */
};

/* What each feature's open context waits for from this person; see handler.h. */
const struct claimer claimers[] = {
    {"quiz", "quiz.answer", quiz_claim, quiz_take},  /* until the next lesson */
    {"seat", "course.confirm", seat_claim, seat_take}, /* until the offer expires */
    {"report", NULL, report_claim, report_take},      /* caption or position of a photo */
    {"member", NULL, member_claim, member_take},      /* the city after 报到 */
    {"desk_ask", NULL, desk_ask_claim, desk_ask_take}, /* the question after 法律咨询 */
    {"ticket", NULL, desk_ticket_claim, desk_ticket_take}, /* an open desk ticket */
    {"pair", NULL, desk_pair_claim, desk_pair_take},  /* a mentoring conversation */
    {NULL, NULL, NULL, NULL},
};

bool intent_is_answer(const char *intent)
{
    for (const struct claimer *c = claimers; intent && c->name; c++)
        if (c->answers != NULL && strcmp(c->answers, intent) == 0)
            return true;
    return false;
}

int handler_tick(const struct app *app, struct store *st, int64_t now)
{
    for (size_t i = 0; i < sizeof ticks / sizeof ticks[0]; i++)
        if (ticks[i] != NULL && ticks[i](app, st, now) == -1)
            return -1;
    return 0;
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
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        if (strcmp(handlers[i].intent, intent) == 0)
            return &handlers[i];
    return NULL;
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
    const char *raw = t->in->text;
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
