/*
 * fz_kannel.c - Kannel's get-url query strings (chan_kannel.parse, then
 * render). The rest of the input after the first byte is the query, decoded
 * with form_parse as http.c's arguments are (%-escapes, '+', NUL bytes
 * kept); the right secret goes first, and when the first byte is odd so does
 * charset=UTF-16BE, so the text is read as raw UTF-16BE.
 */
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "conf.h"
#include "form.h"
#include "fuzz.h"
#include "msg.h"
#include "util.h"

static struct conf c;

static const char *arg_len(void *ctx, const char *name, size_t *len)
{
    return form_get(ctx, name, len);
}

static const char *arg(void *ctx, const char *name)
{
    size_t len;
    return form_get(ctx, name, &len);
}

static const char *header(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const sets[] = {"kannel.secret=kn-secret", NULL};
    (void)argc;
    (void)argv;
    fuzz_setup();
    fuzz_conf(&c, sets);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *q = xasprintf("secret=kn-secret&%s%.*s", data[0] & 1 ? "charset=UTF-16BE&" : "",
                        (int)(size - 1), (const char *)data + 1);
    size_t qlen = strlen(q); /* a NUL in the input ends the query, as in a URL */
    struct form f;
    if (form_parse(q, qlen, &f) == -1)
        goto out;
    struct http_req req = {
        .method = "GET",
        .path = "/webhook/kannel",
        .body = "",
        .header = header,
        .arg = arg,
        .arg_len = arg_len,
        .ctx = &f,
    };
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int status = chan_kannel.parse(&c, &req, &msg, &resp);
    if (status == 403)
        abort(); /* the secret was right */
    if (status == 0) {
        if (msg.text == NULL || !utf8_valid(msg.text, strlen(msg.text)))
            abort(); /* whatever the charset, the turn gets UTF-8 */
        json_t *replies = json_pack("[{s:s}]", "text", msg.text);
        chan_kannel.render(&c, &msg, replies, NULL, &resp);
        if (resp.status != 200)
            abort();
        json_decref(replies);
        inmsg_release(&msg);
    }
    http_resp_release(&resp);
    form_release(&f);
out:
    free(q);
    return 0;
}
