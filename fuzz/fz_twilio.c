/*
 * fz_twilio.c - Twilio form bodies (chan_twilio.parse, then render) with a
 * valid X-Twilio-Signature computed here from the spec (channels.md §3.2:
 * HMAC-SHA1 under the auth token over public_url plus each parameter name and
 * value, sorted), so every body that form_parse accepts reaches the adapter.
 * A body that parses and still gets 403 means the two disagree: a crash.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "form.h"
#include "fuzz.h"
#include "msg.h"
#include "util.h"

#define TOKEN "my_auth_token_123"
#define URL "https://bot.example.com/sms/twilio"

static struct conf c;

static const char *header(void *ctx, const char *name)
{
    return strcasecmp(name, "X-Twilio-Signature") == 0 ? ctx : NULL;
}

static const char *arg(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static int cmp_pair(const void *a, const void *b)
{
    const struct form_pair *x = *(const struct form_pair *const *)a;
    const struct form_pair *y = *(const struct form_pair *const *)b;
    int r = strcmp(x->name, y->name);
    return r ? r : strcmp(x->value, y->value);
}

/* The signature of body, or "" when it is not a form. */
static void sign(const char *body, size_t len, char b64[29])
{
    struct form f;
    struct buf b;
    b64[0] = '\0';
    if (form_parse(body, len, &f) == -1)
        return;
    const struct form_pair **s = xcalloc(f.n + 1, sizeof *s);
    for (size_t i = 0; i < f.n; i++)
        s[i] = &f.pairs[i];
    qsort(s, f.n, sizeof *s, cmp_pair);
    buf_init(&b, 0);
    buf_puts(&b, URL);
    for (size_t i = 0; i < f.n; i++) {
        if (i > 0 && cmp_pair(&s[i - 1], &s[i]) == 0)
            continue; /* a repeated name=value pair counts once */
        buf_puts(&b, s[i]->name);
        buf_append(&b, s[i]->value, s[i]->value_len);
    }
    crypto_hmac_sha1_b64(TOKEN, strlen(TOKEN), b.data, b.len, b64);
    buf_release(&b);
    free(s);
    form_release(&f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const sets[] = {"twilio.auth_token=" TOKEN, "twilio.public_url=" URL,
                                       "twilio.account_sid=AC1", NULL};
    (void)argc;
    (void)argv;
    fuzz_setup();
    fuzz_conf(&c, sets);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_str(data, size), sig[29];
    sign(body, size, sig);
    struct http_req req = {
        .method = "POST",
        .path = "/webhook/twilio",
        .body = body,
        .len = size,
        .header = header,
        .arg = arg,
        .ctx = sig,
    };
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int status = chan_twilio.parse(&c, &req, &msg, &resp);
    if (status == 403 && sig[0] != '\0')
        abort(); /* signed here, refused there */
    if (status == 0) {
        json_t *replies = json_pack("[{s:s?}]", "text", msg.text ? msg.text : "<&'\">");
        chan_twilio.render(&c, &msg, replies, NULL, &resp);
        if (resp.status != 200)
            abort();
        json_decref(replies);
        inmsg_release(&msg);
    }
    http_resp_release(&resp);
    free(body);
    return 0;
}
