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

from waiting import wait_for

COVERED = ("/tmp", "/var/tmp", "/run")
TARGET = "dockrun-test.target"

# The targets a unit with the default dependencies refers to (Requires=sysinit.target, After=basic.target,
# Conflicts=shutdown.target), empty: the example unit keeps its default dependencies, as it has on a real machine.
STUB_TARGETS = ("sysinit.target", "basic.target", "shutdown.target", "multi-user.target")


def covered(path):
    return any(path == top or path.startswith(top + "/") for top in COVERED)


class SystemdNamespace:
    def __init__(self, directory, units, carry):
        """`units`: {file name: text} (drop-ins as "NAME.service.d/FILE.conf"); `carry`: paths the units need."""
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
export SYSTEMD_UNIT_PATH="{self.unit_dir}"
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

    def stop(self):
        if self.unshare is None or self.unshare.poll() is not None:
            return
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
        else:
            os.kill(self.unshare.pid, signal.SIGKILL)
        self.unshare.wait(timeout=30)
