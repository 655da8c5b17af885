#!/usr/bin/env python3
"""split.py - split collected label<TAB>text files into a validation part
and a training part, by a fixed hash of the text (so the same text always
lands on the same side, and a re-run gives the same split).

    split.py VALID_OUT TRAIN_OUT FILE...

A text is in the validation part when the first byte of the SHA-1 of its
text (UTF-8, as written) is below 64: about 25 %. Texts that repeat (within
or across files, with any label) are kept once, on their hashed side.
"""
import hashlib
import sys


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    valid, train, seen = [], [], set()
    for path in sys.argv[3:]:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\r\n")
                if not line or line.startswith("#") or "\t" not in line:
                    continue
                label, text = line.split("\t", 1)
                label, text = label.strip(), text.strip()
                if not text or text in seen:
                    continue
                seen.add(text)
                h = hashlib.sha1(text.encode("utf-8")).digest()[0]
                (valid if h < 64 else train).append(f"{label}\t{text}")
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        f.write("".join(x + "\n" for x in valid))
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write("".join(x + "\n" for x in train))
    print(f"{len(valid)} validation, {len(train)} training", file=sys.stderr)


if __name__ == "__main__":
    main()
