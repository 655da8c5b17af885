/*
 * test_chan_wechat.c - the WeChat adapter: fixtures in tests/data/chan_wechat
 * (see chanfix.h), every worked example of channels.md §1 (signature
 * vectors, the AES vector with its fixed random bytes and msg_signature),
 * rejections (wrong AES key, truncated or badly padded ciphertext, XXE),
 * the encrypted reply, and the customer-service push with its token.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chanfix.h"
#include "channel.h"
#include "conf.h"
#include "outbox.h"
#include "t.h"
#include "util.h"
#include "wechat_crypto.h"

#define DIR "tests/data/chan_wechat"
#define DOC_ENCRYPT                                                                                \
    "Q3stYC6hdFzMh9T8HCvyDNc4Te10sIBQ2+qA3Q/WtO+XCFqjxtHH0tEOsGKFHYab+TOmM0E0iC527+fEz4zFYgjYqLhtEvob" \
    "g46XCYZUErcFFdvMSybKiDwsue/KNF90sNUUqsamoGOCDAfJ3jO40/jFVU4xFtlA1WyJxEsoLMwPuBxi/sHBvOx8UUhqIFBW" \
    "n7LMIh8mgx04SNAz6l0Rwrg/HT5jG+S2hJn3Ujfr3P2jX90apq3QWhXu1yIA5cVgsT+K8lP18fHwJpGBLjr+kmqkuGFzSywv" \
    "1aRagIyy1R6Q1VhYN1dvEcOqkpxrMmZBTPvn3x6FVxJp5JPaE/l2xA=="
#define DOC_REPLY                                                                                  \
    "<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_bot]]></"           \
    "FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></"                 \
    "MsgType><Content><![CDATA[你好]]></Content></xml>"
#define AES_KEY "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
#define APPID "wx1234567890abcdef"

static const char *const sets[] = {"wechat.token=xiangyang", "wechat.aes_key=" AES_KEY,
                                   "wechat.appid=" APPID, "wechat.appsecret=sec",
                                   "wechat.api_base=http://127.0.0.1:9", NULL};

static void test_wechat_fixtures(void)
{
    struct conf c;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK(chanfix_run_dir(&chan_wechat, &c, DIR) >= 40);
    conf_release(&c);
}

static void test_wechat_signature_vectors(void)
{
    char hex[41];
    const char *official[] = {"AAAAA", "1714036504", "1514711492"};
    wechat_signature(official, 3, hex);
    CHECK_STR(hex, "f464b24fc39322e44b38aa78f5edd27bd1441696");
    const char *ours[] = {"xiangyang", "1700000000", "12345"};
    wechat_signature(ours, 3, hex);
    CHECK_STR(hex, "9a21327631f0404549aa7b74b00276446727c928");
    const char *msg[] = {"xiangyang", "1700000000", "12345", DOC_ENCRYPT};
    wechat_signature(msg, 4, hex);
    CHECK_STR(hex, "6c8ad55cd23c3d0cb21f185589eedd93ff981ac2");
}

static void test_wechat_aes_vector(void)
{
    unsigned char key[32];
    char hexkey[65];
    char *msg = NULL, *b64 = NULL;
    size_t len = 0;
    const char *why = NULL;
    CHECK_INT(wechat_aes_key(AES_KEY, key), 0);
    for (int i = 0; i < 32; i++)
        snprintf(hexkey + 2 * i, 3, "%02x", key[i]);
    CHECK_STR(hexkey, "69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051");
    CHECK_INT(wechat_decrypt(key, DOC_ENCRYPT, APPID, &msg, &len, &why), 0);
    CHECK_INT(len, 207);
    CHECK_STR(msg, DOC_REPLY);
    b64 = wechat_encrypt(key, (const unsigned char *)"0123456789abcdef", DOC_REPLY,
                         strlen(DOC_REPLY), APPID);
    CHECK_STR(b64, DOC_ENCRYPT);
    CHECK_INT(strlen(b64), 344);
    free(msg);
    free(b64);
    /* the wrong AppID, a wrong key, malformed keys */
    msg = NULL;
    CHECK_INT(wechat_decrypt(key, DOC_ENCRYPT, "wx0000000000000000", &msg, &len, &why), -1);
    CHECK(msg == NULL);
    CHECK_INT(wechat_aes_key("short", key), -1);
    CHECK_INT(wechat_aes_key("abcdefghijklmnopqrstuvwxyz0123456789ABCDEF*", key), -1);
    CHECK_INT(wechat_aes_key("ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut", key), 0);
    CHECK_INT(wechat_decrypt(key, DOC_ENCRYPT, APPID, &msg, &len, &why), -1);
    CHECK(msg == NULL);
}

