#!/usr/bin/env python3
"""
tools/store_cols.py - the store files' statement handles and column reads
behind the engine seam (store_int.h), by rewriting text only:

    sqlite3_stmt                          -> struct store_stmt
    (const char *)sqlite3_column_text(    -> store_col_str(
    sqlite3_column_text(                  -> store_col_str(
    const unsigned char *v = store_col_str( -> const char *v = store_col_str(
    sqlite3_column_X(  (int64, int, double, type, count) -> store_col_X(
    sqlite3_bind_parameter_count(         -> store_param_count(
    sqlite3_reset(                        -> store_reset(
    sqlite3_changes(store_db(E))          -> store_changes(E)
    sqlite3_last_insert_rowid(store_db(E)) -> store_last_id(E)

Run from the repository's top: `tools/store_cols.py [FILE...]`; without
files it rewrites bot/store_*.c (not store_pg.c) and bot/store.c from its
first function after the engine's own (`int store_inbound_get`), where
SQLite's own calls stay. Idempotent: a second run changes nothing, so it can
be run again on a branch that wrote store code the old way.
"""
import glob
import re
import sys

RULES = [
    (re.compile(r"\bsqlite3_stmt\b"), "struct store_stmt"),
    (re.compile(r"\(const char \*\)\s*sqlite3_column_text\("), "store_col_str("),
    (re.compile(r"\bsqlite3_column_text\("), "store_col_str("),
    (re.compile(r"const unsigned char \*(\w+) = store_col_str\("), r"const char *\1 = store_col_str("),
    (re.compile(r"\bsqlite3_column_(int64|int|double|type|count)\("), r"store_col_\1("),
    (re.compile(r"\bsqlite3_bind_parameter_count\("), "store_param_count("),
    (re.compile(r"\bsqlite3_reset\("), "store_reset("),
    (re.compile(r"\bsqlite3_changes\(store_db\(([^()]*)\)\)"), r"store_changes(\1)"),
    (re.compile(r"\bsqlite3_last_insert_rowid\(store_db\(([^()]*)\)\)"), r"store_last_id(\1)"),
]
START = {"bot/store.c": "int store_inbound_get"}


def rewrite(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, body = "", text
    if path in START:
        i = text.index(START[path])
        head, body = text[:i], text[i:]
    for pat, rep in RULES:
        body = pat.sub(rep, body)
    if head + body != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(head + body)
        print("rewrote", path)


def main():
    files = sys.argv[1:] or sorted(
        p for p in glob.glob("bot/store*.c") if p != "bot/store_pg.c")
    for p in files:
        rewrite(p)


if __name__ == "__main__":
    main()
