/*
 * handle_understand.c - stage 5 of a turn: a text no rule matched and no
 * open exchange took goes to the example scorer (understand.h). Sure and
 * not an action: that intent's handler answers, with the whole text as the
 * question where understand.txt says so (a wage problem reaches the legal
 * desk). Unsure, or an action: a numbered choice of the likeliest commands.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "log.h"
#include "msg.h"
#include "store.h"
#include "understand.h"
#include "util.h"

static const struct content_need understand_needs[] = {
    CONTENT_NEED("ask.choices", "items"),
    CONTENT_NEED_END,
};

/* The numbered choice of m's c1.. commands. 0 or -1. */
static int ask_choice(struct turn *t, const struct intent_match *m)
{
    static const char *const in_[] = {"i1", "i2", "i3"};
    const char *cmds[INTENT_MAX_CAPS];
    char *carry[INTENT_MAX_CAPS] = {NULL};
    struct buf items;
    int n = 0, rc = -1;
    const char *raw = t->in != NULL && t->in->text != NULL ? t->in->text : "";
    buf_init(&items, 0);
    for (int i = 0; i < m->ncaps && n < INTENT_MAX_CAPS; i++)
        if (m->caps[i].name[0] == 'c') {
            /* a desk or a report the choice names gets the text already
             * written (法律咨询 <text>: its rule takes it as the question), so
             * the number opens it without asking the worker to write it again */
            const char *intent = n < 3 ? intent_cap(m, in_[n]) : NULL;
            cmds[n] = m->caps[i].value;
            if (intent != NULL && understand_text_cap(t->app->intents, intent) != NULL &&
                raw[0] != '\0')
                cmds[n] = carry[n] = xasprintf("%s %s", m->caps[i].value, raw);
            n++;
            buf_printf(&items, "%s%d %s", n > 1 ? "\n" : "", n, m->caps[i].value);
        }
    if (say(t, "ask.choices", "items", items.data ? items.data : "", NULL) == 0)
        rc = turn_set_menu(t, cmds, n);
    for (int i = 0; i < n; i++)
        free(carry[i]);
    buf_release(&items);
    return rc;
}

struct taught_rows {
    char **intents, **texts;
    size_t n;
};

static void taught_row(const char *text, const char *intent, void *ctx)
{
    struct taught_rows *r = ctx;
    r->intents = xrealloc(r->intents, (r->n + 1) * sizeof *r->intents);
    r->texts = xrealloc(r->texts, (r->n + 1) * sizeof *r->texts);
    r->intents[r->n] = xstrdup(intent);
    r->texts[r->n++] = xstrdup(text);
}

/* The examples staff taught from the dashboard: read again when the store's
 * counter moved (this process's copy is per intents set; the turn changes
 * nothing here but that cache of committed rows). 0 or -1. */
static int taught_sync(struct turn *t)
{
    int64_t v = store_taught_version(t->st);
    struct taught_rows r = {NULL, NULL, 0};
    if (v <= 0 || v == intent_taught_version(t->app->intents))
        return v == -1 ? -1 : 0;
    int rc = store_taught_list(t->st, taught_row, &r);
    if (rc >= 0)
        intent_taught_set(t->app->intents, v, (const char *const *)r.intents,
                          (const char *const *)r.texts, r.n);
    for (size_t i = 0; i < r.n; i++) {
        free(r.intents[i]);
        free(r.texts[i]);
    }
    free(r.intents);
    free(r.texts);
    return rc < 0 ? -1 : 0;
}

int understand_fallback(struct turn *t)
{
    struct intent_match gm;
    /* only for a text that reached the fallback itself: a handler that hands
     * over to handle_fallback (a desk this build lacks, an admin command from
     * someone else) answers "not understood", and a guess never loops */
    if (t->intent == NULL || strcmp(t->intent, "fallback") != 0 || t->text[0] == '\0')
        return 0;
    if (taught_sync(t) == -1)
        return -1;
    enum understood_via via = VIA_NONE;
    int rc = understand_guess(t->app->intents, t->text, &gm, &via);
    if (rc != 1)
        return rc;
    if (t->safety == SAFETY_NEAR && understand_gives_way(&gm, via)) {
        /* the check-in with the hotlines (handle_fallback), not a numbered
         * choice of courses or points (a blind set's text went from one to
         * the other when new examples made the scorer bold enough to ask),
         * nor the other intent's answer */
        intent_match_release(&gm);
        return 0;
    }
    if (strcmp(gm.intent, "ask") == 0) {
        /* on the not-understood list too, marked asked: staff see what
         * needed a question and can teach it */
        t->intent = "turn.ask";
        rc = store_unknown_asked(t->st, t->text, t->now) == -1 || ask_choice(t, &gm) == -1 ? -1 : 1;
    } else {
        const struct handler *h = handler_find(gm.intent);
        const struct intent_match *was = t->m;
        if (h == NULL) { /* intent_load checked every example's intent has rules */
            log_err("understand: no handler for intent %s", gm.intent);
            rc = -1;
        } else {
            t->m = &gm;
            t->intent = h->intent; /* the table's: it outlives gm (the turn records it) */
            rc = h->fn(t) == -1 ? -1 : 1;
            t->m = was;
        }
    }
    intent_match_release(&gm);
    return rc;
}

/* The scorer's guesses at the fallback: no intent of its own, its texts. */
const struct feature feature_understand = {
    .name = "understand",
    .needs = {understand_needs},
};
