#!/bin/bash
# Runs one integration test file's Vitest worker (tests/pool.ts) in an environment of its own, inside the run's
# (scripts/test-env.ts): a new network namespace with loopback and the test bridge, its own sysfs, lxcpath, data,
# import and temporary directories. The namespace is held by a sleeping process whose pid is written next to the lxcpath, so
# that scripts/test-env.ts can stop what a test left running and report it, and then remove everything.
#
# Usage (by tests/pool.ts, as Node's execPath): test-file-env.sh [node options...] <worker entrypoint>
set -eu
: "${ATELIER_TEST_DIR:?run the tests through scripts/test-env.ts}"
: "${ATELIER_TEST_NODE:?started by tests/pool.ts}"
here=$(dirname "$(readlink -f "$0")")

mkdir -p "$ATELIER_TEST_DIR/files"
dir=$(mktemp -d "$ATELIER_TEST_DIR/files/XXXXXX")
mkdir -p "$dir/lxc" "$dir/data" "$dir/imports" "$dir/tmp"
# The web tier (user atelier) traverses to its data directory's web/ and to the lxcpath; TMPDIR is everyone's, as /tmp.
chmod 0711 "$ATELIER_TEST_DIR/files" "$dir" "$dir/lxc" "$dir/data"
chmod 1777 "$dir/tmp"

# The holder keeps none of the worker's descriptors (its IPC channel is descriptor 3).
unshare --net sleep infinity </dev/null >/dev/null 2>&1 3>&- &
holder=$!
echo "$holder" > "$dir/holder"
own=$(readlink /proc/self/ns/net)
for _ in $(seq 200); do
  theirs=$(readlink "/proc/$holder/ns/net" 2>/dev/null || true)
  [ -n "$theirs" ] && [ "$theirs" != "$own" ] && break
  sleep 0.01
done
[ "$(readlink "/proc/$holder/ns/net")" != "$own" ] || { echo "test-file-env: no namespace" >&2; exit 1; }

in_ns() { nsenter --net="/proc/$holder/ns/net" -- "$@"; }
in_ns ip link set lo up
in_ns ip link add "$ATELIER_TEST_BRIDGE" type bridge
in_ns ip addr add "$ATELIER_TEST_BRIDGE_ADDRESS" dev "$ATELIER_TEST_BRIDGE"
in_ns ip link set "$ATELIER_TEST_BRIDGE" up

export ATELIER_LXC_PATH=$dir/lxc ATELIER_DATA_DIR=$dir/data ATELIER_IMPORT_DIRS=$dir/imports
export DATABASE_URL=file:$dir/data/web/atelier.db ATELIER_TEST_NETNS_PATH=/proc/$holder/ns/net
# Its temporary files too (and those of the servers and helpers it starts): what a file leaves there is reported.
export TMPDIR=$dir/tmp
# Its own /etc over the host's (scripts/netns-sysfs.sh): root's subordinate ids start empty.
export ATELIER_TEST_ETC_DIR=$dir/etc
exec nsenter --net="/proc/$holder/ns/net" -- unshare --mount --propagation slave -- \
  "$here/netns-sysfs.sh" "$ATELIER_TEST_NODE" "$@"
