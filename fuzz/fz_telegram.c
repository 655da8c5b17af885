/*
 * fz_telegram.c - Telegram updates (chan_telegram.parse, then render) on any
 * body, always with the right X-Telegram-Bot-Api-Secret-Token, so every input
 * reaches the JSON code; a turn must render to a 200.
 */
#include <stdlib.h>
#include <strings.h>

#include "channel.h"
#include "conf.h"
#include "fuzz.h"
#include "msg.h"

#define SECRET "s3cret-token"

static struct conf c;

static const char *header(void *ctx, const char *name)
{
    (void)ctx;
    return strcasecmp(name, "X-Telegram-Bot-Api-Secret-Token") == 0 ? SECRET : NULL;
}

static const char *arg(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static const char *const sets[] = {"telegram.secret_token=" SECRET, "telegram.token=123:ABC",
                                       NULL};
    (void)argc;
    (void)argv;
    fuzz_setup();
    fuzz_conf(&c, sets);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = fuzz_str(data, size);
    struct http_req req = {
        .method = "POST",
        .path = "/webhook/telegram",
        .body = body,
        .len = size,
        .header = header,
        .arg = arg,
    };
    struct inmsg msg = {0};
    struct http_resp resp = {0};
    int status = chan_telegram.parse(&c, &req, &msg, &resp);
    if (status == 401 || status == 403)
        abort(); /* the secret was right */
    if (status == 0) {
        json_t *replies = json_pack("[{s:s?}]", "text", msg.text ? msg.text : "好");
        chan_telegram.render(&c, &msg, replies, NULL, &resp);
        if (resp.status != 200)
            abort();
        json_decref(replies);
        inmsg_release(&msg);
    }
    http_resp_release(&resp);
    free(body);
    return 0;
}