/* Secure-mode pushes checked with another EncodingAESKey: 400, nothing parsed. */
static void test_wechat_wrong_aes_key(void)
{
    struct conf c;
    const char *const other[] = {"wechat.token=xiangyang",
                                 "wechat.aes_key=ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut",
                                 "wechat.appid=" APPID, NULL};
    char *desc = NULL, *body = NULL;
    CHECK_INT(chanfix_conf(&c, other), 0);
    CHECK_INT(chanfix_parse_file(&chan_wechat, &c, DIR "/secure_text.req", &desc, &body), 400);
    CHECK(desc == NULL);
    free(desc);
    free(body);
    conf_release(&c);
    /* no aes_key at all: secure mode is refused */
    const char *const none[] = {"wechat.token=xiangyang", NULL};
    CHECK_INT(chanfix_conf(&c, none), 0);
    CHECK_INT(chanfix_parse_file(&chan_wechat, &c, DIR "/secure_text.req", &desc, &body), 403);
    free(desc);
    free(body);
    conf_release(&c);
    /* no token: the route is closed */
    CHECK_INT(chanfix_conf(&c, NULL), 0);
    CHECK_INT(chanfix_parse_file(&chan_wechat, &c, DIR "/text.req", &desc, &body), 403);
    free(desc);
    free(body);
    conf_release(&c);
}

/* With wechat.max_skew set, a correctly signed but old timestamp is refused. */
static void test_wechat_expired_timestamp(void)
{
    struct conf c;
    const char *const skew[] = {"wechat.token=xiangyang", "wechat.max_skew=300", NULL};
    char *desc = NULL, *body = NULL;
    CHECK_INT(chanfix_conf(&c, skew), 0);
    stub_clock_set(1700000000LL * 1000 + 299 * 1000);
    CHECK_INT(chanfix_parse_file(&chan_wechat, &c, DIR "/text.req", &desc, &body), 0);
    free(desc);
    free(body);
    stub_clock_set(1700000000LL * 1000 + 301 * 1000);
    CHECK_INT(chanfix_parse_file(&chan_wechat, &c, DIR "/text.req", &desc, &body), 403);
    CHECK_HAS(body, "timestamp");
    free(desc);
    free(body);
    conf_release(&c);
}

/* Between two tags of the reply envelope; a new string. */
static char *between(const char *s, const char *open, const char *close)
{
    const char *a = strstr(s, open), *b = a ? strstr(a + strlen(open), close) : NULL;
    return b ? xstrndup(a + strlen(open), (size_t)(b - a - strlen(open))) : NULL;
}

