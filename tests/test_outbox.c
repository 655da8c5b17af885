/*
 * test_outbox.c - the outbox without a network: quiet and rush hours
 * (push_allowed_at), SMS part arithmetic, outbox_push, the claim / mark /
 * defer / reclaim state machine, merging due rows for one person, broadcast
 * fan-out, cancel and admin retry. Time is the stub clock; TZ Asia/Shanghai.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "conf.h"
#include "outbox.h"
#include "store.h"
#include "store_int.h" /* store_db(), for the few columns no getter returns */
#include "t.h"
#include "util.h"

/* Every test sets the zone itself: push.c reads local time. */
static void tz_shanghai(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
}

/* Unix ms of a local time in Asia/Shanghai. */
static int64_t local_ms(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000;
}

/* Defaults plus up to two "key=value" overrides (NULL: none); checks there is no error. */
static int conf_with(struct conf *c, const char *a, const char *b)
{
    struct buf errs;
    char *sets[2];
    int n = 0;
    if (a != NULL)
        sets[n++] = (char *)a;
    if (b != NULL)
        sets[n++] = (char *)b;
    buf_init(&errs, 0);
    int rc = conf_load(c, NULL, sets, n, &errs);
    CHECK_STR(errs.data ? errs.data : "", "");
    CHECK_INT(rc, 0);
    buf_release(&errs);
    return rc;
}

/* One integer from a query on the store's own connection, or -1. */
static long long query_int(struct store *st, const char *sql)
{
    sqlite3_stmt *s = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

/* The admin view of outbox row id (new reference), or NULL. */
static json_t *row_of(struct store *st, int64_t id)
{
    json_t *a = outbox_list_json(st, NULL, 1000), *v, *found = NULL;
    size_t i;
    json_array_foreach(a, i, v)
    {
        if (json_integer_value(json_object_get(v, "id")) == id)
            found = json_incref(v);
    }
    json_decref(a);
    return found;
}

static const char *row_str(json_t *row, const char *key)
{
    return json_string_value(json_object_get(row, key));
}

static long long row_int(json_t *row, const char *key)
{
    json_t *v = json_object_get(row, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

/* A person on the generic channel; returns its id. */
static int64_t person(struct store *st, const char *user)
{
    int64_t id = 0;
    /* wrote: 1 for a row made now, 0 for one already there */
    CHECK(store_person_arrive(st, "generic", user, NULL, 1000, &id, NULL) >= 0);
    return id;
}

static void test_outbox_allowed_quiet_crosses_midnight(void)
{
    struct conf c;
    tz_shanghai();
    if (conf_with(&c, NULL, NULL) == -1)
        return;
    int64_t t = local_ms(2025, 11, 28, 23, 30, 0), seven = local_ms(2025, 11, 29, 7, 0, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), seven);
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), seven);
    CHECK_INT(push_allowed_at(&c, OUT_REPLY, t), t);
    /* after midnight, the same morning */
    t = local_ms(2025, 11, 29, 6, 59, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), seven);
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), seven);
    t = local_ms(2025, 11, 29, 6, 59, 30); /* seconds do not push it past 07:00 */
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), seven);
    t = local_ms(2025, 11, 28, 22, 0, 0); /* the first minute of quiet hours */
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), seven);
    t = local_ms(2025, 11, 28, 21, 59, 59); /* just before */
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), t);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), t);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, seven), seven);
    t = local_ms(2025, 11, 29, 10, 0, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), t);
    conf_release(&c);
}

static void test_outbox_allowed_rush_holds_bulk_only(void)
{
    struct conf c;
    tz_shanghai();
    if (conf_with(&c, NULL, NULL) == -1) /* rush 11:00-13:00,17:00-19:30 */
        return;
    int64_t noon = local_ms(2025, 11, 28, 12, 0, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, noon), local_ms(2025, 11, 28, 13, 0, 0));
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, noon), noon);
    CHECK_INT(push_allowed_at(&c, OUT_REPLY, noon), noon);
    int64_t t = local_ms(2025, 11, 28, 19, 29, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), local_ms(2025, 11, 28, 19, 30, 0));
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), t);
    t = local_ms(2025, 11, 28, 11, 0, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), local_ms(2025, 11, 28, 13, 0, 0));
    t = local_ms(2025, 11, 28, 13, 0, 0); /* a window's end is outside it */
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), t);
    conf_release(&c);
}

