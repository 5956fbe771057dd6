"""The engine that the benchmarks' and the monitor tests' containers run on: fake-docker with a state file of its
own, or a real Docker Engine. Both are reached the way dockrun reaches them, through environment variables
(DOCKRUN_DOCKER, FAKE_DOCKER_STATE, DOCKER_HOST), so the same variables are given to dockrun, the docker CLI and the
monitors.

The one such helper of the Python scripts (bench.py, bench-restart.py, bench-monitors.py) and of Tests/Monitors;
each puts this folder on sys.path by its own file's location, so it imports from any directory. (The Swift tests
have theirs in Tests/Conformance/Support.)"""

import os
import subprocess

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
# The test image, made by its one recipe (test-image.sh), which the Swift tests and engine-start.sh use too.
TEST_IMAGE = "dockrun-test/busybox:latest"
TEST_IMAGE_SCRIPT = os.path.join(SCRIPTS, "test-image.sh")
ENGINE_RESTART = os.path.join(SCRIPTS, "engine-restart.sh")


class EngineError(Exception):
    """A docker command that failed or an engine that cannot be used; the message says which and why."""


class EngineUnavailable(EngineError):
    """No real engine to use here: no host named, no docker CLI, or no answer. A reason to skip, not a failure."""


class Engine:
    def __init__(self, name, cli, env, private, state=None, directory=None, version=None, through=()):
        self.name = name                # "fake-docker" or "docker"
        self.cli = cli                  # the docker CLI: fake-docker's path, or docker
        self.env = env                  # the variables that reach the engine, for dockrun, docker and the monitors
        self.private = private          # every container of the engine is the caller's (a fake state of its own)
        self.state = state              # fake-docker's state file, or None
        self.directory = directory      # where engine-start.sh started the real engine (so it can restart it), or None
        self.version = version          # the real engine's version, or None
        self.through = list(through)    # a prefix such as nsenter's, to run the CLI in a namespace

    @classmethod
    def fake(cls, bin_dir, state, rootfs_tar=None):
        """fake-docker of `bin_dir` with the state file `state` (made when new) and the test image imported, from
        `rootfs_tar` (made by `test-image.sh rootfs`) when given: a caller with many states makes the tar once."""
        cli = os.path.join(bin_dir, "fake-docker")
        engine = cls("fake-docker", cli, {"DOCKRUN_DOCKER": cli, "FAKE_DOCKER_STATE": state}, private=True,
                     state=state)
        engine.import_test_image(rootfs_tar)
        return engine

    @classmethod
    def real(cls, host=None, directory=None):
        """The real engine at `host` (default: DOCKER_HOST), or the one scripts/engine-start.sh started in
        `directory` (its socket DIRECTORY/docker.sock; only such an engine can be restarted), with the test image
        imported. EngineUnavailable, saying why, when there is none to use: no host, no docker CLI, no answer."""
        if directory is not None:
            host = f"unix://{directory}/docker.sock"
        host = host or os.environ.get("DOCKER_HOST")
        if not host:
            raise EngineUnavailable("DOCKER_HOST is not set")
        engine = cls("docker", "docker", {"DOCKRUN_DOCKER": "docker", "DOCKER_HOST": host}, private=False,
                     directory=directory)
        try:
            engine.version = engine.docker("version", "--format", "{{.Server.Version}}", timeout=15).stdout.strip()
        except EngineError as error:
            raise EngineUnavailable(str(error)) from None
        engine.import_test_image()
        return engine

    def seen_from(self, prefix):
        """The same engine, its CLI run through `prefix`. fake-docker records a container's processes by PID and
        takes a PID it cannot see for a dead one (and marks its container exited): the containers started inside
        systemd's PID namespace must be looked at from inside it."""
        return Engine(self.name, self.cli, self.env, self.private, self.state, self.directory, self.version, prefix)

    def full_env(self, extra=None):
        """This process's environment with the engine's variables (and `extra`): what a child that reaches the
        engine gets. DOCKER_CONTEXT is left out: DOCKER_HOST names the engine, a context would name another."""
        env = {name: value for name, value in os.environ.items() if name != "DOCKER_CONTEXT"}
        env.update(self.env)
        env.update(extra or {})
        return env

    def cmd(self, *args):
        """The argv of a docker command on this engine."""
        return [*self.through, self.cli, *args]

    def docker(self, *args, check=True, timeout=60):
        """Runs a docker command to its end: its CompletedProcess (text). With `check`, any exit but 0 (or no end
        within `timeout` seconds, or no CLI) is an EngineError with the command and docker's message."""
        try:
            done = subprocess.run(self.cmd(*args), env=self.full_env(), stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise EngineError(f"{self.name} {' '.join(args)}: {error}") from None
        if check and done.returncode != 0:
            raise EngineError(f"{self.name} {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
        return done

    def import_test_image(self, rootfs_tar=None):
        """Imports TEST_IMAGE with test-image.sh (from `rootfs_tar` when given), unless the engine has it."""
        if self.docker("image", "inspect", TEST_IMAGE, check=False).returncode == 0:
            return
        source = [rootfs_tar] if rootfs_tar else []
        imported = subprocess.run(["bash", TEST_IMAGE_SCRIPT, "import", self.cli, *source], env=self.full_env(),
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if imported.returncode != 0:
            raise EngineError(f"importing {TEST_IMAGE} into {self.name} failed: {imported.stderr.strip()}")

    def restart(self, down, live_restore=True):
        """Restarts the engine, down for `down` seconds: fake-docker's `script --restart` (with or without
        live-restore), or scripts/engine-restart.sh for a real engine started in a directory (its own setting
        decides live-restore). Returns once the engine answers again."""
        if self.state is not None:
            self.docker("script", "--restart", "--down", str(down), *(["--live-restore"] if live_restore else []),
                        timeout=down + 60)
            return
        if self.directory is None:
            raise EngineError("only an engine started by scripts/engine-start.sh (in a directory) can be restarted")
        restarted = subprocess.run(["bash", ENGINE_RESTART, "--down", str(down)],
                                   env=self.full_env({"DOCKRUN_ENGINE_DIR": self.directory}),
                                   stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if restarted.returncode != 0:
            raise EngineError(f"engine-restart.sh: {restarted.stderr.strip()}")

    def selection(self, label):
        """The `ps` filter for the caller's containers: every one of a private engine, else those labelled
        `label` (KEY=VALUE), so that on a shared real engine a caller finds its own containers, and only those."""
        return [] if self.private else ["--filter", f"label={label}"]

    def containers(self, label):
        """The caller's containers, running or not, as `ID NAME STATUS` lines."""
        listed = self.docker("ps", "-a", "--no-trunc", *self.selection(label), "--format",
                             "{{.ID}} {{.Names}} {{.Status}}")
        return [line for line in listed.stdout.splitlines() if line.strip()]

    def container_ids(self, label, running=False):
        """The full IDs of the caller's containers; with `running`, of those that run."""
        listed = self.docker("ps", *([] if running else ["-a"]), "-q", "--no-trunc", *self.selection(label))
        return listed.stdout.split()

    def remove_containers(self, label):
        """Removes (and so stops) the caller's containers; returns how many there were. For a teardown: a failure
        is not reported."""
        ids = self.container_ids(label)
        if ids:
            self.docker("rm", "-f", *ids, check=False)
        return len(ids)

    def shims(self):
        """fake-docker's shim processes of this state (`fake-docker __shim ID --state PATH`); none on the engine."""
        if self.state is None:
            return []
        return [f"shim {pid}: {' '.join(argv)}" for pid, argv in process_arguments()
                if "__shim" in argv and self.state in argv]


def process_arguments():
    """(pid, argv) of every live process that can be read."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                raw = f.read()
        except OSError:
            continue
        if raw:
            yield int(entry), [part.decode(errors="replace") for part in raw.rstrip(b"\0").split(b"\0")]
