/*
 * turn.c - one inbound message, as stages in this order. Each stage either
 * answers (and the turn ends) or passes the message on:
 *
 *  0. who and what: the person (a linked account answers as its canonical
 *     person), the normalised text; a menu button's key is its text; a bare
 *     number answers the last numbered menu. Platform events with a fixed
 *     meaning (subscribe, unsubscribe, SCAN) end here.
 *  1. understanding: the rules are matched ONCE (stage_understand); the
 *     stages below read that one result. Matching changes nothing.
 *  2. safety: crisis words (safety.h), in every state, on every text: the
 *     hotlines, a crisis ticket, the alert (desk_crisis). Only a helper's
 *     words to a worker (答 T12 ..., desk_staff_text) are not checked: a
 *     counsellor quoting 不想活了 is not in crisis.
 *  3. escapes: help/0, 退订, 订阅 and 人工 mean the same in every state.
 *  4. context: the person's open contexts (each feature's claims,
 *     feature.h) claim the message before any global intent: a context
 *     takes its answer intent (a for an open quiz, 好的 for a seat offer)
 *     and any text no global intent matched (or only another context's
 *     answer intent matched).
 *     Two claims: a numbered question (which one?), and the next bare number
 *     sends the message where the person says.
 *  5. the global intent; a photo without 随手拍 opens a report, a bare
 *     location is acknowledged; else not understood (stage_unsure).
 *
 * engine_turn (engine.c) wraps this with the channel's own hooks (settle,
 * after_turn: channel.h), the replay of a duplicate and the record of the
 * answer.
 */
#include "turn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "content.h"
#include "desk.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "log.h"
#include "msg.h"
#include "norm.h"
#include "privacy.h"
#include "safety.h"
#include "store.h"
#include "text.h"
#include "throttle.h"
#include "understand.h"
#include "util.h"

#define CHOICE_MAX 8

static const struct content_need turn_needs[] = {
    CONTENT_NEED("turn.which", "items"),
    CONTENT_NEED("turn.which_item", "n label"),
    CONTENT_NEED("menu.one", ""),
    CONTENT_NEED_END,
};

/* The turn's own texts: the numbered "which one?" (each claim's label is its
 * feature's), a number beyond a menu, the throttle's and safety's words. */
const struct feature feature_turn = {
    .name = "turn",
    .needs = {turn_needs, throttle_needs, safety_needs},
};

/* Intents that mean the same whatever the person was doing. */
static const char *const escapes[] = {"help", "optout", "optin", "handover", NULL};

