/*
 * chan_wechat.c - WeChat Official Account (channels.md §1): GET URL check
 * with echostr, POST pushes signed with SHA-1 over token/timestamp/nonce, in
 * plaintext or secure (AES) mode, parsed with expat with DTDs and entities
 * refused; the passive reply XML (encrypted in secure mode); pushes through
 * the customer-service API with a cached access_token (see channel.h), and
 * photos by PicUrl or, without one, by MediaId through media/get.
 * Our turns commit in milliseconds, far inside WeChat's 5 s deadline, so the
 * answer always goes in-band; `success` answers what needs no reply.
 */
#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "channel.h"
#include "clock.h"
#include "conf.h"
#include "crypto.h"
#include "form.h"
#include "outbox.h"
#include "util.h"
#include "wechat_crypto.h"
#include "xml.h"

#define WX_FIELDS 40
#define WX_FIELD_MAX 8192
#define WX_MEDIA_PREFIX "wechat:media/"
#define WX_MEDIA_ID_MAX 256

struct wx_xml {
    XML_Parser p;
    char *names[WX_FIELDS];
    struct buf vals[WX_FIELDS];
    int n, depth, cur; /* cur: field being read at depth 2, or -1 */
    bool has_root;
    const char *why; /* set when we stopped the parser */
};

static void stop(struct wx_xml *x, const char *why)
{
    if (x->why == NULL)
        x->why = why;
    XML_StopParser(x->p, XML_FALSE);
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct wx_xml *x = ud;
    (void)attrs;
    x->depth++;
    if (x->depth == 1) {
        if (strcmp(name, "xml") != 0)
            stop(x, "the root element is not <xml>");
        x->has_root = true;
    } else if (x->depth == 2) {
        if (x->n == WX_FIELDS) {
            stop(x, "too many fields");
            return;
        }
        x->cur = x->n++;
        x->names[x->cur] = xstrdup(name);
        buf_init(&x->vals[x->cur], WX_FIELD_MAX);
    }
}

static void on_end(void *ud, const XML_Char *name)
{
    struct wx_xml *x = ud;
    (void)name;
    if (x->depth == 2)
        x->cur = -1;
    x->depth--;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    struct wx_xml *x = ud;
    if (x->depth == 2 && x->cur >= 0 && buf_append(&x->vals[x->cur], s, (size_t)len) == -1)
        stop(x, "a field is too long");
}

/* Any DTD could declare entities (XXE, billion laughs): refuse it outright. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                       const XML_Char *pubid, int has_internal)
{
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal;
    stop(ud, "DOCTYPE is not allowed");
}

static void on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                      int value_len, const XML_Char *base, const XML_Char *sysid,
                      const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    stop(ud, "entity declarations are not allowed");
}

static void wx_xml_release(struct wx_xml *x)
{
    for (int i = 0; i < x->n; i++) {
        free(x->names[i]);
        buf_release(&x->vals[i]);
    }
    x->n = 0;
}

/* Parse the flat <xml><Field>value</Field>...</xml>. 0, or -1 with *why. */
static int wx_xml_parse(struct wx_xml *x, const char *body, size_t len, const char **why)
{
    int rc = -1;
    memset(x, 0, sizeof *x);
    x->cur = -1;
    x->p = XML_ParserCreate("UTF-8");
    if (x->p == NULL) {
        *why = "out of memory";
        return -1;
    }
    XML_SetUserData(x->p, x);
    XML_SetElementHandler(x->p, on_start, on_end);
    XML_SetCharacterDataHandler(x->p, on_text);
    XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
    XML_SetEntityDeclHandler(x->p, on_entity);
    XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
    if (XML_Parse(x->p, body, (int)len, XML_TRUE) != XML_STATUS_OK) {
        *why = x->why ? x->why : XML_ErrorString(XML_GetErrorCode(x->p));
        goto out;
    }
    if (!x->has_root) {
        *why = "no <xml> element";
        goto out;
    }
    rc = 0;
out:
    XML_ParserFree(x->p);
    x->p = NULL;
    if (rc == -1)
        wx_xml_release(x);
    return rc;
}

