/*
 * test_chan_generic.c - the generic JSON channel. Fixtures in
 * tests/data/chan_generic/: NAME.json is a request body, NAME.expect either
 * the parsed message one field per line (ext_id, user, name, text, media,
 * location; text escapes \n and \\) or "status: N" and "error: substring".
 * Plus the X-Yizhan-Signature check and the rendered reply.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "outbox.h"
#include "t.h"
#include "util.h"

#define FIXTURES "tests/data/chan_generic"

struct hdr {
    const char *name, *value;
};

/* Header lookup over a NULL-terminated table (ctx), case-insensitive. */
static const char *table_header(void *ctx, const char *name)
{
    for (const struct hdr *h = ctx; h != NULL && h->name != NULL; h++)
        if (strcasecmp(h->name, name) == 0)
            return h->value;
    return NULL;
}

static const char *no_arg(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static struct http_req make_req(const char *body, size_t len, struct hdr *headers)
{
    struct http_req r = {.method = "POST",
                         .path = "/webhook/generic",
                         .body = body,
                         .len = len,
                         .remote_ip = "127.0.0.1",
                         .header = table_header,
                         .arg = no_arg,
                         .ctx = headers};
    return r;
}

static int conf_with(struct conf *c, const char *set)
{
    struct buf errs;
    char *sets[] = {(char *)set};
    buf_init(&errs, 0);
    int rc = conf_load(c, NULL, sets, set ? 1 : 0, &errs);
    CHECK_STR(errs.data ? errs.data : "", "");
    buf_release(&errs);
    return rc;
}

static void put_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            buf_puts(b, "\\n");
        else if (*s == '\\')
            buf_puts(b, "\\\\");
        else
            buf_append(b, s, 1);
    }
}

/* The parsed message in .expect form (caller frees). */
static char *describe(const struct inmsg *m)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, "ext_id: %s\nuser: %s\n", m->ext_id, m->user);
    if (m->name != NULL)
        buf_printf(&b, "name: %s\n", m->name);
    if (m->text != NULL) {
        buf_puts(&b, "text: ");
        put_escaped(&b, m->text);
        buf_puts(&b, "\n");
    }
    for (int i = 0; i < m->nmedia; i++)
        buf_printf(&b, "media: %s%s%s\n", m->media[i].url, m->media[i].type ? " " : "",
                   m->media[i].type ? m->media[i].type : "");
    if (m->has_location)
        buf_printf(&b, "location: %.10g %.10g\n", m->lat, m->lon);
    return buf_take(&b);
}

/* Check one fixture; prints its name when it fails. */
static void check_fixture(const struct conf *c, const char *name)
{
    char *jpath = xasprintf("%s/%s.json", FIXTURES, name);
    char *epath = xasprintf("%s/%s.expect", FIXTURES, name);
    size_t blen = 0, elen = 0;
    char *body = t_slurp(jpath, &blen), *expect = t_slurp(epath, &elen);
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int before = t_failed;
    CHECK(body != NULL);
    CHECK(expect != NULL);
    if (body == NULL || expect == NULL)
        goto out;
    struct http_req req = make_req(body, blen, NULL);
    int status = chan_generic.parse(c, &req, &msg, &resp);
    int want_status = 0;
    if (sscanf(expect, "status: %d", &want_status) == 1) {
        CHECK_INT(status, want_status);
        CHECK(msg.ext_id == NULL && msg.user == NULL && msg.text == NULL && msg.nmedia == 0);
        const char *err = strstr(expect, "\nerror: ");
        CHECK(err != NULL);
        json_t *o = resp.body ? json_loads(resp.body, 0, NULL) : NULL;
        const char *got = json_string_value(json_object_get(o, "error"));
        if (err != NULL) {
            char *want = xstrndup(err + 8, strcspn(err + 8, "\n"));
            CHECK_HAS(got, want);
            free(want);
        }
        json_decref(o);
    } else {
        CHECK_INT(status, 0);
        CHECK_STR(msg.channel, "generic");
        char *got = describe(&msg);
        CHECK_STR(got, expect);
        free(got);
    }
out:
    if (t_failed != before)
        printf("%s: fixture %s\n", t_current, jpath);
    inmsg_release(&msg);
    http_resp_release(&resp);
    free(body);
    free(expect);
    free(jpath);
    free(epath);
}

