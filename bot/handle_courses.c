/*
 * handle_courses.c - training courses: 培训 (list), 培训 2 (one), 报名 2 (a
 * seat, or a waitlist place), 取消 2, 确认 (take a freed seat), 我的报名;
 * 签到 K7Q2 at an activity; and the tick that expires unconfirmed offers,
 * offers freed seats to the waitlist and pushes reminders the day before and
 * two hours before a course. Every state change and its pushes commit in one
 * transaction; turns run one at a time on the writer thread, so a count and
 * the insert that follows it cannot be split by another booking.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "conf.h"
#include "courses.h"
#include "crypto.h"
#include "feature.h"
#include "handler.h"
#include "norm.h"
#include "understand.h"
#include "log.h"
#include "outbox.h"
#include "points.h"
#include "util.h"

#define MENU_MAX 100
#define HOUR_MS 3600000LL
#define CODE_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

static const struct content_need courses_needs[] = {
    CONTENT_NEED("course.list", "items"),
    CONTENT_NEED("course.list.item", "no date title place seats"),
    CONTENT_NEED("course.seats_left", "n"),
    CONTENT_NEED("course.seats_full", ""),
    CONTENT_NEED("course.list.empty", ""),
    CONTENT_NEED("course.show",
                 "no title provider start end place cost seats deadline description"),
    CONTENT_NEED("course.cost_free", ""),
    CONTENT_NEED("course.cost_points", "points"),
    CONTENT_NEED("course.not_found", "no"),
    CONTENT_NEED("course.closed", "title"),
    CONTENT_NEED("course.booked", "title start place paid no"),
    CONTENT_NEED("course.paid", "points"),
    CONTENT_NEED("course.waitlisted", "title pos no"),
    CONTENT_NEED("course.already_seat", "title start no"),
    CONTENT_NEED("course.already_waiting", "title pos"),
    CONTENT_NEED("course.already_offered", "title until"),
    CONTENT_NEED("course.no_points", "title cost points"),
    CONTENT_NEED("course.cancelled_seat", "title refund"),
    CONTENT_NEED("course.refund", "points"),
    CONTENT_NEED("course.cancelled_wait", "title"),
    CONTENT_NEED("course.cancel_none", "no"),
    CONTENT_NEED("course.cancel_which", "items"),
    CONTENT_NEED("course.cancel_started", "title"),
    CONTENT_NEED("course.declined", "title"),
    CONTENT_NEED("course.offer_ask", ""),
    CONTENT_NEED("course.offer", "title start place until"),
    CONTENT_NEED("course.offer_expired", "title"),
    CONTENT_NEED("course.confirmed", "title start place paid no"),
    CONTENT_NEED("course.confirm_none", ""),
    CONTENT_NEED("course.confirm_no_points", "title cost points"),
    CONTENT_NEED("course.mine", "items"),
    CONTENT_NEED("course.mine.seat", "no title start"),
    CONTENT_NEED("course.mine.waiting", "no title start pos"),
    CONTENT_NEED("course.mine.offered", "no title start until"),
    CONTENT_NEED("course.mine.empty", ""),
    CONTENT_NEED("course.remind_day", "title start place no"),
    CONTENT_NEED("course.remind_2h", "title start place no"),
    CONTENT_NEED("course.course_cancelled", "title start refund"),
    CONTENT_NEED("checkin.done", "title points"),
    CONTENT_NEED("checkin.points", "points balance"),
    CONTENT_NEED("checkin.unknown", "code"),
    CONTENT_NEED("checkin.need_code", ""),
    CONTENT_NEED("checkin.early", "title start"),
    CONTENT_NEED("checkin.expired", "code end"),
    CONTENT_NEED("checkin.already", "title"),
    CONTENT_NEED("turn.ctx.seat", ""),
    CONTENT_NEED_END,
};

/* 确认 is asked again from the seat claim, above its definition */
static int handle_course_confirm(struct turn *t);
/* 取消 without a number asks which, below handle_course_mine */
static int cancel_which(struct turn *t);

