"""examples/dockrun-example.service under a real systemd (252), PID 1 of a private PID + mount namespace
(systemd.py). The unit is installed under a name of the test's own (cgroups are not namespaced here, so two
namespaces running one unit name would share its cgroup); a drop-in adds only the engine's environment and sends
the output to a file (there is no journald in the namespace). dockrun's TMPDIR is the unit's own, its
RuntimeDirectory, seen from here through /proc/PID/root of the namespace's systemd. Every systemctl call but `stop` is --no-block with the
test's own deadline: a dockrun that never sends READY=1 fails the test in 30 s, not after TimeoutStartSec."""

import datetime
import os
import time
from urllib.parse import urlparse

import pytest

import examples
import workloads
from leftovers import assert_nothing_left
from systemd import SystemdNamespace
from waiting import read_text, wait_for

READY_SECONDS = 30


def unit_time(text):
    """systemctl's `--timestamp=us+utc` form, `Sun 2026-11-29 06:37:54.812450 UTC`, in seconds since the epoch."""
    stamp = datetime.datetime.strptime(text, "%a %Y-%m-%d %H:%M:%S.%f UTC")
    return stamp.replace(tzinfo=datetime.timezone.utc).timestamp()


def engine_time(text):
    """The engine's RFC 3339 time with nanoseconds, `2026-11-29T06:37:54.812450123Z`, in seconds since the epoch."""
    whole, _, fraction = text.rstrip("Z").partition(".")
    stamp = datetime.datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    return stamp.timestamp() + float("0." + (fraction or "0"))


class Service:
    """The example unit in a booted namespace."""

    def __init__(self, systemd, unit, output, engine):
        self.systemd = systemd
        self.engine = engine.seen_from(["nsenter", "-t", str(systemd.pid), "-m", "-p"])
        self.unit = unit
        self.output = lambda: read_text(output)
        self.tmpdir = f"/proc/{systemd.pid}/root/run/{examples.SERVICE_NAME}"   # %t/dockrun-example

    def show(self, *properties):
        return self.systemd.show(self.unit, *properties)

    def state(self):
        return self.show("ActiveState")["ActiveState"]

    def start(self):
        """Starts the unit and waits for it to be active, that is for READY=1 (Type=notify)."""
        self.systemd.systemctl("start", "--no-block", self.unit)

        def settled():
            state = self.state()
            return state if state in ("active", "failed") else None

        state = wait_for("the unit active (READY=1)", settled, READY_SECONDS, interval=0.02)
        assert state == "active", f"the unit failed to start:\n{self.output()}"

    def stop(self):
        self.systemd.systemctl("stop", self.unit)


@pytest.fixture
def service(scratch, dockrun, bin_dir, engine, run_env, token, monitors):
    """service(workload, settings) boots systemd with the example unit (that workload, those [Service] settings)."""
    def boot(workload, settings=None):
        unit = f"{examples.SERVICE_NAME}-{token.rsplit('-', 1)[1]}.service"
        output = os.path.join(scratch, "unit.log")
        environment = {name: run_env[name] for name in [*engine.env, "DOCKRUN_MONITOR_TEST"]}
        drop_in = "[Service]\n" + "".join(f'Environment="{name}={value}"\n' for name, value in environment.items())
        drop_in += f"StandardOutput=append:{output}\nStandardError=append:{output}\n"
        carry = [bin_dir, os.path.dirname(dockrun)]
        if engine.env.get("DOCKER_HOST", "").startswith("unix://"):
            carry.append(os.path.dirname(urlparse(engine.env["DOCKER_HOST"]).path))
        systemd = SystemdNamespace(scratch, {unit: examples.systemd_unit(dockrun, workload, settings),
                                             f"{unit}.d/environment.conf": drop_in}, carry)
        monitors.append(systemd)
        systemd.start()
        return Service(systemd, unit, output, engine)

    return boot


def test_start_is_done_once_the_container_runs(service, token):
    unit = service(workloads.trapping(token))
    engine = unit.engine
    if engine.name == "fake-docker":
        engine.docker("script", "run", "--delay", "2")      # the container is created 2 s late, as after a pull

    began = time.time()
    unit.start()

    ready = unit_time(unit.show("ActiveEnterTimestamp")["ActiveEnterTimestamp"])
    started = engine_time(engine.docker("inspect", "-f", "{{.State.StartedAt}}", examples.SERVICE_NAME).stdout.strip())
    assert ready >= started, "the unit was active before the container ran"
    if engine.name == "fake-docker":
        assert ready - began >= 2
    assert os.listdir(unit.tmpdir), "dockrun's private directory is not in the unit's RuntimeDirectory"
    unit.stop()
    assert_nothing_left(engine, token, unit.tmpdir)


def test_stop_runs_the_trap_and_the_unit_records_the_exit(service, token):
    unit = service(workloads.trapping(token, code=7))
    engine = unit.engine
    unit.start()

    unit.stop()

    assert f"{token} trapped TERM" in unit.output()
    assert unit.show("ExecMainCode", "ExecMainStatus", "Result") == \
        {"ExecMainCode": "1", "ExecMainStatus": "7", "Result": "exit-code"}     # 1: CLD_EXITED
    assert_nothing_left(engine, token, unit.tmpdir)


def test_a_container_ignoring_term_past_timeoutstopsec_leaves_nothing(service, token):
    # TimeoutStopSec (3 s) is shorter than the container's stop (4 s): systemd SIGKILLs the whole cgroup (dockrun,
    # its guardian, its docker clients, fake-docker's shim) and ExecStopPost's `dockrun --cleanup` is what is left.
    # TimeoutStopSec bounds ExecStopPost too: the cleanup has 3 s, enough for the engine's own stop to end at 4 s.
    unit = service(workloads.ignoring_term(token, stop_timeout=4), settings={"TimeoutStopSec": 3})
    engine = unit.engine
    unit.start()

    unit.stop()

    assert unit.show("Result")["Result"] == "timeout"
    assert_nothing_left(engine, token, unit.tmpdir)


def test_systemctl_kill_sigkill_leaves_nothing(service, token):
    unit = service(workloads.trapping(token))
    engine = unit.engine
    unit.start()
    [killed] = engine.running_container_ids(token)

    unit.systemd.systemctl("kill", "--signal=KILL", unit.unit)

    # ExecStopPost removes the container; then Restart=on-failure starts a new one (--replace: the name is free).
    wait_for("the killed service's container gone",
             lambda: not any(line.startswith(killed) for line in engine.containers(token)), 30)
    wait_for("the service restarted", lambda: unit.show("NRestarts")["NRestarts"] == "1", 30)
    wait_for("it is active again", lambda: unit.state() == "active", READY_SECONDS)
    assert engine.running_container_ids(token) not in ([], [killed])
    unit.stop()
    assert_nothing_left(engine, token, unit.tmpdir)
