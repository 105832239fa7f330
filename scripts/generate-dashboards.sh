#!/usr/bin/env bash
# Regenerates grafana/dashboards/*.json from grafana/generate/*.ts.
#   scripts/generate-dashboards.sh           write the JSON files
#   scripts/generate-dashboards.sh --check   exit 1 if a committed file is stale
# Compiles the generator with grafana/tsconfig.json into a temp dir, runs it
# with node, removes the temp dir.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cd "$root"
node_modules/.bin/tsc -p grafana/tsconfig.json --outDir "$out"
NODE_PATH="$root/node_modules" node "$out/grafana/generate/generateDashboards.js" "$root/grafana/dashboards" "$@"
