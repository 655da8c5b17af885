/*
 * fz_admin.c - the admin API's JSON bodies: admin_handle on an in-memory
 * store holding one person, one course, one item and the real content and
 * lessons. The first byte picks the route, the rest is the body; each input
 * runs in its own transaction, rolled back, so the store stays as set up.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "engine.h"
#include "fuzz.h"
#include "handler.h"
#include "intent.h"
#include "lesson.h"
#include "store.h"

static const char *const routes[] = {
    "/broadcasts",
    "/points",
    "/courses",
    "/activities",
    "/items",
    "/items/1",
    "/courses/1/attendance",
    "/lessons/1/broadcast",
};
#define NROUTES (sizeof routes / sizeof routes[0])

static struct conf c;
static struct app app;
static struct store *st;

static int admin(const char *path, const char *body, size_t len, struct http_resp *resp)
{
    json_t *q = json_object();
    struct admin_req rq = {
        .method = "POST", .path = path, .query = q, .body = body, .len = len,
        .role = ADMIN_ROLE_SUPER};
    int rc = admin_handle(&app, st, now_ms(), &rq, resp);
    json_decref(q);
    return rc;
}

/* Set-up through the same paths the service uses; aborts when it fails. */
static void seed(void)
{
    static const char *const setup[][2] = {
        {"/courses", "{\"title\":\"t\",\"place\":\"p\",\"start\":\"2030-01-01 10:00\","
                     "\"end\":\"2030-01-01 12:00\",\"capacity\":2}"},
        {"/items", "{\"name\":\"n\",\"cost\":5,\"stock\":3}"},
    };
    struct inmsg in = {.channel = "generic", .ext_id = "seed-1", .user = "u1", .text = "你好"};
    struct turn_result res = {0};
    if (store_begin(st) == -1 || engine_turn(&app, st, &chan_generic, &in, now_ms(), &res) == -1)
        abort();
    turn_result_release(&res);
    for (size_t i = 0; i < sizeof setup / sizeof setup[0]; i++) {
        struct http_resp resp = {0};
        if (admin(setup[i][0], setup[i][1], strlen(setup[i][1]), &resp) == -1 || resp.status != 201)
            abort();
        http_resp_release(&resp);
    }
    if (store_commit(st) == -1)
        abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char *sets[] = {"admin.token=fuzz-admin-token-0123"}; /* 16+ characters: conf refuses shorter */
    struct buf errs;
    (void)argc;
    (void)argv;
    fuzz_setup();
    buf_init(&errs, 0);
    if (conf_load(&c, NULL, sets, 1, &errs) == -1)
        abort();
    app.conf = &c;
    app.intents = intent_load("intents", &errs);
    app.ct = content_load("content", &errs);
    app.lessons = lesson_load("content/lessons", &errs);
    st = store_open(":memory:", false);
    if (app.intents == NULL || app.ct == NULL || app.lessons == NULL || st == NULL)
        abort(); /* run from the repository root */
    buf_release(&errs);
    seed();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *body = fuzz_str(data + 1, size - 1);
    struct http_resp resp = {0};
    if (store_begin(st) == -1)
        abort();
    if (admin(routes[data[0] % NROUTES], body, size - 1, &resp) == 0 && resp.status == 0)
        abort(); /* an answer must have a status */
    if (store_rollback(st) == -1)
        abort();
    http_resp_release(&resp);
    free(body);
    return 0;
}
