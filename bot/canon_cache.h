/*
 * canon_cache.h - the example phrases' matched copies (norm_canon), kept on
 * disk between starts.
 *
 * A start puts every example phrase (~17,000) through norm_canon: OpenCC,
 * then the lexicon's rewrites. That is most of a start (0.5 of 0.65 s), and
 * under valgrind ~25 s of ~34, where the integration suite starts the
 * server over a hundred times. A copy depends only on the phrase, the
 * lexicon's bytes, the code (this executable) and OpenCC (its library and
 * t2s dictionaries), so the copies are kept in one file of cache_dir named
 * by a digest of the last three: a start with the same build, lexicon and
 * OpenCC reads them back instead of making them again. Anything that goes
 * wrong with the file (missing, unreadable, not writable, cut short) costs
 * only the time: the copies are made again. Any file in cache_dir may be
 * deleted at any time.
 */
#ifndef BOT_CANON_CACHE_H
#define BOT_CANON_CACHE_H

struct canon_cache;
struct lexicon;

/* The cache of dir for lx; NULL when dir is NULL or empty (no cache: every
 * copy is made) or no memory. */
struct canon_cache *canon_cache_open(const char *dir, const struct lexicon *lx);
/* norm_canon(lx, normed), from the file when it holds it. cc may be NULL.
 * Returns a string the caller frees. */
char *canon_cache_canon(struct canon_cache *cc, const struct lexicon *lx, const char *normed);
/* Write the file back when this load asked for a copy it did not hold or
 * left one unused (the examples changed), then free. NULL is fine. */
void canon_cache_close(struct canon_cache *cc);

#endif
