#!/usr/bin/env bash
# Tries the README's first command on a fresh Debian 12: debootstraps a minimal bookworm (--variant=minbase) from
# deb.debian.org into a temporary directory, copies this checkout in (its files, not node_modules, .next or .git),
# runs ./scripts/start.sh in a chroot of it, and checks that the panel answers on its port. Everything is removed
# afterwards (processes, mounts, the directory), also when a step fails or the run is interrupted.
#   sudo ./scripts/try-fresh-debian.sh 2>&1 | tee fresh.log     (needs debootstrap, curl, and the internet: ~20-40 min)
# Settings: FRESH_PORT (default 3999), FRESH_TIMEOUT (seconds for start.sh to serve, default 3600),
# FRESH_MIRROR (default http://deb.debian.org/debian), FRESH_KEEP=1 keeps the directory (not the mounts) to look at.
#
# The chroot shares this host's network (it needs Debian's mirror and the npm registry): the panel listens on
# 127.0.0.1:FRESH_PORT (plain HTTP, as Atelier serves on loopback), and start.sh creates LXC's bridge (lxcbr0) on
# the host when it is missing, as it would on a fresh machine; a bridge this run created is deleted at the end. A
# policy-rc.d in the chroot keeps the packages' services (lxc-net, dnsmasq) from starting there: they would start on
# the host's network. Then the service's part: see below.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${FRESH_PORT:-3999}
TIMEOUT=${FRESH_TIMEOUT:-3600}
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
say() { printf '\033[1m[fresh]\033[0m %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "run this as root (debootstrap, chroot, mounts)"; exit 1; }
command -v debootstrap >/dev/null || { say "debootstrap is needed: apt-get install debootstrap"; exit 1; }
if curl -ks -o /dev/null "https://127.0.0.1:$PORT/" || curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  say "something already answers on port $PORT: choose another with FRESH_PORT"
  exit 1
fi

ROOT=$(mktemp -d /var/tmp/atelier-fresh.XXXXXX)
# The chroot's / : mktemp's 0700 would keep every user but root out of the whole tree (the web tier's user, apt's).
chmod 0755 "$ROOT"
BRIDGE_EXISTED=0
ip link show lxcbr0 >/dev/null 2>&1 && BRIDGE_EXISTED=1
RUNNER=""
PANEL_URL=""

# The processes whose root is the chroot (start.sh, the launcher, the helper, the web tier), by id.
chroot_pids() {
  local proc
  for proc in /proc/[0-9]*; do
    [ "$(readlink "$proc/root" 2>/dev/null)" = "$ROOT" ] && echo "${proc#/proc/}"
  done
  return 0
}

cleanup() {
  local status=$? pids round
  trap - EXIT INT TERM
  say "cleaning up $ROOT"
  [ -n "$RUNNER" ] && kill "$RUNNER" 2>/dev/null || true
  for round in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(chroot_pids)
    [ -z "$pids" ] && break
    # shellcheck disable=SC2086
    if [ "$round" -lt 6 ]; then kill $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
    sleep 1
  done
  # Every mount under the chroot, deepest first (proc, sys, dev and what the helper may have mounted below them).
  local mount
  for mount in $(awk -v root="$ROOT" '$5 == root || index($5, root "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$mount" 2>/dev/null || true
  done
  if awk -v root="$ROOT" 'index($5, root) == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    say "mounts are left under $ROOT: not removing it"
  elif [ "${FRESH_KEEP:-0}" = 1 ]; then
    say "kept $ROOT (FRESH_KEEP=1)"
  else
    rm -rf --one-file-system "$ROOT"
  fi
  if [ "$BRIDGE_EXISTED" = 0 ] && ip link show lxcbr0 >/dev/null 2>&1; then
    say "deleting the bridge lxcbr0 this run created"
    ip link delete lxcbr0 || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "debootstrap --variant=minbase bookworm into $ROOT ($MIRROR)"
started=$(date +%s)
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
  { tail -30 "$ROOT.debootstrap.log" >&2; rm -f "$ROOT.debootstrap.log"; exit 1; }
rm -f "$ROOT.debootstrap.log"
say "debootstrap done in $(($(date +%s) - started)) s"

# The checkout's own files (tracked, or new and not ignored), as they are in this working tree.
mkdir -p "$ROOT/root/atelier"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$ROOT/root/atelier"
rm -rf "$ROOT/root/atelier/node_modules" "$ROOT/root/atelier/.next"

cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf '#!/bin/sh\n# try-fresh-debian.sh: no service starts in this chroot (it shares the host network).\nexit 101\n' \
  >"$ROOT/usr/sbin/policy-rc.d"
chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
# A host whose TLS goes through an intercepting proxy trusts its CA locally (/usr/local/share/ca-certificates): the
# chroot trusts the same (update-ca-certificates takes them in when start.sh installs ca-certificates), and so does
# Node, which reads only its own list otherwise (NODE_EXTRA_CA_CERTS). Not needed, and not done, without such CAs.
EXTRA_ENV=()
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  say "trusting the host's local CAs in the chroot too: $(cd /usr/local/share/ca-certificates && echo *.crt)"
  mkdir -p "$ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
  EXTRA_ENV+=(NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt)
fi
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --make-rslave "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"
mount --make-rslave "$ROOT/dev"
mount -t tmpfs tmpfs "$ROOT/run"

# Waits until the panel answers on PORT (any HTTP status) while the process RUNNER lives: WHAT names it in messages.
wait_for_panel() {
  local what=$1 limit=$2 started code status
  started=$(date +%s)
  while [ $(($(date +%s) - started)) -lt "$limit" ]; do
    if ! kill -0 "$RUNNER" 2>/dev/null; then
      wait "$RUNNER" && status=0 || status=$?
      say "FAILED: $what ended (exit $status) before the panel answered, after $(($(date +%s) - started)) s"
      exit 1
    fi
    # HTTPS, or plain HTTP: the panel serves that on loopback (HOST=127.0.0.1) without a certificate of its own.
    for url in "https://127.0.0.1:$PORT/" "http://127.0.0.1:$PORT/"; do
      code=$(curl -ks -o /dev/null -w '%{http_code}' "$url" 2>/dev/null || true)
      if [ -n "$code" ] && [ "$code" != 000 ]; then
        say "OK: the panel answered HTTP $code on $url $(($(date +%s) - started)) s after $what began"
        PANEL_URL=$url
        return 0
      fi
    done
    sleep 5
  done
  say "FAILED: the panel did not answer on port $PORT within $limit s of $what"
  exit 1
}

# Stops every process of the chroot (by id) and waits until they are gone.
stop_chroot() {
  local pids round
  for round in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
    pids=$(chroot_pids)
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086
    if [ "$round" -lt 10 ]; then kill $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
    sleep 1
  done
}

CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
say "running ./scripts/start.sh in the chroot (PORT=$PORT HOST=127.0.0.1; up to $TIMEOUT s)"
chroot "$ROOT" /usr/bin/env -i HOME=/root TERM=dumb PATH=$CLEAN_PATH \
  PORT="$PORT" HOST=127.0.0.1 "${EXTRA_ENV[@]}" /bin/bash -c 'cd /root/atelier && exec ./scripts/start.sh' &
RUNNER=$!
wait_for_panel start.sh "$TIMEOUT"
curl -ks "${PANEL_URL}login" | grep -o '<title>[^<]*</title>' | head -1 >&2 || true
chroot "$ROOT" /bin/sh -c 'echo "node on PATH: $(command -v node || echo none)"; /opt/atelier/node/bin/node -v' >&2 || true

# The service's part (no systemd runs in a chroot): `atelier service install` writes its units into the chroot's
# /etc, then atelier.service's command runs as systemd would run it (its Environment= lines, the settings file,
# its WorkingDirectory, nothing else in the environment), and the panel must answer again.
[ "${FRESH_SERVICE:-1}" = 1 ] || exit 0
say "stopping start.sh's panel; atelier service install, then atelier.service's ExecStart as systemd runs it"
kill "$RUNNER" 2>/dev/null || true
stop_chroot
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/opt/atelier/node/bin:$CLEAN_PATH /bin/bash -c \
  'cd /root/atelier && node bin/atelier.js service install && { node bin/atelier.js service status || true; }' >&2
unit="$ROOT/etc/systemd/system/atelier.service"
[ -f "$unit" ] || { say "FAILED: no $unit"; exit 1; }
ls -l "$ROOT/etc/systemd/system/multi-user.target.wants/" "$ROOT/etc/systemd/system/lxc.service.d/" >&2 2>/dev/null || true
printf 'PORT=%s\nHOST=127.0.0.1\n' "$PORT" >>"$ROOT/etc/default/atelier"
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit")
workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
say "ExecStart=$exec_start"
chroot "$ROOT" /usr/bin/env -i "${unit_env[@]}" "${EXTRA_ENV[@]}" /bin/bash -c \
  'set -a; . /etc/default/atelier; set +a; cd "$1" && exec $2' _ "$workdir" "$exec_start" &
RUNNER=$!
wait_for_panel "atelier.service's command" 300
curl -ks "${PANEL_URL}login" | grep -o '<title>[^<]*</title>' | head -1 >&2 || true
say "processes of the chroot: $(for pid in $(chroot_pids); do printf '%s; ' "$(tr '\0' ' ' <"/proc/$pid/cmdline" | cut -c1-90)"; done)"
