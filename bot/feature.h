/*
 * feature.h - one descriptor per feature. A feature's file (usually
 * bot/handle_<feature>.c) defines `const struct feature feature_<name>`
 * with everything the rest of the bot needs to know about it, and
 * handler.c's FEATURES names it once. The turn (turn.c), the tick loop
 * (main.c), the content check (live.c, `yizhan check`), the admin API
 * (admin.c) and the dashboard iterate features[]; nothing else names a
 * feature's intents, claims, tick, content keys or routes (docs/features.md).
 *
 * Order: FEATURES in handler.c is the order of everything iterated here;
 * within a feature, its rows' own order. It matters for claims (the numbered
 * "which one?" lists the claiming contexts in this order), for admin routes
 * (the first route that says "mine" answers) and for ticks (run in turn in
 * one transaction).
 */
#ifndef BOT_FEATURE_H
#define BOT_FEATURE_H
#include <stdbool.h>

#include "admin.h"
#include "content.h"
#include "handler.h"

struct buf;

#define FEATURE_NEEDS_MAX 4
#define FEATURE_ROUTES_MAX 4

struct feature {
    const char *name;
    /* intent -> handler rows (staff: a staff command), ended by {NULL}; NULL: none */
    const struct handler *intents;
    /* what its open contexts wait for from this person, ended by {NULL}; NULL: none */
    const struct claimer *claims;
    tick_fn tick; /* its periodic work, or NULL */
    /* its content keys and their placeholders (CONTENT_NEED arrays), NULL-ended;
     * a claim's label turn.ctx.<claim name> is among them */
    const struct content_need *needs[FEATURE_NEEDS_MAX];
    /* its admin API routes, NULL-ended (who may call them: admin.c acl[]) */
    admin_route_fn routes[FEATURE_ROUTES_MAX];
};

/* Every feature, ended by NULL (handler.c FEATURES). */
extern const struct feature *const features[];

/* The i-th claim across features (features[] order, then the feature's own
 * order), or NULL past the last. */
const struct claimer *claimer_at(int i);

/*
 * The consistency of list (features, or a test's): no intent with two
 * handlers, no claim name twice, a claim's answer intent is its own
 * feature's, a claim's label key turn.ctx.<name> is among its feature's
 * needs. Appends problems; 0 or -1. (That every intent of the rules has a
 * handler is checked where the rules are loaded: live.c.)
 */
int features_check(const struct feature *const *list, struct buf *errors);
/* Run the tick of every feature of list that has one, in order; -1 when one
 * failed (the rest do not run: the transaction is rolled back). */
int features_tick(const struct feature *const *list, const struct app *app, struct store *st,
                  int64_t now);
/* content_check() against every feature's needs. 0 or -1. */
int features_check_content(const struct content *ct, struct buf *errors);
/* Ask each feature's routes in order: 1 one answered, 0 none, -1 error. */
int features_route(const struct app *app, struct store *st, int64_t now,
                   const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp);

#endif