/* Windows that touch: rush ends where quiet starts, quiet ends where rush starts. */
static void test_outbox_allowed_touching_windows_chain(void)
{
    struct conf c;
    tz_shanghai();
    if (conf_with(&c, "push.rush=20:00-22:00", NULL) == -1)
        return;
    int64_t t = local_ms(2025, 11, 28, 21, 0, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), local_ms(2025, 11, 29, 7, 0, 0));
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), t);
    conf_release(&c);
    if (conf_with(&c, "push.rush=07:00-08:00,12:00-13:00", NULL) == -1)
        return;
    t = local_ms(2025, 11, 28, 23, 0, 0);
    CHECK_INT(push_allowed_at(&c, OUT_BULK, t), local_ms(2025, 11, 29, 8, 0, 0));
    CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), local_ms(2025, 11, 29, 7, 0, 0));
    conf_release(&c);
}

static void test_outbox_allowed_empty_windows(void)
{
    struct conf c;
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    const int hours[] = {0, 3, 6, 7, 12, 18, 22, 23};
    for (size_t i = 0; i < sizeof hours / sizeof hours[0]; i++) {
        int64_t t = local_ms(2025, 11, 28, hours[i], 30, 15);
        CHECK_INT(push_allowed_at(&c, OUT_BULK, t), t);
        CHECK_INT(push_allowed_at(&c, OUT_TRANSACTIONAL, t), t);
        CHECK_INT(push_allowed_at(&c, OUT_REPLY, t), t);
    }
    conf_release(&c);
}

/* n copies of unit (a UTF-8 string) in a new string. */
static char *rep(const char *unit, int n)
{
    struct buf b;
    buf_init(&b, 0);
    for (int i = 0; i < n; i++)
        buf_puts(&b, unit);
    return buf_take(&b);
}

static void check_parts(const char *unit, int n, int want_parts, int want_units, bool want_ucs2)
{
    char *s = rep(unit, n);
    int units = -1;
    bool ucs2 = !want_ucs2;
    CHECK_INT(sms_parts(s, &units, &ucs2), want_parts);
    CHECK_INT(units, want_units);
    CHECK_INT(ucs2, want_ucs2);
    free(s);
}

static void test_outbox_sms_parts(void)
{
    int units = -1;
    bool ucs2 = true;
    tz_shanghai();
    CHECK_INT(sms_parts("", &units, &ucs2), 1);
    CHECK_INT(units, 0);
    CHECK_INT(ucs2, false);
    CHECK_INT(sms_parts("hello", NULL, NULL), 1);
    /* UCS-2: 70 single, 67 a part */
    check_parts("中", 70, 1, 70, true);
    check_parts("中", 71, 2, 71, true);
    check_parts("中", 134, 2, 134, true);
    check_parts("中", 135, 3, 135, true);
    /* GSM-7: 160 single, 153 a part */
    check_parts("a", 160, 1, 160, false);
    check_parts("a", 161, 2, 161, false);
    check_parts("a", 306, 2, 306, false);
    check_parts("a", 307, 3, 307, false);
    /* one Chinese character switches the whole text to UCS-2 */
    char *s = rep("a", 100);
    char *mixed = xasprintf("%s中", s);
    CHECK_INT(sms_parts(mixed, &units, &ucs2), 2);
    CHECK_INT(units, 101);
    CHECK_INT(ucs2, true);
    free(mixed);
    mixed = xasprintf("中%s", s); /* wherever it is */
    CHECK_INT(sms_parts(mixed, &units, &ucs2), 2);
    CHECK_INT(units, 101);
    CHECK_INT(ucs2, true);
    free(mixed);
    free(s);
    /* the GSM extension table takes two septets a character */
    const char *ext[] = {"{", "}", "[", "]", "~", "^", "\\", "|", "€"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        CHECK_INT(sms_parts(ext[i], &units, &ucs2), 1);
        CHECK_INT(units, 2);
        CHECK_INT(ucs2, false);
    }
    check_parts("{", 80, 1, 160, false);
    check_parts("€", 81, 2, 162, false);
    check_parts("a{", 2, 1, 6, false);
    /* an emoji is two UTF-16 units */
    check_parts("😀", 1, 1, 2, true);
    check_parts("😀", 35, 1, 70, true);
    check_parts("😀", 36, 2, 72, true);
    /* basic-set accents stay GSM-7 */
    check_parts("é", 160, 1, 160, false);
}

