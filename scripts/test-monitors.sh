#!/usr/bin/env bash
# The monitor integration tests (Tests/Monitors): the units of examples/ under a real systemd (PID 1 of a private
# PID + mount namespace), supervisord, god, runit and s6, and dockrun's readiness protocol on a real NOTIFY_SOCKET;
# against fake-docker, and also against the real engine when DOCKER_HOST is set and answers.
#     bash scripts/test-monitors.sh [PYTEST ARGUMENTS]      # e.g. -k supervisord, -x
# Installs supervisor, ruby-god, runit and s6 when missing (apt-get), installs dockrun and fake-docker with
# scripts/install.sh into a temporary prefix (the examples' /usr/local/bin/dockrun becomes that prefix's), runs
# pytest and prints its summary; every test removes what it started, and the prefix is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
# pytest: the python3 on PATH's when it has one (a virtualenv, pip), else Debian's for the system python3.
python=python3
pytest=()
if ! python3 -c 'import pytest' 2>/dev/null; then
    python=/usr/bin/python3
    /usr/bin/python3 -c 'import pytest' 2>/dev/null || pytest=(python3-pytest)
fi
bash scripts/ensure-deps.sh supervisor:supervisord ruby-god:god runit:runsv s6:s6-svscan "${pytest[@]}"
# systemd is booted in namespaces of its own and the monitors run as root: unshare, mount and nsenter need it.
if [ "$(id -u)" != 0 ]; then
    echo "test-monitors: must run as root (systemd in a PID + mount namespace, fake-docker's chroot)" >&2
    exit 1
fi

prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
bash scripts/install.sh --prefix "$prefix" 2>/dev/null
# -p no:cacheprovider: no .pytest_cache in the checkout; -ra: a summary line for every test that did not pass.
DOCKRUN_MONITOR_BIN=$prefix/bin "$python" -m pytest -p no:cacheprovider -ra Tests/Monitors "$@"
