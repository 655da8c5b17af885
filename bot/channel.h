/*
 * channel.h - the adapter interface. Each platform is one chan_<x>.c that
 * exports a const struct channel and a row in channel.c's table. Adapters never
 * see libmicrohttpd: they get a plain struct http_req, so fixtures can test them.
 */
#ifndef BOT_CHANNEL_H
#define BOT_CHANNEL_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "text.h"

struct conf;
struct out_item;
struct store;
struct turn;

/* An outbound HTTP request built by an adapter for the sender. */
struct push_req {
    char *url;                 /* owned */
    const char *method;        /* static: "POST" or "GET" */
    char *body;                /* owned, may be NULL */
    size_t len;
    char *headers[8];          /* owned "Name: value" lines, NULL-terminated */
    const char *token;         /* in: the channel's cached API token (token_build), or NULL */
    /* out: this request carries only the article of a row with extra (WeChat
     * news); once it is sent the sender records it and builds the row again
     * (it->article_sent) for its text */
    bool is_article;
};
void push_req_release(struct push_req *p);

enum send_rc { SEND_OK, SEND_RETRY, SEND_FAIL };
struct push_result {
    enum send_rc rc;
    int64_t retry_after_ms; /* 0: use the backoff */
    char error[200];
    char ext_id[96]; /* the platform's message id, when it gives one */
    bool token_invalid; /* the API refused the token: refresh it before the retry */
    /* the platform can only take another form now (WeChat 45015: outside the
     * 48-hour window, a template message): the sender builds the row again at
     * once with it->fallback set, for replies and transactional rows */
    bool fallback;
    /* the refusal (retry_after_ms) holds for the whole channel, not only this
     * message: Telegram's 429 is per bot, so nothing goes out on it until then */
    bool pause_channel;
};
/*
 * One step of a photo download, between the fetcher and a channel's
 * media_request. The fetcher fills the inputs; the adapter the outputs.
 */
struct media_step {
    int n;             /* in: 0 for the first request, then 1, 2, ... */
    const char *token; /* in: the channel's cached API token (token_build), or NULL */
    long status;       /* in (n > 0): the previous answer's HTTP status (always 200) */
    const char *body;  /* in (n > 0): its body, NUL-terminated, len bytes; borrowed */
    size_t len;
    struct push_req req; /* out (MEDIA_GET): a GET of req.url with req.headers */
    bool is_api;         /* out: req.url is on the channel's configured api_base */
    bool token_invalid;  /* out (MEDIA_RETRY): the API refused the token */
    char why[200];       /* out (MEDIA_FAIL, MEDIA_RETRY): what went wrong, no secrets */
};
/* media_request's answers. */
enum media_rc {
    MEDIA_GET,        /* fetch st->req */
    MEDIA_DONE,       /* nothing more to ask: the previous answer is judged as the photo */
    MEDIA_FAIL,       /* give up on this photo (why) */
    MEDIA_RETRY,      /* try again later with backoff (why; token_invalid) */
    MEDIA_NEED_TOKEN, /* call again with st->token set */
};

/* The HTTP rules most APIs follow: 2xx sent; 408, 429 and 5xx retried
 * (Retry-After honoured); other 4xx failed with the body as the reason. */
void push_classify_http(long status, const char *body, const char *retry_after,
                        struct push_result *res);

struct http_req {
    const char *method, *path; /* path without the query string */
    const char *body;          /* NUL-terminated; len bytes */
    size_t len;
    const char *remote_ip;
    /* Look up a request header (case-insensitive) or a query argument; NULL when absent. */
    const char *(*header)(void *ctx, const char *name);
    const char *(*arg)(void *ctx, const char *name);
    /* A query argument with its decoded length (it may hold NUL bytes, as
     * UTF-16 text does); NULL when absent. May be NULL: then arg and strlen. */
    const char *(*arg_len)(void *ctx, const char *name, size_t *len);
    void *ctx;
};

struct http_resp {
    int status;
    char *body; /* owned */
    size_t len;
    const char *content_type; /* static */
    const char *headers[4];   /* static "Name: value" lines to add, NULL-terminated */
};

/* Set resp to status with body text (copied) and content type. */
void http_resp_set(struct http_resp *r, int status, const char *type, const char *body);
/* Set resp to status with {"error": why}. */
void http_resp_error(struct http_resp *r, int status, const char *why);
void http_resp_release(struct http_resp *r);

/* How a channel shows a lesson's link and cover (reply fields "link",
 * "cover"; outbox extra). */
enum chan_links {
    LINKS_FIELDS,  /* passed on as fields; the client shows them (generic) */
    LINKS_TEXT,    /* the link goes in the text (SMS; Telegram previews it) */
    LINKS_ARTICLE, /* an article card with the cover and no room for the text,
                    * which follows as a push (WeChat news, customer service) */
};

