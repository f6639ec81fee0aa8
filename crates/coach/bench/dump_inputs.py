#!/usr/bin/env python3
"""Inputs for before/after comparisons of refactors with `--example dump` (issue 16, speed).

    python3 crates/coach/bench/dump_inputs.py OUT.txt

Every own and real corpus line (dev, test, messages_*, bench messages, real sentences, second
passes and the raw source texts, the own training set as written and as built), each followed by variants the analysis must also leave
unchanged: upper and lower case, a random split into two halves, the words reversed, the line
joined with another one, 60 shuffled characters, curly apostrophes with doubled spaces; plus a
few odd Unicode lines. Seed 7: the same file every time.

    cargo run --release -p rekindle-coach --example dump -- OUT.txt > before.txt   # old code
    cargo run --release -p rekindle-coach --example dump -- OUT.txt | cmp - before.txt
"""
import glob
import json
import os
import random
import sys

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
random.seed(7)
texts = []
for f in ["corpus/dev.jsonl", "corpus/test.jsonl", "corpus/real/sentences.jsonl",
          "corpus/real/second_pass.jsonl", "corpus/real/second_pass_2.jsonl",
          "corpus/own_train.jsonl"]:
    for line in open(os.path.join(root, f)):
        try:
            texts.append(json.loads(line)["text"])
        except Exception:
            texts.append(line.rstrip("\n"))
for f in ["corpus/messages_a.txt", "corpus/messages_b.txt", "corpus/messages_c.txt",
          "bench/messages.txt"] + sorted(
              os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "corpus/real/raw/*"))) + sorted(
              os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "corpus/own/*.txt"))):
    texts += [line.rstrip("\n") for line in open(os.path.join(root, f), errors="replace")]
out = []
for t in texts:
    out.append(t)
    out.append(t.upper())
    out.append(t.lower())
    w = t.split()
    if len(w) > 2:
        k = random.randrange(1, len(w))
        out.append(" ".join(w[:k]))
        out.append(" ".join(w[k:]))
        out.append(" ".join(w[::-1]))
    out.append(t + " " + random.choice(texts))
    s = list(t)
    random.shuffle(s)
    out.append("".join(s[:60]))
    out.append(t.replace("'", "\u2019").replace(" ", "  "))
out += ["\u00e9" * 100, "\U0001F600 you always \U0001F600 never", "\u0301you\u200b always"]
with open(sys.argv[1], "w") as f:
    for o in out:
        f.write(o.replace("\n", " ").replace("\r", " ") + "\n")
print(f"{len(out)} lines -> {sys.argv[1]}", file=sys.stderr)
