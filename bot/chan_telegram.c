/*
 * chan_telegram.c - Telegram Bot API webhook (channels.md §2): the
 * X-Telegram-Bot-Api-Secret-Token check, Update JSON (message,
 * callback_query; edited messages and other update types acknowledged and
 * ignored), the in-band reply as a sendMessage method in the response body,
 * and pushes through sendMessage with 429 retry_after honoured. A
 * callback_query is answered with answerCallbackQuery, queued after its turn
 * (telegram_after_turn) as a reply-class outbox row keyed "tg-cb:<id>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "form.h"
#include "handler.h"
#include "outbox.h"
#include "util.h"

#define TG_MAX_TEXT 8192
#define TG_CB_PREFIX "tg-cb:"
#define TG_FILE_PREFIX "telegram:file/"
#define TG_PATH_MAX 512

static int reject(struct http_resp *resp, int status, const char *why)
{
    http_resp_error(resp, status, why);
    return status;
}

static int ignore(struct http_resp *resp)
{
    http_resp_set(resp, 200, "application/json", "{}");
    return 200;
}

/* An integer id (chat, user, update) as text; NULL when not an integer. */
static char *int_id(json_t *v)
{
    return json_is_integer(v) ? xasprintf("%lld", (long long)json_integer_value(v)) : NULL;
}

static void set_name(json_t *from, struct inmsg *msg)
{
    const char *first = json_string_value(json_object_get(from, "first_name"));
    const char *last = json_string_value(json_object_get(from, "last_name"));
    if (first != NULL && strlen(first) < 200)
        msg->name = last && strlen(last) < 200 ? xasprintf("%s %s", first, last) : xstrdup(first);
}

/* message -> msg. 0, or 200 (ignored) / 400 with resp filled. */
static int parse_message(json_t *m, struct inmsg *msg, struct http_resp *resp)
{
    json_t *from = json_object_get(m, "from"), *chat = json_object_get(m, "chat");
    json_t *photo = json_object_get(m, "photo"), *loc = json_object_get(m, "location");
    const char *text = json_string_value(json_object_get(m, "text"));
    const char *caption = json_string_value(json_object_get(m, "caption"));
    msg->user = int_id(json_object_get(from, "id"));
    msg->reply_ctx = int_id(json_object_get(chat, "id"));
    if (msg->user == NULL || msg->reply_ctx == NULL)
        return reject(resp, 400, "message needs from.id and chat.id");
    set_name(from, msg);
    if (text == NULL)
        text = caption;
    if (text != NULL) {
        if (strlen(text) > TG_MAX_TEXT)
            return reject(resp, 400, "text too long");
        if (text[0] != '\0')
            msg->text = xstrdup(text);
    }
    if (json_is_array(photo) && json_array_size(photo) > 0) {
        /* sizes come smallest first: the last is the original */
        json_t *big = json_array_get(photo, json_array_size(photo) - 1);
        const char *fid = json_string_value(json_object_get(big, "file_id"));
        if (fid == NULL || strlen(fid) > 256)
            return reject(resp, 400, "photo without file_id");
        /* not a URL yet: getFile turns it into one when the photo is fetched */
        msg->media[0].url = xasprintf(TG_FILE_PREFIX "%s", fid);
        msg->media[0].type = xstrdup("image/jpeg");
        msg->nmedia = 1;
    }
    if (json_is_object(loc)) {
        json_t *lat = json_object_get(loc, "latitude"), *lon = json_object_get(loc, "longitude");
        if (!json_is_number(lat) || !json_is_number(lon))
            return reject(resp, 400, "location needs latitude and longitude");
        msg->lat = json_number_value(lat);
        msg->lon = json_number_value(lon);
        if (msg->lat < -90 || msg->lat > 90 || msg->lon < -180 || msg->lon > 180)
            return reject(resp, 400, "location out of range");
        msg->has_location = true;
    }
    if (msg->text == NULL && msg->nmedia == 0 && !msg->has_location)
        return ignore(resp); /* stickers, contacts, voice, documents: not understood yet */
    return 0;
}

static int parse_callback(json_t *cb, struct inmsg *msg, struct http_resp *resp)
{
    json_t *from = json_object_get(cb, "from");
    const char *id = json_string_value(json_object_get(cb, "id"));
    const char *data = json_string_value(json_object_get(cb, "data"));
    msg->user = int_id(json_object_get(from, "id"));
    if (msg->user == NULL || id == NULL || id[0] == '\0' || strlen(id) > 64)
        return reject(resp, 400, "callback_query needs id and from.id");
    json_t *chat = json_object_get(json_object_get(cb, "message"), "chat");
    msg->reply_ctx = int_id(json_object_get(chat, "id"));
    if (msg->reply_ctx == NULL)
        msg->reply_ctx = xstrdup(msg->user); /* a private chat's id is the user's */
    set_name(from, msg);
    msg->event = xasprintf("callback:%s", id);
    if (data != NULL && data[0] != '\0' && strlen(data) <= 64)
        msg->text = xstrdup(data);
    return 0;
}

