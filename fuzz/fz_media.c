/*
 * fz_media.c - photo bytes (bot/media.c) on anything: sniff, the EXIF GPS
 * read (libexif) and the strip. A stripped copy must be no larger than the
 * input, sniff as the same kind, carry no GPS any more, and strip to itself
 * again. The kind always comes from media_sniff, as in the fetcher.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "media.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *out = NULL, *again = NULL;
    size_t out_len = 0, again_len = 0;
    double lat = 0, lon = 0;
    enum media_kind k = media_sniff(data, size);
    /* exact-size copy: ASan sees any read past the end */
    unsigned char *p = malloc(size ? size : 1);
    memcpy(p, data, size);
    (void)media_mime(k); /* returns a constant; nothing to check */
    if (media_gps(k, p, size, &lat, &lon) == 1 &&
        (lat < -90 || lat > 90 || lon < -180 || lon > 180))
        abort();
    if (k != MEDIA_NONE && media_strip(k, p, size, &out, &out_len) == 0) {
        if (out_len > size || media_sniff(out, out_len) != k)
            abort(); /* grew, or lost its magic */
        if (media_gps(k, out, out_len, &lat, &lon) != 0)
            abort(); /* the position survived the strip */
        if (media_strip(k, out, out_len, &again, &again_len) != 0 || again_len != out_len ||
            memcmp(again, out, out_len) != 0)
            abort(); /* stripping is not idempotent */
    }
    free(again);
    free(out);
    free(p);
    return 0;
}
