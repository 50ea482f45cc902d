#!/usr/bin/env bash
# Manages a private PostgreSQL 15 cluster for development, tests and benchmarks
# (not the system cluster; pg_ctlcluster is not used).
#
# Usage: scripts/embedded-postgres.sh start|stop|status|url [DATA_DIR]
#   start   initdb if needed (with database "sp"), start if stopped, wait until ready;
#           prints the database URL as the last line on stdout (all else goes to stderr)
#   stop    fast shutdown if running
#   status  exit 0 if running, non-zero otherwise
#   url     print postgresql://postgres@127.0.0.1:<port>/sp
# DATA_DIR defaults to <repo>/.data/postgres (see default_data); the unix socket lives in DATA_DIR/../pg-socket.
# Environment: SP_PG_PORT (default 54329); SP_PG_FAST=1 turns off fsync,
# synchronous_commit and full_page_writes (fine for throw-away CI data, never for real data).
# When run as root, the cluster runs as the "postgres" OS user.
set -euo pipefail

pgbin=/usr/lib/postgresql/15/bin
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cmd="${1:-}"
# The default data directory is <repo>/.data/postgres. When root runs this from a checkout the
# postgres user cannot traverse (a clone under /root), it is /var/tmp/sp-adapter-<checksum of the
# repo path>/postgres instead, so the README's run command works wherever the clone lives.
default_data() {
  if [[ "$(id -u)" == 0 ]] && ! runuser -u postgres -- test -x "$repo" 2>/dev/null; then
    echo "/var/tmp/sp-adapter-$(echo -n "$repo" | cksum | cut -d' ' -f1)/postgres"
  else
    echo "$repo/.data/postgres"
  fi
}
data="$(realpath -m "${2:-$(default_data)}")"
sock="$(dirname "$data")/pg-socket"
port="${SP_PG_PORT:-54329}"

log() { echo "embedded-postgres: $*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x "$pgbin/pg_ctl" ]] || die "PostgreSQL 15 not found in $pgbin (run scripts/install-deps.sh)"
(( ${#sock} + 20 < 100 )) || die "socket path $sock is too long; use a shorter DATA_DIR"
cd /   # the postgres user may not be able to read the caller's working directory

# Runs a command as the cluster owner: "postgres" when we are root, else ourselves.
if [[ "$(id -u)" == 0 ]]; then
  as_owner() { runuser -u postgres -- "$@"; }
else
  as_owner() { "$@"; }
fi

is_running() { [[ -f "$data/PG_VERSION" ]] && as_owner "$pgbin/pg_ctl" status -D "$data" >/dev/null 2>&1; }

# Port of the running server (line 4 of postmaster.pid), else the configured one.
current_port() {
  local p=""
  is_running && p="$(sed -n 4p "$data/postmaster.pid" 2>/dev/null || true)"
  echo "${p:-$port}"
}

url() { echo "postgresql://postgres@127.0.0.1:$(current_port)/sp"; }

# Creates DATA_DIR and the socket dir, owned by the cluster owner.
prepare_dirs() {
  umask 022   # parents we create must stay traversable by the postgres user
  mkdir -p "$data" "$sock"
  if [[ "$(id -u)" == 0 ]]; then
    if [[ -f "$data/PG_VERSION" ]]; then
      [[ "$(stat -c %U "$data")" == postgres ]] || die "$data is not owned by the postgres user"
    else
      chown postgres:postgres "$data"
    fi
    chown postgres:postgres "$sock"
    as_owner test -r "$data" -a -w "$data" -a -x "$data" ||
      die "the postgres user cannot reach $data; every parent directory needs o+x (or choose a DATA_DIR under /tmp)"
  fi
  chmod 700 "$data"
}

init_cluster() {
  log "creating cluster in $data"
  # Trust authentication for local sockets and 127.0.0.1: this is a private dev/test
  # cluster listening on the loopback interface only, never a production database.
  as_owner "$pgbin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-instructions >&2
  echo "include_if_exists = 'sp-settings.conf'" >> "$data/postgresql.conf"
}

# Regenerated at every start so SP_PG_PORT / SP_PG_FAST take effect.
write_settings() {
  {
    echo "# Written by scripts/embedded-postgres.sh at each start; edits are lost."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$sock'"
    echo "max_connections = 200"
    echo "shared_buffers = 256MB"
    # Every write touches several indexes keyed by random ids, and the first change of a page
    # after a checkpoint logs the whole page: checkpoints forced by WAL volume (the default
    # 1GB) made a busy server log about 90 page images per referral message. Checkpoints
    # further apart, and page images compressed, keep the WAL a fraction of that.
    echo "max_wal_size = 4GB"
    echo "checkpoint_timeout = 15min"
    if "$pgbin/pg_config" --configure 2>/dev/null | grep -q -- '--with-lz4'; then
      echo "wal_compression = lz4"
    fi
    if [[ "${SP_PG_FAST:-0}" == 1 ]]; then
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
    fi
  } > "$data/sp-settings.conf"
  [[ "$(id -u)" != 0 ]] || chown postgres:postgres "$data/sp-settings.conf"
}

wait_ready() {
  local i
  for ((i = 0; i < 60; i++)); do
    "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres -U postgres && return 0
    sleep 0.5
  done
  die "server did not accept connections within 30 s; see $data/logfile"
}

start() {
  if is_running; then
    log "already running on port $(current_port)"
    [[ "$(current_port)" == "$port" ]] || log "warning: SP_PG_PORT=$port differs from the running port"
    url
    return
  fi
  prepare_dirs
  [[ -f "$data/PG_VERSION" ]] || init_cluster
  write_settings
  log "starting on 127.0.0.1:$port (log: $data/logfile)"
  as_owner "$pgbin/pg_ctl" start -D "$data" -l "$data/logfile" -w -t 30 >&2 ||
    die "pg_ctl start failed; see $data/logfile"
  wait_ready
  local psql=("$pgbin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tA)
  if [[ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'sp'")" != 1 ]]; then
    "${psql[@]}" -c "CREATE DATABASE sp" >&2
    log "created database sp"
  fi
  url
}

stop() {
  if is_running; then
    as_owner "$pgbin/pg_ctl" stop -D "$data" -m fast -w -t 30 >&2
  else
    log "not running"
  fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then log "running on port $(current_port)"; else log "not running"; exit 3; fi ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|url [DATA_DIR]" >&2; exit 2 ;;
esac
