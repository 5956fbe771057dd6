"""What runit's and s6's drivers share: the example is a service directory (examples/runit/, examples/s6/) written
into a private scan directory, which the monitor's scanner (runsvdir, s6-svscan) is started on, in the
foreground, as a child of the test, and stopped by its PID. The service's output is its log service's file
(log/run's `current`); how each run ended is what ./finish was told, which it writes there."""

import os
import re
import signal
import subprocess

import examples
from examples import SERVICE_NAME
from example_monitor import ExampleMonitor
from leftovers import assert_nothing_left, marked_processes
from waiting import read_text, wait_for, wait_until_container_runs


class ServiceDirectoryMonitor(ExampleMonitor):
    example_directory = None    # the folder of examples/: "runit" or "s6"
    scanner = None              # the program started on the scan directory
    own_programs = ()           # the programs of the monitor itself (scanner, supervisors, logger)

    @classmethod
    def for_example(cls, directory, dockrun, workload, env, settings=None):
        log_directory = os.path.join(directory, f"{SERVICE_NAME}-log")
        files = examples.service_directory(cls.example_directory, dockrun, workload, log_directory, settings)
        return cls(directory, files, env, os.path.join(log_directory, "current"))

    def __init__(self, directory, files, env, output):
        super().__init__(directory, env, output)   # output: the log service's current file
        self.log = os.path.join(directory, f"{self.scanner}.log")    # the scanner's own output
        self.scan = os.path.join(directory, "service")
        self.service = os.path.join(self.scan, SERVICE_NAME)
        for path, text in files.items():
            full = os.path.join(self.service, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
            if text.startswith("#!"):
                os.chmod(full, 0o755)
        self.process = None

    def start(self):
        with open(self.log, "w") as log:
            self.process = subprocess.Popen([self.scanner, self.scan], env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(f"{self.scanner} supervises the service",
                 lambda: self.supervised() or self.process.poll() is not None, 20)
        assert self.process.poll() is None, f"{self.scanner} exited {self.process.returncode}: {self.log_text()}"

    @property
    def pid(self):
        return self.process.pid

    def own_pids(self, token):
        """The PIDs of the monitor's own processes, which carry the test's mark as dockrun does: not leftovers."""
        return {self.pid} | {pid for pid, argv in marked_processes(token)
                             if os.path.basename(argv.split(" ", 1)[0]) in self.own_programs}

    def run(self, *command, timeout=120):
        return subprocess.run(command, env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout)

    def ends(self):
        """(exit code, signal) of each end of ./run, as ./finish was given them (its line in the log)."""
        return re.findall(rf"{re.escape(SERVICE_NAME)} ended: exit code (-?\d+), signal (\d+)", self.output())

    def starts(self, token):
        return self.output().count(f"{token} running")

    def wait_until_running(self, engine, token, starts=1):
        """Until the container runs, its `starts`-th first line is in the log and the monitor says up."""
        wait_until_container_runs(engine, token, self.output)
        wait_for(f"start {starts} in the log", lambda: self.starts(token) >= starts, 60)
        wait_for(f"{self.scanner} says up", self.up, 30)

    def down(self):
        """The service stopped, and not started again, as stop_command() does."""
        self.run(*self.stop_command())

    def stop(self):
        """Brings the service down (waiting for ./finish), then ends the scanner and its supervisors by PID."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.down()
        except (AssertionError, subprocess.TimeoutExpired):
            pass    # the test has failed already; the setting kills what is left by PID
        self.end_scanner()

    def terminate_scanner(self):
        """TERM to the scanner by its PID, waited for (KILL after a minute)."""
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.process.wait()

    def assert_nothing_left(self, engine, token, setting):
        """Nothing of the test is left (leftovers.py) but the monitor's own processes."""
        assert_nothing_left(engine, token, setting.tmpdir, exclude=self.own_pids(token))

    def log_text(self):
        return read_text(self.log) + self.output()
