/*
 * handle_lesson.c - micro-lessons (微课): the next lesson or a given one, the
 * quiz answer with points once per lesson, spaced repetition of wrong answers,
 * streaks with a bonus, progress, and the daily lesson push (lesson_tick).
 *
 * Spaced repetition: a wrong answer schedules the question again
 * lessons.retry_days later. It is not pushed on its own; when due it is what
 * the next `学习` (or the subscriber's next daily push) offers, before any new
 * lesson. The open question is per-person state "quiz" (the lesson id): it
 * stays answerable until the next lesson replaces it, at most
 * lessons.quiz_open_hours (for pushes: counted from when the push may go
 * out), not the few minutes of state_ttl - a worker answers after work.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "feature.h"
#include "handler.h"
#include "lesson.h"
#include "norm.h"
#include "log.h"
#include "outbox.h"
#include "points.h"
#include "store.h"
#include "util.h"

static const struct content_need lesson_needs[] = {
    CONTENT_NEED("lesson.show", "n topic link lesson"),
    CONTENT_NEED("lesson.push", "n topic link lesson"),
    CONTENT_NEED("lesson.review", "n title question options"),
    CONTENT_NEED("lesson.article", "n title"),
    CONTENT_NEED("lesson.all_done", "done"),
    CONTENT_NEED("lesson.all_done_reviews", "count month day"),
    CONTENT_NEED("lesson.no_such", "n first last"),
    CONTENT_NEED("lesson.which", "first last"),
    CONTENT_NEED("lesson.none", ""),
    CONTENT_NEED("lesson.progress", "done total streak points reviews sub"),
    CONTENT_NEED("lesson.sub_on", "time"),
    CONTENT_NEED("lesson.sub_off", ""),
    CONTENT_NEED("lesson.subscribed", "time"),
    CONTENT_NEED("lesson.subscribed_optout", "time"),
    CONTENT_NEED("lesson.unsubscribed", ""),
    CONTENT_NEED("lesson.paused", "n"),
    CONTENT_NEED("lesson.not_subscribed", ""),
    CONTENT_NEED("quiz.none", ""),
    CONTENT_NEED("quiz.bad_option", "letters"),
    CONTENT_NEED("quiz.right", "points balance streak"),
    CONTENT_NEED("quiz.right_again", "balance streak"),
    CONTENT_NEED("quiz.wrong", "answer explain month day streak"),
    CONTENT_NEED("quiz.wrong_done", "answer explain streak"),
    CONTENT_NEED("lesson.streak", "days"),
    CONTENT_NEED("lesson.streak_bonus", "days points balance"),
    CONTENT_NEED("lesson.points_reason", "title"),
    CONTENT_NEED("lesson.streak_reason", "days"),
    CONTENT_NEED("turn.ctx.quiz", ""),
    CONTENT_NEED_END,
};

/* How long a lesson's question stays open: until the next lesson replaces
 * it, at most lessons.quiz_open_hours. */
static int64_t quiz_open_ms(const struct app *app)
{
    return app->conf->lessons.quiz_open_hours * 3600000LL;
}

#define DAY_MS 86400000LL
#define TICK_BATCH 500 /* subscribers served per tick at most; the next tick goes on */
/* The passive reply leaves with the HTTP answer just after COMMIT; the text
 * pushed after an article card waits this long so it shows under the card. */
#define ARTICLE_TEXT_DELAY_MS 2000

/* content_render with name, value pairs and a final NULL. New string. */
static char *render(const struct app *app, const char *key, ...)
{
    const char *kv[33];
    int n = 0;
    va_list ap;
    va_start(ap, key);
    for (const char *p; n < 32 && (p = va_arg(ap, const char *)) != NULL;)
        kv[n++] = p;
    va_end(ap);
    kv[n] = NULL;
    return content_render(app->ct, key, kv);
}

/* The local calendar day offset days from ms, as "YYYY-MM-DD". */
static void local_day(int64_t ms, int offset, char *out, size_t size)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm); /* TZ was set from the config at startup */
    tm.tm_mday += offset;
    tm.tm_hour = 12; /* noon: a DST change never moves it to another day */
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    localtime_r(&t, &tm);
    if (strftime(out, size, "%Y-%m-%d", &tm) == 0 && size > 0)
        out[0] = '\0';
}

