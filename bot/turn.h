/*
 * turn.h - the turn: what one inbound message does, as stages in a fixed
 * order (turn.c has the list). engine_turn (engine.c) wraps it with the
 * channel's own hooks (settle: events with no turn; after_turn), the replay
 * of a duplicate and the record of the answer.
 */
#ifndef BOT_TURN_H
#define BOT_TURN_H

#include "content.h"

struct turn;

/*
 * Run the turn of t->in. The caller set t->app, st, ch, in, now and replies
 * (an empty array); the turn sets t->person and adds replies. *intent is what
 * took the message (an intent name, "safety.crisis", "ctx.<claimer>",
 * "turn.ask", ...), a new string. 0, or -1 (the caller rolls back).
 */
int turn_run(struct turn *t, char **intent);

#endif
