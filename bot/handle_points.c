/*
 * handle_points.c - points.balance (积分: balance and the last three entries),
 * points.history (积分明细: the last twenty), redeem.list (兑换: items with
 * stock and course seats that cost points) and redeem.item (兑换 3: one item,
 * the stock and the points taken in the turn's transaction).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "courses.h"
#include "feature.h"
#include "handler.h"
#include "log.h"
#include "msg.h"
#include "norm.h"
#include "points.h"
#include "util.h"

#define BALANCE_ENTRIES 2 /* the reply fits one SMS part */
#define HISTORY_ENTRIES 20
#define MENU_MAX 100

static const struct content_need points_needs[] = {
    CONTENT_NEED("points.balance", "points items"),
    CONTENT_NEED("points.entry", "date delta reason"),
    CONTENT_NEED("points.none", ""),
    CONTENT_NEED("points.history", "n points items"),
    CONTENT_NEED("points.reason.lesson", ""),
    CONTENT_NEED("points.reason.report", ""),
    CONTENT_NEED("points.reason.report_accepted", ""),
    CONTENT_NEED("points.reason.checkin", ""),
    CONTENT_NEED("points.reason.course", ""),
    CONTENT_NEED("points.reason.refund", ""),
    CONTENT_NEED("points.reason.redeem", ""),
    CONTENT_NEED("redeem.list", "points items"),
    CONTENT_NEED("redeem.item", "no name cost stock"),
    CONTENT_NEED("redeem.course", "no title cost"),
    CONTENT_NEED("redeem.empty", "points"),
    CONTENT_NEED("redeem.not_found", "no"),
    CONTENT_NEED("redeem.sold_out", "name"),
    CONTENT_NEED("redeem.no_points", "name cost points"),
    CONTENT_NEED("redeem.done", "name cost points code"),
    CONTENT_NEED("redeem.confirm", "no name cost points"),
    CONTENT_NEED_END,
};

/* The text of key with name, value pairs up to NULL; a new string. */
static char *render(const struct turn *t, const char *key, ...)
{
    const char *kv[17];
    int n = 0;
    va_list ap;
    va_start(ap, key);
    for (const char *p; n < 16 && (p = va_arg(ap, const char *)) != NULL;)
        kv[n++] = p;
    va_end(ap);
    kv[n] = NULL;
    return content_render(t->app->ct, key, kv);
}

static const char *num(char *buf, size_t size, int64_t v)
{
    snprintf(buf, size, "%lld", (long long)v);
    return buf;
}

/* One line per ledger entry, newest first, into out. */
static void entry_lines(const struct turn *t, const struct point_entry *v, size_t n,
                        struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        char date[16], delta[24], rkey[96];
        const char *reason = v[i].reason;
        snprintf(rkey, sizeof rkey, "points.reason.%s", reason ? reason : "");
        for (char *p = rkey; *p; p++) /* "report accepted" (older rows) -> report_accepted */
            if (*p == ' ')
                *p = '_';
        const char *shown = content_get(t->app->ct, rkey);
        turn_fmt_when(v[i].ms, t->now, false, date, sizeof date);
        snprintf(delta, sizeof delta, "%+lld", (long long)v[i].delta);
        char *line = render(t, "points.entry", "date", date, "delta", delta, "reason",
                            shown    ? shown
                            : reason ? reason
                                     : "",
                            NULL);
        buf_printf(out, "%s%s", i ? "\n" : "", line);
        free(line);
    }
}

static int show_points(struct turn *t, int n, const char *key)
{
    struct point_entry *entries = NULL;
    size_t n_entries = 0;
    struct buf items;
    char pts[24], cnt[24];
    int rc = -1;
    buf_init(&items, 0);
    int64_t balance = points_balance(t->st, t->person);
    if (balance < 0)
        goto out;
    if (points_recent(t->st, t->person, n, &entries, &n_entries) == -1)
        goto out;
    if (n_entries == 0) {
        rc = say(t, "points.none", NULL);
        goto out;
    }
    entry_lines(t, entries, n_entries, &items);
    rc = say(t, key, "points", num(pts, sizeof pts, balance), "items", items.data, "n",
             num(cnt, sizeof cnt, (int64_t)n_entries), NULL);
out:
    buf_release(&items);
    point_entry_free_all(entries, n_entries);
    return rc;
}

static int handle_points_balance(struct turn *t)
{
    return show_points(t, BALANCE_ENTRIES, "points.balance");
}

static int handle_points_history(struct turn *t)
{
    return show_points(t, HISTORY_ENTRIES, "points.history");
}

