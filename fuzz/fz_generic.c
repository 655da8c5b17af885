/*
 * fz_generic.c - the generic JSON adapter (chan_generic.parse) on any body.
 * An input whose first line starts with "sha256=" is checked as a signed
 * request: that line is the X-Yizhan-Signature header, the rest the body.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "fuzz.h"
#include "msg.h"
#include "util.h"

static struct conf plain, signed_conf;

struct hdr {
    const char *sig;
};

static const char *header(void *ctx, const char *name)
{
    struct hdr *h = ctx;
    return strcasecmp(name, "X-Yizhan-Signature") == 0 ? h->sig : NULL;
}

static const char *arg(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    char *p[] = {"generic.secret="}, *s[] = {"generic.secret=fuzz-secret"};
    struct buf errs;
    (void)argc;
    (void)argv;
    fuzz_setup();
    buf_init(&errs, 0);
    if (conf_load(&plain, NULL, p, 1, &errs) == -1 ||
        conf_load(&signed_conf, NULL, s, 1, &errs) == -1)
        abort();
    buf_release(&errs);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_str(data, size); /* NUL-terminated, as http.c gives it */
    struct hdr h = {NULL};
    const struct conf *c = &plain;
    char *body = in;
    if (size > 7 && memcmp(in, "sha256=", 7) == 0) {
        char *nl = memchr(in, '\n', size);
        if (nl != NULL) {
            *nl = '\0';
            h.sig = in;
            body = nl + 1;
            c = &signed_conf;
        }
    }
    struct http_req req = {
        .method = "POST",
        .path = "/webhook/generic",
        .body = body,
        .len = size - (size_t)(body - in),
        .header = header,
        .arg = arg,
        .ctx = &h,
    };
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int status = chan_generic.parse(c, &req, &msg, &resp);
    if (status == 0) {
        json_t *replies = json_pack("[{s:s?}]", "text", msg.text);
        http_resp_release(&resp);
        chan_generic.render(c, &msg, replies, NULL, &resp);
        /* the engine's stored JSON must give the same answer, byte for byte */
        char *stored = json_dumps(replies, JSON_COMPACT);
        struct http_resp again = {0};
        chan_generic.render(c, &msg, replies, stored, &again);
        if (again.len != resp.len || (resp.len && memcmp(again.body, resp.body, resp.len) != 0))
            abort();
        http_resp_release(&again);
        free(stored);
        json_decref(replies);
        inmsg_release(&msg);
    }
    http_resp_release(&resp);
    free(in);
    return 0;
}
