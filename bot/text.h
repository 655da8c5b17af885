/*
 * text.h - measuring and cutting reply text for a channel's length limit.
 */
#ifndef BOT_TEXT_H
#define BOT_TEXT_H
#include <stddef.h>

/*
 * Where to cut s so the first part has at most max code points: just after
 * the last sentence end (。！？；!?; or a line break) in that span, or, when
 * there is none in its second half, at the limit itself (never inside a UTF-8
 * sequence). Returns a byte offset; strlen(s) when s fits.
 */
size_t text_cut(const char *s, size_t max);

/* What a platform's length limit counts. */
enum text_unit {
    TEXT_CHARS, /* code points */
    TEXT_UTF16, /* UTF-16 code units (Telegram, SMS in UCS-2) */
    TEXT_BYTES, /* UTF-8 bytes (WeChat) */
};
/* text_cut with max counted in u. */
size_t text_cut_units(const char *s, size_t max, enum text_unit u);

#endif
