/*
 * setup.h - one-off platform setup run by the operator from the command line:
 * `yizhan wechat menu` (the account menu from content/wechat_menu.json) and
 * `yizhan telegram set-webhook URL` (with a generated secret_token). They
 * talk to the configured api_base with libcurl; curl_global_init must have run.
 */
#ifndef BOT_SETUP_H
#define BOT_SETUP_H
#include <stddef.h>

struct conf;

/* Create the WeChat menu from the JSON file at path: fetch an access_token,
 * then POST /cgi-bin/menu/create. 0, or -1 with the reason logged. */
int setup_wechat_menu(const struct conf *c, const char *path);
/* Register url as Telegram's webhook with a new random secret_token, copied
 * into secret (at least 33 bytes) for the operator's bot.conf. 0 or -1. */
int setup_telegram_webhook(const struct conf *c, const char *url, char *secret, size_t size);

#endif
