/*
 * media.c - photo bytes: sniffing, EXIF GPS through libexif, stripping, and
 * content-addressed files. The container walks (JPEG segments, PNG chunks,
 * WebP RIFF chunks) are hand-written on purpose: libexif reads and edits EXIF
 * blocks but cannot write an image without one, and re-encoding through
 * libjpeg/libpng would change the pixels of evidence and add dependencies for
 * what is a short, bounds-checked walk over well-documented headers.
 */
#include "media.h"

#include <errno.h>
#include <fcntl.h>
#include <libexif/exif-data.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "util.h"

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
static const unsigned char exif_hdr[6] = {'E', 'x', 'i', 'f', 0, 0};

enum media_kind media_sniff(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
        return MEDIA_JPEG;
    if (n >= 8 && memcmp(p, png_sig, 8) == 0)
        return MEDIA_PNG;
    if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
        return MEDIA_WEBP;
    return MEDIA_NONE;
}

const char *media_mime(enum media_kind k)
{
    switch (k) {
    case MEDIA_JPEG:
        return "image/jpeg";
    case MEDIA_PNG:
        return "image/png";
    case MEDIA_WEBP:
        return "image/webp";
    case MEDIA_NONE:
        break;
    }
    return NULL;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

/*
 * Walk a JPEG's segments up to the start of scan. For each marker segment
 * calls seg(marker, whole segment incl. marker, its length, ctx); returns the
 * offset of the SOS marker (where entropy-coded data starts), or 0 when the
 * structure is malformed.
 */
typedef void (*jpeg_seg_fn)(unsigned char marker, const unsigned char *seg, size_t len, void *ctx);
static size_t jpeg_walk(const unsigned char *p, size_t n, jpeg_seg_fn fn, void *ctx)
{
    size_t i = 2; /* after SOI */
    if (n < 4 || p[0] != 0xff || p[1] != 0xd8)
        return 0;
    while (i + 4 <= n) {
        if (p[i] != 0xff)
            return 0;
        unsigned char m = p[i + 1];
        if (m == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xda)
            return i;
        if (m == 0xd9 || m == 0xd8)
            return 0; /* an image without a scan */
        if ((m >= 0xd0 && m <= 0xd7) || m == 0x01) {
            fn(m, p + i, 2, ctx);
            i += 2;
            continue;
        }
        size_t len = (size_t)p[i + 2] << 8 | p[i + 3];
        if (len < 2 || i + 2 + len > n)
            return 0;
        fn(m, p + i, 2 + len, ctx);
        i += 2 + len;
    }
    return 0;
}

struct jpeg_exif {
    const unsigned char *data;
    size_t len;
};

static void find_app1(unsigned char m, const unsigned char *seg, size_t len, void *ctx)
{
    struct jpeg_exif *x = ctx;
    if (m == 0xe1 && x->data == NULL && len >= 4 + 6 && memcmp(seg + 4, exif_hdr, 6) == 0) {
        x->data = seg + 4;
        x->len = len - 4;
    }
}

/* PNG: calls fn for each chunk (type, whole chunk, length); 0 or -1 malformed. */
typedef void (*png_chunk_fn)(const unsigned char *type, const unsigned char *chunk, size_t len,
                             void *ctx);
static int png_walk(const unsigned char *p, size_t n, png_chunk_fn fn, void *ctx)
{
    size_t i = 8;
    bool end = false;
    while (!end) {
        if (i + 12 > n)
            return -1;
        uint32_t len = be32(p + i);
        if (len > n - i - 12)
            return -1;
        end = memcmp(p + i + 4, "IEND", 4) == 0;
        fn(p + i + 4, p + i, (size_t)len + 12, ctx);
        i += (size_t)len + 12;
    }
    return 0;
}

static void find_exif_chunk(const unsigned char *type, const unsigned char *chunk, size_t len,
                            void *ctx)
{
    struct jpeg_exif *x = ctx;
    if (x->data == NULL && memcmp(type, "eXIf", 4) == 0) {
        x->data = chunk + 8;
        x->len = len - 12;
    }
}

/* WebP (RIFF): calls fn for each chunk (fourcc, whole chunk incl. padding). */
static int webp_walk(const unsigned char *p, size_t n, png_chunk_fn fn, void *ctx)
{
    if (n < 12)
        return -1;
    size_t riff = (size_t)le32(p + 4) + 8;
    if (riff > n || riff < 12)
        return -1;
    size_t i = 12;
    while (i < riff) {
        if (i + 8 > riff)
            return -1;
        size_t len = le32(p + i + 4);
        size_t whole = 8 + len + (len & 1);
        if (len > riff - i - 8 || whole > riff - i)
            return -1;
        fn(p + i, p + i, whole, ctx);
        i += whole;
    }
    return 0;
}

static void find_webp_exif(const unsigned char *type, const unsigned char *chunk, size_t len,
                           void *ctx)
{
    struct jpeg_exif *x = ctx;
    if (x->data == NULL && memcmp(type, "EXIF", 4) == 0) {
        x->data = chunk + 8;
        x->len = le32(chunk + 4);
    }
    (void)len;
}

static int rational_deg(ExifEntry *e, ExifByteOrder bo, double *out)
{
    if (e == NULL || e->format != EXIF_FORMAT_RATIONAL || e->components < 3 || e->size < 24)
        return -1;
    double v[3];
    for (int i = 0; i < 3; i++) {
        ExifRational r = exif_get_rational(e->data + 8 * i, bo);
        if (r.denominator == 0)
            return -1;
        v[i] = (double)r.numerator / (double)r.denominator;
    }
    *out = v[0] + v[1] / 60.0 + v[2] / 3600.0;
    return 0;
}

static char ref_of(ExifEntry *e)
{
    if (e == NULL || e->format != EXIF_FORMAT_ASCII || e->size < 1 || e->data == NULL)
        return 0;
    return (char)e->data[0];
}

int media_gps(enum media_kind k, const unsigned char *p, size_t n, double *lat, double *lon)
{
    struct jpeg_exif x = {NULL, 0};
    unsigned char *copy = NULL;
    ExifData *ed = NULL;
    int found = 0;
    if (k == MEDIA_JPEG)
        jpeg_walk(p, n, find_app1, &x);
    else if (k == MEDIA_PNG && n >= 8)
        (void)png_walk(p, n, find_exif_chunk, &x); /* a partial walk may still have found it */
    else if (k == MEDIA_WEBP)
        (void)webp_walk(p, n, find_webp_exif, &x);
    if (x.data == NULL || x.len < 8)
        goto out;
    /* libexif wants the "Exif\0\0" header that PNG and some WebP chunks omit */
    if (x.len < 6 || memcmp(x.data, exif_hdr, 6) != 0) {
        copy = xmalloc(x.len + 6);
        memcpy(copy, exif_hdr, 6);
        memcpy(copy + 6, x.data, x.len);
        x.data = copy;
        x.len += 6;
    }
    ed = exif_data_new_from_data(x.data, (unsigned int)x.len);
    if (ed == NULL)
        goto out;
    ExifContent *gps = ed->ifd[EXIF_IFD_GPS];
    if (gps == NULL)
        goto out;
    ExifByteOrder bo = exif_data_get_byte_order(ed);
    double la, lo;
    char lar = ref_of(exif_content_get_entry(gps, (ExifTag)EXIF_TAG_GPS_LATITUDE_REF));
    char lor = ref_of(exif_content_get_entry(gps, (ExifTag)EXIF_TAG_GPS_LONGITUDE_REF));
    if (rational_deg(exif_content_get_entry(gps, (ExifTag)EXIF_TAG_GPS_LATITUDE), bo, &la) == -1 ||
        rational_deg(exif_content_get_entry(gps, (ExifTag)EXIF_TAG_GPS_LONGITUDE), bo, &lo) == -1)
        goto out;
    if (lar == 'S')
        la = -la;
    if (lor == 'W')
        lo = -lo;
    if (la < -90 || la > 90 || lo < -180 || lo > 180 || (la == 0 && lo == 0))
        goto out;
    *lat = la;
    *lon = lo;
    found = 1;
out:
    if (ed != NULL)
        exif_data_unref(ed);
    free(copy);
    return found;
}

struct strip_ctx {
    struct buf out;
    bool webp_had_meta;
};

static void keep_jpeg_seg(unsigned char m, const unsigned char *seg, size_t len, void *ctx)
{
    struct strip_ctx *s = ctx;
    /* APP1 carries EXIF (GPS, camera serials) and XMP; APP13 IPTC; COM comments */
    if (m == 0xe1 || m == 0xed || m == 0xfe)
        return;
    buf_append(&s->out, seg, len);
}

static void keep_png_chunk(const unsigned char *type, const unsigned char *chunk, size_t len,
                           void *ctx)
{
    struct strip_ctx *s = ctx;
    static const char *const drop[] = {"eXIf", "tEXt", "zTXt", "iTXt", "tIME"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (memcmp(type, drop[i], 4) == 0)
            return;
    buf_append(&s->out, chunk, len);
}

static void keep_webp_chunk(const unsigned char *type, const unsigned char *chunk, size_t len,
                            void *ctx)
{
    struct strip_ctx *s = ctx;
    if (memcmp(type, "EXIF", 4) == 0 || memcmp(type, "XMP ", 4) == 0) {
        s->webp_had_meta = true;
        return;
    }
    buf_append(&s->out, chunk, len);
}

int media_strip(enum media_kind k, const unsigned char *p, size_t n, unsigned char **out,
                size_t *out_len)
{
    struct strip_ctx s = {.webp_had_meta = false};
    int rc = -1;
    buf_init(&s.out, 0);
    if (k == MEDIA_JPEG) {
        buf_append(&s.out, p, 2); /* SOI */
        size_t sos = jpeg_walk(p, n, keep_jpeg_seg, &s);
        if (sos == 0)
            goto out;
        buf_append(&s.out, p + sos, n - sos); /* the scan and everything after it, as sent */
    } else if (k == MEDIA_PNG) {
        buf_append(&s.out, p, 8);
        if (png_walk(p, n, keep_png_chunk, &s) == -1)
            goto out;
    } else if (k == MEDIA_WEBP) {
        buf_append(&s.out, p, 12);
        if (webp_walk(p, n, keep_webp_chunk, &s) == -1)
            goto out;
        unsigned char *d = (unsigned char *)s.out.data;
        put_le32(d + 4, (uint32_t)(s.out.len - 8));
        /* VP8X flags: bit 3 EXIF, bit 2 XMP present; clear them with the chunks */
        if (s.out.len >= 21 && memcmp(d + 12, "VP8X", 4) == 0)
            d[20] &= (unsigned char)~0x0c;
    } else {
        goto out;
    }
    *out_len = s.out.len;
    *out = (unsigned char *)buf_take(&s.out);
    rc = 0;
out:
    buf_release(&s.out);
    return rc;
}

bool media_valid_sha(const char *hex)
{
    if (hex == NULL || strlen(hex) != 64)
        return false;
    for (const char *c = hex; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return false;
    return true;
}

char *media_path(const char *dir, const char *hex)
{
    if (!media_valid_sha(hex))
        return NULL;
    return xasprintf("%s/%.2s/%s", dir, hex, hex);
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0700) == -1 && errno != EEXIST)
        return log_fail("media: %s: cannot create directory: %s", path, strerror(errno));
    return 0;
}

int media_save(const char *dir, const char *hex, const void *p, size_t n)
{
    int rc = -1, fd = -1;
    char *sub = NULL, *path = media_path(dir, hex), *tmp = NULL;
    if (path == NULL)
        return log_fail("media: refusing a file name that is not a SHA-256");
    sub = xasprintf("%s/%.2s", dir, hex);
    if (make_dir(dir) == -1 || make_dir(sub) == -1)
        goto out;
    if (access(path, F_OK) == 0) { /* content-addressed: same name, same bytes */
        rc = 0;
        goto out;
    }
    tmp = xasprintf("%s/.tmp-XXXXXX", sub);
    fd = mkstemp(tmp); /* mode 0600 */
    if (fd == -1) {
        log_err("media: %s: cannot create: %s", tmp, strerror(errno));
        goto out;
    }
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, (const char *)p + done, n - done);
        if (w == -1 && errno == EINTR)
            continue;
        if (w <= 0) {
            log_err("media: %s: write: %s", tmp, strerror(errno));
            goto out;
        }
        done += (size_t)w;
    }
    if (fsync(fd) == -1) {
        log_err("media: %s: fsync: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) == -1) {
        fd = -1;
        log_err("media: %s: close: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    if (rename(tmp, path) == -1) {
        log_err("media: %s: rename: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (fd != -1)
        close(fd);
    if (rc == -1 && tmp != NULL)
        unlink(tmp);
    free(tmp);
    free(sub);
    free(path);
    return rc;
}