static int local_minute(int64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

int lesson_parse_hhmm(const char *s, int *minute)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 4 || n > 5 || s[n - 3] != ':')
        return -1;
    for (size_t i = 0; i < n; i++)
        if (i != n - 3 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = n == 5 ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0';
    int m = (s[n - 2] - '0') * 10 + (s[n - 1] - '0');
    if (h > 23 || m > 59)
        return -1;
    *minute = h * 60 + m;
    return 0;
}

/* "A. ...\nB. ..." */
static char *options_text(const struct lesson *l)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < l->nopts; i++)
        (void)buf_printf(&b, "%s%c. %s", i ? "\n" : "", 'A' + i, l->opts[i]); /* no cap */
    return buf_take(&b);
}

/*
 * The addresses a worker may be sent for l: its link and cover resolved
 * against [lessons] link_base (lesson_url). Every reply and push takes them
 * from here, so a lesson without a real link sends none anywhere. No link,
 * no cover: a cover is only ever shown with its link.
 */
struct lesson_urls {
    char *link, *cover; /* NULL when none; owned */
};

static struct lesson_urls urls_of(const struct app *app, const struct lesson *l)
{
    struct lesson_urls u = {lesson_url(app->conf->lessons.link_base, l->link), NULL};
    if (u.link != NULL)
        u.cover = lesson_url(app->conf->lessons.link_base, l->cover);
    return u;
}

static void urls_release(struct lesson_urls *u)
{
    free(u->link);
    free(u->cover);
}

/* The lesson under content key (lesson.show, lesson.push or lesson.review). */
static char *lesson_compose(const struct app *app, const char *key, const struct lesson *l,
                            bool with_link)
{
    char n[16];
    char *text;
    snprintf(n, sizeof n, "%d", l->id);
    if (strcmp(key, "lesson.review") == 0) {
        char *opts = options_text(l);
        text = render(app, key, "n", n, "title", l->title, "question", l->question, "options", opts,
                      NULL);
        free(opts);
        return text; /* a review asks the question again: no link */
    }
    char *body = lesson_render(l);
    struct lesson_urls u = urls_of(app, l);
    char *link = with_link && u.link != NULL ? xasprintf("%s\n", u.link) : xstrdup("");
    text = render(app, key, "n", n, "topic", l->topic, "link", link, "lesson", body, NULL);
    urls_release(&u);
    free(link);
    free(body);
    return text;
}

char *lesson_text(const struct app *app, const struct lesson *l, bool is_push, bool with_link)
{
    return lesson_compose(app, is_push ? "lesson.push" : "lesson.show", l, with_link);
}

json_t *lesson_extra(const struct app *app, const struct lesson *l)
{
    char n[16];
    struct lesson_urls u = urls_of(app, l);
    if (u.link == NULL)
        return NULL;
    snprintf(n, sizeof n, "%d", l->id);
    char *title = render(app, "lesson.article", "n", n, "title", l->title, NULL);
    char *first = lesson_first_sentence(l);
    json_t *o = json_pack("{s:s,s:s,s:s}", "link", u.link, "title", title, "summary", first);
    if (o != NULL && u.cover != NULL)
        json_object_set_new(o, "cover", json_string(u.cover));
    urls_release(&u);
    free(title);
    free(first);
    return o;
}

/*
 * What this person should do next: a review that is due (earliest first),
 * else the first lesson (by id) never answered. *l NULL when neither.
 */
static int pick_next(const struct app *app, struct store *st, int64_t person, int64_t now,
                     const struct lesson **l, bool *is_review)
{
    int64_t *due = NULL, *answered = NULL;
    size_t ndue = 0, nanswered = 0, i, j = 0;
    int rc = -1;
    *l = NULL;
    *is_review = false;
    if (store_lesson_due(st, person, now, &due, &ndue) == -1)
        goto out;
    for (i = 0; i < ndue; i++) {
        *l = lesson_find(app->lessons, (int)due[i]);
        if (*l != NULL) { /* a lesson removed from content/ is skipped */
            *is_review = true;
            rc = 0;
            goto out;
        }
    }
    if (store_lesson_answered(st, person, &answered, &nanswered) == -1)
        goto out;
    /* both lists ascend by id: walk them together */
    for (i = 0; i < lesson_count(app->lessons); i++) {
        const struct lesson *c = lesson_at(app->lessons, i);
        while (j < nanswered && answered[j] < c->id)
            j++;
        if (j < nanswered && answered[j] == c->id)
            continue;
        *l = c;
        break;
    }
    rc = 0;
out:
    free(due);
    free(answered);
    return rc;
}

