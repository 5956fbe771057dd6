"""examples/runit/ under a real runit (Debian's runit 2.1.2): runsvdir, runsv, sv. runsv reaps dockrun and tells
./finish how it ended (exit code, or -1 and the signal); ./finish writes it to the log service's file."""

import functools

import pytest

import workloads
from runit import Runit
from waiting import wait_for


@pytest.fixture
def supervise(run_example):
    """supervise(workload): a private runsvdir supervising the example with that workload."""
    return functools.partial(run_example, Runit)


def test_output_reaches_the_log_and_a_stop_runs_the_trap(supervise, engine, token, setting):
    monitor = supervise(workloads.trapping(token, code=7))
    monitor.wait_until_running(engine, token)

    stopped = monitor.sv("stop")

    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert f"{token} trapped TERM" in monitor.output()
    assert monitor.ends() == [("7", "0")], monitor.output()
    monitor.assert_nothing_left(engine, token, setting)


def test_a_container_dying_of_the_stop_signal_ends_dockrun_by_it(supervise, engine, token, setting):
    # dockrun ends by the TERM its container died of (behaviour 11): runsv sees a death by signal 15, as of a
    # native process, not an exit 143.
    monitor = supervise(workloads.dying_of_term(token))
    monitor.wait_until_running(engine, token)

    monitor.sv("stop")

    assert monitor.ends() == [("-1", "15")], monitor.output()
    monitor.assert_nothing_left(engine, token, setting)


def test_an_exit_3_is_told_to_finish_and_restarted(supervise, engine, token, setting):
    monitor = supervise(workloads.exiting(token, code=3))

    wait_for("two exits with code 3", lambda: monitor.ends()[:2] == [("3", "0")] * 2, 60)
    wait_for("the third start", lambda: monitor.starts(token) >= 3, 60)

    monitor.sv("stop")
    monitor.assert_nothing_left(engine, token, setting)


def test_20_restarts_in_a_row_leave_nothing(supervise, engine, token, setting):
    monitor = supervise(workloads.trapping(token, code=7))
    monitor.wait_until_running(engine, token)

    for restart in range(20):
        restarted = monitor.sv("restart")
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
        # The next TERM only once the trap is set: the new container has said it runs.
        monitor.wait_until_running(engine, token, starts=restart + 2)
    monitor.sv("stop")

    assert monitor.ends() == [("7", "0")] * 21, monitor.output()
    assert monitor.output().count(f"{token} trapped TERM") == 21
    monitor.assert_nothing_left(engine, token, setting)


def test_a_container_ignoring_term_is_gone_after_sv_force_stop(supervise, engine, token, setting):
    # sv's wait (1 s) is shorter than the container's stop (3 s): `sv force-stop` SIGKILLs dockrun, and dockrun's
    # guardian and ./finish's `dockrun --cleanup` are left to stop the container and remove it.
    monitor = supervise(workloads.ignoring_term(token, stop_timeout=3))
    monitor.wait_until_running(engine, token)

    monitor.sv("force-stop", wait=1)

    wait_for("./finish told of the SIGKILL", lambda: monitor.ends(), 30)
    assert monitor.ends() == [("-1", "9")], monitor.output()
    monitor.assert_nothing_left(engine, token, setting)
