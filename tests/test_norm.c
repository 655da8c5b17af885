/*
 * test_norm.c - the normaliser: full-width forms, Unicode spaces, case,
 * trimming, trailing punctuation, punctuation-only texts, bad UTF-8.
 */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "norm.h"
#include "t.h"
#include "util.h"

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
    /* list numbers as phones and menus print them */
    CHECK_NORM("取消报名①", "取消报名1");
    CHECK_NORM("兑换⑫号", "兑换12号");
    CHECK_NORM("❸ ➉ ⒌ ⑵", "3 10 5 2");
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

/* CHECK_STR on norm_canon(lx, norm_text(in)). */
static void check_canon(const struct lexicon *lx, const char *in, const char *want)
{
    char *n = norm_text(in);
    char *got = norm_canon(lx, n);
    CHECK_STR(got, want);
    free(got);
    free(n);
}

/* The matched copy with the shipped lexicon: traditional characters,
 * numerals in commands only, spaces inside words, typos, pinyin, filler,
 * clock times, codes typed apart. */
static void test_norm_canon(void)
{
    struct buf errs;
    buf_init(&errs, 0);
    struct lexicon *lx = lexicon_load("intents/lexicon.txt", &errs);
    CHECK_STR(errs.data ? errs.data : "", "");
    if (lx == NULL)
        goto out;
    check_canon(lx, "積分", "积分");
    check_canon(lx, "兌換", "兑换");
    check_canon(lx, "第三课", "第3课");
    check_canon(lx, "第十二课", "第12课");
    check_canon(lx, "兑换三百五", "兑换350"); /* a digit after 百 is its tens */
    check_canon(lx, "兑换三百零五", "兑换305");
    check_canon(lx, "兑换一百二十", "兑换120");
    check_canon(lx, "报名二", "报名2");
    check_canon(lx, "取消两个", "取消2个");
    check_canon(lx, "不一样", "不一样"); /* not in a command position */
    check_canon(lx, "三国", "三国");
    check_canon(lx, "一个人", "一个人"); /* 一个 is "a" */
    check_canon(lx, "学 习", "学习");
    check_canon(lx, "ok go", "ok go");
    check_canon(lx, "积份", "积分");
    check_canon(lx, "技分多少", "积分多少");
    check_canon(lx, "jifen", "积分");
    check_canon(lx, "JF多少", "积分多少");
    check_canon(lx, "jfmx", "jfmx"); /* whole words only */
    check_canon(lx, "bm2", "报名2"); /* a number may follow at once */
    check_canon(lx, "2bm", "2bm");
    check_canon(lx, "报名 #4", "报名4"); /* a number sign is not part of it */
    check_canon(lx, "#话题", "#话题");
    check_canon(lx, "退订🙏🙏", "退订"); /* emoji and emoticon codes are no words */
    check_canon(lx, "[微笑]积分[捂脸]", "积分");
    check_canon(lx, "👍", "");
    check_canon(lx, "[一二三四五]积分", "[一二三四五]积分"); /* too long for a code */
    check_canon(lx, "帮我查一下积分", "积分");
    check_canon(lx, "你好，请问我想报名第三个", "报名第3个");
    check_canon(lx, "签到码 K 7 Q 2", "签到码k7q2");
    check_canon(lx, "订阅学习，晚上八点半", "订阅学习20:30");
    check_canon(lx, "中午十二点", "12:00");
    check_canon(lx, "谢谢", ""); /* only filler */
    /* round 12: pinyin with its tone marks, the capital digits of receipts */
    check_canon(lx, "gèng duō", "更多");
    check_canon(lx, "kè 2", "课2");
    check_canon(lx, "jīfēn", "积分");
    check_canon(lx, "第叁课", "第3课");
    check_canon(lx, "取消第肆个", "取消第4个");
    check_canon(lx, "收拾个屋子", "收拾个屋子");
    check_canon(lx, "陆师傅", "陆师傅");
    check_canon(lx, "报名陆续开始", "报名陆续开始"); /* 伍 and 陆 are words first */
    check_canon(lx, "报名的队伍", "报名的队伍");
    /* round 13: a keycap digit is its digit (2️⃣ is 2, U+FE0F, U+20E3) */
    check_canon(lx, "报名2\xef\xb8\x8f\xe2\x83\xa3", "报名2");
    check_canon(lx, "第1\xef\xb8\x8f\xe2\x83\xa3" "2\xef\xb8\x8f\xe2\x83\xa3个", "第12个");
    /* round 60: a code spoken aloud, its digits written in Chinese by speech
       recognition (K七Q二, SP零一二三), is the code the rules read; runs with
       one digit, too short, too long or with no letter stay */
    check_canon(lx, "签到码是M三X八", "签到码是m3x8");
    check_canon(lx, "签到码是 d 六 f 九", "签到码是d6f9"); /* letters said apart */
    check_canon(lx, "码是四四B二", "码是44b2");
    check_canon(lx, "码是h幺r二", "码是h1r2"); /* 幺, 1 read aloud */
    check_canon(lx, "码是R七p5", "码是r7p5"); /* Chinese and ASCII digits mixed */
    check_canon(lx, "编号SP零零七一", "编号sp0071");
    check_canon(lx, "SP零零七一进度", "sp0071进度");
    check_canon(lx, "wifi一直断", "wifi一直断"); /* one digit */
    check_canon(lx, "ok一下", "ok"); /* too short; 一下 is filler */
    check_canon(lx, "mp三", "mp三");
    check_canon(lx, "二十三个", "23个"); /* no letter: the command numerals as before */
    check_canon(lx, "abcdefg一二", "abcdefg一二"); /* nine: too long */
    check_canon(lx, "k两q两", "k两q两"); /* 两 is a count, not a code digit */
    check_canon(NULL, "學 習 第三课", "學習第三课"); /* no lexicon: no OpenCC either; spaces go */
out:
    lexicon_free(lx);
    buf_release(&errs);
}

