#!/usr/bin/env python3
"""Runs a monitor as the child of a child subreaper and records how each of its orphaned descendants ended:

    reaper.py RECORD -- COMMAND [ARG...]

god double-forks what it starts, so dockrun's parent exits at once and nobody reads dockrun's exit status (god
itself only sees the PID vanish; the machine's PID 1 here does not reap either). As a subreaper
(PR_SET_CHILD_SUBREAPER) this process becomes the parent of every orphan below it, reaps it, and appends
`PID exited CODE` or `PID killed SIGNAL` to RECORD; the first line is `started PID` (the monitor's). It exits when it
has no child left, with the monitor's own status."""

import ctypes
import os
import signal
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    record_path, separator, *command = sys.argv[1:]
    assert separator == "--" and command, __doc__
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"reaper: prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")
    monitor = os.fork()
    if monitor == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    monitor_status = 1
    with open(record_path, "a", buffering=1) as record:
        record.write(f"started {monitor}\n")
        while True:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            if os.WIFSIGNALED(status):
                record.write(f"{pid} killed {signal.Signals(os.WTERMSIG(status)).name}\n")
            else:
                record.write(f"{pid} exited {os.WEXITSTATUS(status)}\n")
            if pid == monitor:
                monitor_status = os.waitstatus_to_exitcode(status)
    sys.exit(monitor_status if monitor_status >= 0 else 128 - monitor_status)


if __name__ == "__main__":
    main()
