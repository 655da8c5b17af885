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