/* A field's text, borrowed; NULL when absent. */
static const char *field(const struct wx_xml *x, const char *name)
{
    for (int i = 0; i < x->n; i++)
        if (strcmp(x->names[i], name) == 0)
            return x->vals[i].data ? x->vals[i].data : "";
    return NULL;
}

static bool nonempty(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static int reject(struct http_resp *resp, int status, const char *why)
{
    http_resp_error(resp, status, why);
    return status;
}

/* Check signature over token, timestamp, nonce (and extra when not NULL). */
static bool sig_ok(const char *token, const char *ts, const char *nonce, const char *extra,
                   const char *got)
{
    const char *parts[4] = {token, ts, nonce, extra};
    char want[41];
    if (got == NULL)
        return false;
    wechat_signature(parts, extra ? 4 : 3, want);
    return crypto_str_eq(got, want);
}

/* Fill msg from the parsed fields. 0 for a turn, or 200 with resp "success"
 * for what we acknowledge and ignore, or 400. */
static int build_msg(const struct wx_xml *x, struct inmsg *msg, struct http_resp *resp)
{
    const char *from = field(x, "FromUserName"), *to = field(x, "ToUserName");
    const char *type = field(x, "MsgType"), *ctime = field(x, "CreateTime");
    const char *msgid = field(x, "MsgId");
    if (!nonempty(from) || !nonempty(to) || !nonempty(type) || !nonempty(ctime))
        return reject(resp, 400, "need ToUserName, FromUserName, CreateTime and MsgType");
    if (strlen(from) > 128 || strlen(to) > 128)
        return reject(resp, 400, "user ids too long");
    msg->channel = chan_wechat.name;
    msg->authenticated = true; /* the platform's signature or secret was checked */
    if (strcmp(type, "event") == 0) {
        const char *ev = field(x, "Event"), *key = field(x, "EventKey");
        if (ev == NULL)
            return reject(resp, 400, "event without Event");
        if (strcmp(ev, "subscribe") == 0 || strcmp(ev, "unsubscribe") == 0)
            msg->event = xstrdup(ev);
        else if (strcmp(ev, "CLICK") == 0 && nonempty(key))
            msg->event = xasprintf("menu:%s", key);
        else if (strcmp(ev, "SCAN") == 0)
            msg->event = xasprintf("scan:%s", key ? key : "");
        else if (strcmp(ev, "LOCATION") == 0) {
            double lat, lon;
            const char *la = field(x, "Latitude"), *lo = field(x, "Longitude");
            if (la == NULL || lo == NULL || parse_double(la, &lat) == -1 ||
                parse_double(lo, &lon) == -1 || lat < -90 || lat > 90 || lon < -180 || lon > 180)
                return reject(resp, 400, "LOCATION needs Latitude and Longitude");
            msg->event = xstrdup("location");
            msg->lat = lat;
            msg->lon = lon;
            msg->has_location = true;
        } else {
            http_resp_set(resp, 200, "text/plain; charset=utf-8", "success");
            return 200; /* VIEW, TEMPLATESENDJOBFINISH, ...: nothing to answer */
        }
        msg->ext_id = xasprintf("%s:%s", from, ctime);
    } else {
        if (!nonempty(msgid))
            return reject(resp, 400, "message without MsgId");
        msg->ext_id = xstrdup(msgid);
        if (strcmp(type, "text") == 0) {
            const char *c = field(x, "Content");
            if (!nonempty(c))
                return reject(resp, 400, "text without Content");
            msg->text = xstrdup(c);
        } else if (strcmp(type, "image") == 0) {
            /* PicUrl is a plain link; without one, MediaId through media/get */
            const char *url = field(x, "PicUrl"), *mid = field(x, "MediaId");
            if (nonempty(url)) {
                if (!(str_has_prefix(url, "http://") || str_has_prefix(url, "https://")))
                    return reject(resp, 400, "image PicUrl is not an http(s) URL");
                msg->media[0].url = xstrdup(url);
            } else if (nonempty(mid) && strlen(mid) <= WX_MEDIA_ID_MAX) {
                msg->media[0].url = xasprintf(WX_MEDIA_PREFIX "%s", mid);
            } else {
                return reject(resp, 400, "image without PicUrl or MediaId");
            }
            msg->nmedia = 1;
        } else if (strcmp(type, "voice") == 0) {
            const char *rec = field(x, "Recognition");
            if (nonempty(rec))
                msg->text = xstrdup(rec);
        } else if (strcmp(type, "location") == 0) {
            const char *la = field(x, "Location_X"), *lo = field(x, "Location_Y");
            if (la == NULL || lo == NULL || parse_double(la, &msg->lat) == -1 ||
                parse_double(lo, &msg->lon) == -1 || msg->lat < -90 || msg->lat > 90 ||
                msg->lon < -180 || msg->lon > 180)
                return reject(resp, 400, "location needs Location_X and Location_Y");
            msg->has_location = true;
        } else if (strcmp(type, "link") == 0) {
            const char *title = field(x, "Title"), *url = field(x, "Url");
            msg->text = xasprintf("%s\n%s", title ? title : "", url ? url : "");
        } else {
            http_resp_set(resp, 200, "text/plain; charset=utf-8", "success");
            return 200; /* video, shortvideo, newer types: acknowledged, ignored */
        }
    }
    msg->user = xstrdup(from);
    return 0;
}

static int wechat_parse(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                        struct http_resp *resp)
{
    const char *sig = req->arg(req->ctx, "signature"), *ts = req->arg(req->ctx, "timestamp");
    const char *nonce = req->arg(req->ctx, "nonce");
    struct wx_xml x = {0}, outer = {0};
    char *plain = NULL;
    size_t plen = 0;
    const char *why = NULL, *body = req->body;
    size_t blen = req->len;
    bool enc = false;
    int status;

    if (c->wechat.token[0] == '\0')
        return reject(resp, 403, "wechat is not configured");
    if (ts == NULL || nonce == NULL || !sig_ok(c->wechat.token, ts, nonce, NULL, sig))
        return reject(resp, 403, "bad signature");
    if (c->wechat.max_skew > 0) { /* our own policy against replays, not WeChat's */
        long long secs;
        int64_t now = now_ms() / 1000;
        if (parse_int(ts, 0, INT64_MAX / 1000, &secs) == -1 || secs < now - c->wechat.max_skew ||
            secs > now + c->wechat.max_skew)
            return reject(resp, 403, "timestamp too far from now");
    }
    if (strcmp(req->method, "GET") == 0) {
        const char *echo = req->arg(req->ctx, "echostr");
        if (echo == NULL)
            return reject(resp, 400, "missing echostr");
        http_resp_set(resp, 200, "text/plain; charset=utf-8", echo);
        return 200;
    }
    const char *et = req->arg(req->ctx, "encrypt_type");
    if (et != NULL && strcmp(et, "aes") == 0) {
        unsigned char key[32];
        const char *msig = req->arg(req->ctx, "msg_signature");
        if (wechat_aes_key(c->wechat.aes_key, key) == -1) {
            status = reject(resp, 403, "secure mode is not configured (wechat.aes_key)");
            goto out;
        }
        if (wx_xml_parse(&outer, body, blen, &why) == -1) {
            status = reject(resp, 400, why);
            goto out;
        }
        const char *encrypted = field(&outer, "Encrypt");
        if (!nonempty(encrypted)) {
            status = reject(resp, 400, "no Encrypt element");
            goto out;
        }
        if (!sig_ok(c->wechat.token, ts, nonce, encrypted, msig)) {
            status = reject(resp, 403, "bad msg_signature");
            goto out;
        }
        if (wechat_decrypt(key, encrypted, c->wechat.appid, &plain, &plen, &why) == -1) {
            status = reject(resp, 400, why);
            goto out;
        }
        body = plain;
        blen = plen;
        enc = true;
    }
    if (wx_xml_parse(&x, body, blen, &why) == -1) {
        status = reject(resp, 400, why);
        goto out;
    }
    status = build_msg(&x, msg, resp);
    if (status == 0)
        msg->reply_ctx = xasprintf("%s\n%d\n%s\n%s", field(&x, "ToUserName"), enc ? 1 : 0, ts,
                                   nonce);
out:
    if (status != 0)
        inmsg_release(msg);
    wx_xml_release(&x);
    wx_xml_release(&outer);
    free(plain);
    return status;
}

/* Append s inside CDATA (xml.h: split at "]]>", XML-illegal characters dropped). */
static void put_cdata(struct buf *b, const char *s)
{
    xml_put(b, s, XML_CDATA);
}

/* Whether o (a reply, or a push's extra) is a news article: title, link and
 * cover, both links http(s). The strings are borrowed from o. */
static bool article_of(const json_t *o, const char **title, const char **desc, const char **url,
                       const char **pic)
{
    *title = json_string_value(json_object_get(o, "title"));
    *desc = json_string_value(json_object_get(o, "summary"));
    *url = json_string_value(json_object_get(o, "link"));
    *pic = json_string_value(json_object_get(o, "cover"));
    if (*desc == NULL)
        *desc = "";
    return nonempty(*title) && nonempty(*url) && nonempty(*pic) &&
           (str_has_prefix(*url, "http://") || str_has_prefix(*url, "https://")) &&
           (str_has_prefix(*pic, "http://") || str_has_prefix(*pic, "https://"));
}

/*
 * The passive reply: one news article (channels.md §1.4: after a user's
 * message only 1) when the only reply is an article (handle_lesson.c set
 * title and summary, and queued the text as a push), else the texts joined.
 */
static void wechat_render(const struct conf *c, const struct inmsg *msg,
                          const json_t *replies, const char *replies_json,
                          struct http_resp *resp)
{
    (void)replies_json;
    struct buf text, xml, env;
    size_t i;
    json_t *r, *only = NULL;
    int n = 0;
    const char *title, *desc, *url, *pic;
    char ctx_copy[600], *save = NULL;
    buf_init(&text, 0);
    buf_init(&xml, 0);
    buf_init(&env, 0);
    json_array_foreach(replies, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "text"));
        if (t != NULL && t[0] != '\0') {
            buf_printf(&text, "%s%s", text.len ? "\n\n" : "", t);
            only = r;
            n++;
        }
    }
    bool is_news = n == 1 && article_of(only, &title, &desc, &url, &pic);
    /* reply_ctx: our gh_ id, secure mode, the request's timestamp and nonce */
    snprintf(ctx_copy, sizeof ctx_copy, "%s", msg->reply_ctx ? msg->reply_ctx : "");
    const char *gh = strtok_r(ctx_copy, "\n", &save), *mode = strtok_r(NULL, "\n", &save);
    const char *ts = strtok_r(NULL, "\n", &save), *nonce = strtok_r(NULL, "\n", &save);
    if (text.len == 0 || gh == NULL || mode == NULL || ts == NULL || nonce == NULL) {
        /* one push, one passive reply; with nothing to say WeChat wants "success" */
        http_resp_set(resp, 200, "text/plain; charset=utf-8", "success");
        goto out;
    }
    buf_puts(&xml, "<xml><ToUserName>");
    put_cdata(&xml, msg->user);
    buf_puts(&xml, "</ToUserName><FromUserName>");
    put_cdata(&xml, gh);
    buf_printf(&xml, "</FromUserName><CreateTime>%s</CreateTime><MsgType>", ts);
    if (is_news) {
        put_cdata(&xml, "news");
        buf_puts(&xml, "</MsgType><ArticleCount>1</ArticleCount><Articles><item><Title>");
        put_cdata(&xml, title);
        buf_puts(&xml, "</Title><Description>");
        put_cdata(&xml, desc);
        buf_puts(&xml, "</Description><PicUrl>");
        put_cdata(&xml, pic);
        buf_puts(&xml, "</PicUrl><Url>");
        put_cdata(&xml, url);
        buf_puts(&xml, "</Url></item></Articles></xml>");
    } else {
        put_cdata(&xml, "text");
        buf_puts(&xml, "</MsgType><Content>");
        put_cdata(&xml, text.data);
        buf_puts(&xml, "</Content></xml>");
    }
    if (strcmp(mode, "1") != 0) {
        http_resp_set(resp, 200, "application/xml; charset=utf-8", xml.data);
        goto out;
    }
    unsigned char key[32], rnd[16];
    char *enc = NULL, sig[41];
    if (wechat_aes_key(c->wechat.aes_key, key) == -1 || crypto_random(rnd, sizeof rnd) == -1 ||
        (enc = wechat_encrypt(key, rnd, xml.data, xml.len, c->wechat.appid)) == NULL) {
        http_resp_set(resp, 200, "text/plain; charset=utf-8", "success");
        goto out;
    }
    const char *parts[4] = {c->wechat.token, ts, nonce, enc};
    wechat_signature(parts, 4, sig);
    buf_puts(&env, "<xml><Encrypt>");
    put_cdata(&env, enc);
    buf_puts(&env, "</Encrypt><MsgSignature>");
    put_cdata(&env, sig);
    buf_printf(&env, "</MsgSignature><TimeStamp>%s</TimeStamp><Nonce>", ts);
    put_cdata(&env, nonce);
    buf_puts(&env, "</Nonce></xml>");
    http_resp_set(resp, 200, "application/xml; charset=utf-8", env.data);
    free(enc);
