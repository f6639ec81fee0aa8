#!/usr/bin/env python3
"""Checks on the real corpus (run from crates/coach/corpus).

  python3 real_check.py sample2 [N=300] [SEED=1616]
      draw N sentences at random and write real/second_pass_texts.tsv (k, source, text) in random
      order WITHOUT their labels, for the blind second labelling pass.
  python3 real_check.py kappa
      read real/second_pass_labels.txt (lines "k|CODES", codes as in build_real.py), write
      real/second_pass.jsonl and print Cohen's kappa per kind, pooled over kinds, and for
      problem/no-problem, against the first-pass labels in real/sentences.jsonl.
  python3 real_check.py sampleverify [N=100] [SEED=100]
      draw N sentences at random and write real/verify_sample.tsv (k, source, url, text).
  python3 real_check.py verifysummary
      summarise real/verify_log.tsv (k, hit|miss, note).
  python3 real_check.py stats
      counts per kind, clean, sources, source kinds, domains.

Second round (batches 18+, sources s304 onward), same commands with files suffixed _2:
  python3 real_check.py sample2 150 1618 --new      -> real/second_pass_texts_2.tsv
  python3 real_check.py kappa --new                 <- real/second_pass_labels_2.txt, -> real/second_pass_2.jsonl
  python3 real_check.py sampleverify 50 1800 --new  -> real/verify_sample_2.tsv
  python3 real_check.py verifysummary --new         <- real/verify_log_2.tsv
  python3 real_check.py stats --new                 counts for the new sources only
The second-round samples were drawn when the round held batches 18-30 (s304-s530); to redraw exactly
the same samples now, cap the range: add "--to 530" (e.g. sample2 150 1618 --new --to 530).
Batches 31-39 (s531-s635), added afterwards, have their own verification sample (files suffixed _3):
  python3 real_check.py sampleverify 20 1900 --late -> real/verify_sample_3.tsv
  python3 real_check.py verifysummary --late        <- real/verify_log_3.tsv
  python3 real_check.py stats --late                counts for batches 31-39 only
"""
import json, random, sys, os, collections
from urllib.parse import urlparse
from build_real import CODE, ORDER, parse_codes

HERE = os.path.dirname(os.path.abspath(__file__))
REAL = os.path.join(HERE, "real")
PROBLEMS = ORDER[:7]

def load():
    sents = [json.loads(l) for l in open(os.path.join(REAL, "sentences.jsonl"), encoding="utf-8")]
    srcs = {s["id"]: s for s in (json.loads(l) for l in open(os.path.join(REAL, "sources.jsonl"), encoding="utf-8"))}
    return sents, srcs

def kappa(a, b):
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa = sum(a) / n
    pb = sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return (po - pe) / (1 - pe) if pe < 1 else float("nan"), po

NEW_FROM = 304   # first source id of the second collection round (batches 18+)
LATE_FROM = 531  # first source id of batches 31+, added after the second-round samples were drawn