static void test_wechat_encrypted_reply(void)
{
    struct conf c;
    struct inmsg msg = {.channel = "wechat"};
    struct http_resp resp = {0};
    unsigned char key[32];
    char *plain = NULL, sig[41];
    size_t len = 0;
    const char *why = NULL;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    msg.user = xstrdup("oUser");
    msg.reply_ctx = xstrdup("gh_bot\n1\n1700000000\n12345");
    json_t *replies = json_pack("[{s:s}]", "text", "你好");
    chan_wechat.render(&c, &msg, replies, NULL, &resp);
    CHECK_INT(resp.status, 200);
    char *enc = between(resp.body, "<Encrypt><![CDATA[", "]]></Encrypt>");
    char *msig = between(resp.body, "<MsgSignature><![CDATA[", "]]></MsgSignature>");
    CHECK_HAS(resp.body, "<TimeStamp>1700000000</TimeStamp><Nonce><![CDATA[12345]]></Nonce></xml>");
    CHECK(enc != NULL && msig != NULL);
    if (enc != NULL && msig != NULL) {
        const char *parts[] = {"xiangyang", "1700000000", "12345", enc};
        wechat_signature(parts, 4, sig);
        CHECK_STR(msig, sig);
        CHECK_INT(wechat_aes_key(AES_KEY, key), 0);
        CHECK_INT(wechat_decrypt(key, enc, APPID, &plain, &len, &why), 0);
        CHECK_STR(plain, DOC_REPLY);
    }
    free(plain);
    free(enc);
    free(msig);
    json_decref(replies);
    http_resp_release(&resp);
    inmsg_release(&msg);
    conf_release(&c);
}

static void test_wechat_push(void)
{
    struct conf c;
    struct out_item it = {.id = 1, .to = "oUser", .text = "你好", .idem_key = "k1"};
    struct push_req req = {0};
    struct push_result res;
    char why[200] = "", tok[64];
    long long ttl = 0;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), PUSH_NEED_TOKEN);
    push_req_release(&req);
    req.token = "TOKEN-1";
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/cgi-bin/message/custom/send?access_token=TOKEN-1");
    CHECK_STR(req.body, "{\"touser\":\"oUser\",\"msgtype\":\"text\",\"text\":{\"content\":\"你好\"}}");
    push_req_release(&req);
    CHECK_INT(chan_wechat.token_build(&c, &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/cgi-bin/token?grant_type=client_credential"
                       "&appid=wx1234567890abcdef&secret=sec");
    CHECK_STR(req.method, "GET");
    push_req_release(&req);
    CHECK_INT(chan_wechat.token_parse(&c, 200, "{\"access_token\":\"ABC\",\"expires_in\":7200}", tok,
                                      sizeof tok, &ttl, why, sizeof why),
              0);
    CHECK_STR(tok, "ABC");
    CHECK_INT(ttl, 7200);
    CHECK_INT(chan_wechat.token_parse(&c, 200, "{\"errcode\":40013,\"errmsg\":\"invalid appid\"}",
                                      tok, sizeof tok, &ttl, why, sizeof why),
              -1);
    CHECK_HAS(why, "40013");
    /* answers: ok; stale token; busy; outside the 48 h window; HTTP 502 */
    chan_wechat.push_parse(&c, 200, "{\"errcode\":0,\"errmsg\":\"ok\"}", NULL, &res);
    CHECK_INT(res.rc, SEND_OK);
    const int stale[] = {40001, 40014, 42001};
    for (int i = 0; i < 3; i++) {
        char body[80];
        snprintf(body, sizeof body, "{\"errcode\":%d,\"errmsg\":\"x\"}", stale[i]);
        chan_wechat.push_parse(&c, 200, body, NULL, &res);
        CHECK_INT(res.rc, SEND_RETRY);
        CHECK(res.token_invalid);
    }
    chan_wechat.push_parse(&c, 200, "{\"errcode\":-1,\"errmsg\":\"busy\"}", NULL, &res);
    CHECK_INT(res.rc, SEND_RETRY);
    CHECK(!res.token_invalid);
    chan_wechat.push_parse(&c, 200, "{\"errcode\":45015,\"errmsg\":\"response out of time limit\"}",
                           NULL, &res);
    CHECK_INT(res.rc, SEND_FAIL);
    CHECK_HAS(res.error, "45015");
    chan_wechat.push_parse(&c, 200, "{\"errcode\":45047,\"errmsg\":\"out of limit\"}", NULL, &res);
    CHECK_INT(res.rc, SEND_FAIL);
    chan_wechat.push_parse(&c, 502, "bad gateway", NULL, &res);
    CHECK_INT(res.rc, SEND_RETRY);
    conf_release(&c);
    /* without appid/appsecret WeChat cannot push */
    CHECK_INT(chanfix_conf(&c, NULL), 0);
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), -1);
    CHECK_HAS(why, "appsecret");
    push_req_release(&req);
    conf_release(&c);
}