static void test_outbox_push_quiet_held_rush_transactional_key_once(void)
{
    struct conf c;
    struct store *st;
    tz_shanghai();
    if (conf_with(&c, NULL, NULL) == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t p = person(st, "u-1");
    int64_t night = local_ms(2025, 11, 28, 23, 30, 0);
    stub_clock_set(night);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "bulk at night", 0, night, "k-1"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_TRANSACTIONAL, "tx at night", 0, night, "k-2"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_REPLY, "reply at night", 0, night, "k-3"), 0);
    json_t *r = row_of(st, 1);
    CHECK_STR(row_str(r, "status"), "held");
    CHECK_INT(row_int(r, "next_at_ms"), local_ms(2025, 11, 29, 7, 0, 0));
    CHECK_STR(row_str(r, "class"), "bulk");
    json_decref(r);
    r = row_of(st, 2);
    CHECK_STR(row_str(r, "status"), "held");
    CHECK_INT(row_int(r, "next_at_ms"), local_ms(2025, 11, 29, 7, 0, 0));
    json_decref(r);
    r = row_of(st, 3);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_INT(row_int(r, "next_at_ms"), night);
    json_decref(r);

    int64_t noon = local_ms(2025, 11, 28, 12, 0, 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_TRANSACTIONAL, "tx at noon", 0, noon, "k-4"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "bulk at noon", 0, noon, "k-5"), 0);
    r = row_of(st, 4);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_INT(row_int(r, "next_at_ms"), noon);
    json_decref(r);
    r = row_of(st, 5);
    CHECK_STR(row_str(r, "status"), "held");
    CHECK_INT(row_int(r, "next_at_ms"), local_ms(2025, 11, 28, 13, 0, 0));
    json_decref(r);

    /* not_before in the future but allowed: queued for then */
    int64_t ten = local_ms(2025, 11, 28, 10, 0, 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "later", ten + 60000, ten, "k-6"), 0);
    r = row_of(st, 6);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_INT(row_int(r, "next_at_ms"), ten + 60000);
    json_decref(r);

    /* the same key twice queues once */
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "again", 0, ten, "k-1"), 1);
    CHECK_INT(query_int(st, "SELECT count(*) FROM outbox WHERE idem_key='k-1'"), 1);
    CHECK_INT(query_int(st, "SELECT count(*) FROM outbox"), 6);
    /* no key: one is made up, different each time */
    CHECK_INT(outbox_push(st, &c, p, OUT_REPLY, "x", 0, ten, NULL), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_REPLY, "x", 0, ten, NULL), 0);
    CHECK_INT(query_int(st, "SELECT count(DISTINCT idem_key) FROM outbox"), 8);
out:
    store_close(st);
    conf_release(&c);
}

static void test_outbox_claim_mark_defer_reclaim(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t p = person(st, "u-1"), now = local_ms(2025, 11, 28, 10, 0, 0);
    stub_clock_set(now);
    CHECK_INT(outbox_push(st, &c, p, OUT_TRANSACTIONAL, "hello", 0, now, "k-1"), 0);
    CHECK_INT(store_outbox_claim(st, now - 1, 60000, it, 4), 0); /* not due yet */
    memset(it, 0xff, sizeof it); /* whatever the caller's memory held */
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 4), 1);
    CHECK(!it[0].fallback); /* a fresh row goes in the normal form */
    CHECK(!it[0].article_sent);
    CHECK_INT(it[0].attempts, 1);
    CHECK_STR(it[0].to, "u-1");
    CHECK_STR(it[0].channel, "generic");
    CHECK_STR(it[0].text, "hello");
    CHECK_STR(it[0].idem_key, "k-1");
    CHECK_INT(it[0].klass, OUT_TRANSACTIONAL);
    int64_t id = it[0].id;
    out_item_release(&it[0]);
    json_t *r = row_of(st, id);
    CHECK_STR(row_str(r, "status"), "sending");
    CHECK_INT(row_int(r, "attempts"), 1);
    json_decref(r);
    /* a claimed row is not claimed twice */
    CHECK_INT(store_outbox_claim(st, now + 1000, 60000, it, 4), 0);
    /* reclaim only once the lease ran out */
    CHECK_INT(store_outbox_reclaim(st, now + 30000), 0);
    CHECK_INT(store_outbox_reclaim(st, now + 60000), 0);
    CHECK_INT(store_outbox_reclaim(st, now + 60001), 1);
    r = row_of(st, id);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_HAS(row_str(r, "last_error"), "lease expired");
    json_decref(r);
    CHECK_INT(store_outbox_reclaim(st, now + 120000), 0);
    now += 61000;
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 4), 1);
    CHECK_INT(it[0].attempts, 2);
    out_item_release(&it[0]);
    /* defer gives the row back without counting a try */
    CHECK_INT(store_outbox_defer(st, id, "queued", now + 5000, "rate", now), 0);
    r = row_of(st, id);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_INT(row_int(r, "attempts"), 1);
    CHECK_INT(row_int(r, "next_at_ms"), now + 5000);
    json_decref(r);
    CHECK_INT(store_outbox_claim(st, now + 4999, 60000, it, 4), 0);
    CHECK_INT(store_outbox_claim(st, now + 5000, 60000, it, 4), 1);
    CHECK_INT(it[0].attempts, 2);
    out_item_release(&it[0]);
    /* a retry: queued again with next_at, the attempt stays counted */
    now += 5000;
    CHECK_INT(store_outbox_mark(st, id, "queued", "HTTP 500: x", NULL, now + 2000, now), 0);
    r = row_of(st, id);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_INT(row_int(r, "attempts"), 2);
    CHECK_STR(row_str(r, "last_error"), "HTTP 500: x");
    CHECK_INT(row_int(r, "sent_ms"), -1);
    json_decref(r);
    CHECK_INT(store_outbox_claim(st, now + 2000, 60000, it, 4), 1);
    CHECK_INT(it[0].attempts, 3);
    out_item_release(&it[0]);
    /* sent: sent_ms set, lease cleared, never claimed or reclaimed again */
    CHECK_INT(store_outbox_mark(st, id, "sent", NULL, "ext-9", now + 2100, now + 2100), 0);
    r = row_of(st, id);
    CHECK_STR(row_str(r, "status"), "sent");
    CHECK_INT(row_int(r, "sent_ms"), now + 2100);
    CHECK(json_is_null(json_object_get(r, "last_error")));
    json_decref(r);
    CHECK_INT(query_int(st, "SELECT lease_until_ms IS NULL FROM outbox WHERE id=1"), 1);
    CHECK_INT(store_outbox_reclaim(st, now + 999999), 0);
    CHECK_INT(store_outbox_claim(st, now + 999999, 60000, it, 4), 0);
