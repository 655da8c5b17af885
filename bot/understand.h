/*
 * understand.h - stage 4 and 5 of a turn: what did the worker mean?
 * The rules on the normalised text first; then the rules on the matched copy
 * (norm_canon: simplified, numerals, typos, pinyin, filler words gone); then
 * the example scorer. Sure enough and not an action: that intent. Less sure,
 * or an action (booking, cancelling, redeeming, opting out, erasing,
 * anything that spends points): the intent "ask" with a numbered choice of
 * the likeliest meanings. Nothing close: no match (the fallback).
 *
 * intents/understand.txt configures it, one directive a line:
 *   take 0.60           scorer confidence to act on a non-action intent
 *   margin 0.05         ... and its lead over the next intent
 *   ask 0.30            scorer confidence to offer a choice at all
 *   action INTENT       never taken on a scorer's guess, only asked
 *   menu INTENT CMD     what a numbered choice for INTENT sends (CMD must
 *                       match a rule, checked at load)
 *   topic INTENT WORDS  a text the scorer is not sure of that names these
 *                       words goes to INTENT (most words named wins)
 *   mood INTENT WORDS   topic words that say only how one feels (郁闷,
 *                       好烦): they count beside a topic word of INTENT or
 *                       in a text that asks something (a `question` word)
 *   smalltalk 0.10      no guess is taken with `none` (small talk
 *                       examples) this close behind it; `none` first and
 *                       this far ahead of the rest at `take`: not even a
 *                       topic (今天路上看到车祸了 吓人 is no legal question)
 *   notopic WORDS       a text with one of these (thanks, praise) and no
 *   question WORDS      word of question is not guessed at: small talk
 *   decline WORDS       a refusal (不需要, 我不要): not guessed at
 *   elsewhere WORDS     another company's points or app (超市, 美团): none
 *                       of our intents is guessed, only a topic it names
 *   yes WORDS           the answers to a yes/no question (a freed seat):
 *   no WORDS            a text starting with a yes word is yes, one naming
 *   unsure WORDS        a no word is no, one naming an unsure word neither
 *   crisis PATTERN      a PCRE2 pattern for a way people say they may harm
 *                       themselves (safety.h; beside content's words)
 *   crisisnet S L       the second crisis net (safety.h): a text whose
 *                       closest example labelled `crisis` (crisis.examples)
 *                       scores S or more and leads the closest other
 *                       example by L or more says crisis; off without it
 *   text INTENT CAP     a scorer hit on INTENT gets the whole text as
 *                       capture CAP (the question of a desk, a report's
 *                       description)
 */
#ifndef BOT_UNDERSTAND_H
#define BOT_UNDERSTAND_H
#include <stdbool.h>

struct buf;
struct intents;
struct intent_match;
struct uconf;

/* How a text was understood, for the eval and `check --try`. */
/* VIA_CLAUSE(_CANON): a rule on one clause of the text (`clauses`). */
enum understood_via { VIA_NONE, VIA_RULE, VIA_CANON, VIA_SCORER, VIA_ASK, VIA_CLAUSE, VIA_CLAUSE_CANON };

/* Load dir/understand.txt against the loaded rules; NULL with "path:line:
 * message" lines in errors when it has a problem. A missing file gives the
 * defaults (nothing is an action: every scorer guess is asked). */
struct uconf *uconf_load(const char *dir, const struct intents *in, struct buf *errors);
void uconf_free(struct uconf *uc);

/*
 * Understand normed (the output of norm_text). Like intent_match: 1 with m
 * filled, 0 nothing meant, -1 error; via (may be NULL) says which step
 * answered. understand_rules: the rules on normed, then on its matched copy
 * (an action matched only there gets capture ask: redeeming asks first).
 * understand_guess: the scorer; m->intent may be "ask": captures c1, c2, c3
 * then hold the commands of the choices, best first, and i1, i2, i3 their
 * intents. understand: the one, then the other (what the eval measures; a
 * turn asks the open context in between, handler_followup).
 */
int understand_rules(const struct intents *in, const char *normed, struct intent_match *m,
                     enum understood_via *via);
