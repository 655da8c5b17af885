/*
 * points.h - the points ledger: append-only entries (person, delta, reason,
 * reference, time). The balance is derived from the entries, never stored
 * apart from them. A reference is unique per person ("lesson:12",
 * "report:SP0042", "checkin:K7Q2", "admin:<id>"), so the same award can never
 * be entered twice, also under concurrent duplicates. A spend never takes the
 * balance below zero. All calls run inside the caller's transaction.
 */
#ifndef BOT_POINTS_H
#define BOT_POINTS_H
#include <stddef.h>
#include <stdint.h>

struct store;

/* Add delta (> 0) for ref. 0 added, 1 ref already there (nothing added), -1 error. */
int points_award(struct store *st, int64_t person, int64_t delta, const char *reason,
                 const char *ref, int64_t now);
/* Take amount (> 0) for ref when the balance allows. 0 taken, 1 ref already
 * there, 2 not enough points (nothing taken), -1 error. */
int points_spend(struct store *st, int64_t person, int64_t amount, const char *reason,
                 const char *ref, int64_t now);
/* Any signed entry (admin corrections, refunds). Refuses (2) when it would take
 * the balance below zero. 0, 1 (ref exists), 2, or -1. */
int points_entry(struct store *st, int64_t person, int64_t delta, const char *reason,
                 const char *ref, int64_t now);
/* The balance, or -1. */
int64_t points_balance(struct store *st, int64_t person);
/* A ledger entry; the struct owns its strings. */
struct point_entry {
    int64_t delta, ms;
    char *reason, *ref;
};
/* The last n entries, newest first, into *v (NULL when *count is 0) and
 * *count: 0, or -1 with nothing allocated. */
int points_recent(struct store *st, int64_t person, int n, struct point_entry **v, size_t *count);
void point_entry_free_all(struct point_entry *v, size_t n);

#endif
