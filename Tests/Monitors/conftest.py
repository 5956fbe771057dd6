"""Fixtures of the monitor tests: the products under test, and per test a Setting (setting.py) on fake-docker, and
on the real engine too when DOCKER_HOST answers; the monitors a test starts are stopped by PID after it, before
the setting removes whatever else the test left."""

import os
import sys

import pytest

# The engine helper (scripts/engine.py) is the benchmarks' too: its folder goes on the path before anything imports it.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))

from products import bin_dir as products_bin_dir  # noqa: E402
from setting import setting as test_setting  # noqa: E402


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
def token(setting):
    return setting.token


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


@pytest.fixture
def run_example(setting, dockrun, monitors):
    """run_example(MonitorClass, workload, settings): that monitor started on its example with that workload."""
    def start(monitor_class, workload, settings=None):
        monitor = monitor_class.for_example(setting.directory, dockrun, workload, setting.env, settings)
        monitors.append(monitor)
        monitor.start()
        return monitor

    return start