#define NEWS_TITLE "第1课 · 诸葛亮躬耕隆中"
#define NEWS_DESC "诸葛亮年轻时在襄阳城西的隆中住了十年左右，一边种地，一边读书。"
#define NEWS_URL "https://yizhan.example.org/v/01-gonggeng-longzhong"
#define NEWS_PIC "https://yizhan.example.org/img/01-gonggeng-longzhong.jpg"

/* Secure mode: the news reply is encrypted and signed like a text one. */
static void test_wechat_encrypted_news_reply(void)
{
    struct conf c;
    struct inmsg msg = {.channel = "wechat"};
    struct http_resp resp = {0};
    unsigned char key[32];
    char *plain = NULL, sig[41];
    size_t len = 0;
    const char *why = NULL;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    msg.user = xstrdup("oUser");
    msg.reply_ctx = xstrdup("gh_bot\n1\n1700000000\n12345");
    json_t *replies = json_pack("[{s:s,s:s,s:s,s:s,s:s}]", "text", "card", "title", NEWS_TITLE,
                                "summary", NEWS_DESC, "link", NEWS_URL, "cover", NEWS_PIC);
    chan_wechat.render(&c, &msg, replies, NULL, &resp);
    CHECK_INT(resp.status, 200);
    char *enc = between(resp.body, "<Encrypt><![CDATA[", "]]></Encrypt>");
    char *msig = between(resp.body, "<MsgSignature><![CDATA[", "]]></MsgSignature>");
    CHECK(enc != NULL && msig != NULL);
    if (enc != NULL && msig != NULL) {
        const char *parts[] = {"xiangyang", "1700000000", "12345", enc};
        wechat_signature(parts, 4, sig);
        CHECK_STR(msig, sig);
        CHECK_INT(wechat_aes_key(AES_KEY, key), 0);
        CHECK_INT(wechat_decrypt(key, enc, APPID, &plain, &len, &why), 0);
        CHECK_STR(plain, "<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA["
                         "gh_bot]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><!["
                         "CDATA[news]]></MsgType><ArticleCount>1</ArticleCount><Articles><item>"
                         "<Title><![CDATA[" NEWS_TITLE "]]></Title><Description><![CDATA[" NEWS_DESC
                         "]]></Description><PicUrl><![CDATA[" NEWS_PIC
                         "]]></PicUrl><Url><![CDATA[" NEWS_URL "]]></Url></item></Articles></xml>");
    }
    free(plain);
    free(enc);
    free(msig);
    json_decref(replies);
    http_resp_release(&resp);
    inmsg_release(&msg);
    conf_release(&c);
}

/* A row with a lesson's extra: first the customer-service news article
 * (is_article), then, once article_sent, the text; the template fallback
 * carries the text. No cover: text only. */
