/*
 * chan_kannel.c - SMS through Kannel's smsbox (channels.md §4). Kannel calls
 * GET /webhook/kannel with its sms-service get-url, e.g.
 *   get-url = "http://HOST/webhook/kannel?secret=S&from=%p&to=%P&text=%b&id=%I&coding=%c&charset=%C"
 * Kannel cannot sign, so a shared secret rides in the URL. %b is the SMS as
 * received (%a splits raw UTF-16BE at bytes that look like blanks; see
 * docs/channels.md): UTF-8, or raw UTF-16BE (charset=UTF-16BE) without
 * mo-recode, or another charset %C names; iconv makes it UTF-8. The body of
 * our answer is the reply, sent as UCS-2 thanks to X-Kannel-Coding: 2 (the
 * service needs accept-x-kannel-headers = true, and omit-empty = true so an
 * empty answer sends nothing). Pushes go through the sendsms CGI.
 */
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "channel.h"
#include "conf.h"
#include "crypto.h"
#include "form.h"
#include "outbox.h"
#include "util.h"

#define KN_MAX_TEXT 4096

static int reject(struct http_resp *resp, int status, const char *why)
{
    http_resp_error(resp, status, why);
    return status;
}

/* n bytes in charset to a new NUL-terminated UTF-8 string of *len bytes
 * (iconv); NULL when the charset is unknown or the bytes are not valid in it. */
static char *to_utf8(const char *charset, const char *in, size_t n, size_t *len)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t cap = 4 * n + 1, left = cap - 1; /* UTF-8 needs at most 4 bytes a byte in */
    char *out = xmalloc(cap), *op = out, *ip = (char *)in;
    size_t inleft = n;
    size_t rc = iconv(cd, &ip, &inleft, &op, &left);
    if (rc != (size_t)-1)
        rc = iconv(cd, NULL, NULL, &op, &left); /* a stateful charset's shift back */
    iconv_close(cd);
    if (rc == (size_t)-1 || inleft != 0) {
        free(out);
        return NULL;
    }
    *op = '\0';
    *len = (size_t)(op - out);
    return out;
}

/*
 * The text of a get-url with text=%b: the SMS's own bytes, in the charset
 * Kannel names with %C, or by %c coding when it names none: 0 (7-bit:
 * Kannel hands GSM text on as UTF-8), 1 (8-bit: taken as UTF-8 text; other
 * binary data is refused) or 2 (UCS-2, i.e. UTF-16BE). New string, or NULL
 * with *why.
 */
static char *decode_text(const char *charset, const char *coding, const char *text, size_t n,
                         const char **why)
{
    const char *from = charset != NULL && charset[0] != '\0' ? charset
                       : coding != NULL && strcmp(coding, "2") == 0 ? "UTF-16BE"
                                                                     : "UTF-8";
    if (strcasecmp(from, "UCS-2") == 0)
        from = "UTF-16BE"; /* Kannel's name for it; the SMS's UCS-2 is big-endian */
    size_t len = 0;
    char *out = to_utf8(from, text, n, &len);
    if (out == NULL) {
        *why = strcasecmp(from, "UTF-16BE") == 0 ? "text is not UTF-16BE"
               : strcasecmp(from, "UTF-8") == 0  ? "text is not UTF-8 (set charset=%C in get-url)"
                                                 : "text is not in the given charset";
        return NULL;
    }
    if (strlen(out) != len || !utf8_valid(out, len)) { /* a U+0000 inside */
        free(out);
        *why = "text has a NUL character";
        return NULL;
    }
    return out;
}

static const char *arg(const struct http_req *req, const char *name, size_t *len)
{
    if (req->arg_len != NULL)
        return req->arg_len(req->ctx, name, len);
    const char *v = req->arg(req->ctx, name);
    if (v != NULL)
        *len = strlen(v);
    return v;
}

