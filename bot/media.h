/*
 * media.h - photo bytes, no network and no store: what kind of image a body
 * really is (by magic bytes, never by the declared type), its EXIF GPS
 * position (libexif), a copy with the metadata stripped, and content-addressed
 * files under media_dir named only by SHA-256.
 */
#ifndef BOT_MEDIA_H
#define BOT_MEDIA_H
#include <stdbool.h>
#include <stddef.h>

enum media_kind { MEDIA_NONE, MEDIA_JPEG, MEDIA_PNG, MEDIA_WEBP };

/* The image kind of the first bytes of p (n long); MEDIA_NONE when it is not
 * a JPEG, PNG or WebP. */
enum media_kind media_sniff(const unsigned char *p, size_t n);
/* "image/jpeg", "image/png", "image/webp", or NULL for MEDIA_NONE. */
const char *media_mime(enum media_kind k);
/* The EXIF GPS position of an image. 1 found (*lat, *lon set), 0 none. */
int media_gps(enum media_kind k, const unsigned char *p, size_t n, double *lat, double *lon);
/* A copy without EXIF, XMP and comments: *out (malloc'd, the caller frees)
 * of *out_len bytes. 0, or -1 when the image structure is malformed. */
int media_strip(enum media_kind k, const unsigned char *p, size_t n, unsigned char **out,
                size_t *out_len);
/* True when hex is 64 lowercase hex digits (a SHA-256 name). */
bool media_valid_sha(const char *hex);
/* The path of the file named hex under dir ("dir/ab/abcd..."), a new string,
 * or NULL when hex is not a valid SHA-256 name. */
char *media_path(const char *dir, const char *hex);
/* Store p under dir by its name hex: directories 0700, file 0600, written to
 * a temporary name and renamed (a file already there is kept). 0 or -1. */
int media_save(const char *dir, const char *hex, const void *p, size_t n);

#endif
