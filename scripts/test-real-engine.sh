#!/usr/bin/env bash
# The conformance suite against a real Docker Engine, started privately in its own network namespace
# (scripts/engine-start.sh, with --live-restore) and stopped by its PID afterwards. Three passes: the whole suite,
# then the engine-restart tests alone (dockrun's and the engine contract's; they restart this engine with scripts/engine-restart.sh, which would cut the
# requests of tests running beside them), then the monitor tests (Tests/Monitors) against this engine. If the engine cannot start, this says `real engine: skipped: <reason>` and
# exits 0; if it started, any failing test fails this script. Last, on a second engine, with a bridge
# (DOCKRUN_ENGINE_BRIDGE=1) and without live-restore: the publishing tests, then the engine-restart tests that need an
# engine without live-restore (the first engine has it, and they are disabled there).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOCKRUN_ENGINE_DIR=${DOCKRUN_ENGINE_DIR:-/tmp/dockrun-test-engine}
export DOCKRUN_ENGINE_LIVE_RESTORE=1
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
if ! host=$(bash scripts/engine-start.sh 2>"$errors"); then
    echo "real engine: skipped: $(tail -n 1 "$errors")"
    exit 0
fi
export "$host"
bash scripts/ensure-deps.sh && swift build --build-tests
# At most 8 tests at a time against a real engine. Unbounded, every test starts its containers in the first seconds
# (a hundred docker clients and containers at once on two cores), and twice in CI this engine lost containers' exits
# under that load: their clients waited for good (docs/engine-observations.md). Eight is as fast here (132 s against
# 141 s for the whole suite, beside the fake-docker monitor pass) and keeps the engine answering.
export SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=${DOCKRUN_REAL_ENGINE_WIDTH:-8}
log_lines_before=$(wc -l <"$DOCKRUN_ENGINE_DIR/log" 2>/dev/null || echo 0)
DOCKRUN_TEST_ENGINE=docker swift test --skip-build --filter Conformance "$@"
rc=$?
# A failure against a real engine may be the engine's: what it logged above info level during the pass, without the
# warnings it writes for every container, so that CI's output says which it was.
if [ $rc != 0 ]; then
    echo "== the engine's warnings and errors during the failed pass (from $DOCKRUN_ENGINE_DIR/log)"
    tail -n +$((log_lines_before + 1)) "$DOCKRUN_ENGINE_DIR/log" | grep -v 'level=info' |
        grep -v -e 'cleaning up after shim disconnected' -e 'cleanup warnings time=' | tail -n 60
fi
# An engine that was already running is reused as it is: the restart tests follow its own setting.
live=$(docker info --format '{{.LiveRestoreEnabled}}' 2>/dev/null)
echo "== the engine-restart tests, alone (live-restore: ${live:-unknown})"
# One suite at a time: suites run side by side, and one suite's restart would cut the other's requests.
for suite in DockrunEngineRestart EngineContractRestartLog EngineContractRestartPolicyAcrossRestart; do
    DOCKRUN_TEST_ENGINE=docker DOCKRUN_TEST_RESTART_ENGINE_DIR=$DOCKRUN_ENGINE_DIR \
        DOCKRUN_TEST_LIVE_RESTORE=$([ "$live" = true ] && echo 1 || echo 0) \
        swift test --skip-build --filter "$suite"
    restart_rc=$?
    [ $rc = 0 ] && rc=$restart_rc
done
echo "== the monitor tests against this engine"
bash scripts/test-monitors.sh -k "not fake"
monitors_rc=$?
[ $rc = 0 ] && rc=$monitors_rc
bash scripts/engine-stop.sh >/dev/null 2>&1 || echo "real engine: stop reported a problem (see $DOCKRUN_ENGINE_DIR)" >&2
# Publishing needs a bridge, which the engine above has not (engine-start.sh says why): a second engine with one.
# It runs without live-restore, so that the restart tests written for such an engine run too.
echo "== the publishing tests (-p) against an engine with a bridge"
bridge_dir=$DOCKRUN_ENGINE_DIR-bridge
if bridge_host=$(DOCKRUN_ENGINE_DIR=$bridge_dir DOCKRUN_ENGINE_BRIDGE=1 DOCKRUN_ENGINE_LIVE_RESTORE=0 \
        bash scripts/engine-start.sh 2>"$errors"); then
    env "$bridge_host" DOCKRUN_TEST_ENGINE=docker swift test --skip-build --filter 'EngineContractPorts|DockrunPublish'
    ports_rc=$?
    env "$bridge_host" bash scripts/test-monitors.sh -k "not fake and published"
    published_rc=$?
    [ $ports_rc = 0 ] && ports_rc=$published_rc
    [ $rc = 0 ] && rc=$ports_rc
    echo "== the engine-restart tests, alone, against that engine (live-restore: false)"
    for suite in DockrunEngineRestart EngineContractRestartPolicyAcrossRestart; do
        env "$bridge_host" DOCKRUN_TEST_ENGINE=docker DOCKRUN_TEST_RESTART_ENGINE_DIR=$bridge_dir \
            DOCKRUN_TEST_LIVE_RESTORE=0 swift test --skip-build --filter "$suite"
        restart_rc=$?
        [ $rc = 0 ] && rc=$restart_rc
    done
    DOCKRUN_ENGINE_DIR=$bridge_dir bash scripts/engine-stop.sh >/dev/null 2>&1 ||
        echo "real engine: stop reported a problem (see $bridge_dir)" >&2
else
    echo "publishing: skipped: $(tail -n 1 "$errors")"
fi
exit $rc
