/*
 * test_features.c - the feature registry (feature.h): every intent of the
 * shipped rules has exactly one handler across features, no intent or claim
 * is two features', every feature's content keys exist, the claims keep
 * their order, and a feature with a tick gets ticked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "content.h"
#include "desk.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "people.h"
#include "privacy.h"
#include "report.h"
#include "t.h"

/* How many handlers the shipped features have for intent. */
static int handlers_of(const char *intent)
{
    int n = 0;
    for (size_t f = 0; features[f] != NULL; f++)
        for (const struct handler *h = features[f]->intents; h != NULL && h->intent; h++)
            n += strcmp(h->intent, intent) == 0;
    return n;
}

/* Every intent of the rules (intents/) has exactly one handler; every handler
 * is for an intent of the rules, or one the turn runs itself. */
static void test_features_one_handler_per_intent(void)
{
    struct buf errs;
    buf_init(&errs, 0);
    struct intents *in = t_intents(&errs);
    CHECK(in != NULL);
    CHECK_STR(errs.data ? errs.data : "", "");
    for (size_t i = 0; in != NULL && i < intent_count(in); i++) {
        int n = handlers_of(intent_name(in, i));
        if (n != 1) {
            printf("intent %s: %d handlers\n", intent_name(in, i), n);
            t_failed++;
        }
    }
    for (size_t f = 0; in != NULL && features[f] != NULL; f++)
        for (const struct handler *h = features[f]->intents; h != NULL && h->intent; h++) {
            bool ruled = false;
            for (size_t i = 0; i < intent_count(in) && !ruled; i++)
                ruled = strcmp(intent_name(in, i), h->intent) == 0;
            /* turn.c stage_intent: not understood, a bare location */
            bool turn_own =
                strcmp(h->intent, "fallback") == 0 || strcmp(h->intent, "location") == 0;
            if (!ruled && !turn_own) {
                printf("feature %s: intent %s is in no rule\n", features[f]->name, h->intent);
                t_failed++;
            }
        }
    t_intents_free(in);
    buf_release(&errs);
}

/* The shipped registry passes its own check (live.c runs it at every load). */
static void test_features_check_shipped(void)
{
    struct buf errs;
    buf_init(&errs, 0);
    CHECK_INT(features_check(features, &errs), 0);
    CHECK_STR(errs.data ? errs.data : "", "");
    buf_release(&errs);
}

static int nop(struct turn *t)
{
    (void)t;
    return 0;
}

static const struct content_need a_needs[] = {
    CONTENT_NEED("turn.ctx.wait", ""),
    CONTENT_NEED_END,
};
static const struct feature fa = {
    .name = "a",
    .intents = (const struct handler[]){{"x.one", nop, false}, {NULL, NULL, false}},
    .claims = (const struct claimer[]){{"wait", "x.two", nop, NULL}, {NULL, NULL, NULL, NULL}},
    .needs = {a_needs},
};
static const struct feature fb = {
    .name = "b",
    .intents = (const struct handler[]){{"x.two", nop, false},
                                        {"x.one", nop, true},
                                        {NULL, NULL, false}},
    .claims = (const struct claimer[]){{"wait", NULL, nop, nop}, {NULL, NULL, NULL, NULL}},
};

/* What the check catches: an intent two features handle, a claim name used
 * twice, a claim answering another feature's intent, a claim without its
 * label among its feature's needs. */
static void test_features_check_catches(void)
{
    const struct feature *const bad[] = {&fa, &fb, NULL};
    const struct feature *const alone[] = {&fa, NULL};
    struct buf errs;
    buf_init(&errs, 0);
    CHECK_INT(features_check(bad, &errs), -1);
    CHECK_HAS(errs.data, "features a and b: intent 'x.one' has two handlers");
    CHECK_HAS(errs.data, "feature a: claim 'wait' is another claim's name too");
    CHECK_HAS(errs.data, "feature a: claim 'wait' answers 'x.two', not its own intent");
    CHECK_HAS(errs.data, "feature b: claim 'wait' needs its label turn.ctx.wait among its needs");
    buf_release(&errs);
    buf_init(&errs, 0);
    CHECK_INT(features_check(alone, &errs), -1); /* x.two is nobody's there */
    CHECK_HAS(errs.data, "answers 'x.two', not its own intent");
    buf_release(&errs);
}

/* Every feature's content keys are in content/, and content/ has no key
 * that no feature needs; a key missing is named with the file that needs it. */