static void test_wechat_push_news_then_text(void)
{
    struct conf c;
    const char *extra = "{\"link\":\"" NEWS_URL "\",\"cover\":\"" NEWS_PIC
                        "\",\"title\":\"" NEWS_TITLE "\",\"summary\":\"" NEWS_DESC "\"}";
    struct out_item it = {
        .id = 1, .to = "oUser", .text = "今日微课", .idem_key = "k1", .extra = (char *)extra};
    struct push_req req = {.token = "TOKEN-1"};
    char why[200] = "";
    const char *const tsets[] = {"wechat.appid=" APPID, "wechat.appsecret=sec",
                                 "wechat.api_base=http://127.0.0.1:9", "wechat.template_id=TPL-1",
                                 NULL};
    CHECK_INT(chanfix_conf(&c, tsets), 0);
    CHECK_INT(chan_wechat.links(&c), LINKS_ARTICLE);
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/cgi-bin/message/custom/send?access_token=TOKEN-1");
    CHECK_STR(req.body, "{\"touser\":\"oUser\",\"msgtype\":\"news\",\"news\":{\"articles\":[{"
                        "\"title\":\"" NEWS_TITLE "\",\"description\":\"" NEWS_DESC
                        "\",\"url\":\"" NEWS_URL "\",\"picurl\":\"" NEWS_PIC "\"}]}}");
    CHECK(req.is_article);
    push_req_release(&req);
    it.article_sent = true;
    req.token = "TOKEN-1";
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.body, "{\"touser\":\"oUser\",\"msgtype\":\"text\",\"text\":{\"content\":"
                        "\"今日微课\"}}");
    CHECK(!req.is_article);
    push_req_release(&req);
    it.article_sent = false;
    it.fallback = true;
    req.token = "TOKEN-1";
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_HAS(req.url, "/cgi-bin/message/template/send");
    CHECK(!req.is_article);
    push_req_release(&req);
    it.fallback = false;
    it.extra = "{\"link\":\"" NEWS_URL "\",\"title\":\"t\"}";
    req.token = "TOKEN-1";
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_HAS(req.body, "\"msgtype\":\"text\"");
    CHECK(!req.is_article);
    push_req_release(&req);
    conf_release(&c);
    /* passive replies only: links go in the text */
    CHECK_INT(chanfix_conf(&c, NULL), 0);
    CHECK_INT(chan_wechat.links(&c), LINKS_TEXT);
    conf_release(&c);
}

/* Photos: PicUrl is a plain GET; a MediaId goes through media/get with the
 * access_token, whose JSON errors stop or retry the download. */
static void test_wechat_media_request(void)
{
    struct conf c;
    struct media_step st = {.n = 0};
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_wechat.media_request(&c, "http://mmbiz.qpic.cn/mmbiz/abc/0", &st), MEDIA_GET);
    CHECK_STR(st.req.url, "http://mmbiz.qpic.cn/mmbiz/abc/0");
    CHECK(!st.is_api);
    CHECK(st.req.headers[0] == NULL);
    push_req_release(&st.req);
    st = (struct media_step){.n = 1, .status = 200, .body = "{\"errcode\":1}", .len = 13};
    CHECK_INT(chan_wechat.media_request(&c, "http://mmbiz.qpic.cn/mmbiz/abc/0", &st), MEDIA_DONE);
    /* MediaId: first the token */
    st = (struct media_step){.n = 0};
    CHECK_INT(chan_wechat.media_request(&c, "wechat:media/media_id_2", &st), MEDIA_NEED_TOKEN);
    CHECK(st.req.url == NULL);
    st = (struct media_step){.n = 0, .token = "TOK+1"};
    CHECK_INT(chan_wechat.media_request(&c, "wechat:media/media_id_2", &st), MEDIA_GET);
    CHECK_STR(st.req.url,
              "http://127.0.0.1:9/cgi-bin/media/get?access_token=TOK%2B1&media_id=media_id_2");
    CHECK(st.is_api);
    push_req_release(&st.req);
    static const struct {
        const char *body;
        int rc;
        bool stale;
        const char *why;
    } answers[] = {
        {"{\"errcode\":40007,\"errmsg\":\"invalid media_id\"}", MEDIA_FAIL, false, "40007"},
        {"{\"errcode\":40001,\"errmsg\":\"invalid credential\"}", MEDIA_RETRY, true, "40001"},
        {"{\"errcode\":42001,\"errmsg\":\"access_token expired\"}", MEDIA_RETRY, true, "42001"},
        {"{\"errcode\":-1,\"errmsg\":\"system busy\"}", MEDIA_RETRY, false, "-1"},
        {"{\"video_url\":\"http://x/v.mp4\"}", MEDIA_FAIL, false, "not a photo"},
        {"<html>oops</html>", MEDIA_DONE, false, ""},
    };
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        st = (struct media_step){.n = 1,
                                 .token = "TOK",
                                 .status = 200,
                                 .body = answers[i].body,
                                 .len = strlen(answers[i].body)};
        CHECK_INT(chan_wechat.media_request(&c, "wechat:media/m", &st), answers[i].rc);
        CHECK(st.token_invalid == answers[i].stale);
        CHECK(strstr(st.why, answers[i].why) != NULL);
        CHECK(strstr(st.why, "TOK") == NULL);
    }
    conf_release(&c);
    /* without appid and appsecret there is no token to get */
    const char *const bare[] = {"wechat.token=xiangyang", NULL};
    CHECK_INT(chanfix_conf(&c, bare), 0);
    st = (struct media_step){.n = 0};
    CHECK_INT(chan_wechat.media_request(&c, "wechat:media/m", &st), MEDIA_FAIL);
    conf_release(&c);
}

