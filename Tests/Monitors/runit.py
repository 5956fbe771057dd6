"""A private runit (Debian's runit 2.1.2): runsvdir on the test's own scan directory, which holds the example's
service directory; runsv supervises ./run (dockrun) and log/run (svlogd) and reaps them; `sv` talks to runsv
through the service directory's supervise/ pipes."""

import os
import signal

from god import alive
from service_directory import ServiceDirectoryMonitor
from waiting import wait_for


class Runit(ServiceDirectoryMonitor):
    example_directory = "runit"
    scanner = "runsvdir"
    own_programs = ("runsvdir", "runsv", "svlogd")

    def sv(self, *command, wait=60):
        """`sv -w WAIT COMMAND SERVICE`: sends the command and waits up to WAIT seconds for it to take effect."""
        return self.run("sv", "-w", str(wait), *command, self.service, timeout=wait + 60)

    def supervised(self):
        return os.path.exists(os.path.join(self.service, "supervise", "ok")) and self.up()

    def up(self):
        return self.run("sv", "status", self.service).stdout.startswith("run: ")

    def start_service(self):
        self.sv("start")

    def stop_command(self):
        """`sv stop`, waiting up to 60 s for the service to be down (./finish done)."""
        return ["sv", "-w", "60", "stop", self.service]

    def end_scanner(self):
        # runsvdir starts a runsv again for each service whose runsv exited: it goes first (TERM: it exits and
        # leaves its runsv alone). Then `sv exit` makes the service's runsv stop ./run, close the log service's
        # input and exit once the logger is done.
        supervisors = children(self.pid)
        self.terminate_scanner()
        self.sv("exit", wait=30)
        try:
            wait_for("runsv gone", lambda: not any(alive(pid) for pid in supervisors), 30)
        except AssertionError:
            for pid in supervisors:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def children(pid):
    """The PIDs whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    if int(f.read().rsplit(b")", 1)[1].split()[1]) == pid:
                        found.append(int(entry))
            except (OSError, IndexError):
                pass
    return found