/* Days in a row (ending today or yesterday) with an answer; -1 on error. */
static int streak_days(struct store *st, int64_t person, int64_t now)
{
    char day[16];
    char **days;
    size_t ndays;
    int n = 0, start = 0;
    if (store_lesson_days(st, person, 400, &days, &ndays) == -1)
        return -1;
    const char *first = ndays > 0 ? days[0] : NULL;
    local_day(now, 0, day, sizeof day);
    if (first != NULL && strcmp(first, day) != 0) {
        local_day(now, -1, day, sizeof day);
        start = strcmp(first, day) == 0 ? -1 : 1;
    }
    for (size_t i = 0; first != NULL && start <= 0 && i < ndays; i++) {
        local_day(now, start - (int)i, day, sizeof day);
        if (days[i] == NULL || strcmp(days[i], day) != 0)
            break;
        n++;
    }
    store_free_strings(days, ndays);
    return n;
}

/*
 * One reply with the lesson, its link and cover as extra fields; opens the
 * question. Where the channel shows links in the text (SMS, Telegram) the
 * link goes into it too. Where a link and a cover make an article card
 * without room for text (WeChat news), the reply is the card (with "title"
 * and "summary", and a short text for when it cannot be one) and the lesson
 * text with its question follows as a reply-class push.
 */
static int reply_lesson(struct turn *t, const struct lesson *l, bool is_review)
{
    int rc = -1;
    char id[16];
    json_t *o = NULL, *extra = NULL;
    char *key = NULL, *card = NULL;
    enum chan_links links = channel_links(t->ch, t->app->conf);
    struct lesson_urls u = urls_of(t->app, l);
    if (!is_review && links == LINKS_ARTICLE && u.cover != NULL)
        extra = lesson_extra(t->app, l);
    char *text = lesson_compose(t->app, is_review ? "lesson.review" : "lesson.show", l,
                                links == LINKS_TEXT && extra == NULL);
    if (extra != NULL) {
        card = xasprintf("%s\n%s\n%s", json_string_value(json_object_get(extra, "title")),
                         json_string_value(json_object_get(extra, "summary")), u.link);
        key = xasprintf("lesson-text:%s:%s", t->ch->name, t->in->ext_id ? t->in->ext_id : "");
        if (outbox_push(t->st, t->app->conf, t->person, OUT_REPLY, text,
                        t->now + ARTICLE_TEXT_DELAY_MS, t->now, key) == -1)
            goto out;
        o = json_pack("{s:s,s:O,s:O}", "text", card, "title", json_object_get(extra, "title"),
                      "summary", json_object_get(extra, "summary"));
    } else {
        o = json_pack("{s:s}", "text", text);
    }
    if (o == NULL)
        goto out;
    if (!is_review && !t->ch->is_sms && u.link != NULL)
        json_object_set_new(o, "link", json_string(u.link));
    if (!is_review && !t->ch->is_sms && u.cover != NULL)
        json_object_set_new(o, "cover", json_string(u.cover));
    if (json_array_append(t->replies, o) == -1)
        goto out;
    snprintf(id, sizeof id, "%d", l->id);
    if (store_state_set(t->st, t->person, "quiz", id, t->now + quiz_open_ms(t->app)) == -1 ||
        store_lesson_shown(t->st, t->person, l->id, t->now) == -1)
        goto out;
    rc = 0;
out:
    json_decref(o);
    json_decref(extra);
    urls_release(&u);
    free(text);
    free(card);
    free(key);
    return rc;
}

