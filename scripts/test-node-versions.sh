#!/usr/bin/env bash
# The unit suite and a Node end-to-end subset on the other Node versions users run (22 and 24), with binaries from the
# npm registry pinned in test/node-versions (installed here when missing). Usage:
#   scripts/test-node-versions.sh [DIR]    DIR: write vitest JSON results there (node22.json, node24.json)
set -euo pipefail
cd "$(dirname "$0")/.."

versions_dir=test/node-versions
if [[ ! -x "$versions_dir/node_modules/node22/bin/node" || ! -x "$versions_dir/node_modules/node24/bin/node" ]]; then
  npm ci --prefix "$versions_dir" --no-audit --no-fund --loglevel=error </dev/null
fi

# What every Node runs: the whole unit suite, and end-to-end files that exercise the Node adapters (HTTP/1.1, h2c,
# detection, listen), the core paths through restate-server, the testing kit and `perdure dev`.
E2E_SUBSET=(
  test/e2e/basics.e2e.test.ts
  test/e2e/node-adapter.e2e.test.ts
  test/e2e/node-listen.e2e.test.ts
  test/e2e/node-detect.e2e.test.ts
  test/e2e/bidi.e2e.test.ts
  test/e2e/serde.e2e.test.ts
  test/e2e/testing-kit.e2e.test.ts
  test/e2e/cli.e2e.test.ts
)

status=0
for v in 22 24; do
  bin_dir="$PWD/$versions_dir/node_modules/node$v/bin"
  if [[ ! -x "$bin_dir/node" ]]; then
    echo "!! node$v is not installed (test/node-versions has Linux x64 binaries only)" >&2
    status=1
    continue
  fi
  echo "== Node $("$bin_dir/node" --version): unit suite + e2e subset"
  reporter=()
  if [[ -n "${1:-}" ]]; then reporter=(--reporter=default --reporter=json "--outputFile.json=$1/node$v.json"); fi
  # PATH first: child processes that run `node` (the CLI tests, runners) get the same version.
  if ! PATH="$bin_dir:$PATH" "$bin_dir/node" node_modules/vitest/vitest.mjs run test/unit "${E2E_SUBSET[@]}" "${reporter[@]}" </dev/null; then
    status=1
  fi
done
exit "$status"
