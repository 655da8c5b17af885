/*
 * fz_wechat.c - the whole WeChat parse (chan_wechat.parse, then render) with
 * signatures the harness computes, so every input passes the check and reaches
 * the XML and AES code. The first byte picks the path: 0 GET with the rest as
 * echostr; 1 plain POST, the rest the body; 2 secure POST, the rest the inner
 * XML, encrypted here; 3 secure POST, the rest the outer body, signed over the
 * text between its first <Encrypt> and </Encrypt> (CDATA unwrapped). Only
 * there may the signature miss (expat reads the field differently): modes 0-2
 * must never answer 403, and a turn is always rendered to a 200.
 */
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "conf.h"
#include "fuzz.h"
#include "msg.h"
#include "util.h"
#include "wechat_crypto.h"

#define TOKEN "xiangyang"
#define TS "1700000000"
#define NONCE "12345"
#define APPID "wx1234567890abcdef"

static struct conf c;
static unsigned char key[32];

struct args {
    const char *signature, *msg_signature, *echostr, *encrypt_type;
};

static const char *arg(void *ctx, const char *name)
{
    const struct args *a = ctx;
    if (strcmp(name, "signature") == 0)
        return a->signature;
    if (strcmp(name, "timestamp") == 0)
        return TS;
    if (strcmp(name, "nonce") == 0)
        return NONCE;
    if (strcmp(name, "msg_signature") == 0)
        return a->msg_signature;
    if (strcmp(name, "echostr") == 0)
        return a->echostr;
    if (strcmp(name, "encrypt_type") == 0)
        return a->encrypt_type;
    return NULL;
}

static const char *header(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

/* The Encrypt text of an outer body as the adapter will read it, or "". */
static char *encrypt_field(const char *body)
{
    const char *s = strstr(body, "<Encrypt>"), *e;
    if (s == NULL || (e = strstr(s + 9, "</Encrypt>")) == NULL)
        return xstrdup("");
    s += 9;
    if (e - s >= 12 && memcmp(s, "<![CDATA[", 9) == 0 && memcmp(e - 3, "]]>", 3) == 0)
        return xstrndup(s + 9, (size_t)(e - s) - 12);
    return xstrndup(s, (size_t)(e - s));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const sets[] = {"wechat.token=" TOKEN,
                                       "wechat.aes_key=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
                                       "wechat.appid=" APPID, NULL};
    (void)argc;
    (void)argv;
    fuzz_setup();
    fuzz_conf(&c, sets);
    if (wechat_aes_key(c.wechat.aes_key, key) == -1)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 4;
    char *in = fuzz_str(data + 1, size - 1), *body = NULL, *enc = NULL;
    const char *parts[4] = {TOKEN, TS, NONCE, NULL};
    char sig[41], msig[41];
    struct args a = {sig, NULL, NULL, NULL};
    wechat_signature(parts, 3, sig);
    if (mode == 0) {
        a.echostr = in;
    } else if (mode == 1) {
        body = xmalloc(size);
        memcpy(body, in, size); /* NUL bytes and all, with in's terminator */
    } else {
        if (mode == 2) {
            static const unsigned char rnd[16] = "fuzz-random-16b";
            char *b64 = wechat_encrypt(key, rnd, in, size - 1, APPID);
            if (b64 == NULL)
                abort();
            body = xasprintf("<xml><ToUserName><![CDATA[gh_bot]]></ToUserName>"
                             "<Encrypt><![CDATA[%s]]></Encrypt></xml>",
                             b64);
            free(b64);
        } else {
            body = xstrdup(in);
        }
        enc = encrypt_field(body);
        parts[3] = enc;
        wechat_signature(parts, 4, msig);
        a.msg_signature = msig;
        a.encrypt_type = "aes";
    }
    struct http_req req = {
        .method = mode == 0 ? "GET" : "POST",
        .path = "/webhook/wechat",
        .body = body ? body : "",
        .len = body ? (mode == 1 ? size - 1 : strlen(body)) : 0,
        .header = header,
        .arg = arg,
        .ctx = &a,
    };
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int status = chan_wechat.parse(&c, &req, &msg, &resp);
    if (status == 0) {
        json_t *replies = json_pack("[{s:s?}]", "text", msg.text ? msg.text : "好");
        http_resp_release(&resp);
        chan_wechat.render(&c, &msg, replies, NULL, &resp);
        if (resp.status != 200)
            abort(); /* WeChat always gets 200 to a turn */
        json_decref(replies);
        inmsg_release(&msg);
    } else if (status == 403 && mode != 3) {
        abort(); /* the harness signed it: a 403 means the check is wrong */
    }
    http_resp_release(&resp);
    free(enc);
    free(body);
    free(in);
    return 0;
}