/* The text of key with name, value pairs up to NULL; a new string. */
static char *render(const struct app *app, const char *key, ...)
{
    const char *kv[25];
    int n = 0;
    va_list ap;
    va_start(ap, key);
    for (const char *p; n < 24 && (p = va_arg(ap, const char *)) != NULL;)
        kv[n++] = p;
    va_end(ap);
    kv[n] = NULL;
    return content_render(app->ct, key, kv);
}

/* Small fixed-size string conversions for placeholders. */
struct numstr {
    char s[24];
};
static struct numstr num(int64_t v)
{
    struct numstr n;
    snprintf(n.s, sizeof n.s, "%lld", (long long)v);
    return n;
}
struct timestr {
    char s[32];
};
static struct timestr when(int64_t ms)
{
    struct timestr t;
    turn_fmt_when(ms, now_ms(), true, t.s, sizeof t.s); /* now_ms: the stubbed clock in tests */
    return t;
}

/* A text for a placeholder: "" for NULL. */
static const char *str(const char *s)
{
    return s ? s : "";
}

/* The course the turn's "n" names into *c: 1, 0 none (the reply is said),
 * -1 (store error). */
static int course_of_turn(struct turn *t, struct course *c)
{
    long long n;
    const char *cap = turn_cap(t, "n");
    memset(c, 0, sizeof *c);
    if (cap == NULL || parse_int(cap, 1, 999, &n) == -1)
        return say(t, "course.not_found", "no", cap ? cap : "", NULL) == -1 ? -1 : 0;
    int found = courses_by_no(t->st, n, t->now, c);
    if (found == 0 && say(t, "course.not_found", "no", num(n).s, NULL) == -1)
        return -1;
    return found;
}

/* "剩3座" or "已满可候补" as a new string. */
static char *seats_text(const struct app *app, const struct course *c)
{
    int64_t left = c->capacity - c->taken;
    if (left > 0 && c->waiting == 0)
        return render(app, "course.seats_left", "n", num(left).s, NULL);
    return render(app, "course.seats_full", NULL);
}

static int handle_course_list(struct turn *t)
{
    struct course *list;
    size_t n;
    struct buf items;
    const char *cmds[MENU_MAX];
    char cmdbuf[MENU_MAX][24];
    int rc = -1, nmenu = 0;
    if (courses_upcoming(t->st, t->now, (int)t->app->conf->courses.list_max, &list, &n) == -1)
        return -1;
    buf_init(&items, 0);
    if (n == 0) {
        rc = say(t, "course.list.empty", NULL);
        goto out;
    }
    int64_t maxno = 0;
    for (size_t i = 0; i < n; i++) {
        const struct course *c = &list[i];
        char *seats = seats_text(t->app, c);
        char *line =
            render(t->app, "course.list.item", "no", num(c->no).s, "date", when(c->start_ms).s,
                   "title", str(c->title), "place", str(c->place), "seats", seats, NULL);
        buf_printf(&items, "%s%s", i ? "\n" : "", line);
        free(line);
        free(seats);
        if (c->no > maxno)
            maxno = c->no;
    }
    if (say(t, "course.list", "items", items.data, NULL) == -1)
        goto out;
    /* a number N books course N, exactly as 报名 N does (培训 N shows it) */
    for (; nmenu < maxno && nmenu < MENU_MAX; nmenu++) {
        snprintf(cmdbuf[nmenu], sizeof cmdbuf[nmenu], "报名 %d", nmenu + 1);
        cmds[nmenu] = cmdbuf[nmenu];
    }
    rc = turn_set_menu(t, cmds, nmenu);
out:
    buf_release(&items);
    course_free_all(list, n);
    return rc;
}

