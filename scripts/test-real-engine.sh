#!/usr/bin/env bash
# The conformance suite against a real Docker Engine, started privately in its own network namespace
# (scripts/engine-start.sh) and stopped by its PID afterwards. If the engine cannot start, this says
# `real engine: skipped: <reason>` and exits 0; if it started, any failing test fails this script.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOCKRUN_ENGINE_DIR=${DOCKRUN_ENGINE_DIR:-/tmp/dockrun-test-engine}
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
if ! host=$(bash scripts/engine-start.sh 2>"$errors"); then
    echo "real engine: skipped: $(tail -n 1 "$errors")"
    exit 0
fi
export "$host"
bash scripts/ensure-deps.sh && swift build --build-tests
DOCKRUN_TEST_ENGINE=docker swift test --skip-build --filter Conformance "$@"
rc=$?
bash scripts/engine-stop.sh >/dev/null 2>&1 || echo "real engine: stop reported a problem (see $DOCKRUN_ENGINE_DIR)" >&2
exit $rc
