/*
 * test_chan_kannel.c - the Kannel adapter: fixtures in tests/data/chan_kannel
 * (UTF-8 and raw UTF-16BE get-url text; see chanfix.h), the X-Kannel-Coding
 * header of the reply, and the sendsms push.
 */
#include <stdlib.h>
#include <string.h>

#include "chanfix.h"
#include "channel.h"
#include "conf.h"
#include "outbox.h"
#include "t.h"
#include "util.h"

#define DIR "tests/data/chan_kannel"

static const char *const sets[] = {
    "kannel.secret=kn-secret", "kannel.sendsms_url=http://127.0.0.1:9/cgi-bin/sendsms",
    "kannel.username=bot", "kannel.password=bot pw&", "kannel.from=10086", NULL};

static void test_kannel_fixtures(void)
{
    struct conf c;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK(chanfix_run_dir(&chan_kannel, &c, DIR) >= 15);
    CHECK_INT(chan_kannel.max_reply(&c), 3 * 67);
    conf_release(&c);
}

static void test_kannel_reply_header(void)
{
    struct conf c;
    struct inmsg msg = {.channel = "kannel"};
    struct http_resp resp = {0};
    CHECK_INT(chanfix_conf(&c, sets), 0);
    json_t *replies = json_pack("[{s:s}]", "text", "你好");
    chan_kannel.render(&c, &msg, replies, NULL, &resp);
    CHECK_STR(resp.body, "你好");
    CHECK_STR(resp.headers[0], "X-Kannel-Coding: 2");
    CHECK(resp.headers[1] == NULL);
    json_decref(replies);
    http_resp_release(&resp);
    conf_release(&c);
}

static void test_kannel_push(void)
{
    struct conf c;
    struct out_item it = {.id = 1, .to = "+8613800000001", .text = "你好，世界", .idem_key = "k"};
    struct push_req req = {0};
    struct push_result res;
    char why[200] = "";
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_kannel.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/cgi-bin/sendsms?username=bot&password=bot%20pw%26"
                       "&from=10086&to=%2B8613800000001&text=%E4%BD%A0%E5%A5%BD%EF%BC%8C%E4%B8%96"
                       "%E7%95%8C&charset=UTF-8&coding=2");
    CHECK_STR(req.method, "GET");
    push_req_release(&req);
    chan_kannel.push_parse(&c, 202, "0: Accepted for delivery", NULL, &res);
    CHECK_INT(res.rc, SEND_OK);
    chan_kannel.push_parse(&c, 202, "3: Queued for later delivery", NULL, &res);
    CHECK_INT(res.rc, SEND_OK);
    chan_kannel.push_parse(&c, 503, "Temporal failure, try again later.", NULL, &res);
    CHECK_INT(res.rc, SEND_RETRY);
    chan_kannel.push_parse(&c, 403, "Authorization failed for sendsms", NULL, &res);
    CHECK_INT(res.rc, SEND_FAIL);
    chan_kannel.push_parse(&c, 400, "Sender missing and no global set, rejected", NULL, &res);
    CHECK_INT(res.rc, SEND_FAIL);
    conf_release(&c);
}

const struct t_case chan_kannel_tests[] = {T(test_kannel_fixtures), T(test_kannel_reply_header),
                                           T(test_kannel_push), T_END};
