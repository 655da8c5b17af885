/*
 * test_live.c - generations of content and intents (bot/live.c): a save is
 * checked before anything is stored, a turn holding a generation keeps it
 * after a swap, the overlay reads saved texts in place of files, problems
 * name the editable file and line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "content.h"
#include "handler.h"
#include "live.h"
#include "overlay.h"
#include "store.h"
#include "t.h"
#include "util.h"

struct fx {
    struct conf c;
    struct app app;
    struct store *st;
};

static int fx_init(struct fx *f)
{
    struct buf errs;
    memset(f, 0, sizeof *f);
    buf_init(&errs, 0);
    int rc = conf_load(&f->c, NULL, NULL, 0, &errs);
    f->app.conf = &f->c;
    if (rc == 0)
        rc = app_load_content(&f->app, &errs);
    f->st = store_open(":memory:", false);
    CHECK_STR(errs.data ? errs.data : "", "");
    buf_release(&errs);
    if (f->st == NULL)
        rc = -1;
    CHECK_INT(rc, 0);
    if (rc == 0)
        live_new(&f->app);
    return rc;
}

static void fx_free(struct fx *f)
{
    live_free(f->app.live);
    store_close(f->st);
    conf_release(&f->c);
}

/* content/messages.txt with from replaced by to (the caller frees it). */
static char *messages_with(const char *from, const char *to)
{
    char *text = live_read("content/messages.txt");
    const char *at = text ? strstr(text, from) : NULL;
    CHECK(at != NULL);
    char *out =
        at ? xasprintf("%.*s%s%s", (int)(at - text), text, to, at + strlen(from)) : xstrdup("");
    free(text);
    return out;
}

static void test_save_checked_then_live_and_held_generation_kept(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        return;
    CHECK(f.app.ct == NULL); /* the base hands its content to the first generation */
    const struct app *held = app_acquire(&f.app); /* a turn under way */
    const char *old = content_get(held->ct, "help.menu");
    CHECK_HAS(old, "驿站服务，回复数字");

    int64_t v = 0;
    json_t *problems = NULL;
    char *bad = messages_with("{items}", "{itemz}");
    CHECK_INT(store_begin(f.st), 0);
    CHECK_INT(
        live_save(f.app.live, f.st, "content:messages.txt", bad, "test", "", 1000, &v, &problems),
        0);
    char *dump = json_dumps(problems, JSON_COMPACT);
    CHECK_HAS(dump, "\"file\":\"content:messages.txt\"");
    CHECK_HAS(dump, "\"line\":6");
    CHECK_INT(store_content_version(f.st), 0); /* nothing stored */
    const struct app *same = app_acquire(&f.app);
    CHECK(same == held); /* nothing swapped */
    app_release(same);
    json_decref(problems);
    problems = NULL;

    char *good = messages_with("驿站服务，回复数字", "试验驿站服务，回复数字");
    CHECK_INT(
        live_save(f.app.live, f.st, "content:messages.txt", good, "test", "n", 1000, &v, &problems),
        1);
    CHECK_INT(v, 1);
    CHECK_INT(store_commit(f.st), 0);
    const struct app *now = app_acquire(&f.app);
    CHECK(now != held);
    CHECK_HAS(content_get(now->ct, "help.menu"), "试验驿站服务");
    /* the held generation is untouched until it is given back */
    CHECK_STR(content_get(held->ct, "help.menu"), old);
    app_release(held);
    app_release(now);
    /* nothing moved: a poll rebuilds nothing; a forced reload keeps the saved text */
    CHECK_INT(live_reload(f.app.live, f.st, false, 2000), 0);
    CHECK_INT(live_reload(f.app.live, f.st, true, 2000), 1);
    now = app_acquire(&f.app);
    CHECK_HAS(content_get(now->ct, "help.menu"), "试验驿站服务");
    app_release(now);
    free(dump);
    json_decref(problems);
    free(bad);
    free(good);
    fx_free(&f);
}

static void first_id(const struct content_version *v, void *ctx)
{
    int64_t *first = ctx;
    if (*first == 0)
        *first = v->id;
}

