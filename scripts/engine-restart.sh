#!/usr/bin/env bash
# Restart the engine started by engine-start.sh, as an upgrade or a crash-and-respawn would:
#
#     engine-restart.sh [--down SECONDS]
#
# TERM to dockerd (by the PID in its pidfile), wait until it has exited, stay down for SECONDS (default 0), then start
# dockerd again with the command line it had, in the same network namespace. Under --live-restore (engine-start.sh
# with DOCKRUN_ENGINE_LIVE_RESTORE=1) the containers run on through the gap; without it dockerd stops them on its way
# out. Returns once the new dockerd answers. On failure: one line on stderr, exit non-zero.
set -u -o pipefail

. "$(dirname "${BASH_SOURCE[0]}")/engine-common.sh"
# dockerd stops its running containers before it exits (without live-restore), each within its stop timeout.
STOP_SECONDS=60
READY_SECONDS=60

down=0
while [ $# -gt 0 ]; do
    case $1 in
        --down) [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "--down takes seconds"; down=$2; shift 2 ;;
        *) fail "usage: engine-restart.sh [--down SECONDS]" ;;
    esac
done

[ -d "$DIR" ] || fail "no engine in $DIR"
lock_engine_dir
dockerd_pid=$(cat "$DIR/pid" 2>/dev/null)
alive "$dockerd_pid" || fail "no dockerd running from $DIR"
[ -e "$DIR/netns" ] || fail "$DIR/netns missing: the engine was started by an engine-start.sh without it"
# The same settings: the running daemon's own command line, read before it goes.
mapfile -d '' command_line <"/proc/$dockerd_pid/cmdline"

kill -TERM "$dockerd_pid"
wait_gone "$dockerd_pid" "$STOP_SECONDS" || fail "dockerd $dockerd_pid did not exit within ${STOP_SECONDS}s of TERM"
sleep "$down"
# As engine-start.sh starts it (own session, no lock inherited), but nsenter joins the bound namespace instead of
# making one, and execs dockerd, so $! is dockerd itself.
setsid nsenter --net="$DIR/netns" "${command_line[@]}" </dev/null >>"$DIR/log" 2>&1 9<&- &
echo $! >"$DIR/unshare.pid"
wait_until_answering "$!" "$READY_SECONDS"