out:
    buf_release(&text);
    buf_release(&xml);
    buf_release(&env);
}

/* A late reply can only be pushed with an appsecret (customer-service API);
 * a passive-only account waits for the turn, and WeChat's own retry of the
 * message gets the stored reply. */
static long long wechat_reply_deadline(const struct conf *c)
{
    return c->wechat.appid[0] != '\0' && c->wechat.appsecret[0] != '\0'
               ? c->wechat.reply_deadline_ms
               : 0;
}

/* Articles need the customer-service API for the text that follows them. */
static enum chan_links wechat_links(const struct conf *c)
{
    return c->wechat.appid[0] != '\0' && c->wechat.appsecret[0] != '\0' ? LINKS_ARTICLE
                                                                        : LINKS_TEXT;
}

static size_t wechat_max_reply(const struct conf *c)
{
    return (size_t)c->wechat.max_reply_chars;
}

/* Pushing needs appid and appsecret (for the access_token); with only a
 * token the account answers in-band and cannot reach anyone later. */
static bool wechat_push_ready(const struct conf *c, char *why, size_t why_size)
{
    if (c->wechat.appid[0] != '\0' && c->wechat.appsecret[0] != '\0')
        return true;
    snprintf(why, why_size, "passive-only WeChat account: no [wechat] appid and appsecret, so it "
                            "can only answer in-band");
    return false;
}