static int handle_redeem_list(struct turn *t)
{
    struct item *items = NULL;
    struct course *courses = NULL;
    size_t nitems = 0, ncourses = 0;
    struct buf lines;
    char pts[24];
    const char *cmds[MENU_MAX];
    char cmdbuf[MENU_MAX][24];
    int rc = -1, nmenu = 0;
    buf_init(&lines, 0);
    int64_t balance = points_balance(t->st, t->person);
    if (balance < 0)
        goto out;
    if (items_list(t->st, 0, &items, &nitems) == -1 ||
        courses_paid_open(t->st, t->now, &courses, &ncourses) == -1)
        goto out;
    num(pts, sizeof pts, balance);
    if (nitems + ncourses == 0) {
        rc = say(t, "redeem.empty", "points", pts, NULL);
        goto out;
    }
    /* one list, one numbering: items, then paid course seats; the number of
     * a line is the one way to take it (兑换 <id> or 报名 <course no>) */
    for (size_t i = 0; i < nitems; i++) {
        const struct item *o = &items[i];
        char no[24], cost[24], stock[24];
        if (nmenu >= MENU_MAX)
            break;
        char *line = render(t, "redeem.item", "no", num(no, sizeof no, nmenu + 1), "name", o->name,
                            "cost", num(cost, sizeof cost, o->cost), "stock",
                            num(stock, sizeof stock, o->stock), NULL);
        buf_printf(&lines, "%s%s", lines.len ? "\n" : "", line);
        free(line);
        snprintf(cmdbuf[nmenu], sizeof cmdbuf[nmenu], "兑换 %lld", (long long)o->id);
        cmds[nmenu] = cmdbuf[nmenu];
        nmenu++;
    }
    for (size_t i = 0; i < ncourses; i++) {
        const struct course *o = &courses[i];
        char no[24], cost[24];
        if (nmenu >= MENU_MAX)
            break;
        char *line = render(t, "redeem.course", "no", num(no, sizeof no, nmenu + 1), "title",
                            o->title, "cost", num(cost, sizeof cost, o->cost), NULL);
        buf_printf(&lines, "%s%s", lines.len ? "\n" : "", line);
        free(line);
        snprintf(cmdbuf[nmenu], sizeof cmdbuf[nmenu], "报名 %lld", (long long)o->no);
        cmds[nmenu] = cmdbuf[nmenu];
        nmenu++;
    }
    if (say(t, "redeem.list", "points", pts, "items", lines.data, NULL) == -1)
        goto out;
    rc = nmenu > 0 ? turn_set_menu(t, cmds, nmenu) : 0;
out:
    buf_release(&lines);
    item_free_all(items, nitems);
    course_free_all(courses, ncourses);
    return rc;
}

/*
 * True when spending must wait for a yes: the text was a bare number (a
 * choice from the 兑换 list, where seats and items once shared numbers) or
 * the rule asks for it (capture `ask`: a command found inside a sentence).
 * A rule's `ok` capture (兑换 N 确认) is the yes.
 */
static bool redeem_needs_yes(const struct turn *t)
{
    if (turn_cap(t, "ok") != NULL)
        return false;
    if (turn_cap(t, "ask") != NULL)
        return true;
    /* 3, 三, 第三个, 要第3个吧: a choice from the list, never spent unasked */
    char *typed = norm_text(t->in->text ? t->in->text : "");
    bool bare = norm_choice(typed) != 0;
    free(typed);
    return bare;
}

/* Ask before spending: "1" then means 兑换 N 确认. */
static int redeem_confirm(struct turn *t, long long n, const char *name, const char *cost,
                          int64_t balance)
{
    char no[24], pts[24], cmd[48];
    const char *cmds[1] = {cmd};
    snprintf(cmd, sizeof cmd, "兑换 %lld 确认", n);
    if (say(t, "redeem.confirm", "no", num(no, sizeof no, n), "name", name, "cost", cost,
            "points", num(pts, sizeof pts, balance), NULL) == -1)
        return -1;
    return turn_set_menu(t, cmds, 1);
}

static int handle_redeem_item(struct turn *t)
{
    struct item item = {0};
    long long n;
    int found, rc = -1;
    char no[24], cost_s[24], pts[24], code[32], ref[48];
    const char *cap = turn_cap(t, "n");
    if (cap == NULL || parse_int(cap, 1, 999, &n) == -1)
        return handle_redeem_list(t);
    found = items_get(t->st, n, &item);
    if (found == -1)
        goto out;
    if (found == 0 || item.active == 0) {
        rc = say(t, "redeem.not_found", "no", num(no, sizeof no, n), NULL);
        goto out;
    }
    const char *name = item.name;
    int64_t cost = item.cost;
    int64_t balance = points_balance(t->st, t->person);
    if (balance < 0)
        goto out;
    num(cost_s, sizeof cost_s, cost);
    if (balance < cost) {
        rc = say(t, "redeem.no_points", "name", name, "cost", cost_s, "points",
                 num(pts, sizeof pts, balance), NULL);
        goto out;
    }
    if (redeem_needs_yes(t)) {
        rc = redeem_confirm(t, n, name, cost_s, balance);
        goto out;
    }
    /* The writer thread runs turns one at a time, and items_take checks and
     * takes in one statement: two people cannot get the last one. */
    int taken = items_take(t->st, n);
    if (taken == -1)
        goto out;
    if (taken == 0) {
        rc = say(t, "redeem.sold_out", "name", name, NULL);
        goto out;
    }
    int64_t rid;
    if (redemptions_add(t->st, n, t->person, cost, t->now, &rid) == -1)
        goto out;
    snprintf(ref, sizeof ref, "redeem:%lld", (long long)rid);
    int spent = points_spend(t->st, t->person, cost, "redeem", ref, t->now);
    if (spent != 0) {
        /* the balance was checked in this transaction; anything else is ours */
        if (spent != -1)
            log_err("points: spend for %s returned %d", ref, spent);
        goto out;
    }
    snprintf(code, sizeof code, "DH%04lld", (long long)rid);
    rc = say(t, "redeem.done", "name", name, "cost", cost_s, "points",
             num(pts, sizeof pts, balance - cost), "code", code, NULL);
out:
    item_clear(&item);
    return rc;
}

/* Its admin routes (points, items, redemptions) are the courses feature's. */
const struct feature feature_points = {
    .name = "points",
    .intents = (const struct handler[]){
        {"points.balance", handle_points_balance, false},
        {"points.history", handle_points_history, false},
        {"redeem.list", handle_redeem_list, false},
        {"redeem.item", handle_redeem_item, false},
        {NULL, NULL, false},
    },
    .needs = {points_needs},
};
