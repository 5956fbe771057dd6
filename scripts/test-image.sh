#!/usr/bin/env bash
# The test image dockrun-test/busybox:latest: the one recipe the tests, try-dockrun.sh, engine-start.sh and
# bench.py all use, so that fake-docker and the real engine run the same image.
#
#     test-image.sh rootfs FILE            writes the image's root filesystem to FILE as a tar
#     test-image.sh import DOCKER [FILE]   imports the image with the docker CLI DOCKER (fake-docker or docker;
#                                          FAKE_DOCKER_STATE / DOCKER_HOST from the environment), from FILE made
#                                          by `rootfs`, or from a root filesystem made afresh
#
# The root filesystem is the static busybox (busybox-static, see ensure-deps.sh: it runs in a chroot and in a
# container alike) as bin/busybox with a relative symlink per applet, bin/sdnotify-send (Tests/Helpers/
# sdnotify-send.c built static with gcc: busybox has no datagram sender, and `--sdnotify=container` needs one), and
# an empty tmp/; CMD is sh. Making it takes a symlink per applet and a compile (about a second), so a caller that
# imports it many times makes the tar once.
# Quiet on success; on failure the reason is on stderr and the status is non-zero.
set -euo pipefail

IMAGE=dockrun-test/busybox:latest
BUSYBOX=/bin/busybox
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# In the checkout, the sender's source is under Tests/Helpers; installed (scripts/install.sh), beside this script.
SENDER_SOURCE=$HERE/sdnotify-send.c
[ -f "$SENDER_SOURCE" ] || SENDER_SOURCE=$HERE/../Tests/Helpers/sdnotify-send.c

usage() {
    echo "usage: test-image.sh rootfs FILE | test-image.sh import DOCKER [FILE]" >&2
    exit 2
}

# A scratch directory, made only when a rootfs is: importing a made tar, as the tests do once per test, forks
# nothing but the docker CLI.
work=
trap '[ -z "$work" ] || rm -rf "$work"' EXIT
make_work() {
    [ -n "$work" ] || work=$(mktemp -d)
}

write_rootfs_tar() {
    local file=$1 applet
    make_work
    # The tree has a root of its own: mktemp's directory is 0700, and the tar's ./ becomes the image's /.
    mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp"
    cp "$BUSYBOX" "$work/rootfs/bin/busybox"
    for applet in $("$BUSYBOX" --list); do
        [ "$applet" = busybox ] || ln -s busybox "$work/rootfs/bin/$applet"
    done
    if [ -f "$HERE/ensure-deps.sh" ]; then
        bash "$HERE/ensure-deps.sh" gcc:gcc libc6-dev
    elif ! command -v gcc >/dev/null; then
        echo "test-image.sh: the test image's sdnotify-send needs gcc and libc6-dev (static): install them" >&2
        exit 1
    fi
    gcc -static -O2 -o "$work/rootfs/bin/sdnotify-send" "$SENDER_SOURCE"
    tar -C "$work/rootfs" -cf "$file" .
}

import_image() {
    local docker=$1 file=${2:-}
    if [ -z "$file" ]; then
        make_work
        file=$work/rootfs.tar
        write_rootfs_tar "$file"
    fi
    "$docker" import -c 'CMD ["sh"]' - "$IMAGE" <"$file" >/dev/null
}

case ${1:-} in
    rootfs) [ $# = 2 ] || usage; write_rootfs_tar "$2" ;;
    import) [ $# = 2 ] || [ $# = 3 ] || usage; import_image "$2" "${3:-}" ;;
    *) usage ;;
esac
