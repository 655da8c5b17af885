/*
 * norm.h - the normaliser: turns what a worker typed into the text the
 * intent rules match. Pure function, no state.
 */
#ifndef BOT_NORM_H
#define BOT_NORM_H

/*
 * Normalise s (UTF-8; invalid bytes are dropped):
 *  - full-width ASCII variants U+FF01..U+FF5E become ASCII, U+3000 and every
 *    other Unicode space (and tab, CR, LF) become a plain space;
 *  - ASCII letters are folded to lower case;
 *  - leading and trailing spaces are trimmed, runs of spaces collapse to one;
 *  - trailing punctuation, ASCII or Chinese (。，！？、；：.,!?;:~～…·- and
 *    the like), is stripped, together with spaces before it;
 *  - zero-width characters (U+200B-200D, U+2060, BOM) and other control
 *    characters are dropped.
 * A text of punctuation only keeps it, trimmed and collapsed, instead of
 * becoming empty: "？" gives "?" (help), "。。。" gives "。。。".
 * Punctuation inside the text stays ("20：30" gives "20:30").
 * Returns a new string the caller frees (never NULL; "" for empty input).
 */
char *norm_text(const char *s);

#endif

/*
 * The matched copy: what the rules see when the plain normalised text
 * missed, and what the scorer compares. Built from the output of norm_text:
 *  - traditional characters become simplified (OpenCC, t2s.json);
 *  - Chinese punctuation inside the text (，。！？、；), emoji and WeChat
 *    emoticon codes ([微笑]) become a space, and a space next to a CJK
 *    character goes (学 习 -> 学习; "ok go" keeps its);
 *  - the lexicon's rewrites (intents/lexicon.txt: typos and homophones,
 *    pinyin, filler words to drop), longest first, repeated until nothing
 *    changes;
 *  - Chinese numerals in a command position become digits: after 第 or a
 *    command word (报名 取消 兑换 课 培训 ...), or before a counter
 *    (个 号 课 节 期 ...): 第三课 -> 第3课, 报名二 -> 报名2; 一样, 三国 stay;
 *  - a code spoken letter by letter, its digits in Chinese (K七Q二,
 *    SP零一二三), becomes the code (k7q2, sp0123): 4 to 8 letters and
 *    digits with a letter, a Chinese digit and two digits in all; wifi一直,
 *    ok一下 stay.
 * The original and the norm_text copy are untouched: handlers keep them for
 * storage. The lexicon is read-only once loaded; norm_canon may run on
 * several threads at once (OpenCC's conversion is thread-safe; only its
 * opencc_error() is not, and that is called at load time only). Each
 * thread keeps its last two copies (a text and a part of it) and gives
 * them again for the same lexicon and text.
 */
struct lexicon;
struct buf;
/* Load the lexicon file at path (may be absent: then only t2s, spaces and
 * numerals apply) and open OpenCC's t2s.json. Problems go to errors as
 * "path:line: message"; returns NULL when there was any. */
struct lexicon *lexicon_load(const char *path, struct buf *errors);
void lexicon_free(struct lexicon *lx);
/* The SHA-256 of the lexicon file's bytes as read (of nothing when it is
 * absent): what the matched copies depend on besides the code and OpenCC
 * (canon_cache.h). LEXICON_DIGEST_LEN bytes, borrowed. */
#define LEXICON_DIGEST_LEN 32
const unsigned char *lexicon_digest(const struct lexicon *lx);
/* The matched copy of normed (the output of norm_text). lx may be NULL.
 * New string; "" when everything was filler. */
char *norm_canon(const struct lexicon *lx, const char *normed);

/*
 * What a normalised text picks from a numbered list: 2, ２, 二, 第二个, 3号,
 * 就第四个吧, 要第4个, 第5个,雨衣 (a remark after a pause is allowed) give
 * the number (1..99); NORM_CHOICE_SEVERAL for more than one number or a
 * count (1和3, 1 2, 第一个和第三个, 3个); 0 when the text is no choice
 * (1我考虑一下, 一样, 三国).
 */
#define NORM_CHOICE_SEVERAL (-2)
int norm_choice(const char *normed);