static int handle_lesson_next(struct turn *t)
{
    const struct lesson *l;
    bool is_review;
    char a[24], b[24], c[24];
    if (lesson_count(t->app->lessons) == 0)
        return say(t, "lesson.none", NULL);
    if (pick_next(t->app, t->st, t->person, t->now, &l, &is_review) == -1)
        return -1;
    if (l != NULL)
        return reply_lesson(t, l, is_review);
    int64_t at = 0, count = 0;
    int rc = store_lesson_next_review(t->st, t->person, t->now, &at, &count);
    if (rc == -1)
        return -1;
    if (rc == 1) {
        snprintf(a, sizeof a, "%lld", (long long)count);
        turn_fmt_time(at, "%-m", b, sizeof b);
        turn_fmt_time(at, "%-d", c, sizeof c);
        return say(t, "lesson.all_done_reviews", "count", a, "month", b, "day", c, NULL);
    }
    snprintf(a, sizeof a, "%zu", lesson_count(t->app->lessons));
    return say(t, "lesson.all_done", "done", a, NULL);
}

/* How many of the two-character runs of words occur in s. */
static int pairs_in(const char *words, const char *s)
{
    int hits = 0;
    for (const char *p = words; *p;) {
        size_t a = 0, b = 0;
        utf8_decode(p, strlen(p), &a);
        if (a == 0 || p[a] == '\0')
            break;
        utf8_decode(p + a, strlen(p + a), &b);
        if (b == 0)
            break;
        hits += memmem(s, strlen(s), p, a + b) != NULL;
        p += a;
    }
    return hits;
}

/* The one lesson whose title (then topic) shares most two-character runs
 * with the words a worker named it by (工伤那一课: 受了工伤怎么办); NULL when
 * none shares one or two lessons share as many. */
static const struct lesson *lesson_by_words(const struct lesson_set *set, const char *words)
{
    const struct lesson *best = NULL;
    int top = 0;
    bool tie = false;
    for (size_t i = 0; i < lesson_count(set); i++) {
        const struct lesson *l = lesson_at(set, i);
        int k = pairs_in(words, l->title ? l->title : "") * 2 +
                pairs_in(words, l->topic ? l->topic : "");
        if (k > top) {
            best = l;
            top = k;
            tie = false;
        } else if (k == top && k > 0) {
            tie = true;
        }
    }
    return tie ? NULL : best;
}

static int handle_lesson_show(struct turn *t)
{
    long long n;
    const char *cap = turn_cap(t, "n"), *title = turn_cap(t, "title");
    size_t count = lesson_count(t->app->lessons);
    if (count == 0)
        return say(t, "lesson.none", NULL);
    const struct lesson *l =
        cap && parse_int(cap, 1, 100000, &n) == 0 ? lesson_find(t->app->lessons, (int)n) : NULL;
    if (l == NULL && !(cap && cap[0]) && title && title[0])
        l = lesson_by_words(t->app->lessons, title);
    if (l == NULL) {
        char first[16], last[16];
        snprintf(first, sizeof first, "%d", lesson_at(t->app->lessons, 0)->id);
        snprintf(last, sizeof last, "%d", lesson_at(t->app->lessons, count - 1)->id);
        if (!(cap && cap[0])) /* named by words no title holds: which one */
            return say(t, "lesson.which", "first", first, "last", last, NULL);
        return say(t, "lesson.no_such", "n", cap, "first", first, "last", last, NULL);
    }
    return reply_lesson(t, l, false);
}

static int handle_lesson_progress(struct turn *t)
{
    struct lesson_stats ls;
    char done[24], total[24], streak[24], points[24], reviews[24], hhmm[16];
    int minute = 0, rc = -1;
    char *sub = NULL;
    if (store_lesson_stats(t->st, t->person, &ls) == -1)
        return -1;
    int days = streak_days(t->st, t->person, t->now);
    int subbed = store_lesson_sub_get(t->st, t->person, &minute);
    if (days == -1 || subbed == -1)
        goto out;
    snprintf(hhmm, sizeof hhmm, "%02d:%02d", minute / 60 % 24, minute % 60);
    sub = subbed ? render(t->app, "lesson.sub_on", "time", hhmm, NULL)
                 : render(t->app, "lesson.sub_off", NULL);
    snprintf(done, sizeof done, "%lld", (long long)ls.done);
    snprintf(total, sizeof total, "%zu", lesson_count(t->app->lessons));
    snprintf(streak, sizeof streak, "%d", days);
    snprintf(points, sizeof points, "%lld", (long long)ls.points);
    snprintf(reviews, sizeof reviews, "%lld", (long long)ls.reviews);
    rc = say(t, "lesson.progress", "done", done, "total", total, "streak", streak, "points", points,
             "reviews", reviews, "sub", sub, NULL);
out:
    free(sub);
    return rc;
}

