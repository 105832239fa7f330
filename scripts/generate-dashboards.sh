#!/usr/bin/env bash
# Regenerates grafana/dashboards/*.json from grafana/generate/*.ts.
#   scripts/generate-dashboards.sh           write the JSON files
#   scripts/generate-dashboards.sh --check   exit 1 if a committed file is stale
# Compiles the generator with the project's own TypeScript into a temp dir
# (no ts-node, no new dependency), runs it with node, removes the temp dir.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cd "$root"
node_modules/.bin/tsc --ignoreConfig \
  --outDir "$out" --rootDir "$root" \
  --module commonjs --moduleResolution node10 --ignoreDeprecations 6.0 --target ES2022 --lib ES2022 \
  --strict --noUncheckedIndexedAccess --types node --skipLibCheck \
  grafana/generate/generateDashboards.ts
node "$out/grafana/generate/generateDashboards.js" "$root/grafana/dashboards" "$@"