out:
    store_close(st);
    conf_release(&c);
}

/* Claims take the earliest due rows first and at most n. */
static void test_outbox_claim_order_and_limit(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0);
    int64_t a = person(st, "u-1"), b = person(st, "u-2"), d = person(st, "u-3");
    CHECK_INT(outbox_push(st, &c, a, OUT_BULK, "a", now + 300, now, "k-a"), 0);
    CHECK_INT(outbox_push(st, &c, b, OUT_BULK, "b", now + 100, now, "k-b"), 0);
    CHECK_INT(outbox_push(st, &c, d, OUT_BULK, "d", now + 200, now, "k-d"), 0);
    CHECK_INT(store_outbox_claim(st, now + 1000, 60000, it, 2), 2);
    CHECK_STR(it[0].text, "b");
    CHECK_STR(it[1].text, "d");
    out_item_release(&it[0]);
    out_item_release(&it[1]);
    CHECK_INT(store_outbox_claim(st, now + 1000, 60000, it, 4), 1);
    CHECK_STR(it[0].text, "a");
    out_item_release(&it[0]);
out:
    store_close(st);
    conf_release(&c);
}

/* Rows of one person claimed together: the carrier folds in the ones named
 * in claimed; a row it did not take follows it (waits as it waits, or comes
 * back now); a long row goes on with its rest; dead rows come back by
 * channel and time range. */
