#!/usr/bin/env bash
# The README's second command, and what CI runs: installs what the tests need (LXC, Chromium, npm dependencies),
# then runs the whole suite: lint, typecheck, unit, build, integration and end-to-end tests against real LXC.
# Tests run in their own network namespace and lxcpath; nothing on the host's network or containers is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh

require_root
install_packages "${PANEL_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
ensure_web_user
ensure_app_readable
ensure_node
install_npm_dependencies
warm_debian_test_cache
exec npm test
