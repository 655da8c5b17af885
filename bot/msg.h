/*
 * msg.h - the channel-neutral inbound message every adapter produces. Replies
 * are a Jansson array of objects {"text": ...} (later also link, cover,
 * options), kept with the inbound row so a platform retry gets the same answer.
 */
#ifndef BOT_MSG_H
#define BOT_MSG_H
#include <stdbool.h>
#include <stdint.h>

#define MSG_MAX_MEDIA 8

struct media {
    char *url;  /* where to fetch it, owned */
    char *type; /* declared MIME type or NULL, owned; never trusted */
};

struct inmsg {
    const char *channel; /* adapter name, static */
    char *ext_id;        /* the platform's dedupe key, owned */
    char *user;          /* platform user id, owned */
    char *name;          /* display name or NULL, owned */
    char *text;          /* UTF-8 text or NULL, owned */
    struct media media[MSG_MAX_MEDIA];
    int nmedia;
    bool has_location;
    double lat, lon;
    char *event; /* platform event ("subscribe", "menu:KEY") or NULL, owned */
    bool authenticated; /* set by the adapter: the platform's signature or
                           secret was checked. False for unsigned generic
                           requests; staff commands need it (handler_run) */
    char *reply_ctx; /* what the adapter's render needs to address the reply
                        (WeChat account id and mode, Telegram chat id), owned */
    bool throttled;  /* over the sender's rate (throttle.h): only a replay of a
                        stored message is answered as such, anything else gets
                        throttle.slow and is not stored */
};

/* Free what msg owns and zero it. */
void inmsg_release(struct inmsg *msg);

#endif
