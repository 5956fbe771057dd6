"""The engine a test's containers run on: fake-docker with a private state file, or the real engine that
DOCKER_HOST names. Both are reached the way dockrun reaches them, through environment variables
(DOCKRUN_DOCKER, FAKE_DOCKER_STATE, DOCKER_HOST), so the same environment is given to the monitors."""

import os
import subprocess

from image import import_test_image

# Every container a test starts carries this label with the test's token, so that on a shared real engine the
# test finds its own containers, and only those.
TEST_LABEL = "io.dockrun.monitor-test"


class Engine:
    def __init__(self, name, docker, env, owns_all_containers, state=None, through=()):
        self.name = name
        self.docker_cli = docker
        self.through = list(through)            # a prefix such as nsenter's, to run the CLI in a namespace
        self.env = env                          # what dockrun, docker and the monitors need to reach the engine
        self.owns_all_containers = owns_all_containers
        self.state = state                      # fake-docker's state file, or None

    @classmethod
    def fake(cls, bin_dir, state_dir):
        """fake-docker with a state of its own (the test image imported into it): every container in it is
        the test's."""
        docker = os.path.join(bin_dir, "fake-docker")
        state = os.path.join(state_dir, "state.sqlite")
        engine = cls("fake-docker", docker, {"DOCKRUN_DOCKER": docker, "FAKE_DOCKER_STATE": state},
                     owns_all_containers=True, state=state)
        import_test_image(docker, engine.full_env())
        return engine

    @classmethod
    def real(cls):
        """The real engine DOCKER_HOST names, when it answers; else None."""
        host = os.environ.get("DOCKER_HOST")
        if not host:
            return None
        env = {"DOCKRUN_DOCKER": "docker", "DOCKER_HOST": host}
        engine = cls("docker", "docker", env, owns_all_containers=False)
        try:
            answered = engine.docker("version", "--format", "{{.Server.Version}}", check=False, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if answered.returncode != 0:
            return None
        import_test_image("docker", engine.full_env())
        return engine

    def seen_from(self, prefix):
        """The same engine, its CLI run through `prefix`. fake-docker records a container's processes by PID and
        takes a PID it cannot see for a dead one (and marks its container exited): the containers started inside
        systemd's PID namespace must be looked at from inside it."""
        return Engine(self.name, self.docker_cli, self.env, self.owns_all_containers, self.state, prefix)

    def full_env(self, extra=None):
        env = dict(os.environ)
        env.update(self.env)
        env.update(extra or {})
        return env

    def docker(self, *args, check=True, timeout=60):
        done = subprocess.run([*self.through, self.docker_cli, *args], env=self.full_env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{self.name} {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
        return done

    def containers(self, token):
        """The test's containers, running or not, as `ID NAME STATUS` lines."""
        selection = [] if self.owns_all_containers else ["--filter", f"label={TEST_LABEL}={token}"]
        listed = self.docker("ps", "-a", "--no-trunc", *selection, "--format", "{{.ID}} {{.Names}} {{.Status}}")
        return [line for line in listed.stdout.splitlines() if line.strip()]

    def running_container_ids(self, token):
        selection = [] if self.owns_all_containers else ["--filter", f"label={TEST_LABEL}={token}"]
        return self.docker("ps", "-q", "--no-trunc", *selection).stdout.split()

    def shims(self):
        """fake-docker's shim processes of this state (`fake-docker __shim ID --state PATH`); none on the engine."""
        if self.state is None:
            return []
        found = []
        for pid, argv in process_arguments():
            if "__shim" in argv and self.state in argv:
                found.append(f"shim {pid}: {' '.join(argv)}")
        return found

    def remove_containers(self, token):
        """Teardown after a failed test: removes (and so stops) whatever the test left, so nothing outlives it."""
        ids = [line.split()[0] for line in self.containers(token)]
        if ids:
            self.docker("rm", "-f", *ids, check=False)


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
