"""Fixtures of the monitor tests: the products under test, a scratch directory per test (removed after it), the
engine (fake-docker with a private state; the real engine too when DOCKER_HOST answers), the test's token and the
environment every monitor gets. After each test, whatever the test left (it has failed by then) is removed: its
containers, then its processes, each by PID, so that a failing test does not leave anything either."""

import os
import secrets
import shutil
import signal
import tempfile

import pytest

from engine import Engine
from leftovers import MARK_VARIABLE, marked_processes
from products import bin_dir as products_bin_dir


@pytest.fixture(scope="session")
def bin_dir():
    return products_bin_dir()


@pytest.fixture(scope="session")
def real_engine():
    return Engine.real()


@pytest.fixture
def scratch():
    directory = tempfile.mkdtemp(prefix="dockrun-monitors-")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def token():
    return "dockrun-test-" + secrets.token_hex(6)


@pytest.fixture(params=["fake-docker", "docker"])
def engine(request, bin_dir, scratch, real_engine, token):
    if request.param == "docker":
        if real_engine is None:
            pytest.skip("real engine: DOCKER_HOST is not set or does not answer")
        chosen = real_engine
    else:
        state = os.path.join(scratch, "fake-docker")
        os.mkdir(state)
        chosen = Engine.fake(bin_dir, state)
    yield chosen
    chosen.remove_containers(token)
    for pid, _ in marked_processes(token):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture
def tmpdir_for_dockrun(scratch):
    """The TMPDIR given to dockrun: its private cidfile directory goes there, and must not stay."""
    path = os.path.join(scratch, "tmp")
    os.mkdir(path)
    return path


@pytest.fixture
def run_env(engine, tmpdir_for_dockrun, token):
    """What a monitor (and so dockrun) runs with: the engine's variables, TMPDIR, and the test's mark."""
    return engine.full_env({"TMPDIR": tmpdir_for_dockrun, MARK_VARIABLE: token})


@pytest.fixture
def dockrun(bin_dir):
    return os.path.join(bin_dir, "dockrun")


@pytest.fixture
def monitors():
    """The monitors a test starts (anything with stop()): each is stopped by its PID after the test."""
    started = []
    yield started
    for monitor in started:
        monitor.stop()
