# Shared helpers for the scripts in this folder. Sourced, never run.
# shellcheck shell=bash
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$REPO_ROOT/.venv"
# The local fleet and molecule share these names so a newcomer can find them in `docker ps`.
IMAGE_PREFIX=${IMAGE_PREFIX:-djstack}
APT_CACHE_PORT=3142

die() { echo "ERROR: $*" >&2; exit 1; }
say() { echo "==> $*"; }

# One clear message per missing prerequisite, before anything is changed.
require_root_or_docker_group() {
  if [ "$(id -u)" -ne 0 ] && ! id -nG | grep -qw docker; then
    die "this needs root (to install docker.io and mmdebstrap) or membership of the docker group with both already installed. Run it with sudo, or: sudo apt-get install docker.io mmdebstrap && sudo usermod -aG docker $USER"
  fi
}

require_disk() { # require_disk PATH GIB
  local avail_kb
  avail_kb=$(df -Pk "$1" | awk 'NR==2 {print $4}')
  [ "$avail_kb" -ge $(( $2 * 1024 * 1024 )) ] || \
    die "only $(( avail_kb / 1024 / 1024 )) GiB free under $1; the images, fleet and caches need about $2 GiB. Free some space and run again."
}

apt_install_missing() { # apt_install_missing PKG...
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages: ${missing[*]}. Install them as root: apt-get install ${missing[*]}"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_dockerd() {
  if docker info >/dev/null 2>&1; then return 0; fi
  [ "$(id -u)" -eq 0 ] || die "the docker daemon is not running and only root can start it: sudo systemctl start docker (or sudo dockerd &)"
  say "starting dockerd"
  if [ -d /run/systemd/system ]; then
    systemctl start docker
  else
    # No systemd on this controller (a CI container): run the daemon in the background.
    # setsid: its own session, so it outlives the shell (and the job group) that started it.
    setsid nohup dockerd >/var/log/dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && return 0; sleep 1; done
  die "dockerd did not start within 60 s; see /var/log/dockerd.log"
}

# The test fleet's Debian package cache on the controller: nginx as an HTTP proxy for
# deb.debian.org (scripts/apt-cache.conf), so a repeated converge or molecule run downloads nothing
# twice, and concurrent fetches of one file wait for a single download (proxy_cache_lock).
# apt-cacher-ng, used before, answered five hosts refreshing one index at once with an error that
# left one apt hanging for good.
if [ "$(id -u)" -eq 0 ]; then APT_CACHE_DIR=/var/cache/djstack-apt; else APT_CACHE_DIR="$HOME/.cache/djstack-apt"; fi
apt_cache_up() { [ -s "$APT_CACHE_DIR/nginx.pid" ] && kill -0 "$(cat "$APT_CACHE_DIR/nginx.pid")" 2>/dev/null; }
ensure_apt_cache() {
  if ! command -v nginx >/dev/null 2>&1; then
    # Debian's nginx package starts its default site on port 80; this controller needs only the cache.
    local policy=
    if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" -eq 0 ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && policy=1
    fi
    apt_install_missing nginx
    [ -z "$policy" ] || rm -f /usr/sbin/policy-rc.d
  fi
  local resolver conf="$APT_CACHE_DIR/nginx.conf" want
  resolver=$(awk '/^nameserver/ {print $2; exit}' /etc/resolv.conf)
  [ -n "$resolver" ] || die "no nameserver in /etc/resolv.conf: the apt cache must resolve deb.debian.org"
  [[ "$resolver" != *:* ]] || resolver="[$resolver]"
  mkdir -p "$APT_CACHE_DIR"
  want=$(sed -e "s|@CACHE@|$APT_CACHE_DIR|g; s|@PORT@|$APT_CACHE_PORT|g; s|@RESOLVER@|$resolver|g" \
    "$REPO_ROOT/scripts/apt-cache.conf")
  write_conf() {
    printf '%s\n' "$want" >"$conf"
    nginx -t -q -c "$conf" -p "$APT_CACHE_DIR" || die "the apt cache's configuration $conf does not pass nginx -t"
  }
  if apt_cache_up; then
    [ "$(cat "$conf")" = "$want" ] && return 0
    write_conf
    nginx -s reload -c "$conf" -p "$APT_CACHE_DIR"
    return 0
  fi
  if (exec 3<>/dev/tcp/127.0.0.1/$APT_CACHE_PORT) 2>/dev/null; then
    die "port $APT_CACHE_PORT is taken by another program ($(ss -Hltnp "sport = :$APT_CACHE_PORT" | grep -o 'users:.*' | head -1)); the apt cache needs it. An apt-cacher-ng that an earlier djstack started: pkill apt-cacher-ng"
  fi
  say "starting the apt cache (nginx) on port $APT_CACHE_PORT, files in $APT_CACHE_DIR"
  write_conf
  nginx -c "$conf" -p "$APT_CACHE_DIR"
  for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/$APT_CACHE_PORT) 2>/dev/null && return 0; sleep 0.5; done
  die "the apt cache did not start on port $APT_CACHE_PORT; see $APT_CACHE_DIR/error.log"
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed; install python3-venv (apt-get install python3-venv)"
  fi
  local stamp="$VENV/.requirements.sha256" want
  want=$(cat "$REPO_ROOT/requirements-dev.txt" "$REPO_ROOT/app/pyproject.toml" 2>/dev/null | sha256sum | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing controller requirements into $VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -r "$REPO_ROOT/requirements-dev.txt"
    echo "$want" >"$stamp"
  fi
  # shellcheck disable=SC1091
  source "$VENV/bin/activate"
}
