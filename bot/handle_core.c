/*
 * handle_core.c - the handlers every deployment needs from day one: the
 * numbered help menu, the profile, opt-out/opt-in, `more` for cut replies,
 * a bare location and the not-understood fallback.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "courses.h"
#include "feature.h"
#include "handler.h"
#include "points.h"
#include "report.h"
#include "safety.h"
#include "store.h"
#include "understand.h"
#include "util.h"

static const struct content_need core_needs[] = {
    CONTENT_NEED("help.menu", "items"),
    CONTENT_NEED("menu.main", ""),
    CONTENT_NEED("menu.bad_number", "max"),
    CONTENT_NEED("menu.bad_number_one", ""),
    CONTENT_NEED("profile.summary", "since push points seats waitlist reports"),
    CONTENT_NEED("profile.push_on", ""),
    CONTENT_NEED("profile.push_off", ""),
    CONTENT_NEED("optout.done", ""),
    CONTENT_NEED("optout.already", ""),
    CONTENT_NEED("optin.done", ""),
    CONTENT_NEED("optin.already", ""),
    CONTENT_NEED("more.hint", ""),
    CONTENT_NEED("more.none", ""),
    CONTENT_NEED("location.received", ""),
    CONTENT_NEED("fallback", ""),
    CONTENT_NEED("safety.check_in", ""),
    CONTENT_NEED_END,
};

#define MENU_MAX 20

/*
 * The main menu comes from content key menu.main, one item a line:
 * `label = command` (or just `label` when the command is the label itself).
 */
int handle_help(struct turn *t)
{
    const char *spec = content_get(t->app->ct, "menu.main");
    char *copy = xstrdup(spec ? spec : "");
    const char *cmds[MENU_MAX];
    char *save = NULL;
    int n = 0, rc = -1;
    struct buf items;
    buf_init(&items, 0);
    for (char *line = strtok_r(copy, "\n", &save); line && n < MENU_MAX;
         line = strtok_r(NULL, "\n", &save)) {
        char *eq = strstr(line, " = ");
        const char *label = line, *cmd = line;
        if (eq != NULL) {
            *eq = '\0';
            cmd = eq + 3;
        }
        if (*label == '\0')
            continue;
        cmds[n++] = cmd;
        buf_printf(&items, "%s%d %s", n > 1 ? "\n" : "", n, label);
    }
    if (items.data == NULL)
        buf_puts(&items, "");
    if (say(t, "help.menu", "items", items.data, NULL) == -1)
        goto out;
    rc = turn_set_menu(t, cmds, n);
out:
    buf_release(&items);
    free(copy);
    return rc;
}

static int handle_profile(struct turn *t)
{
    struct person_info pi;
    char since[32], points[32], seats[16], waitlist[16], reports[32];
    int nseats = 0, nwait = 0;
    if (store_person_info(t->st, t->person, &pi) == -1)
        return -1;
    int64_t balance = points_balance(t->st, t->person);
    int64_t open = store_report_open_count(t->st, t->person);
    if (balance < 0 || open < 0 ||
        courses_profile_summary(t->st, t->person, t->now, &nseats, &nwait) == -1)
        return -1;
    snprintf(points, sizeof points, "%lld", (long long)balance);
    snprintf(reports, sizeof reports, "%lld", (long long)open);
    snprintf(seats, sizeof seats, "%d", nseats);
    snprintf(waitlist, sizeof waitlist, "%d", nwait);
    turn_fmt_time(pi.created_ms, "%Y-%m-%d", since, sizeof since);
    char *push =
        content_render(t->app->ct, pi.opted_out ? "profile.push_off" : "profile.push_on", NULL);
    int rc = say(t, "profile.summary", "since", since, "push", push, "points", points, "seats",
                 seats, "waitlist", waitlist, "reports", reports, NULL);
    free(push);
    return rc;
}

static int set_optout(struct turn *t, bool out)
{
    struct person_info pi;
    if (store_person_info(t->st, t->person, &pi) == -1)
        return -1;
    if (pi.opted_out == out)
        return say(t, out ? "optout.already" : "optin.already", NULL);
    if (store_person_set_optout(t->st, t->person, out, t->now) == -1)
        return -1;
    return say(t, out ? "optout.done" : "optin.done", NULL);
}

static int handle_optout(struct turn *t)
{
    return set_optout(t, true);
}

static int handle_optin(struct turn *t)
{
    return set_optout(t, false);
}

/* The rest of a cut reply was kept under state "more" by the engine. */
static int handle_more(struct turn *t)
{
    char *rest = NULL;
    int rc = turn_state_get(t, "more", &rest);
    if (rc == -1)
        return -1;
    if (rc == 0)
        return say(t, "more.none", NULL);
    if (turn_state_del(t, "more") == -1) {
        free(rest);
        return -1;
    }
    rc = say_text(t, rest); /* the engine cuts it again when still too long */
    free(rest);
    return rc;
}

/* A bare location no open context waited for (turn.c asked them first). */
static int handle_location(struct turn *t)
{
    return say(t, "location.received", NULL);
}

/* Not understood, and no open context took it (turn.c asked them first).
 * A text near a crisis (SAFETY_NEAR, found by the turn's first stage:
 * closer to the crisis examples than to any other, short of the net that
 * opens a ticket) gets a check-in
 * with the hotlines and 1 for the counselling desk, not "not understood";
 * it stays on the not-understood list for staff to teach. */
int handle_fallback(struct turn *t)
{
    int took = understand_fallback(t); /* the scorer's guess, or a numbered choice */
    if (took != 0)
        return took == -1 ? -1 : 0;
    if (t->text[0] != '\0' && store_unknown_add(t->st, t->text, t->now) == -1)
        return -1;
    const char *counsel = understand_menu_cmd(t->app->intents, "service.counsel");
    if (t->text[0] != '\0' && counsel != NULL && t->intent != NULL &&
        strcmp(t->intent, "fallback") == 0 && t->safety == SAFETY_NEAR) {
        t->intent = "safety.check_in";
        return say(t, "safety.check_in", NULL) == -1 || turn_set_menu(t, &counsel, 1) == -1 ? -1
                                                                                         : 0;
    }
    return say(t, "fallback", NULL);
}

const struct feature feature_core = {
    .name = "core",
    .intents = (const struct handler[]){
        {"help", handle_help, false},
        {"profile", handle_profile, false},
        {"optout", handle_optout, false},
        {"optin", handle_optin, false},
        {"more", handle_more, false},
        {"location", handle_location, false},
        {"fallback", handle_fallback, false},
        {NULL, NULL, false},
    },
    .needs = {core_needs},
};
