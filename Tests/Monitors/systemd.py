"""systemd 252 as PID 1 of a private PID + mount namespace, booted exactly as ../shared/supervisors.md found safe:
booted carelessly it runs the machine's own units, and systemd-tmpfiles then empties the host's /tmp.

- `unshare --pid --mount --fork --mount-proc`, in a session of its own, then in the namespace: `mount
  --make-rprivate /`, a fresh tmpfs on /tmp, /var/tmp and /run, `mkdir -p /run/systemd/system`;
- the test's own paths under those (its directory, the products, an engine's socket) are opened before the tmpfs
  covers them and bind-mounted back at the same path from /proc/self/fd (with --no-canonicalize, which would
  otherwise resolve the link to the hidden path);
- SYSTEMD_UNIT_PATH names only the test's unit directory (no trailing colon: the machine's units are not loaded
  at all), and systemd boots to the test's own target;
- stopped by SIGKILL to its PID (as seen from here), which ends the whole namespace.
systemctl reaches it with `nsenter -t PID -m -p` (its private bus is in its /run)."""

import os
import signal
import subprocess
from urllib.parse import urlparse

import examples
from waiting import read_text, wait_for

COVERED = ("/tmp", "/var/tmp", "/run")
TARGET = "dockrun-test.target"

# The targets a unit with the default dependencies refers to (Requires=sysinit.target, After=basic.target,
# Conflicts=shutdown.target), empty: the example unit keeps its default dependencies, as it has on a real machine.
STUB_TARGETS = ("sysinit.target", "basic.target", "shutdown.target", "multi-user.target")


def covered(path):
    return any(path == top or path.startswith(top + "/") for top in COVERED)


