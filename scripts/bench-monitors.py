#!/usr/bin/env python3
"""The figures of issue 8, measured with the examples under the real monitors (Tests/Monitors' harness):

    python3 scripts/bench-monitors.py [--products DIR] [--quick]

- from a monitor's stop to the container gone (removed: `docker ps -a` no longer lists it), median and max over 20
  restarts, for systemd, supervisord, god, runit and s6, on fake-docker and (when DOCKER_HOST answers) the real
  engine;
- from dockrun's SIGKILL to the container gone, median and max over 20 runs (dockrun run directly);
- dockrun's guardian while its container runs: CPU ticks over 60 s (utime + stime of /proc/PID/stat) and peak
  RSS (VmHWM). The guardian is found as the child of dockrun that leads a session of its own.

Without --products, dockrun and fake-docker are built as bench.py builds them (scripts/build-release.sh: release,
static Swift runtime); the engines are those of scripts/engine.py. --quick: 5 restarts and runs, 10 s idle. The
container's own part of each stop is small: its trap answers TERM at once. "Gone" is polled with `docker ps -a`, so
a figure includes up to one poll (about the time of one `docker ps`). A figure that cannot be measured (a missing
feature, a failed start) is printed with the reason; the exit status is then 1."""

import argparse
import functools
import os
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "Tests", "Monitors"))
sys.path.insert(0, os.path.join(REPO, "scripts"))

import workloads  # noqa: E402
from bench import build_products, proc_children, proc_cpu_ticks, proc_stat_fields, proc_status_kib  # noqa: E402
from engine import Engine, EngineError, EngineUnavailable  # noqa: E402
from examples import SERVICE_NAME  # noqa: E402
from god import God  # noqa: E402
from runit import Runit  # noqa: E402
from s6 import S6  # noqa: E402
from supervisord import Supervisord  # noqa: E402
from setting import setting  # noqa: E402
from systemd import ExampleUnit  # noqa: E402
from waiting import wait_for  # noqa: E402

TICK_SECONDS = 1 / os.sysconf("SC_CLK_TCK")


class Unmeasured(Exception):
    pass


def ms(seconds):
    return f"{seconds * 1000:.0f} ms"


def spread(samples):
    return f"median {ms(statistics.median(samples))}, max {ms(max(samples))} (n={len(samples)})"


def gone_after(engine, token, container, began):
    """Seconds from `began` until `docker ps -a` no longer lists the container."""
    label = workloads.token_label(token)
    wait_for("the container gone", lambda: not any(line.startswith(container) for line in engine.containers(label)),
             60, interval=0)
    return time.monotonic() - began


def running_container(engine, token):
    label = workloads.token_label(token)
    return wait_for("the container running", lambda: engine.container_ids(label, running=True), 60)[0]


# The monitors, each as: start it running the example; start the service again; ask for a stop (without
# waiting for it); the engine as seen from where the containers are started.

