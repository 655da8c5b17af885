/*
 * mkfixtures.c - makes the photo fixtures of the 随手拍 tests once; its output
 * is checked in, so the build does not need libjpeg or libpng. Run from this
 * directory:
 *   cc -o /tmp/mkfixtures mkfixtures.c $(pkg-config --cflags --libs libexif libpng) -ljpeg
 *   /tmp/mkfixtures
 * gps.jpg: a 16x16 JPEG (libjpeg) with an EXIF APP1 (libexif) whose GPS IFD
 * says 32 2' 33" N, 112 8' 38.76" E (32.0425, 112.1441: Xiangyang), plus a
 * COM comment segment; a.png: an 8x8 PNG (libpng) with a tEXt chunk.
 */
#include <stdio.h> /* before jpeglib.h, which needs size_t and FILE */
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <libexif/exif-data.h>
#include <png.h>

static void gps_entry(ExifData *ed, ExifMem *mem, ExifTag tag, ExifFormat fmt, unsigned n,
                      const void *data, unsigned size)
{
    ExifEntry *e = exif_entry_new_mem(mem);
    e->data = exif_mem_alloc(mem, size);
    memcpy(e->data, data, size);
    e->size = size;
    e->tag = tag;
    e->format = fmt;
    e->components = n;
    exif_content_add_entry(ed->ifd[EXIF_IFD_GPS], e);
    exif_entry_unref(e);
}

static void rationals(unsigned char *out, ExifByteOrder bo, const unsigned v[6])
{
    for (int i = 0; i < 3; i++) {
        ExifRational r = {v[2 * i], v[2 * i + 1]};
        exif_set_rational(out + 8 * i, bo, r);
    }
}

int main(void)
{
    /* the pixels: 16x16 red-ish gradient */
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    unsigned char *jpg = NULL;
    unsigned long jlen = 0;
    unsigned char row[16 * 3];
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &jpg, &jlen);
    c.image_width = 16;
    c.image_height = 16;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 80, TRUE);
    jpeg_start_compress(&c, TRUE);
    static const char comment[] = "taken at Longzhong";
    jpeg_write_marker(&c, JPEG_COM, (const JOCTET *)comment, sizeof comment - 1);
    for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
            row[3 * x] = 200;
            row[3 * x + 1] = (unsigned char)(x * 16);
            row[3 * x + 2] = (unsigned char)(y * 16);
        }
        JSAMPROW rp = row;
        jpeg_write_scanlines(&c, &rp, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);

    /* the EXIF block with a GPS IFD */
    ExifMem *mem = exif_mem_new_default();
    ExifData *ed = exif_data_new_mem(mem);
    ExifByteOrder bo = EXIF_BYTE_ORDER_INTEL;
    exif_data_set_byte_order(ed, bo);
    unsigned char lat[24], lon[24];
    rationals(lat, bo, (const unsigned[]){32, 1, 2, 1, 3300, 100});
    rationals(lon, bo, (const unsigned[]){112, 1, 8, 1, 3876, 100});
    gps_entry(ed, mem, (ExifTag)EXIF_TAG_GPS_LATITUDE_REF, EXIF_FORMAT_ASCII, 2, "N", 2);
    gps_entry(ed, mem, (ExifTag)EXIF_TAG_GPS_LATITUDE, EXIF_FORMAT_RATIONAL, 3, lat, 24);
    gps_entry(ed, mem, (ExifTag)EXIF_TAG_GPS_LONGITUDE_REF, EXIF_FORMAT_ASCII, 2, "E", 2);
    gps_entry(ed, mem, (ExifTag)EXIF_TAG_GPS_LONGITUDE, EXIF_FORMAT_RATIONAL, 3, lon, 24);
    unsigned char *exif = NULL;
    unsigned int elen = 0;
    exif_data_save_data(ed, &exif, &elen);
    if (exif == NULL || elen < 6 || memcmp(exif, "Exif\0\0", 6) != 0) {
        fprintf(stderr, "libexif did not save an Exif block\n");
        return 1;
    }
    FILE *f = fopen("gps.jpg", "wb");
    unsigned char app1[4] = {0xff, 0xe1, (unsigned char)((elen + 2) >> 8),
                             (unsigned char)(elen + 2)};
    fwrite(jpg, 1, 2, f); /* SOI */
    fwrite(app1, 1, 4, f);
    fwrite(exif, 1, elen, f);
    fwrite(jpg + 2, 1, jlen - 2, f);
    fclose(f);
    free(exif);
    exif_data_unref(ed);
    exif_mem_unref(mem);
    free(jpg);

    /* a small PNG with a text chunk */
    f = fopen("a.png", "wb");
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    png_init_io(p, f);
    png_set_IHDR(p, info, 8, 8, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text t = {.compression = PNG_TEXT_COMPRESSION_NONE, .key = "Comment",
                  .text = "blocked fire lane"};
    png_set_text(p, info, &t, 1);
    png_write_info(p, info);
    unsigned char prow[8 * 3];
    for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
            prow[3 * x] = 0;
            prow[3 * x + 1] = (unsigned char)(x * 32);
            prow[3 * x + 2] = 255;
        }
        png_write_row(p, prow);
    }
    png_write_end(p, NULL);
    png_destroy_write_struct(&p, &info);
    fclose(f);
    return 0;
}
