"""examples/dockrun-example.supervisord.conf under a real supervisord (Debian's supervisor 4.2.5)."""

import functools

import pytest

import examples
import workloads
from leftovers import assert_nothing_left
from supervisord import Supervisord
from waiting import wait_for


@pytest.fixture
def supervise(run_example):
    """supervise(workload, settings): a private supervisord running the example with that workload."""
    return functools.partial(run_example, Supervisord)


def test_output_reaches_the_log_and_a_stop_runs_the_trap(supervise, engine, token, setting):
    monitor = supervise(workloads.trapping(token, code=7))
    monitor.wait_until_running(engine, token)

    monitor.ctl("stop", examples.SERVICE_NAME)

    assert f"{token} trapped TERM" in monitor.output()
    assert monitor.exits() == ["exit status 7"], monitor.log_text()
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid})


def test_a_container_dying_of_the_stop_signal_is_seen_terminated_by_it(supervise, engine, token, setting):
    # dockrun ends by the TERM its container died of (behaviour 11): supervisord sees what it sees of a native
    # process, not an exit status 143.
    monitor = supervise(workloads.dying_of_term(token))
    monitor.wait_until_running(engine, token)

    monitor.ctl("stop", examples.SERVICE_NAME)

    assert monitor.exits() == ["terminated by SIGTERM"], monitor.log_text()
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid})


def test_an_exit_3_is_recorded_and_restarted(supervise, engine, token, setting):
    monitor = supervise(workloads.exiting(token, code=3))

    wait_for("two exits with status 3", lambda: monitor.exits()[:2] == ["exit status 3; not expected"] * 2, 60)
    wait_for("the third start", lambda: monitor.output().count(f"{token} running") >= 3, 60)

    monitor.ctl("stop", examples.SERVICE_NAME)
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid})


def test_20_restarts_in_a_row_leave_nothing(supervise, engine, token, setting):
    monitor = supervise(workloads.trapping(token, code=7))
    monitor.wait_until_running(engine, token)

    for _ in range(20):
        restarted = monitor.ctl("restart", examples.SERVICE_NAME)
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    monitor.wait_until_running(engine, token)
    monitor.ctl("stop", examples.SERVICE_NAME)

    assert monitor.exits() == ["exit status 7"] * 21, monitor.log_text()
    assert monitor.output().count(f"{token} trapped TERM") == 21
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid})


def test_a_container_ignoring_term_is_gone_after_the_group_sigkill(supervise, engine, token, setting):
    # supervisord's stop wait (1 s) is shorter than the container's (3 s): it SIGKILLs dockrun's group, and only
    # dockrun's guardian is left to stop the container and remove it.
    monitor = supervise(workloads.ignoring_term(token, stop_timeout=3), settings={"stopwaitsecs": 1})
    monitor.wait_until_running(engine, token)

    monitor.ctl("stop", examples.SERVICE_NAME)

    assert monitor.exits() == ["terminated by SIGKILL"], monitor.log_text()
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid})
