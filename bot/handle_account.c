/*
 * handle_account.c - account.link (绑定): without a code, a fresh code for
 * this account; with one, link this channel's account into the account the
 * code came from and tell that account's channels. account.unlink (解绑):
 * split the account back into its channels. Wrong codes are limited per
 * person, per channel and per code; see account.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "channel.h"
#include "conf.h"
#include "content.h"
#include "crypto.h"
#include "feature.h"
#include "handler.h"
#include "log.h"
#include "msg.h"
#include "outbox.h"
#include "store.h"
#include "util.h"

static const struct content_need account_needs[] = {
    CONTENT_NEED("account.code", "code minutes until"),
    CONTENT_NEED("account.done", "count"),
    CONTENT_NEED("account.already", ""),
    CONTENT_NEED("account.bad_code", "left"),
    CONTENT_NEED("account.too_many", "minutes"),
    CONTENT_NEED("account.busy", ""),
    CONTENT_NEED("account.joined", "channel time"),
    CONTENT_NEED("account.unlinked", "count"),
    CONTENT_NEED("account.unlink_none", ""),
    CONTENT_NEED_END,
};

/* ACCOUNT_CODE_LEN characters of ACCOUNT_CODE_ALPHABET, each uniform: a byte
 * is used only below the largest multiple of the alphabet's size (rejection
 * sampling; a plain modulo would favour the first characters). 0 or -1. */
static int draw_code(char *code)
{
    static const char abc[] = ACCOUNT_CODE_ALPHABET;
    const unsigned n = sizeof abc - 1, limit = 256 / n * n;
    int have = 0;
    while (have < ACCOUNT_CODE_LEN) {
        unsigned char r[32];
        if (crypto_random(r, sizeof r) == -1)
            return log_fail("account: no random bytes for a code");
        for (size_t i = 0; i < sizeof r && have < ACCOUNT_CODE_LEN; i++)
            if (r[i] < limit)
                code[have++] = abc[r[i] % n];
    }
    code[have] = '\0';
    return 0;
}

/* A new code for the sender's account, unique among live codes. */
static int new_code(struct turn *t)
{
    char code[ACCOUNT_CODE_LEN + 1], minutes[8], until[16];
    int64_t expires = t->now + (int64_t)ACCOUNT_CODE_MINUTES * 60000;
    for (int i = 0; i < 20; i++) {
        if (draw_code(code) == -1)
            return -1;
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

/* The code as typed, upper case without spaces or dashes, into out. */
static void code_canon(const char *typed, char *out, size_t size)
{
    size_t n = 0;
    for (; *typed && n + 1 < size; typed++)
        if (*typed != ' ' && *typed != '-')
            out[n++] = (char)toupper((unsigned char)*typed);
    out[n] = '\0';
}

/* Every channel the account had before other joined it hears of the join,
 * at once (a reply-class push: quiet hours do not hold it back). */
static int tell_owner(struct turn *t, int64_t account, int64_t other)
{
    char when[32], key[64];
    turn_fmt_time(t->now, "%m-%d %H:%M", when, sizeof when);
    const char *kv[] = {"channel", t->ch->name, "time", when, NULL};
    char *text = content_render(t->app->ct, "account.joined", kv);
    if (text == NULL)
        return log_fail("account: no text account.joined");
    snprintf(key, sizeof key, "acct-join:%lld:%lld", (long long)other, (long long)t->now);
    int rc = outbox_push_every(t->st, t->app->conf, account, OUT_REPLY, text, t->now, key);
    free(text);
    return rc == -1 ? -1 : 0;
}

/* A wrong code: counted for the person, the channel and every live code. */
static int wrong_code(struct turn *t, int fails)
{
    char left[16];
    if (store_account_fail_add(t->st, t->person, t->ch->name, ACCOUNT_CODE_MAX_WRONG, t->now) == -1)
        return -1;
    snprintf(left, sizeof left, "%d", ACCOUNT_MAX_FAILS - fails - 1);
    return say(t, "account.bad_code", "left", left, NULL);
}

static int handle_account_link(struct turn *t)
{
    const char *typed = turn_cap(t, "code");
    char buf[16], code[32];
    int64_t account = 0;
    if (typed == NULL)
        return new_code(t);
    int fails =
        store_account_fails(t->st, t->person, t->now - (int64_t)ACCOUNT_FAIL_MINUTES * 60000);
    if (fails == -1)
        return -1;
    if (fails >= ACCOUNT_MAX_FAILS) {
        snprintf(buf, sizeof buf, "%d", ACCOUNT_FAIL_MINUTES);
        return say(t, "account.too_many", "minutes", buf, NULL);
    }
    /* the channel's wrong codes this calendar minute, from anyone */
    int busy = store_account_channel_fails(t->st, t->ch->name, t->now - t->now % 60000);
    if (busy == -1)
        return -1;
    if (busy >= ACCOUNT_CHANNEL_FAILS)
        return say(t, "account.busy", NULL);
    code_canon(typed, code, sizeof code);
    int found = strlen(code) == ACCOUNT_CODE_LEN
                    ? store_account_code_find(t->st, code, t->now, &account)
                    : 0;
    if (found == -1)
        return -1;
    if (found == 0)
        return wrong_code(t, fails);
    if (account == t->person)
        return say(t, "account.already", NULL);
    /* told before the link, so only the channels the account had hear it */
    if (tell_owner(t, account, t->person) == -1)
        return -1;
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

static int handle_account_unlink(struct turn *t)
{
    char buf[16];
    int n = store_account_unlink(t->st, t->person);
    if (n == -1)
        return -1;
    if (n == 0)
        return say(t, "account.unlink_none", NULL);
    snprintf(buf, sizeof buf, "%d", n + 1);
    return say(t, "account.unlinked", "count", buf, NULL);
}

const struct feature feature_account = {
    .name = "account",
    .intents = (const struct handler[]){
        {"account.link", handle_account_link, false},
        {"account.unlink", handle_account_unlink, false},
        {NULL, NULL, false},
    },
    .needs = {account_needs},
};