static int wechat_push_build(const struct conf *c, const struct out_item *it, const char *text,
                             struct push_req *req, char *why, size_t why_size)
{
    struct buf url;
    if (!wechat_push_ready(c, why, why_size))
        return -1;
    if (req->token == NULL)
        return PUSH_NEED_TOKEN;
    bool tpl = it->fallback && c->wechat.template_id[0] != '\0';
    const char *title, *desc, *link, *pic;
    json_t *extra = it->extra != NULL && !it->fallback && !it->article_sent
                        ? json_loads(it->extra, 0, NULL)
                        : NULL;
    json_t *o;
    if (tpl)
        o = json_pack("{s:s,s:s,s:{s:{s:s}}}", "touser", it->to, "template_id",
                      c->wechat.template_id, "data", "keyword1", "value", text);
    else if (article_of(extra, &title, &desc, &link, &pic)) {
        /* the article first; the sender sends the text after it */
        o = json_pack("{s:s,s:s,s:{s:[{s:s,s:s,s:s,s:s}]}}", "touser", it->to, "msgtype", "news",
                      "news", "articles", "title", title, "description", desc, "url", link,
                      "picurl", pic);
        req->is_article = true;
    } else
        o = json_pack("{s:s,s:s,s:{s:s}}", "touser", it->to, "msgtype", "text", "text", "content",
                      text);
    json_decref(extra);
    req->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (req->body == NULL) {
        snprintf(why, why_size, "cannot encode the message");
        return -1;
    }
    req->len = strlen(req->body);
    buf_init(&url, 0);
    buf_printf(&url, "%s/cgi-bin/message/%s/send?access_token=", c->wechat.api_base,
               tpl ? "template" : "custom");
    form_encode(&url, req->token);
    req->url = buf_take(&url);
    req->method = "POST";
    req->headers[0] = xstrdup("Content-Type: application/json; charset=utf-8");
    req->headers[1] = NULL;
    return 0;
}

