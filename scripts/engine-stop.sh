#!/usr/bin/env bash
# Stop the engine started by engine-start.sh and remove its directory. Idempotent: a missing engine is success.
set -u -o pipefail

. "$(dirname "${BASH_SOURCE[0]}")/engine-common.sh"
TERM_SECONDS=30
KILL_SECONDS=10

# Processes of this engine that can outlive dockerd after a KILL: containerd and the per-container shims, which
# carry the exec or data root on their command line. Found by that path, so another engine is never touched.
# Matched in bash rather than by a grep whose own command line would contain the path.
engine_children() {
    local proc cmdline
    for proc in /proc/[0-9]*; do
        # 2>/dev/null before the <: a process that exits between the glob and the read fails the redirection, which
        # bash reports on the stderr in force at that point.
        cmdline=$(tr '\0' ' ' 2>/dev/null <"$proc/cmdline") || continue
        [[ $cmdline == *"$DIR/exec"* || $cmdline == *"$DIR/data"* ]] && echo "${proc#/proc/}"
    done
}

[ -d "$DIR" ] || exit 0
lock_engine_dir

dockerd_pid=$(cat "$DIR/pid" 2>/dev/null)
unshare_pid=$(cat "$DIR/unshare.pid" 2>/dev/null)

# dockerd stops its containers and its containerd on TERM; KILL only if that takes too long.
if alive "$dockerd_pid"; then
    kill -TERM "$dockerd_pid" 2>/dev/null
    if ! wait_gone "$dockerd_pid" "$TERM_SECONDS"; then
        kill -KILL "$dockerd_pid" 2>/dev/null
        wait_gone "$dockerd_pid" "$KILL_SECONDS"
    fi
fi
# unshare --fork exits once its child (dockerd) has; it is only killed if dockerd never got to write its pidfile.
if alive "$unshare_pid" && ! wait_gone "$unshare_pid" "$KILL_SECONDS"; then
    kill -TERM "$unshare_pid" 2>/dev/null
    wait_gone "$unshare_pid" "$KILL_SECONDS" || kill -KILL "$unshare_pid" 2>/dev/null
fi
for pid in $(engine_children); do
    kill -KILL "$pid" 2>/dev/null
    wait_gone "$pid" "$KILL_SECONDS"
done

# Container shm and netns mounts, and the engine's own $DIR/netns, live in the host mount namespace and survive a killed dockerd; deepest first.
awk -v root="$DIR" '$5 == root || index($5, root "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r mountpoint; do
        umount "$mountpoint" 2>/dev/null || umount -l "$mountpoint" 2>/dev/null
    done

exec 9<&-
if ! rm -rf "$DIR"; then
    echo "engine-stop: could not remove $DIR" >&2
    exit 1
fi
