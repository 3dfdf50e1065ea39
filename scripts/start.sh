#!/usr/bin/env bash
# The README's first command: installs what Atelier needs on Debian 12 (LXC and Node.js included), builds it, and
# starts the panel in the foreground with SQLite. Settings come from the environment (see the README), e.g.
#   PORT=8080 ./scripts/start.sh
# With --service, it installs Atelier as a systemd service instead (atelier service install: atelier.service,
# enabled at boot and started now, and the boot start and stop of the autostart containers); the service reads its
# settings from /etc/default/atelier. See docs/install.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

SERVICE=0
case "${1:-}" in
  "") ;;
  --service) SERVICE=1 ;;
  *) die "usage: $0 [--service]" ;;
esac

require_root
install_packages "${PANEL_PACKAGES[@]}"
ensure_web_user
ensure_app_readable
ensure_node
install_npm_dependencies
build_if_needed
ensure_container_bridge
if [ "$SERVICE" = 1 ]; then
  say "installing Atelier as a systemd service (atelier service install)"
  node bin/atelier.js service install
  if env | grep -qE '^(PORT|HOST|DATABASE_URL|ATELIER_[A-Z_]+)='; then
    say "note: the service reads its settings from /etc/default/atelier, not from this shell's environment"
  fi
  if [ -d /run/systemd/system ]; then
    # Restarted rather than only started: run again after an update, it serves the new build.
    systemctl enable atelier.service
    systemctl restart atelier.service
    say "Atelier runs as atelier.service: systemctl status atelier; its log: journalctl -u atelier -f"
  else
    say "systemd does not run this host: atelier.service is enabled for the next boot, not started now"
  fi
  exit 0
fi
say "starting Atelier (database migrations are applied before it serves)"
exec npm start
