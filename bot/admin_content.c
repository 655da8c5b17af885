/*
 * admin_content.c - /admin/api/content/files: the office edits replies,
 * keywords and examples, lessons and the station's texts in the dashboard.
 * A save is checked by building the whole candidate generation (live.h), as
 * `yizhan check` checks the files: an invalid one answers 400 with each
 * problem's file, line and message and changes nothing; a valid one is a new
 * version in the store and live at once. Revert saves an earlier version's
 * text again (version 0: the file as shipped), so history only grows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "channel.h"
#include "feature.h"
#include "handler.h"
#include "live.h"
#include "util.h"

#define CONTENT_FILE_MAX (256 * 1024) /* the largest shipped file is ~11 KB */

/* GET /content/files: every editable file, its saved version if any, and
 * the state of the last reload (a failed one's problems). */
static int files_list(const struct app *app, struct store *st, struct http_resp *resp)
{
    json_t *files = live_files(app->conf), *items = json_array(), *f;
    size_t i;
    int rc = 0;
    json_array_foreach(files, i, f)
    {
        const char *name = json_string_value(f);
        int64_t id = 0;
        char *body = NULL;
        int found = store_content_get(st, name, &id, &body);
        free(body);
        if (found == -1) {
            rc = -1;
            break;
        }
        json_t *o = json_pack("{s:s,s:b}", "file", name, "edited", found == 1);
        if (found == 1)
            json_object_set_new(o, "version", json_integer(id));
        json_array_append_new(items, o);
    }
    json_decref(files);
    if (rc == -1) {
        json_decref(items);
        return -1;
    }
    json_t *status = app->live ? live_status(app->live) : json_object();
    admin_reply(resp, 200, json_pack("{s:o,s:o}", "items", items, "live", status));
    return 0;
}

/* GET /content/files/<file>: the text in effect (the latest saved version, else the file). */
static int file_get(struct store *st, const char *file, const char *path, struct http_resp *resp)
{
    int64_t id = 0;
    char *body = NULL;
    int found = store_content_get(st, file, &id, &body);
    if (found == -1)
        return -1;
    bool saved = found == 1 && body != NULL;
    char *text = saved ? body : live_read(path);
    if (!saved)
        free(body);
    if (text == NULL) {
        http_resp_error(resp, 500, "the file cannot be read");
        return 0;
    }
    json_t *o =
        json_pack("{s:s,s:s,s:s}", "file", file, "text", text, "source", saved ? "saved" : "file");
    json_object_set_new(o, "version", found == 1 ? json_integer(id) : json_null());
    free(text);
    admin_reply(resp, 200, o);
    return 0;
}

/* Save body (NULL: back to the file) through live_save; 200, or 400 with the problems. */
static int save(const struct app *app, struct store *st, int64_t now, const struct admin_req *rq,
                const char *file, const char *body, const char *note, struct http_resp *resp)
{
    char actor[96];
    int64_t version = 0;
    json_t *problems = NULL;
    if (app->live == NULL) {
        http_resp_error(resp, 409, "content is not live in this process");
        return 0;
    }
    admin_actor(rq, actor, sizeof actor);
    int rc = live_save(app->live, st, file, body, actor, note, now, &version, &problems);
    if (rc == -1)
        return -1;
    if (rc == 0) {
        admin_reply(resp, 400,
                    json_pack("{s:s,s:o}", "error",
                              "the content does not pass the checks of yizhan check;"
                              " nothing saved",
                              "errors", problems));
        return 0;
    }
    admin_reply(resp, 200, json_pack("{s:s,s:I}", "file", file, "version", (json_int_t)version));
    return 0;
}

/* POST /content/files/<file> {"text", "note"?} */
static int file_post(const struct app *app, struct store *st, int64_t now,
                     const struct admin_req *rq, const char *file, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    json_t *tv = json_object_get(b, "text"), *nv = json_object_get(b, "note");
    const char *text = json_string_value(tv);
    const char *note = nv ? json_string_value(nv) : "";
    int rc = 0;
    if (text == NULL)
        http_resp_error(resp, 400, "want {\"text\": \"the whole file\", \"note\"?: \"why\"}");
    else if (json_string_length(tv) > CONTENT_FILE_MAX)
        http_resp_error(resp, 400, "'text' is longer than 256 KiB");
    else if (note == NULL || utf8_len(note) > 200)
        http_resp_error(resp, 400, "'note' must be a string of at most 200 characters");
    else
        rc = save(app, st, now, rq, file, text, note, resp);
    json_decref(b);
    return rc;
}