static void wechat_push_parse(const struct conf *c, long status, const char *body,
                              const char *retry_after, struct push_result *res)
{
    push_classify_http(status, body, retry_after, res);
    if (res->rc != SEND_OK)
        return;
    json_t *o = json_loads(body, 0, NULL);
    json_t *ec = json_object_get(o, "errcode");
    long long code = json_is_integer(ec) ? json_integer_value(ec) : 0;
    const char *msg = json_string_value(json_object_get(o, "errmsg"));
    if (o == NULL) {
        res->rc = SEND_RETRY;
        snprintf(res->error, sizeof res->error, "not JSON: %.150s", body);
    } else if (code != 0) {
        /* 40001/40014/42001: the token is stale; -1 busy; 45009 API quota;
         * 45015 outside the 48 h window and 45047 over the window's quota:
         * only a template message could reach the person now. */
        bool stale = code == 40001 || code == 40014 || code == 42001;
        res->rc = stale || code == -1 || code == 45009 ? SEND_RETRY : SEND_FAIL;
        res->token_invalid = stale;
        res->fallback = (code == 45015 || code == 45047) && c->wechat.template_id[0] != '\0';
        snprintf(res->error, sizeof res->error, "errcode %lld: %.150s", code, msg ? msg : "");
    }
    json_decref(o);
}