static void test_outbox_claimed_together_follow_parts_retry_dead(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0);
    int64_t p = person(st, "u-1");
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "one", 0, now, "k-1"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "two", 0, now, "k-2"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "three", 0, now, "k-3"), 0);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 3), 3);
    int64_t lo = it[0].id < it[1].id ? it[0].id : it[1].id;
    lo = lo < it[2].id ? lo : it[2].id;
    struct out_item *carrier = it[0].id == lo ? &it[0] : it[1].id == lo ? &it[1] : &it[2];
    /* without claimed, rows being sent are not folded in */
    CHECK_INT(store_outbox_merge_due(st, carrier, NULL, now), 0);
    CHECK_STR(carrier->text, "one");
    char claimed[64];
    snprintf(claimed, sizeof claimed, "[%lld]", (long long)(lo + 1));
    CHECK_INT(store_outbox_merge_due(st, carrier, claimed, now), 0);
    CHECK_STR(carrier->text, "one\n\ntwo");
    /* the third was not folded in: the carrier is deferred, it waits with it */
    CHECK_INT(store_outbox_defer(st, lo, "held", now + 5000, NULL, now), 0);
    CHECK_INT(store_outbox_follow(st, lo + 1, lo, now), 0); /* merged: untouched */
    CHECK_INT(store_outbox_follow(st, lo + 2, lo, now), 0);
    json_t *r = row_of(st, lo + 1);
    CHECK_STR(row_str(r, "status"), "merged");
    json_decref(r);
    r = row_of(st, lo + 2);
    CHECK_STR(row_str(r, "status"), "held");
    CHECK_INT(row_int(r, "next_at_ms"), now + 5000);
    CHECK_INT(row_int(r, "attempts"), 0);
    json_decref(r);
    for (int i = 0; i < 3; i++)
        out_item_release(&it[i]);
    /* a part is out: the rest waits as queued with a fresh try count */
    CHECK_INT(store_outbox_claim(st, now + 5000, 60000, it, 4), 2);
    CHECK_INT(store_outbox_next_part(st, lo, "rest of it", "m-1", now + 5000), 0);
    r = row_of(st, lo);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_INT(row_int(r, "attempts"), 0);
    json_decref(r);
    out_item_release(&it[0]);
    out_item_release(&it[1]);
    CHECK_INT(store_outbox_claim(st, now + 5000, 60000, it, 4), 1);
    CHECK_STR(it[0].text, "rest of it");
    out_item_release(&it[0]);
    /* dead rows: by channel and by when they died */
    CHECK_INT(store_outbox_mark(st, lo, "dead", "HTTP 503", NULL, now, now + 6000), 0);
    CHECK_INT(store_outbox_mark(st, lo + 2, "dead", "HTTP 503", NULL, now, now + 9000), 0);
    CHECK_INT(store_outbox_retry_dead(st, "telegram", 0, now + 60000, now + 10000), 0);
    /* the carrier and the row folded into it, which rides with it again */
    CHECK_INT(store_outbox_retry_dead(st, "generic", now + 5000, now + 7000, now + 10000), 2);
    r = row_of(st, lo);
    CHECK_STR(row_str(r, "status"), "queued");
    json_decref(r);
    r = row_of(st, lo + 1);
    CHECK_STR(row_str(r, "status"), "merged");
    json_decref(r);
    json_t *u = undelivered_json(st, 10);
    CHECK_INT(json_array_size(u), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(u, 0), "count")), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(u, 0), "error")), "HTTP 503");
    json_decref(u);
    CHECK_INT(store_outbox_retry_dead(st, NULL, 0, now + 60000, now + 10000), 1);
    /* one id: its folded rows ride with it again too */
    CHECK_INT(store_outbox_mark(st, lo, "dead", "HTTP 503", NULL, now, now + 11000), 0);
    r = row_of(st, lo + 1);
    CHECK_STR(row_str(r, "status"), "dead");
    json_decref(r);
    CHECK_INT(store_outbox_retry(st, lo, now + 12000), 1);
    r = row_of(st, lo + 1);
    CHECK_STR(row_str(r, "status"), "merged");
    json_decref(r);
out:
    store_close(st);
    conf_release(&c);
}

static void test_outbox_merge_due_for_one_person(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0);
    int64_t p = person(st, "u-1"), q = person(st, "u-2");
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "first", 0, now, "k-1"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "second", 0, now, "k-2"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_REPLY, "a reply", 0, now, "k-3"), 0);
    CHECK_INT(outbox_push(st, &c, q, OUT_BULK, "someone else", 0, now, "k-4"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "not due", now + 60000, now, "k-5"), 0);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 1), 1);
    CHECK_STR(it[0].text, "first");
    CHECK_INT(store_outbox_merge_due(st, &it[0], NULL, now), 0);
    CHECK_STR(it[0].text, "first\n\nsecond");
    int64_t carrier = it[0].id;
    out_item_release(&it[0]);
    json_t *r = row_of(st, 2);
    CHECK_STR(row_str(r, "status"), "merged");
    json_decref(r);
    CHECK_INT(query_int(st, "SELECT merged_into FROM outbox WHERE id=2"), carrier);
    r = row_of(st, 3); /* a reply is never merged */
    CHECK_STR(row_str(r, "status"), "queued");
    json_decref(r);
    r = row_of(st, 4); /* nor someone else's row */
    CHECK_STR(row_str(r, "status"), "queued");
    json_decref(r);
    r = row_of(st, 5); /* nor one that is not due */
    CHECK_STR(row_str(r, "status"), "queued");
    json_decref(r);
    /* sent with the carrier */
    CHECK_INT(store_outbox_mark(st, carrier, "sent", NULL, NULL, now + 10, now + 10), 0);
    r = row_of(st, 2);
    CHECK_STR(row_str(r, "status"), "sent");
    CHECK_INT(row_int(r, "sent_ms"), now + 10);
    json_decref(r);
    /* a reply as carrier takes nothing in */
    CHECK_INT(store_outbox_claim(st, now + 60000, 60000, it, 4), 3);
    for (int i = 0; i < 3; i++) {
        if (it[i].klass == OUT_REPLY) {
            CHECK_INT(store_outbox_merge_due(st, &it[i], NULL, now + 60000), 0);
            CHECK_STR(it[i].text, "a reply");
        }
        out_item_release(&it[i]);
    }
