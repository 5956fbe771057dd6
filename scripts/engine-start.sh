#!/usr/bin/env bash
# Start (or reuse) a real Docker engine for conformance checks, in its own network namespace so that nothing can
# be pulled or reached. Prints only `DOCKER_HOST=unix://$DIR/docker.sock` on stdout. On failure: one line on
# stderr, exit non-zero, and nothing of ours left running.
set -u -o pipefail

DIR=${DOCKRUN_ENGINE_DIR:-/tmp/engine}
HOST="unix://$DIR/docker.sock"
IMAGE=dockrun-test/busybox:latest
READY_SECONDS=60
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export DOCKER_HOST=$HOST
export DEBIAN_FRONTEND=noninteractive

started_here=0

fail() {
    echo "engine-start: $*" >&2
    # Only an engine this run started is torn down; one that was already answering belongs to someone else.
    if [ "$started_here" = 1 ]; then
        exec 9<&-
        "$HERE/engine-stop.sh" >/dev/null 2>&1 </dev/null
    fi
    exit 1
}

answering() {
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1 </dev/null
}

install_missing_packages() {
    local missing=() pkg
    for pkg in docker.io busybox-static; do
        dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} = 0 ] && return 0
    local log
    log=$(mktemp)
    if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
        echo "engine-start: apt-get install ${missing[*]} failed: $(tail -n 1 "$log")" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
}

start_daemon() {
    rm -f "$DIR/pid" "$DIR/unshare.pid"
    # setsid: the daemon must not share the caller's process group or session, or a CI runner's Ctrl-C or
    # hang-up would reach it. --kill-child: if unshare itself is killed, dockerd gets TERM instead of being orphaned.
    # 9<&-: the lock on $DIR must not be inherited by dockerd, or engine-stop.sh could never take it.
    # dockerd writes $DIR/pid itself, so the pidfile holds dockerd's PID, not unshare's.
    setsid unshare --net --fork --kill-child=SIGTERM sh -c 'ip link set lo up && exec "$@"' sh \
        dockerd --data-root "$DIR/data" --exec-root "$DIR/exec" -H "$HOST" --pidfile "$DIR/pid" \
        --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
        </dev/null >"$DIR/log" 2>&1 9<&- &
    echo $! >"$DIR/unshare.pid"
    started_here=1
}

wait_until_answering() {
    local unshare_pid deadline=$((SECONDS + READY_SECONDS))
    unshare_pid=$(cat "$DIR/unshare.pid")
    until answering; do
        kill -0 "$unshare_pid" 2>/dev/null || fail "dockerd exited during start-up: $(tail -n 1 "$DIR/log")"
        [ $SECONDS -lt $deadline ] || fail "dockerd did not answer on $HOST within ${READY_SECONDS}s (log: $DIR/log)"
        sleep 0.2
    done
}

import_test_image() {
    docker image inspect "$IMAGE" >/dev/null 2>&1 </dev/null && return 0
    if ! "$HERE/test-image.sh" import docker </dev/null 2>"$DIR/import.err"; then
        fail "docker import of $IMAGE failed: $(tail -n 1 "$DIR/import.err")"
    fi
    rm -f "$DIR/import.err"
}

install_missing_packages
mkdir -p "$DIR" || fail "cannot create $DIR"
# Two concurrent starts would race on the pidfile and the socket; the second waits for the first and then reuses.
exec 9<"$DIR"
flock -w 120 9 || fail "another engine-start.sh holds $DIR for over 120s"

if ! answering; then
    if [ -s "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
        fail "dockerd $(cat "$DIR/pid") is running from $DIR but not answering on $HOST; run engine-stop.sh"
    fi
    start_daemon
    wait_until_answering
fi
import_test_image
echo "DOCKER_HOST=$HOST"
