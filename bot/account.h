/*
 * account.h - one worker, several channels (绑定). A person who texts 绑定 on
 * one channel gets a code of ACCOUNT_CODE_LEN characters from
 * ACCOUNT_CODE_ALPHABET (no look-alikes: no 0/O, 1/I/L), drawn from the
 * CSPRNG and valid ACCOUNT_CODE_MINUTES, once; texting 绑定 <code> on another
 * channel links both into one account, and every channel the account had is
 * told (account.joined, with 解绑 to undo). 解绑 splits an account back into
 * its channels. An account is people.account_id pointing at its canonical
 * person (NULL on the canonical person itself); engine_turn turns every
 * sender into its canonical person, so points, bookings, lessons, tickets,
 * state and the opt-out are shared. Pushes go to the account's most recently
 * seen channel (store_outbox_add).
 *
 * Guessing (docs/security.md has the arithmetic): a wrong code counts for
 * the person (ACCOUNT_MAX_FAILS in ACCOUNT_FAIL_MINUTES), for the channel
 * (ACCOUNT_CHANNEL_FAILS a calendar minute, after which nobody's code is
 * checked on that channel until the minute ends) and against every live
 * code: a code that has seen ACCOUNT_CODE_MAX_WRONG wrong guesses from
 * anyone dies, so no code ever faces more than that many guesses.
 */
#ifndef BOT_ACCOUNT_H
#define BOT_ACCOUNT_H
#include <stdint.h>

struct store;

#define ACCOUNT_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ" /* 31 characters */
#define ACCOUNT_CODE_LEN 8                                      /* 31^8 = 8.5e11 */
#define ACCOUNT_CODE_MINUTES 10
#define ACCOUNT_CODE_MAX_WRONG 10 /* wrong guesses (anyone's) a live code survives */
#define ACCOUNT_MAX_FAILS 5       /* wrong codes a person may type ... */
#define ACCOUNT_FAIL_MINUTES 10   /* ... in this many minutes */
#define ACCOUNT_CHANNEL_FAILS 10  /* wrong codes a channel takes a calendar minute */

/* Store a new code for account (its canonical person), replacing the
 * account's earlier codes and dropping expired ones. 0, 1 (the code is taken
 * by another live code: pick another) or -1. */
int store_account_code_add(struct store *st, int64_t account, const char *code, int64_t expires_ms,
                           int64_t now);
/* The account a live code belongs to: 1 (*account set), 0 none, -1 error. */
int store_account_code_find(struct store *st, const char *code, int64_t now, int64_t *account);
/* Wrong codes person typed since since_ms: the count, or -1. */
int store_account_fails(struct store *st, int64_t person, int64_t since_ms);
/* Wrong codes typed on channel since since_ms: the count, or -1. */
int store_account_channel_fails(struct store *st, const char *channel, int64_t since_ms);
/* Record a wrong code typed by person on channel, and count it against every
 * live code: a code that reaches max_wrong dies, as do expired codes and
 * wrong codes older than ACCOUNT_FAIL_MINUTES. 0 or -1. */
int store_account_fail_add(struct store *st, int64_t person, const char *channel, int max_wrong,
                           int64_t now);
/*
 * Link the account of other into account (both canonical ids): every person
 * of other's account points at account, their opt-out becomes the account's,
 * and the code is used up. Data kept under other's ids before the link
 * (points, bookings, ...) is not moved. 0 or -1.
 */
int store_account_link(struct store *st, int64_t account, int64_t other, const char *code);
/* Split account (canonical id) back into its channels: each of its people
 * becomes its own account again; the data stays with account. The number of
 * people that left, or -1. */
int store_account_unlink(struct store *st, int64_t account);
/* The number of people (channels) in account. -1 on error. */
int store_account_size(struct store *st, int64_t account);

#endif