static int json_filter(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

static void test_chan_generic_fixtures(void)
{
    struct conf c;
    struct dirent **names = NULL;
    CHECK_INT(conf_with(&c, NULL), 0);
    int n = scandir(FIXTURES, &names, json_filter, alphasort);
    CHECK(n >= 18);
    for (int i = 0; i < n; i++) {
        char *name = xstrndup(names[i]->d_name, strlen(names[i]->d_name) - 5);
        check_fixture(&c, name);
        free(name);
        free(names[i]);
    }
    free(names);
    conf_release(&c);
}

static const char signed_body[] = "{\"id\": \"m-9\", \"from\": \"u-9\", \"text\": \"积分\"}";

/* Parse signed_body with this signature header value (NULL: no header). */
static int parse_signed(const struct conf *c, const char *sig, struct inmsg *msg,
                        struct http_resp *resp)
{
    struct hdr headers[] = {
        {"Content-Type", "application/json"}, {"x-yizhan-signature", sig}, {NULL, NULL}};
    if (sig == NULL)
        headers[1].name = NULL;
    struct http_req req = make_req(signed_body, strlen(signed_body), headers);
    return chan_generic.parse(c, &req, msg, resp);
}

static void test_chan_generic_signature(void)
{
    struct conf c;
    char hex[65], *sig = NULL;
    CHECK_INT(conf_with(&c, "generic.secret=s3cret"), 0);
    crypto_hmac_sha256_hex("s3cret", 6, signed_body, strlen(signed_body), hex);
    CHECK_INT(strlen(hex), 64);

    /* the right signature, lower and upper case hex */
    for (int upper = 0; upper < 2; upper++) {
        struct inmsg msg = {0};
        struct http_resp resp = {0};
        free(sig);
        sig = xasprintf("sha256=%s", hex);
        if (upper)
            for (char *p = sig + 7; *p; p++)
                if (*p >= 'a' && *p <= 'f')
                    *p = (char)(*p - 'a' + 'A');
        CHECK_INT(parse_signed(&c, sig, &msg, &resp), 0);
        CHECK_STR(msg.ext_id, "m-9");
        CHECK_STR(msg.text, "积分");
        inmsg_release(&msg);
        http_resp_release(&resp);
    }

    /* wrong, missing, another algorithm, truncated: 401 and nothing parsed */
    char wrong[65];
    memcpy(wrong, hex, sizeof wrong);
    wrong[10] = wrong[10] == '0' ? '1' : '0';
    char *bad[5];
    bad[0] = xasprintf("sha256=%s", wrong);
    bad[1] = NULL;
    bad[2] = xasprintf("sha1=%s", hex);
    bad[3] = xasprintf("sha256=%.63s", hex);
    bad[4] = xasprintf("%s", hex);
    for (int i = 0; i < 5; i++) {
        struct inmsg msg = {0};
        struct http_resp resp = {0};
        CHECK_INT(parse_signed(&c, bad[i], &msg, &resp), 401);
        CHECK_INT(resp.status, 401);
        CHECK_HAS(resp.body, "X-Yizhan-Signature");
        CHECK(msg.ext_id == NULL && msg.user == NULL && msg.text == NULL);
        inmsg_release(&msg);
        http_resp_release(&resp);
        free(bad[i]);
    }

    /* the signature covers the body: the same header on another body fails */
    {
        struct inmsg msg = {0};
        struct http_resp resp = {0};
        const char other[] = "{\"id\": \"m-9\", \"from\": \"u-9\", \"text\": \"退订\"}";
        struct hdr headers[] = {{"X-Yizhan-Signature", sig}, {NULL, NULL}};
        struct http_req req = make_req(other, strlen(other), headers);
        CHECK_INT(chan_generic.parse(&c, &req, &msg, &resp), 401);
        CHECK(msg.ext_id == NULL);
        inmsg_release(&msg);
        http_resp_release(&resp);
    }
    free(sig);
    conf_release(&c);
}

/* Without a secret, unsigned requests are accepted and a stray header is ignored. */
static void test_chan_generic_no_secret_accepts_unsigned(void)
{
    struct conf c;
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    CHECK_INT(conf_with(&c, NULL), 0);
    CHECK_INT(parse_signed(&c, "sha256=nonsense", &msg, &resp), 0);
    CHECK_STR(msg.user, "u-9");
    inmsg_release(&msg);
    http_resp_release(&resp);
    conf_release(&c);
}

static void test_chan_generic_render(void)
{
    struct conf c;
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    CHECK_INT(conf_with(&c, NULL), 0);
    json_t *replies = json_pack("[{s:s}]", "text", "你好");
    chan_generic.render(&c, &msg, replies, NULL, &resp);
    CHECK_INT(resp.status, 200);
    CHECK_STR(resp.body, "{\"replies\":[{\"text\":\"你好\"}]}");
    CHECK_INT(resp.len, strlen("{\"replies\":[{\"text\":\"你好\"}]}"));
    CHECK_STR(resp.content_type, "application/json; charset=utf-8");
    CHECK_INT(replies->refcount, 1); /* render borrowed it */
    /* with the engine's stored JSON of the same replies: the same bytes */
    char *stored = json_dumps(replies, JSON_COMPACT);
    struct http_resp again = {0};
    chan_generic.render(&c, &msg, replies, stored, &again);
    CHECK_INT(again.status, 200);
    CHECK_INT(again.len, resp.len);
    CHECK(again.body != NULL && resp.body != NULL && memcmp(again.body, resp.body, resp.len) == 0);
    free(stored);
    http_resp_release(&again);
    json_decref(replies);
    http_resp_release(&resp);
    conf_release(&c);
}

/* A push with a lesson's extra passes link and cover on, as the in-band reply does. */
static void test_chan_generic_push_extra(void)
{
    struct conf c;
    struct out_item it = {.id = 1,
                          .to = "u-1",
                          .text = "第3课",
                          .idem_key = "k1",
                          .extra =
                              "{\"link\":\"https://e.org/v\",\"cover\":\"https://e.org/c.jpg\","
                              "\"title\":\"t\"}"};
    struct push_req req = {0};
    char why[200] = "";
    CHECK_INT(conf_with(&c, "generic.outbound_url=http://127.0.0.1:9/out"), 0);
    CHECK_INT(chan_generic.push_build(&c, &it, it.text, &req, why, sizeof why), 0);
    CHECK_STR(req.body, "{\"id\":\"k1\",\"to\":\"u-1\",\"text\":\"第3课\",\"link\":\"https://"
                        "e.org/v\",\"cover\":\"https://e.org/c.jpg\"}");
    CHECK_INT(channel_links(&chan_generic, &c), LINKS_FIELDS);
    push_req_release(&req);
    conf_release(&c);
}

static void test_chan_generic_table(void)
{
    CHECK(channel_by_route("/webhook/generic") == &chan_generic);
    CHECK(channel_by_name("generic") == &chan_generic);
    CHECK(channel_by_route("/webhook/nope") == NULL);
    struct conf c;
    CHECK_INT(conf_with(&c, "generic.max_reply_chars=70"), 0);
    CHECK_INT(chan_generic.max_reply(&c), 70);
    conf_release(&c);
}

const struct t_case chan_generic_tests[] = {T(test_chan_generic_fixtures),
                                            T(test_chan_generic_signature),
                                            T(test_chan_generic_no_secret_accepts_unsigned),
                                            T(test_chan_generic_render),
                                            T(test_chan_generic_push_extra),
                                            T(test_chan_generic_table),
                                            T_END};
