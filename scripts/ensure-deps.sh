#!/usr/bin/env bash
# Installs Debian packages with apt-get, only those missing: the one install-if-missing of the scripts.
#     bash scripts/ensure-deps.sh                        what building and testing need (below)
#     bash scripts/ensure-deps.sh PACKAGE[:PROBE]...     those packages
# A package counts as present when dpkg has it installed or, with a PROBE, when that exists: a path, or a command
# on PATH (so a program installed another way is used as it is). Nothing missing: nothing runs. Missing and not
# root: the list on stderr, exit 1. apt-get's output goes to a log, of which a failure shows the end.
# What building and testing need:
#   libsqlite3-dev  - fake-docker's state (system libsqlite3, a system-library target)
#   busybox-static  - the programs of the test image dockrun-test/busybox (a static busybox runs in a
#                     chroot and outside one alike, on fake-docker and on the real engine)
set -euo pipefail
[ $# -gt 0 ] || set -- libsqlite3-dev:/usr/include/sqlite3.h busybox-static:/bin/busybox

present() {
    local package=${1%%:*} probe=${1#*:}
    dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' && return 0
    [ "$probe" != "$1" ] || return 1
    if [[ $probe == /* ]]; then [ -e "$probe" ]; else command -v "$probe" >/dev/null; fi
}

missing=()
for wanted in "$@"; do
    present "$wanted" || missing+=("${wanted%%:*}")
done
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "ensure-deps: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
    echo "ensure-deps: apt-get install ${missing[*]} failed: $(tail -n 3 "$log")" >&2
    exit 1
fi