static int handle_lesson_subscribe(struct turn *t)
{
    struct person_info pi;
    char today[16], hhmm[16];
    int minute;
    const char *cap = turn_cap(t, "time");
    /* no time named: a subscriber keeps theirs (21:00 stays 21:00), a new
     * one gets lessons.default_time */
    int had = cap && cap[0] ? 0 : store_lesson_sub_get(t->st, t->person, &minute);
    if (had == -1)
        return -1;
    if (had == 0 &&
        lesson_parse_hhmm(cap && cap[0] ? cap : t->app->conf->lessons.default_time, &minute) == -1)
        return log_fail("lesson: bad time '%s'", cap ? cap : t->app->conf->lessons.default_time);
    /* subscribing after today's time: the first lesson comes tomorrow */
    local_day(t->now, 0, today, sizeof today);
    bool is_late = local_minute(t->now) > minute;
    if (store_lesson_sub_set(t->st, t->person, minute, is_late ? today : NULL, t->now) == -1 ||
        store_person_info(t->st, t->person, &pi) == -1)
        return -1;
    snprintf(hhmm, sizeof hhmm, "%02d:%02d", minute / 60, minute % 60);
    return say(t, pi.opted_out ? "lesson.subscribed_optout" : "lesson.subscribed", "time", hhmm,
               NULL);
}

static int handle_lesson_unsubscribe(struct turn *t)
{
    int rc = store_lesson_sub_del(t->st, t->person);
    if (rc == -1)
        return -1;
    return say(t, rc == 1 ? "lesson.unsubscribed" : "lesson.not_subscribed", NULL);
}

/* The streak line for an answer ("" under 2 days), new string. */
static char *streak_line(const struct app *app, int days)
{
    char d[16];
    if (days < 2)
        return xstrdup("");
    snprintf(d, sizeof d, "%d", days);
    char *line = render(app, "lesson.streak", "days", d, NULL);
    char *out = xasprintf("\n%s", line);
    free(line);
    return out;
}

/* The streak bonus when today completes a multiple of streak_days. 0 or -1. */
static int streak_bonus(struct turn *t, int days)
{
    const struct conf *c = t->app->conf;
    char today[16], d[16], pts[24], bal[24];
    char *ref = NULL, *reason = NULL;
    int rc = -1;
    if (c->lessons.streak_bonus <= 0 || days <= 0 || days % c->lessons.streak_days != 0)
        return 0;
    local_day(t->now, 0, today, sizeof today);
    snprintf(d, sizeof d, "%d", days);
    ref = xasprintf("lesson-streak:%s", today);
    reason = render(t->app, "lesson.streak_reason", "days", d, NULL);
    int won = points_award(t->st, t->person, c->lessons.streak_bonus, reason, ref, t->now);
    if (won == -1)
        goto out;
    if (won == 0) {
        int64_t balance = points_balance(t->st, t->person);
        if (balance < 0)
            goto out;
        snprintf(pts, sizeof pts, "%lld", c->lessons.streak_bonus);
        snprintf(bal, sizeof bal, "%lld", (long long)balance);
        if (say(t, "lesson.streak_bonus", "days", d, "points", pts, "balance", bal, NULL) == -1)
            goto out;
    }
    rc = 0;
out:
    free(ref);
    free(reason);
    return rc;
}

/* The lesson whose question is open for this person (NULL: none); -1 in
 * *err on a store error. */
static const struct lesson *quiz_open(struct turn *t, int *err)
{
    char *open = NULL;
    long long id;
    *err = turn_state_get(t, "quiz", &open) == -1 ? -1 : 0;
    const struct lesson *l =
        open && parse_int(open, 1, 100000, &id) == 0 ? lesson_find(t->app->lessons, (int)id) : NULL;
    free(open);
    return l;
}

/* "这题的选项是 A/B/C": the question stays open. */
static int quiz_say_options(struct turn *t, const struct lesson *l)
{
    char letters[16] = "";
    for (int i = 0; i < l->nopts; i++)
        snprintf(letters + strlen(letters), sizeof letters - strlen(letters), "%s%c", i ? "/" : "",
                 'A' + i);
    return say(t, "quiz.bad_option", "letters", letters, NULL);
}