static int handle_course_show(struct turn *t)
{
    struct course c;
    int found = course_of_turn(t, &c);
    if (found != 1)
        return found;
    char *cost = c.cost > 0 ? render(t->app, "course.cost_points", "points", num(c.cost).s, NULL)
                            : render(t->app, "course.cost_free", NULL);
    char *seats = seats_text(t->app, &c);
    char day1[16], day2[16], end[32];
    turn_fmt_time(c.start_ms, "%Y%m%d", day1, sizeof day1);
    turn_fmt_time(c.end_ms, "%Y%m%d", day2, sizeof day2);
    if (strcmp(day1, day2) == 0) /* the same day: the end time alone */
        turn_fmt_time(c.end_ms, "%H:%M", end, sizeof end);
    else
        snprintf(end, sizeof end, "%s", when(c.end_ms).s);
    int rc =
        say(t, "course.show", "no", num(c.no).s, "title", str(c.title), "provider", str(c.provider),
            "start", when(c.start_ms).s, "end", end, "place", str(c.place), "cost", cost, "seats",
            seats, "deadline", when(c.deadline_ms).s, "description", str(c.description), NULL);
    free(cost);
    free(seats);
    course_clear(&c);
    return rc;
}

/* Take cost points for a booking's seat. 0 paid (or free), 2 not enough, -1. */
static int pay_seat(struct store *st, const struct course *c, int64_t booking, int64_t person,
                    int64_t now, char *ref, size_t size)
{
    ref[0] = '\0';
    if (c->cost <= 0)
        return 0;
    snprintf(ref, size, "course:%lld:b%lld", (long long)c->id, (long long)booking);
    int rc = points_spend(st, person, c->cost, "course", ref, now);
    return rc == 1 ? 0 : rc; /* 1: this booking was paid already */
}

static int handle_course_book(struct turn *t)
{
    int rc = -1;
    struct booking b = {0};
    struct course c;
    char ref[64];
    const char *cap = turn_cap(t, "n");
    if (cap == NULL || cap[0] == '\0') /* 我要报名 (or the scorer's guess): which one */
        return handle_course_list(t);
    int found = course_of_turn(t, &c);
    if (found != 1)
        return found;
    int64_t id = c.id, cost = c.cost;
    const char *title = str(c.title);
    struct numstr nos = num(c.no);
    const char *no = nos.s;
    if (t->now >= c.deadline_ms || t->now >= c.start_ms) {
        rc = say(t, "course.closed", "title", title, NULL);
        goto out;
    }
    found = bookings_live(t->st, id, t->person, &b);
    if (found == -1)
        goto out;
    if (found == 1) {
        if (booking_is(&b, "seat"))
            rc = say(t, "course.already_seat", "title", title, "start", when(c.start_ms).s, "no",
                     no, NULL);
        else if (booking_is(&b, "offered"))
            rc = say(t, "course.already_offered", "title", title, "until", when(b.offer_until_ms).s,
                     NULL);
        else
            rc = say(t, "course.already_waiting", "title", title, "pos",
                     num(bookings_position(t->st, id, b.id)).s, NULL);
        goto out;
    }
    int64_t balance = cost > 0 ? points_balance(t->st, t->person) : 0;
    if (balance < 0)
        goto out;
    if (balance < cost) {
        rc = say(t, "course.no_points", "title", title, "cost", num(cost).s, "points",
                 num(balance).s, NULL);
        goto out;
    }
    /* A seat only when one is free and nobody waits before this person. */
    bool seat = c.taken < c.capacity && c.waiting == 0;
    int64_t bid;
    if (bookings_add(t->st, id, t->person, seat ? "seat" : "waiting", cost, t->now, &bid) == -1)
        goto out;
    if (!seat) {
        rc = say(t, "course.waitlisted", "title", title, "pos",
                 num(bookings_position(t->st, id, bid)).s, "no", no, NULL);
        goto out;
    }
    int paid = pay_seat(t->st, &c, bid, t->person, t->now, ref, sizeof ref);
    if (paid != 0) {
        if (paid == 2) /* checked above in this transaction: not the user's doing */
            log_err("courses: %s: spend refused after the balance check", ref);
        goto out;
    }
    if (ref[0] && bookings_set(t->st, bid, "seat", ref, 0, t->now) == -1)
        goto out;
    char *paidtxt =
        cost > 0 ? render(t->app, "course.paid", "points", num(cost).s, NULL) : xstrdup("");
    rc = say(t, "course.booked", "title", title, "start", when(c.start_ms).s, "place", str(c.place),
             "paid", paidtxt, "no", no, NULL);
    free(paidtxt);
out:
    booking_clear(&b);
    course_clear(&c);
    return rc;
}

