/*
 * ctxeval.c - the context evaluation: where does a text go when it arrives
 * in a given state? Reads a TSV of `state<TAB>expected<TAB>text` rows (the
 * held-out set is kept outside the repository: make eval-context
 * CONTEXT_TSV=path), puts a fresh person into the state through real turns
 * (an in-memory store, the shipped intents/ and content/), sends the text
 * and compares what took it with the expected label. Prints accuracy per
 * state and per label, and every miss. A measurement, not a test: it exits 0
 * unless it cannot run.
 *
 * States: none, menu (帮助 shown), quiz_open (学习 shown), seat_offer (a
 * freed seat offered), redeem_list (兑换 shown, five items), course_list (培训 shown),
 * desk_open (a legal ticket open), report_caption (a photo without a
 * caption), report_location (a text-only 随手拍 waiting for its place).
 * Labels: an intent name, or crisis, ask (a question back: the which-one
 * choice or a number out of range), none (no action: not understood or a
 * question), desk.reply, report.caption, report.location, seat.accept.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "courses.h"
#include "engine.h"
#include "handler.h"
#include "intent.h"
#include "lesson.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define USER "eval-worker"

static int seq;

/* One message (text, or a photo when photo) from USER; the intent that took
 * it (new string) or NULL when the turn failed. */
static char *send(const struct app *app, struct store *st, const char *text, bool photo)
{
    struct turn_result res = {0};
    char ext[32];
    char *intent = NULL;
    snprintf(ext, sizeof ext, "e-%d", ++seq);
    struct inmsg in = {.channel = "generic", .ext_id = ext, .user = USER, .text = (char *)text};
    if (photo) {
        in.nmedia = 1;
        in.media[0].url = "http://img.example/eval.jpg";
    }
    if (store_begin(st) == -1)
        return NULL;
    if (engine_turn(app, st, &chan_generic, &in, now_ms(), &res) == 0 && store_commit(st) == 0)
        intent = xstrdup(res.intent ? res.intent : "");
    else
        store_rollback(st);
    turn_result_release(&res);
    return intent;
}

/* Four upcoming courses and, when offer, a freed seat of the first offered
 * to USER. */
static int courses(const struct app *app, struct store *st, bool offer)
{
    int64_t person = 0, course = 0, no = 0, b = 0, now = now_ms();
    free(send(app, st, "积分", false)); /* the person exists */
    if (store_person_find(st, "generic", USER, &person) != 1 || store_begin(st) == -1)
        return -1;
    for (int i = 0; i < 4; i++) {
        int64_t start = now + (3 + i) * 86400000LL, id = 0;
        struct course c = {.title = "电动车维修",
                           .provider = "职院",
                           .place = "驿站",
                           .start_ms = start,
                           .end_ms = start + 7200000,
                           .capacity = 1,
                           .deadline_ms = start};
        int rc = courses_add(st, &c, now, &id, &no);
        if (rc == -1)
            goto fail;
        if (i == 0)
            course = id;
    }
    if (!offer)
        return store_commit(st);
    if (bookings_add(st, course, person, "offered", 0, now, &b) == -1 ||
        bookings_set(st, b, "offered", NULL, now + 3600000, now) == -1)
        goto fail;
    return store_commit(st);
fail:
    store_rollback(st);
    return -1;
}

/* Five items to redeem (the 兑换 list a worker answers with a number). */
static int redeem_items(struct store *st)
{
    static const char *const names[] = {"毛巾", "手机支架", "充电宝", "保温杯", "雨衣"};
    int64_t id;
    if (store_begin(st) == -1)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (items_add(st, names[i], "", 50, 10, now_ms(), &id) == -1) {
            store_rollback(st);
            return -1;
        }
    return store_commit(st);
}

/* Put USER into state. 0, or -1 (unknown state or a failed turn). */
static int enter(const struct app *app, struct store *st, const char *state)
{
    static const struct {
        const char *state, *text;
        bool photo;
    } steps[] = {
        {"menu", "帮助", false},
        {"quiz_open", "学习", false},
        {"redeem_list", "兑换", false},
        {"course_list", "培训", false},
        {"desk_open", "法律咨询 老板拖欠工资两个月", false},
        {"report_caption", NULL, true},
        {"report_location", "随手拍 井盖坏了", false},
    };
    if (strcmp(state, "none") == 0)
        return 0;
    if (strcmp(state, "seat_offer") == 0)
        return courses(app, st, true);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (strcmp(steps[i].state, state) != 0)
            continue;
        if (strcmp(state, "course_list") == 0 && courses(app, st, false) == -1)
            return -1; /* courses to list */
        if (strcmp(state, "redeem_list") == 0 && redeem_items(st) == -1)
            return -1;
        char *got = send(app, st, steps[i].text, steps[i].photo);
        free(got);
        return got ? 0 : -1;
    }
    return -1;
}

