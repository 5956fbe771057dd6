#!/usr/bin/env bash
# The test command: unit tests, fake-docker's own tests and the conformance suite against fake-docker
# (no daemon needed). For the conformance suite against a real engine, see scripts/test-real-engine.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
