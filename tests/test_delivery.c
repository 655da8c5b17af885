/*
 * test_delivery.c - delivery reports: Twilio status callbacks and Kannel
 * dlr-url fixtures (tests/data/chan_twilio_status, chan_kannel_dlr), the
 * push requests that ask for them, and the outbox row they update through
 * engine_turn, never moving back.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "chanfix.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "delivery.h"
#include "engine.h"
#include "handler.h"
#include "outbox.h"
#include "store.h"
#include "store_int.h"
#include "t.h"
#include "util.h"

static const char *const sets[] = {"twilio.auth_token=my_auth_token_123",
                                   "twilio.public_url=https://bot.example.com/sms/twilio",
                                   "twilio.account_sid=AC00000000000000000000000000000001",
                                   "twilio.from=+15005550006",
                                   "kannel.secret=kn-secret",
                                   "kannel.sendsms_url=http://127.0.0.1:13013/cgi-bin/sendsms",
                                   "kannel.dlr_url=http://127.0.0.1:8080/webhook/kannel/dlr",
                                   "push.quiet=",
                                   "push.rush=",
                                   NULL};

static void test_delivery_fixtures(void)
{
    struct conf c;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK(chanfix_run_dir(&chan_twilio_status, &c, "tests/data/chan_twilio_status") >= 6);
    CHECK(chanfix_run_dir(&chan_kannel_dlr, &c, "tests/data/chan_kannel_dlr") >= 7);
    CHECK(channel_by_route("/webhook/twilio/status") == &chan_twilio_status);
    CHECK(channel_by_route("/webhook/kannel/dlr") == &chan_kannel_dlr);
    conf_release(&c);
}

static void test_delivery_requested_by_pushes(void)
{
    struct conf c;
    struct out_item it = {.id = 17, .to = "+8613800000001", .channel = "kannel"};
    struct push_req req = {0};
    char why[100];
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_kannel.push_build(&c, &it, "你好", &req, why, sizeof why), 0);
    CHECK_HAS(req.url, "&dlr-mask=31&dlr-url=http%3A%2F%2F127.0.0.1%3A8080%2Fwebhook%2Fkannel%2Fdlr"
                       "%3Fsecret%3Dkn-secret%26id%3D17%26type%3D%25d");
    push_req_release(&req);
    it.channel = "twilio";
    CHECK_INT(chan_twilio.push_build(&c, &it, "你好", &req, why, sizeof why), 0);
    CHECK_HAS(req.body, "&StatusCallback=https%3A%2F%2Fbot.example.com%2Fsms%2Ftwilio%2Fstatus");
    push_req_release(&req);
    conf_release(&c);
}

static const char *row_delivery(struct store *st, int64_t id, int64_t *ms)
{
    static char out[32];
    sqlite3_stmt *s = NULL;
    out[0] = '\0';
    *ms = -1;
    if (sqlite3_prepare_v2(store_db(st),
                           "SELECT coalesce(delivery_status, ''), coalesce(delivered_ms, 0)"
                           " FROM outbox WHERE id=?",
                           -1, &s, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, id);
        if (sqlite3_step(s) == SQLITE_ROW) {
            snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(s, 0));
            *ms = sqlite3_column_int64(s, 1);
        }
    }
    sqlite3_finalize(s);
    return out;
}

/* One report through engine_turn, as http.c runs it. */
static void report(struct store *st, const struct channel *ch, const char *key, const char *status)
{
    struct app app = {0};
    struct turn_result res = {0};
    char ev[48];
    snprintf(ev, sizeof ev, "delivery:%s", status);
    struct inmsg in = {.channel = ch->name, .ext_id = (char *)key, .user = "", .event = ev};
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(engine_turn(&app, st, ch, &in, now_ms(), &res), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT((int)json_array_size(res.replies), 0);
    CHECK_STR(res.intent, "event.delivery");
    turn_result_release(&res);
    stub_clock_advance(1000);
}

static void test_delivery_updates_row_never_back(void)
{
    struct conf c;
    struct out_item it[2];
    int64_t p = 0, ms = 0;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    struct store *st = store_open(":memory:", false);
    CHECK(st != NULL);
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_person_ensure(st, "twilio", "+8613800000001", NULL, now_ms(), &p), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_TRANSACTIONAL, "a", 0, now_ms(), "k-1"), 0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(store_outbox_claim(st, now_ms(), 60000, it, 2), 1);
    int64_t id = it[0].id;
    out_item_release(&it[0]);
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_outbox_mark(st, id, "sent", NULL, "SM42", 0, now_ms()), 0);
    CHECK_INT(store_commit(st), 0);
    report(st, &chan_twilio_status, "sid:SM42", "sent");
    CHECK_STR(row_delivery(st, id, &ms), "sent");
    CHECK_INT(ms, 0);
    int64_t at = now_ms();
    report(st, &chan_twilio_status, "sid:SM42", "delivered");
    CHECK_STR(row_delivery(st, id, &ms), "delivered");
    CHECK_INT(ms, at);
    /* late and repeated reports change nothing */
    report(st, &chan_twilio_status, "sid:SM42", "sent");
    report(st, &chan_kannel_dlr, "id:999", "delivered");
    char key[32];
    snprintf(key, sizeof key, "id:%lld", (long long)id);
    report(st, &chan_kannel_dlr, key, "failed");
    CHECK_STR(row_delivery(st, id, &ms), "delivered");
    CHECK_INT(ms, at);
    CHECK_INT(store_delivery_set(st, "sid:SM43", "delivered", now_ms()), 0);
    CHECK_INT(store_delivery_set(st, "bogus", "delivered", now_ms()), -1);
    store_close(st);
    conf_release(&c);
}

const struct t_case delivery_tests[] = {
    T(test_delivery_fixtures),
    T(test_delivery_requested_by_pushes),
    T(test_delivery_updates_row_never_back),
    T_END,
};