/* POST /content/files/<file>/revert {"version": N}: N's text saved again; 0 the file as shipped. */
static int file_revert(const struct app *app, struct store *st, int64_t now,
                       const struct admin_req *rq, const char *file, struct http_resp *resp)
{
    json_t *b = admin_body(rq, resp);
    if (b == NULL)
        return 0;
    json_t *vv = json_object_get(b, "version");
    int64_t id = json_integer_value(vv);
    char *body = NULL, note[64];
    int rc = 0;
    if (!json_is_integer(vv) || id < 0) {
        http_resp_error(resp, 400, "want {\"version\": N} (0: the file as shipped)");
        goto out;
    }
    if (id > 0) {
        int found = store_content_get(st, file, &id, &body);
        if (found == -1) {
            rc = -1;
            goto out;
        }
        if (found == 0) {
            http_resp_error(resp, 404, "no such version of this file");
            goto out;
        }
    }
    snprintf(note, sizeof note, id > 0 ? "revert to version %lld" : "revert to the shipped file",
             (long long)id);
    rc = save(app, st, now, rq, file, body, note, resp);
out:
    free(body);
    json_decref(b);
    return rc;
}

static void version_row(const struct content_version *v, void *ctx)
{
    json_t *o = json_pack("{s:I,s:s,s:I,s:s,s:b}", "version", (json_int_t)v->id, "actor", v->actor,
                          "at", (json_int_t)v->at, "note", v->note, "shipped", v->shipped);
    if (o != NULL && !v->shipped) {
        json_object_set_new(o, "size", json_integer(v->size));
        json_object_set_new(o, "lines", json_integer(v->lines));
    }
    json_array_append_new(ctx, o);
}

/* GET /content/files/<file>/history?limit=50: newest first. */
static int file_history(struct store *st, const struct admin_req *rq, const char *file,
                        struct http_resp *resp)
{
    json_t *items = json_array();
    if (store_content_history(st, file, admin_query_limit(rq, 50), version_row, items) == -1) {
        json_decref(items);
        return -1;
    }
    admin_reply(resp, 200, json_pack("{s:s,s:o}", "file", file, "items", items));
    return 0;
}

int admin_content_route(const struct app *app, struct store *st, int64_t now,
                        const struct admin_req *rq, char **seg, int nseg, struct http_resp *resp)
{
    if (nseg < 2 || strcmp(seg[0], "content") != 0 || strcmp(seg[1], "files") != 0)
        return 0;
    bool get = strcmp(rq->method, "GET") == 0, post = strcmp(rq->method, "POST") == 0;
    if (nseg == 2)
        return get ? (files_list(app, st, resp) == -1 ? -1 : 1) : 0;
    char *path = live_file_path(app->conf, seg[2]);
    int rc = 1;
    if (path == NULL)
        http_resp_error(resp, 404, "no such content file (see GET /admin/api/content/files)");
    else if (nseg == 3 && get)
        rc = file_get(st, seg[2], path, resp);
    else if (nseg == 3 && post)
        rc = file_post(app, st, now, rq, seg[2], resp);
    else if (nseg == 4 && get && strcmp(seg[3], "history") == 0)
        rc = file_history(st, rq, seg[2], resp);
    else if (nseg == 4 && post && strcmp(seg[3], "revert") == 0)
        rc = file_revert(app, st, now, rq, seg[2], resp);
    else
        rc = -2;
    free(path);
    if (rc == -2)
        return 0;
    return rc == -1 ? -1 : 1;
}

/* Live content editing: versions, revert, reload (live.h). */
const struct feature feature_content = {
    .name = "content",
    .routes = {admin_content_route},
};
