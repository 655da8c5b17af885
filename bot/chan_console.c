/*
 * chan_console.c - the terminal channel of `yizhan chat`: no HTTP route, no
 * length limit; replies are printed by main.c.
 */
#include "channel.h"

static size_t console_max_reply(const struct conf *c)
{
    (void)c;
    return 0;
}

const struct channel chan_console = {
    .name = "console",
    .route = NULL,
    .methods = "",
    .parse = NULL,
    .render = NULL,
    .max_reply = console_max_reply,
};
