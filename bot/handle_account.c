/*
 * handle_account.c - account.link (绑定): without a code, a fresh 6-digit
 * code for this account; with one, link this channel's account into the
 * account the code came from. Wrong codes are limited per person
 * (ACCOUNT_MAX_FAILS in ACCOUNT_FAIL_MINUTES). See account.h.
 */
#include <stdio.h>
#include <string.h>

#include "account.h"
#include "crypto.h"
#include "handler.h"
#include "log.h"
#include "msg.h"
#include "store.h"

const struct content_need account_needs[] = {
    CONTENT_NEED("account.code", "code minutes until"),
    CONTENT_NEED("account.done", "count"),
    CONTENT_NEED("account.already", ""),
    CONTENT_NEED("account.bad_code", "left"),
    CONTENT_NEED("account.too_many", "minutes"),
    CONTENT_NEED_END,
};

/* A new code for the sender's account, unique among live codes. */
static int new_code(struct turn *t)
{
    char code[8], minutes[8], until[16];
    int64_t expires = t->now + (int64_t)ACCOUNT_CODE_MINUTES * 60000;
    for (int i = 0; i < 20; i++) {
        unsigned char r[4];
        if (crypto_random(r, sizeof r) == -1)
            return log_fail("account: no random bytes for a code");
        uint32_t v = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
        snprintf(code, sizeof code, "%06u", (unsigned)(v % 1000000u));
        int rc = store_account_code_add(t->st, t->person, code, expires, t->now);
        if (rc == -1)
            return -1;
        if (rc == 1)
            continue; /* another account holds this code right now */
        snprintf(minutes, sizeof minutes, "%d", ACCOUNT_CODE_MINUTES);
        turn_fmt_time(expires, "%H:%M", until, sizeof until);
        return say(t, "account.code", "code", code, "minutes", minutes, "until", until, NULL);
    }
    return log_fail("account: no free link code after 20 tries");
}

int handle_account_link(struct turn *t)
{
    const char *code = turn_cap(t, "code");
    char buf[16];
    int64_t account = 0;
    if (code == NULL)
        return new_code(t);
    int fails =
        store_account_fails(t->st, t->person, t->now - (int64_t)ACCOUNT_FAIL_MINUTES * 60000);
    if (fails == -1)
        return -1;
    if (fails >= ACCOUNT_MAX_FAILS) {
        snprintf(buf, sizeof buf, "%d", ACCOUNT_FAIL_MINUTES);
        return say(t, "account.too_many", "minutes", buf, NULL);
    }
    int found = strlen(code) == 6 ? store_account_code_find(t->st, code, t->now, &account) : 0;
    if (found == -1)
        return -1;
    if (found == 0) {
        if (store_account_fail_add(t->st, t->person, t->now) == -1)
            return -1;
        snprintf(buf, sizeof buf, "%d", ACCOUNT_MAX_FAILS - fails - 1);
        return say(t, "account.bad_code", "left", buf, NULL);
    }
    if (account == t->person)
        return say(t, "account.already", NULL);
    /* the account that asked for the code keeps its id: this one joins it */
    if (store_account_link(t->st, account, t->person, code) == -1)
        return -1;
    t->person = account;
    int n = store_account_size(t->st, account);
    if (n == -1)
        return -1;
    snprintf(buf, sizeof buf, "%d", n);
    return say(t, "account.done", "count", buf, NULL);
}
