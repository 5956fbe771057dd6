"""examples/dockrun-example.service under a real systemd (252), PID 1 of a private PID + mount namespace
(systemd.py, where ExampleUnit says what the test adds to the unit)."""

import os
import time

import pytest

import examples
import workloads
from leftovers import assert_nothing_left
from systemd import ExampleUnit
from timestamps import container_started, unit_time
from waiting import wait_for


@pytest.fixture
def service(setting, dockrun, bin_dir, monitors):
    """service(workload, settings) boots systemd with the example unit (that workload, those [Service] settings)."""
    def boot(workload, settings=None):
        unit = ExampleUnit(setting.directory, dockrun, bin_dir, setting.engine, setting.env, setting.token, workload,
                           settings)
        monitors.append(unit.systemd)
        unit.boot()
        return unit

    return boot


def test_start_is_done_once_the_container_runs(service, token):
    unit = service(workloads.trapping(token))
    engine = unit.engine
    if engine.name == "fake-docker":
        engine.docker("script", "run", "--delay", "2")      # the container is created 2 s late, as after a pull

    began = time.time()
    unit.start()

    ready = unit_time(unit.show("ActiveEnterTimestamp")["ActiveEnterTimestamp"])
    started = container_started(engine, examples.SERVICE_NAME)
    assert ready >= started, "the unit was active before the container ran"
    if engine.name == "fake-docker":
        assert ready - began >= 2
    assert os.listdir(unit.tmpdir), "dockrun's private directory is not in the unit's RuntimeDirectory"
    unit.stop()
    assert_nothing_left(engine, token, unit.tmpdir)


def test_the_application_says_when_it_is_ready(service, token, setting):
    # --sdnotify=container: the unit is active once the application in the container says READY=1 (3 s after it
    # runs), not once the container runs; its own STATUS= reaches systemd. The socket dockrun binds into the
    # container must be where the engine sees it: a real engine runs outside this test's mount namespace, whose /run
    # (the example's RuntimeDirectory) is private, so dockrun's TMPDIR here is a directory both see.
    shared = os.path.join(setting.directory, "tmp")
    os.makedirs(shared, mode=0o700, exist_ok=True)
    unit = service(workloads.telling_readiness(token, after=3), settings={"Environment": f"TMPDIR={shared}"})
    engine = unit.engine
    unit.start()

    ready = unit_time(unit.show("ActiveEnterTimestamp")["ActiveEnterTimestamp"])
    started = container_started(engine, examples.SERVICE_NAME)
    # The application says READY=1 3 s after it began; the engine stamps StartedAt a moment after the process began
    # (runc's start returns first): 2 s is the bound that leaves that moment room.
    assert ready >= started + 2, "the unit was active before the application said READY=1"
    assert unit.show("StatusText")["StatusText"] == f"{token} ready by itself"
    unit.stop()
    assert f"{token} trapped TERM" in unit.output()
    assert_nothing_left(engine, token, shared)


def test_a_slow_create_does_not_meet_timeoutstartsec(service, token, setting):
    # While the container does not exist yet (a pull; here fake-docker's scripted 30 s create), dockrun extends the
    # start timeout (EXTEND_TIMEOUT_USEC=): a unit with TimeoutStartSec=10s starts.
    if setting.engine.name != "fake-docker":
        pytest.skip("a scripted slow create is fake-docker's fault injection")
    unit = service(workloads.trapping(token), settings={"TimeoutStartSec": "10s"})
    engine = unit.engine
    engine.docker("script", "run", "--delay", "30")

    began = time.time()
    unit.start(ready_seconds=90)

    assert time.time() - began >= 30
    assert unit.show("NRestarts")["NRestarts"] == "0"
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


def test_a_container_dying_of_the_stop_signal_leaves_the_unit_inactive(service, token):
    # The example has no SuccessExitStatus=: dockrun ends by the TERM its container died of (behaviour 11), and
    # systemd takes a death by the unit's own stop signal as a clean stop, as for a native process.
    unit = service(workloads.dying_of_term(token))
    engine = unit.engine
    unit.start()

    unit.stop()

    # A unit that stopped cleanly is unloaded at once (its ExecMain* properties read as unset); one whose main
    # process exited 143 would stay loaded and `failed` with Result=exit-code, as before behaviour 11.
    assert unit.show("Result") == {"Result": "success"}
    assert unit.state() == "inactive"
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
    label = workloads.token_label(token)
    unit.start()
    [killed] = engine.container_ids(label, running=True)

    unit.systemd.systemctl("kill", "--signal=KILL", unit.unit)

    # ExecStopPost removes the container; then Restart=on-failure starts a new one (--replace: the name is free).
    wait_for("the killed service's container gone",
             lambda: not any(line.startswith(killed) for line in engine.containers(label)), 30)
    wait_for("the service restarted", lambda: unit.show("NRestarts")["NRestarts"] == "1", 30)
    wait_for("it is active again", lambda: unit.state() == "active", ExampleUnit.READY_SECONDS)
    assert engine.container_ids(label, running=True) not in ([], [killed])
    unit.stop()
    assert_nothing_left(engine, token, unit.tmpdir)
