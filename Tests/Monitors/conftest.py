"""Fixtures of the monitor tests: the products under test, and per test a Setting (setting.py) on fake-docker, and
on the real engine too when DOCKER_HOST answers; the monitors a test starts are stopped by PID after it, before
the setting removes whatever else the test left."""

import os

import pytest

from products import bin_dir as products_bin_dir
from setting import setting as test_setting


@pytest.fixture(scope="session")
def bin_dir():
    return products_bin_dir()


@pytest.fixture(params=["fake-docker", "docker"])
def setting(request, bin_dir):
    with test_setting(bin_dir, request.param) as chosen:
        if chosen is None:
            pytest.skip("real engine: DOCKER_HOST is not set or does not answer")
        yield chosen


@pytest.fixture
def engine(setting):
    return setting.engine


@pytest.fixture
def scratch(setting):
    return setting.directory


@pytest.fixture
def token(setting):
    return setting.token


@pytest.fixture
def tmpdir_for_dockrun(setting):
    """The TMPDIR given to dockrun: its private cidfile directory goes there, and must not stay."""
    return setting.tmpdir


@pytest.fixture
def run_env(setting):
    """What a monitor (and so dockrun) runs with: the engine's variables, TMPDIR, and the test's mark."""
    return setting.env


@pytest.fixture
def dockrun(bin_dir):
    return os.path.join(bin_dir, "dockrun")


@pytest.fixture
def monitors(setting):
    """The monitors a test starts (anything with stop()): each is stopped by its PID after the test."""
    started = []
    yield started
    for monitor in started:
        monitor.stop()
