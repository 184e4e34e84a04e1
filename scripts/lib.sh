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

# apt-cacher-ng on the controller: every host of every run fetches Debian packages through it,
# so a repeated converge or molecule run downloads nothing twice.
# Five hosts refreshing the same stale index at once made it log "Failure to move file ... out of
# the way" and leave one apt hanging. So it holds a fetched index for ten minutes
# (FreshIndexMaxAge, default 27 s), and freshen_apt_indexes fetches each index once before the
# hosts do: then all of them get the same cached copy and none triggers a second download.
APT_CACHE_CONF=/etc/apt-cacher-ng/zz-djstack.conf
APT_CACHE_FRESH_S=600
ensure_apt_cache() {
  apt_install_missing apt-cacher-ng
  local want="# Written by djstack's scripts/lib.sh for the test fleet's cache.
FreshIndexMaxAge: $APT_CACHE_FRESH_S" restart=
  if [ "$(cat "$APT_CACHE_CONF" 2>/dev/null)" != "$want" ]; then
    printf '%s\n' "$want" >"$APT_CACHE_CONF"
    restart=1
  fi
  if (exec 3<>/dev/tcp/127.0.0.1/$APT_CACHE_PORT) 2>/dev/null; then
    [ -n "$restart" ] || return 0
    say "restarting apt-cacher-ng to read $APT_CACHE_CONF"
    if [ -d /run/systemd/system ]; then
      systemctl restart apt-cacher-ng
    else
      kill "$(cat /run/apt-cacher-ng/pid)" 2>/dev/null || true
      for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/$APT_CACHE_PORT) 2>/dev/null || break; sleep 0.5; done
    fi
  fi
  if ! (exec 3<>/dev/tcp/127.0.0.1/$APT_CACHE_PORT) 2>/dev/null; then
    say "starting apt-cacher-ng on port $APT_CACHE_PORT"
    if [ -d /run/systemd/system ]; then
      systemctl start apt-cacher-ng
    else
      mkdir -p /var/cache/apt-cacher-ng /var/log/apt-cacher-ng /run/apt-cacher-ng
      chown apt-cacher-ng:apt-cacher-ng /var/cache/apt-cacher-ng /var/log/apt-cacher-ng /run/apt-cacher-ng 2>/dev/null || true
      # The packaged backend list names ftp.debian.org; point it at deb.debian.org, which apt uses too.
      /usr/sbin/apt-cacher-ng -c /etc/apt-cacher-ng ForeGround=0 pidfile=/run/apt-cacher-ng/pid \
        SocketPath=/run/apt-cacher-ng/socket 'Remap-debrep=file:deb_mirror*.gz /debian ; http://deb.debian.org/debian/'
    fi
    for _ in $(seq 1 20); do (exec 3<>/dev/tcp/127.0.0.1/$APT_CACHE_PORT) 2>/dev/null && return 0; sleep 0.5; done
    die "apt-cacher-ng did not start on port $APT_CACHE_PORT"
  fi
}

freshen_apt_indexes() { # freshen_apt_indexes SUITE...: the InRelease files the hosts' sources name
  local suite url
  for suite in "$@"; do
    for url in "http://deb.debian.org/debian/dists/$suite/InRelease" \
      "http://deb.debian.org/debian/dists/$suite-updates/InRelease" \
      "http://deb.debian.org/debian-security/dists/$suite-security/InRelease"; do
      curl -fsS -o /dev/null --max-time 60 --retry 2 -x "http://127.0.0.1:$APT_CACHE_PORT" "$url" ||
        say "warning: could not fetch $url through apt-cacher-ng; the hosts will try themselves"
    done
  done
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
