/*
 * test_chan_telegram.c - the Telegram adapter: fixtures in
 * tests/data/chan_telegram (see chanfix.h), the closed route without a
 * secret, and sendMessage / answerCallbackQuery pushes with 429 retry_after.
 */
#include <stdlib.h>
#include <string.h>

#include "chanfix.h"
#include "channel.h"
#include "conf.h"
#include "outbox.h"
#include "t.h"
#include "util.h"

#define DIR "tests/data/chan_telegram"

static const char *const sets[] = {"telegram.secret_token=s3cret-token", "telegram.token=123:ABC",
                                   "telegram.api_base=http://127.0.0.1:9", NULL};

static void test_telegram_fixtures(void)
{
    struct conf c;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK(chanfix_run_dir(&chan_telegram, &c, DIR) >= 20);
    CHECK_INT(chan_telegram.max_reply(&c), 4000);
    conf_release(&c);
    /* no secret_token configured: every update is refused */
    char *desc = NULL, *body = NULL;
    CHECK_INT(chanfix_conf(&c, NULL), 0);
    CHECK_INT(chanfix_parse_file(&chan_telegram, &c, DIR "/text.req", &desc, &body), 403);
    free(desc);
    free(body);
    conf_release(&c);
}

static void test_telegram_push(void)
{
    struct conf c;
    struct out_item it = {.id = 1, .to = "42", .text = "你好", .idem_key = "k1"};
    struct push_req req = {0};
    struct push_result res;
    char why[200] = "";
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_telegram.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/bot123:ABC/sendMessage");
    CHECK_STR(req.body, "{\"chat_id\":\"42\",\"text\":\"你好\"}");
    push_req_release(&req);
    it.idem_key = "tg-cb:4382bfdwdsb323b2d9";
    CHECK_INT(chan_telegram.push_build(&c, &it, "", &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/bot123:ABC/answerCallbackQuery");
    CHECK_STR(req.body, "{\"callback_query_id\":\"4382bfdwdsb323b2d9\"}");
    push_req_release(&req);
    chan_telegram.push_parse(&c, 200, "{\"ok\":true,\"result\":{\"message_id\":77}}", NULL, &res);
    CHECK_INT(res.rc, SEND_OK);
    CHECK_STR(res.ext_id, "77");
    chan_telegram.push_parse(&c, 429,
                             "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: "
                             "retry after 17\",\"parameters\":{\"retry_after\":17}}",
                             NULL, &res);
    CHECK_INT(res.rc, SEND_RETRY);
    CHECK_INT(res.retry_after_ms, 17000);
    chan_telegram.push_parse(&c, 403,
                             "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot "
                             "was blocked by the user\"}",
                             NULL, &res);
    CHECK_INT(res.rc, SEND_FAIL);
    CHECK_HAS(res.error, "blocked");
    conf_release(&c);
    CHECK_INT(chanfix_conf(&c, NULL), 0);
    CHECK_INT(chan_telegram.push_build(&c, &it, it.text, &req, why, sizeof why), -1);
    push_req_release(&req);
    conf_release(&c);
}

const struct t_case chan_telegram_tests[] = {T(test_telegram_fixtures), T(test_telegram_push),
                                             T_END};
