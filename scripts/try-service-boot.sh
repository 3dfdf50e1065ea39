#!/usr/bin/env bash
# A manual trial (not part of npm test) of issue #25's promise: "on a host where Atelier is installed as a service, a
# reboot brings the marked containers up in order with their dependencies met". It needs a real systemd as PID 1,
# so it makes one: a privileged, nesting-enabled LXC container ("outer") running systemd (cgroup2), in a private lxcpath under
# a temporary directory, with no network of its own (lxc.net.0.type = empty: the host's network is never touched).
#   sudo ./scripts/try-service-boot.sh          (needs the internet for debootstrap; ~10 min; log in /root/trial-logs)
# Needs: this checkout built (node_modules and .next, same OS and arch: they are copied in), node 20.9+ with npm on
# the host (copied in as well), lxc, debootstrap.
# Settings: TRIAL_MIRROR (default http://deb.debian.org/debian); TRIAL_BASE=DIR copies an already debootstrapped
# root file system (made with this script's package list) instead of debootstrapping; TRIAL_KEEP=1 keeps the
# temporary directory (stopped); TRIAL_LOG_DIR (default /root/trial-logs).
#
# Inside the outer container: ./scripts/start.sh --service (must need no network: every package is preinstalled),
# then, as root over the local socket, two busybox containers A (order 1) and B (order 2, after A answers on TCP
# port 7000; A's init starts listening only 8 s after it starts). Then `systemctl reboot`, and the checks: the panel
# active, A and B RUNNING, the boot routine's lines in order (B waited for A's port), then `systemctl poweroff` and
# the previous boot's journal: `atelier boot stop --all` stopped B, then A; then two more starts of the outer
# container (after the poweroff, and after a hard stop, lxc-stop -k) start A and B again. Everything is removed at
# the end (the outer container, its lxcpath and root file system), also on failure or interruption.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=$(pwd -P)