static long long wechat_push_rate(const struct conf *c, long long *per_recipient_per_min)
{
    *per_recipient_per_min = c->wechat.recipient_rate;
    return c->wechat.rate;
}

static int wechat_token_build(const struct conf *c, struct push_req *req, char *why,
                              size_t why_size)
{
    struct buf url;
    if (!wechat_push_ready(c, why, why_size))
        return -1;
    buf_init(&url, 0);
    buf_printf(&url, "%s/cgi-bin/token?grant_type=client_credential&appid=", c->wechat.api_base);
    form_encode(&url, c->wechat.appid);
    buf_puts(&url, "&secret=");
    form_encode(&url, c->wechat.appsecret);
    req->url = buf_take(&url);
    req->method = "GET";
    req->headers[0] = NULL;
    return 0;
}

static int wechat_token_parse(const struct conf *c, long status, const char *body, char *token,
                              size_t size, long long *ttl_s, char *why, size_t why_size)
{
    (void)c;
    int rc = -1;
    json_t *o = json_loads(body, 0, NULL);
    const char *t = json_string_value(json_object_get(o, "access_token"));
    json_t *exp = json_object_get(o, "expires_in");
    if (status < 200 || status >= 300 || t == NULL || t[0] == '\0' || strlen(t) >= size) {
        json_t *ec = json_object_get(o, "errcode");
        snprintf(why, why_size, "access_token: HTTP %ld errcode %lld", status,
                 json_is_integer(ec) ? (long long)json_integer_value(ec) : 0LL);
        goto out;
    }
    snprintf(token, size, "%s", t);
    *ttl_s = json_is_integer(exp) ? (long long)json_integer_value(exp) : 7200;
    rc = 0;
out:
    json_decref(o);
    return rc;
}

