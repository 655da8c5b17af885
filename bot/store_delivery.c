/*
 * store_delivery.c - SQL for delivery reports (delivery.h).
 */
#include "delivery.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "store_int.h"
#include "util.h"

/* sent (1) comes before the final statuses (2); nothing (0) before both */
#define DELIVERY_RANK(x)                                                                           \
    " (CASE " x " WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN"                                 \
    " 'undelivered' THEN 2 WHEN 'failed' THEN 2 ELSE 0 END)"

int store_delivery_set(struct store *st, const char *key, const char *status, int64_t now)
{
    SQL(by_id,
        "UPDATE outbox SET delivery_status=?2, updated_ms=?3,"
        " delivered_ms=CASE WHEN ?2='delivered' THEN ?3 ELSE delivered_ms END"
        " WHERE id=?1 AND" DELIVERY_RANK("coalesce(delivery_status, '')") "<" DELIVERY_RANK("?2"));
    SQL(by_sid, "UPDATE outbox SET delivery_status=?2, updated_ms=?3,"
                " delivered_ms=CASE WHEN ?2='delivered' THEN ?3 ELSE delivered_ms END"
                " WHERE ext_msg_id=?1 AND" DELIVERY_RANK(
                    "coalesce(delivery_status, '')") "<" DELIVERY_RANK("?2"));
    long long id = 0;
    struct store_stmt *s = NULL;
    if (str_has_prefix(key, "id:") && parse_int(key + 3, 1, INT64_MAX, &id) == 0) {
        s = store_stmt(st, by_id);
        if (s == NULL)
            return -1;
        store_bind_int64(s, 1, id);
    } else if (str_has_prefix(key, "sid:") && key[4] != '\0') {
        s = store_stmt(st, by_sid);
        if (s == NULL)
            return -1;
        store_bind_text(s, 1, key + 4);
    } else {
        return log_fail("store: bad delivery key");
    }
    store_bind_text(s, 2, status);
    store_bind_int64(s, 3, now);
    if (store_step_done(st, s, "delivery set") == -1)
        return -1;
    return store_changes(st) > 0 ? 1 : 0;
}
