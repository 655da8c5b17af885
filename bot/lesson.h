/*
 * lesson.h - the micro-lessons (微课): content/lessons/NN-slug.txt, one lesson
 * a file, `key: value` header lines, a `---` line, then the body. The loader
 * checks every file and reports every problem as `path:line: message`; a set
 * is only returned when all files are clean. The format is in
 * content/lessons/README.md. No reply wording lives here: callers add it.
 */
#ifndef BOT_LESSON_H
#define BOT_LESSON_H
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

#endif
