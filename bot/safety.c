/*
 * safety.c - crisis phrases in a text (see safety.h).
 */
#include "safety.h"

#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "intent.h"
#include "norm.h"
#include "understand.h"
#include "util.h"

/* True when text contains a line of words (trimmed, non-empty). */
static bool has_phrase(const char *words, const char *text)
{
    char *copy = xstrdup(words), *save = NULL;
    bool hit = false;
    for (char *w = strtok_r(copy, "\n", &save); w && !hit; w = strtok_r(NULL, "\n", &save)) {
        while (*w == ' ')
            w++;
        size_t len = strlen(w);
        while (len > 0 && (w[len - 1] == ' ' || w[len - 1] == '\r'))
            w[--len] = '\0';
        hit = len > 0 && strstr(text, w) != NULL;
    }
    free(copy);
    return hit;
}

bool safety_is_crisis(const struct content *ct, const struct intents *in, const char *normed)
{
    const char *words = content_get(ct, "desk.crisis_words");
    if (normed[0] == '\0')
        return false;
    if ((words != NULL && has_phrase(words, normed)) || understand_is_crisis(in, normed))
        return true;
    char *canon = norm_canon(intent_lexicon(in), normed);
    bool hit = (words != NULL && has_phrase(words, canon)) || understand_is_crisis(in, canon);
    free(canon);
    return hit;
}
