"""dockrun's systemd readiness protocol, without systemd: a real datagram socket as NOTIFY_SOCKET, a path or an
abstract `@name`, and dockrun run directly."""

import os
import signal
import subprocess
import time

import pytest

import workloads
from engine import TEST_IMAGE
from leftovers import assert_nothing_left
from notify import NotifySocket
from timestamps import container_started
from waiting import wait_for


@pytest.fixture(params=["path", "abstract"])
def notify_socket(request, setting):
    address = os.path.join(setting.directory, "notify.sock") if request.param == "path" else "@" + setting.token
    listener = NotifySocket(address)
    yield listener
    listener.close()


@pytest.fixture
def start_dockrun(dockrun, setting, notify_socket):
    """start_dockrun(*arguments) runs dockrun with NOTIFY_SOCKET set, its output in a file."""
    started = []

    def start(*arguments):
        with open(os.path.join(setting.directory, "dockrun.out"), "w") as output:
            env = {**setting.env, "NOTIFY_SOCKET": notify_socket.address}
            process = subprocess.Popen([dockrun, *arguments], env=env,
                                       stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_ready_once_the_container_runs_and_stopping_on_term(start_dockrun, notify_socket, engine, token,
                                                            setting):
    if engine.name == "fake-docker":
        engine.docker("script", "run", "--delay", "2")      # the container is created 2 s late, as after a pull
    began = time.time()
    dockrun = start_dockrun("--rm", "--name", token, *workloads.trapping(token, code=7))

    ready = wait_for("READY=1", lambda: notify_socket.first("READY=1") or dockrun.poll() is not None, 30)
    assert dockrun.poll() is None, f"dockrun exited {dockrun.returncode} before READY=1"
    started = container_started(engine, token)
    assert ready >= started, "READY=1 came before the container ran"
    if engine.name == "fake-docker":
        assert ready - began >= 2

    dockrun.send_signal(signal.SIGTERM)
    assert dockrun.wait(timeout=30) == 7
    stopping = notify_socket.first("STOPPING=1")
    assert stopping is not None and stopping >= ready, notify_socket.received()
    assert_nothing_left(engine, token, setting.tmpdir)


@pytest.mark.parametrize("case, arguments, code", [
    ("image missing", ["dockrun-test/no-such-image:latest", "true"], 125),
    ("command not found", [TEST_IMAGE, "no-such-command"], 127),
])
def test_no_ready_for_a_container_that_fails_to_start(start_dockrun, notify_socket, engine, token,
                                                      setting, case, arguments, code):
    dockrun = start_dockrun("--rm", "--name", token, "--label", workloads.token_label(token), *arguments)

    assert dockrun.wait(timeout=60) == code
    time.sleep(0.2)     # a datagram sent just before the exit is still being read
    assert notify_socket.first("READY=1") is None, notify_socket.received()
    assert_nothing_left(engine, token, setting.tmpdir)


def test_sdnotify_healthy_waits_for_the_health_check(start_dockrun, notify_socket, engine, token, setting):
    # Healthy once /tmp/ok exists, which the container makes after 2 s.
    dockrun = start_dockrun("--rm", "--name", token, "--sdnotify=healthy",
                            "--label", workloads.token_label(token),
                            "--health-cmd", "test -e /tmp/ok", "--health-interval", "1s",
                            TEST_IMAGE, "sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /tmp/ok; while :; do sleep 0.1; done")
    ready = wait_for("READY=1", lambda: notify_socket.first("READY=1") or dockrun.poll() is not None, 60)
    assert dockrun.poll() is None, f"dockrun exited {dockrun.returncode} before READY=1"
    healthy = engine.docker("inspect", "-f", "{{.State.Health.Status}}", token).stdout.strip()
    assert healthy == "healthy", f"READY=1 while the health check says {healthy!r}"
    started = container_started(engine, token)
    assert ready - started >= 2, "READY=1 came before the health check could pass"
    assert any(text.startswith("STATUS=Container ") and text.endswith(" running (healthy)")
               for _, text in notify_socket.received()), notify_socket.received()
    dockrun.send_signal(signal.SIGTERM)
    assert dockrun.wait(timeout=30) == 0
    assert_nothing_left(engine, token, setting.tmpdir)


def test_watchdog_pings_only_while_the_container_runs(dockrun, setting, notify_socket, engine, token):
    # WATCHDOG_USEC=1 s: a ping every 0.5 s, from READY=1 on, and none once the container has ended.
    env = {**setting.env, "NOTIFY_SOCKET": notify_socket.address, "WATCHDOG_USEC": "1000000"}
    with open(os.path.join(setting.directory, "dockrun.out"), "w") as output:
        process = subprocess.Popen([dockrun, "--rm", "--name", token, "--label", workloads.token_label(token),
                                    TEST_IMAGE, "sh", "-c", "sleep 3; exit 4"],
                                   env=env, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    try:
        assert process.wait(timeout=60) == 4
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    time.sleep(0.2)
    ready = notify_socket.first("READY=1")
    assert ready is not None, notify_socket.received()
    pings = [t for t, text in notify_socket.received() if text == "WATCHDOG=1"]
    assert len(pings) >= 3, notify_socket.received()
    assert all(t >= ready for t in pings), "a ping before READY=1"
    exited = next(t for t, text in notify_socket.received() if text.startswith("STATUS=Exited with code 4"))
    assert all(t <= exited for t in pings), "a ping after the container ended"
    assert_nothing_left(engine, token, setting.tmpdir)
