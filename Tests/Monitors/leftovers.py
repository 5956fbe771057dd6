"""What a test may have left behind: containers, fake-docker shims, files in the TMPDIR given to dockrun, and
processes. A test's processes are recognised by its token: the monitor's environment carries
DOCKRUN_MONITOR_TEST=<token> (inherited by dockrun, its docker clients, its guardian and fake-docker's shims), and
each container's command line contains the token."""

import os

from waiting import wait_for
from workloads import token_label

MARK_VARIABLE = "DOCKRUN_MONITOR_TEST"


def marked_processes(token, exclude=()):
    """(pid, command line) of the live (not zombie) processes whose environment or command line carries the token,
    but for `exclude`."""
    found = []
    mark = f"{MARK_VARIABLE}={token}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in exclude or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
        except (OSError, IndexError):
            continue
        if state == b"Z":
            continue
        if token.encode() in cmdline or mark in environ.split(b"\0"):
            argv = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()
            found.append((int(entry), argv))
    return found


def leftovers(engine, token, tmpdir, exclude=()):
    """Everything of the test still there, one description each; empty when nothing is left."""
    found = [f"container {line}" for line in engine.containers(token_label(token))]
    found += engine.shims()
    if os.path.isdir(tmpdir):
        found += [f"file in TMPDIR: {os.path.join(tmpdir, name)}" for name in sorted(os.listdir(tmpdir))]
    found += [f"process {pid}: {argv}" for pid, argv in marked_processes(token, exclude)]
    return found


def assert_nothing_left(engine, token, tmpdir, exclude=(), within=15):
    """Waits up to `within` seconds for the test's containers, shims, temp files and processes to be gone (a
    guardian or a `docker rm` may still be finishing), then fails with the list of what is still there."""
    last = []

    def nothing_left():
        last[:] = leftovers(engine, token, tmpdir, exclude)
        return not last

    try:
        wait_for("nothing of the test left", nothing_left, within, interval=0.2)
    except AssertionError:
        raise AssertionError("left behind:\n  " + "\n  ".join(last)) from None
