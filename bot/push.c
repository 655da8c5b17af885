/*
 * push.c - when a push may go out: quiet hours for everything but replies,
 * meal-rush hours too for bulk messages; and SMS part arithmetic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "outbox.h"
#include "util.h"

#define MAX_WINDOWS 8

const char *out_class_name(enum out_class k)
{
    switch (k) {
    case OUT_REPLY:
        return "reply";
    case OUT_TRANSACTIONAL:
        return "transactional";
    case OUT_BULK:
        return "bulk";
    }
    return "bulk";
}

bool out_class_heeds_optout(enum out_class k)
{
    return k == OUT_BULK;
}

/* Minutes from local time t to the end of the window containing it, or 0. */
static int minutes_left(const int (*w)[2], int n, int minute)
{
    for (int i = 0; i < n; i++) {
        int s = w[i][0], e = w[i][1];
        if (s < e && minute >= s && minute < e)
            return e - minute;
        if (s > e && (minute >= s || minute < e)) /* crosses midnight */
            return minute >= s ? 1440 - minute + e : e - minute;
    }
    return 0;
}

int64_t push_allowed_at(const struct conf *c, enum out_class k, int64_t t)
{
    int w[2 * MAX_WINDOWS][2];
    int n = 0, m;
    if (k == OUT_REPLY)
        return t;
    m = conf_windows_parse(c->push.quiet, w, MAX_WINDOWS);
    n += m > 0 ? m : 0;
    if (k == OUT_BULK) {
        m = conf_windows_parse(c->push.rush, w + n, MAX_WINDOWS);
        n += m > 0 ? m : 0;
    }
    /* Windows may touch each other (rush ending where quiet starts): step
     * through them until t lands outside all of them. */
    for (int guard = 0; guard < 2 * MAX_WINDOWS + 2; guard++) {
        time_t secs = (time_t)(t / 1000);
        struct tm tm;
        localtime_r(&secs, &tm);
        int minute = tm.tm_hour * 60 + tm.tm_min;
        int left = minutes_left((const int (*)[2])w, n, minute);
        if (left == 0)
            return t;
        /* to the window's end: the start of the current minute plus what is left */
        t = (t / 60000) * 60000 + (int64_t)left * 60000;
    }
    return t;
}

/* The GSM 03.38 basic set (as code points) and the extension table, whose
 * characters take two septets. Hand-written: it is a fixed table of the
 * standard, and no library in our stack has it. */
static const char gsm_basic[] = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                                "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
static const char gsm_ext[] = "^{}\\[~]|€\f";

static int gsm_septets(uint32_t cp)
{
    char enc[5];
    size_t n = utf8_encode(cp, enc);
    enc[n] = '\0';
    if (cp != 0 && strstr(gsm_basic, enc) != NULL)
        return 1;
    if (cp != 0 && strstr(gsm_ext, enc) != NULL)
        return 2;
    return 0;
}

int sms_parts(const char *text, int *units, bool *ucs2)
{
    size_t n = strlen(text), i = 0, adv;
    int septets = 0, utf16 = 0;
    bool gsm = true;
    while (i < n) {
        uint32_t cp = utf8_decode(text + i, n - i, &adv);
        i += adv;
        utf16 += cp > 0xFFFF ? 2 : 1;
        int s = gsm ? gsm_septets(cp) : 0;
        if (s == 0)
            gsm = false;
        septets += s;
    }
    int len = gsm ? septets : utf16;
    int single = gsm ? 160 : 70, part = gsm ? 153 : 67;
    if (units)
        *units = len;
    if (ucs2)
        *ucs2 = !gsm;
    if (len == 0)
        return 1;
    return len <= single ? 1 : (len + part - 1) / part;
}

int outbox_push(struct store *st, const struct conf *c, int64_t person, enum out_class k,
                const char *text, int64_t not_before, int64_t now, const char *key)
{
    return outbox_push_rich(st, c, person, k, text, NULL, not_before, now, key);
}

int outbox_push_every(struct store *st, const struct conf *c, int64_t person, enum out_class k,
                      const char *text, int64_t now, const char *key)
{
    int64_t at = push_allowed_at(c, k, now);
    return store_outbox_add_every(st, person, k, text, key, at > now ? "held" : "queued", at, now);
}

int outbox_push_rich(struct store *st, const struct conf *c, int64_t person, enum out_class k,
                     const char *text, const json_t *extra, int64_t not_before, int64_t now,
                     const char *key)
{
    char *ex = NULL;
    int rc;
    char gen[40];
    int64_t due = not_before > now ? not_before : now;
    int64_t at = push_allowed_at(c, k, due);
    if (key == NULL) {
        unsigned char r[12];
        if (crypto_random(r, sizeof r) == -1)
            return log_fail("outbox: no random bytes for a key");
        snprintf(gen, sizeof gen, "ob-");
        for (size_t i = 0; i < sizeof r; i++)
            snprintf(gen + 3 + 2 * i, 3, "%02x", r[i]);
        key = gen;
    }
    if (extra != NULL && (ex = json_dumps(extra, JSON_COMPACT)) == NULL)
        return log_fail("outbox: cannot encode extra");
    rc = store_outbox_add(st, person, k, text, ex, key, at > due ? "held" : "queued", at, 0, now);
    free(ex);
    return rc;
}