out:
    store_close(st);
    conf_release(&c);
}

/* A row with extra (a lesson's link and cover) keeps it through the claim;
 * the article's send is recorded so a retry sends only the text; such a row
 * is never folded into another (its article would be lost). */
static void test_outbox_rich_extra_article_sent_not_merged(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0);
    int64_t p = person(st, "u-1");
    json_t *x = json_pack("{s:s,s:s}", "link", "https://e.org/v", "cover", "https://e.org/c.jpg");
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "plain", 0, now, "k-1"), 0);
    CHECK_INT(outbox_push_rich(st, &c, p, OUT_BULK, "lesson", x, 0, now, "k-2"), 0);
    CHECK_INT(outbox_push_rich(st, &c, p, OUT_BULK, "again", x, 0, now, "k-2"), 1);
    json_decref(x);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 1), 1);
    CHECK(it[0].extra == NULL);
    CHECK(!it[0].article_sent);
    CHECK_INT(store_outbox_merge_due(st, &it[0], NULL, now), 0);
    CHECK_STR(it[0].text, "plain"); /* the rich row stays on its own */
    out_item_release(&it[0]);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 1), 1);
    CHECK_STR(it[0].text, "lesson");
    CHECK_STR(it[0].extra, "{\"link\":\"https://e.org/v\",\"cover\":\"https://e.org/c.jpg\"}");
    CHECK(!it[0].article_sent);
    CHECK_INT(store_outbox_article_sent(st, it[0].id, now), 0);
    CHECK_INT(store_outbox_mark(st, it[0].id, "queued", "busy", NULL, now, now), 0);
    out_item_release(&it[0]);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 1), 1);
    CHECK(it[0].article_sent);
    CHECK_STR(it[0].extra, "{\"link\":\"https://e.org/v\",\"cover\":\"https://e.org/c.jpg\","
                           "\"article_sent\":true}");
    out_item_release(&it[0]);
out:
    store_close(st);
    conf_release(&c);
}

/* A carrier that is retried keeps its merged rows, and sends the combined text again. */
static void test_outbox_merge_survives_retry(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0), p = person(st, "u-1");
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "one", 0, now, "k-1"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "two", 0, now, "k-2"), 0);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 1), 1);
    CHECK_INT(store_outbox_merge_due(st, &it[0], NULL, now), 0);
    out_item_release(&it[0]);
    CHECK_INT(store_outbox_mark(st, 1, "queued", "HTTP 503: busy", NULL, now + 1000, now), 0);
    json_t *r = row_of(st, 2);
    CHECK_STR(row_str(r, "status"), "merged");
    json_decref(r);
    CHECK_INT(store_outbox_claim(st, now + 1000, 60000, it, 4), 1);
    CHECK_STR(it[0].text, "one\n\ntwo");
    out_item_release(&it[0]);
    CHECK_INT(store_outbox_mark(st, 1, "dead", "HTTP 503: busy", NULL, now + 2000, now + 2000), 0);
    r = row_of(st, 2);
    CHECK_STR(row_str(r, "status"), "dead");
    json_decref(r);
out:
    store_close(st);
    conf_release(&c);
}

/* Broadcast id as the admin API shows it (new reference), NULL when none. */
static json_t *bc_json(struct store *st, int64_t id)
{
    struct broadcast_info b;
    if (store_broadcast_get(st, id, &b) != 1)
        return NULL;
    json_t *o = broadcast_info_json(&b);
    broadcast_info_clear(&b);
    return o;
}

/* Broadcast counts of one status, or -1. */
static long long bc_count(struct store *st, int64_t id, const char *status)
{
    json_t *o = bc_json(st, id);
    json_t *v = json_object_get(json_object_get(o, "counts"), status);
    long long n = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
    json_decref(o);
    return n;
}

