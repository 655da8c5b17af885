/*
 * csv.c - see csv.h. Written by hand: a dozen lines of RFC 4180 quoting do
 * not justify a dependency, and the formula rule is ours anyway.
 */
#include "csv.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"

/* OWASP "CSV injection": these first characters make Excel, LibreOffice and
 * Google Sheets evaluate the cell. */
static bool looks_like_formula(const char *v)
{
    return v[0] != '\0' && strchr("=+-@\t\r", v[0]) != NULL;
}

void csv_cell(struct buf *out, const char *v, bool text)
{
    bool guard = text && looks_like_formula(v);
    if (!guard && strpbrk(v, ",\"\r\n") == NULL) {
        buf_puts(out, v);
        return;
    }
    buf_puts(out, guard ? "\"'" : "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            buf_puts(out, "\"");
        buf_append(out, p, 1);
    }
    buf_puts(out, "\"");
}

void csv_rows(struct buf *out, json_t *rows, const char *const *columns)
{
    size_t i;
    json_t *row;
    for (int c = 0; columns[c]; c++) {
        if (c)
            buf_puts(out, ",");
        csv_cell(out, columns[c], true);
    }
    buf_puts(out, "\r\n");
    json_array_foreach(rows, i, row)
    {
        for (int c = 0; columns[c]; c++) {
            json_t *v = json_object_get(row, columns[c]);
            char num[32];
            const char *cell = "";
            if (json_is_string(v)) {
                cell = json_string_value(v);
            } else if (json_is_integer(v)) {
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
                cell = num;
            } else if (json_is_real(v)) {
                snprintf(num, sizeof num, "%.6f", json_real_value(v));
                cell = num;
            } else if (json_is_boolean(v)) {
                cell = json_is_true(v) ? "true" : "false";
            }
            if (c)
                buf_puts(out, ",");
            csv_cell(out, cell, json_is_string(v));
        }
        buf_puts(out, "\r\n");
    }
}
