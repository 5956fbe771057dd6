# Sourced by engine-start.sh, engine-stop.sh and engine-restart.sh: where the engine lives and how to tell that it
# runs and answers. Not a command of its own.

DIR=${DOCKRUN_ENGINE_DIR:-/tmp/engine}
HOST="unix://$DIR/docker.sock"
export DOCKER_HOST=$HOST

# One line on stderr, named after the script, and a failed exit; engine-start.sh redefines it to tear down first.
fail() {
    echo "$(basename "$0" .sh): $*" >&2
    exit 1
}

alive() {
    # A zombie still answers kill -0 but has finished; only a process that has not exited counts.
    [ -n "$1" ] && [ -e "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

wait_gone() {
    local pid=$1 deadline=$((SECONDS + $2))
    while alive "$pid"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

answering() {
    docker version --format '{{.Server.Version}}' >/dev/null 2>&1 </dev/null
}

# Waits for the daemon started as PID $1 to answer on $HOST; calls `fail` (the sourcing script's) if it exits first
# or takes longer than $2 seconds.
wait_until_answering() {
    local pid=$1 deadline=$((SECONDS + $2))
    until answering; do
        kill -0 "$pid" 2>/dev/null || fail "dockerd exited during start-up: $(tail -n 1 "$DIR/log")"
        [ $SECONDS -lt $deadline ] || fail "dockerd did not answer on $HOST within ${2}s (log: $DIR/log)"
        sleep 0.2
    done
}

# Every engine script holds this lock on $DIR while it changes the engine, so that a start, a restart and a stop never
# interleave.
lock_engine_dir() {
    exec 9<"$DIR"
    flock -w 120 9 || fail "another engine script holds $DIR for over 120s"
}
