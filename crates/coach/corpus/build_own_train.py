#!/usr/bin/env python3
"""Builds own_train.jsonl from the hand-written files in own/ (issue 16, branch coachdata).

The sentences in own/*.txt were written by hand on 2026-12-06 by the engineer on branch
`coachdata`, from the issue's descriptions and GUIDELINES.md only (no held-out sentence was
read; no training-source sentence was paraphrased one by one). They are training data for the
learned layer only: never an evaluation item, never part of the real corpus (the yardstick).

Format: "## CODES" headers (the letters of build_corpus.py, "-" for clean), then one message a
line; "# " lines are comments. The labels follow GUIDELINES.md; on top of the header's codes the
same derived rules as build_corpus.py apply (criticism or contempt + a you-word -> blame; a faux
feeling naming "you" -> blame; "you're overreacting / too sensitive" -> criticism + blame) and
blame with "always / never / every time / all you ever / constantly / forever" -> absolute.

Each section is cut into runs of 10 consecutive lines; a run is one pseudo-source
("own:<file>:<section>:<run>"), so near-twins written one after another stay in one fold of
the training command's grouped cross-validation.

    python3 crates/coach/corpus/build_own_train.py          # writes own_train.jsonl, prints sizes
"""
import collections
import json
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE))
from build_corpus import CODES, FEEL_YOU, OVERREACT, PROBLEMS, YOU  # noqa: E402

ORDER = ["blame", "absolute", "criticism", "contempt", "defensiveness", "stonewalling",
         "pseudo_feeling", "i_statement", "request", "repair", "validation"]
ABS = re.compile(r"\b(always|never|every time|every single time|all (you|u) ever|constantly|forever)\b", re.I)
RUN = 10


def load():
    items = []
    for path in sorted((HERE / "own").glob("*.txt")):
        codes, sec, n = None, 0, 0
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("# "):
                continue
            if line.startswith("## "):
                codes = line[3:].split()
                sec += 1
                n = 0
                continue
            assert codes is not None, f"{path}: message before a header: {line}"
            labs = set() if codes == ["-"] else {CODES[c] for c in codes}
            if labs & {"criticism", "contempt"} and YOU.search(line):
                labs.add("blame")
            if "pseudo_feeling" in labs and FEEL_YOU.search(line):
                labs.add("blame")
            if OVERREACT.search(line):
                labs |= {"criticism", "blame"}
            if "blame" in labs and ABS.search(line):
                labs.add("absolute")
            src = f"own:{path.stem}:{sec}:{n // RUN}"
            n += 1
            items.append((line, sorted(labs, key=ORDER.index), src))
    return items


def main():
    items = load()
    seen = {}
    out = []
    for text, labs, src in items:
        key = text.lower()
        if key in seen:
            assert seen[key] == labs, f"same text, two label sets: {text!r} {seen[key]} {labs}"
            continue
        seen[key] = labs
        out.append({"text": text, "source": src, "labels": labs, "clean": not labs})
    # the own set never repeats a real or own-split sentence
    taken = set()
    for f in [HERE / "dev.jsonl", HERE / "test.jsonl", HERE / "real" / "sentences.jsonl"]:
        for l in f.read_text(encoding="utf-8").splitlines():
            taken.add(json.loads(l)["text"].lower())
    before = len(out)
    out = [o for o in out if o["text"].lower() not in taken]
    with open(HERE / "own_train.jsonl", "w", encoding="utf-8") as fh:
        for o in out:
            fh.write(json.dumps(o, ensure_ascii=False) + "\n")
    kinds = collections.Counter(k for o in out for k in o["labels"])
    problems = sum(1 for o in out if set(o["labels"]) & {CODES[c] for c in PROBLEMS})
    print(f"{len(out)} sentences ({before - len(out)} dropped: already in dev/test/real), "
          f"{len({o['source'] for o in out})} pseudo-sources")
    print(f"with a problem kind {problems}, without {len(out) - problems} "
          f"(of which clean {sum(1 for o in out if not o['labels'])})")
    for k in ORDER:
        print(f"{k:<15} {kinds[k]}")


if __name__ == "__main__":
    main()
