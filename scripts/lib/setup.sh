# Shared by scripts/start.sh and scripts/test.sh: installs what Atelier needs on Debian 12, idempotently.
# shellcheck shell=bash

say() { printf '\033[1m[atelier]\033[0m %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# What the panel needs on the host: LXC and its templates, debootstrap for Debian root filesystems, the uid maps for
# unprivileged containers, Debian's archive keyring (what debootstrap downloads is checked against it), a static
# busybox for the busybox template, iproute2 and util-linux for networking and
# namespaces, dnsmasq-base and nftables for the NAT network (DHCP/DNS and masquerade).
# acl lets the web tier's user traverse to a checkout kept under a private directory (see ensure_app_readable).
PANEL_PACKAGES=(lxc lxc-templates debootstrap debian-archive-keyring uidmap busybox-static iproute2 util-linux xz-utils rsync ca-certificates dnsmasq-base nftables acl)
# What the test suite needs on top: Debian's Chromium for the end-to-end tests, openssl for a throwaway certificate,
# nginx for the reverse-proxy tests (tests/nginx.ts runs it as a child process in the test's own network namespace),
# prometheus for its promtool, which lints the /metrics exposition (tests/integration/prometheus.test.ts).
TEST_PACKAGES=(chromium openssl nginx prometheus)
# Packages whose Debian install would start (and enable) a system service that the tests only need as a program:
# installing nginx must not leave a web server on the host's port 80, nor prometheus a scraper on port 9090. Their
# service is neither started nor enabled.
PROGRAM_ONLY_PACKAGES=(nginx prometheus)

require_root() {
  [ "$(id -u)" = 0 ] || die "run this as root: Atelier manages containers and host networking (sudo $0)"
}

# Node.js: Atelier needs 20.9 or newer (package.json's engines) and npm. Debian 12's own nodejs is 18: when the host
# has none that fits, ensure_node installs a pinned Node 20 from the npm registry (node-linux-<arch>: the official
# binary, headers included; and npm itself), checked against the integrity pinned here (sha512, as npm checks
# package-lock.json's), under ATELIER_NODE_DIR, and puts its bin first in PATH (the service unit runs that node too).
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=9
ATELIER_NODE_DIR=${ATELIER_NODE_DIR:-/opt/atelier/node}
NPM_REGISTRY=https://registry.npmjs.org
PINNED_NODE_VERSION=20.20.2
declare -A PINNED_NODE_INTEGRITY=(
  [x64]=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
  [arm64]=sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==
)
PINNED_NPM_VERSION=10.8.2
PINNED_NPM_INTEGRITY=sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w==
# To download and check those, and to compile the native npm modules (better-sqlite3, node-pty: node-gyp runs python3,
# make and g++ when no prebuilt binary fits); procps for ps and pkill, which the launcher and the scripts use.
NODE_PACKAGES=(curl ca-certificates openssl python3 make g++ procps)

# Whether VERSION (20.9.0, v20.9.0) is 20.9 or newer.
node_version_fits() {
  local version=${1#v} major minor
  major=${version%%.*}
  minor=${version#*.}
  minor=${minor%%.*}
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

# Which Node.js to use, printed: "ours" (the one ensure_node installed, pinned version, complete), "host" (node and
# npm on PATH, 20.9 or newer) or "install" (none fits: install ours).
node_plan() {
  if [ "$(cat "$ATELIER_NODE_DIR/.atelier-node" 2>/dev/null)" = "node $PINNED_NODE_VERSION npm $PINNED_NPM_VERSION" ] &&
    [ -x "$ATELIER_NODE_DIR/bin/node" ]; then
    echo ours
  elif command -v node >/dev/null && command -v npm >/dev/null &&
    node_version_fits "$(node -p 'process.versions.node' 2>/dev/null)"; then
    echo host
  else
    echo install
  fi
}

# The npm registry's architecture name for this machine's, or nothing when Node publishes no binary for it.
node_arch() {
  case "$(uname -m)" in
    x86_64) echo x64 ;;
    aarch64) echo arm64 ;;
  esac
}

# Downloads URL to FILE and checks it against INTEGRITY (sha512-<base64>, the form of npm's dist.integrity).
fetch_verified() {
  local url=$1 file=$2 integrity=$3 actual
  if ! curl -fsSL --retry 3 -o "$file" "$url"; then
    say "error: could not download $url (is registry.npmjs.org reachable?)"
    return 1
  fi
  actual="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    say "error: $url does not match its pinned integrity ($actual, expected $integrity)"
    return 1
  fi
}

# Installs the pinned Node.js and npm under ATELIER_NODE_DIR (replacing what is there, all at once).
install_node() {
  local arch tmp
  arch=$(node_arch)
  [ -n "$arch" ] && [ -n "${PINNED_NODE_INTEGRITY[$arch]:-}" ] ||
    die "no Node.js 20 build for $(uname -m) here: install Node.js 20.9 or newer yourself (nodejs.org), then run this again"
  say "installing Node.js $PINNED_NODE_VERSION and npm $PINNED_NPM_VERSION in $ATELIER_NODE_DIR (the host has no Node.js 20.9 or newer)"
  # Next to its place, so that the last step is a rename on the same file system.
  mkdir -p "${ATELIER_NODE_DIR%/*}"
  tmp=$(mktemp -d "${ATELIER_NODE_DIR%/*}/.node-install.XXXXXX")
  if ! fetch_verified "$NPM_REGISTRY/node-linux-$arch/-/node-linux-$arch-$PINNED_NODE_VERSION.tgz" "$tmp/node.tgz" \
    "${PINNED_NODE_INTEGRITY[$arch]}" ||
    ! fetch_verified "$NPM_REGISTRY/npm/-/npm-$PINNED_NPM_VERSION.tgz" "$tmp/npm.tgz" "$PINNED_NPM_INTEGRITY"; then
    rm -rf "$tmp"
    die "Node.js was not installed"
  fi
  mkdir -p "$tmp/node/lib/node_modules/npm"
  tar -xzf "$tmp/node.tgz" -C "$tmp/node" --strip-components=1 --no-same-owner
  tar -xzf "$tmp/npm.tgz" -C "$tmp/node/lib/node_modules/npm" --strip-components=1 --no-same-owner
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$tmp/node/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$tmp/node/bin/npx"
  rm -f "$tmp/node/package.json"
  echo "node $PINNED_NODE_VERSION npm $PINNED_NPM_VERSION" >"$tmp/node/.atelier-node"
  chmod -R u=rwX,go=rX "$tmp/node"
  rm -rf "$ATELIER_NODE_DIR"
  mv "$tmp/node" "$ATELIER_NODE_DIR"
  rm -rf "$tmp"
}

# Makes a fitting node and npm the first on PATH for the rest of the script, installing ours when needed.
ensure_node() {
  local plan
  plan=$(node_plan)
  if [ "$plan" = install ]; then
    install_packages "${NODE_PACKAGES[@]}"
    install_node
    plan=ours
  else
    # Compilers for the native modules, whichever node builds them.
    install_packages "${NODE_PACKAGES[@]}"
  fi
  if [ "$plan" = ours ]; then
    export PATH="$ATELIER_NODE_DIR/bin:$PATH"
    # node-gyp takes the headers from ours instead of downloading them from nodejs.org.
    export npm_config_nodedir="$ATELIER_NODE_DIR"
  fi
  hash -r
  node_version_fits "$(node -p 'process.versions.node')" || die "Node.js $(node -v) is too old: Atelier needs 20.9 or newer"
}

install_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing system packages: ${missing[*]}"
  apt-get update -q
  local program_only=()
  for package in "${missing[@]}"; do
    if [[ " ${PROGRAM_ONLY_PACKAGES[*]} " == *" $package "* ]]; then program_only+=("$package"); fi
  done
  if [ ${#program_only[@]} -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    return 0
  fi
  # invoke-rc.d and deb-systemd-invoke ask policy-rc.d whether a package's script may start its service: 101 says
  # no. A policy-rc.d already there (a container image's) is the machine's own and stays; ours is removed afterwards,
  # also when the install fails or is interrupted.
  local policy=/usr/sbin/policy-rc.d status=0
  # Ours, left by a run that was killed outright (SIGKILL, a power cut): it would hold every service back for good.
  if grep -q '^# Atelier (scripts/lib/setup.sh)' "$policy" 2>/dev/null; then rm -f "$policy"; fi
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# Atelier (scripts/lib/setup.sh): no service starts while test packages install.\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    trap 'rm -f "$policy"' EXIT
    trap 'rm -f "$policy"; exit 130' INT TERM
  else
    policy=""
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || status=$?
  if [ -n "$policy" ]; then
    rm -f "$policy"
    trap - EXIT INT TERM
  fi
  [ "$status" -eq 0 ] || return "$status"
  # The packages' scripts enabled their service for the next boot: disabled, for systemd and for SysV init alike
  # (an upgrade keeps it disabled). A machine that already had the package installed is left as it was.
  for package in "${program_only[@]}"; do
    say "$package is installed for the tests only: its system service stays disabled"
    if [ -e "/lib/systemd/system/$package.service" ] && command -v systemctl >/dev/null; then
      systemctl disable --quiet "$package.service" >/dev/null 2>&1 || true
    fi
    if [ -x "/etc/init.d/$package" ]; then update-rc.d "$package" disable >/dev/null 2>&1 || true; fi
  done
}

# npm ci when package-lock.json changed since the last install (better-sqlite3 compiles from source: ~2 min).
install_npm_dependencies() {
  local stamp=node_modules/.atelier-lock-sha
  local sha
  sha=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sha" ]; then return 0; fi
  say "installing npm dependencies (npm ci)"
  # Playwright drives Debian's Chromium; it must not try to download browsers of its own.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
  echo "$sha" > "$stamp"
}

# Builds the pages when there is no build yet or a source file is newer than it.
build_if_needed() {
  if [ -f .next/BUILD_ID ] && [ -z "$(find app components server prisma package-lock.json next.config.ts -newer .next/BUILD_ID -print -quit)" ]; then
    return 0
  fi
  say "building the web pages (npm run build)"
  npm run build
}

# The bridge new containers are linked to (lxc.net.0.link of the config they start from) must exist, or every start
# fails with "bridge interface doesn't exist". Create it when it is missing:
# - with systemd, through LXC's own lxc-net service (bridge, DHCP, NAT; persistent across reboots);
# - without systemd, as a plain bridge with LXC's default address, no DHCP, no NAT, until the next reboot.
# Nothing is ever enslaved to it.
ensure_container_bridge() {
  local config=${ATELIER_CONTAINER_CONFIG:-/etc/lxc/default.conf}
  [ -f "$config" ] || return 0
  local bridge
  bridge=$(sed -n 's/^[[:space:]]*lxc\.net\.0\.link[[:space:]]*=[[:space:]]*\([^[:space:]]*\).*/\1/p' "$config" | tail -n 1)
  [ -n "$bridge" ] || return 0
  if ip link show "$bridge" >/dev/null 2>&1; then return 0; fi
  if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && systemctl cat lxc-net.service >/dev/null 2>&1 && [ "$bridge" = lxcbr0 ]; then
    say "bridge $bridge is missing: enabling LXC's lxc-net service (bridge, DHCP and NAT for containers)"
    if grep -q '^USE_LXC_BRIDGE=' /etc/default/lxc-net 2>/dev/null; then
      sed -i 's/^USE_LXC_BRIDGE=.*/USE_LXC_BRIDGE="true"/' /etc/default/lxc-net
    else
      echo 'USE_LXC_BRIDGE="true"' >> /etc/default/lxc-net
    fi
    allow_lxc_net_in_container
    systemctl enable --now lxc-net.service
    ip link show "$bridge" >/dev/null 2>&1 ||
      die "lxc-net did not create the bridge $bridge: see journalctl -u lxc-net (and /etc/default/lxc-net)"
  else
    say "bridge $bridge is missing: creating it with address 10.0.3.1/24 (no DHCP or NAT; not kept across reboots)"
    ip link add "$bridge" type bridge
    ip addr add 10.0.3.1/24 dev "$bridge"
    ip link set "$bridge" up
  fi
}

# Debian's lxc-net.service does not run in an LXC container (ConditionVirtualization=!lxc): on a host that is one
# (a privileged, nesting-enabled container with Atelier inside), `systemctl enable --now` would skip it without a
# word, at every boot too, and no container could start (no bridge). There, a drop-in resets its conditions (an empty
# Condition line resets them all). Any other host is left as it is. ATELIER_LXC_NET_DROP_IN: for the tests.
LXC_NET_DROP_IN=${ATELIER_LXC_NET_DROP_IN:-/etc/systemd/system/lxc-net.service.d/atelier-in-container.conf}
allow_lxc_net_in_container() {
  [ "$(systemd-detect-virt --container 2>/dev/null)" = lxc ] || return 0
  [ -f "$LXC_NET_DROP_IN" ] && return 0
  say "this host is an LXC container: letting LXC's lxc-net run in it (drop-in $LXC_NET_DROP_IN)"
  mkdir -p "$(dirname "$LXC_NET_DROP_IN")"
  printf '%s\n' "# Atelier (scripts/lib/setup.sh): lxc-net runs in this LXC container too (it has the bridge for" \
    "# Atelier's containers); the empty line resets the unit's ConditionVirtualization=!lxc." "[Unit]" \
    "ConditionVirtualization=" >"$LXC_NET_DROP_IN"
  systemctl daemon-reload
}

# The Debian provisioning tests create containers from a cached bookworm root filesystem (LXC's debian template
# cache, LXC_CACHE_PATH), made once here, where Debian's mirror is reachable: the tests themselves run in a network
# namespace that reaches nothing but itself. Kept apart from the host's own cache (/var/cache/lxc).
TEST_LXC_CACHE=/var/cache/atelier-test/lxc
warm_debian_test_cache() {
  [ -d "$TEST_LXC_CACHE/debian/rootfs-bookworm-amd64" ] && return 0
  say "preparing the Debian test cache: debootstrap of bookworm, once (a few minutes)"
  local tmp
  tmp=$(mktemp -d /tmp/atelier-warm.XXXXXX)
  if ! LXC_CACHE_PATH="$TEST_LXC_CACHE" SECURITY_MIRROR=http://deb.debian.org/debian-security \
    lxc-create -P "$tmp" -n warm -t debian -- -r bookworm -a amd64 >"$tmp/log" 2>&1; then
    tail -20 "$tmp/log" >&2
    rm -rf "$tmp"
    die "could not prepare the Debian test cache (is deb.debian.org reachable?)"
  fi
  lxc-destroy -P "$tmp" -n warm -f >/dev/null 2>&1 || true
  rm -rf "$tmp"
}

# The web tier runs as this system user (no login, no home of its own, no capabilities): see docs/architecture.md.
WEB_USER=${ATELIER_USER:-atelier}
ensure_web_user() {
  id -u "$WEB_USER" >/dev/null 2>&1 && return 0
  say "creating the system user $WEB_USER (the web tier runs as it, without root)"
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$WEB_USER"
}

# The web tier reads the application's files (this checkout) as that user. A checkout under a private directory
# (/root, say) is made reachable by an ACL on each directory in the way: traversal only, for that user only.
ensure_app_readable() {
  local app dir
  app=$(pwd -P)
  if setpriv --reuid="$WEB_USER" --regid="$WEB_USER" --clear-groups test -r "$app/package.json" 2>/dev/null; then
    return 0
  fi
  dir=$app
  while [ "$dir" != / ]; do
    if ! setpriv --reuid="$WEB_USER" --regid="$WEB_USER" --clear-groups test -x "$dir" 2>/dev/null; then
      say "letting $WEB_USER traverse $dir (setfacl -m u:$WEB_USER:x), to read the application in $app"
      setfacl -m "u:$WEB_USER:x" "$dir"
    fi
    dir=$(dirname "$dir")
  done
  setpriv --reuid="$WEB_USER" --regid="$WEB_USER" --clear-groups test -r "$app/package.json" ||
    die "$WEB_USER cannot read $app: make it readable (chmod -R o+rX), or move the checkout to /opt/atelier"
}
