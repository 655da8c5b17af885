/*
 * test_chan_twilio.c - the Twilio adapter: fixtures in tests/data/chan_twilio
 * (signed by gen.py; see chanfix.h), Twilio's own documented signature
 * vector, the cut length, and the Messages API push.
 */
#include <stdlib.h>
#include <string.h>

#include "chanfix.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "outbox.h"
#include "t.h"
#include "util.h"

#define DIR "tests/data/chan_twilio"

static const char *const sets[] = {
    "twilio.auth_token=my_auth_token_123", "twilio.public_url=https://bot.example.com/sms/twilio",
    "twilio.account_sid=AC00000000000000000000000000000001", "twilio.from=+15005550006",
    "twilio.api_base=http://127.0.0.1:9", NULL};

static void test_twilio_fixtures(void)
{
    struct conf c;
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK(chanfix_run_dir(&chan_twilio, &c, DIR) >= 14);
    CHECK_INT(chan_twilio.max_reply(&c), 3 * 67);
    CHECK(chan_twilio.is_sms);
    conf_release(&c);
}

/* Twilio's documented example (§3.2): with the right signature the request
 * passes the check and only then fails for want of a MessageSid (400); one
 * changed character in the signature gives 403. */
static void test_twilio_documented_vector(void)
{
    struct conf c;
    const char *const doc[] = {"twilio.auth_token=12345",
                               "twilio.public_url=https://mycompany.com/myapp.php?foo=1&bar=2",
                               NULL};
    const char body[] = "CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234"
                        "&From=%2B14158675309&To=%2B18005551212";
    const char *sigs[] = {"RSOYDt4T1cUTdK1PDd93/VVr8B8=", "RSOYDt4T1cUTdK1PDd93/VVr8B9="};
    const int want[] = {400, 403};
    CHECK_INT(chanfix_conf(&c, doc), 0);
    for (int i = 0; i < 2; i++) {
        char *path = xasprintf("%s/vector.req", t_tmpdir());
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (f == NULL)
            return;
        fprintf(f, "POST /webhook/twilio\nX-Twilio-Signature: %s\n\n%s", sigs[i], body);
        fclose(f);
        char *desc = NULL, *resp = NULL;
        CHECK_INT(chanfix_parse_file(&chan_twilio, &c, path, &desc, &resp), want[i]);
        if (i == 0)
            CHECK_HAS(resp, "MessageSid");
        free(desc);
        free(resp);
        free(path);
    }
    conf_release(&c);
}

static void test_twilio_push(void)
{
    struct conf c;
    struct out_item it = {.id = 1, .to = "+8613800000001", .text = "你好 & bye", .idem_key = "k"};
    struct push_req req = {0};
    struct push_result res;
    char why[200] = "";
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_twilio.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.url, "http://127.0.0.1:9/2010-04-01/Accounts/AC00000000000000000000000000000001"
                       "/Messages.json");
    CHECK_STR(req.body, "To=%2B8613800000001&From=%2B15005550006&Body=%E4%BD%A0%E5%A5%BD%20%26%20bye"
                        "&StatusCallback=https%3A%2F%2Fbot.example.com%2Fsms%2Ftwilio%2Fstatus");
    CHECK_STR(req.headers[0], "Content-Type: application/x-www-form-urlencoded");
    /* base64("AC00000000000000000000000000000001:my_auth_token_123") */
    CHECK_STR(req.headers[1], "Authorization: Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"
                              "MTpteV9hdXRoX3Rva2VuXzEyMw==");
    push_req_release(&req);
    chan_twilio.push_parse(&c, 201, "{\"sid\":\"SMabc\",\"status\":\"queued\"}", NULL, &res);
    CHECK_INT(res.rc, SEND_OK);
    CHECK_STR(res.ext_id, "SMabc");
    chan_twilio.push_parse(&c, 429, "{\"code\":20429}", "3", &res);
    CHECK_INT(res.rc, SEND_RETRY);
    CHECK_INT(res.retry_after_ms, 3000);
    chan_twilio.push_parse(&c, 400, "{\"code\":21211,\"message\":\"invalid To\"}", NULL, &res);
    CHECK_INT(res.rc, SEND_FAIL);
    conf_release(&c);
}

/* MediaUrlN: Basic auth for URLs on the configured api_base only. */
static void test_twilio_media_request(void)
{
    struct conf c;
    struct media_step st = {.n = 0};
    const char *url = "http://127.0.0.1:9/2010-04-01/Accounts/AC00000000000000000000000000000001"
                      "/Messages/MM1/Media/ME1";
    CHECK_INT(chanfix_conf(&c, sets), 0);
    CHECK_INT(chan_twilio.media_request(&c, url, &st), MEDIA_GET);
    CHECK_STR(st.req.url, url);
    CHECK_STR(st.req.method, "GET");
    CHECK_STR(st.req.headers[0], "Authorization: Basic QUMwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"
                                 "MDAwMTpteV9hdXRoX3Rva2VuXzEyMw==");
    CHECK(st.req.headers[1] == NULL);
    CHECK(st.is_api);
    push_req_release(&st.req);
    st = (struct media_step){.n = 1, .status = 200, .body = "x", .len = 1};
    CHECK_INT(chan_twilio.media_request(&c, url, &st), MEDIA_DONE);
    /* elsewhere (another host, or a host that only starts like ours): no
     * credentials, and the address guard applies */
    const char *const other[] = {"https://evil.example.com/2010-04-01/x",
                                 "http://127.0.0.1:90/2010-04-01/x", "http://127.0.0.1:9"};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        st = (struct media_step){.n = 0};
        CHECK_INT(chan_twilio.media_request(&c, other[i], &st), MEDIA_GET);
        CHECK_STR(st.req.url, other[i]);
        CHECK(st.req.headers[0] == NULL);
        CHECK(!st.is_api);
        push_req_release(&st.req);
    }
    conf_release(&c);
    /* on our host without credentials: refused rather than sent unauthenticated */
    const char *const no_sid[] = {"twilio.auth_token=t", "twilio.api_base=http://127.0.0.1:9",
                                  NULL};
    CHECK_INT(chanfix_conf(&c, no_sid), 0);
    st = (struct media_step){.n = 0};
    CHECK_INT(chan_twilio.media_request(&c, url, &st), MEDIA_FAIL);
    CHECK(st.req.url == NULL);
    conf_release(&c);
}