static bool all_digits(const char *s)
{
    if (*s == '\0' || strlen(s) > 3)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/*
 * A number answers the last numbered menu (2, 二, 第二个, 就第2个吧:
 * norm_choice): returns the menu's command for it (new string), NULL when
 * there is no menu or the text is no choice (it is matched as text), or sets
 * *out_of_range with the menu size, or *several when it names more than one.
 */
static char *menu_pick(struct turn *t, int *out_of_range, bool *several)
{
    char *menu = NULL, *cmd = NULL;
    json_t *a = NULL;
    int n = norm_choice(t->text);
    if (n == 0 || turn_state_get(t, "menu", &menu) != 1)
        goto out;
    a = json_loads(menu, 0, NULL);
    if (!json_is_array(a))
        goto out;
    if (n == NORM_CHOICE_SEVERAL)
        *several = true;
    else if (n >= 1 && (size_t)n <= json_array_size(a))
        cmd = xstrdup(json_string_value(json_array_get(a, (size_t)n - 1)));
    else
        *out_of_range = (int)json_array_size(a);
out:
    json_decref(a);
    free(menu);
    return cmd;
}

/* "请回复 1 到 N 之间的数字", or its one-choice form. */
static int say_bad_number(struct turn *t, int max)
{
    char n[16];
    snprintf(n, sizeof n, "%d", max);
    return say(t, max == 1 ? "menu.bad_number_one" : "menu.bad_number", "max", n, NULL);
}

/*
 * Cut every reply longer than the channel allows at a sentence, with the
 * content's `more` hint; the rest of all replies is kept under state "more".
 */
static int cut_replies(struct turn *t)
{
    size_t max = t->ch->max_reply ? t->ch->max_reply(t->app->conf) : 0;
    const char *hint = content_get(t->app->ct, "more.hint");
    size_t hint_len = hint ? utf8_len(hint) : 0;
    struct buf rest;
    size_t i;
    json_t *r;
    int rc = 0;
    if (max == 0 || max <= hint_len + 10)
        return 0;
    buf_init(&rest, 0);
    json_array_foreach(t->replies, i, r)
    {
        const char *text = json_string_value(json_object_get(r, "text"));
        if (text == NULL)
            continue;
        if (rest.len > 0) { /* after a cut, later replies wait for 更多 too */
            buf_printf(&rest, "\n%s", text);
            json_array_remove(t->replies, i--);
            continue;
        }
        size_t at = text_cut(text, max - hint_len - 1);
        if (at == strlen(text) && utf8_len(text) <= max)
            continue;
        size_t skip = at;
        while (text[skip] == '\n' || text[skip] == ' ')
            skip++;
        buf_puts(&rest, text + skip);
        size_t keep = at;
        while (keep > 0 && (text[keep - 1] == '\n' || text[keep - 1] == ' '))
            keep--;
        char *head = xasprintf("%.*s\n%s", (int)keep, text, hint ? hint : "");
        json_object_set_new(r, "text", json_string(head));
        free(head);
    }
    if (rest.len > 0)
        rc = turn_state_set(t, "more", rest.data);
    buf_release(&rest);
    return rc;
}

/*
 * Platform events with a fixed meaning: subscribe (a new follower) gets the
 * help menu as its welcome; unsubscribe opts out silently; SCAN and events we
 * do not know are recorded and answered with nothing ("success" on WeChat).
 * NULL: not an event, or one whose text is matched as usual (menu:, callback:).
 */
static const char *event_intent(const char *event)
{
    if (event == NULL || str_has_prefix(event, "menu:") || str_has_prefix(event, "callback:"))
        return NULL;
    if (strcmp(event, "subscribe") == 0)
        return "help";
    if (strcmp(event, "unsubscribe") == 0)
        return "optout";
    return "event";
}

static int run_intent(struct turn *t, const char *intent)
{
    const struct handler *h = handler_find(intent);
    t->intent = intent;
    if (h == NULL) { /* main() checked every rule's intent at startup */
        log_err("turn: no handler for intent %s", intent);
        return -1;
    }
    return handler_run(h, t);
}

/*
 * Stage 1, understanding: what the text means without context. 1 an intent
 * matched (m filled), 0 none, -1 error. The one place the rules are asked.
 */
static int stage_understand(struct turn *t, struct intent_match *m)
{
    /* the rules, then the rules on the matched copy (understand.h); the
     * scorer waits for the fallback, after the open contexts */
    return t->text[0] ? understand_rules(t->app->intents, t->text, m, NULL) : 0;
}

/* The message's global intent as the stages see it: a photo is a report
 * (its caption is its description, even when it reads like 积分), unless
 * its text is itself 随手拍 ... . NULL when none. */
static const char *global_intent(const struct turn *t, int mr, const struct intent_match *m)
{
    if (mr != 1)
        return NULL;
    if (t->in->nmedia > 0 && strcmp(m->intent, "report.new") != 0)
        return NULL;
    return m->intent;
}

/* Which claimers take this message (their indexes: claimer_at); count or -1. */
static int claims(struct turn *t, const char *global, int *who, int max)
{
    bool is_free = global == NULL || intent_is_answer(global);
    int n = 0;
    const struct claimer *c;
    for (int i = 0; (c = claimer_at(i)) != NULL && n < max; i++) {
        bool answer = c->answers != NULL && global != NULL && strcmp(c->answers, global) == 0;
        if (!answer && !(is_free && c->take != NULL))
            continue;
        int r = c->claim(t);
        if (r == -1)
            return -1;
        if (r == 1)
            who[n++] = i;
    }
    return n;
}

/* What a handler said it did (t->intent set to a lasting string: the
 * scorer's routed intent, a claimer's yes or no) becomes the turn's intent,
 * the one recorded with the message. */
static void took_as(struct turn *t, char **intent)
{
    if (t->intent != NULL && t->intent != *intent && strcmp(t->intent, *intent) != 0) {
        free(*intent);
        *intent = xstrdup(t->intent);
    }
    t->intent = *intent;
}

/* Let claimer i take the message: its answer intent, or its take. */
static int claimer_take(struct turn *t, int i, const char *global, char **intent)
{
    const struct claimer *c = claimer_at(i);
    if (c->answers != NULL && global != NULL && strcmp(c->answers, global) == 0) {
        *intent = xstrdup(c->answers);
        return run_intent(t, c->answers);
    }
    *intent = xasprintf("ctx.%s", c->name);
    t->intent = *intent;
    int rc = c->take(t);
    took_as(t, intent);
    return rc;
}

/* The message kept while its owner is asked (state "turn.choice"). */
static char *choice_dump(const struct turn *t, const int *who, int n)
{
    /* norm: the text the stages saw (a menu's command, not the number typed) */
    json_t *o = json_pack("{s:s,s:s,s:b,s:f,s:f,s:[]}", "raw", t->in->text ? t->in->text : "",
                          "norm", t->text, "loc", t->in->has_location, "lat", t->in->lat, "lon",
                          t->in->lon, "opts");
    if (o == NULL)
        return NULL;
    json_t *opts = json_object_get(o, "opts");
    for (int i = 0; i < n; i++)
        json_array_append_new(opts, json_string(claimer_at(who[i])->name));
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* Two contexts claim the message: ask which, with a numbered choice. */
static int ask_which(struct turn *t, const int *who, int n)
{
    struct buf items;
    char *dump = choice_dump(t, who, n);
    int rc = -1;
    buf_init(&items, 0);
    buf_puts(&items, "");
    for (int i = 0; i < n; i++) {
        char key[48], num[12];
        snprintf(key, sizeof key, "turn.ctx.%s", claimer_at(who[i])->name);
        snprintf(num, sizeof num, "%d", i + 1);
        char *label = content_render(t->app->ct, key, NULL);
        const char *kv[] = {"n", num, "label", label, NULL};
        char *line = content_render(t->app->ct, "turn.which_item", kv);
        buf_printf(&items, "%s%s", i ? "\n" : "", line);
        free(line);
        free(label);
    }
    /* the bare number that follows is for this question, not an older menu */
    if (dump != NULL && turn_state_del(t, "menu") == 0 &&
        turn_state_set(t, "turn.choice", dump) == 0)
        rc = say(t, "turn.which", "items", items.data, NULL);
    buf_release(&items);
    free(dump);
    return rc;
}

/* The claimer named name, or -1. */
static int claimer_index(const char *name)
{
    const struct claimer *c;
    for (int i = 0; name != NULL && (c = claimer_at(i)) != NULL; i++)
        if (strcmp(c->name, name) == 0)
            return i;
    return -1;
}

/*
 * The answer to ask_which: the kept message goes to the chosen context, as
 * if it had arrived alone. 1 done, 0 no question open (or not a number),
 * -1 error.
 */
static int stage_choice(struct turn *t, char **intent)
{
    char *kept = NULL, *norm = NULL;
    struct intent_match m = {0};
    int rc = 0;
    if (!all_digits(t->text) || t->in->nmedia > 0)
        return 0;
    int found = turn_state_get(t, "turn.choice", &kept);
    if (found != 1)
        return found;
    json_t *o = json_loads(kept, 0, NULL);
    json_t *opts = json_object_get(o, "opts");
    long n = strtol(t->text, NULL, 10);
    int i = n >= 1 && (size_t)n <= json_array_size(opts)
                ? claimer_index(json_string_value(json_array_get(opts, (size_t)n - 1)))
                : -1;
    if (i < 0 || !json_is_string(json_object_get(o, "raw")) ||
        !json_is_string(json_object_get(o, "norm"))) {
        *intent = xstrdup("turn.ask");
        rc = say_bad_number(t, (int)json_array_size(opts)) == -1 ? -1 : 1;
        goto out;
    }
    struct inmsg in = *t->in;
    in.text = (char *)json_string_value(json_object_get(o, "raw"));
    in.nmedia = 0;
    in.has_location = json_is_true(json_object_get(o, "loc"));
    in.lat = json_real_value(json_object_get(o, "lat"));
    in.lon = json_real_value(json_object_get(o, "lon"));
    struct turn kt = *t;
    norm = xstrdup(json_string_value(json_object_get(o, "norm")));
    kt.in = &in;
    kt.text = norm;
    int mr = stage_understand(&kt, &m);
    kt.m = mr == 1 ? &m : NULL;
    const char *global = global_intent(&kt, mr, &m);
    const struct claimer *c = claimer_at(i);
    bool can = c->take != NULL || (c->answers && global && strcmp(c->answers, global) == 0);
    /* the context may have closed since the question (a ticket closed, an
     * offer expired): then the number is read as it stands */
    int still = mr == -1 ? -1 : can ? c->claim(&kt) : 0;
    rc = -1;
    if (still != -1 && turn_state_del(t, "turn.choice") == 0)
        rc = still == 1 ? (claimer_take(&kt, i, global, intent) == 0 ? 1 : -1) : 0;
out:
    intent_match_release(&m);
    json_decref(o);
    free(kept);
    free(norm);
    return rc;
}

/* Stage 4, context: 1 a context took the message (or the person is asked
 * which), 0 none claimed it, -1 error. */
static int stage_context(struct turn *t, const char *global, char **intent)
{
    int who[CHOICE_MAX];
    int n = claims(t, global, who, CHOICE_MAX);
    if (n <= 0)
        return n;
    if (n == 1)
        return claimer_take(t, who[0], global, intent) == -1 ? -1 : 1;
    *intent = xstrdup("turn.ask");
    return ask_which(t, who, n) == -1 ? -1 : 1;
}

/* Stage 5: the global intent, a photo's report, a bare location, or not
 * understood. */
static int stage_intent(struct turn *t, const char *global, char **intent)
{
    const char *name = global;
    if (name == NULL && t->in->nmedia > 0)
        name = "report.new";
    else if (name == NULL && t->in->has_location && t->text[0] == '\0')
        name = "location";
    else if (name == NULL)
        name = "fallback"; /* the scorer (understand_fallback) may route it */
    *intent = xstrdup(name);
    int rc = run_intent(t, *intent);
    took_as(t, intent);
    return rc;
}

static bool is_escape(const char *intent)
{
    for (int i = 0; intent != NULL && escapes[i]; i++)
        if (strcmp(escapes[i], intent) == 0)
            return true;
    return false;
}

/* Stage 0 for platform events with a fixed meaning. */
static int stage_event(struct turn *t, const char *forced, char **intent)
{
    *intent = xstrdup(forced);
    t->intent = forced;
    const struct handler *h = strcmp(forced, "event") != 0 ? handler_find(forced) : NULL;
    if (h != NULL && handler_run(h, t) == -1)
        return -1;
    if (strcmp(forced, "optout") == 0)
        json_array_clear(t->replies); /* they unfollowed: no answer can reach them */
    return 0;
}

/* Stages 1 to 5 on the normalised text (see the top of this file). */
static int stages(struct turn *t, int range, bool several, char **intent)
{
    struct intent_match m = {0};
    int rc = -1;
    int mr = stage_understand(t, &m);
    if (mr == -1)
        goto out;
    const char *global = global_intent(t, mr, &m);
    t->m = global != NULL ? &m : NULL; /* a photo's caption is no command's capture */
    t->intent = global;
    t->safety = safety_level(t->app->ct, t->app->intents, t->text);
    if (t->safety == SAFETY_CRISIS && !desk_staff_text(t)) {
        *intent = xstrdup("safety.crisis");
        t->intent = *intent;
        rc = desk_crisis(t);
        goto out;
    }
    if (is_escape(global)) {
        *intent = xstrdup(global);
        rc = run_intent(t, global);
        goto out;
    }
    int took = stage_choice(t, intent);
    if (took == 0 && range >= 0) { /* a number beyond the last menu */
        *intent = xstrdup("menu");
        took = say_bad_number(t, range) == -1 ? -1 : 1;
    } else if (took == 0 && several) { /* 1和3: one line at a time */
        *intent = xstrdup("menu");
        took = say(t, "menu.one", NULL) == -1 ? -1 : 1;
    }
    if (took == 0)
        took = stage_context(t, global, intent);
    if (took != 0) {
        rc = took == -1 ? -1 : 0;
        goto out;
    }
    rc = stage_intent(t, global, intent);
out:
    t->m = NULL;
    intent_match_release(&m);
    return rc;
}

int turn_run(struct turn *t, char **intent)
{
    const struct inmsg *in = t->in;
    char *norm = NULL, *picked = NULL;
    int rc = -1, range = -1;
    bool several = false;
    *intent = NULL;
    /* a linked account (绑定) answers as its canonical person on every channel */
    int first = t->seen != NULL ? store_person_arrived(t->st, t->seen, t->ch->name, in->user,
                                                       in->name, t->now, &t->sender, &t->person)
                                : store_person_arrive(t->st, t->ch->name, in->user, in->name,
                                                      t->now, &t->sender, &t->person);
    if (first == -1)
        return -1;
    /* A menu button (WeChat CLICK) carries the command as its key. */
    const char *typed = in->text ? in->text : "";
    if (in->event != NULL && str_has_prefix(in->event, "menu:"))
        typed = in->event + strlen("menu:");
    norm = norm_text(typed);
    t->text = norm;
    const char *forced = event_intent(in->event);
    if (forced != NULL) {
        rc = stage_event(t, forced, intent);
        goto cut;
    }
    picked = menu_pick(t, &range, &several);
    if (picked != NULL) {
        free(norm);
        norm = norm_text(picked);
        t->text = norm;
        t->picked = picked;
    }
    rc = stages(t, range, several, intent);
cut:
    /* PIPL: a new person's first answer starts with what is kept and why */
    if (rc == 0)
        rc = privacy_first_contact(t, first == 1);
    if (rc == 0)
        rc = cut_replies(t);
    t->text = NULL;
    t->picked = NULL;
    t->intent = NULL;
    free(norm);
    free(picked);
    return rc;
}