class SystemdNamespace:
    def __init__(self, directory, units, carry, generators=None):
        """`units`: {file name: text} (drop-ins as "NAME.service.d/FILE.conf"); `carry`: paths the units need;
        `generators`: a directory of generators systemd runs (SYSTEMD_GENERATOR_PATH), whose units it loads from
        its generator directory, after the test's own."""
        self.directory = directory
        self.unit_dir = os.path.join(directory, "units")
        self.log = os.path.join(directory, "systemd.log")
        os.makedirs(self.unit_dir)
        files = dict(units)
        for target in STUB_TARGETS:
            files[target] = "[Unit]\nDefaultDependencies=no\n"
        files[TARGET] = "[Unit]\nDefaultDependencies=no\n"
        for name, text in files.items():
            path = os.path.join(self.unit_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        self.carry = sorted({os.path.realpath(p) for p in [directory, *carry] if covered(os.path.realpath(p))})
        unit_path = self.unit_dir
        exports = ""
        if generators:
            unit_path += ":/run/systemd/generator"
            exports = f'export SYSTEMD_GENERATOR_PATH="{generators}"\n'
        self.boot_script = os.path.join(directory, "boot.sh")
        opens = " ".join(f'{10 + i}<"{path}"' for i, path in enumerate(self.carry))
        binds = "\n".join(f'mkdir -p "{path}" && mount --no-canonicalize --bind /proc/self/fd/{10 + i} "{path}"'
                          for i, path in enumerate(self.carry))
        closes = " ".join(f"{10 + i}<&-" for i in range(len(self.carry)))
        with open(self.boot_script, "w") as f:
            f.write(f"""set -e
mount --make-rprivate /
exec {opens}
for top in {' '.join(COVERED)}; do mount -t tmpfs tmpfs "$top"; done
mkdir -p /run/systemd/system
{binds}
exec {closes}
{exports}export SYSTEMD_UNIT_PATH="{unit_path}"
exec /lib/systemd/systemd --system --unit={TARGET}
""")
        self.unshare = None
        self.pid = 0

    def start(self):
        with open(self.log, "w") as log:
            self.unshare = subprocess.Popen(
                ["unshare", "--pid", "--mount", "--fork", "--mount-proc", "bash", self.boot_script],
                env={"PATH": os.environ["PATH"]}, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.pid = wait_for("systemd's PID", self._child_of_unshare, 10)
        wait_for("systemd running", lambda: self._booted(), 30, interval=0.1)

    def _child_of_unshare(self):
        assert self.unshare.poll() is None, f"the namespace ended: {open(self.log).read()}"
        try:
            with open(f"/proc/{self.unshare.pid}/task/{self.unshare.pid}/children") as f:
                children = f.read().split()
        except FileNotFoundError:
            return 0
        return int(children[0]) if children else 0

    def _booted(self):
        assert self.unshare.poll() is None, f"the namespace ended: {open(self.log).read()}"
        state = self.systemctl("is-system-running", check=False).stdout.strip()
        return state in ("running", "degraded")

    def systemctl(self, *args, check=True, timeout=120):
        done = subprocess.run(["nsenter", "-t", str(self.pid), "-m", "-p", "systemctl", *args],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"systemctl {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
        return done

    def show(self, unit, *properties):
        shown = self.systemctl("show", "--timestamp=us+utc", unit, *[f"--property={p}" for p in properties])
        return dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)

    def wait_active(self, unit, seconds, explain):
        """Waits for `unit` to be active (for a Type=notify unit: READY=1), failing at once when it failed, with
        `explain()` (the unit's output) in the message."""
        def settled():
            state = self.show(unit, "ActiveState")["ActiveState"]
            return state if state in ("active", "failed") else None

        state = wait_for(f"{unit} active (READY=1)", settled, seconds, interval=0.02)
        assert state == "active", f"{unit} failed to start:\n{explain()}"

    def stop(self):
        if self.unshare is None or self.unshare.poll() is not None:
            return
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
        else:
            os.kill(self.unshare.pid, signal.SIGKILL)
        self.unshare.wait(timeout=30)


def environment_drop_in(engine, env, output):
    """A unit's drop-in that adds only the engine's environment and the test's mark, and sends the output to a
    file (there is no journald in the namespace)."""
    environment = {name: env[name] for name in [*engine.env, "DOCKRUN_MONITOR_TEST"]}
    drop_in = "[Service]\n" + "".join(f'Environment="{name}={value}"\n' for name, value in environment.items())
    return drop_in + f"StandardOutput=append:{output}\nStandardError=append:{output}\n"


def engine_carry(engine):
    """The engine's paths the namespace needs: a real engine's socket directory."""
    host = engine.env.get("DOCKER_HOST", "")
    return [os.path.dirname(urlparse(host).path)] if host.startswith("unix://") else []


class ExampleUnit:
    """examples/dockrun-example.service in a namespace of its own. The unit is installed under a name of the
    test's own (cgroups are not namespaced here, so two namespaces running one unit name would share its cgroup); a
    drop-in adds only the engine's environment and the test's mark, and sends the output to a file (there is no
    journald in the namespace). dockrun's TMPDIR is the unit's own RuntimeDirectory, seen from here through
    /proc/PID/root of the namespace's systemd. `start` is --no-block with a deadline of its own: a dockrun that
    never sends READY=1 fails in READY_SECONDS, not after the unit's TimeoutStartSec."""

    READY_SECONDS = 30

    def __init__(self, directory, dockrun, bin_dir, engine, env, token, workload, settings=None):
        self.unit = f"{examples.SERVICE_NAME}-{token.rsplit('-', 1)[1]}.service"
        output = os.path.join(directory, "unit.log")
        self.output = lambda: read_text(output)
        drop_in = environment_drop_in(engine, env, output)
        carry = [bin_dir, os.path.dirname(dockrun), *engine_carry(engine)]
        self.systemd = SystemdNamespace(directory, {self.unit: examples.systemd_unit(dockrun, workload, settings),
                                                    f"{self.unit}.d/environment.conf": drop_in}, carry)
        self.outside_engine = engine
        self.engine = None
        self.tmpdir = None

    def boot(self):
        self.systemd.start()
        self.engine = self.outside_engine.seen_from(["nsenter", "-t", str(self.systemd.pid), "-m", "-p"])
        self.tmpdir = f"/proc/{self.systemd.pid}/root/run/{examples.SERVICE_NAME}"     # %t/dockrun-example

    def show(self, *properties):
        return self.systemd.show(self.unit, *properties)

    def state(self):
        return self.show("ActiveState")["ActiveState"]

    def start(self, ready_seconds=READY_SECONDS):
        """Starts the unit and waits for it to be active, that is for READY=1 (Type=notify)."""
        self.systemd.systemctl("start", "--no-block", self.unit)
        self.systemd.wait_active(self.unit, ready_seconds, self.output)

    def stop(self):
        self.systemd.systemctl("stop", self.unit)
