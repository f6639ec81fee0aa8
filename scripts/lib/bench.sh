# Sourced by scripts/bench-server and scripts/soak: starting a release server on
# loopback, seeding a couple, and reading a process's CPU time and memory.

target_dir=${CARGO_TARGET_DIR:-target}
# REKINDLE_BENCH_PROFILE=debug: try the scripts on a debug build (the figures mean nothing then);
# REKINDLE_BENCH_SKIP_BUILD=1: use the binaries already built.
profile=${REKINDLE_BENCH_PROFILE:-release}
if [ "$profile" = debug ]; then cargo_profile=(); else cargo_profile=(--release); fi
load=$target_dir/$profile/rekindle-loadgen
seed_year=$target_dir/$profile/examples/seed_year
clk_tck=$(getconf CLK_TCK)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# CPU time (utime + stime, in clock ticks) of the given processes, summed.
cpu_ticks() {
  local total=0 pid f
  for pid in "$@"; do
    f=$(cut -d')' -f2- "/proc/$pid/stat" 2>/dev/null) || continue
    # After "pid (comm)": field 3 is state, so utime and stime are the 12th and 13th here.
    total=$((total + $(awk '{print $12 + $13}' <<<"$f")))
  done
  echo "$total"
}

# The processes of the throwaway PostgreSQL cluster (postmaster and its children).
pg_pids() {
  [ -n "${pgdir:-}" ] && [ -f "$pgdir/data/postmaster.pid" ] || return 0
  local pm; pm=$(head -1 "$pgdir/data/postmaster.pid")
  echo "$pm"; pgrep -P "$pm" || true
}

# CPU time of the whole cluster: its living processes, plus what the postmaster
# reaped from children that ended (cutime + cstime), so a backend that exits
# during a run still counts.
pg_cpu_ticks() {
  [ -n "${pgdir:-}" ] && [ -f "$pgdir/data/postmaster.pid" ] || { echo 0; return; }
  local pm f reaped; pm=$(head -1 "$pgdir/data/postmaster.pid")
  f=$(cut -d')' -f2- "/proc/$pm/stat" 2>/dev/null) || { echo 0; return; }
  reaped=$(awk '{print $14 + $15}' <<<"$f")
  echo $(( $(cpu_ticks $(pg_pids)) + reaped ))
}

rss_mib() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# Signs up through the form and prints the session cookie.
seed_couple() {
  local base=$1 jar; jar=$(mktemp)
  local csrf
  csrf=$(curl -s -c "$jar" -b "$jar" "$base/signup" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')
  curl -s -o /dev/null -c "$jar" -b "$jar" "$base/signup" \
    --data-urlencode "_csrf=$csrf" --data-urlencode "email=bench@example.org" \
    --data-urlencode "display_name=Bench" --data-urlencode "password=correct horse battery" \
    --data-urlencode "time_zone=Europe/Berlin"
  csrf=$(curl -s -c "$jar" -b "$jar" "$base/settings" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//;s/"$//')
  curl -s -o /dev/null -c "$jar" -b "$jar" "$base/space" --data-urlencode "_csrf=$csrf"
  # The partner joins through the API.
  local token code
  curl -s -o /dev/null "$base/api/v1/accounts" -H 'content-type: application/json' \
    -d '{"email":"partner@example.org","password":"correct horse battery","display_name":"Partner"}'
  token=$(curl -s "$base/api/v1/auth/token" -H 'content-type: application/json' \
    -d '{"email":"partner@example.org","password":"correct horse battery"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  # The invitation page redirects and shows the link once (a short-lived cookie), so follow it.
  curl -s -L -c "$jar" -b "$jar" "$base/space/invitations" --data-urlencode "_csrf=$csrf" -o "$jar.html"
  code=$(grep -o '/join/[A-Za-z0-9_-]*' "$jar.html" | head -1 | sed 's|/join/||')
  curl -s -o /dev/null -X POST "$base/api/v1/invitations/$code/accept" -H "authorization: Bearer $token"
  awk '$6 == "rk_session" { print $7 }' "$jar"
  rm -f "$jar" "$jar.html"
}

# start_server BIN DATA_DIR DB_URL(or empty) → sets server_pid and base.
start_server() {
  local bin=$1 data=$2 db=${3:-} port; port=$(free_port)
  local extra=()
  [ -n "$db" ] && extra=(--database-url "$db")
  [ -z "${REKINDLE_BENCH_FRESH:-}" ] || extra+=(--no-kept-reads)
  RUST_LOG=warn "$bin" serve --listen "127.0.0.1:$port" --data-dir "$data" --auth-attempts-per-ip 100000 \
    --auth-failures-per-account 100000 "${extra[@]}" >/dev/null 2>&1 &
  server_pid=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 200); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "the server did not start" >&2; return 1
}

stop_server() { kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }

# A fresh database on the throwaway cluster; prints its URL.
fresh_pg_db() {
  local name=$1
  pg_as "$pgbin/psql" -q -h "$pgdir" -p "$pgport" -U postgres -d postgres -c "CREATE DATABASE $name" >/dev/null
  echo "postgres://postgres@127.0.0.1:$pgport/$name"
}