/* Context claim (this feature's claims, feature.h): a question is open for this person;
 * it takes its answer (quiz.answer) and a number or 第二个 (quiz_take). */
static int quiz_claim(struct turn *t)
{
    char *open = NULL;
    bool answer = t->intent != NULL && strcmp(t->intent, "quiz.answer") == 0;
    if (!answer && norm_choice(t->text) == 0)
        return 0;
    int rc = turn_state_get(t, "quiz", &open);
    free(open);
    return rc;
}

/* A number for a lettered question: say the letters (which letter is 2 is
 * a guess we do not make). */
static int quiz_take(struct turn *t)
{
    int err;
    const struct lesson *l = quiz_open(t, &err);
    t->intent = "turn.ask";
    if (err == -1)
        return -1;
    return l ? quiz_say_options(t, l) : say(t, "quiz.none", NULL);
}

static int handle_quiz_answer(struct turn *t)
{
    const char *cap = turn_cap(t, "answer");
    char *streak = NULL, *reason = NULL, *ref = NULL;
    char today[16], pts[24], bal[24], ans[2] = {0};
    bool was_done = false;
    int rc = -1, err;

    const struct lesson *l = quiz_open(t, &err);
    if (err == -1)
        return -1;
    if (l == NULL || cap == NULL || cap[0] < 'a' || cap[0] > 'd') {
        rc = say(t, "quiz.none", NULL);
        goto out;
    }
    char letter = (char)(cap[0] - 'a' + 'A');
    if (letter - 'A' >= l->nopts) {
        rc = quiz_say_options(t, l);
        goto out; /* the question stays open */
    }
    bool is_right = letter == l->answer;
    int64_t retry_at = t->now + t->app->conf->lessons.retry_days * DAY_MS;
    local_day(t->now, 0, today, sizeof today);
    /* one answer per open question: a resent copy finds none */
    if (turn_state_del(t, "quiz") == -1 || turn_state_del(t, "lesson.unanswered") == -1 ||
        store_lesson_answer(t->st, t->person, l->id, is_right, retry_at, t->now, &was_done) == -1 ||
        store_lesson_day_add(t->st, t->person, today) == -1)
        goto out;
    int days = streak_days(t->st, t->person, t->now);
    if (days == -1)
        goto out;
    streak = streak_line(t->app, days);
    if (is_right) {
        ref = xasprintf("lesson:%d", l->id);
        reason = render(t->app, "lesson.points_reason", "title", l->title, NULL);
        int won = points_award(t->st, t->person, l->points, reason, ref, t->now);
        int64_t balance = won == -1 ? -1 : points_balance(t->st, t->person);
        if (balance < 0)
            goto out;
        snprintf(pts, sizeof pts, "%d", l->points);
        snprintf(bal, sizeof bal, "%lld", (long long)balance);
        if ((won == 0 ? say(t, "quiz.right", "points", pts, "balance", bal, "streak", streak, NULL)
                      : say(t, "quiz.right_again", "balance", bal, "streak", streak, NULL)) == -1)
            goto out;
    } else if (was_done) {
        ans[0] = l->answer;
        if (say(t, "quiz.wrong_done", "answer", ans, "explain", l->explain, "streak", streak,
                NULL) == -1)
            goto out;
    } else {
        char month[8], day[8];
        ans[0] = l->answer;
        turn_fmt_time(retry_at, "%-m", month, sizeof month);
        turn_fmt_time(retry_at, "%-d", day, sizeof day);
        if (say(t, "quiz.wrong", "answer", ans, "explain", l->explain, "month", month, "day", day,
                "streak", streak, NULL) == -1)
            goto out;
    }
    rc = streak_bonus(t, days);
out:
    free(streak);
    free(reason);
    free(ref);
    return rc;
}

/* Daily pushes left unanswered in a row (state "lesson.unanswered", reset
 * by any quiz answer); -1 on error. */
static long long unanswered(struct store *st, int64_t person, int64_t now)
{
    char *v = NULL;
    long long n = 0;
    int found = store_state_get(st, person, "lesson.unanswered", now, &v);
    if (found == 1 && parse_int(v, 0, 1000, &n) == -1)
        n = 0;
    free(v);
    return found == -1 ? -1 : n;
}

/* After lessons.pause_after pushes nobody answered: stop the subscription
 * and say so, once (the same lesson is not pushed again every day). */
