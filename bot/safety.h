/*
 * safety.h - the first stage of every turn: does this text say the person is
 * in danger (crisis words)? The words and patterns are content (desk_crisis.txt:
 * desk.crisis_words, safety.crisis_patterns) and so are the everyday phrases
 * that only sound alike (safety.not_crisis: 笑死了, 累死了, 想死你了). What a
 * hit does (hotlines, a counselling ticket, the alert) is desk_crisis() in
 * desk.h; this file only decides.
 */
#ifndef BOT_SAFETY_H
#define BOT_SAFETY_H
#include <stdbool.h>

#include "content.h"

/*
 * What the normalised text (norm.h) says of the person's safety, the first
 * stage of every turn, computed once and kept on the turn:
 *  - SAFETY_CRISIS: they may harm themselves. Spaces and punctuation inside
 *    the text are ignored (我 不想 活了), the phrases of safety.not_crisis are
 *    taken out first, then the phrases of desk.crisis_words are looked for,
 *    then the PCRE2 patterns of safety.crisis_patterns (one a line). With the
 *    rule set in (may be NULL), also the `crisis` patterns of
 *    intents/understand.txt, and the same again on the matched copy
 *    (norm_canon: traditional characters, typos); then the second net
 *    (crisis.examples) on the whole text and its parts.
 *  - SAFETY_NEAR: the whole text closer to the crisis examples than to any
 *    other but not by the net's margin (understand_crisis_level); for a text
 *    nothing else understood: a check-in with the hotlines (handle_fallback).
 *  - SAFETY_NONE: neither.
 * Safe from several threads; the patterns are compiled once per content text.
 */
struct intents;
enum safety_level { SAFETY_NONE, SAFETY_NEAR, SAFETY_CRISIS };
enum safety_level safety_level(const struct content *ct, const struct intents *in,
                               const char *norm_text);
/* safety_level() == SAFETY_CRISIS */
bool safety_is_crisis(const struct content *ct, const struct intents *in, const char *norm_text);

/* The second net's view of norm_text (understand_crisis_net on the matched
 * copy, everyday phrases blanked): why[0] and against[0] the closest crisis
 * example and closest other example of the whole text, then the same for
 * each part between spaces and punctuation (at most SAFETY_NET_PARTS, when
 * there are two or more), up to max entries. Returns how many were filled,
 * negative when the net says crisis for one of them. For safety_level,
 * `check --try` and the eval's sweep. */
#define SAFETY_NET_PARTS 16
struct scored;
int safety_net_scores(const struct content *ct, const struct intents *in, const char *norm_text,
                      struct scored *why, struct scored *against, int max);

extern const struct content_need safety_needs[];

/* Every line of safety.crisis_patterns compiles: else "file:line: reason"
 * appended to errors and -1 (startup and `yizhan check` refuse such content). */
struct buf;
int safety_check(const struct content *ct, struct buf *errors);

#endif