static int telegram_parse(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                          struct http_resp *resp)
{
    const char *secret = req->header(req->ctx, "X-Telegram-Bot-Api-Secret-Token");
    json_error_t jerr;
    json_t *root = NULL, *v;
    int status;
    if (c->telegram.secret_token[0] == '\0')
        return reject(resp, 403, "telegram is not configured");
    if (secret == NULL || !crypto_str_eq(secret, c->telegram.secret_token))
        return reject(resp, 401, "missing or bad X-Telegram-Bot-Api-Secret-Token");
    root = json_loadb(req->body, req->len, 0, &jerr);
    if (!json_is_object(root)) {
        status = reject(resp, 400, "malformed JSON");
        goto out;
    }
    msg->channel = chan_telegram.name;
    msg->authenticated = true; /* the platform's signature or secret was checked */
    msg->ext_id = int_id(json_object_get(root, "update_id"));
    if (msg->ext_id == NULL) {
        status = reject(resp, 400, "'update_id' must be an integer");
        goto out;
    }
    if ((v = json_object_get(root, "message")) != NULL && json_is_object(v))
        status = parse_message(v, msg, resp);
    else if ((v = json_object_get(root, "callback_query")) != NULL && json_is_object(v))
        status = parse_callback(v, msg, resp);
    else
        status = ignore(resp); /* edited_message, channel_post, polls, ...: acknowledged */
out:
    json_decref(root);
    if (status != 0)
        inmsg_release(msg);
    return status;
}

/*
 * A lesson's link: it is in the text, so Telegram previews it anyway (we
 * never set disable_web_page_preview); link_preview_options (Bot API 7.0)
 * picks that link and asks for the large picture above the text, which is
 * the page's cover (og:image). Older API servers ignore the field. No
 * extra request, so the cover itself is not sent.
 */
static void add_preview(json_t *o, const json_t *from)
{
    const char *link = json_string_value(json_object_get(from, "link"));
    if (link == NULL || !(str_has_prefix(link, "http://") || str_has_prefix(link, "https://")))
        return;
    json_object_set_new(
        o, "link_preview_options",
        json_pack("{s:s,s:b,s:b}", "url", link, "prefer_large_media", 1, "show_above_text", 1));
}

/* The link goes in the text, where Telegram previews it. */
static enum chan_links telegram_links(const struct conf *c)
{
    (void)c;
    return LINKS_TEXT;
}

static void telegram_render(const struct conf *c, const struct inmsg *msg,
                            const json_t *replies, const char *replies_json,
                            struct http_resp *resp)
{
    (void)replies_json;
    struct buf text;
    size_t i;
    json_t *r, *linked = NULL;
    long long chat;
    (void)c;
    buf_init(&text, 0);
    json_array_foreach(replies, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "text"));
        if (t != NULL && t[0] != '\0')
            buf_printf(&text, "%s%s", text.len ? "\n\n" : "", t);
        if (linked == NULL && json_object_get(r, "link") != NULL)
            linked = r;
    }
    if (text.len == 0 || msg->reply_ctx == NULL ||
        parse_int(msg->reply_ctx, INT64_MIN, INT64_MAX, &chat) == -1) {
        ignore(resp);
    } else {
        json_t *o = json_pack("{s:s,s:I,s:s}", "method", "sendMessage", "chat_id",
                              (json_int_t)chat, "text", text.data);
        if (o != NULL)
            add_preview(o, linked);
        char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (s == NULL)
            ignore(resp);
        else
            http_resp_set(resp, 200, "application/json", s);
        free(s);
        json_decref(o);
    }
    buf_release(&text);
}

static size_t telegram_max_reply(const struct conf *c)
{
    return (size_t)c->telegram.max_reply_chars;
}

static int telegram_push_build(const struct conf *c, const struct out_item *it, const char *text,
                               struct push_req *req, char *why, size_t why_size)
{
    json_t *o;
    const char *method;
    if (c->telegram.token[0] == '\0') {
        snprintf(why, why_size, "no [telegram] token configured");
        return -1;
    }
    if (str_has_prefix(it->idem_key, TG_CB_PREFIX)) {
        method = "answerCallbackQuery";
        o = json_pack("{s:s}", "callback_query_id", it->idem_key + strlen(TG_CB_PREFIX));
    } else {
        method = "sendMessage";
        o = json_pack("{s:s,s:s}", "chat_id", it->to, "text", text);
        json_t *extra = it->extra ? json_loads(it->extra, 0, NULL) : NULL;
        if (o != NULL)
            add_preview(o, extra);
        json_decref(extra);
    }
    req->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (req->body == NULL) {
        snprintf(why, why_size, "cannot encode the message");
        return -1;
    }
    req->len = strlen(req->body);
    req->url = xasprintf("%s/bot%s/%s", c->telegram.api_base, c->telegram.token, method);
    req->method = "POST";
    req->headers[0] = xstrdup("Content-Type: application/json");
    req->headers[1] = NULL;
    return 0;
}