static int kannel_parse(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                        struct http_resp *resp)
{
    const char *secret = req->arg(req->ctx, "secret");
    const char *from = req->arg(req->ctx, "from"), *id = req->arg(req->ctx, "id");
    const char *charset = req->arg(req->ctx, "charset"), *coding = req->arg(req->ctx, "coding");
    size_t tlen = 0;
    const char *text = arg(req, "text", &tlen);
    if (c->kannel.secret[0] == '\0')
        return reject(resp, 403, "kannel is not configured");
    if (secret == NULL || !crypto_str_eq(secret, c->kannel.secret))
        return reject(resp, 403, "missing or bad secret");
    if (from == NULL || from[0] == '\0' || strlen(from) > 64 || id == NULL || id[0] == '\0' ||
        strlen(id) > 128)
        return reject(resp, 400, "need from and id (get-url from=%p&id=%I)");
    if (text != NULL && tlen > KN_MAX_TEXT)
        return reject(resp, 400, "text too long");
    msg->channel = chan_kannel.name;
    msg->authenticated = true; /* the platform's signature or secret was checked */
    if (text != NULL && tlen > 0) {
        const char *why = NULL;
        msg->text = decode_text(charset, coding, text, tlen, &why);
        if (msg->text == NULL) {
            inmsg_release(msg);
            return reject(resp, 400, why);
        }
    }
    if (msg->text == NULL || msg->text[0] == '\0') {
        inmsg_release(msg);
        http_resp_set(resp, 200, "text/plain; charset=utf-8", "");
        return 200; /* an empty SMS: nothing to answer */
    }
    msg->ext_id = xstrdup(id);
    msg->user = xstrdup(from);
    return 0;
}

static void kannel_render(const struct conf *c, const struct inmsg *msg,
                          const json_t *replies, const char *replies_json,
                          struct http_resp *resp)
{
    (void)replies_json;
    struct buf b;
    size_t i;
    json_t *r;
    (void)c;
    (void)msg;
    buf_init(&b, 0);
    buf_puts(&b, "");
    json_array_foreach(replies, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "text"));
        if (t != NULL && t[0] != '\0')
            buf_printf(&b, "%s%s", b.len ? "\n" : "", t);
    }
    http_resp_set(resp, 200, "text/plain; charset=utf-8", b.data);
    /* without it Kannel sends Chinese as GSM "????" */
    resp->headers[0] = "X-Kannel-Coding: 2";
    resp->headers[1] = NULL;
    buf_release(&b);
}

static size_t kannel_max_reply(const struct conf *c)
{
    return (size_t)c->kannel.max_sms_parts * 67; /* UCS-2 */
}

static int kannel_push_build(const struct conf *c, const struct out_item *it, const char *text,
                             struct push_req *req, char *why, size_t why_size)
{
    struct buf url;
    if (c->kannel.sendsms_url[0] == '\0') {
        snprintf(why, why_size, "no [kannel] sendsms_url configured");
        return -1;
    }
    buf_init(&url, 0);
    buf_printf(&url, "%s%s", c->kannel.sendsms_url, strchr(c->kannel.sendsms_url, '?') ? "&" : "?");
    buf_puts(&url, "username=");
    form_encode(&url, c->kannel.username);
    buf_puts(&url, "&password=");
    form_encode(&url, c->kannel.password);
    if (c->kannel.from[0] != '\0') {
        buf_puts(&url, "&from=");
        form_encode(&url, c->kannel.from);
    }
    buf_puts(&url, "&to=");
    form_encode(&url, it->to);
    buf_puts(&url, "&text=");
    form_encode(&url, text);
    buf_puts(&url, "&charset=UTF-8&coding=2");
    if (c->kannel.dlr_url[0] != '\0') { /* delivery reports: chan_kannel_dlr */
        struct buf dlr;
        buf_init(&dlr, 0);
        buf_printf(&dlr, "%s%ssecret=", c->kannel.dlr_url,
                   strchr(c->kannel.dlr_url, '?') ? "&" : "?");
        form_encode(&dlr, c->kannel.secret);
        buf_printf(&dlr, "&id=%lld&type=%%d", (long long)it->id);
        buf_puts(&url, "&dlr-mask=31&dlr-url=");
        form_encode(&url, dlr.data);
        buf_release(&dlr);
    }
    req->url = buf_take(&url);
    req->method = "GET";
    req->headers[0] = NULL;
    return 0;
}

