/*
 * http.h - the HTTP server (libmicrohttpd): routes, body cap, per-request
 * state and responses. Webhook requests are parsed by their channel, then
 * suspended while the writer thread runs and commits their turn, and resumed
 * to answer: nothing is acknowledged before COMMIT.
 */
#ifndef BOT_HTTP_H
#define BOT_HTTP_H

struct app;
struct engine;
struct http_server;

/* Listen on app->conf->listen. NULL on failure (logged). */
struct http_server *http_start(const struct app *app, struct engine *e);
/* The bound port (useful when the config asked for port 0). */
int http_port(struct http_server *s);
/* Stop taking new requests (each gets 503, which platforms retry); requests in
 * flight go on. The socket closes in http_stop. */
void http_quiesce(struct http_server *s);
/* Requests in flight (received, not yet answered). */
int http_active(struct http_server *s);
/* Close every connection and free s. */
void http_stop(struct http_server *s);

#endif
