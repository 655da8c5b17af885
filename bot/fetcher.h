/*
 * fetcher.h - the photo fetcher thread: claims pending report photos on its
 * own store connection, fairly by person, downloads several at once with
 * libcurl's multi interface (size, time and redirect caps; http and https
 * only; no proxy; private addresses refused before connecting unless
 * [media] allow_private, except a channel's configured api_base), in the
 * steps the reporter's channel asks for (channel.h media_request: Telegram's
 * getFile, Twilio's Basic auth, WeChat's media/get with the sender's
 * access_token), checks the magic bytes, stores the original and a
 * metadata-stripped copy by SHA-256 under media_dir, reads the EXIF GPS
 * position, and records the outcome on the report: done, retried with
 * backoff, or failed (and the reporter told).
 */
#ifndef BOT_FETCHER_H
#define BOT_FETCHER_H
#include <stdbool.h>

struct app;
struct fetcher;
struct sender;

/* Open a connection to the database and start the thread. API tokens are
 * borrowed from sender (may be NULL: then photos that need one wait and
 * fail), which must outlive the fetcher. NULL on failure. */
struct fetcher *fetcher_start(const struct app *app, struct sender *sender);
/* Look for due downloads now (new rows were committed). Safe from any thread;
 * f may be NULL. */
void fetcher_wake(struct fetcher *f);
/* Stop: a download in flight is abandoned and tried again after a restart. */
void fetcher_stop(struct fetcher *f);

/* True when the textual IPv4 or IPv6 address is loopback, private,
 * link-local, unique-local, multicast, unspecified or reserved, an IPv6 form
 * carrying such an IPv4 address (mapped, compatible, translated, NAT64
 * 64:ff9b::/96, 6to4 2002::/16), Teredo, or not an address (refused by
 * default). */
bool fetcher_ip_private(const char *ip);

#endif
