/*
 * csv.c - see csv.h. Written by hand: a dozen lines of RFC 4180 quoting do
 * not justify a dependency, and the formula rule is ours anyway.
 */
#include "csv.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* A column of times: named *_ms. */
static bool is_time_column(const char *name)
{
    size_t n = strlen(name);
    return n > 3 && strcmp(name + n - 3, "_ms") == 0;
}

/* Unix ms as local time (the process TZ is the configured zone, main.c). */
static void local_time(json_int_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, size, "%lld", (long long)ms);
}

static void header(struct buf *out, const char *const *columns)
{
    for (int c = 0; columns[c]; c++) {
        if (c)
            buf_puts(out, ",");
        if (is_time_column(columns[c])) {
            /* created_ms -> created_at; at_ms -> at (no "at_at") */
            size_t n = strlen(columns[c]) - 3;
            buf_append(out, columns[c], n);
            if (!(n == 2 && strncmp(columns[c], "at", 2) == 0))
                buf_puts(out, "_at");
        } else {
            csv_cell(out, columns[c], true);
        }
    }
}

json_t *csv_columns(json_t *rows)
{
    json_t *cols = json_array(), *seen = json_object(), *row, *v;
    size_t i;
    const char *k;
    json_array_foreach(rows, i, row)
    {
        json_object_foreach(row, k, v)
        {
            if ((json_is_string(v) || json_is_number(v) || json_is_boolean(v)) &&
                json_object_get(seen, k) == NULL) {
                json_object_set_new(seen, k, json_true());
                json_array_append_new(cols, json_string(k));
            }
        }
    }
    json_decref(seen);
    return cols;
}

void csv_rows(struct buf *out, json_t *rows, const char *const *columns)
{
    size_t i;
    json_t *row;
    header(out, columns);
    buf_puts(out, "\r\n");
    json_array_foreach(rows, i, row)
    {
        for (int c = 0; columns[c]; c++) {
            json_t *v = json_object_get(row, columns[c]);
            char num[32];
            const char *cell = "";
            if (json_is_string(v)) {
                cell = json_string_value(v);
            } else if (json_is_integer(v) && is_time_column(columns[c])) {
                local_time(json_integer_value(v), num, sizeof num);
                cell = num;
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