int understand_guess(const struct intents *in, const char *normed, struct intent_match *m,
                     enum understood_via *via);
int understand(const struct intents *in, const char *normed, struct intent_match *m,
               enum understood_via *via);
/*
 * Near a crisis (SAFETY_NEAR), does this reading give way to the check-in
 * with the hotlines? It does when it is only a guess: a numbered choice
 * among meanings (m->intent "ask"), or the scorer's closest example of
 * another intent (the closest of all was a crisis line). A rule's reading
 * and a topic word's desk (understand.txt's own lines) stand. One test for
 * the turn (handle_understand.c) and the eval (tests/eval/eval.c).
 */
bool understand_gives_way(const struct intent_match *m, enum understood_via via);
/* understand.txt's `support` (how an intent's other close examples count in
 * the ranking, scorer.h), or NULL when it has none. */
struct scorer_support;
const struct scorer_support *understand_support(const struct uconf *uc);
/* True when text matches a `crisis` pattern (use safety_level). */
bool understand_is_crisis(const struct intents *in, const char *text);
/* The second crisis net on canon (a norm_canon text), one scoring for both
 * of its verdicts: CRISIS_NET when its closest `crisis` example is close
 * enough and ahead of every other example by the lead `crisisnet` sets;
 * else CRISIS_NEAR when it is near a crisis without reaching the net
 * (`crisisnear SCORE LEAD`: the closest crisis example at least SCORE and
 * at most -LEAD behind every other example; such a text, when nothing else
 * took it, gets a check-in with the hotlines instead of "not understood",
 * handle_fallback: no ticket, no alert; off without the line); else
 * CRISIS_FAR. why and against (may be NULL) get that closest crisis example
 * and the closest other one (also when the net is off; score 0 for a text
 * shorter than the net looks at). */
struct scored;
enum crisis_verdict { CRISIS_FAR, CRISIS_NEAR, CRISIS_NET };
enum crisis_verdict understand_crisis_level(const struct intents *in, const char *canon,
                                            struct scored *why, struct scored *against);
/* False when understand_crisis_level(in, canon) is surely below v (for
 * CRISIS_NET: not the net; for CRISIS_NEAR: neither): the closest crisis
 * example is under the bar, found without scoring the other examples (a
 * tenth of the work). True says nothing. */
bool understand_crisis_could(const struct intents *in, const char *canon, enum crisis_verdict v);
/* understand_crisis_level() == CRISIS_NET, and == CRISIS_NEAR. */
bool understand_crisis_net(const struct intents *in, const char *canon, struct scored *why,
                           struct scored *against);
bool understand_crisis_near(const struct intents *in, const char *canon);
/* The command a numbered choice sends for intent (`menu`), or NULL. */
const char *understand_menu_cmd(const struct intents *in, const char *intent);
/* The capture that gets the whole text when intent is guessed (`text`: a
 * desk's question, a report's description), or NULL. */
const char *understand_text_cap(const struct intents *in, const char *intent);
/* A normalised short text as the answer to a yes/no question: 1 yes (好的,
 * 要的要的, 行,我去, 1), -1 no (不去了, 没时间算了, 去不了), 2 unsure (取消,
 * 1我考虑一下, a question), 0 no answer at all (a long text, 积分). */
int understand_answer(const struct intents *in, const char *normed);
/* True when the intent only runs on a command (see action above). */
bool understand_is_action(const struct intents *in, const char *intent);
/* True when m would act: an action, with the value its handler would
 * otherwise ask for (`askswhich`: 报名 without a number lists the courses,
 * nothing is booked). What the eval counts as an action taken. */
bool understand_acts(const struct intents *in, const struct intent_match *m);
/* True when the normalised text has one of the `question` words of
 * understand.txt (吗 ? 怎么 什么 哪 ...): it asks something. */
bool understand_is_question(const struct intents *in, const char *normed);
/* True when value is a word understand.txt's `noslot CAP WORDS` says is no
 * value of capture cap (现在 is no city: 现在报到 asks which city). */
bool understand_no_value(const struct intents *in, const char *cap, const char *value);

#endif
