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
    /* a lesson's extra: the link (already in the text) previewed large, above the text */
    it.text = "第3课\nhttps://e.org/v/03";
    it.extra = "{\"link\":\"https://e.org/v/03\",\"cover\":\"https://e.org/c.jpg\"}";
    CHECK_INT(chan_telegram.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.body, "{\"chat_id\":\"42\",\"text\":\"第3课\\nhttps://e.org/v/03\","
                        "\"link_preview_options\":{\"url\":\"https://e.org/v/03\","
                        "\"prefer_large_media\":true,\"show_above_text\":true}}");
    CHECK(strstr(req.body, "disable_web_page_preview") == NULL);
    CHECK(!req.is_article);
    CHECK_INT(chan_telegram.links(&c), LINKS_TEXT);
    push_req_release(&req);
    it.extra = NULL;
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

/* A photo: getFile, then the file at the file_path it gave; the answers
 * Telegram gives for a bad file_id or a bad path stop the download. */
static void test_telegram_media_request(void)
{
    struct conf c;
    struct media_step st = {.n = 0};
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_telegram.media_request(&c, "telegram:file/AgAD-big", &st), MEDIA_GET);
    CHECK_STR(st.req.url, "http://127.0.0.1:9/bot123:ABC/getFile?file_id=AgAD-big");
    CHECK_STR(st.req.method, "GET");
    CHECK(st.req.headers[0] == NULL);
    CHECK(st.is_api);
    push_req_release(&st.req);
    const char ok[] = "{\"ok\":true,\"result\":{\"file_id\":\"AgAD-big\",\"file_unique_id\":"
                      "\"b\",\"file_size\":822,\"file_path\":\"photos/file_7.jpg\"}}";
    st = (struct media_step){.n = 1, .status = 200, .body = ok, .len = strlen(ok)};
    CHECK_INT(chan_telegram.media_request(&c, "telegram:file/AgAD-big", &st), MEDIA_GET);
    CHECK_STR(st.req.url, "http://127.0.0.1:9/file/bot123:ABC/photos/file_7.jpg");
    CHECK(st.is_api);
    push_req_release(&st.req);
    /* the file's own answer (not an image) is judged as the photo */
    st = (struct media_step){.n = 2, .status = 200, .body = "<html>", .len = 6};
    CHECK_INT(chan_telegram.media_request(&c, "telegram:file/AgAD-big", &st), MEDIA_DONE);
    const char bad[] = "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
                       "invalid file_id\"}";
    st = (struct media_step){.n = 1, .status = 200, .body = bad, .len = strlen(bad)};
    CHECK_INT(chan_telegram.media_request(&c, "telegram:file/x", &st), MEDIA_FAIL);
    CHECK(strstr(st.why, "invalid file_id") != NULL);
    const char *const paths[] = {"../../etc/passwd", "/abs.jpg", "a.jpg?x=1", "", "a b.jpg"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char *body = xasprintf("{\"ok\":true,\"result\":{\"file_path\":\"%s\"}}", paths[i]);
        st = (struct media_step){.n = 1, .status = 200, .body = body, .len = strlen(body)};
        CHECK_INT(chan_telegram.media_request(&c, "telegram:file/x", &st), MEDIA_FAIL);
        CHECK(st.req.url == NULL);
        CHECK(strstr(st.why, "123:ABC") == NULL);
        free(body);
    }
    /* a file_id is URL-encoded; a reference that is not Telegram's is refused */
    st = (struct media_step){.n = 0};
    CHECK_INT(chan_telegram.media_request(&c, "telegram:file/a&b=c", &st), MEDIA_GET);
    CHECK_STR(st.req.url, "http://127.0.0.1:9/bot123:ABC/getFile?file_id=a%26b%3Dc");
    push_req_release(&st.req);
    st = (struct media_step){.n = 0};
    CHECK_INT(chan_telegram.media_request(&c, "http://127.0.0.1/x.jpg", &st), MEDIA_FAIL);
    conf_release(&c);
    /* no bot token: nothing to ask with */
    const char *const no_token[] = {"telegram.secret_token=s", NULL};
    CHECK_INT(chanfix_conf(&c, no_token), 0);
    st = (struct media_step){.n = 0};
    CHECK_INT(chan_telegram.media_request(&c, "telegram:file/x", &st), MEDIA_FAIL);
    CHECK(strstr(st.why, "token") != NULL);
    conf_release(&c);
}

const struct t_case chan_telegram_tests[] = {
    T(test_telegram_media_request), T(test_telegram_fixtures), T(test_telegram_push), T_END};
