#!/usr/bin/env bash
# Installs what building and testing need beyond a fresh machine's toolchain, only if it is missing:
#   libsqlite3-dev  - fake-docker's state (system libsqlite3, a system-library target)
#   busybox-static  - the programs of the test image dockrun-test/busybox (a static busybox runs in a
#                     chroot and outside one alike, on fake-docker and on the real engine)
set -euo pipefail
missing=()
[ -e /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
[ -x /bin/busybox ] && /bin/busybox --list >/dev/null 2>&1 || missing+=(busybox-static)
[ ${#missing[@]} = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "ensure-deps: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
    exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1 </dev/null; then
    echo "ensure-deps: apt-get install ${missing[*]} failed: $(tail -n 3 "$log")" >&2
    exit 1
fi
