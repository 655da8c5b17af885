/*
 * live.c - generations of what is loaded from content/ and intents/, built
 * whole, checked as `yizhan check` checks, swapped in atomically (live.h).
 */
#include "live.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "content.h"
#include "feature.h"
#include "handler.h"
#include "intent.h"
#include "lesson.h"
#include "log.h"
#include "overlay.h"
#include "safety.h"
#include "util.h"

int app_load_content(struct app *app, struct buf *errors)
{
    const struct conf *c = app->conf;
    int rc = 0;
    app->intents = intent_load_cached(c->intents_dir, c->cache_dir, errors);
    app->ct = content_load(c->content_dir, errors);
    if (app->intents == NULL || app->ct == NULL || features_check(features, errors) == -1)
        rc = -1;
    if (app->ct != NULL && (features_check_content(app->ct, errors) == -1 ||
                            safety_check(app->ct, errors) == -1))
        rc = -1;
    char *lessons_dir = xasprintf("%s/lessons", c->content_dir);
    app->lessons = lesson_load(lessons_dir, errors);
    free(lessons_dir);
    if (app->lessons == NULL)
        rc = -1;
    for (size_t i = 0; app->intents != NULL && i < intent_count(app->intents); i++) {
        const char *name = intent_name(app->intents, i);
        if (handler_find(name) == NULL) {
            buf_printf(errors, "%s: intent '%s' has no handler\n", c->intents_dir, name);
            rc = -1;
        }
    }
    if (rc == -1)
        app_free_content(app);
    return rc;
}

void app_free_content(struct app *app)
{
    intent_free(app->intents);
    content_free(app->ct);
    lesson_set_free(app->lessons);
    app->intents = NULL;
    app->ct = NULL;
    app->lessons = NULL;
}

/* --- the files that can be edited, by name ("content:messages.txt") --- */

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

/* What each loader reads from its directory (content.c, lesson.c, intent.c, scorer.c, ...). */
static bool content_file(const char *name)
{
    return ends_with(name, ".txt");
}

static bool intents_file(const char *name)
{
    return ends_with(name, ".rules") || ends_with(name, ".examples") ||
           strcmp(name, "lexicon.txt") == 0 || strcmp(name, "understand.txt") == 0;
}

static const struct {
    const char *kind;
    bool (*takes)(const char *name);
} kinds[] = {{"content", content_file}, {"lessons", content_file}, {"intents", intents_file}};

static char *kind_dir(const struct conf *c, size_t k)
{
    if (k == 0)
        return xstrdup(c->content_dir);
    if (k == 1)
        return xasprintf("%s/lessons", c->content_dir);
    return xstrdup(c->intents_dir);
}

/* The names in kind k's directory that its loader reads, sorted; count or -1. */
static int kind_names(const struct conf *c, size_t k, struct dirent ***names)
{
    char *dir = kind_dir(c, k);
    int n = scandir(dir, names, NULL, alphasort);
    free(dir);
    int kept = 0;
    for (int i = 0; i < n; i++) {
        const char *name = (*names)[i]->d_name;
        if (name[0] != '.' && kinds[k].takes(name))
            (*names)[kept++] = (*names)[i];
        else
            free((*names)[i]);
    }
    return n < 0 ? -1 : kept;
}

json_t *live_files(const struct conf *c)
{
    json_t *a = json_array();
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct dirent **names = NULL;
        int n = kind_names(c, k, &names);
        for (int i = 0; i < n; i++) {
            json_array_append_new(a, json_sprintf("%s:%s", kinds[k].kind, names[i]->d_name));
            free(names[i]);
        }
        free(names);
    }
    return a;
}

char *live_file_path(const struct conf *c, const char *file)
{
    char *path = NULL;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0] && path == NULL; k++) {
        size_t kl = strlen(kinds[k].kind);
        if (strncmp(file, kinds[k].kind, kl) != 0 || file[kl] != ':')
            continue;
        struct dirent **names = NULL;
        int n = kind_names(c, k, &names);
        for (int i = 0; i < n; i++) {
            if (path == NULL && strcmp(names[i]->d_name, file + kl + 1) == 0) {
                char *dir = kind_dir(c, k);
                path = xasprintf("%s/%s", dir, names[i]->d_name);
                free(dir);
            }
            free(names[i]);
        }
        free(names);
    }
    return path;
}

char *live_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    struct buf b;
    char chunk[4096];
    size_t n;
    buf_init(&b, 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    bool bad = ferror(f) != 0;
    (void)fclose(f); /* read-only: nothing to flush */
    if (bad) {
        buf_release(&b);
        return NULL;
    }
    return b.data ? buf_take(&b) : xstrdup("");
}

