#!/usr/bin/env python3
"""Builds dev.jsonl and test.jsonl from the hand-written messages_*.txt files.

Each messages file groups messages under a "## CODES" header (see messages_a.txt). On top of
the hand-written messages, a minority of two-sentence messages are made by joining two
hand-written ones (their labels are the union); the seed is fixed, so the output is stable.
The split is by a hash of the text: about 70 % dev, 30 % test.

    python3 crates/coach/corpus/build_corpus.py
"""
import hashlib
import json
import pathlib
import random
import re

CODES = {
    "B": "blame", "A": "absolute", "C": "criticism", "X": "contempt", "D": "defensiveness",
    "S": "stonewalling", "P": "pseudo_feeling", "I": "i_statement", "R": "request",
    "E": "repair", "V": "validation",
}
PROBLEMS = set("BACXDSP")
HERE = pathlib.Path(__file__).parent
OVERREACT = re.compile(
    r"\byou(['\u2019]re| are) (just |so |being |way |really |totally )*(overreacting|too sensitive"
    r"|oversensitive|so sensitive|blowing (this|it) (way )?out of proportion|making a big deal)",
    re.I,
)
FEEL_YOU = re.compile(
    r"\bi( \w+){0,2} (feel|felt)( like| that| as if| as though)? (you|your)\b|\byou (make|made|keep making) me feel\b",
    re.I,
)
YOU = re.compile(r"\b(you|your|yours|yourself|u|ur)\b|\byou['\u2019]", re.I)


def load():
    items = []
    for path in sorted(HERE.glob("messages_*.txt")):
        labels = None
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if not line or line.startswith("# "):
                continue
            if line.startswith("## "):
                codes = line[3:].split()
                labels = [] if codes == ["-"] else [CODES[c] for c in codes]
                continue
            assert labels is not None, f"{path}: message before a header: {line}"
            labs = set(labels)
            # taxonomy (issue 16): a character attack or contempt aimed at "you" is also a
            # you-statement, so it carries blame too
            if labs & {"criticism", "contempt"} and YOU.search(line):
                labs.add("blame")
            # the corpus guidelines: a faux feeling with an explicit "you" accusation ("I feel
            # like you…", "you made me feel…") carries blame too
            if "pseudo_feeling" in labs and FEEL_YOU.search(line):
                labs.add("blame")
            # the corpus guidelines: "You're overreacting / too sensitive" is criticism + blame
            # (not defensiveness, unless something else in the message is)
            if OVERREACT.search(line):
                labs |= {"criticism", "blame"}
            items.append((line, tuple(sorted(labs))))
    return items


def combos(items, rng):
    def has(it, pred):
        return pred(set(it[1]))
    problem = [it for it in items if has(it, lambda s: s and all(
        k in {CODES[c] for c in PROBLEMS} for k in s)) and len(it[0]) < 70]
    request = [it for it in items if it[1] == ("request",)]
    neutral = [it for it in items if it[1] == () and len(it[0]) < 60]
    strength = [it for it in items if it[1] and not has(
        it, lambda s: any(k in {CODES[c] for c in PROBLEMS} for k in s)) and len(it[0]) < 60]
    out = []
    plan = [(problem, request, 110), (neutral, problem, 60), (strength, strength, 70),
            (neutral, neutral, 40), (problem, strength, 40)]
    for a, b, n in plan:
        for _ in range(n):
            x, y = rng.choice(a), rng.choice(b)
            if x[0] == y[0]:
                continue
            text = x[0] + " " + y[0]
            out.append((text, tuple(sorted(set(x[1]) | set(y[1])))))
    return out


def main():
    items = load()
    rng = random.Random(3)
    all_items = items + combos(items, rng)
    seen = set()
    dev, test = [], []
    for text, labels in all_items:
        if text in seen:
            continue
        seen.add(text)
        rec = json.dumps({"text": text, "labels": list(labels)}, ensure_ascii=False)
        h = hashlib.sha1(text.encode("utf-8")).digest()[0]
        (dev if h % 10 < 7 else test).append(rec)
    (HERE / "dev.jsonl").write_text("\n".join(dev) + "\n", encoding="utf-8")
    (HERE / "test.jsonl").write_text("\n".join(test) + "\n", encoding="utf-8")
    print(f"{len(items)} hand-written, {len(seen) - len(items)} joined; dev {len(dev)}, test {len(test)}")


if __name__ == "__main__":
    main()
