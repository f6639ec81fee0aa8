#!/usr/bin/env bash
# Whole-process speed: `rekindle coach --json` against Python's vaderSentiment over the same
# 40,000 lines, both as whole processes (start-up, reading, analysis, JSON output to a pipe
# that is thrown away), alternated in one run.
#
#   bash crates/coach/bench/vader_compare.sh [RUNS]
#
# COACH_BIN: the coach command to time (default: the `coach_cli` example, which runs the same
# `rekindle_coach::cli::run` as `rekindle coach`; set COACH_BIN="target/release/rekindle coach"
# to time the full binary). The lines are made by make_lines.py (seed 16). vaderSentiment is
# installed from PyPI into a venv under ~/.cache if missing.
#
# BEFORE_BIN: a second coach command (e.g. main's build, in a directory of its own), timed in
# the same runs, in turn with the two others (coach, before, VADER, coach, before, …), so a
# before/after comparison sees the same machine load.
#
# PIN=CPU: run both coach commands pinned to that one processor (`taskset -c CPU`): `coach`
# then analyses on one thread (it uses as many threads as it may run on, at most two), so CPU
# and wall show the single-threaded engine. Unset: two threads where two processors are free.
# CPU time (user + system, all threads) is the engine's own cost; wall time is what a user
# waits. The script prints both, and their medians, separately.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
runs="${1:-5}"
lines="${LINES_FILE:-${TMPDIR:-/tmp}/rekindle-coach-40k.txt}"
venv="${VADER_VENV:-$HOME/.cache/rekindle/vader-venv}"

python3 "$here/make_lines.py" "$lines" 40000 >&2
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import vaderSentiment' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check vaderSentiment
fi
if [ -z "${COACH_BIN:-}" ]; then
  (cd "$root" && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target-coach}" \
    cargo build --quiet --release -p rekindle-coach --example coach_cli)
  COACH_BIN="${CARGO_TARGET_DIR:-$root/target-coach}/release/examples/coach_cli"
fi

# one timed run of a command reading $lines, output to /dev/null; sets WALL and CPU (seconds;
# cpu = user + system time of the process and its threads, from bash's `time`, to the
# millisecond: /usr/bin/time rounds to 10 ms, 5 % of a coach run)
tf="$(mktemp)"; trap 'rm -f "$tf"' EXIT
t() {
  local TIMEFORMAT="%3R %3U %3S"
  { time "$@" < "$lines" > /dev/null 2>&1; } 2> "$tf"
  read -r WALL u s < "$tf"
  CPU=$(echo "$u + $s" | bc -l)
}

pin=()
if [ -n "${PIN:-}" ]; then pin=(taskset -c "$PIN"); fi
threads="up to 2"
if [ -n "${PIN:-}" ]; then threads="1 (pinned to processor $PIN)"; fi
echo "lines: $(wc -l < "$lines") ($lines); coach threads: $threads; load: $(cut -d' ' -f1-3 /proc/loadavg)"
cs=(); vs=(); ccs=(); vcs=(); bs=(); bcs=()
for i in $(seq 1 "$runs"); do
  t "${pin[@]}" $COACH_BIN --json; c=$WALL; cc=$CPU
  if [ -n "${BEFORE_BIN:-}" ]; then
    t "${pin[@]}" $BEFORE_BIN --json; bs+=("$WALL"); bcs+=("$CPU")
    awk -v b="$WALL" -v bc="$CPU" -v i="$i" 'BEGIN { printf "run %d: before %.3f s (cpu %.3f s)\n", i, b, bc }'
  fi
  t "$venv/bin/python" "$here/vader_lines.py" "$lines"; v=$WALL; vc=$CPU
  cs+=("$c"); vs+=("$v"); ccs+=("$cc"); vcs+=("$vc")
  awk -v c="$c" -v v="$v" -v cc="$cc" -v vc="$vc" -v i="$i" 'BEGIN { printf "run %d: coach %.3f s (cpu %.3f s), vader %.3f s (cpu %.3f s), ratio %.1fx wall, %.1fx cpu\n", i, c, cc, v, vc, v / c, vc / cc }'
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mc=$(median "${cs[@]}"); mv=$(median "${vs[@]}"); mcc=$(median "${ccs[@]}"); mvc=$(median "${vcs[@]}")
awk -v c="$mc" -v v="$mv" 'BEGIN { printf "median wall: coach %.3f s (%.1f us/line), vader %.3f s (%.1f us/line), ratio %.1fx\n", c, c * 1e6 / 40000, v, v * 1e6 / 40000, v / c }'
awk -v c="$mcc" -v v="$mvc" 'BEGIN { printf "median cpu:  coach %.3f s (%.1f us/line), vader %.3f s (%.1f us/line), ratio %.1fx\n", c, c * 1e6 / 40000, v, v * 1e6 / 40000, v / c }'
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BEFORE_BIN:-}" ]; then
  mb=$(median "${bs[@]}"); mbc=$(median "${bcs[@]}")
  awk -v c="$mb" -v v="$mv" 'BEGIN { printf "before, median wall: %.3f s, vader / before %.1fx\n", c, v / c }'
  awk -v c="$mbc" -v v="$mvc" -v a="$mcc" 'BEGIN { printf "before, median cpu:  %.3f s, vader / before %.1fx; coach / before %.3f\n", c, v / c, a / c }'
fi
