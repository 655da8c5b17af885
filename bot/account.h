/*
 * account.h - one worker, several channels (绑定). A person who texts 绑定 on
 * one channel gets a 6-digit code valid ACCOUNT_CODE_MINUTES; texting
 * 绑定 <code> on another channel links both into one account. An account is
 * people.account_id pointing at its canonical person (NULL on the canonical
 * person itself); engine_turn turns every sender into its canonical person, so
 * points, bookings, lessons, tickets, state and the opt-out are shared. Pushes
 * go to the account's most recently seen channel (store_outbox_add).
 */
#ifndef BOT_ACCOUNT_H
#define BOT_ACCOUNT_H
#include <stdint.h>

struct store;

#define ACCOUNT_CODE_MINUTES 10
#define ACCOUNT_MAX_FAILS 5     /* wrong codes a person may type ... */
#define ACCOUNT_FAIL_MINUTES 10 /* ... in this many minutes */

/* Store a new code for account (its canonical person), replacing the
 * account's earlier codes and dropping expired ones. 0, 1 (the code is taken
 * by another live code: pick another) or -1. */
int store_account_code_add(struct store *st, int64_t account, const char *code, int64_t expires_ms,
                           int64_t now);
/* The account a live code belongs to: 1 (*account set), 0 none, -1 error. */
int store_account_code_find(struct store *st, const char *code, int64_t now, int64_t *account);
/* Wrong codes person typed since since_ms: the count, or -1. */
int store_account_fails(struct store *st, int64_t person, int64_t since_ms);
/* Record a wrong code typed by person. 0 or -1. */
int store_account_fail_add(struct store *st, int64_t person, int64_t now);
/*
 * Link the account of other into account (both canonical ids): every person
 * of other's account points at account, their opt-out becomes the account's,
 * and the code is used up. Data kept under other's ids before the link
 * (points, bookings, ...) is not moved. 0 or -1.
 */
int store_account_link(struct store *st, int64_t account, int64_t other, const char *code);
/* The number of people (channels) in account. -1 on error. */
int store_account_size(struct store *st, int64_t account);

#endif
