/*
 * test_util.c - x-helpers, UTF-8 helpers, capped buffer.
 */
#include <stdlib.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "t.h"
#include "util.h"

static void test_parse_int_range(void)
{
    long long v = 0;
    CHECK_INT(parse_int("42", 0, 100, &v), 0);
    CHECK_INT(v, 42);
    CHECK_INT(parse_int("101", 0, 100, &v), -1);
    CHECK_INT(parse_int("4x", 0, 100, &v), -1);
    CHECK_INT(parse_int("", 0, 100, &v), -1);
    CHECK_INT(parse_int("99999999999999999999", 0, 100, &v), -1);
}

static void test_utf8_len_and_valid(void)
{
    CHECK_INT(utf8_len("积分abc"), 5);
    CHECK(utf8_valid("积分", 6));
    CHECK(!utf8_valid("\xe7\xa7", 2));
    CHECK(!utf8_valid("\xc0\xaf", 2)); /* overlong '/' */
}

static void test_mask_id(void)
{
    char b[32];
    CHECK_STR(mask_id("13800001234", b, sizeof b), "…1234");
    CHECK_STR(mask_id("ab", b, sizeof b), "…ab");
}

static void test_buf_cap(void)
{
    struct buf b;
    buf_init(&b, 8);
    CHECK_INT(buf_append(&b, "12345", 5), 0);
    CHECK_INT(buf_append(&b, "6789", 4), -1);
    CHECK_INT(buf_append(&b, "678", 3), 0);
    CHECK_STR(b.data, "12345678");
    char *s = buf_take(&b);
    CHECK_STR(s, "12345678");
    free(s);
    buf_release(&b);
}

/* What log_info("msg %s", arg) writes to stderr (caught in a file), freed by
 * the caller. */
static char *logged(const char *arg)
{
    t_stderr_begin();
    log_info("msg %s", arg);
    return t_stderr_end();
}

/* Issue 15: a %0a in a request path forged a log line. Control characters
 * are escaped in every line; UTF-8 passes; a long message stays whole. */
static void test_log_escapes_control_characters(void)
{
    char *t = logged("/x\n2026-01-01T00:00:00.000Z error forged\r\t\x1b[2J\\");
    CHECK(strstr(t, " info msg /x\\n2026-01-01T00:00:00.000Z error forged\\r\\t"
                    "\\x1b[2J\\\\\n") != NULL);
    CHECK_INT((int)(strchr(t, '\n') - t), (int)strlen(t) - 1); /* one line */
    free(t);
    t = logged("name=张三");
    CHECK(strstr(t, "msg name=张三\n") != NULL);
    free(t);
    char big[5000];
    memset(big, '\n', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    t = logged(big);
    CHECK_INT((int)strlen(strstr(t, " info msg ") + 10), 2 * 4999 + 1);
    free(t);
}

/* PCRE2's JIT is on unless YIZHAN_PCRE2_JIT=0 (make valgrind sets it). */
static void test_jit_wanted_follows_environment(void)
{
    const char *was = getenv("YIZHAN_PCRE2_JIT");
    char *saved = was ? xstrdup(was) : NULL;
    unsetenv("YIZHAN_PCRE2_JIT");
    CHECK(jit_wanted());
    setenv("YIZHAN_PCRE2_JIT", "0", 1);
    CHECK(!jit_wanted());
    setenv("YIZHAN_PCRE2_JIT", "1", 1);
    CHECK(jit_wanted());
    if (saved != NULL)
        setenv("YIZHAN_PCRE2_JIT", saved, 1);
    else
        unsetenv("YIZHAN_PCRE2_JIT");
    free(saved);
}

const struct t_case util_tests[] = {T(test_parse_int_range), T(test_utf8_len_and_valid),
                                    T(test_mask_id), T(test_buf_cap), T(test_log_escapes_control_characters),
                                    T(test_jit_wanted_follows_environment), T_END};
