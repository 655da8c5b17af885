/*
 * delivery.h - delivery reports for pushed messages: Twilio status callbacks
 * (chan_twilio_status) and Kannel dlr-url calls (chan_kannel_dlr) arrive as
 * inmsg events "delivery:<status>" and update outbox.delivery_status and
 * delivered_ms of the row they name. SQL in store_delivery.c.
 */
#ifndef BOT_DELIVERY_H
#define BOT_DELIVERY_H
#include <stdint.h>

struct store;

/*
 * Record status ("sent", "delivered", "undelivered" or "failed") for the row
 * key names: "id:<outbox id>" or "sid:<ext_msg_id>". A status never moves
 * back (sent before a final one; reports arrive out of order). Returns 1
 * updated, 0 no such row or an older status, -1 error.
 */
int store_delivery_set(struct store *st, const char *key, const char *status, int64_t now);

#endif
