#!/usr/bin/env bash
# Start (or reuse) a real Docker engine for conformance checks, in its own network namespace so that nothing can
# be pulled or reached. Prints only `DOCKER_HOST=unix://$DIR/docker.sock` on stdout. On failure: one line on
# stderr, exit non-zero, and nothing of ours left running.
# DOCKRUN_ENGINE_LIVE_RESTORE=1 starts dockerd with --live-restore (its containers outlive it; see engine-restart.sh).
# DOCKRUN_ENGINE_BRIDGE=1 gives it a bridge and iptables, inside its own network namespace, so that it publishes
# ports there (`-p`): clients reach them with `nsenter --net=$DIR/netns`. Not the default: with a bridge each container
# also gets an eth0, an address and its line in /etc/hosts, which fake-docker does not simulate (a container has its
# loopback alone, as on this engine without a bridge); test-real-engine.sh runs the publishing tests on one of its own.
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$HERE/engine-common.sh"
IMAGE=dockrun-test/busybox:latest
READY_SECONDS=60

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

start_daemon() {
    local options=(--data-root "$DIR/data" --exec-root "$DIR/exec" -H "$HOST" --pidfile "$DIR/pid"
        --ip6tables=false --storage-driver=vfs)
    # The bridge, its veths and the iptables rules all live in the engine's private namespace: nothing outside changes.
    if [ "${DOCKRUN_ENGINE_BRIDGE:-0}" = 1 ]; then options+=(--iptables=true); else options+=(--iptables=false --bridge=none); fi
    [ "${DOCKRUN_ENGINE_LIVE_RESTORE:-0}" = 1 ] && options+=(--live-restore)
    rm -f "$DIR/pid" "$DIR/unshare.pid"
    # The network namespace is bound to $DIR/netns so that it outlives this dockerd: engine-restart.sh starts the
    # next one in it, where the live-restored containers' shims still are. engine-stop.sh unmounts it.
    touch "$DIR/netns" || fail "cannot create $DIR/netns"
    # setsid: the daemon must not share the caller's process group or session, or a CI runner's Ctrl-C or
    # hang-up would reach it. --kill-child: if unshare itself is killed, dockerd gets TERM instead of being orphaned.
    # 9<&-: the lock on $DIR must not be inherited by dockerd, or engine-stop.sh could never take it.
    # dockerd writes $DIR/pid itself, so the pidfile holds dockerd's PID, not unshare's.
    setsid unshare --net="$DIR/netns" --fork --kill-child=SIGTERM sh -c 'ip link set lo up && exec "$@"' sh \
        dockerd "${options[@]}" </dev/null >"$DIR/log" 2>&1 9<&- &
    echo $! >"$DIR/unshare.pid"
    started_here=1
}

import_test_image() {
    docker image inspect "$IMAGE" >/dev/null 2>&1 </dev/null && return 0
    if ! "$HERE/test-image.sh" import docker </dev/null 2>"$DIR/import.err"; then
        fail "docker import of $IMAGE failed: $(tail -n 1 "$DIR/import.err")"
    fi
    rm -f "$DIR/import.err"
}

# dockerd (docker.io, or another package's dockerd on PATH) and the test image's busybox; ensure-deps.sh says why not.
bash "$HERE/ensure-deps.sh" docker.io:dockerd busybox-static:/bin/busybox || exit 1
if [ "${DOCKRUN_ENGINE_BRIDGE:-0}" = 1 ]; then bash "$HERE/ensure-deps.sh" iptables:iptables || exit 1; fi
mkdir -p "$DIR" || fail "cannot create $DIR"
# Two concurrent starts would race on the pidfile and the socket; the second waits for the first and then reuses.
lock_engine_dir

if ! answering; then
    if [ -s "$DIR/pid" ] && kill -0 "$(cat "$DIR/pid")" 2>/dev/null; then
        fail "dockerd $(cat "$DIR/pid") is running from $DIR but not answering on $HOST; run engine-stop.sh"
    fi
    start_daemon
    wait_until_answering "$(cat "$DIR/unshare.pid")" "$READY_SECONDS"
fi
import_test_image
echo "DOCKER_HOST=$HOST"