static int pause_pushes(const struct app *app, struct store *st, int64_t person,
                        const char *today, int64_t now, long long n)
{
    char num[16];
    snprintf(num, sizeof num, "%lld", n);
    char *text = render(app, "lesson.paused", "n", num, NULL);
    char *key = xasprintf("lesson:paused:p%lld:%s", (long long)person, today);
    int rc = outbox_push(st, app->conf, person, OUT_BULK, text, 0, now, key) == -1 ||
                     store_lesson_sub_del(st, person) == -1 ||
                     store_state_del(st, person, "lesson.unanswered") == -1
                 ? -1
                 : 0;
    free(text);
    free(key);
    return rc;
}

/* Queue today's lesson for one subscriber. 0 or -1. */
static int push_one(const struct app *app, struct store *st, int64_t person, const char *today,
                    int64_t now)
{
    const struct lesson *l;
    bool is_review;
    char *text = NULL, *key = NULL;
    json_t *extra = NULL;
    char id[16], count[24];
    int rc = -1;
    long long quiet = unanswered(st, person, now);
    if (quiet == -1)
        return -1;
    if (quiet >= app->conf->lessons.pause_after)
        return pause_pushes(app, st, person, today, now, quiet);
    if (pick_next(app, st, person, now, &l, &is_review) == -1)
        return -1;
    if (l != NULL) {
        /* the link goes into the text on every channel (SMS sends only
         * that); extra lets WeChat add the article and Telegram the preview */
        text = lesson_compose(app, is_review ? "lesson.review" : "lesson.push", l, true);
        extra = is_review ? NULL : lesson_extra(app, l);
        key = xasprintf("lesson:p%lld:%s", (long long)person, today);
        int queued = outbox_push_rich(st, app->conf, person, OUT_BULK, text, extra, 0, now, key);
        if (queued == -1)
            goto out;
        if (queued == 0) {
            /* the question opens when the push may go out, not when it is queued */
            int64_t at = push_allowed_at(app->conf, OUT_BULK, now);
            snprintf(id, sizeof id, "%d", l->id);
            snprintf(count, sizeof count, "%lld", quiet + 1);
            if (store_state_set(st, person, "quiz", id, at + quiz_open_ms(app)) == -1 ||
                store_state_set(st, person, "lesson.unanswered", count,
                                now + 60 * DAY_MS) == -1 ||
                store_lesson_shown(st, person, l->id, now) == -1)
                goto out;
        }
    }
    rc = store_lesson_sub_served(st, person, today);
out:
    json_decref(extra);
    free(text);
    free(key);
    return rc;
}

int lesson_tick(const struct app *app, struct store *st, int64_t now)
{
    char today[16];
    int64_t *due;
    size_t ndue;
    int rc = 0;
    if (lesson_count(app->lessons) == 0)
        return 0;
    local_day(now, 0, today, sizeof today);
    if (store_lesson_subs_due(st, local_minute(now), today, TICK_BATCH, &due, &ndue) == -1)
        return -1;
    /* each push reads and writes the person's state (quiz, unanswered):
     * their locks first, all in one statement (store_people_lock_ids) */
    if (store_people_lock_ids(st, due, ndue) == -1) {
        free(due);
        return -1;
    }
    for (size_t i = 0; i < ndue; i++) {
        if (push_one(app, st, due[i], today, now) == -1) {
            rc = -1;
            break;
        }
    }
    free(due);
    return rc;
}

const struct feature feature_lesson = {
    .name = "lesson",
    .intents = (const struct handler[]){
        {"lesson.next", handle_lesson_next, false},
        {"lesson.show", handle_lesson_show, false},
        {"lesson.progress", handle_lesson_progress, false},
        {"lesson.subscribe", handle_lesson_subscribe, false},
        {"lesson.unsubscribe", handle_lesson_unsubscribe, false},
        {"quiz.answer", handle_quiz_answer, false},
        {NULL, NULL, false},
    },
    .claims = (const struct claimer[]){
        {"quiz", "quiz.answer", quiz_claim, quiz_take}, /* until the next lesson */
        {NULL, NULL, NULL, NULL},
    },
    .tick = lesson_tick,
    .needs = {lesson_needs},
    .routes = {admin_lessons},
};
