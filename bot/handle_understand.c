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
#include "handler.h"
#include "intent.h"
#include "log.h"
#include "understand.h"

const struct content_need understand_needs[] = {
    CONTENT_NEED("ask.choices", "items"),
    CONTENT_NEED_END,
};

/* The numbered choice of m's c1.. commands. 0 or -1. */
static int ask_choice(struct turn *t, const struct intent_match *m)
{
    const char *cmds[INTENT_MAX_CAPS];
    struct buf items;
    int n = 0, rc = -1;
    buf_init(&items, 0);
    for (int i = 0; i < m->ncaps; i++)
        if (m->caps[i].name[0] == 'c') {
            cmds[n++] = m->caps[i].value;
            buf_printf(&items, "%s%d %s", n > 1 ? "\n" : "", n, m->caps[i].value);
        }
    if (say(t, "ask.choices", "items", items.data ? items.data : "", NULL) == 0)
        rc = turn_set_menu(t, cmds, n);
    buf_release(&items);
    return rc;
}

int understand_fallback(struct turn *t)
{
    struct intent_match gm;
    /* only for a text that reached the fallback itself: a handler that hands
     * over to handle_fallback (a desk this build lacks, an admin command from
     * someone else) answers "not understood", and a guess never loops */
    if (t->intent == NULL || strcmp(t->intent, "fallback") != 0 || t->text[0] == '\0')
        return 0;
    int rc = understand_guess(t->app->intents, t->text, &gm, NULL);
    if (rc != 1)
        return rc;
    if (strcmp(gm.intent, "ask") == 0)
        rc = ask_choice(t, &gm) == -1 ? -1 : 1;
    else {
        const struct handler *h = handler_find(gm.intent);
        const struct intent_match *was = t->m;
        if (h == NULL) { /* intent_load checked every example's intent has rules */
            log_err("understand: no handler for intent %s", gm.intent);
            rc = -1;
        } else {
            t->m = &gm;
            t->intent = gm.intent;
            rc = h->fn(t) == -1 ? -1 : 1;
            t->m = was;
        }
    }
    intent_match_release(&gm);
    return rc;
}