static void telegram_push_parse(const struct conf *c, long status, const char *body,
                                const char *retry_after, struct push_result *res)
{
    (void)c;
    json_t *o = json_loads(body, 0, NULL);
    push_classify_http(status, body, retry_after, res);
    json_t *ra = json_object_get(json_object_get(o, "parameters"), "retry_after");
    if (status == 429 && json_is_integer(ra) && json_integer_value(ra) > 0 &&
        json_integer_value(ra) <= 86400)
        res->retry_after_ms = (int64_t)json_integer_value(ra) * 1000;
    /* Telegram's flood limit is per bot (channels.md §2.4): pause them all */
    res->pause_channel = status == 429 && res->retry_after_ms > 0;
    if (res->rc == SEND_OK) {
        json_t *mid = json_object_get(json_object_get(o, "result"), "message_id");
        if (json_is_integer(mid))
            snprintf(res->ext_id, sizeof res->ext_id, "%lld",
                     (long long)json_integer_value(mid));
        if (json_is_false(json_object_get(o, "ok"))) {
            res->rc = SEND_FAIL;
            snprintf(res->error, sizeof res->error, "ok false: %.150s", body);
        }
    }
    json_decref(o);
}

static long long telegram_push_rate(const struct conf *c, long long *per_recipient_per_min)
{
    *per_recipient_per_min = c->telegram.recipient_rate;
    return c->telegram.rate;
}

/* A file_path from getFile is used as a URL path on the API host: only the
 * characters Telegram uses ("photos/file_12.jpg"), no "..", no query. */
static bool file_path_ok(const char *p)
{
    size_t n = strlen(p);
    if (n == 0 || n > TG_PATH_MAX || p[0] == '/' || strstr(p, "..") != NULL)
        return false;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-' || *p == '.' || *p == '/'))
            return false;
    return true;
}

/* Step 0: getFile; step 1: the file at the file_path it gave (channels.md
 * §2.5). Both URLs hold the bot token: the fetcher never logs them. */
static int telegram_media_request(const struct conf *c, const char *ref, struct media_step *st)
{
    int rc = MEDIA_FAIL;
    json_t *o = NULL;
    struct buf url;
    buf_init(&url, 0);
    if (!str_has_prefix(ref, TG_FILE_PREFIX)) {
        snprintf(st->why, sizeof st->why, "not a Telegram file reference");
        goto out;
    }
    if (c->telegram.token[0] == '\0') {
        snprintf(st->why, sizeof st->why, "no [telegram] token configured");
        goto out;
    }
    if (st->n == 0) {
        buf_printf(&url, "%s/bot%s/getFile?file_id=", c->telegram.api_base, c->telegram.token);
        form_encode(&url, ref + strlen(TG_FILE_PREFIX));
    } else if (st->n == 1) {
        o = json_loadb(st->body, st->len, 0, NULL);
        const char *path =
            json_string_value(json_object_get(json_object_get(o, "result"), "file_path"));
        if (!json_is_true(json_object_get(o, "ok")) || path == NULL) {
            const char *d = json_string_value(json_object_get(o, "description"));
            snprintf(st->why, sizeof st->why, "getFile: %.150s", d ? d : "no file_path");
            goto out;
        }
        if (!file_path_ok(path)) {
            snprintf(st->why, sizeof st->why, "getFile: unexpected file_path");
            goto out;
        }
        buf_printf(&url, "%s/file/bot%s/%s", c->telegram.api_base, c->telegram.token, path);
    } else {
        rc = MEDIA_DONE; /* the file's own answer stands */
        goto out;
    }
    st->req.url = buf_take(&url);
    st->req.method = "GET";
    st->is_api = true;
    rc = MEDIA_GET;
out:
    json_decref(o);
    buf_release(&url);
    return rc;
}

/* sendMessage takes 1-4096 characters, counted in UTF-16 (channels.md §2.3). */
static size_t telegram_max_push(const struct conf *c, enum text_unit *unit)
{
    (void)c;
    *unit = TEXT_UTF16;
    return 4096;
}

/* A button press needs answerCallbackQuery, or the client keeps a spinner:
 * it goes out as a reply-class outbox row keyed by the callback id, which
 * telegram_push_build turns into that call. */
static int telegram_after_turn(struct turn *t)
{
    const char *ev = t->in->event;
    char key[96];
    if (ev == NULL || !str_has_prefix(ev, "callback:"))
        return 0;
    snprintf(key, sizeof key, TG_CB_PREFIX "%.80s", ev + strlen("callback:"));
    return outbox_push(t->st, t->app->conf, t->person, OUT_REPLY, "", 0, t->now, key) == -1 ? -1
                                                                                          : 0;
}

const struct channel chan_telegram = {
    .name = "telegram",
    .route = "/webhook/telegram",
    .methods = "POST",
    .parse = telegram_parse,
    .render = telegram_render,
    .max_reply = telegram_max_reply,
    .push_build = telegram_push_build,
    .links = telegram_links,
    .push_parse = telegram_push_parse,
    .push_rate = telegram_push_rate,
    .max_push = telegram_max_push,
    .is_sms = false,
    .media_request = telegram_media_request,
    .after_turn = telegram_after_turn,
};
