/*
 * safety.h - the crisis check of stage 1 of every turn: does a text say
 * that the worker may harm themselves? Phrases are content key
 * desk.crisis_words (content/desk_crisis.txt), one a line, and the `crisis`
 * patterns of intents/understand.txt (the ways people say it: 真想去死,
 * 活着都没意义, 结束这一切); a text says a crisis when one is in its
 * normalised form or in its matched copy (norm_canon: traditional
 * characters, spaces inside words ...).
 */
#ifndef BOT_SAFETY_H
#define BOT_SAFETY_H
#include <stdbool.h>

struct content;
struct intents;

bool safety_is_crisis(const struct content *ct, const struct intents *in, const char *normed);

#endif
