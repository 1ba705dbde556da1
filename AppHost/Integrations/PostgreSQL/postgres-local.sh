#!/usr/bin/env bash
# Runs Debian's PostgreSQL for the AppHost: initdb on first start, then the postmaster on 127.0.0.1.
# Usage: postgres-local.sh BINDIR DATADIR PORT [-c setting ...]; the superuser's password comes in POSTGRES_PASSWORD,
# never on a command line. As root, PostgreSQL runs as the 'postgres' user, since it refuses root.
# DCP stops a process with SIGTERM, which is PostgreSQL's "smart" shutdown that waits for pooled clients to leave:
# this script turns it into SIGINT (fast shutdown), and if the script itself is killed the postmaster gets SIGINT too.
set -euo pipefail
bindir=$1 datadir=$2 port=$3
shift 3

as_server=(setpriv --pdeathsig INT)
if [ "$(id -u)" -eq 0 ]; then
  as_server=(setpriv --reuid=postgres --regid=postgres --init-groups --pdeathsig INT)
  mkdir -p "$datadir"
  chown postgres:postgres "$datadir"
fi
mkdir -p "$datadir"
chmod 700 "$datadir"

if [ ! -f "$datadir/PG_VERSION" ]; then
  # initdb wants an empty data directory: the password file waits beside it.
  pwfile=$(mktemp -p "$(dirname "$datadir")" .pwfile.XXXXXX)
  printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}" >"$pwfile"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pwfile"
  if ! "${as_server[@]}" "$bindir/initdb" -D "$datadir" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
      -E UTF8 --locale=C.UTF-8 -N >/dev/null; then
    rm -f "$pwfile"
    echo "initdb failed for $datadir" >&2
    exit 1
  fi
  rm -f "$pwfile"
fi
unset POSTGRES_PASSWORD

# The postmaster of the run before may still be stopping: DCP stops the servers after the AppHost has exited, so a run
# started at once found its lock file and failed. Wait for that process, up to 30 s; PostgreSQL then refuses a
# postmaster that is still running, as before.
if [ -f "$datadir/postmaster.pid" ]; then
  previous=$(head -n 1 "$datadir/postmaster.pid" 2>/dev/null || true)
  for _ in $(seq 1 300); do
    [[ "$previous" =~ ^[0-9]+$ ]] && [ "$previous" != "$$" ] && kill -0 "$previous" 2>/dev/null || break
    sleep 0.1
  done
fi

"${as_server[@]}" "$bindir/postgres" -D "$datadir" -p "$port" -c listen_addresses=127.0.0.1 \
  -c "unix_socket_directories=$datadir" "$@" &
server=$!
trap 'kill -INT "$server" 2>/dev/null || true' TERM INT
status=0
# wait returns early when a trapped signal arrives: wait again until the postmaster has really exited.
while kill -0 "$server" 2>/dev/null; do
  wait "$server" && status=0 || status=$?
done
exit "$status"
