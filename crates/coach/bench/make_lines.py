#!/usr/bin/env python3
"""Writes the 40,000 lines the whole-process speed comparison reads (deterministic).

Each line is one message: every hand-written message (corpus/messages_*.txt), every real
sentence (corpus/real/sentences.jsonl) and every benchmark message (bench/messages.txt), in
a shuffled order (seed 16), repeated until there are 40,000 lines.

    python3 crates/coach/bench/make_lines.py OUT [N]
"""
import json
import pathlib
import random
import sys

HERE = pathlib.Path(__file__).parent
CORPUS = HERE.parent / "corpus"


def messages():
    out = []
    for p in sorted(CORPUS.glob("messages_*.txt")):
        for raw in p.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line and not line.startswith("#"):
                out.append(line)
    real = CORPUS / "real" / "sentences.jsonl"
    if real.exists():
        for raw in real.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                out.append(" ".join(json.loads(raw)["text"].split()))
    for raw in (HERE / "messages.txt").read_text(encoding="utf-8").splitlines():
        if raw.strip():
            out.append(raw.strip())
    return out


def main():
    dest = pathlib.Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 40000
    base = messages()
    rng = random.Random(16)
    lines = []
    while len(lines) < n:
        batch = base[:]
        rng.shuffle(batch)
        lines.extend(batch)
    dest.write_text("\n".join(lines[:n]) + "\n", encoding="utf-8")
    print(f"{n} lines from {len(base)} distinct messages -> {dest}")


if __name__ == "__main__":
    main()
