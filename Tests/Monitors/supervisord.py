"""A private supervisord: its own config, socket, logs and pid file in the test's directory, the example program
included from a file of its own, started in the foreground as a child of the test and stopped by its PID."""

import os
import re
import signal
import subprocess

import examples
from examples import SERVICE_NAME
from example_monitor import ExampleMonitor
from waiting import wait_for, wait_until_container_runs


class Supervisord(ExampleMonitor):
    example = staticmethod(examples.supervisord_program)

    def __init__(self, directory, program, env, output):
        super().__init__(directory, env, output)   # output: the program's stdout_logfile
        self.log = os.path.join(directory, "supervisord.log")
        self.conf = os.path.join(directory, "supervisord.conf")
        self.socket = os.path.join(directory, "supervisor.sock")
        program_file = os.path.join(directory, f"{SERVICE_NAME}.conf")
        with open(program_file, "w") as f:
            f.write(program)
        with open(self.conf, "w") as f:
            f.write(f"""[supervisord]
nodaemon=true
logfile={self.log}
pidfile={directory}/supervisord.pid
childlogdir={directory}
loglevel=info

[unix_http_server]
file={self.socket}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{self.socket}

[include]
files = {program_file}
""")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(["supervisord", "-c", self.conf], env=self.env, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for("supervisorctl answers", lambda: self.ctl("pid").returncode == 0 or self.process.poll() is not None,
                 20)
        assert self.process.poll() is None, f"supervisord exited {self.process.returncode}: {self.log_text()}"

    @property
    def pid(self):
        return self.process.pid

    def ctl(self, *args, timeout=120):
        return subprocess.run(["supervisorctl", "-c", self.conf, *args], env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)

    def program_pid(self):
        """dockrun's PID while the program runs, else 0."""
        answer = self.ctl("pid", SERVICE_NAME).stdout.strip()
        return int(answer) if answer.isdigit() else 0

    def status(self):
        return self.ctl("status", SERVICE_NAME).stdout

    def wait_until_running(self, engine, token):
        def still_trying():
            assert "FATAL" not in self.status(), f"supervisord gave up: {self.log_text()}\n{self.output()}"

        wait_until_container_runs(engine, token, self.output, still_trying)
        wait_for("supervisord says RUNNING", lambda: "RUNNING" in self.status(), 30)

    def exits(self):
        """What supervisord logged of each end of the program: `exit status 3; not expected`,
        `terminated by SIGKILL`, ..."""
        return re.findall(rf"(?:exited|stopped): {re.escape(SERVICE_NAME)} \(([^)]*)\)", self.log_text())

    def stop(self):
        """Stops supervisord by its PID (TERM: it stops its programs as for `supervisorctl stop`, then exits)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
