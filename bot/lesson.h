/*
 * lesson.h - the micro-lessons (微课): content/lessons/NN-slug.txt, one lesson
 * a file, `key: value` header lines, a `---` line, then the body. The loader
 * checks every file and reports every problem as `path:line: message`; a set
 * is only returned when all files are clean. The format is in
 * content/lessons/README.md. No reply wording lives here: callers add it.
 */
#ifndef BOT_LESSON_H
#define BOT_LESSON_H
#include <stdbool.h>
#include <stddef.h>

struct buf;
struct lesson_set;

#define LESSON_BODY_MAX 400   /* code points in the body */
#define LESSON_FIRST_MAX 70   /* code points in the first sentence (one SMS part) */
#define LESSON_FILE_MAX 65536 /* bytes in one lesson file */

/* One lesson. Every string is owned by the set and lives until lesson_set_free();
 * link and cover are NULL when absent, everything else is non-empty. */
struct lesson {
    int id; /* positive, unique in the set */
    char *title, *topic, *question, *opts[4];
    int nopts;   /* 2..4; opts[nopts..3] are NULL */
    char answer; /* 'A'..'D', one of the options */
    int points;  /* 1..100 */
    char *explain, *link, *cover, *body;
    char *file; /* the path it was loaded from, for messages */
};

/*
 * Load every `*.txt` in dir (names starting with '.' skipped), in name order.
 * Every problem is appended to errors (when not NULL) as one line
 * `path:line: message\n` (a problem with no line, such as an unreadable
 * file or dir, as `path: message\n`); the checks go on after a problem so
 * one run shows them all. Returns the set sorted by id, or NULL when there was any problem
 * (including an unreadable dir or no lesson files at all). The caller frees
 * the set with lesson_set_free().
 */
struct lesson_set *lesson_load(const char *dir, struct buf *errors);
void lesson_set_free(struct lesson_set *set); /* NULL is fine */
size_t lesson_count(const struct lesson_set *set);
/* The i-th lesson in id order (i < lesson_count), borrowed until lesson_set_free(). */
const struct lesson *lesson_at(const struct lesson_set *set, size_t i);
/* The lesson with this id, borrowed until lesson_set_free(); NULL when none. */
const struct lesson *lesson_find(const struct lesson_set *set, int id);
/*
 * The text a worker sees, without heading or answer hint (those are reply
 * words from content/, added by the caller):
 * "{title}\n{body}\n\n{question}\nA. {opt}\nB. {opt}..." with no final newline.
 * Returns a new string the caller frees.
 */
char *lesson_render(const struct lesson *l);

/* The body's first sentence, up to and including the first 。！？ (the
 * loader keeps it within LESSON_FIRST_MAX), or the whole body when it has
 * none; the summary under a lesson's article. New string. */
char *lesson_first_sentence(const struct lesson *l);

/*
 * The address a worker may be sent for a lesson's link: or cover: value v:
 * an absolute http(s) address as it is, a relative one ("v/03-x") joined
 * to base ([lessons] link_base) with one '/'. NULL (nothing to send) when v
 * is NULL, relative with base empty or NULL, or either has a placeholder
 * host. New string.
 */
char *lesson_url(const char *base, const char *v);
/* Whether an http(s) URL's host is reserved and never serves anything:
 * example.org/.com/.net, the .example .invalid .test .localhost .local
 * names, localhost and loopback addresses. */
bool lesson_url_is_placeholder(const char *url);

/*
 * --- store side (store_lesson.c): each person's progress, the days they
 * answered (streaks), daily subscriptions, and the admin statistics. All calls
 * run inside the caller's transaction. ---
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct store;

/* Note that person was shown lesson (the first time only). 0 or -1. */
int store_lesson_shown(struct store *st, int64_t person, int lesson, int64_t now);
/* Record an answer. A right one finishes the lesson and cancels its review; a
 * wrong one schedules the review at retry_at unless the lesson was already
 * finished. *was_done: finished before this answer. 0 or -1. */
int store_lesson_answer(struct store *st, int64_t person, int lesson, bool is_right,
                        int64_t retry_at, int64_t now, bool *was_done);
/* Ids of the lessons person has answered at least once, ascending, as *v
 * of *n (free(*v)): 0, -1. */
int store_lesson_answered(struct store *st, int64_t person, int64_t **v, size_t *n);
/* Ids of person's reviews due at now (earliest first), as *v of *n
 * (free(*v)): 0, -1. */
int store_lesson_due(struct store *st, int64_t person, int64_t now, int64_t **v, size_t *n);
/* The earliest review not yet due: 1 with *at and *count (all pending), 0 none, -1. */
int store_lesson_next_review(struct store *st, int64_t person, int64_t now, int64_t *at,
                             int64_t *count);
/* Remember that person answered on local day ("YYYY-MM-DD"). 0 or -1. */
int store_lesson_day_add(struct store *st, int64_t person, const char *day);
/* The last max days with an answer, newest first, as *v of *n (free with
 * store_free_strings): 0, -1. */
int store_lesson_days(struct store *st, int64_t person, int max, char ***v, size_t *n);
struct lesson_stats {
    int64_t done;    /* lessons answered right */
    int64_t reviews; /* wrong answers waiting for their review */
    int64_t points;  /* points from lessons and streak bonuses */
};
int store_lesson_stats(struct store *st, int64_t person, struct lesson_stats *out);

/* Daily subscription at minute (local, 0..1439); last_day (may be NULL) is
 * the local day already served. 0 or -1. */
int store_lesson_sub_set(struct store *st, int64_t person, int minute, const char *last_day,
                         int64_t now);
/* 1 removed, 0 there was none, -1 error. */
int store_lesson_sub_del(struct store *st, int64_t person);
/* 1 with *minute, 0 not subscribed, -1 error. */
int store_lesson_sub_get(struct store *st, int64_t person, int *minute);
/* Subscribers not opted out whose minute <= minute and not served on day,
 * at most limit: their person ids as *v of *n (free(*v)): 0, -1. */
int store_lesson_subs_due(struct store *st, int minute, const char *day, int limit, int64_t **v,
                          size_t *n);
/* Mark day served for person. 0 or -1. */
int store_lesson_sub_served(struct store *st, int64_t person, const char *day);

/* Admin: a lesson's figures over everyone (people it was shown to, who
 * answered, who finished it, who were right at the first answer). */
struct lesson_total {
    int lesson_id;
    int64_t shown, answered, done, first_right;
};
/* One per lesson with any progress, as *v of *n (free(*v)): 0, -1. */
int store_lesson_totals(struct store *st, struct lesson_total **v, size_t *n);
/* After a lesson broadcast: every recipient of broadcast gets lesson as its
 * open question until expires_ms, and a shown mark. 0 or -1. */
int store_lesson_broadcast_mark(struct store *st, int64_t broadcast, int lesson, int64_t expires_ms,
                                int64_t now);

#endif
