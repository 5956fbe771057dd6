#!/usr/bin/env bash
# Records the scenario fixtures of Tests/Conformance/Fixtures (docs/scenarios.md), so that they can be
# re-recorded after a deliberate change of behaviour. Each line below is one fixture: its name, the engine it is
# recorded on, and the `fake-docker scenario record` options. The conformance suite replays each on fake-docker.
#
#     scripts/record-fixtures.sh [NAME...]    # all, or the named ones
#
# The `engine-*` fixtures are recorded on the real engine of DOCKER_HOST (the test image imported:
# scripts/test-image.sh import docker); the engine is only used (never started, stopped, restarted or pulled
# from) and what a recording makes there is removed. Names and images made there start with `scn-`.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build >/dev/null
bin=$(swift build --show-bin-path)
fixtures=Tests/Conformance/Fixtures
image=dockrun-test/busybox:latest
selected=("$@")

# Containers that print "ready" once their traps are set (so a signal sent on "ready" meets the trap), then wait.
wait_loop='echo ready; while :; do sleep 0.1; done'
term_trap="trap 'echo got TERM; exit 43' TERM; $wait_loop"

record() {
    local name=$1 engine=$2
    shift 2
    if [ ${#selected[@]} -gt 0 ] && [[ " ${selected[*]} " != *" $name "* ]]; then return 0; fi
    "$bin/fake-docker" scenario record "$fixtures/$name.sqlite" --engine "$engine" "$@" >/dev/null
    echo "recorded $name ($engine)"
}

# --- the 2013 proof of concept's bugs (docs/conformance.md), one each, on fake-docker (faults where needed)
record poc-cidfile-read-while-empty fake --fault 'run --delay 1.2' \
    -- "$bin/dockrun" --rm $image sh -c 'echo created late'
record poc-fixed-one-second-cidfile-wait fake --fault 'run --delay 2' \
    -- "$bin/dockrun" --rm $image sh -c 'echo after a two-second create; exit 4'
record poc-stale-user-cidfile fake --container 'scn-old:exited:exit 7' --file 'app.cid=${ID:scn-old}' \
    -- "$bin/dockrun" --rm --cidfile '${TMPDIR}/app.cid' $image sh -c 'echo never'
record poc-guessable-temp-name fake \
    -- "$bin/dockrun" --rm $image sh -c 'echo the cidfile is in a private directory'
record poc-client-not-waited-for fake \
    -- "$bin/dockrun" --rm $image sh -c 'echo first; sleep 0.3; echo last line'
record poc-signal-before-id-leaks fake --fault 'run --delay 1.5' --on 'call:run+300:TERM' \
    -- "$bin/dockrun" --rm $image sh -c "$term_trap"
record poc-sighup-sigquit-not-handled fake --on 'stdout:ready:HUP' --on 'stdout:got HUP:QUIT' \
    -- "$bin/dockrun" --rm $image sh -c "trap 'echo got HUP' HUP; trap 'echo got QUIT; exit 23' QUIT; $wait_loop"
record poc-no-escalation-when-stop-hangs fake --on 'stdout:ready:TERM' --on 'call:stop+300:TERM' \
    -- "$bin/dockrun" --rm --stop-timeout -1 $image sh -c "trap 'echo ignoring TERM' TERM; $wait_loop"
record poc-signals-ignored-during-commit fake --fault 'commit --delay 1.5' --on 'call:commit:TERM' \
    -- "$bin/dockrun" --rm --commit scn-poc/commit-term:t $image sh -c 'echo data > /kept'
record poc-options-taken-from-command fake \
    -- "$bin/dockrun" $image printf '%s\n' -rm -a x -commit y --rm
record poc-commit-before-cidfile-shifts fake \
    -- "$bin/dockrun" -commit scn-poc/shift:t -cidfile '${TMPDIR}/app.cid' $image sh -c 'echo data > marker'
record poc-trailing-commit-crash fake \
    -- "$bin/dockrun" -rm -commit
record poc-registry-port-colon fake \
    -- "$bin/dockrun" --rm --commit localhost:5000/scn-poc/port:t $image true
record poc-commit-failure-exit-1 fake --fault "commit --exit 1 --stderr 'Error response from daemon: commit failed on purpose'" \
    -- "$bin/dockrun" --rm --commit scn-poc/fails:t $image true
record poc-docker-rm-races-commit fake \
    -- "$bin/dockrun" --rm --commit scn-poc/race:t $image sh -c 'echo data > /kept'

# --- each fault `fake-docker script` injects, with a signal at each phase where it matters. Not kept: a restart
# during a stop — how many times dockrun asks again while the engine is down depends on how long the engine takes
# to come back, which only the wall clock decides (DockrunEngineRestart tests that case by its result).
record fault-slow-create-kill fake --fault 'run --delay 2' --on 'call:run+300:KILL' \
    -- "$bin/dockrun" --rm $image sh -c "$term_trap"
record fault-slow-create-group-int fake --fault 'run --delay 1.5' --on 'call:run+300:group:INT' \
    -- "$bin/dockrun" --rm $image sh -c "trap 'echo got INT; exit 5' INT; $term_trap"
record fault-daemon-down fake --fault '--daemon-down' \
    -- "$bin/dockrun" --rm $image true
record fault-commit-failure-no-rm fake --fault "commit --exit 1 --stderr 'Error response from daemon: commit failed on purpose'" \
    -- "$bin/dockrun" --commit scn-fault/fails:t $image true
record fault-slow-commit-kill fake --fault 'commit --delay 3' --on 'call:commit+300:KILL' \
    -- "$bin/dockrun" --rm --commit scn-fault/kill:t $image sh -c 'echo data > /kept'
record fault-rm-failure fake --fault "rm --exit 1 --stderr 'Error response from daemon: rm failed on purpose'" \
    -- "$bin/dockrun" --rm $image sh -c 'exit 3'
record fault-slow-rm-term fake --fault 'rm --delay 1.5' --on 'call:rm:TERM' \
    -- "$bin/dockrun" --rm $image sh -c 'echo done; exit 2'
record fault-stop-hangs-second-term fake --fault 'stop --delay 30' --on 'stdout:ready:TERM' --on 'call:stop+300:TERM' \
    -- "$bin/dockrun" --rm $image sh -c "$term_trap"
record fault-stop-hangs-kill fake --fault 'stop --delay 30' --on 'stdout:ready:TERM' --on 'call:stop+300:KILL' \
    -- "$bin/dockrun" --rm $image sh -c "$term_trap"
# The container's last line waits for dockrun's "following its output again" (a HUP), not for a sleep: an outage
# and dockrun's retry wait can outlast any sleep on a loaded machine.
record fault-restart-live-output fake --on 'stdout:ready:restart-live=1' --on 'stderr:following its output again:HUP' \
    -- "$bin/dockrun" --rm $image sh -c "trap 'echo after the restart; exit 6' HUP; echo ready; while :; do sleep 0.1; done"
record fault-restart-live-then-term fake --on 'stdout:ready:restart-live=1' --on 'stderr:following its output again:TERM' \
    -- "$bin/dockrun" --rm $image sh -c "$term_trap"
record fault-restart-stops-container fake --on 'stdout:ready:restart=1' \
    -- "$bin/dockrun" --rm $image sh -c "$term_trap"
record fault-restart-live-during-commit fake --fault 'commit --delay 2' --on 'call:commit:restart-live=1' \
    -- "$bin/dockrun" --rm --commit scn-fault/restart:t $image sh -c 'echo data > /kept'

# --- recorded on the real engine; a replay on fake-docker must come out the same. A SIGKILL of dockrun waits
# 300 ms after "ready": the container prints it as soon as it runs, and dockrun must have read the cidfile and told
# its guardian the ID by then, or the guardian takes the container for one still being created and kills the
# client first (its output then ends there) — a different, also correct, path.
record engine-exit-0 docker -- "$bin/dockrun" --rm $image sh -c 'echo out; echo err >&2'
record engine-exit-3 docker -- "$bin/dockrun" --rm $image sh -c 'exit 3'
record engine-exit-127-not-found docker -- "$bin/dockrun" --rm $image nosuchcmd
record engine-exit-126-not-executable docker -- "$bin/dockrun" --rm $image /etc
record engine-exit-125-bad-option docker -- "$bin/dockrun" --rm --bogus $image true
record engine-stdin docker --stdin scripts/test-image.sh -- "$bin/dockrun" --rm -i $image wc -l
record engine-term-trap docker --on 'stdout:ready:TERM' -- "$bin/dockrun" --rm $image sh -c "$term_trap"
record engine-group-int docker --on 'stdout:ready:group:INT' \
    -- "$bin/dockrun" --rm $image sh -c "trap 'echo got INT; exit 5' INT; $term_trap"
record engine-hup-forwarded docker --on 'stdout:ready:HUP' \
    -- "$bin/dockrun" --rm $image sh -c "trap 'echo got HUP; exit 21' HUP; $wait_loop"
record engine-second-term-kills docker --on 'stdout:ready:TERM' --on 'call:stop+300:TERM' \
    -- "$bin/dockrun" --rm --stop-timeout -1 $image sh -c "trap 'echo ignoring TERM' TERM; $wait_loop"
record engine-stop-timeout-137 docker --on 'stdout:ready:TERM' \
    -- "$bin/dockrun" --rm --stop-timeout 1 $image sh -c "$wait_loop"
record engine-kill-dockrun-guardian docker --on 'stdout:ready+300:KILL' -- "$bin/dockrun" --rm $image sh -c "$term_trap"
record engine-group-kill-keeps-without-rm docker --on 'stdout:ready+300:group:KILL' \
    -- "$bin/dockrun" --name scn-engine-kept $image sh -c "$term_trap"
record engine-commit docker -- "$bin/dockrun" --rm --commit scn-engine/commit:t $image sh -c 'echo data > /kept'
record engine-commit-skipped-on-failure docker -- "$bin/dockrun" --rm --commit scn-engine/skipped:t $image sh -c 'exit 1'
record engine-user-cidfile-kept docker -- "$bin/dockrun" --cidfile '${TMPDIR}/app.cid' $image true
record engine-user-cidfile-removed-with-rm docker -- "$bin/dockrun" --rm -cidfile '${TMPDIR}/app.cid' $image true
record engine-name-in-use docker --container 'scn-engine-taken:running:sleep 300' \
    -- "$bin/dockrun" --rm --name scn-engine-taken $image true
record engine-replace docker --container "scn-engine-replaced:running:trap 'exit 0' TERM; $wait_loop" \
    -- "$bin/dockrun" --rm --replace --name scn-engine-replaced $image sh -c 'echo replaced'
