/*
 * libcsv.h - the Debian libcsv parser's <csv.h>, which bot/csv.h (our
 * writer) shadows on the -Ibot include path: #include_next skips bot/.
 */
#ifndef BOT_LIBCSV_H
#define BOT_LIBCSV_H
#include_next <csv.h>
#endif
