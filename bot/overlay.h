/*
 * overlay.h - texts read in place of files while a generation of content and
 * intents is built (live.h): the loaders open their files with
 * overlay_fopen(), which gives the saved version when the running build has
 * one for that path, else the file.
 */
#ifndef BOT_OVERLAY_H
#define BOT_OVERLAY_H
#include <stddef.h>
#include <stdio.h>

struct overlay {
    size_t n, cap;
    char **paths, **bodies; /* a NULL body: the file on disk */
};

/* The overlay of this thread's builds from now on; NULL: the files only. */
void overlay_use(const struct overlay *ov);
/* fopen(path, mode), or a read stream over the body the overlay has for
 * path: a memory stream, whose fileno() is -1 (it is no FIFO or directory). */
FILE *overlay_fopen(const char *path, const char *mode);

#endif