static void test_outbox_broadcast_spread_skips_opted_out(void)
{
    struct conf c;
    struct store *st;
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0), id = 0, n = 0;
    int64_t p[4];
    for (int i = 0; i < 4; i++) {
        char u[16];
        snprintf(u, sizeof u, "u-%d", i);
        p[i] = person(st, u);
    }
    CHECK_INT(store_person_set_optout(st, p[1], true, now), 0);
    struct audience_count ac;
    CHECK_INT(store_audience_count(st, "subscribers", &ac), 0);
    CHECK_INT(ac.recipients, 3);
    CHECK_INT(ac.opted_out, 1);
    CHECK_INT(json_integer_value(json_object_get(ac.by_channel, "generic")), 3);
    json_decref(ac.by_channel);
    CHECK_INT(store_audience_count(st, "nobody", &ac), -1);
    CHECK_INT(store_begin(st), 0);
    CHECK_INT(store_broadcast_create(st, "news", "all", now, now + 1000, "queued", 60000, 1, now,
                                     &id, &n),
              0);
    CHECK_INT(store_commit(st), 0);
    CHECK_INT(n, 3);
    CHECK_INT(query_int(st, "SELECT count(*) FROM outbox WHERE person_id=2"), 0);
    CHECK_INT(query_int(st, "SELECT min(next_at_ms) FROM outbox"), now + 1000);
    CHECK_INT(query_int(st, "SELECT max(next_at_ms) FROM outbox"), now + 1000 + 40000);
    CHECK_INT(query_int(st, "SELECT count(DISTINCT next_at_ms) FROM outbox"), 3);
    CHECK_INT(query_int(st, "SELECT count(*) FROM outbox WHERE klass='bulk' AND status='queued'"
                            " AND broadcast_id=1"),
              3);
    CHECK_INT(bc_count(st, id, "queued"), 3);
    json_t *o = bc_json(st, id);
    CHECK_INT(json_integer_value(json_object_get(o, "recipients")), 3);
    CHECK_STR(json_string_value(json_object_get(o, "audience")), "all");
    json_decref(o);
    struct broadcast_info none;
    CHECK_INT(store_broadcast_get(st, 99, &none), 0);
    /* tag audience, held, no spread */
    CHECK_INT(store_tag_add(st, p[2], "night"), 0);
    CHECK_INT(store_tag_add(st, p[2], "night"), 0);
    CHECK_INT(store_tag_add(st, p[1], "night"), 0); /* opted out: no row */
    CHECK_INT(
        store_broadcast_create(st, "tagged", "tag:night", now, now + 5, "held", 0, 1, now, &id, &n),
        0);
    CHECK_INT(n, 1);
    CHECK_INT(bc_count(st, id, "held"), 1);
    CHECK_INT(query_int(st, "SELECT next_at_ms FROM outbox WHERE broadcast_id=2"), now + 5);
    CHECK_INT(
        store_broadcast_create(st, "x", "channel:generic", now, now, "queued", 0, 1, now, &id, &n),
        0);
    CHECK_INT(n, 3);
    CHECK_INT(
        store_broadcast_create(st, "x", "channel:telegram", now, now, "queued", 0, 1, now, &id, &n),
        0);
    CHECK_INT(n, 0);
out:
    store_close(st);
    conf_release(&c);
}

static void test_outbox_broadcast_cancel_only_unsent(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0), id = 0, n = 0;
    for (int i = 0; i < 4; i++) {
        char u[16];
        snprintf(u, sizeof u, "u-%d", i);
        person(st, u);
    }
    CHECK_INT(store_broadcast_create(st, "news", "all", now, now, "queued", 0, 1, now, &id, &n), 0);
    CHECK_INT(n, 4);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 2), 2);
    CHECK_INT(store_outbox_mark(st, it[0].id, "sent", NULL, NULL, now, now), 0);
    out_item_release(&it[0]);
    out_item_release(&it[1]); /* the second stays sending */
    int found = -1;
    CHECK_INT(store_broadcast_cancel(st, id, now + 1, &found), 2);
    CHECK_INT(found, 1);
    CHECK_INT(bc_count(st, id, "sent"), 1);
    CHECK_INT(bc_count(st, id, "sending"), 1);
    CHECK_INT(bc_count(st, id, "cancelled"), 2);
    CHECK_INT(query_int(st, "SELECT count(*) FROM outbox WHERE status='cancelled'"
                            " AND last_error='broadcast cancelled'"),
              2);
    CHECK_INT(store_outbox_claim(st, now + 10, 60000, it, 4), 0);
    CHECK_INT(store_broadcast_cancel(st, id, now + 2, &found), 0);
    CHECK_INT(found, 1);
    found = -1;
    CHECK_INT(store_broadcast_cancel(st, 99, now, &found), 0);
    CHECK_INT(found, 0);
    json_t *o = bc_json(st, id);
    CHECK_INT(json_integer_value(json_object_get(o, "cancelled_ms")), now + 1);
    json_decref(o);
out:
    store_close(st);
    conf_release(&c);
}

