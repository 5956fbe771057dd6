#!/usr/bin/env bash
# dockrun's main job on a fresh machine, with no daemon: builds dockrun and fake-docker, imports the
# busybox test image into a throw-away fake-docker state, and runs
#     dockrun --rm dockrun-test/busybox sh -c 'echo test; exit 3'
# (or the dockrun arguments you give). Exits with dockrun's exit code (3 for the default), and says on
# stderr how many containers were left behind (0 with --rm).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build --product dockrun >/dev/null
swift build --product fake-docker >/dev/null
bin=$(swift build --show-bin-path)
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export FAKE_DOCKER_STATE=$state/state.sqlite DOCKRUN_DOCKER=$bin/fake-docker
bash scripts/test-image.sh import "$bin/fake-docker"
[ $# -gt 0 ] || set -- --rm dockrun-test/busybox sh -c 'echo test; exit 3'
set +e
"$bin/dockrun" "$@"
rc=$?
set -e
left=$("$bin/fake-docker" ps -aq | wc -l)
echo "try-dockrun: dockrun exited $rc; containers left: $left" >&2
ids=$("$bin/fake-docker" ps -aq)
[ -z "$ids" ] || "$bin/fake-docker" rm -f $ids >/dev/null
exit $rc
