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

# Runs a server program in the background until it has exited, passing SIGTERM and SIGINT on to it as the signal
# given first (SIGINT: the postmaster's fast shutdown; SIGTERM for initdb, which then removes what it wrote); sets
# status and stop_requested. A background program starts with SIGINT ignored until it sets its own handler, so a
# SIGINT that early is lost; SIGTERM is not.
stop_requested=0
supervise() {
  stop_signal=$1
  shift
  "${as_server[@]}" "$@" &
  child=$!
  trap 'stop_requested=1; kill "-$stop_signal" "$child" 2>/dev/null || true' TERM INT
  status=0
  # wait returns early when a trapped signal arrives: wait again until the program has really exited.
  while kill -0 "$child" 2>/dev/null; do
    wait "$child" && status=0 || status=$?
  done
  trap - TERM INT
}

# A first start killed outright (SIGKILL) left its password file: the superuser's password, on disk.
rm -f "$(dirname "$datadir")"/.pwfile.*
if [ ! -f "$datadir/PG_VERSION" ]; then
  # initdb wants an empty data directory: the password file waits beside it, and goes however initdb ends.
  pwfile=$(mktemp -p "$(dirname "$datadir")" .pwfile.XXXXXX)
  trap 'rm -f "$pwfile"' EXIT
  # Until initdb runs, a stop ends the script through its EXIT trap, not by the signal, which would skip the trap.
  trap 'exit 143' TERM INT
  printf '%s' "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}" >"$pwfile"
  [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$pwfile"
  supervise TERM "$bindir/initdb" -D "$datadir" -U postgres --auth=scram-sha-256 --pwfile="$pwfile" \
    -E UTF8 --locale=C.UTF-8 -N >/dev/null
  rm -f "$pwfile"
  trap - EXIT
  if [ "$stop_requested" -eq 1 ]; then
    exit 143
  fi
  if [ "$status" -ne 0 ]; then
    echo "initdb failed for $datadir" >&2
    exit 1
  fi
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

supervise INT "$bindir/postgres" -D "$datadir" -p "$port" -c listen_addresses=127.0.0.1 -c "unix_socket_directories=$datadir" "$@"
exit "$status"
