#!/usr/bin/env bash
# Side-by-side speed of Python's vaderSentiment polarity_scores and rekindle-coach's analyze
# (findings + rewrites) on the same messages, in the same run.
#
#   bash crates/coach/bench/vader_compare.sh [MESSAGES_FILE]
#
# Installs vaderSentiment from PyPI into a throwaway venv (outside the repo) if missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
msgs="${1:-$here/messages.txt}"
venv="${VADER_VENV:-${TMPDIR:-/tmp}/rekindle-vader-venv}"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import vaderSentiment' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check vaderSentiment
fi

vader_us=$("$venv/bin/python" - "$msgs" <<'PY'
import sys, time
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
msgs = [l.strip() for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
a = SentimentIntensityAnalyzer()
for m in msgs:
    a.polarity_scores(m)
rounds, t0 = 0, time.perf_counter()
while time.perf_counter() - t0 < 1.5:
    for m in msgs:
        a.polarity_scores(m)
    rounds += 1
print("%.3f" % ((time.perf_counter() - t0) * 1e6 / (rounds * len(msgs))))
PY
)

coach_us=$(cd "$root" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target-coach}" \
  cargo run --quiet --release -p rekindle-coach --example throughput -- "$msgs" | awk '/^us_per_message/ {print $2}')

echo "messages:              $(grep -c . "$msgs") ($msgs)"
echo "vaderSentiment:        ${vader_us} µs/message (polarity_scores)"
echo "rekindle-coach:        ${coach_us} µs/message (analyze: findings + rewrites + pronouns)"
awk -v v="$vader_us" -v c="$coach_us" 'BEGIN { printf "ratio (vader / coach): %.1fx\n", v / c }'