/* A version saved by another process (a row in the store): the poll rebuilds. */
static void test_poll_follows_the_counter(void)
{
    struct fx f;
    if (fx_init(&f) == -1)
        return;
    char *good = messages_with("驿站服务，回复数字", "别处驿站服务，回复数字");
    int64_t id = 0;
    CHECK_INT(store_content_add(f.st, "content:messages.txt", good, "other", "", 5, &id), 0);
    CHECK_INT(live_reload(f.app.live, f.st, false, 10), 1);
    const struct app *g = app_acquire(&f.app);
    CHECK_HAS(content_get(g->ct, "help.menu"), "别处驿站服务");
    app_release(g);
    /* a broken one: refused once, kept for the office, not rebuilt every tick */
    char *bad = messages_with("[help.menu]", "[help.menux]");
    CHECK_INT(store_content_add(f.st, "content:messages.txt", bad, "other", "", 6, &id), 0);
    CHECK_INT(live_reload(f.app.live, f.st, false, 20), -1);
    CHECK_INT(live_reload(f.app.live, f.st, false, 30), 0);
    json_t *st = live_status(f.app.live);
    char *dump = json_dumps(st, JSON_COMPACT);
    CHECK_HAS(dump, "\"failed_at\":20");
    CHECK_HAS(dump, "help.menux");
    g = app_acquire(&f.app);
    CHECK_HAS(content_get(g->ct, "help.menu"), "别处驿站服务");
    app_release(g);
    /* history, newest first */
    int64_t first = 0;
    CHECK_INT(store_content_history(f.st, "content:messages.txt", 10, first_id, &first), 2);
    CHECK_INT(first, 2);
    free(dump);
    json_decref(st);
    free(good);
    free(bad);
    fx_free(&f);
}

static void test_overlay_reads_saved_text(void)
{
    char *paths[] = {"a/x.txt", "a/empty.txt", "a/file.txt"};
    char *bodies[] = {"saved\n", "", NULL};
    struct overlay ov = {3, 3, paths, bodies};
    char line[64];
    overlay_use(&ov);
    FILE *f = overlay_fopen("a/x.txt", "r");
    CHECK(f != NULL && fgets(line, sizeof line, f) != NULL);
    CHECK_STR(line, "saved\n");
    if (f)
        fclose(f);
    f = overlay_fopen("a/empty.txt", "r");
    CHECK(f != NULL && fgets(line, sizeof line, f) == NULL);
    if (f)
        fclose(f);
    CHECK(overlay_fopen("a/file.txt", "r") == NULL); /* NULL body: the file (none here) */
    overlay_use(NULL);
    CHECK(overlay_fopen("a/x.txt", "r") == NULL);
}

static void test_problems_name_editable_files(void)
{
    struct conf c;
    struct buf errs;
    buf_init(&errs, 0);
    CHECK_INT(conf_load(&c, NULL, NULL, 0, &errs), 0);
    json_t *p = live_problems(&c, "content/lessons/01-a.txt:3: bad\n"
                                  "intents/00-core.rules:12: bad rule\n"
                                  "bot/handle_core.c:40: content key 'x' is missing\n"
                                  "content/messages.txt: cannot open\n");
    char *dump = json_dumps(p, JSON_COMPACT);
    CHECK_HAS(dump,
              "{\"line\":3,\"file\":\"lessons:01-a.txt\",\"editable\":true,\"message\":\"bad\"}");
    CHECK_HAS(dump, "\"file\":\"intents:00-core.rules\"");
    CHECK_HAS(dump, "\"file\":\"bot/handle_core.c\",\"editable\":false");
    CHECK_HAS(dump,
              "{\"file\":\"content:messages.txt\",\"editable\":true,\"message\":\"cannot open\"}");
    char *path = live_file_path(&c, "content:../bot.conf");
    CHECK(path == NULL);
    free(path);
    path = live_file_path(&c, "intents:lexicon.txt");
    CHECK_STR(path ? path : "", "intents/lexicon.txt");
    free(path);
    free(dump);
    json_decref(p);
    buf_release(&errs);
    conf_release(&c);
}

const struct t_case live_tests[] = {
    T(test_save_checked_then_live_and_held_generation_kept),
    T(test_poll_follows_the_counter),
    T(test_overlay_reads_saved_text),
    T(test_problems_name_editable_files),
    T_END,
};
