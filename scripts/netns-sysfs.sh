#!/bin/sh
# Runs a command with a sysfs that belongs to the current network namespace while keeping the host's cgroup
# mounts. Called by scripts/test-env.ts inside `nsenter --net=... unshare --mount`.
#
# Why not `ip netns exec`: it remounts /sys and so hides /sys/fs/cgroup; LXC then starts containers with no
# cgroups at all (no freezer, no limits, no usage figures). Why not plain nsenter: LXC looks for bridges in
# /sys/class/net, which would still show the host's interfaces.
set -eu
# No IPv6 in the test namespace: otherwise every container start gives its host-side veth a link-local address,
# Chromium takes that for a network change and aborts whatever a page is loading at that moment
# (net::ERR_NETWORK_CHANGED). The tests use IPv4 only. (/proc/sys/net is this network namespace's own.)
echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6
held=$(mktemp -d /tmp/.atelier-cgroup.XXXXXX)
mount --rbind /sys/fs/cgroup "$held"
mount -t sysfs sysfs /sys
mount --move "$held" /sys/fs/cgroup
rmdir "$held"
# The host's /etc, read through an overlay whose changes stay in the test's own directory: what the tests' helpers
# write there (root's lines in /etc/subuid and /etc/subgid, network files) never reaches the host. Root's
# subordinate ids start empty, as on a fresh Debian, so that each helper gives root its pool as it would there
# (newuidmap, which liblxc uses for unprivileged containers, reads them in this mount namespace).
if [ -n "${ATELIER_TEST_ETC_DIR:-}" ]; then
  # Only ever in a mount namespace of the test's own (never the host's /etc).
  if [ "$(readlink /proc/1/ns/mnt)" = "$(readlink /proc/self/ns/mnt)" ]; then
    echo "netns-sysfs.sh: refusing to lay an overlay over the host's own /etc" >&2
    exit 1
  fi
  mkdir -p "$ATELIER_TEST_ETC_DIR/upper" "$ATELIER_TEST_ETC_DIR/work"
  mount -t overlay overlay \
    -o "lowerdir=/etc,upperdir=$ATELIER_TEST_ETC_DIR/upper,workdir=$ATELIER_TEST_ETC_DIR/work" /etc
  : > /etc/subuid
  : > /etc/subgid
fi
exec "$@"
