#!/usr/bin/env bash
# Replays the scenario fixtures of Tests/Conformance/Fixtures on fake-docker, each N times in a row (default 1),
# and says how long that took: the check that a replay never flickers (docs/scenarios.md).
#
#     scripts/replay-fixtures.sh [--times N] [--dockrun PATH] [NAME...]    # all fixtures, or the named ones
set -uo pipefail
cd "$(dirname "$0")/.."
times=1 dockrun=()
while [ $# -gt 0 ]; do
    case $1 in
        --times) times=$2; shift 2 ;;
        --dockrun) dockrun=(--dockrun "$2"); shift 2 ;;
        *) break ;;
    esac
done
swift build >/dev/null || exit 1
bin=$(swift build --show-bin-path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash scripts/test-image.sh rootfs "$work/rootfs.tar"
if [ $# -gt 0 ]; then names=("$@"); else names=($(cd Tests/Conformance/Fixtures && ls *.sqlite | sed 's/\.sqlite$//')); fi
failed=0 start=$(date +%s.%N)
for name in "${names[@]}"; do
    for ((i = 1; i <= times; i++)); do
        if ! "$bin/fake-docker" scenario replay "Tests/Conformance/Fixtures/$name.sqlite" --test-image "$work/rootfs.tar" "${dockrun[@]}"; then
            echo "$name: replay $i of $times differs"
            failed=$((failed + 1))
            break
        fi
    done
done
echo "${#names[@]} fixture(s) x $times: $failed differ; $(echo "$(date +%s.%N) - $start" | bc) s"
[ $failed = 0 ]