/* Give back a paid seat's points. Returns the refund text (new string, "" when
 * nothing was paid), or NULL on error. */
static char *refund_seat(const struct app *app, struct store *st, const struct booking *b,
                         int64_t now)
{
    char ref[64];
    if (b->paid_ref == NULL || b->cost <= 0)
        return xstrdup("");
    snprintf(ref, sizeof ref, "refund:%lld:b%lld", (long long)b->course_id, (long long)b->id);
    if (points_entry(st, b->person_id, b->cost, "refund", ref, now) == -1)
        return NULL;
    return render(app, "course.refund", "points", num(b->cost).s, NULL);
}

static int handle_course_cancel(struct turn *t)
{
    int found = 0, rc = -1;
    struct booking b = {0};
    struct course c = {0};
    char *refund = NULL;
    const char *cap = turn_cap(t, "n");
    long long n;
    if (cap == NULL || cap[0] == '\0')
        return cancel_which(t);
    if (parse_int(cap, 1, 999, &n) == 0) {
        found = courses_by_no(t->st, n, t->now, &c);
        if (found == -1)
            return -1;
    }
    if (found == 0)
        return say(t, "course.cancel_none", "no", cap, NULL);
    int64_t id = c.id;
    const char *title = str(c.title);
    found = bookings_live(t->st, id, t->person, &b);
    if (found == -1)
        goto out;
    if (found == 0) {
        rc = say(t, "course.cancel_none", "no", cap, NULL);
        goto out;
    }
    if (t->now >= c.start_ms) {
        rc = say(t, "course.cancel_started", "title", title, NULL);
        goto out;
    }
    bool had_seat = booking_is(&b, "seat");
    const char *to = booking_is(&b, "offered") ? "declined" : "cancelled";
    if (bookings_set(t->st, b.id, to, NULL, 0, t->now) == -1)
        goto out;
    if (had_seat) {
        refund = refund_seat(t->app, t->st, &b, t->now);
        if (refund == NULL)
            goto out;
        if (say(t, "course.cancelled_seat", "title", title, "refund", refund, NULL) == -1)
            goto out;
    } else if (say(t, "course.cancelled_wait", "title", title, NULL) == -1) {
        goto out;
    }
    rc = courses_offer_next(t->app, t->st, id, t->now);
out:
    free(refund);
    booking_clear(&b);
    course_clear(&c);
    return rc;
}

/* Whether a freed seat is offered to this person and still open. */
static int seat_open(struct turn *t)
{
    struct booking *mine;
    size_t n;
    int rc = 0;
    if (bookings_of(t->st, t->person, t->now, &mine, &n) == -1)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (booking_is(&mine[i], "offered") && mine[i].offer_until_ms > t->now)
            rc = 1;
    booking_free_all(mine, n);
    return rc;
}

/* Context claim (this feature's claims, feature.h): a freed seat is offered to this
 * person; it takes 确认 (its answer intent) and the texts that answer the
 * offer: yes or no words, a number, an unsure word (understand_answer).
 * 1, 0, -1. */
static int seat_claim(struct turn *t)
{
    bool confirm = t->intent != NULL && strcmp(t->intent, "course.confirm") == 0;
    if (!confirm && understand_answer(t->app->intents, t->text) == 0 &&
        norm_choice(t->text) == 0)
        return 0;
    return seat_open(t);
}

