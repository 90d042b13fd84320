#!/usr/bin/env bash
# Fuzzes every decoder: runs each Fuzz* target of the format packages (and block's
# text parsers) for DURATION each (default 30s), one after the other. Exits non-zero
# if any target finds a failure; the failing input is saved under the package's
# testdata/fuzz/ by `go test`, and `go test` then replays it as a regression seed.
#
#   scripts/fuzz.sh          # 30s per target
#   scripts/fuzz.sh 2m       # 2 minutes per target
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-30s}
status=0
for pkg in $(go list ./format/... ./block/...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "== $pkg $target for $duration"
    if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$duration" -parallel=2 "$pkg"; then
      echo "!! $pkg $target failed" >&2
      status=1
    fi
  done
done
exit $status
