#!/usr/bin/env bash
# Builds a release dockrun and fake-docker with the static Swift runtime and installs both into PREFIX/bin:
#     bash scripts/install.sh [--prefix DIR]      # default /usr/local
# The static runtime makes the installed binaries depend on nothing under the toolchain, so a service
# manager can run them on a machine (or in a mount namespace) without it; fake-docker is installed beside
# dockrun so the examples in examples/ run without a Docker daemon (DOCKRUN_DOCKER=PREFIX/bin/fake-docker).
# The build is scripts/build-release.sh's (.build-release), apart from the debug .build that `swift build` and the tests use.
# The man pages dockrun(1) and fake-docker(1) go to PREFIX/share/man/man1 (dockrun-generator(8) to man8), so
# `man dockrun` works.
# dockrun-generator (docs/quadlet.md) goes where systemd runs generators: PREFIX/lib/systemd/system-generators,
# and as dockrun-user-generator (the name tells it it is the user's) in PREFIX/lib/systemd/user-generators.
set -euo pipefail
prefix=/usr/local
while [ $# -gt 0 ]; do
    case $1 in
        --prefix) [ $# -ge 2 ] || { echo "install.sh: --prefix needs a directory" >&2; exit 2; }; prefix=$2; shift 2 ;;
        --prefix=*) prefix=${1#--prefix=}; shift ;;
        -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown argument: $1 (usage: install.sh [--prefix DIR])" >&2; exit 2 ;;
    esac
done
cd "$(dirname "$0")/.."
bin=$(bash scripts/build-release.sh)
mkdir -p "$prefix/bin"
# install(1) writes a new file and renames it over the old one, so a dockrun that is running keeps its binary.
install -m 0755 "$bin/dockrun" "$bin/fake-docker" "$prefix/bin/"
# The test image's recipe, which an installed `fake-docker scenario replay` runs (docs/scenarios.md).
install -D -m 0644 scripts/test-image.sh "$prefix/share/dockrun/test-image.sh"
install -D -m 0644 Tests/Helpers/sdnotify-send.c "$prefix/share/dockrun/sdnotify-send.c"
echo "installed $prefix/bin/dockrun, $prefix/bin/fake-docker and $prefix/share/dockrun/test-image.sh" >&2
# The generator finds the dockrun its units run as PREFIX/bin/dockrun, three levels above its own directory.
install -D -m 0755 "$bin/dockrun-generator" "$prefix/lib/systemd/system-generators/dockrun-generator"
mkdir -p "$prefix/lib/systemd/user-generators"
ln -sfn ../system-generators/dockrun-generator "$prefix/lib/systemd/user-generators/dockrun-user-generator"
echo "installed $prefix/lib/systemd/system-generators/dockrun-generator and user-generators/dockrun-user-generator" >&2
mkdir -p "$prefix/share/man/man1"
install -m 0644 man/dockrun.1 man/fake-docker.1 "$prefix/share/man/man1/"
install -D -m 0644 man/dockrun-generator.8 "$prefix/share/man/man8/dockrun-generator.8"
echo "installed $prefix/share/man/man1/dockrun.1, fake-docker.1 and man8/dockrun-generator.8" >&2
