/*
 * live.h - what is loaded from content/ and intents/ (replies, rules,
 * examples, lexicon, lessons) as one generation, rebuilt whole and swapped in
 * only when it passes the checks of `yizhan check`:
 *
 *  - on SIGHUP (the files again, with the versions saved in the dashboard),
 *  - on a save or revert in the dashboard (the candidate with the edited text),
 *  - on the tick, when another process on the same database saved a version
 *    (the content_versions counter moved).
 *
 * A turn, an admin request and a tick take the current generation at their
 * start (app_acquire) and give it back at their end (app_release): a turn
 * under way finishes on the generation it started with, and the old one is
 * freed by whoever gives back its last reference. The reference count and the
 * current pointer are under one mutex, which also orders the build (on the
 * writer thread) before any use (writer or fetcher thread); a generation is
 * never changed after it is published (the taught examples inside intents
 * have their own lock).
 *
 * Files are named "content:messages.txt", "lessons:01-x.txt",
 * "intents:00-core.rules": the directory ([content_dir], its lessons/,
 * [intents_dir]) and a file directly in it. Only files on disk can be edited.
 */
#ifndef BOT_LIVE_H
#define BOT_LIVE_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct app;
struct buf;
struct conf;
struct live;
struct store;

/* Load intents, content and lessons of app->conf into app (ct, intents,
 * lessons) and cross-check them as `yizhan check` does (every needed key and
 * placeholder, the crisis words, a handler for every intent). Problems are
 * appended to errors as "path:line: what" lines. 0, or -1 (nothing kept). */
int app_load_content(struct app *app, struct buf *errors);
void app_free_content(struct app *app);

/* Take over app's ct, intents and lessons as the first generation (app keeps
 * NULL there and gets app->live): from now on use app_acquire(). */
struct live *live_new(struct app *app);
void live_free(struct live *lv);
/* The current generation (app itself when app->live is NULL: tests, check). */
const struct app *app_acquire(const struct app *app);
void app_release(const struct app *gen);

/* Rebuild from the files and the latest saved version of each edited file.
 * force: rebuild even when the saved-version counter did not move (SIGHUP:
 * the files may have changed). 1 swapped in, 0 nothing to do, -1 invalid
 * (the old generation stays; each problem logged as "file:line: what" and
 * kept for live_status), -2 the store failed. */
int live_reload(struct live *lv, struct store *st, bool force, int64_t now);

/* Save body as the new version of file (NULL: back to the file as shipped)
 * after building a candidate generation with it. 1 saved and live (*version
 * its id), 0 invalid (*problems: [{"file","line","message"}], new reference;
 * nothing written), -1 the store failed. */
int live_save(struct live *lv, struct store *st, const char *file, const char *body,
              const char *actor, const char *note, int64_t now, int64_t *version,
              json_t **problems);

/* The editable files: ["content:account.txt", ...] (new reference). */
json_t *live_files(const struct conf *c);
/* The path on disk of file, or NULL when it is not an editable file. */
char *live_file_path(const struct conf *c, const char *file);
/* The whole file at path (NUL-terminated, the caller frees it), or NULL. */
char *live_read(const char *path);
/* The generation's saved-version counter and the last reload that failed:
 * {"version", "checked_at", "failed_at", "errors": [...]} (new reference). */
json_t *live_status(struct live *lv);
/* "path:line: what" lines as [{"file", "line", "message"}], the path named
 * as an editable file where it is one (new reference). */
json_t *live_problems(const struct conf *c, const char *lines);

/* store_content.c: the versions saved in the dashboard. */
/* max(id), 0 when none, -1 on a store error. */
int64_t store_content_version(struct store *st);
typedef void (*store_content_fn)(const char *file, const char *body, int64_t id, void *ctx);
/* The latest version of each edited file (body NULL: the file as shipped). Count or -1. */
int store_content_latest(struct store *st, store_content_fn fn, void *ctx);
int store_content_add(struct store *st, const char *file, const char *body, const char *actor,
                      const char *note, int64_t now, int64_t *id);
/* Version *id of file (0: its latest, *id set): 1 found (*body NULL for "as
 * shipped", else the caller frees it), 0 none, -1 store error. */
int store_content_get(struct store *st, const char *file, int64_t *id, char **body);
/* One saved version, borrowed for the call. */
struct content_version {
    int64_t id, at; /* at: Unix ms */
    const char *actor, *note;
    bool shipped;        /* back to the file as shipped: no text */
    int64_t size, lines; /* bytes and newlines of its text */
};
typedef void (*store_version_fn)(const struct content_version *v, void *ctx);
/* The versions of file, newest first, at most limit. Count or -1. */
int store_content_history(struct store *st, const char *file, int limit, store_version_fn fn,
                          void *ctx);

#endif
