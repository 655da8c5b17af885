/*
 * channel.c - the table of adapters and the small response helpers they share.
 */
#include "channel.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct channel *const channels[] = {
    &chan_generic,
    &chan_console,
};

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

void http_resp_set(struct http_resp *r, int status, const char *type, const char *body)
{
    free(r->body);
    r->status = status;
    r->content_type = type;
    r->body = xstrdup(body ? body : "");
    r->len = strlen(r->body);
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

void inmsg_release(struct inmsg *msg)
{
    free(msg->ext_id);
    free(msg->user);
    free(msg->name);
    free(msg->text);
    free(msg->event);
    for (int i = 0; i < msg->nmedia; i++) {
        free(msg->media[i].url);
        free(msg->media[i].type);
    }
    memset(msg, 0, sizeof *msg);
}