/* Give the offered seats back: the next on the waitlist is offered them. */
static int seat_decline(struct turn *t)
{
    struct booking *mine;
    struct course c = {0};
    size_t n;
    int rc = -1;
    if (bookings_of(t->st, t->person, t->now, &mine, &n) == -1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &mine[i];
        if (!booking_is(b, "offered") || b->offer_until_ms <= t->now)
            continue;
        course_clear(&c);
        if (courses_get(t->st, b->course_id, &c) != 1 ||
            bookings_set(t->st, b->id, "declined", NULL, 0, t->now) == -1 ||
            courses_offer_next(t->app, t->st, c.id, t->now) == -1 ||
            say(t, "course.declined", "title", str(c.title), NULL) == -1)
            goto out;
    }
    rc = 0;
out:
    course_clear(&c);
    booking_free_all(mine, n);
    return rc;
}

/* The take of the seat claim: yes keeps the seat (as 确认), no gives it to
 * the next person, anything else asks again. t->intent says which. */
static int seat_take(struct turn *t)
{
    int a = understand_answer(t->app->intents, t->text);
    if (a == 1) {
        t->intent = "course.confirm";
        return handle_course_confirm(t);
    }
    if (a == -1) {
        t->intent = "seat.decline";
        return seat_decline(t);
    }
    t->intent = "turn.ask";
    return say(t, "course.offer_ask", NULL);
}

static int handle_course_confirm(struct turn *t)
{
    struct booking *mine;
    struct course c = {0};
    size_t n;
    int rc = -1, confirmed = 0;
    char ref[64];
    if (bookings_of(t->st, t->person, t->now, &mine, &n) == -1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &mine[i];
        if (!booking_is(b, "offered") || b->offer_until_ms <= t->now)
            continue;
        confirmed++;
        course_clear(&c);
        if (courses_get(t->st, b->course_id, &c) != 1)
            goto out;
        int64_t bid = b->id, cost = c.cost;
        int paid = pay_seat(t->st, &c, bid, t->person, t->now, ref, sizeof ref);
        if (paid == -1)
            goto out;
        if (paid == 2) {
            int64_t balance = points_balance(t->st, t->person);
            if (balance < 0 || bookings_set(t->st, bid, "declined", NULL, 0, t->now) == -1 ||
                courses_offer_next(t->app, t->st, c.id, t->now) == -1 ||
                say(t, "course.confirm_no_points", "title", str(c.title), "cost", num(cost).s,
                    "points", num(balance).s, NULL) == -1)
                goto out;
            continue;
        }
        if (bookings_set(t->st, bid, "seat", ref[0] ? ref : NULL, 0, t->now) == -1)
            goto out;
        char *paidtxt =
            cost > 0 ? render(t->app, "course.paid", "points", num(cost).s, NULL) : xstrdup("");
        int sr = say(t, "course.confirmed", "title", str(c.title), "start", when(c.start_ms).s,
                     "place", str(c.place), "paid", paidtxt, "no", num(c.no).s, NULL);
        free(paidtxt);
        if (sr == -1)
            goto out;
    }
    rc = confirmed > 0 ? 0 : say(t, "course.confirm_none", NULL);
out:
    course_clear(&c);
    booking_free_all(mine, n);
    return rc;
}

/* The person's bookings as course.mine's lines into items, the highest
 * course number into *maxno: 1, 0 none (course.mine.empty said), -1. */
static int mine_items(struct turn *t, struct buf *items, int64_t *maxno)
{
    struct booking *mine;
    size_t n;
    if (bookings_of(t->st, t->person, t->now, &mine, &n) == -1)
        return -1;
    if (n == 0)
        return say(t, "course.mine.empty", NULL) == -1 ? -1 : 0;
    *maxno = 0;
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &mine[i];
        const char *key = booking_is(b, "seat")      ? "course.mine.seat"
                          : booking_is(b, "offered") ? "course.mine.offered"
                                                     : "course.mine.waiting";
        char *line = render(t->app, key, "no", num(b->no).s, "title", str(b->title), "start",
                            when(b->start_ms).s, "pos", num(b->position).s, "until",
                            when(b->offer_until_ms).s, NULL);
        buf_printf(items, "%s%s", i ? "\n" : "", line);
        free(line);
        if (b->no > *maxno)
            *maxno = b->no;
    }
    booking_free_all(mine, n);
    return 1;
}