MIRROR=${TRIAL_MIRROR:-http://deb.debian.org/debian}
LOG_DIR=${TRIAL_LOG_DIR:-/root/trial-logs}
NAME=atelier-trial
A_PORT=7000
PACKAGES=systemd,systemd-sysv,dbus,lxc,lxc-templates,uidmap,busybox-static,iproute2,util-linux,nftables,dnsmasq-base,acl,rsync,xz-utils,ca-certificates,debootstrap,debian-archive-keyring,procps,python3,make,g++,curl,openssl,iputils-ping

mkdir -p "$LOG_DIR"
LOG=$LOG_DIR/service-boot-$(date -u +%Y%m%dT%H%M%SZ).log
exec > >(tee -a "$LOG") 2>&1
say() { printf '[trial %s] %s\n' "$(date -u +%T)" "$*"; }
FAILURES=0
pass() { say "PASS: $*"; }
fail() {
  say "FAIL: $*"
  FAILURES=$((FAILURES + 1))
}

[ "$(id -u)" = 0 ] || { say "run this as root"; exit 1; }
for program in lxc-start lxc-attach debootstrap node npm; do
  command -v "$program" >/dev/null || { say "$program is needed"; exit 1; }
done
[ -f .next/BUILD_ID ] && [ -d node_modules ] || { say "build this checkout first (npm ci, npx next build)"; exit 1; }
# start.sh rebuilds when a source is newer than the build (setup.sh's build_if_needed): it should not have to.
[ -z "$(find app components server prisma package-lock.json next.config.ts -newer .next/BUILD_ID -print -quit)" ] ||
  { say "the build is older than the sources: npx next build first"; exit 1; }

WORK=$(mktemp -d /var/tmp/atelier-trial.XXXXXX)
chmod 0755 "$WORK"
LXCPATH=$WORK/lxc
ROOTFS=$WORK/rootfs
mkdir -p "$LXCPATH/$NAME"

cleanup() {
  local status=$? mount
  trap - EXIT INT TERM
  say "cleaning up $WORK"
  if lxc-info -P "$LXCPATH" -n "$NAME" >/dev/null 2>&1; then
    lxc-stop -P "$LXCPATH" -n "$NAME" -k >/dev/null 2>&1 || true
  fi
  [ -f "$WORK/outer-lxc.log" ] && cp "$WORK/outer-lxc.log" "${LOG%.log}.outer-lxc.log" || true
  for mount in $(awk -v root="$WORK" 'index($5, root "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
    umount -l "$mount" 2>/dev/null || true
  done
  if awk -v root="$WORK" 'index($5, root "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
    say "mounts are left under $WORK: not removing it"
  elif [ "${TRIAL_KEEP:-0}" = 1 ]; then
    say "kept $WORK (TRIAL_KEEP=1)"
  else
    rm -rf --one-file-system "$WORK"
  fi
  say "log: $LOG"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the outer container's root file system ---------------------------------------------------------------------
if [ -n "${TRIAL_BASE:-}" ]; then
  say "copying the debootstrapped root file system $TRIAL_BASE"
  cp -a "$TRIAL_BASE" "$ROOTFS"
else
  say "debootstrap bookworm (minbase + what the panel needs) from $MIRROR into $ROOTFS"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
    { tail -30 "$WORK/debootstrap.log"; exit 1; }
fi
echo "$NAME" >"$ROOTFS/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$NAME" >"$ROOTFS/etc/hosts"
# A persistent journal: the shutdown's lines (boot stop) are read from the previous boot's.
mkdir -p "$ROOTFS/var/log/journal"
# No login prompts on the console.
ln -sf /dev/null "$ROOTFS/etc/systemd/system/console-getty.service"
ln -sf /dev/null "$ROOTFS/etc/systemd/system/getty@.service"

say "copying this checkout (with node_modules and .next) to /opt/atelier/app, and node $(node -v) with npm $(npm -v)"
mkdir -p "$ROOTFS/opt/atelier/app"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$ROOTFS/opt/atelier/app"
tar -cf - node_modules .next | tar -xf - -C "$ROOTFS/opt/atelier/app"
# These node_modules are the ones this checkout runs with: setup.sh's stamp says so, also when they were installed
# by hand (npm ci) rather than by setup.sh, so that start.sh does not run npm ci (no network in there).
sha256sum package-lock.json | cut -d' ' -f1 >"$ROOTFS/opt/atelier/app/node_modules/.atelier-lock-sha"
# The copy's directories are new (tar made them): the build is as new as the sources are here (checked above).
touch "$ROOTFS/opt/atelier/app/.next/BUILD_ID"
NODE_BIN=$(readlink -f "$(command -v node)")
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/usr/local/lib/node_modules"
cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"

# --- the outer container --------------------------------------------------------------------------------------
cat >"$LXCPATH/$NAME/config" <<EOF
# try-service-boot.sh: a privileged, nesting-enabled container running systemd, with no network.
lxc.uts.name = $NAME
lxc.rootfs.path = dir:$ROOTFS
lxc.include = /usr/share/lxc/config/debian.common.conf
lxc.include = /usr/share/lxc/config/nesting.conf
lxc.apparmor.profile = unconfined
lxc.mount.auto =
lxc.mount.auto = proc:rw sys:mixed
# cgroup2 only (systemd inside runs in unified mode, as on Debian 12): the cgroup v1 view (cgroup:rw) of a hybrid
# host whose cpu and cpuacct are mounted apart leaves systemd's cpu -> cpu,cpuacct links to an empty directory there,
# and no nested container can start ("Failed to open cpuacct").
lxc.mount.entry = cgroup2 sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,create=dir 0 0
lxc.net.0.type = empty
lxc.init.cmd = /sbin/init
lxc.signal.halt = SIGRTMIN+3
lxc.autodev = 1
EOF

in_outer() {
  lxc-attach -P "$LXCPATH" -n "$NAME" --clear-env \
    --set-var PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --set-var HOME=/root \
    --set-var LANG=C.UTF-8 -- "$@"
}
outer_init_pid() { lxc-info -P "$LXCPATH" -n "$NAME" -p -H 2>/dev/null || true; }

# Waits until the outer container runs systemd that finished booting (running or degraded).
wait_booted() {
  local what=$1 state started
  started=$(date +%s)
  while [ $(($(date +%s) - started)) -lt 180 ]; do
    state=$(in_outer systemctl is-system-running 2>/dev/null || true)
    case "$state" in
      running | degraded)
        say "$what: systemd is $state after $(($(date +%s) - started)) s"
        [ "$state" = degraded ] && in_outer systemctl --failed --no-legend --no-pager || true
        return 0
        ;;
    esac
    sleep 2
  done
  say "$what: systemd did not finish booting in 180 s (state: ${state:-none})"
  in_outer systemctl list-jobs --no-pager || true
  return 1
}

say "starting the outer container ($LXCPATH)"
lxc-start -P "$LXCPATH" -n "$NAME" -d -l INFO -o "$WORK/outer-lxc.log"
wait_booted "first boot" || exit 1
say "boot id seen inside: $(in_outer cat /proc/sys/kernel/random/boot_id)"

# --- the panel as a service -----------------------------------------------------------------------------------
say "inside: ./scripts/start.sh --service"
in_outer timeout 900 bash -c 'cd /opt/atelier/app && ./scripts/start.sh --service' 2>&1 | tee "$WORK/start.log"
grep -qE 'installing system packages|npm ci|npm run build|installing Node' "$WORK/start.log" &&
  fail "start.sh wanted to install or build something" || pass "start.sh --service needed no network (nothing to install or build)"

atelier() { in_outer bash -c 'cd /opt/atelier/app && exec node bin/atelier.js "$@"' atelier "$@"; }
started=$(date +%s)
until atelier ls >/dev/null 2>&1; do
  if [ $(($(date +%s) - started)) -gt 120 ]; then
    fail "the panel did not answer the CLI within 120 s"
    in_outer journalctl -u atelier --no-pager -n 50 || true
    exit 1
  fi
  sleep 3
done
pass "the panel answers (atelier ls) $(($(date +%s) - started)) s after start.sh"
in_outer ip -br addr
in_outer grep -v '^#' /etc/lxc/default.conf

# --- A, B and their autostart ---------------------------------------------------------------------------------
say "creating A and B (busybox) on lxcbr0"
atelier create A --template busybox --bridge lxcbr0 --ip 10.0.3.11/24 --gateway 10.0.3.1
atelier create B --template busybox --bridge lxcbr0 --ip 10.0.3.12/24 --gateway 10.0.3.1
LXC_PATH_INNER=$(in_outer lxc-config lxc.lxcpath)
# A's init (busybox's /etc/inittab runs /etc/init.d/rcS) listens on A_PORT, 8 s after it starts, for good.
in_outer sh -c "cat >>'$LXC_PATH_INNER/A/rootfs/etc/init.d/rcS'" <<EOF
# try-service-boot.sh: A answers on TCP $A_PORT, 8 s after it starts (B must wait for it).
mkdir -p /var/www
(sleep 8; date +%s >/var/listening-since; exec httpd -f -p $A_PORT -h /var/www) &
EOF
in_outer sh -c "cat >>'$LXC_PATH_INNER/B/rootfs/etc/init.d/rcS'" <<'EOF'
# try-service-boot.sh: when B started.
date +%s >/var/started-at
EOF
atelier autostart A on --order 1
atelier autostart B on --order 2 --after A --port "$A_PORT" --timeout 60
atelier autostart

say "a first check that A answers on $A_PORT once started (then stopped again)"
atelier start A
sleep 10
if in_outer curl -s -o /dev/null -m 5 "http://10.0.3.11:$A_PORT/"; then pass "A answers on $A_PORT"; else
  fail "A does not answer on $A_PORT"
  in_outer lxc-ls -f || true
fi
atelier stop A

# --- the reboot -----------------------------------------------------------------------------------------------
before=$(outer_init_pid)
say "inside: systemctl reboot (init pid $before)"
in_outer systemctl reboot || true
started=$(date +%s)
while :; do
  now=$(outer_init_pid)
  [ -n "$now" ] && [ "$now" != "$before" ] && break
  if [ $(($(date +%s) - started)) -gt 120 ]; then
    fail "the outer container did not come back within 120 s of the reboot"
    lxc-info -P "$LXCPATH" -n "$NAME" || true
    exit 1
  fi
  sleep 1
done
say "the outer container is back (init pid $now) $(($(date +%s) - started)) s after the reboot"
wait_booted "after the reboot" || fail "systemd did not finish booting after the reboot"
say "boot id seen inside: $(in_outer cat /proc/sys/kernel/random/boot_id)"

say "journal of this boot: the boot start"
in_outer journalctl -b -o short-precise --no-pager -u lxc.service -u atelier-boot.service | tee "$WORK/boot-start.log"
[ "$(in_outer systemctl is-active atelier.service)" = active ] && pass "atelier.service is active" ||
  fail "atelier.service is $(in_outer systemctl is-active atelier.service)"
for container in A B; do
  state=$(in_outer lxc-info -n "$container" -s -H 2>/dev/null || true)
  [ "$state" = RUNNING ] && pass "$container is RUNNING after the reboot" || fail "$container is ${state:-unknown} after the reboot"
done
line_of() { grep -nF -- "$1" "$WORK/boot-start.log" | head -1 | cut -d: -f1; }
a_started=$(line_of "A: started")
b_waiting=$(line_of 'B: waiting for "A"')
b_answers=$(line_of 'B: "A" answers')
b_started=$(line_of "B: started")
if [ -n "$a_started" ] && [ -n "$b_waiting" ] && [ -n "$b_answers" ] && [ -n "$b_started" ] &&
  [ "$a_started" -lt "$b_waiting" ] && [ "$b_waiting" -lt "$b_answers" ] && [ "$b_answers" -lt "$b_started" ]; then
  pass "boot start: A started, B waited for A's port, then B started (journal lines $a_started < $b_waiting < $b_answers < $b_started)"
else
  fail "boot start's lines are missing or out of order (A started: $a_started, B waiting: $b_waiting, answers: $b_answers, B started: $b_started)"
fi
listening=$(in_outer cat "$LXC_PATH_INNER/A/rootfs/var/listening-since" 2>/dev/null || true)
b_at=$(in_outer cat "$LXC_PATH_INNER/B/rootfs/var/started-at" 2>/dev/null || true)
say "A listening since $listening, B's init ran at $b_at (epoch seconds)"
if [ -n "$listening" ] && [ -n "$b_at" ] && [ "$b_at" -ge "$listening" ]; then
  pass "B's init ran after A listened on $A_PORT"
else
  fail "B's init ($b_at) did not run after A listened ($listening)"
fi

# --- the shutdown ---------------------------------------------------------------------------------------------
say "inside: systemctl poweroff"
in_outer systemctl poweroff || true
started=$(date +%s)
until [ "$(lxc-info -P "$LXCPATH" -n "$NAME" -s -H 2>/dev/null)" = STOPPED ]; do
  if [ $(($(date +%s) - started)) -gt 180 ]; then
    fail "the outer container did not stop within 180 s of the poweroff"
    lxc-stop -P "$LXCPATH" -n "$NAME" -k || true
    break
  fi
  sleep 1
done
say "the outer container stopped $(($(date +%s) - started)) s after the poweroff"
say "the last boot's journal (read from the stopped root file system): the boot stop"
chroot "$ROOTFS" journalctl -D /var/log/journal -b 0 -o short-precise --no-pager -u lxc.service -u atelier-boot.service |
  tee "$WORK/boot-stop.log" || true
b_stopped=$(grep -nF "B: stopped" "$WORK/boot-stop.log" | tail -1 | cut -d: -f1)
a_stopped=$(grep -nF "A: stopped" "$WORK/boot-stop.log" | tail -1 | cut -d: -f1)
if grep -qF "in reverse order: B, A" "$WORK/boot-stop.log" && [ -n "$b_stopped" ] && [ -n "$a_stopped" ] &&
  [ "$b_stopped" -lt "$a_stopped" ]; then
  pass "boot stop --all at the poweroff stopped B, then A"
else
  fail "boot stop's lines are missing or out of order (B stopped: $b_stopped, A stopped: $a_stopped)"
fi

# --- a hard stop: no shutdown ran (boot stop never cleared its record of the boot) --------------------------------
# `atelier boot start` does nothing twice in one boot (it records the boot id): a container's boot id must be new at
# each start of it (liblxc gives each start its own), or a hard stop would keep the next boot from starting anything.
start_and_check() {
  local what=$1 container state
  lxc-start -P "$LXCPATH" -n "$NAME" -d -l INFO -o "$WORK/outer-lxc.log"
  wait_booted "$what" || { fail "systemd did not finish booting ($what)"; return 0; }
  say "boot id seen inside: $(in_outer cat /proc/sys/kernel/random/boot_id)"
  in_outer journalctl -b -o short-precise --no-pager -u lxc.service | grep -F 'node[' || true
  for container in A B; do
    state=$(in_outer lxc-info -n "$container" -s -H 2>/dev/null || true)
    [ "$state" = RUNNING ] && pass "$container is RUNNING ($what)" || fail "$container is ${state:-unknown} ($what)"
  done
}
say "starting the outer container again (after the clean poweroff)"
start_and_check "start after the poweroff"
say "lxc-stop -k: a hard stop of the outer container, no shutdown"
lxc-stop -P "$LXCPATH" -n "$NAME" -k
start_and_check "start after a hard stop"
lxc-stop -P "$LXCPATH" -n "$NAME" -k

if [ "$FAILURES" -eq 0 ]; then say "ALL PASSED"; else say "$FAILURES check(s) FAILED"; fi
[ "$FAILURES" -eq 0 ]