def main():
    lo, hi, sfx = 1, 10**9, ""
    if "--new" in sys.argv:
        sys.argv.remove("--new")
        lo, sfx = NEW_FROM, "_2"
    if "--late" in sys.argv:
        sys.argv.remove("--late")
        lo, sfx = LATE_FROM, "_3"
    if "--to" in sys.argv:
        i = sys.argv.index("--to")
        hi = int(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    cmd = sys.argv[1] if len(sys.argv) > 1 else "stats"
    sents, srcs = load()
    if (lo, hi) != (1, 10**9):
        sents = [s for s in sents if lo <= int(s["source"][1:]) <= hi]
        srcs = {k: v for k, v in srcs.items() if lo <= int(k[1:]) <= hi}
    if cmd == "sample2":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
        seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1616
        pick = random.Random(seed).sample(range(len(sents)), n)
        with open(os.path.join(REAL, "second_pass_texts" + sfx + ".tsv"), "w", encoding="utf-8") as f:
            for k, i in enumerate(pick):
                f.write(f"{k}\t{sents[i]['source']}\t{sents[i]['text']}\n")
        print(f"wrote {n} texts (seed {seed})")
    elif cmd == "kappa":
        rows = [l.rstrip("\n").split("\t", 2) for l in open(os.path.join(REAL, "second_pass_texts" + sfx + ".tsv"), encoding="utf-8")]
        labs = {}
        for l in open(os.path.join(REAL, "second_pass_labels" + sfx + ".txt"), encoding="utf-8"):
            l = l.strip()
            if not l or l.startswith("#"):
                continue
            k, _, codes = l.partition("|")
            labs[int(k)] = parse_codes(codes, f"label {k}")[0]
        first = {(s["source"], s["text"]): s["labels"] for s in sents}
        out, A, B = [], [], []
        for k, src, text in rows:
            k = int(k)
            if k not in labs:
                sys.exit(f"no second-pass label for {k}")
            out.append({"text": text, "source": src, "labels": labs[k], "clean": not labs[k]})
            A.append(set(first[(src, text)])); B.append(set(labs[k]))
        with open(os.path.join(REAL, "second_pass" + sfx + ".jsonl"), "w", encoding="utf-8") as f:
            for o in out:
                f.write(json.dumps(o, ensure_ascii=False) + "\n")
        print(f"n = {len(A)}")
        print("| kind | first pass + | second pass + | agreement | Cohen's kappa |")
        print("|---|---|---|---|---|")
        pa, pb = [], []
        for kind in ORDER:
            a = [kind in x for x in A]; b = [kind in y for y in B]
            pa += a; pb += b
            kap, po = kappa(a, b)
            print(f"| {kind} | {sum(a)} | {sum(b)} | {po:.3f} | {kap:.3f} |")
        kap, po = kappa(pa, pb)
        print(f"| all kinds pooled (label decisions) | {sum(pa)} | {sum(pb)} | {po:.3f} | {kap:.3f} |")
        a = [bool(x & set(PROBLEMS)) for x in A]; b = [bool(y & set(PROBLEMS)) for y in B]
        kap, po = kappa(a, b)
        print(f"| any problem vs none | {sum(a)} | {sum(b)} | {po:.3f} | {kap:.3f} |")
        a = [not x for x in A]; b = [not y for y in B]
        kap, po = kappa(a, b)
        print(f"| clean | {sum(a)} | {sum(b)} | {po:.3f} | {kap:.3f} |")
        print(f"exact label-set match: {sum(x == y for x, y in zip(A, B))}/{len(A)}")
    elif cmd == "sampleverify":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
        seed = int(sys.argv[3]) if len(sys.argv) > 3 else 100
        pick = random.Random(seed).sample(range(len(sents)), n)
        with open(os.path.join(REAL, "verify_sample" + sfx + ".tsv"), "w", encoding="utf-8") as f:
            for k, i in enumerate(pick):
                s = sents[i]
                f.write(f"{k}\t{s['source']}\t{srcs[s['source']]['url']}\t{s['text']}\n")
        print(f"wrote {n} (seed {seed})")
    elif cmd == "verifysummary":
        rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(REAL, "verify_log" + sfx + ".tsv"), encoding="utf-8") if l.strip() and not l.startswith("#")]
        hits = sum(r[1] == "hit" for r in rows)
        print(f"checked {len(rows)}, word-for-word hits {hits}, rate {hits/len(rows):.3f}")
        for r in rows:
            if r[1] != "hit":
                print("  not a hit:", r)
    elif cmd == "stats":
        c = collections.Counter(l for s in sents for l in s["labels"])
        print(f"sentences {len(sents)}; distinct texts {len(set(s['text'] for s in sents))}")
        print(f"clean {sum(s['clean'] for s in sents)}; with a problem {sum(any(l in PROBLEMS for l in s['labels']) for s in sents)}")
        print(f"said to a partner {sum(s['to_partner'] for s in sents)}; not {sum(not s['to_partner'] for s in sents)}")
        for k in ORDER:
            print(f"  {k}: {c[k]}")
        used = {s['source'] for s in sents}
        print(f"sources {len(used)}; distinct domains {len({urlparse(srcs[i]['url']).netloc.removeprefix('www.') for i in used})}")
        kinds = collections.Counter(srcs[i]['kind'] for i in used)
        for k, v in kinds.most_common():
            print(f"  source kind {k}: {v}")
    else:
        sys.exit(__doc__)

if __name__ == "__main__":
    main()