static void test_features_content_needs(void)
{
    struct buf errs;
    buf_init(&errs, 0);
    struct content *ct = content_load("content", &errs);
    CHECK(ct != NULL);
    CHECK_INT(features_check_content(ct, &errs), 0);
    CHECK_STR(errs.data ? errs.data : "", "");
    content_free(ct);
    buf_release(&errs);

    buf_init(&errs, 0);
    const char *dir = t_tmpdir();
    t_put(dir, "m.txt", "[fallback]\n没看懂\n"); /* one key of all */
    ct = content_load(dir, &errs);
    CHECK(ct != NULL);
    CHECK_INT(ct ? features_check_content(ct, &errs) : -1, -1);
    CHECK_HAS(errs.data, "handle_station.c:");
    CHECK_HAS(errs.data, "content key 'station.info' is missing");
    CHECK_HAS(errs.data, "content key 'turn.ctx.quiz' is missing");
    content_free(ct);
    buf_release(&errs);
}

/* The claims in the order of the numbered "which one?" question: features[]
 * order, then each feature's own. */
static void test_features_claim_order(void)
{
    const char *const want[] = {"quiz", "seat", "report", "member", "desk_ask", "ticket", "pair"};
    size_t n = sizeof want / sizeof want[0];
    for (size_t i = 0; i < n; i++) {
        const struct claimer *c = claimer_at((int)i);
        CHECK_STR(c ? c->name : NULL, want[i]);
    }
    CHECK(claimer_at((int)n) == NULL);
    CHECK(intent_is_answer("quiz.answer") && intent_is_answer("course.confirm"));
    CHECK(!intent_is_answer("points.balance") && !intent_is_answer(NULL));
}

static int ticked[3];
static int tick_a(const struct app *app, struct store *st, int64_t now)
{
    (void)app, (void)st, (void)now;
    ticked[0]++;
    return 0;
}
static int tick_fail(const struct app *app, struct store *st, int64_t now)
{
    (void)app, (void)st, (void)now;
    ticked[1]++;
    return -1;
}
static int tick_c(const struct app *app, struct store *st, int64_t now)
{
    (void)app, (void)st, (void)now;
    ticked[2]++;
    return 0;
}

/* A feature with a tick gets ticked, in order; one without is passed over;
 * a failing tick stops the round (its transaction is rolled back). */
static void test_features_tick_runs_ticks(void)
{
    const struct feature with_a = {.name = "a", .tick = tick_a};
    const struct feature none = {.name = "none"};
    const struct feature with_c = {.name = "c", .tick = tick_c};
    const struct feature failing = {.name = "f", .tick = tick_fail};
    const struct feature *const list[] = {&with_a, &none, &with_c, NULL};
    const struct feature *const stops[] = {&with_a, &failing, &with_c, NULL};
    memset(ticked, 0, sizeof ticked);
    CHECK_INT(features_tick(list, NULL, NULL, 0), 0);
    CHECK_INT(ticked[0], 1);
    CHECK_INT(ticked[2], 1);
    CHECK_INT(features_tick(stops, NULL, NULL, 0), -1);
    CHECK_INT(ticked[0], 2);
    CHECK_INT(ticked[1], 1);
    CHECK_INT(ticked[2], 1);
}

/* The shipped features' ticks: each of the six once (handler_tick runs
 * these through features_tick). */
static void test_features_shipped_ticks(void)
{
    const tick_fn want[] = {lesson_tick, courses_tick, report_tick,
                            desk_tick,   privacy_tick, schedule_tick};
    size_t nwant = sizeof want / sizeof want[0];
    int seen[sizeof want / sizeof want[0]] = {0}, ticks = 0;
    for (size_t f = 0; features[f] != NULL; f++) {
        if (features[f]->tick == NULL)
            continue;
        ticks++;
        for (size_t i = 0; i < nwant; i++)
            seen[i] += features[f]->tick == want[i];
    }
    CHECK_INT(ticks, (int)nwant);
    for (size_t i = 0; i < nwant; i++)
        CHECK_INT(seen[i], 1);
}

const struct t_case features_tests[] = {
    T(test_features_one_handler_per_intent),
    T(test_features_check_shipped),
    T(test_features_check_catches),
    T(test_features_content_needs),
    T(test_features_claim_order),
    T(test_features_tick_runs_ticks),
    T(test_features_shipped_ticks),
    T_END,
};