/* Outside the 48-hour window (45015, 45047) a configured template takes over:
 * push_parse asks for the fallback, push_build then builds template/send. */
static void test_wechat_template_fallback(void)
{
    struct conf c;
    const char *const tsets[] = {"wechat.appid=" APPID, "wechat.appsecret=sec",
                                 "wechat.api_base=http://127.0.0.1:9", "wechat.template_id=TPL-1",
                                 NULL};
    struct out_item it = {.id = 1, .to = "oUser", .text = "你的报名已确认", .fallback = true};
    struct push_req req = {.token = "TOKEN-1"};
    struct push_result res;
    char why[200] = "";
    CHECK_INT(chanfix_conf(&c, tsets), 0);
    chan_wechat.push_parse(&c, 200, "{\"errcode\":45015,\"errmsg\":\"response out of time limit\"}",
                           NULL, &res);
    CHECK_INT(res.rc, SEND_FAIL);
    CHECK(res.fallback);
    chan_wechat.push_parse(&c, 200, "{\"errcode\":45047,\"errmsg\":\"out of limit\"}", NULL, &res);
    CHECK(res.fallback);
    chan_wechat.push_parse(&c, 200, "{\"errcode\":40003,\"errmsg\":\"invalid openid\"}", NULL, &res);
    CHECK(!res.fallback);
    CHECK_INT(chan_wechat.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/cgi-bin/message/template/send?access_token=TOKEN-1");
    CHECK_STR(req.body, "{\"touser\":\"oUser\",\"template_id\":\"TPL-1\",\"data\":{\"keyword1\":"
                        "{\"value\":\"你的报名已确认\"}}}");
    push_req_release(&req);
    conf_release(&c);
    /* no template configured: no fallback */
    CHECK_INT(chanfix_conf(&c, sets), 0);
    chan_wechat.push_parse(&c, 200, "{\"errcode\":45015,\"errmsg\":\"x\"}", NULL, &res);
    CHECK(!res.fallback);
    conf_release(&c);
}

const struct t_case chan_wechat_tests[] = {
    T(test_wechat_fixtures),
    T(test_wechat_media_request),
    T(test_wechat_encrypted_news_reply),
    T(test_wechat_push_news_then_text),
    T(test_wechat_signature_vectors),
    T(test_wechat_aes_vector),
    T(test_wechat_wrong_aes_key),
    T(test_wechat_expired_timestamp),
    T(test_wechat_encrypted_reply),
    T(test_wechat_push),
    T(test_wechat_template_fallback),
    T_END};
