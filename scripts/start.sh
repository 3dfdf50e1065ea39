#!/usr/bin/env bash
# The README's first command: installs what Atelier needs on Debian 12 (LXC included), builds it, and starts the
# panel in the foreground with SQLite. Settings come from the environment (see the README), e.g.
#   PORT=8080 ./scripts/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

require_root
install_packages "${PANEL_PACKAGES[@]}"
ensure_web_user
ensure_app_readable
ensure_node
install_npm_dependencies
build_if_needed
ensure_container_bridge
say "starting Atelier (database migrations are applied before it serves)"
exec npm start