/* The editable file at path ("content:x.txt"), or NULL. */
static char *file_of_path(const struct conf *c, const char *path, size_t len)
{
    char *out = NULL;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0] && out == NULL; k++) {
        char *dir = kind_dir(c, k);
        size_t dl = strlen(dir);
        if (len > dl + 1 && strncmp(path, dir, dl) == 0 && path[dl] == '/' &&
            memchr(path + dl + 1, '/', len - dl - 1) == NULL)
            out = xasprintf("%s:%.*s", kinds[k].kind, (int)(len - dl - 1), path + dl + 1);
        free(dir);
    }
    return out;
}

/* One "path:line: what" or "path: what" line as {"file", "line", "message"}. */
static json_t *problem(const struct conf *c, const char *p, size_t n)
{
    const char *colon = memchr(p, ':', n);
    json_t *o = json_object();
    if (colon == NULL) {
        json_object_set_new(o, "message", json_stringn(p, n));
        return o;
    }
    char *file = file_of_path(c, p, (size_t)(colon - p));
    const char *rest = colon + 1, *end = p + n;
    char *after = NULL;
    long line = strtol(rest, &after, 10);
    if (after != rest && after < end && *after == ':' && line > 0) {
        json_object_set_new(o, "line", json_integer(line));
        rest = after + 1;
    }
    while (rest < end && *rest == ' ')
        rest++;
    json_object_set_new(o, "file", file ? json_string(file) : json_stringn(p, (size_t)(colon - p)));
    json_object_set_new(o, "editable", json_boolean(file != NULL));
    json_object_set_new(o, "message", json_stringn(rest, (size_t)(end - rest)));
    free(file);
    return o;
}

json_t *live_problems(const struct conf *c, const char *lines)
{
    json_t *a = json_array();
    for (const char *p = lines ? lines : ""; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        if (n > 0)
            json_array_append_new(a, problem(c, p, n));
        p += n + (p[n] == '\n');
    }
    return a;
}

/* --- the overlay: saved versions read in place of their files --- */

struct overlay_ctx {
    struct overlay ov;
    const struct conf *conf; /* where the files are */
};

/* Put file's body in o (replacing what was there); false when file is not
 * an editable file any more (gone from disk). */
static bool overlay_set(struct overlay_ctx *o, const char *file, const char *body)
{
    struct overlay *ov = &o->ov;
    char *path = live_file_path(o->conf, file);
    if (path == NULL)
        return false;
    for (size_t i = 0; i < ov->n; i++) {
        if (strcmp(ov->paths[i], path) == 0) {
            free(path);
            free(ov->bodies[i]);
            ov->bodies[i] = body ? xstrdup(body) : NULL;
            return true;
        }
    }
    if (ov->n == ov->cap) {
        ov->cap = ov->cap ? ov->cap * 2 : 16;
        ov->paths = xrealloc(ov->paths, ov->cap * sizeof *ov->paths);
        ov->bodies = xrealloc(ov->bodies, ov->cap * sizeof *ov->bodies);
    }
    ov->paths[ov->n] = path;
    ov->bodies[ov->n++] = body ? xstrdup(body) : NULL;
    return true;
}

static void overlay_release(struct overlay_ctx *o)
{
    for (size_t i = 0; i < o->ov.n; i++) {
        free(o->ov.paths[i]);
        free(o->ov.bodies[i]);
    }
    free(o->ov.paths);
    free(o->ov.bodies);
}

static void saved_row(const char *file, const char *body, int64_t id, void *ctx)
{
    if (!overlay_set(ctx, file, body))
        log_warn("content: saved version %lld of %s is not used: the file is no longer on disk",
                 (long long)id, file);
}

/* --- generations --- */

struct gen {
    struct app app;  /* conf, districts and live shared with the base app */
    int refs;        /* users, plus one while it is the current generation */
    int64_t version; /* the content_versions counter it was built with */
};

struct live {
    pthread_mutex_t mu; /* cur, every gen's refs, and the status below */
    struct gen *cur;
    struct app base; /* conf, districts, live */
    int64_t checked_ms, failed_ms, failed_version;
    char *failed; /* the last reload's problems; NULL when it worked */
};

static struct gen *gen_of(const struct app *a)
{
    return (struct gen *)((char *)a - offsetof(struct gen, app));
}

static void gen_unref(struct live *lv, struct gen *g)
{
    pthread_mutex_lock(&lv->mu);
    bool last = --g->refs == 0;
    pthread_mutex_unlock(&lv->mu);
    if (last) {
        app_free_content(&g->app);
        free(g);
    }
}

struct live *live_new(struct app *app)
{
    struct live *lv = xcalloc(1, sizeof *lv);
    struct gen *g = xcalloc(1, sizeof *g);
    pthread_mutex_init(&lv->mu, NULL);
    app->live = lv;
    lv->base = *app;
    lv->base.ct = NULL;
    lv->base.intents = NULL;
    lv->base.lessons = NULL;
    g->app = *app;
    g->refs = 1;
    lv->cur = g;
    app->ct = NULL;
    app->intents = NULL;
    app->lessons = NULL;
    return lv;
}

