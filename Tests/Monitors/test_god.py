"""examples/dockrun-example.god under a real god (Debian's ruby-god 0.13.7, Ruby 3.1), as root, so with the
kernel's process events. god double-forks dockrun and never reaps it: dockrun's exit status is read from
reaper.py's record, and what god itself learnt of it from god's log."""

import functools
import re

import pytest

import examples
import workloads
from god import God, alive
from leftovers import assert_nothing_left
from waiting import wait_for


@pytest.fixture
def watch(run_example):
    """watch(workload, settings): a private god watching the example with that workload."""
    return functools.partial(run_example, God)


def stop_watch(monitor):
    """`god stop NAME`, then waits for dockrun to be gone; returns dockrun's PID."""
    pid = monitor.watched_pid()
    # `unmonitor` first: god 0.13's keepalive may otherwise see the process die during the stop and start it
    # again (seen once in CI: a second dockrun, started by god, was left running). `stop` then does the stop.
    monitor.ctl("unmonitor", examples.SERVICE_NAME)
    monitor.ctl("stop", examples.SERVICE_NAME)
    wait_for("dockrun gone", lambda: not alive(pid), 60)
    return pid


def end_of(monitor, pid):
    return wait_for(f"the reaper's record of {pid}", lambda: monitor.ends().get(pid), 10)


def test_output_reaches_the_log_and_a_stop_runs_the_trap(watch, engine, token, setting):
    monitor = watch(workloads.trapping(token, code=7))
    monitor.wait_until_running(engine, token)

    pid = stop_watch(monitor)

    assert f"{token} trapped TERM" in monitor.output()
    assert end_of(monitor, pid) == "exited 7"
    wait_for("god's log says it stopped", lambda: f"{examples.SERVICE_NAME} process stopped" in monitor.log_text(), 5)
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid, monitor.reaper.pid})


def test_a_container_dying_of_the_stop_signal_ends_dockrun_by_it(watch, engine, token, setting):
    # dockrun ends by the TERM its container died of (behaviour 11): its parent reaps a death by SIGTERM, as of a
    # native process, not an exit 143.
    monitor = watch(workloads.dying_of_term(token))
    monitor.wait_until_running(engine, token)

    pid = stop_watch(monitor)

    assert end_of(monitor, pid) == "killed SIGTERM"
    wait_for("god's log says it stopped", lambda: f"{examples.SERVICE_NAME} process stopped" in monitor.log_text(), 5)
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid, monitor.reaper.pid})


def test_an_exit_3_is_recorded_and_restarted(watch, engine, token, setting):
    monitor = watch(workloads.exiting(token, code=3))

    # god logs the raw wait status of the exit it heard of: 3 << 8.
    exits = lambda: re.findall(r"process (\d+) exited \{:pid=>\d+, :exit_code=>768\b", monitor.log_text())
    wait_for("two exits with status 3 in god's log", lambda: len(exits()) >= 2, 60)
    wait_for("the third start", lambda: monitor.output().count(f"{token} running") >= 3, 60)

    for pid in exits()[:2]:
        assert end_of(monitor, int(pid)) == "exited 3"
    stop_watch(monitor)
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid, monitor.reaper.pid})


def test_20_restarts_in_a_row_leave_nothing(watch, engine, token, setting):
    monitor = watch(workloads.trapping(token, code=7))
    monitor.wait_until_running(engine, token)

    pids = []
    for _ in range(20):
        pids.append(monitor.watched_pid())
        monitor.ctl("restart", examples.SERVICE_NAME)
        wait_for("a new dockrun", lambda: monitor.watched_pid() not in pids and alive(monitor.watched_pid()), 60)
        monitor.wait_until_running(engine, token)
    pids.append(stop_watch(monitor))

    assert [end_of(monitor, pid) for pid in pids] == ["exited 7"] * 21
    assert monitor.output().count(f"{token} trapped TERM") == 21
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid, monitor.reaper.pid})


def test_a_container_ignoring_term_is_gone_after_the_sigkill(watch, engine, token, setting):
    # god's stop wait (1 s) is shorter than the container's (3 s): god SIGKILLs dockrun, and only dockrun's
    # guardian is left to stop the container and remove it.
    monitor = watch(workloads.ignoring_term(token, stop_timeout=3), settings={"stop_timeout": "1.seconds"})
    monitor.wait_until_running(engine, token)

    pid = stop_watch(monitor)

    assert end_of(monitor, pid) == "killed SIGKILL"
    assert monitor.sent_sigkill(), monitor.log_text()
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid, monitor.reaper.pid})
