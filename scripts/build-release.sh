#!/usr/bin/env bash
# The one release build of dockrun, fake-docker and dockrun-generator, which install.sh and the benchmarks use:
#     bash scripts/build-release.sh      # prints the directory holding them; the build's output goes to stderr
# `swift build -c release --static-swift-stdlib` into .build-release, apart from the debug .build that `swift build`
# and the tests use (incremental; a concurrent build of the same directory waits for SwiftPM's lock). The static Swift
# runtime makes the binaries depend on nothing under the toolchain, so a service manager can run them on a machine
# (or in a mount namespace) without it, and takes the runtime's dynamic loading off every start, as in a shipped CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
build=(swift build -c release --static-swift-stdlib --scratch-path .build-release)
"${build[@]}" --product dockrun >&2
# fake-docker is linked as a position-dependent executable: a static-Swift PIE has ~70,000 relocations that the dynamic
# loader writes into ~190 pages at every start, and fake-docker starts three times per `run` (client, create request,
# shim): 0.5 ms of CPU each (docs/benchmarks.md, issue 17). dockrun, started once, keeps the default.
"${build[@]}" --product fake-docker -Xlinker -no-pie >&2
"${build[@]}" --product dockrun-generator >&2
"${build[@]}" --show-bin-path
