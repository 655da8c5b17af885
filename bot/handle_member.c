/*
 * handle_member.c - mobile members in chat: 报到 <城市> (or a location)
 * records where a member is now, 我的组织 shows the home organisation and its
 * contact. Only people an admin recorded as members can check in; nobody
 * becomes a member by saying so.
 */
#include <stdlib.h>
#include <string.h>

#include "feature.h"
#include "handler.h"
#include "member.h"
#include "msg.h"
#include "store.h"
#include "understand.h"
#include "util.h"

static const struct content_need member_needs[] = {
    CONTENT_NEED("member.not_member", ""),
    CONTENT_NEED("member.ask", ""),
    CONTENT_NEED("member.ask_dropped", ""),
    CONTENT_NEED("member.checked", "city time"),
    CONTENT_NEED("member.checked_loc", "time"),
    CONTENT_NEED("member.org", "org contact city"),
    CONTENT_NEED("member.no_contact", ""),
    CONTENT_NEED("member.no_city", ""),
    CONTENT_NEED("member.at_location", ""),
    CONTENT_NEED("turn.ctx.member", ""),
    CONTENT_NEED_END,
};

/* Record city (NULL: the message's location) and answer. */
static int checkin(struct turn *t, const char *city)
{
    char when[32];
    bool loc = t->in->has_location;
    int rc = store_member_checkin(t->st, t->person, city, loc, t->in->lat, t->in->lon, t->now);
    if (rc == -1)
        return -1;
    if (rc == 0)
        return say(t, "member.not_member", NULL);
    turn_fmt_time(t->now, "%Y-%m-%d %H:%M", when, sizeof when);
    if (city == NULL)
        return say(t, "member.checked_loc", "time", when, NULL);
    return say(t, "member.checked", "city", city, "time", when, NULL);
}

static int handle_member_checkin(struct turn *t)
{
    struct member_info m = {0};
    int rc = store_member_get(t->st, t->person, &m);
    member_info_release(&m);
    if (rc == -1)
        return -1;
    if (rc == 0)
        return say(t, "member.not_member", NULL);
    const char *city = turn_cap(t, "city");
    if (city != NULL || t->in->has_location)
        return checkin(t, city);
    /* the city or a location follows (member_claim) */
    if (turn_state_set(t, "member.ask", "1") == -1)
        return -1;
    return say(t, "member.ask", NULL);
}

static int handle_member_org(struct turn *t)
{
    struct member_info m = {0};
    char *contact = NULL, *city = NULL;
    int rc = store_member_get(t->st, t->person, &m);
    if (rc == 1) {
        contact =
            m.contact ? xstrdup(m.contact) : content_render(t->app->ct, "member.no_contact", NULL);
        if (m.city != NULL)
            city = xstrdup(m.city);
        else
            city = content_render(t->app->ct,
                                  m.checkin_ms ? "member.at_location" : "member.no_city", NULL);
        rc = say(t, "member.org", "org", m.org, "contact", contact, "city", city, NULL);
    } else if (rc == 0) {
        rc = say(t, "member.not_member", NULL);
    }
    free(contact);
    free(city);
    member_info_release(&m);
    return rc;
}

/* The answer to 你在哪个城市 is no city but 算了 or 再说 (understand_answer;
 * a question is unsure too, and asks on). */
static bool said_no(const struct turn *t)
{
    int answer = understand_answer(t->app->intents, t->text);
    return answer == -1 ||
           (answer == 2 && !understand_is_question(t->app->intents, t->text));
}

/* Context claim (feature_member's claims): a city or a location after a
 * bare 报到 (state_ttl). 1 it is one, 0 not, -1. The turn offers it only
 * texts no global intent took (积分 stays a command); a question (什么意思,
 * 在哪报到) is no city either: it goes on to be understood, and the city may
 * still follow. */
static int member_claim(struct turn *t)
{
    char *v = NULL;
    int found = turn_state_get(t, "member.ask", &v);
    free(v);
    if (found != 1)
        return found;
    if (t->in->has_location)
        return 1;
    /* a question is no city (it goes on to the intents); a no (算了, 不用了)
     * or an unsure word (再说) is taken and ends the question (member_take) */
    size_t len = utf8_len(t->text);
    return len >= 2 && len <= 20 && strpbrk(t->text, "0123456789") == NULL &&
           !understand_is_question(t->app->intents, t->text) &&
           !understand_no_value(t->app->intents, "city", t->text);
}

/* ... and takes it: the check-in in that city. 0 or -1. */
static int member_take(struct turn *t)
{
    if (turn_state_del(t, "member.ask") == -1)
        return -1;
    if (!t->in->has_location && said_no(t))
        return say(t, "member.ask_dropped", NULL);
    return checkin(t, t->in->has_location && t->text[0] == '\0' ? NULL : t->text);
}

const struct feature feature_member = {
    .name = "member",
    .intents = (const struct handler[]){
        {"member.checkin", handle_member_checkin, false},
        {"member.org", handle_member_org, false},
        {NULL, NULL, false},
    },
    .claims = (const struct claimer[]){
        {"member", NULL, member_claim, member_take}, /* the city after 报到 */
        {NULL, NULL, NULL, NULL},
    },
    .needs = {member_needs},
};