/* 202 "0: Accepted for delivery" or "3: Queued for later delivery" is sent;
 * 503 temporal failure is retried; 403 and 400 are failures. */
static void kannel_push_parse(const struct conf *c, long status, const char *body,
                              const char *retry_after, struct push_result *res)
{
    (void)c;
    push_classify_http(status, body, retry_after, res);
    if (res->rc == SEND_OK && !(str_has_prefix(body, "0:") || str_has_prefix(body, "3:"))) {
        res->rc = SEND_FAIL;
        snprintf(res->error, sizeof res->error, "sendsms: %.160s", body);
    }
}

static long long kannel_push_rate(const struct conf *c, long long *per_recipient_per_min)
{
    *per_recipient_per_min = c->kannel.recipient_rate;
    return c->kannel.rate;
}

/* The configured SMS parts, in UCS-2 units (coding=2). */
static size_t kannel_max_push(const struct conf *c, enum text_unit *unit)
{
    *unit = TEXT_UTF16;
    return kannel_max_reply(c);
}

const struct channel chan_kannel = {
    .name = "kannel",
    .route = "/webhook/kannel",
    .methods = "GET",
    .parse = kannel_parse,
    .render = kannel_render,
    .max_reply = kannel_max_reply,
    .push_build = kannel_push_build,
    .push_parse = kannel_push_parse,
    .push_rate = kannel_push_rate,
    .max_push = kannel_max_push,
    .is_sms = true,
};

/*
 * GET /webhook/kannel/dlr?secret=S&id=<outbox id>&type=%d: smsbox's delivery
 * report for a sendsms with dlr-mask=31 (channels.md §4.3). Type 1 delivered
 * to the phone, 2 not delivered to the phone, 8 delivered to the SMSC (sent),
 * 16 not delivered to the SMSC (failed); 4 (queued) and others are ignored.
 */
static int kannel_dlr_parse(const struct conf *c, const struct http_req *req,
                            struct inmsg *msg, struct http_resp *resp)
{
    const char *secret = req->arg(req->ctx, "secret");
    const char *id = req->arg(req->ctx, "id"), *type = req->arg(req->ctx, "type");
    long long n = 0, t = 0;
    const char *what = NULL;
    if (c->kannel.secret[0] == '\0')
        return reject(resp, 403, "kannel is not configured");
    if (secret == NULL || !crypto_str_eq(secret, c->kannel.secret))
        return reject(resp, 403, "missing or bad secret");
    if (id == NULL || parse_int(id, 1, INT64_MAX, &n) == -1 || type == NULL ||
        parse_int(type, 0, 1023, &t) == -1)
        return reject(resp, 400, "need id and type (dlr-url id=N&type=%d)");
    if (t == 1)
        what = "delivered";
    else if (t == 2)
        what = "undelivered";
    else if (t == 8)
        what = "sent";
    else if (t == 16)
        what = "failed";
    if (what == NULL) {
        http_resp_set(resp, 200, "text/plain", "ok");
        return 200;
    }
    msg->channel = chan_kannel_dlr.name;
    msg->ext_id = xasprintf("id:%lld", n);
    msg->user = xstrdup(""); /* no person: the row is found by its id */
    msg->event = xasprintf("delivery:%s", what);
    return 0;
}

static void kannel_dlr_render(const struct conf *c, const struct inmsg *msg,
                              const json_t *replies, const char *replies_json,
                              struct http_resp *resp)
{
    (void)replies_json;
    (void)c;
    (void)msg;
    (void)replies;
    http_resp_set(resp, 200, "text/plain", "ok");
}

const struct channel chan_kannel_dlr = {
    .name = "kannel-dlr",
    .route = "/webhook/kannel/dlr",
    .methods = "GET",
    .parse = kannel_dlr_parse,
    .render = kannel_dlr_render,
    .settle = channel_delivery_settle,
};
