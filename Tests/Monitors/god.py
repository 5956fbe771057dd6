"""A private god: the example loaded from the test's directory, its pid files and logs there, in the foreground
(-D) under reaper.py (god double-forks what it starts; the reaper collects dockrun's exit status, which god never
reads), stopped by its PID. Its command socket is /tmp/god.PORT.sock (god has no option for it): PORT is chosen
free for the test, and the socket is removed by its path afterwards."""

import os
import random
import re
import signal
import subprocess
import sys

import examples
from examples import SERVICE_NAME
from example_monitor import ExampleMonitor
from waiting import wait_for, wait_until_container_runs

REAPER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reaper.py")


class God(ExampleMonitor):
    example = staticmethod(examples.god_config)

    def __init__(self, directory, config, env, output):
        super().__init__(directory, env, output)   # output: the watch's w.log
        self.pid_directory = os.path.join(directory, "god-pids")
        self.log = os.path.join(directory, "god.log")
        self.record = os.path.join(directory, "reaped")
        self.conf = os.path.join(directory, f"{SERVICE_NAME}.god")
        with open(self.conf, "w") as f:
            # As root god would write its pid files to /var/run/god, shared by every god of the machine.
            f.write(f"God.pid_file_directory = {self.pid_directory!r}\n{config}")
        self.port = next(port for port in iter(lambda: random.randrange(20000, 60000), None)
                         if not os.path.exists(f"/tmp/god.{port}.sock"))
        self.reaper = None

    def start(self):
        self.reaper = subprocess.Popen(
            [sys.executable, REAPER, self.record, "--", "god", "-c", self.conf, "-D", "-p", str(self.port),
             "--no-syslog", "--log", self.log],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True)
        wait_for("god answers", lambda: self.ctl("status").returncode == 0 or self.reaper.poll() is not None, 30)
        assert self.reaper.poll() is None, f"god exited: {self.log_text()}"

    @property
    def pid(self):
        with open(self.record) as f:
            return int(f.readline().split()[1])

    def ctl(self, *args):
        return subprocess.run(["god", "-p", str(self.port), *args], env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=60)

    def watched_pid(self):
        """The PID god watches (dockrun's), from its pid file, or 0."""
        try:
            with open(os.path.join(self.pid_directory, f"{SERVICE_NAME}.pid")) as f:
                text = f.read().strip()
        except FileNotFoundError:
            return 0
        return int(text) if text.isdigit() else 0

    def ends(self):
        """{pid: "exited N" or "killed SIGNAME"} of every process the reaper collected, god's own included."""
        try:
            with open(self.record) as f:
                lines = f.read().splitlines()[1:]
        except FileNotFoundError:
            return {}
        return {int(pid): end for pid, end in (line.split(" ", 1) for line in lines)}

    def wait_until_running(self, engine, token):
        def still_trying():
            refused = [pid for pid, end in self.ends().items() if end == "exited 125"]
            assert not refused, f"dockrun exited 125 (docker refused the run):\n{self.output()}"

        wait_until_container_runs(engine, token, self.output, still_trying)
        wait_for("god says up", lambda: f"{SERVICE_NAME}: up" in self.ctl("status").stdout, 30)

    def sent_sigkill(self):
        return re.search(rf"{re.escape(SERVICE_NAME)} still alive after \S+; sent SIGKILL", self.log_text())

    def stop(self):
        """`god stop` of the watch (god's own TERM would leave it running), then TERM to god by its PID."""
        if self.reaper is None or self.reaper.poll() is not None:
            return
        self.ctl("stop", SERVICE_NAME)
        try:
            wait_for("dockrun gone", lambda: not alive(self.watched_pid()), 60)
        except AssertionError:
            pass    # the test has failed already; its teardown kills what is left by PID
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.reaper.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.reaper.kill()
            self.reaper.wait()
        try:
            os.unlink(f"/tmp/god.{self.port}.sock")
        except FileNotFoundError:
            pass


def alive(pid):
    if pid <= 0:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (FileNotFoundError, ProcessLookupError):
        return False