/* The matched copy of a matched copy is itself (menus and replays may
 * normalise again), and a bad lexicon line is named by file and line. */
static void test_norm_canon_idempotent_and_errors(void)
{
    struct buf errs;
    const char *texts[] = {"積分 明細", "你好，请问我想报名第三个培训吧", "订阅学习 下午两点半",
                           "签到码 K 7 Q 2", "jifen多少", "第十课 怎么 学"};
    buf_init(&errs, 0);
    struct lexicon *lx = lexicon_load("intents/lexicon.txt", &errs);
    for (size_t i = 0; lx != NULL && i < sizeof texts / sizeof texts[0]; i++) {
        char *n = norm_text(texts[i]);
        char *once = norm_canon(lx, n);
        char *twice = norm_canon(lx, once);
        CHECK_STR(twice, once);
        free(twice);
        free(once);
        free(n);
    }
    lexicon_free(lx);
    const char *dir = t_tmpdir();
    char *path = xasprintf("%s/lexicon.txt", dir);
    t_put(dir, "lexicon.txt", "# ok\n积份\t积分\n\t积分\n");
    lx = lexicon_load(path, &errs);
    CHECK(lx == NULL);
    char *want = xasprintf("%s:3: ", path);
    CHECK_HAS(errs.data, want);
    free(want);
    free(path);
    buf_release(&errs);
}

/* A choice from a numbered list, in the ways workers write one. */
static void test_norm_choice(void)
{
    static const struct {
        const char *text;
        int n;
    } cases[] = {
        {"2", 2},      {"二", 2},        {"第二个", 2},      {"3号", 3},      {"就第四个吧", 4},
        {"要第4个", 4}, {"第5个,雨衣", 5}, {"1,谢谢", 1},      {"12", 12},      {"两", 2},
        {"1和3", NORM_CHOICE_SEVERAL},   {"1 2", NORM_CHOICE_SEVERAL},
        {"我要第一个和第三个", NORM_CHOICE_SEVERAL}, {"3个", NORM_CHOICE_SEVERAL},
        {"1我考虑一下", 0}, {"一样", 0},  {"三国", 0},       {"第三课", 0},   {"2,不要", 0},
        {"积分", 0},     {"", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *n = norm_text(cases[i].text);
        int got = norm_choice(n);
        if (got != cases[i].n)
            fprintf(stderr, "norm_choice(%s) = %d, want %d\n", cases[i].text, got, cases[i].n);
        CHECK_INT(got, cases[i].n);
        free(n);
    }
}


const struct t_case norm_tests[] = {
    T(test_norm_fullwidth),         T(test_norm_unicode_spaces), T(test_norm_case),
    T(test_norm_collapse_and_trim), T(test_norm_trailing_punct), T(test_norm_punct_only),
    T(test_norm_invalid_utf8),      T(test_norm_empty),          T(test_norm_canon),
    T(test_norm_canon_idempotent_and_errors), T(test_norm_choice), T_END};