class SupervisordRun:
    def __init__(self, directory, dockrun, bin_dir, engine, env, token, workload):
        self.monitor = Supervisord.for_example(directory, dockrun, workload, env)
        self.engine = engine

    def begin(self):
        self.monitor.start()

    def start(self):
        self.monitor.ctl("start", SERVICE_NAME)

    def stop(self):
        return subprocess.Popen(["supervisorctl", "-c", self.monitor.conf, "stop", SERVICE_NAME],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def end(self):
        self.monitor.stop()


class GodRun(SupervisordRun):
    def __init__(self, directory, dockrun, bin_dir, engine, env, token, workload):
        self.monitor = God.for_example(directory, dockrun, workload, env)
        self.engine = engine

    def start(self):
        # `god stop` returns at once while god still runs its stop; a start before it is done is lost.
        wait_for("god's stop done", lambda: f"{SERVICE_NAME}: unmonitored" in self.monitor.ctl("status").stdout, 60)
        self.monitor.ctl("start", SERVICE_NAME)

    def stop(self):
        return subprocess.Popen(["god", "-p", str(self.monitor.port), "stop", SERVICE_NAME],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class ServiceDirectoryRun(SupervisordRun):
    """runit (Runit) or s6 (S6), with their own commands to start the service and to stop it."""
    def __init__(self, monitor_class, directory, dockrun, bin_dir, engine, env, token, workload):
        self.monitor = monitor_class.for_example(directory, dockrun, workload, env)
        self.engine = engine

    def start(self):
        self.monitor.start_service()

    def stop(self):
        return subprocess.Popen(self.monitor.stop_command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class SystemdRun:
    def __init__(self, directory, dockrun, bin_dir, engine, env, token, workload):
        self.unit = ExampleUnit(directory, dockrun, bin_dir, engine, env, token, workload)

    def begin(self):
        self.unit.boot()
        self.engine = self.unit.engine
        self.unit.start()

    def start(self):
        self.unit.start()

    def stop(self):
        return subprocess.Popen(["nsenter", "-t", str(self.unit.systemd.pid), "-m", "-p", "systemctl", "stop",
                                 self.unit.unit], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def end(self):
        self.unit.systemd.stop()


MONITORS = {"systemd": SystemdRun, "supervisord": SupervisordRun, "god": GodRun,
            "runit": functools.partial(ServiceDirectoryRun, Runit), "s6": functools.partial(ServiceDirectoryRun, S6)}


class Bench:
    def __init__(self, bin_dir, restarts, idle_seconds):
        self.bin_dir = bin_dir
        self.dockrun = os.path.join(bin_dir, "dockrun")
        self.restarts = restarts
        self.idle_seconds = idle_seconds
        self.failed = False

    def row(self, what, measure):
        try:
            result = measure()
        except (Unmeasured, EngineError, AssertionError, subprocess.SubprocessError, OSError) as error:
            self.failed = True
            result = f"not measured: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
        print(f"{what:<58} {result}", flush=True)

    def in_setting(self, engine_name, measure):
        """Runs measure(directory, engine, env, token) in a fresh Setting (Tests/Monitors/setting.py)."""
        with setting(self.bin_dir, engine_name) as chosen:
            return measure(chosen.directory, chosen.engine, chosen.env, chosen.token)

    def stop_to_gone(self, monitor, engine_kind):
        def measure(directory, engine, env, token):
            run = MONITORS[monitor](directory, self.dockrun, self.bin_dir, engine, env, token,
                                    workloads.trapping(token, code=0))
            samples = []
            try:
                run.begin()
                for _ in range(self.restarts):
                    container = running_container(run.engine, token)
                    began = time.monotonic()
                    stopping = run.stop()
                    samples.append(gone_after(run.engine, token, container, began))
                    stopping.wait(timeout=60)
                    run.start()
            finally:
                run.end()
            return spread(samples)

        return self.in_setting(engine_kind, measure)

    def sigkill_to_gone(self, engine_kind):
        def measure(directory, engine, env, token):
            samples = []
            for _ in range(self.restarts):
                dockrun = subprocess.Popen([self.dockrun, "--rm", "--name", token, *workloads.trapping(token, code=0)],
                                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
                container = running_container(engine, token)
                began = time.monotonic()
                dockrun.kill()
                dockrun.wait()
                try:
                    samples.append(gone_after(engine, token, container, began))
                except AssertionError:
                    raise Unmeasured("the container was still there 60 s after dockrun's SIGKILL")
            return spread(samples)

        return self.in_setting(engine_kind, measure)

    def guardian_idle(self, engine_kind):
        def measure(directory, engine, env, token):
            dockrun = subprocess.Popen([self.dockrun, "--rm", "--name", token, *workloads.trapping(token, code=0)],
                                       env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            try:
                running_container(engine, token)
                guardian = next((pid for pid in proc_children(dockrun.pid) if session_of(pid) == pid), None)
                if guardian is None:
                    raise Unmeasured("dockrun has no child in a session of its own (no guardian)")
                before = proc_cpu_ticks(guardian)
                time.sleep(self.idle_seconds)
                ticks = proc_cpu_ticks(guardian) - before
                peak = proc_status_kib(guardian, "VmHWM")
            finally:
                dockrun.send_signal(signal.SIGTERM)
                dockrun.wait(timeout=60)
            return f"{ticks} ticks ({ticks * TICK_SECONDS * 1000:.0f} ms) over {self.idle_seconds} s, " \
                   f"peak RSS {peak / 1024:.1f} MiB"

        return self.in_setting(engine_kind, measure)


def session_of(pid):
    try:
        return int(proc_stat_fields(pid)[3])     # field 6
    except FileNotFoundError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", help="a directory with dockrun and fake-docker (default: install them)")
    parser.add_argument("--quick", action="store_true", help="5 restarts and runs, 10 s idle")
    arguments = parser.parse_args()
    bench = Bench(arguments.products or build_products(), 5 if arguments.quick else 20, 10 if arguments.quick else 60)
    engines = ["fake-docker"]
    try:
        Engine.real()
        engines.append("docker")
    except EngineUnavailable as reason:
        print(f"real engine: skipped: {reason}")
    for engine in engines:
        for monitor in MONITORS:
            bench.row(f"{monitor} stop → container gone, {engine}", lambda: bench.stop_to_gone(monitor, engine))
    for engine in engines:
        bench.row(f"dockrun SIGKILL → container gone, {engine}", lambda: bench.sigkill_to_gone(engine))
    bench.row("guardian, container running, fake-docker", lambda: bench.guardian_idle("fake-docker"))
    sys.exit(1 if bench.failed else 0)


if __name__ == "__main__":
    main()