/* Parse a request signed over signed_url through ch under public_url; the status. */
static int signed_req(const struct channel *ch, const char *public_url, const char *path,
                      const char *signed_url, const char *body, const char *params)
{
    struct conf c;
    char *pu = xasprintf("twilio.public_url=%s", public_url);
    const char *const cs[] = {"twilio.auth_token=my_auth_token_123", pu, NULL};
    char sig[29];
    char *data = xasprintf("%s%s", signed_url, params);
    crypto_hmac_sha1_b64("my_auth_token_123", 17, data, strlen(data), sig);
    CHECK_INT(chanfix_conf(&c, cs), 0);
    char *file = xasprintf("%s/signed.req", t_tmpdir());
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f != NULL) {
        fprintf(f, "POST %s\nX-Twilio-Signature: %s\n\n%s", path, sig, body);
        fclose(f);
    }
    char *desc = NULL;
    int rc = chanfix_parse_file(ch, &c, file, &desc, NULL);
    free(desc);
    free(file);
    free(data);
    free(pu);
    conf_release(&c);
    return rc;
}

/* A public_url with a query string: StatusCallback gets /status in the path,
 * before the query, and a callback signed over that URL is accepted. */
static void test_twilio_status_callback_with_query(void)
{
    struct conf c;
    const char *const q[] = {"twilio.auth_token=my_auth_token_123",
                             "twilio.public_url=https://bot.example.com/sms/twilio?acct=7&k=a%20b",
                             "twilio.account_sid=AC1", "twilio.from=+15005550006", NULL};
    struct out_item it = {.id = 1, .to = "+8613800000001", .text = "hi", .idem_key = "k"};
    struct push_req req = {0};
    char why[200] = "";
    CHECK_INT(chanfix_conf(&c, q), 0);
    CHECK_INT(chan_twilio.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_HAS(req.body, "&StatusCallback=https%3A%2F%2Fbot.example.com%2Fsms%2Ftwilio%2Fstatus"
                        "%3Facct%3D7%26k%3Da%2520b");
    push_req_release(&req);
    conf_release(&c);
    const char body[] = "MessageSid=SM99&MessageStatus=delivered&To=%2B8613800000001";
    const char params[] = "MessageSidSM99MessageStatusdeliveredTo+8613800000001";
    CHECK_INT(signed_req(&chan_twilio_status, "https://bot.example.com/sms/twilio?acct=7",
                         "/webhook/twilio/status?acct=7",
                         "https://bot.example.com/sms/twilio/status?acct=7", body, params),
              0);
    CHECK_INT(signed_req(&chan_twilio_status, "https://bot.example.com/sms/twilio?acct=7",
                         "/webhook/twilio/status?acct=7",
                         "https://bot.example.com/sms/twilio?acct=7/status", body, params),
              403);
}

/* As twilio's validateRequest: the URL signed with or without the scheme's
 * default port passes, whichever way public_url is written; another port
 * does not. */
static void test_twilio_signature_default_port(void)
{
    const char body[] = "MessageSid=SM1&From=%2B8613800000001&Body=hi";
    const char p2[] = "BodyhiFrom+8613800000001MessageSidSM1";
    static const char *const ok[][2] = {
        {"https://bot.example.com/sms/twilio", "https://bot.example.com:443/sms/twilio"},
        {"https://bot.example.com:443/sms/twilio", "https://bot.example.com/sms/twilio"},
        {"http://bot.example.com/sms?x=1", "http://bot.example.com:80/sms?x=1"},
        {"https://u:p@bot.example.com/sms", "https://u:p@bot.example.com:443/sms"},
        {"https://[2001:db8::1]/sms", "https://[2001:db8::1]:443/sms"},
        {"https://bot.example.com", "https://bot.example.com:443"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        CHECK_INT(signed_req(&chan_twilio, ok[i][0], "/webhook/twilio", ok[i][0], body, p2), 0);
        CHECK_INT(signed_req(&chan_twilio, ok[i][0], "/webhook/twilio", ok[i][1], body, p2), 0);
    }
    static const char *const bad[][2] = {
        {"https://bot.example.com/sms/twilio", "https://bot.example.com:8443/sms/twilio"},
        {"https://bot.example.com/sms/twilio", "https://bot.example.com:80/sms/twilio"},
        {"https://bot.example.com:8443/sms", "https://bot.example.com/sms"},
        {"http://bot.example.com/sms", "http://bot.example.com:443/sms"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(signed_req(&chan_twilio, bad[i][0], "/webhook/twilio", bad[i][1], body, p2), 403);
}

const struct t_case chan_twilio_tests[] = {T(test_twilio_fixtures),
                                           T(test_twilio_documented_vector), T(test_twilio_push),
                                           T(test_twilio_media_request),
                                           T(test_twilio_status_callback_with_query),
                                           T(test_twilio_signature_default_port), T_END};