struct channel {
    const char *name;    /* "generic"; prefixes person ids and dedupe keys */
    const char *route;   /* "/webhook/generic"; NULL for the terminal */
    const char *methods; /* allowed methods, e.g. "POST" or "GET, POST" */
    /*
     * Check authenticity, then parse. Returns 0 with msg filled (the caller
     * releases it), or an HTTP status with resp filled: an error (4xx, nothing
     * stored) or a direct answer that needs no turn (a URL check, 200).
     */
    int (*parse)(const struct conf *c, const struct http_req *req, struct inmsg *msg,
                 struct http_resp *resp);
    /* Turn replies (a JSON array of {"text"}) into the in-band HTTP answer.
     * replies_json is the same array as compact JSON when the caller has it
     * (the engine stores it anyway), or NULL. */
    void (*render)(const struct conf *c, const struct inmsg *msg, const json_t *replies,
                   const char *replies_json, struct http_resp *resp);
    /* Longest reply in characters before it is cut with 更多; 0 for no limit. */
    size_t (*max_reply)(const struct conf *c);
    /* Build the request that pushes text to it->to. 0, or -1 with why filled
     * when this channel cannot push (not configured): the row fails. NULL: never. */
    int (*push_build)(const struct conf *c, const struct out_item *it, const char *text,
                      struct push_req *req, char *why, size_t why_size);
    /* Read the platform's answer. */
    void (*push_parse)(const struct conf *c, long status, const char *body,
                       const char *retry_after, struct push_result *res);
    /* The platform's limit on one pushed message, counted in *unit; a
     * longer push goes out in parts, cut at sentences (text_cut_units), in
     * order. 0 or NULL: no limit. */
    size_t (*max_push)(const struct conf *c, enum text_unit *unit);
    /* Whether this configuration can push at all; false with why filled when
     * it cannot (a WeChat account with a token but no appsecret answers only
     * in-band): the sender fails such rows at once. NULL: always. */
    bool (*push_ready)(const struct conf *c, char *why, size_t why_size);
    /* Pushes per second on the whole channel, and per minute to one person. */
    long long (*push_rate)(const struct conf *c, long long *per_recipient_per_min);
    bool is_sms; /* SMS budget rules apply */
    /* How links and covers are shown under this configuration; NULL:
     * LINKS_TEXT when is_sms, else LINKS_FIELDS. Use channel_links(). */
    enum chan_links (*links)(const struct conf *c);
    /*
     * Channels whose API needs a short-lived token (WeChat's access_token).
     * push_build returns PUSH_NEED_TOKEN when req->token is NULL; the sender
     * then fetches one with token_build (a plain request, no token) and reads
     * it with token_parse: 0 with token (at most size bytes) and *ttl_s set,
     * or -1 with why. The sender caches it for every slot, refreshes it before
     * it expires and when push_parse sets token_invalid. NULL: no token.
     */
    int (*token_build)(const struct conf *c, struct push_req *req, char *why, size_t why_size);
    int (*token_parse)(const struct conf *c, long status, const char *body, char *token,
                       size_t size, long long *ttl_s, char *why, size_t why_size);
    /*
     * Photo downloads (fetcher.c): turn ref, a media reference this channel's
     * parse put in inmsg.media[].url, into HTTP requests, one step at a time
     * (no network here). The fetcher calls it with st->n 0 and makes each
     * request it gets (MEDIA_GET). A 200 answer whose bytes are an image is
     * the photo; any other 200 answer comes back at the next step, so the
     * adapter reads a lookup (Telegram getFile) or explains an API error
     * (WeChat errcode); other statuses and transport errors follow the
     * fetcher's own retry rules. A request with is_api set goes to the
     * operator's configured api_base, which the fetcher trusts even on a
     * private address; everything else passes the [media] allow_private
     * guard. Credentials may go in req.headers (curl does not forward an
     * Authorization header to another host on a redirect) but never in why.
     * NULL: ref is a public URL fetched with a plain GET.
     */
    int (*media_request)(const struct conf *c, const char *ref, struct media_step *st);
    /*
     * A platform that stops waiting for the in-band answer (WeChat: 5 s).
     * Milliseconds after which http.c answers a turn that has not committed
     * yet with render() of no replies, and the turn, once it commits,
     * queues its replies as one push (engine_reply_later). 0 or NULL: the
     * answer waits for the turn.
     */
    long long (*reply_deadline_ms)(const struct conf *c);
    /*
     * A platform event this channel settles without a turn, before the
     * duplicate check (engine.c): no person is made, nothing is recorded and
     * nobody is answered. WeChat's LOCATION position report (every few
     * seconds while the chat is open); a delivery report, which updates its
     * outbox row (channel_delivery_settle). 1 settled (*intent, static: what
     * it was, for the log), 0 not such an event (the turn runs), -1 store
     * error. NULL: none.
     */
    int (*settle)(struct store *st, const struct inmsg *in, int64_t now, const char **intent);
    /*
     * What the platform needs beside the replies, inside the turn's
     * transaction after it (Telegram: answerCallbackQuery for a button
     * press, queued as a reply-class outbox row). 0 or -1. NULL: nothing.
     */
    int (*after_turn)(struct turn *t);
};
/* push_build's answer when it needs the channel's token first. */
#define PUSH_NEED_TOKEN 1

/* ch->links, or its default. */
enum chan_links channel_links(const struct channel *ch, const struct conf *c);
/* The adapter serving this route, or NULL. */
const struct channel *channel_by_route(const char *path);
/* The i-th adapter of the table (0, 1, ...), NULL past its end. */
const struct channel *channel_at(size_t i);
/* The adapter with this name, or NULL. */
const struct channel *channel_by_name(const char *name);

extern const struct channel chan_generic;
extern const struct channel chan_console;
extern const struct channel chan_wechat;
extern const struct channel chan_telegram;
extern const struct channel chan_twilio;
extern const struct channel chan_kannel;
/* Delivery reports (no people, no turn): inmsg.event "delivery:<status>" with
 * ext_id "sid:<platform id>" or "id:<outbox id>"; engine_turn updates the row. */
extern const struct channel chan_twilio_status;
/* Their settle: store_delivery_set (delivery.h) for "delivery:<status>". */
int channel_delivery_settle(struct store *st, const struct inmsg *in, int64_t now,
                            const char **intent);
extern const struct channel chan_kannel_dlr;

#endif