static void test_outbox_retry_only_failed_or_dead(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[4];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0);
    const char *ends[] = {"failed", "dead", "sent", "cancelled"};
    for (int i = 0; i < 4; i++) {
        char u[16], k[16];
        snprintf(u, sizeof u, "u-%d", i);
        snprintf(k, sizeof k, "k-%d", i);
        CHECK_INT(outbox_push(st, &c, person(st, u), OUT_TRANSACTIONAL, "t", 0, now, k), 0);
    }
    CHECK_INT(outbox_push(st, &c, person(st, "u-9"), OUT_TRANSACTIONAL, "t", 0, now, "k-9"), 0);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 4), 4);
    for (int i = 0; i < 4; i++) {
        CHECK_INT(store_outbox_mark(st, it[i].id, ends[i], "why", NULL, now, now), 0);
        out_item_release(&it[i]);
    }
    CHECK_INT(store_outbox_retry(st, 1, now + 5), 1);
    CHECK_INT(store_outbox_retry(st, 2, now + 5), 1);
    CHECK_INT(store_outbox_retry(st, 3, now + 5), 0);
    CHECK_INT(store_outbox_retry(st, 4, now + 5), 0);
    CHECK_INT(store_outbox_retry(st, 5, now + 5), 0); /* still queued */
    CHECK_INT(store_outbox_retry(st, 42, now + 5), 0);
    json_t *r = row_of(st, 2);
    CHECK_STR(row_str(r, "status"), "queued");
    CHECK_INT(row_int(r, "attempts"), 0);
    CHECK_INT(row_int(r, "next_at_ms"), now + 5);
    json_decref(r);
    json_t *dead = outbox_list_json(st, "dead", 10);
    CHECK_INT(json_array_size(dead), 0);
    json_decref(dead);
    CHECK_INT(store_outbox_claim(st, now + 5, 60000, it, 4), 3);
    for (int i = 0; i < 3; i++)
        out_item_release(&it[i]);
out:
    store_close(st);
    conf_release(&c);
}

/* An opt-out stops bulk rows only: a transactional row (a seat offer) still
 * goes to an opted-out person, and takes no bulk row in with it. */
static void test_outbox_optout_merge_keeps_bulk_out(void)
{
    struct conf c;
    struct store *st;
    struct out_item it[2];
    tz_shanghai();
    if (conf_with(&c, "push.quiet=", "push.rush=") == -1)
        return;
    st = store_open(":memory:", false);
    CHECK(st != NULL);
    if (st == NULL)
        goto out;
    CHECK(out_class_heeds_optout(OUT_BULK));
    CHECK(!out_class_heeds_optout(OUT_TRANSACTIONAL));
    CHECK(!out_class_heeds_optout(OUT_REPLY));
    int64_t now = local_ms(2025, 11, 28, 10, 0, 0);
    int64_t p = person(st, "u-1");
    CHECK_INT(outbox_push(st, &c, p, OUT_TRANSACTIONAL, "seat", 0, now, "k-1"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_BULK, "news", 0, now, "k-2"), 0);
    CHECK_INT(outbox_push(st, &c, p, OUT_TRANSACTIONAL, "report", 0, now, "k-3"), 0);
    CHECK_INT(store_person_set_optout(st, p, true, now), 0);
    CHECK_INT(store_outbox_claim(st, now, 60000, it, 1), 1);
    CHECK_STR(it[0].text, "seat");
    CHECK_INT(store_outbox_merge_due(st, &it[0], NULL, now), 0);
    CHECK_STR(it[0].text, "seat\n\nreport");
    out_item_release(&it[0]);
    json_t *r = row_of(st, 2);
    CHECK_STR(row_str(r, "status"), "queued"); /* left for the sender to cancel */
    json_decref(r);
out:
    store_close(st);
    conf_release(&c);
}

const struct t_case outbox_tests[] = {
    T(test_outbox_rich_extra_article_sent_not_merged),
    T(test_outbox_allowed_quiet_crosses_midnight),
    T(test_outbox_allowed_rush_holds_bulk_only),
    T(test_outbox_allowed_touching_windows_chain),
    T(test_outbox_allowed_empty_windows),
    T(test_outbox_sms_parts),
    T(test_outbox_push_quiet_held_rush_transactional_key_once),
    T(test_outbox_claim_mark_defer_reclaim),
    T(test_outbox_claim_order_and_limit),
    T(test_outbox_merge_due_for_one_person),
    T(test_outbox_claimed_together_follow_parts_retry_dead),
    T(test_outbox_merge_survives_retry),
    T(test_outbox_broadcast_spread_skips_opted_out),
    T(test_outbox_broadcast_cancel_only_unsent),
    T(test_outbox_retry_only_failed_or_dead),
    T(test_outbox_optout_merge_keeps_bulk_out), T_END,
};
