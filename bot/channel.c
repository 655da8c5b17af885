/*
 * channel.c - the table of adapters and the small response helpers they share.
 */
#include "channel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delivery.h"
#include "util.h"

static const struct channel *const channels[] = {
    &chan_generic,
    &chan_console,
    &chan_wechat,
    &chan_telegram,
    &chan_twilio,
    &chan_kannel,
    &chan_twilio_status,
    &chan_kannel_dlr,
};

const struct channel *channel_at(size_t i)
{
    return i < sizeof channels / sizeof channels[0] ? channels[i] : NULL;
}

const struct channel *channel_by_route(const char *path)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (channels[i]->route != NULL && strcmp(channels[i]->route, path) == 0)
            return channels[i];
    return NULL;
}

const struct channel *channel_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(channels[i]->name, name) == 0)
            return channels[i];
    return NULL;
}

enum chan_links channel_links(const struct channel *ch, const struct conf *c)
{
    if (ch->links != NULL)
        return ch->links(c);
    return ch->is_sms ? LINKS_TEXT : LINKS_FIELDS;
}

void http_resp_set(struct http_resp *r, int status, const char *type, const char *body)
{
    free(r->body);
    r->status = status;
    r->content_type = type;
    r->body = xstrdup(body ? body : "");
    r->len = strlen(r->body);
    r->headers[0] = NULL;
}

void http_resp_error(struct http_resp *r, int status, const char *why)
{
    json_t *o = json_pack("{s:s}", "error", why);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
    http_resp_set(r, status, "application/json", s ? s : "{\"error\":\"?\"}");
    free(s);
    json_decref(o);
}

void http_resp_release(struct http_resp *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
}

void push_req_release(struct push_req *p)
{
    free(p->url);
    free(p->body);
    for (int i = 0; i < 8 && p->headers[i]; i++)
        free(p->headers[i]);
    memset(p, 0, sizeof *p);
}

void push_classify_http(long status, const char *body, const char *retry_after,
                        struct push_result *res)
{
    long long secs;
    memset(res, 0, sizeof *res);
    if (status >= 200 && status < 300) {
        res->rc = SEND_OK;
        return;
    }
    if (status == 0) {
        res->rc = SEND_RETRY;
        snprintf(res->error, sizeof res->error, "no answer");
        return;
    }
    res->rc = (status == 408 || status == 429 || status >= 500) ? SEND_RETRY : SEND_FAIL;
    if (res->rc == SEND_RETRY && retry_after && parse_int(retry_after, 0, 86400, &secs) == 0)
        res->retry_after_ms = secs * 1000;
    snprintf(res->error, sizeof res->error, "HTTP %ld: %.160s", status, body ? body : "");
}

void inmsg_release(struct inmsg *msg)
{
    free(msg->ext_id);
    free(msg->user);
    free(msg->name);
    free(msg->text);
    free(msg->event);
    free(msg->reply_ctx);
    for (int i = 0; i < msg->nmedia; i++) {
        free(msg->media[i].url);
        free(msg->media[i].type);
    }
    memset(msg, 0, sizeof *msg);
}

int channel_delivery_settle(struct store *st, const struct inmsg *in, int64_t now,
                            const char **intent)
{
    if (in->event == NULL || !str_has_prefix(in->event, "delivery:"))
        return 0;
    /* the outbox row is updated, nobody is answered; a repeat changes nothing */
    if (store_delivery_set(st, in->ext_id, in->event + strlen("delivery:"), now) == -1)
        return -1;
    *intent = "event.delivery";
    return 1;
}
