#!/usr/bin/env python3
"""Runs one command and prints, as one JSON object, the CPU and wall time of its whole process tree.

    scripts/tree_cost.py COMMAND [ARG...]

Used by scripts/bench.py. CPU is getrusage(RUSAGE_CHILDREN) once every process of the tree is reaped: the kernel
adds a reaped process's own user+sys and that of every descendant it reaped in turn, so a tree whose parents all
wait for their children is counted whole by the one wait for its root. A descendant whose parent does not wait
for it is reparented; this process is a child subreaper (PR_SET_CHILD_SUBREAPER), so such an orphan is
reparented here, not to init, and is reaped and counted here too. The JSON says how many were adopted
(`adopted`, by command name) and which were still running after the grace (`left`, not counted).

The command's stdout goes to this process's stderr: stdout carries only the JSON. The exit status is 0 whenever
the measurement was made, whatever the command's own status (`code` in the JSON).
"""

import ctypes
import json
import os
import resource
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
# How long orphans may run on after the command itself has ended before they are reported as left.
ORPHAN_GRACE_S = 10
ORPHAN_POLL_S = 0.005


def children_of_self():
    """This process's children, whichever of its threads forked them."""
    found = []
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as children:
            found += [int(p) for p in children.read().split()]
    return found


def comm(pid):
    # Readable for a zombie, unlike cmdline.
    with open(f"/proc/{pid}/comm") as name:
        return name.read().strip()


def main_thread_cpu_of_exited(pid):
    """On-CPU seconds of `pid`'s main thread (schedstat, exact), read while it is a zombie, so without its
    children: the process's own CPU when it has one thread, as dockrun has. (/proc/PID/stat would give every
    thread's, but in 10 ms clock ticks, too coarse beside a few milliseconds.)"""
    with open(f"/proc/{pid}/schedstat") as schedstat:
        return int(schedstat.read().split()[0]) / 1e9


def reap_orphans():
    """Waits for every adopted orphan, up to the grace; returns (names adopted and reaped, names still running)."""
    adopted = []
    deadline = time.monotonic() + ORPHAN_GRACE_S
    while True:
        try:
            exited = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return adopted, []
        if exited is not None:
            adopted.append(comm(exited.si_pid))
            os.waitpid(exited.si_pid, 0)
        elif time.monotonic() > deadline:
            return adopted, [comm(pid) for pid in children_of_self()]
        else:
            time.sleep(ORPHAN_POLL_S)


def main():
    argv = sys.argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print(f"tree_cost: prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return 2
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, 2, 1)])
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
    wall = time.perf_counter() - start
    main_thread = main_thread_cpu_of_exited(pid)
    _, status, _ = os.wait4(pid, 0)
    adopted, left = reap_orphans()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user, system = after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime
    print(json.dumps({"code": os.waitstatus_to_exitcode(status), "wall": wall, "cpu": user + system,
                      "user": user, "sys": system, "main_thread_cpu": main_thread,
                      "adopted": adopted, "left": left}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
