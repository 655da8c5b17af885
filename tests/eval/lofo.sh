#!/bin/sh
# lofo.sh - leave one writer out: how well understanding does on a writer it
# has not seen. Each intents/9*-collected.examples file holds the texts of
# one blind writer. For each such file F: a copy of the intents directory
# without F, and F's texts (label<TAB>text) evaluated against it
# (tests/eval/eval --via). Prints per file and overall:
#
#   acc     accuracy over all of F's texts (as `make eval` counts it)
#   rules   texts a rule matched (on the text or its matched copy)
#   scorer  the other texts: the scorer's share, and its accuracy (acc);
#           of them, those labelled with an intent:
#     right   the scorer took the label
#     ask     a numbered choice (hit: the label was one of the choices)
#     unk     not understood (or the check-in of a text near a crisis)
#     wrong   the scorer took another intent
#           and those labelled `none`, of which `guess` got an intent
#           (help and a numbered choice are right for them, as in eval)
#   crisis  texts taken for a crisis (the collected files hold no crisis text)
#   act     wrong actions (the scorer never takes one: these are the rules')
#
# The rules and the lexicon were written after reading these files, so
# `acc` and `rules` flatter; only the scorer's share is an honest
# cross-writer figure (the examples of F are gone, the rules are not).
# An example elsewhere with the very text of one of F's is left out too.
#
#   tests/eval/lofo.sh [-i intents] [-o DIR]   (DIR keeps each file's VIA lines)
set -eu
intents=intents
out=
while [ $# -gt 0 ]; do
    case $1 in
    -i) intents=$2; shift 2 ;;
    -o) out=$2; shift 2 ;;
    *) echo "usage: lofo.sh [-i intents] [-o DIR]" >&2; exit 2 ;;
    esac
done
eval_bin=${EVAL:-tests/eval/eval}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
[ -n "$out" ] && mkdir -p "$out"
for f in "$intents"/9*-collected.examples; do
    name=$(basename "$f" .examples)
    rm -rf "$tmp/intents"
    cp -r "$intents" "$tmp/intents"
    rm "$tmp/intents/$(basename "$f")"
    grep -v '^#' "$f" | grep "$(printf '\t')" >"$tmp/$name.tsv" || true
    # the same text in another file (90 to 92 share about 190 each: short
    # commands two writers both wrote) is left out there too: F is unseen
    for g in "$tmp/intents"/*.examples; do
        awk -F'\t' 'NR == FNR { t[$2] = 1; next } !($2 in t)' "$tmp/$name.tsv" "$g" >"$g.new"
        mv "$g.new" "$g"
    done
    "$eval_bin" --via -i "$tmp/intents" -a "$tmp/intents" "$tmp/$name.tsv" |
        grep '^VIA' | sed "s/^VIA/$name/" >"$tmp/$name.via"
    [ -n "$out" ] && cp "$tmp/$name.via" "$out/"
    cat "$tmp/$name.via"
done | awk -F'	' -v actions="$(grep '^action ' "$intents/understand.txt" | cut -d' ' -f2 | tr '\n' ' ')" '
BEGIN {
    n = split(actions, a, " ")
    for (i = 1; i <= n; i++) isact[a[i]] = 1
    printf "%-14s %5s %7s %5s | %6s %7s %6s %5s %4s %4s %5s %5s | %5s %5s | %6s %3s\n", "file",
           "texts", "acc", "rules", "scorer", "acc", "intent", "right", "ask", "hit", "unk",
           "wrong", "none", "guess", "crisis", "act"
}
function add(k, f) { c[f, k]++; c["all", k]++ }
{
    f = $1; label = $2; pred = $3; via = $4; choices = $5
    if (!(f in seen)) { seen[f] = 1; order[++nf] = f }
    add("texts", f)
    ok = $10 == 1 # as eval judges it (right()): a check-in is right for none
    if (ok) add("ok", f)
    # an action that acts ($11, eval --via): not one taken without the
    # value it then asks for (askswhich)
    if ((NF >= 11 ? $11 == 1 : pred in isact) && !ok) add("act", f)
    if (pred == "crisis") { add("crisis", f); next }
    if (via == "rule" || via == "canon") { add("rules", f); next }
    add("scorer", f)
    if (ok) add("sok", f)
    if (label == "none") {
        add("none", f)
        if (!ok) add("guess", f)
        next
    }
    add("intent", f)
    if (pred == "ask") {
        add("ask", f)
        if (index("," choices ",", "," label ",")) add("hit", f)
    } else if (pred == "fallback" || pred == "crisis.check") add("unk", f)
    else if (pred == label) add("right", f)
    else add("wrong", f)
}
function row(f, s) {
    s = c[f, "scorer"] + 0
    printf "%-14s %5d %6.2f%% %5d | %6d %6.2f%% %6d %5d %4d %4d %5d %5d | %5d %5d | %6d %3d\n",
           f, c[f, "texts"], 100 * c[f, "ok"] / c[f, "texts"], c[f, "rules"], s,
           s ? 100 * c[f, "sok"] / s : 0, c[f, "intent"], c[f, "right"], c[f, "ask"],
           c[f, "hit"], c[f, "unk"], c[f, "wrong"], c[f, "none"], c[f, "guess"], c[f, "crisis"],
           c[f, "act"]
}
END {
    for (i = 1; i <= nf; i++) row(order[i])
    row("all")
}'