/* Whether intent got is what label expects. */
static bool agrees(const char *label, const char *got)
{
    static const char *const map[][2] = {
        {"crisis", "safety.crisis"},          {"desk.reply", "ctx.ticket"},
        {"report.caption", "ctx.report"},     {"report.location", "ctx.report"},
        {"seat.accept", "course.confirm"},    {"ask", "turn.ask"},
        {"ask", "menu"},                      {"none", "fallback"},
        {"none", "turn.ask"},                 {"none", "menu"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], label) == 0 && strcmp(map[i][1], got) == 0)
            return true;
    return strcmp(label, got) == 0;
}

struct tally {
    char name[48];
    int n, ok;
};

static void count(struct tally *t, int *nt, int max, const char *name, bool ok)
{
    int i = 0;
    while (i < *nt && strcmp(t[i].name, name) != 0)
        i++;
    if (i == *nt && *nt < max) {
        memset(&t[i], 0, sizeof t[i]);
        snprintf(t[(*nt)++].name, sizeof t[0].name, "%s", name);
    }
    if (i < max) {
        t[i].n++;
        t[i].ok += ok;
    }
}

static void print_tally(const char *title, const struct tally *t, int n)
{
    printf("%s:\n", title);
    for (int i = 0; i < n; i++)
        printf("  %-18s %3d/%-3d %5.1f%%\n", t[i].name, t[i].ok, t[i].n, 100.0 * t[i].ok / t[i].n);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/work/eval-blind/context.tsv";
    struct conf c;
    struct app app = {0};
    struct buf errs;
    struct tally states[32], labels[64];
    int nstates = 0, nlabels = 0, total = 0, right = 0;
    char line[2048];
    buf_init(&errs, 0);
    log_set_level(LOG_WARN); /* not a migration line per row */
    char *sets[] = {"desk.legal_hours=00:00-24:00", "desk.admins=generic:eval-admin"};
    if (conf_load(&c, NULL, sets, 2, &errs) == -1)
        goto bad;
    app.conf = &c;
    app.intents = intent_load("intents", &errs);
    app.ct = content_load("content", &errs);
    app.lessons = lesson_load("content/lessons", &errs);
    FILE *f = fopen(path, "r");
    if (app.intents == NULL || app.ct == NULL || app.lessons == NULL || f == NULL) {
        if (f == NULL)
            buf_printf(&errs, "%s: cannot open\n", path);
        goto bad;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        char *save = NULL, *state = strtok_r(line, "\t", &save);
        char *label = strtok_r(NULL, "\t", &save), *text = strtok_r(NULL, "", &save);
        if (state == NULL || label == NULL || text == NULL || state[0] == '#')
            continue;
        struct store *st = store_open(":memory:", false);
        char *got = st != NULL && enter(&app, st, state) == 0 ? send(&app, st, text, false) : NULL;
        bool ok = got != NULL && agrees(label, got);
        if (!ok)
            printf("miss  %-15s want %-16s got %-16s %s\n", state, label, got ? got : "(error)",
                   text);
        total++;
        right += ok;
        count(states, &nstates, 32, state, ok);
        count(labels, &nlabels, 64, label, ok);
        free(got);
        store_close(st);
    }
    fclose(f);
    print_tally("by state", states, nstates);
    print_tally("by expected", labels, nlabels);
    printf("context accuracy: %d/%d = %.1f%%\n", right, total, total ? 100.0 * right / total : 0);
    lesson_set_free(app.lessons);
    content_free(app.ct);
    intent_free(app.intents);
    conf_release(&c);
    buf_release(&errs);
    return 0;
bad:
    fprintf(stderr, "ctxeval: %s", errs.data ? errs.data : "cannot start\n");
    buf_release(&errs);
    return 2;
}
