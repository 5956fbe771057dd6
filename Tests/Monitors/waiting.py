"""Waiting for something observable, with a deadline: the monitors act asynchronously, so every test asks
"has it happened yet?" until it has or the deadline passes, and says what it was waiting for if it never did."""

import time

from workloads import token_label


def wait_for(what, probe, timeout, interval=0.05):
    """Calls probe() until it returns something truthy and returns that; fails after timeout seconds with
    `what` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not within {timeout} s (last seen: {value!r})")
        time.sleep(interval)


def wait_until_container_runs(engine, token, output, still_trying=lambda: None, timeout=60):
    """Waits for the test's container to run and its first line to reach the monitor's log (`output()` reads it);
    `still_trying()` may fail at once when the monitor has given up."""
    def container_runs():
        still_trying()
        return engine.container_ids(token_label(token), running=True)

    wait_for("the container runs", container_runs, timeout)
    wait_for("its output in the monitor's log", lambda: f"{token} running" in output(), timeout)


def read_text(path):
    """The file's text, or "" while it does not exist yet."""
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""
