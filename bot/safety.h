/*
 * safety.h - the crisis check of stage 1 of every turn: does a text say
 * that the worker may harm themselves? Phrases are content key
 * desk.crisis_words (content/desk_crisis.txt), one a line; a text says a
 * crisis when one is in its normalised form or in its matched copy
 * (norm_canon: traditional characters, spaces inside words, 想 死 ...).
 */
#ifndef BOT_SAFETY_H
#define BOT_SAFETY_H
#include <stdbool.h>

struct content;
struct lexicon;

bool safety_is_crisis(const struct content *ct, const struct lexicon *lx, const char *normed);

#endif