static int handle_course_mine(struct turn *t)
{
    struct buf items;
    int64_t maxno;
    buf_init(&items, 0);
    int rc = mine_items(t, &items, &maxno);
    if (rc == 1)
        rc = say(t, "course.mine", "items", items.data, NULL);
    buf_release(&items);
    return rc;
}

/* 取消报名 without a number (or the scorer's guess, which has none): which
 * one, among the person's bookings; the number shown cancels that one, as
 * 取消 N does (a number of no booking of theirs: course.cancel_none). */
static int cancel_which(struct turn *t)
{
    struct buf items;
    int64_t maxno = 0;
    const char *cmds[MENU_MAX];
    char cmdbuf[MENU_MAX][24];
    int nmenu = 0;
    buf_init(&items, 0);
    int rc = mine_items(t, &items, &maxno);
    if (rc == 1) {
        for (; nmenu < maxno && nmenu < MENU_MAX; nmenu++) {
            snprintf(cmdbuf[nmenu], sizeof cmdbuf[nmenu], "取消 %d", nmenu + 1);
            cmds[nmenu] = cmdbuf[nmenu];
        }
        rc = say(t, "course.cancel_which", "items", items.data, NULL) == -1 ||
                     turn_set_menu(t, cmds, nmenu) == -1
                 ? -1
                 : 0;
    }
    buf_release(&items);
    return rc;
}

/* A code as typed, upper-cased; single spaces between its parts are
 * dropped (签到 C9 V4: voice input and quick typing split a code in two). */
int courses_code_norm(const char *code, char out[9])
{
    size_t n = 0;
    for (size_t i = 0; code != NULL && code[i] != '\0'; i++) {
        char ch = code[i];
        if (ch == ' ' && n > 0 && code[i + 1] != ' ' && code[i + 1] != '\0')
            continue;
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (n == 8 || strchr(CODE_ALPHABET, ch) == NULL)
            return -1;
        out[n++] = ch;
    }
    if (n < 4)
        return -1;
    out[n] = '\0';
    return 0;
}

int courses_new_code(struct store *st, char out[5])
{
    /* 32 letters: a random byte modulo 32 is uniform. */
    for (int attempt = 0; attempt < 50; attempt++) {
        unsigned char r[4];
        if (crypto_random(r, sizeof r) == -1)
            return log_fail("courses: no random bytes for a check-in code");
        for (int i = 0; i < 4; i++)
            out[i] = CODE_ALPHABET[r[i] % 32];
        out[4] = '\0';
        struct activity a;
        int found = activities_by_code(st, out, &a);
        activity_clear(&a);
        if (found == -1)
            return -1;
        if (found == 0)
            return 0;
    }
    return log_fail("courses: no free check-in code after 50 tries");
}

