# Shared by scripts/dev, scripts/test and scripts/bench. Sourced, not run.
# shellcheck shell=bash

set -euo pipefail

PITSTOP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the C libraries (and PostgreSQL server binaries when a local cluster is wanted) that
# a fresh Debian machine lacks: with apt-get as root, otherwise by printing the command to run.
ensure_packages() {
  local want=(libpq-dev libmicrohttpd-dev libssl-dev libcurl4-openssl-dev pkg-config) missing=()
  [ -n "${DATABASE_URL:-}${TEST_DATABASE_URL:-}" ] || want+=(postgresql)
  for package in "$@" "${want[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  else
    die "missing packages; run: sudo apt-get install -y ${missing[*]}"
  fi
}

# Runs a PostgreSQL tool as the cluster's OS user: postgres when we are root (PostgreSQL refuses
# to run as root), ourselves otherwise.
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# cluster_dir NAME: where the throwaway cluster NAME (dev-pg, test-pg, bench-pg) lives. Normally
# .pitstop/NAME in the clone. As root the cluster runs as the postgres user, which cannot reach a
# clone under a private directory (root's home is 0700 on Debian, so is a `mktemp -d` folder):
# then it lives in /var/tmp/pitstop-<hash of the clone's path>/NAME, owned by postgres, so each
# clone keeps a cluster of its own.
cluster_dir() {
  local name=$1
  mkdir -p "$PITSTOP_ROOT/.pitstop"
  if [ "$(id -u)" -ne 0 ] || runuser -u postgres -- test -x "$PITSTOP_ROOT/.pitstop" 2>/dev/null; then
    echo "$PITSTOP_ROOT/.pitstop/$name"
    return
  fi
  local home
  home="/var/tmp/pitstop-$(printf %s "$PITSTOP_ROOT" | sha256sum | cut -c1-12)"
  install -d -o postgres -g postgres -m 700 "$home"
  echo "$home/$name"
}

# start_cluster DIR PORT: creates (or reuses) a throwaway cluster in DIR listening on loopback
# only, with trust authentication, and starts it. The superuser is pitstop_owner.
start_cluster() {
  local dir port=$2
  dir=$(realpath -m "$1")
  [ -x "$PG_BIN/initdb" ] || die "PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin); install postgresql"
  mkdir -p "$(dirname "$dir")"
  if [ ! -f "$dir/PG_VERSION" ]; then
    say "creating a PostgreSQL cluster in $dir"
    if [ "$(id -u)" -eq 0 ]; then install -d -o postgres -g postgres -m 700 "$dir"; else install -d -m 700 "$dir"; fi
    as_pg_user "$PG_BIN/initdb" -D "$dir" -U pitstop_owner --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! as_pg_user "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_pg_user "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c shared_buffers=256MB" start >/dev/null \
      || { tail -n 5 "$dir/server.log" >&2; die "PostgreSQL did not start; see $dir/server.log (port $port busy? set PITSTOP_DEV_PG_PORT / PITSTOP_TEST_PG_PORT)"; }
  fi
}

stop_cluster() {
  as_pg_user "$PG_BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}

# create_database URL NAME: creates database NAME through the maintenance database at URL.
create_database() {
  local url=$1 name=$2
  # psql interpolates :'name' only in scripts read from stdin, not in -c.
  echo "SELECT 1 FROM pg_database WHERE datname = :'name'" \
    | "$PG_BIN/psql" "$url" -qAtX -v ON_ERROR_STOP=1 -v name="$name" | grep -q 1 && return 0
  echo 'CREATE DATABASE :"name"' | "$PG_BIN/psql" "$url" -qAtX -v ON_ERROR_STOP=1 -v name="$name"
}
