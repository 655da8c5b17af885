/*
 * test_norm.c - the normaliser: full-width forms, Unicode spaces, case,
 * trimming, trailing punctuation, punctuation-only texts, bad UTF-8.
 */
#include <stdlib.h>

#include "norm.h"
#include "t.h"

/* CHECK_STR on norm_text(in), freeing the result. */
#define CHECK_NORM(in, want)                                                                       \
    do {                                                                                           \
        char *got_ = norm_text(in);                                                                \
        CHECK_STR(got_, want);                                                                     \
        free(got_);                                                                                \
    } while (0)

static void test_norm_fullwidth(void)
{
    CHECK_NORM("ＪＦ", "jf");
    CHECK_NORM("Ａｂｃ１２３", "abc123");
    CHECK_NORM("报名２", "报名2");
    CHECK_NORM("订阅学习 20：30", "订阅学习 20:30");
    CHECK_NORM("签到 Ｋ７Ｑ２", "签到 k7q2");
    CHECK_NORM("（１）", "(1)");
}

static void test_norm_unicode_spaces(void)
{
    CHECK_NORM("\u3000积分\u3000", "积分");
    CHECK_NORM("报名\u3000\u3000２", "报名 2");
    CHECK_NORM("报名\u00a02", "报名 2");
    CHECK_NORM("报名\u2003\u202f2", "报名 2");
    CHECK_NORM("报名\t\r\n2", "报名 2");
    CHECK_NORM("积\u200b分", "积分"); /* zero-width space is dropped, not a space */
    CHECK_NORM("\xef\xbb\xbf积分", "积分");
}

static void test_norm_case(void)
{
    CHECK_NORM("STOP", "stop");
    CHECK_NORM("Help", "help");
    CHECK_NORM("ＳＴＯＰ", "stop");
    CHECK_NORM("Ä", "Ä"); /* only ASCII folds */
}

static void test_norm_collapse_and_trim(void)
{
    CHECK_NORM("  报名   2  ", "报名 2");
    CHECK_NORM(" a  b \t c ", "a b c");
    CHECK_NORM("积分", "积分");
}

static void test_norm_trailing_punct(void)
{
    CHECK_NORM("积分？", "积分");
    CHECK_NORM("积分?", "积分");
    CHECK_NORM("积分。。。", "积分");
    CHECK_NORM("学习！～", "学习");
    CHECK_NORM("好的…", "好的");
    CHECK_NORM("好的～～", "好的");
    CHECK_NORM("积分 ？", "积分");
    CHECK_NORM("积分，", "积分");
    CHECK_NORM("积分、", "积分");
    CHECK_NORM("积分；：", "积分");
    CHECK_NORM("stop!!", "stop");
    CHECK_NORM("ok.", "ok");
    CHECK_NORM("好的·", "好的");
    /* inside the text punctuation stays */
    CHECK_NORM("随手拍：井盖坏了，很危险！", "随手拍:井盖坏了,很危险");
    CHECK_NORM("？积分", "?积分");
}

static void test_norm_punct_only(void)
{
    CHECK_NORM("?", "?");
    CHECK_NORM("？", "?");
    CHECK_NORM("？？", "??");
    CHECK_NORM(" ？ ", "?");
    CHECK_NORM("？ ？", "? ?");
    CHECK_NORM("。", "。");
    CHECK_NORM("!!!", "!!!");
    CHECK_NORM("…", "…");
}

static void test_norm_invalid_utf8(void)
{
    CHECK_NORM("积\xff分", "积分");
    CHECK_NORM("积分\xe7\xa7", "积分");
    CHECK_NORM("\xc0\xaf", ""); /* overlong '/' */
    CHECK_NORM("\xed\xa0\x80"
               "ab",
               "ab");                           /* surrogate */
    CHECK_NORM("a\x01\x7f b", "a b");           /* controls dropped */
    CHECK_NORM("\xef\xbf\xbd", "\xef\xbf\xbd"); /* a real U+FFFD stays */
}

static void test_norm_empty(void)
{
    CHECK_NORM("", "");
    CHECK_NORM("   ", "");
    CHECK_NORM("\u3000\t", "");
    CHECK_NORM(NULL, "");
}

const struct t_case norm_tests[] = {
    T(test_norm_fullwidth),         T(test_norm_unicode_spaces), T(test_norm_case),
    T(test_norm_collapse_and_trim), T(test_norm_trailing_punct), T(test_norm_punct_only),
    T(test_norm_invalid_utf8),      T(test_norm_empty),          T_END};