static int handle_checkin(struct turn *t)
{
    char code[9];
    int found, rc = -1;
    struct activity a = {0};
    struct booking b = {0};
    char *ptxt = NULL;
    const char *cap = turn_cap(t, "code");
    if (cap == NULL || cap[0] == '\0')
        return say(t, "checkin.need_code", NULL); /* 签到 alone: ask for the code */
    if (courses_code_norm(cap, code) == -1) {
        /* not even the alphabet of a code (a 0, O, 1 or I): show what was sent, upper case */
        snprintf(code, sizeof code, "%.8s", cap ? cap : "");
        for (char *p = code; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        return say(t, "checkin.unknown", "code", code, NULL);
    }
    found = activities_by_code(t->st, code, &a);
    if (found == -1)
        goto out;
    if (found == 0) {
        rc = say(t, "checkin.unknown", "code", code, NULL);
        goto out;
    }
    const char *title = str(a.title);
    if (t->now < a.start_ms) {
        rc = say(t, "checkin.early", "title", title, "start", when(a.start_ms).s, NULL);
        goto out;
    }
    if (t->now > a.end_ms) {
        rc = say(t, "checkin.expired", "code", code, "end", when(a.end_ms).s, NULL);
        goto out;
    }
    int added = checkins_add(t->st, a.id, t->person, t->now);
    if (added == -1)
        goto out;
    if (added == 1) {
        rc = say(t, "checkin.already", "title", title, NULL);
        goto out;
    }
    if (a.course_id > 0) {
        found = bookings_live(t->st, a.course_id, t->person, &b);
        if (found == -1 || (found == 1 && booking_is(&b, "seat") &&
                            bookings_set_attended(t->st, b.id, t->now) == -1))
            goto out;
    }
    if (a.points > 0) {
        char ref[32];
        snprintf(ref, sizeof ref, "checkin:%s", code);
        if (points_award(t->st, t->person, a.points, "checkin", ref, t->now) == -1)
            goto out;
        int64_t balance = points_balance(t->st, t->person);
        if (balance < 0)
            goto out;
        ptxt = render(t->app, "checkin.points", "points", num(a.points).s, "balance",
                      num(balance).s, NULL);
    }
    rc = say(t, "checkin.done", "title", title, "points", ptxt ? ptxt : "", NULL);
out:
    free(ptxt);
    activity_clear(&a);
    booking_clear(&b);
    return rc;
}

int courses_offer_next(const struct app *app, struct store *st, int64_t course, int64_t now)
{
    int found, rc = -1;
    struct booking w = {0};
    struct course c;
    found = courses_get(st, course, &c);
    if (found != 1)
        return found == -1 ? -1 : 0;
    int64_t start = c.start_ms, taken = c.taken;
    if (c.cancelled_ms != 0 || start <= now) {
        rc = 0;
        goto out;
    }
    /* The confirm time starts when the offer can be read (after quiet
     * hours), and ends at the start of the course at the latest. */
    int64_t readable = push_allowed_at(app->conf, OUT_TRANSACTIONAL, now);
    int64_t until = readable + app->conf->courses.confirm_minutes * 60000;
    if (until > start)
        until = start;
    while (taken < c.capacity && readable < start) {
        booking_clear(&w);
        found = bookings_first_waiting(st, course, &w);
        if (found == -1)
            goto out;
        if (found == 0)
            break;
        if (bookings_set(st, w.id, "offered", NULL, until, now) == -1)
            goto out;
        char key[64];
        snprintf(key, sizeof key, "offer:c%lld:b%lld", (long long)course, (long long)w.id);
        char *text = render(app, "course.offer", "title", str(c.title), "start", when(start).s,
                            "place", str(c.place), "until", when(until).s, NULL);
        int pr = outbox_push(st, app->conf, w.person_id, OUT_TRANSACTIONAL, text, 0, now, key);
        free(text);
        if (pr == -1)
            goto out;
        taken++;
    }
    rc = 0;
out:
    booking_clear(&w);
    course_clear(&c);
    return rc;
}

int courses_profile_summary(struct store *st, int64_t person, int64_t now, int *seats,
                            int *waitlist)
{
    struct booking *mine;
    size_t n;
    if (bookings_of(st, person, now, &mine, &n) == -1)
        return -1;
    *seats = 0;
    *waitlist = 0;
    for (size_t i = 0; i < n; i++) {
        if (booking_is(&mine[i], "waiting"))
            (*waitlist)++;
        else
            (*seats)++;
    }
    booking_free_all(mine, n);
    return 0;
}

int courses_cancel(const struct app *app, struct store *st, int64_t course, int64_t now)
{
    int rc = -1;
    struct booking *live = NULL;
    size_t n = 0;
    struct course c;
    if (courses_get(st, course, &c) != 1)
        return -1;
    if (courses_set_cancelled(st, course, now) == -1 ||
        bookings_live_of_course(st, course, &live, &n) == -1)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &live[i];
        char *refund = booking_is(b, "seat") ? refund_seat(app, st, b, now) : xstrdup("");
        if (refund == NULL || bookings_set(st, b->id, "cancelled", NULL, 0, now) == -1) {
            free(refund);
            goto out;
        }
        char key[64];
        snprintf(key, sizeof key, "course-cancelled:c%lld:b%lld", (long long)course,
                 (long long)b->id);
        char *text = render(app, "course.course_cancelled", "title", str(c.title), "start",
                            when(c.start_ms).s, "refund", refund, NULL);
        int pr = outbox_push(st, app->conf, b->person_id, OUT_TRANSACTIONAL, text, 0, now, key);
        free(text);
        free(refund);
        if (pr == -1)
            goto out;
    }
    rc = (int)n;
out:
    booking_free_all(live, n);
    course_clear(&c);
    return rc;
}

