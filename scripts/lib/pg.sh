# Sourced by scripts: starts a throwaway PostgreSQL cluster on a free loopback port,
# exports PG_URL (an admin URL to its `postgres` database) and removes the cluster
# when the calling script exits.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

pg_as() {
  # initdb refuses to run as root; use the postgres account then.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_throwaway_pg() {
  pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pgbin" ] || ! [ -x "$pgbin/initdb" ]; then
    echo "==> installing PostgreSQL server binaries"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  pgdir=$(mktemp -d /tmp/rekindle-pg.XXXXXX)
  chmod 755 "$pgdir"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$pgdir" postgres
    chown postgres "$pgdir"
  fi
  pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  trap stop_throwaway_pg EXIT
  echo "==> starting a throwaway PostgreSQL on port $pgport"
  pg_as "$pgbin/initdb" -D "$pgdir/data" -A trust -U postgres --no-sync >/dev/null
  pg_as "$pgbin/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w start \
    -o "-p $pgport -k $pgdir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000" >/dev/null
  export PG_URL="postgres://postgres@127.0.0.1:$pgport/postgres"
}

stop_throwaway_pg() {
  [ -n "${pgdir:-}" ] || return 0
  pg_as "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pgdir"
}
