#!/usr/bin/env python3
"""Build real/sources.jsonl and real/sentences.jsonl from the hand-made batch files in real/raw/.

Batch format (one item per line, UTF-8, nothing is ever edited in a quote):
  @ID | kind | url | title        a source
  CODES|text                      a sentence quoted word for word from the last source above
CODES: b blame, a absolute, c criticism, t contempt, d defensiveness, s stonewalling,
p pseudo_feeling, i i_statement, r request, R repair, v validation, 0 clean;
a trailing ~ means the sentence is not said to a partner (to a colleague, child, reader...).
Usage: python3 build_real.py   (run from crates/coach/corpus)
"""
import json, glob, os, sys
CODE = {"b": "blame", "a": "absolute", "c": "criticism", "t": "contempt", "d": "defensiveness",
        "s": "stonewalling", "p": "pseudo_feeling", "i": "i_statement", "r": "request",
        "R": "repair", "v": "validation"}
ORDER = list(CODE.values())

def parse_codes(codes, where):
    to_partner = not codes.endswith("~")
    codes = codes.rstrip("~").replace(" ", "")
    if codes == "0":
        return [], to_partner
    labels = []
    for ch in codes:
        if ch not in CODE:
            sys.exit(f"{where}: bad code {ch!r}")
        labels.append(CODE[ch])
    return sorted(set(labels), key=ORDER.index), to_partner

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    sources, sentences, seen = {}, [], set()
    cur = None
    for path in sorted(glob.glob(os.path.join(here, "real", "raw", "*.txt"))):
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            where = f"{os.path.basename(path)}:{n}"
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("@"):
                parts = [p.strip() for p in line[1:].split("|", 3)]
                if len(parts) != 4:
                    sys.exit(f"{where}: source needs @id | kind | url | title")
                sid, kind, url, title = parts
                if sid in sources:
                    sys.exit(f"{where}: duplicate source {sid}")
                if any(s["url"] == url for s in sources.values()):
                    sys.exit(f"{where}: duplicate url {url}")
                sources[sid] = {"id": sid, "url": url, "title": title, "kind": kind}
                cur = sid
                continue
            codes, sep, text = line.partition("|")
            if not sep or cur is None or not text.strip():
                sys.exit(f"{where}: expected CODES|text after a source")
            labels, to_partner = parse_codes(codes, where)
            key = (cur, text)
            if key in seen:
                continue
            seen.add(key)
            sentences.append({"text": text, "source": cur, "labels": labels,
                              "clean": not labels, "to_partner": to_partner})
    used = {s["source"] for s in sentences}
    with open(os.path.join(here, "real", "sources.jsonl"), "w", encoding="utf-8") as f:
        for s in sources.values():
            if s["id"] in used:
                f.write(json.dumps(s, ensure_ascii=False) + "\n")
    with open(os.path.join(here, "real", "sentences.jsonl"), "w", encoding="utf-8") as f:
        for s in sentences:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")
    print(f"{len(sentences)} sentences, {len(used)} sources")

if __name__ == "__main__":
    main()
