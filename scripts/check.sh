#!/usr/bin/env bash
# `npm run check`: lint (ESLint, Prettier, dependency-cruiser) and the typecheck side by side. Each is one process
# on one core, and the suite runs on two: together they take the time of the longer. Each one's output is printed
# whole when it ends (not interleaved); the script fails when either does.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npm run --silent lint >"$out/lint" 2>&1 &
lint=$!
npm run --silent typecheck >"$out/typecheck" 2>&1
typecheck=$?
wait "$lint"
lint_status=$?
printf '== npm run lint (exit %s)\n' "$lint_status"
cat "$out/lint"
printf '== npm run typecheck (exit %s)\n' "$typecheck"
cat "$out/typecheck"
[ "$lint_status" -eq 0 ] && [ "$typecheck" -eq 0 ]
