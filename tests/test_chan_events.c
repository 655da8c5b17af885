/*
 * test_chan_events.c - engine_turn() with platform events from the real
 * adapters: subscribe welcomes with the menu, unsubscribe opts out silently,
 * a menu key is typed text, LOCATION reports store and say nothing, a
 * Telegram button press queues answerCallbackQuery.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chanfix.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "content.h"
#include "engine.h"
#include "handler.h"
#include "intent.h"
#include "outbox.h"
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
    int rc = chanfix_conf(&f->c, NULL);
    f->app.conf = &f->c;
    f->app.intents = t_intents(&errs);
    f->app.ct = content_load("content", &errs);
    f->st = store_open(":memory:", false);
    if (f->app.intents == NULL || f->app.ct == NULL || f->st == NULL)
        rc = -1;
    CHECK_STR(errs.data ? errs.data : "", "");
    buf_release(&errs);
    return rc;
}

static void fx_release(struct fx *f)
{
    store_close(f->st);
    content_free(f->app.ct);
    t_intents_free(f->app.intents);
    conf_release(&f->c);
}

/* One event turn for user oUser on ch; returns the replies joined by "|"
 * (caller frees) and the intent in *intent (caller frees). */
static char *event_turn(struct fx *f, const struct channel *ch, const char *ext, const char *event,
                        const char *text, char **intent)
{
    struct turn_result res = {0};
    struct inmsg in = {.channel = ch->name,
                       .ext_id = (char *)ext,
                       .user = "oUser",
                       .text = (char *)text,
                       .event = (char *)event};
    struct buf b;
    size_t i;
    json_t *r;
    buf_init(&b, 0);
    buf_puts(&b, "");
    CHECK_INT(store_begin(f->st), 0);
    CHECK_INT(engine_turn(&f->app, f->st, ch, &in, now_ms(), &res), 0);
    CHECK_INT(store_commit(f->st), 0);
    json_array_foreach(res.replies, i, r)
        buf_printf(&b, "%s%s", i ? "|" : "", json_string_value(json_object_get(r, "text")));
    *intent = xstrdup(res.intent);
    turn_result_release(&res);
    stub_clock_advance(1000);
    return buf_take(&b);
}

static void test_events_wechat(void)
{
    struct fx f;
    char *intent = NULL, *out;
    int64_t person = 0;
    struct person_info pi;
    CHECK_INT(fx_init(&f), 0);
    /* subscribe: the help menu is the welcome */
    out = event_turn(&f, &chan_wechat, "oUser:1", "subscribe", NULL, &intent);
    CHECK_STR(intent, "help");
    CHECK_HAS(out, content_get(f.app.ct, "menu.main") ? "1 " : "?");
    free(out);
    free(intent);
    /* CLICK with key 积分: as if 积分 was typed */
    out = event_turn(&f, &chan_wechat, "oUser:2", "menu:积分", NULL, &intent);
    CHECK_STR(intent, "points.balance");
    free(out);
    free(intent);
    /* LOCATION: nothing said, nothing stored */
    int64_t before = store_inbound_count(f.st);
    out = event_turn(&f, &chan_wechat, "oUser:3", "location", NULL, &intent);
    CHECK_STR(out, "");
    CHECK_INT(store_inbound_count(f.st), before);
    free(out);
    free(intent);
    /* SCAN: recorded, nothing said */
    out = event_turn(&f, &chan_wechat, "oUser:4", "scan:123", NULL, &intent);
    CHECK_STR(out, "");
    CHECK_STR(intent, "event");
    free(out);
    free(intent);
    /* unsubscribe: opted out, no answer */
    out = event_turn(&f, &chan_wechat, "oUser:5", "unsubscribe", NULL, &intent);
    CHECK_STR(out, "");
    CHECK_STR(intent, "optout");
    CHECK_INT(store_person_find(f.st, "wechat", "oUser", &person), 1);
    CHECK_INT(store_person_info(f.st, person, &pi), 0);
    CHECK(pi.opted_out);
    free(out);
    free(intent);
    /* a retry of the unsubscribe replays: still nothing */
    out = event_turn(&f, &chan_wechat, "oUser:5", "unsubscribe", NULL, &intent);
    CHECK_STR(out, "");
    free(out);
    free(intent);
    fx_release(&f);
}

static void test_events_telegram_callback(void)
{
    struct fx f;
    char *intent = NULL, *out;
    CHECK_INT(fx_init(&f), 0);
    out = event_turn(&f, &chan_telegram, "500", "callback:cb-77", "帮助", &intent);
    CHECK_STR(intent, "help");
    CHECK(out[0] != '\0');
    json_t *rows = outbox_list_json(f.st, NULL, 10);
    CHECK_INT(json_array_size(rows), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "class")), "reply");
    json_decref(rows);
    free(out);
    free(intent);
    /* the platform retries the same update: replayed, no second ack */
    out = event_turn(&f, &chan_telegram, "500", "callback:cb-77", "帮助", &intent);
    rows = outbox_list_json(f.st, NULL, 10);
    CHECK_INT(json_array_size(rows), 1);
    json_decref(rows);
    free(out);
    free(intent);
    fx_release(&f);
}

const struct t_case chan_events_tests[] = {T(test_events_wechat), T(test_events_telegram_callback),
                                           T_END};
