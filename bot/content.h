/*
 * content.h - every reply text, read from content/ (*.txt files) at start so the office
 * can reword the bot without a rebuild. Format (see content/README.md):
 *
 *   # a comment line ("#" alone or "# " then anything)
 *   [points.balance]
 *   你有 {points} 分。
 *
 * A key's text is every line up to the next [key], blank lines at either end
 * trimmed. {name} is a placeholder filled by the handler; {{ is a literal {.
 */
#ifndef BOT_CONTENT_H
#define BOT_CONTENT_H
#include <stdbool.h>
#include <stddef.h>

struct buf;
struct content;

/* What code needs from content: a key and the placeholders it may use. */
struct content_need {
    const char *key;
    const char *params; /* space-separated placeholder names, "" for none */
    const char *file;   /* where the need is declared, for error messages */
    int line;
};
#define CONTENT_NEED(key, params) {key, params, __FILE__, __LINE__}
#define CONTENT_NEED_END {NULL, NULL, NULL, 0}

/* Load every .txt file directly in dir. Problems are appended to errors as
 * "path:line: message"; NULL when there was any. */
struct content *content_load(const char *dir, struct buf *errors);
void content_free(struct content *ct);
/* Check that every needed key exists and uses only its placeholders, and that
 * no key in the files is unknown (a typo). Appends problems; 0 or -1. */
int content_check(const struct content *ct, const struct content_need *const *needs,
                  struct buf *errors);
/* True when text contains one of the lines (trimmed, not empty) of key: a
 * content list of phrases (crisis words, place words). */
bool content_list_in(const struct content *ct, const char *key, const char *text);
/* The raw text of key, borrowed until content_free(), or NULL. */
const char *content_get(const struct content *ct, const char *key);
/* Where byte off of key's text came from: *file set and its line returned,
 * or -1 when key is unknown (for "file:line:" errors on a key's lines). */
int content_where(const struct content *ct, const char *key, size_t off, const char **file);
/* The text of key with placeholders filled from kv (name, value, name, value,
 * ..., NULL). A new string the caller frees; the key itself when missing. */
char *content_render(const struct content *ct, const char *key, const char *const *kv);
/* content_render on a text that is not a key (a broadcast an admin wrote). */
char *content_fill(const char *text, const char *const *kv);
/* The first {placeholder} of text not among names (NULL-terminated), with
 * its length in *len ("{x}"), or NULL when all are known. "{{" is literal. */
const char *content_placeholder_unknown(const char *text, const char *const *names, size_t *len);

#endif
