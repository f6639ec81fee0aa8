"""vaderSentiment over every line of a file, one JSON object per line on stdout: the Python
side of the whole-process comparison (startup, reading, scoring and writing all counted)."""
import json
import sys

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

a = SentimentIntensityAnalyzer()
out = sys.stdout
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if line.strip():
            out.write(json.dumps({"text": line, "scores": a.polarity_scores(line)}) + "\n")