void live_free(struct live *lv)
{
    if (lv == NULL)
        return;
    gen_unref(lv, lv->cur);
    pthread_mutex_destroy(&lv->mu);
    free(lv->failed);
    free(lv);
}

const struct app *app_acquire(const struct app *app)
{
    struct live *lv = app->live;
    if (lv == NULL)
        return app;
    pthread_mutex_lock(&lv->mu);
    struct gen *g = lv->cur;
    g->refs++;
    pthread_mutex_unlock(&lv->mu);
    return &g->app;
}

void app_release(const struct app *gen)
{
    if (gen != NULL && gen->live != NULL)
        gen_unref(gen->live, gen_of(gen));
}

/* A generation from the files, the saved versions and (file, body) when
 * file is not NULL; NULL with the problems in errors. */
static struct gen *build(struct live *lv, struct store *st, const char *file, const char *body,
                         int64_t version, struct buf *errors)
{
    struct overlay_ctx ov = {.conf = lv->base.conf};
    if (store_content_latest(st, saved_row, &ov) == -1) {
        overlay_release(&ov);
        buf_puts(errors, "the store failed: saved versions not read\n");
        return NULL;
    }
    if (file != NULL)
        overlay_set(&ov, file, body);
    struct gen *g = xcalloc(1, sizeof *g);
    g->app = lv->base;
    g->version = version;
    overlay_use(&ov.ov);
    int rc = app_load_content(&g->app, errors);
    overlay_use(NULL);
    overlay_release(&ov);
    if (rc == -1) {
        free(g);
        return NULL;
    }
    return g;
}

static void swap_in(struct live *lv, struct gen *g, int64_t now)
{
    g->refs = 1;
    pthread_mutex_lock(&lv->mu);
    struct gen *old = lv->cur;
    lv->cur = g;
    lv->checked_ms = now;
    free(lv->failed);
    lv->failed = NULL;
    lv->failed_ms = 0;
    lv->failed_version = -1;
    pthread_mutex_unlock(&lv->mu);
    gen_unref(lv, old);
}

int live_reload(struct live *lv, struct store *st, bool force, int64_t now)
{
    int64_t v = store_content_version(st);
    if (v == -1)
        return -2;
    pthread_mutex_lock(&lv->mu);
    bool same = v == lv->cur->version || v == lv->failed_version;
    pthread_mutex_unlock(&lv->mu);
    if (same && !force)
        return 0;
    struct buf errors;
    buf_init(&errors, 0);
    struct gen *g = build(lv, st, NULL, NULL, v, &errors);
    if (g != NULL) {
        swap_in(lv, g, now);
        log_info("content: reloaded (saved-version counter %lld)", (long long)v);
        buf_release(&errors);
        return 1;
    }
    const char *text = errors.data ? errors.data : "invalid\n";
    for (const char *p = text; *p != '\0';) {
        size_t n = strcspn(p, "\n");
        if (n > 0)
            log_warn("content: reload refused, the running content stays: %.*s", (int)n, p);
        p += n + (p[n] == '\n');
    }
    pthread_mutex_lock(&lv->mu);
    free(lv->failed);
    lv->failed = xstrdup(text);
    lv->checked_ms = lv->failed_ms = now;
    lv->failed_version = v;
    pthread_mutex_unlock(&lv->mu);
    buf_release(&errors);
    return -1;
}

int live_save(struct live *lv, struct store *st, const char *file, const char *body,
              const char *actor, const char *note, int64_t now, int64_t *version, json_t **problems)
{
    struct buf errors;
    buf_init(&errors, 0);
    *problems = NULL;
    struct gen *g = build(lv, st, file, body, 0, &errors);
    if (g == NULL) {
        *problems = live_problems(lv->base.conf, errors.data);
        buf_release(&errors);
        return 0;
    }
    buf_release(&errors);
    /* the row, then the counter it makes: the generation says which version
     * it holds, so a batch rolled back after this is undone by the next
     * tick's live_reload (the counter no longer matches) */
    if (store_content_add(st, file, body, actor, note, now, version) == -1) {
        app_free_content(&g->app);
        free(g);
        return -1;
    }
    g->version = *version;
    swap_in(lv, g, now);
    log_info("content: %s saved by %s as version %lld: live", file, actor, (long long)*version);
    return 1;
}

json_t *live_status(struct live *lv)
{
    pthread_mutex_lock(&lv->mu);
    json_t *o = json_pack("{s:I,s:I}", "version", (json_int_t)lv->cur->version, "checked_at",
                          (json_int_t)lv->checked_ms);
    char *failed = lv->failed ? xstrdup(lv->failed) : NULL;
    int64_t failed_ms = lv->failed_ms;
    pthread_mutex_unlock(&lv->mu);
    if (failed != NULL) {
        json_object_set_new(o, "failed_at", json_integer(failed_ms));
        json_object_set_new(o, "errors", live_problems(lv->base.conf, failed));
    }
    free(failed);
    return o;
}
