/*
 * csv.h - the one CSV writer every export uses (reports, bookings, any later
 * one): RFC 4180 quoting, and text cells a spreadsheet would run as a formula
 * (starting with = + - @, TAB or CR) get a leading ' so they show as text.
 */
#ifndef BOT_CSV_H
#define BOT_CSV_H
#include <jansson.h>
#include <stdbool.h>

struct buf;

/* Append one cell. text: the value came from a person (neutralised when it
 * starts like a formula); false for numbers this program formatted. */
void csv_cell(struct buf *out, const char *v, bool text);
/* Append a header line of columns, then one line per row (a JSON object;
 * strings, integers, reals, booleans; anything else is an empty cell). A
 * column named *_ms holding an integer is a time: its cells are local time
 * in the configured zone ("2026-12-04 20:15:03") and its header is *_at
 * (created_ms -> created_at), never raw Unix milliseconds. */
void csv_rows(struct buf *out, json_t *rows, const char *const *columns);
/* The columns of rows for a generic export: every key of the rows whose value
 * is a string, number or boolean, in order of first appearance. New array of
 * strings. */
json_t *csv_columns(json_t *rows);

#endif