/* Offers not confirmed in time: mark expired, tell the person. */
static int expire_offers(const struct app *app, struct store *st, int64_t now)
{
    struct booking *list;
    size_t n;
    int rc = 0;
    if (bookings_expired_offers(st, now, &list, &n) == -1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &list[i];
        char key[64];
        if (bookings_set(st, b->id, "expired", NULL, 0, now) == -1) {
            rc = -1;
            break;
        }
        snprintf(key, sizeof key, "offer-expired:c%lld:b%lld", (long long)b->course_id,
                 (long long)b->id);
        char *text = render(app, "course.offer_expired", "title", str(b->title), NULL);
        int pr = outbox_push(st, app->conf, b->person_id, OUT_TRANSACTIONAL, text, 0, now, key);
        free(text);
        if (pr == -1) {
            rc = -1;
            break;
        }
    }
    booking_free_all(list, n);
    return rc;
}

/* Reminders the day before and two hours before, once per seat (stable keys). */
static int remind(const struct app *app, struct store *st, int64_t now)
{
    struct booking *list;
    size_t n;
    int rc = 0;
    if (bookings_upcoming_seats(st, now, 24 * HOUR_MS, &list, &n) == -1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct booking *b = &list[i];
        int64_t start = b->start_ms;
        bool two_hours = now >= start - 2 * HOUR_MS;
        int64_t from = two_hours ? start - 2 * HOUR_MS : start - 24 * HOUR_MS;
        if (b->seat_ms >= from) /* the seat is newer than the reminder: they know */
            continue;
        char key[80];
        snprintf(key, sizeof key, "remind:c%lld:p%lld:%s", (long long)b->course_id,
                 (long long)b->person_id, two_hours ? "2h" : "day");
        char *text = render(app, two_hours ? "course.remind_2h" : "course.remind_day", "title",
                            str(b->title), "start", when(start).s, "place", str(b->place), "no",
                            num(b->no).s, NULL);
        int pr = outbox_push(st, app->conf, b->person_id, OUT_TRANSACTIONAL, text, from, now, key);
        free(text);
        if (pr == -1) {
            rc = -1;
            break;
        }
    }
    booking_free_all(list, n);
    return rc;
}

int courses_tick(const struct app *app, struct store *st, int64_t now)
{
    int64_t *fill = NULL;
    size_t n = 0;
    int rc = -1;
    if (expire_offers(app, st, now) == -1)
        goto out;
    /* seats freed by expired offers, or added by an admin */
    if (courses_to_fill(st, now, &fill, &n) == -1)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (courses_offer_next(app, st, fill[i], now) == -1)
            goto out;
    rc = remind(app, st, now);
out:
    free(fill);
    return rc;
}

const struct feature feature_courses = {
    .name = "courses",
    .intents = (const struct handler[]){
        {"course.list", handle_course_list, false},
        {"course.show", handle_course_show, false},
        {"course.book", handle_course_book, false},
        {"course.cancel", handle_course_cancel, false},
        {"course.confirm", handle_course_confirm, false},
        {"course.mine", handle_course_mine, false},
        {"checkin", handle_checkin, false},
        {NULL, NULL, false},
    },
    .claims = (const struct claimer[]){
        {"seat", "course.confirm", seat_claim, seat_take}, /* until the offer expires */
        {NULL, NULL, NULL, NULL},
    },
    .tick = courses_tick,
    .needs = {courses_needs},
    .routes = {admin_courses_route}, /* also points, items, redemptions */
};
