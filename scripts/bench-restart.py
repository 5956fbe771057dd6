#!/usr/bin/env python3
"""The figures of issue 9: dockrun through an engine restart, on fake-docker and (when one is given) a real engine
started with --live-restore that this script may restart.

    scripts/bench-restart.py [--products DIR] [--runs N] [--real-engine-dir DIR] [--idle SECONDS]

- output lost (and doubled) across a live-restore restart, bytes: a container prints `line 0` … `line 49`, ten a
  second, and exits 7; the engine is restarted (down 1 s) once `line 5` has arrived; dockrun's stdout is compared
  with what the container printed;
- from the engine answering again (the restart command returns) to the output flowing again (the first line dockrun
  writes after that): median and max;
- dockrun's own CPU (utime + stime of the dockrun process, from /proc) while it waits `--idle` seconds (default 60) for
  an engine that is down, and how many docker commands it started meanwhile (fake-docker's call log).

The real engine is the one `--real-engine-dir` names (as DOCKRUN_ENGINE_DIR for scripts/engine-restart.sh; its
socket is DIR/docker.sock); without it, only fake-docker is measured. The engines are those of scripts/engine.py.
Without --products, builds the release products as bench.py does (scripts/build-release.sh). A benchmark measures:
it asserts nothing; the exit status is 1 only when something could not be measured.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench import UNMEASURED, build_products, proc_cpu_ticks
from engine import TEST_IMAGE as IMAGE, Engine

LINES = 50
SCRIPT = f"i=0; while [ $i -lt {LINES} ]; do echo line $i; i=$((i+1)); sleep 0.1; done; exit 7"
EXPECTED = "".join(f"line {i}\n" for i in range(LINES))
CLOCK_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def log(text):
    print(f"bench-restart: {text}", file=sys.stderr, flush=True)


def real_engine(directory):
    """The engine engine-start.sh started in `directory`, which must keep its containers through a restart."""
    engine = Engine.real(directory=directory)
    if engine.docker("info", "--format", "{{.LiveRestoreEnabled}}").stdout.strip() != "true":
        raise SystemExit(f"bench-restart: the engine in {directory} does not run with --live-restore")
    return engine


def restart_run(engine, dockrun):
    """One run: the restart once `line 5` has arrived. Returns (lost bytes, doubled bytes, flow delay s, exit)."""
    arrivals = []
    child = subprocess.Popen([dockrun, "--rm", IMAGE, "sh", "-c", SCRIPT], env=engine.full_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen_five = threading.Event()

    def read():
        for line in child.stdout:
            arrivals.append((time.monotonic(), line.decode()))
            if line == b"line 5\n":
                seen_five.set()
    reader = threading.Thread(target=read)
    reader.start()
    if not seen_five.wait(60):
        child.kill()
        raise RuntimeError("line 5 never arrived")
    engine.restart(1)
    back = time.monotonic()
    code = child.wait(timeout=120)
    reader.join()
    received = [line for _, line in arrivals]
    expected = EXPECTED.splitlines(keepends=True)
    lost = sum(len(line) for line in expected if line not in received)
    doubled = sum(len(line) for line in set(received) if received.count(line) > 1)
    after = [at for at, _ in arrivals if at > back]
    return lost, doubled, (after[0] - back) if after else None, code


def idle_cpu(engine, dockrun, seconds):
    """dockrun's own CPU while it waits `seconds` for a fake engine that is down, and the docker commands it ran."""
    child = subprocess.Popen([dockrun, "--rm", IMAGE, "sleep", str(seconds + 60)],
                             env=engine.full_env({"DOCKRUN_ENGINE_WAIT": str(seconds + 60)}),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    engine.docker("calls", "--clear")
    down = subprocess.Popen(engine.cmd("script", "--restart", "--down", str(seconds + 30), "--live-restore"),
                            env=engine.full_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)
    start = proc_cpu_ticks(child.pid)
    time.sleep(seconds)
    ticks = proc_cpu_ticks(child.pid) - start
    calls = engine.docker("calls").stdout.count("\n")
    engine.docker("script", "--clear")
    down.wait(timeout=60)
    child.terminate()
    child.wait(timeout=60)
    return ticks * CLOCK_TICK_MS, calls


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", metavar="DIR", help="a directory with dockrun and fake-docker (default: build them)")
    parser.add_argument("--runs", type=int, default=10, help="restarts per engine (default 10)")
    parser.add_argument("--real-engine-dir", metavar="DIR", help="a real engine with --live-restore this script may restart")
    parser.add_argument("--idle", type=int, default=60, help="seconds the engine stays down for the CPU figure (default 60)")
    args = parser.parse_args()
    try:
        rows = measure(args)
    except UNMEASURED as error:
        sys.exit(f"bench-restart: {error}")
    width = max(len(row[0]) for row in rows)
    print(f"{'figure'.ljust(width)}  measured")
    for figure, measured in rows:
        print(f"{figure.ljust(width)}  {measured}")


def measure(args):
    products = args.products or build_products()
    dockrun = os.path.join(products, "dockrun")
    with tempfile.TemporaryDirectory(prefix="dockrun-bench-restart-") as directory:
        engines = [Engine.fake(products, os.path.join(directory, "state.sqlite"))]
        if args.real_engine_dir:
            engines.append(real_engine(args.real_engine_dir))
        rows = []
        for engine in engines:
            results = []
            for run in range(args.runs):
                results.append(restart_run(engine, dockrun))
                log(f"{engine.name} run {run + 1}: lost {results[-1][0]} B, doubled {results[-1][1]} B, "
                    f"flow again after {results[-1][2]}, exit {results[-1][3]}")
            delays = [r[2] for r in results if r[2] is not None]
            rows.append((f"output lost / doubled across a live-restore restart, {engine.name} ({args.runs} runs)",
                         f"{sum(r[0] for r in results)} B / {sum(r[1] for r in results)} B in all; "
                         f"exit codes {sorted(set(r[3] for r in results))}"))
            rows.append((f"engine answering → output flowing again, {engine.name}",
                         f"median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
                         if delays else "no output after the restart"))
        cpu, calls = idle_cpu(engines[0], dockrun, args.idle)
        rows.append((f"dockrun's own CPU while the engine is down {args.idle} s (fake-docker)",
                     f"{cpu:.0f} ms; {calls} docker commands started meanwhile"))
    return rows


if __name__ == "__main__":
    main()