/* Photos: a PicUrl is a public link (plain GET under the fetcher's address
 * guard); wechat:media/<MediaId> is media/get with the access_token
 * (channels.md §1.8), which answers errors as JSON with status 200. */
static int wechat_media_request(const struct conf *c, const char *ref, struct media_step *st)
{
    bool is_media = str_has_prefix(ref, WX_MEDIA_PREFIX);
    if (st->n == 0 && !is_media) {
        st->req.url = xstrdup(ref);
        st->req.method = "GET";
        return MEDIA_GET;
    }
    if (st->n > 0) {
        json_t *o = is_media ? json_loadb(st->body, st->len, 0, NULL) : NULL;
        json_t *ec = json_object_get(o, "errcode");
        const char *msg = json_string_value(json_object_get(o, "errmsg"));
        long long code = json_is_integer(ec) ? json_integer_value(ec) : 0;
        int rc = MEDIA_DONE; /* not JSON: judged as the photo (and refused) */
        if (json_is_object(o) && code != 0) {
            bool stale = code == 40001 || code == 40014 || code == 42001;
            st->token_invalid = stale;
            rc = stale || code == -1 || code == 45009 ? MEDIA_RETRY : MEDIA_FAIL;
            snprintf(st->why, sizeof st->why, "media/get: errcode %lld: %.100s", code,
                     msg ? msg : "");
        } else if (json_is_object(o)) {
            rc = MEDIA_FAIL;
            snprintf(st->why, sizeof st->why, "media/get: not a photo");
        }
        json_decref(o);
        return rc;
    }
    if (c->wechat.appid[0] == '\0' || c->wechat.appsecret[0] == '\0') {
        snprintf(st->why, sizeof st->why, "no [wechat] appid and appsecret configured");
        return MEDIA_FAIL;
    }
    if (st->token == NULL)
        return MEDIA_NEED_TOKEN;
    struct buf url;
    buf_init(&url, 0);
    buf_printf(&url, "%s/cgi-bin/media/get?access_token=", c->wechat.api_base);
    form_encode(&url, st->token);
    buf_puts(&url, "&media_id=");
    form_encode(&url, ref + strlen(WX_MEDIA_PREFIX));
    st->req.url = buf_take(&url);
    st->req.method = "GET";
    st->is_api = true;
    return MEDIA_GET;
}

/* A customer-service text message holds 2048 bytes of UTF-8 (channels.md). */
static size_t wechat_max_push(const struct conf *c, enum text_unit *unit)
{
    (void)c;
    *unit = TEXT_BYTES;
    return 2048;
}


/* A LOCATION event is a position report, sent every few seconds while the
 * chat is open: nothing is stored and nothing is said. (A location the
 * worker sends is a message, type location, and runs a turn.) */
static int wechat_settle(struct store *st, const struct inmsg *in, int64_t now,
                         const char **intent)
{
    (void)st;
    (void)now;
    if (in->event == NULL || strcmp(in->event, "location") != 0)
        return 0;
    *intent = "event.location";
    return 1;
}

const struct channel chan_wechat = {
    .name = "wechat",
    .route = "/webhook/wechat",
    .methods = "GET, POST",
    .parse = wechat_parse,
    .render = wechat_render,
    .max_reply = wechat_max_reply,
    .push_build = wechat_push_build,
    .push_parse = wechat_push_parse,
    .push_rate = wechat_push_rate,
    .max_push = wechat_max_push,
    .push_ready = wechat_push_ready,
    .is_sms = false,
    .links = wechat_links,
    .token_build = wechat_token_build,
    .token_parse = wechat_token_parse,
    .media_request = wechat_media_request,
    .reply_deadline_ms = wechat_reply_deadline,
    .settle = wechat_settle,
};
