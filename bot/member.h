/*
 * member.h - mobile members (流动党员/会员) who keep in touch with their home
 * organisation: admins record membership (never the member), members report
 * where they are now with 报到 <城市> or a location. SQL in store_member.c,
 * the conversation in handle_member.c, the admin API in admin_desk.c.
 */
#ifndef BOT_MEMBER_H
#define BOT_MEMBER_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;
struct turn;

/* A member record; strings owned, member_info_release() frees them. */
struct member_info {
    char *org, *contact, *city; /* contact, city may be NULL */
    int64_t checkin_ms;         /* 0 before the first check-in */
};
void member_info_release(struct member_info *m);

/* Record (or update) person as a member of org. 0 with *id set, or -1. */
int store_member_set(struct store *st, int64_t person, const char *name, const char *org,
                     const char *contact, int64_t now, int64_t *id);
/* 1 a member (out filled), 0 not a member, -1 error. */
int store_member_get(struct store *st, int64_t person, struct member_info *out);
/* Where the member is now: city (NULL keeps the last one) and/or a position.
 * 1 recorded, 0 not a member, -1 error. */
int store_member_checkin(struct store *st, int64_t person, const char *city, bool has_loc,
                         double lat, double lon, int64_t now);
/* A member as listed: person "channel:id"; name, contact, city NULL when
 * unknown; the position and check-in time only when has_*. */
struct member_entry {
    int64_t id;
    char *person, *name, *org, *contact, *city;
    bool has_lat, has_lon, has_checkin;
    double lat, lon;
    int64_t checkin_ms, last_seen_ms, created_ms;
};
/* Members in city (NULL: any) whose last check-in (or, without one, their
 * record) is at or before stale_before (0: any time), longest silent first,
 * as *v of *n: 0 (free with member_entry_free_all), -1. */
int store_member_list(struct store *st, const char *city, int64_t stale_before, int limit,
                      struct member_entry **v, size_t *n);
void member_entry_free_all(struct member_entry *v, size_t n);
/* The admin API's JSON of one (new reference): {"id","person","org","name",
 * "contact","city","lat","lon","checkin_ms","last_seen_ms","created_ms"},
 * what is unknown null. */
json_t *member_entry_json(const struct member_entry *m);

#endif
