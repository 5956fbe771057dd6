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
socket is DIR/docker.sock); without it, only fake-docker is measured. Without --products, builds the release products
as bench.py does (.build-bench). A benchmark measures: it asserts nothing; the exit status is 1 only when something
could not be measured.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST_IMAGE = os.path.join(REPO, "scripts", "test-image.sh")
ENGINE_RESTART = os.path.join(REPO, "scripts", "engine-restart.sh")
IMAGE = "dockrun-test/busybox:latest"
LINES = 50
SCRIPT = f"i=0; while [ $i -lt {LINES} ]; do echo line $i; i=$((i+1)); sleep 0.1; done; exit 7"
EXPECTED = "".join(f"line {i}\n" for i in range(LINES))
CLOCK_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def log(text):
    print(f"bench-restart: {text}", file=sys.stderr, flush=True)


def build_products():
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", ".build-bench"],
                   cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", ".build-bench",
                           "--show-bin-path"], cwd=REPO, check=True, capture_output=True, text=True).stdout.strip()


class Engine:
    """One engine to run dockrun against and restart: fake-docker with a private state, or a real one."""

    def __init__(self, name, cli, env, restart):
        self.name, self.cli, self.env, self._restart = name, cli, env, restart

    def docker(self, *args, check=True):
        return subprocess.run([self.cli, *args], env=self.env, check=check, capture_output=True, text=True)

    def restart(self, down, live_restore=True):
        self._restart(down, live_restore)


def fake_engine(products, directory):
    env = dict(os.environ, FAKE_DOCKER_STATE=os.path.join(directory, "state.sqlite"))
    cli = os.path.join(products, "fake-docker")
    subprocess.run(["bash", TEST_IMAGE, "import", cli], env=env, check=True, stdout=subprocess.DEVNULL)

    def restart(down, live_restore):
        subprocess.run([cli, "script", "--restart", "--down", str(down)] + (["--live-restore"] if live_restore else []),
                       env=env, check=True, stdout=subprocess.DEVNULL)
    return Engine("fake-docker", cli, env, restart)


def real_engine(directory):
    env = dict(os.environ, DOCKER_HOST=f"unix://{directory}/docker.sock", DOCKRUN_ENGINE_DIR=directory)
    engine = Engine("real engine", "docker", env, None)
    if engine.docker("info", "--format", "{{.LiveRestoreEnabled}}").stdout.strip() != "true":
        raise SystemExit(f"bench-restart: the engine in {directory} does not run with --live-restore")
    if engine.docker("image", "inspect", IMAGE, check=False).returncode != 0:
        subprocess.run(["bash", TEST_IMAGE, "import", "docker"], env=env, check=True, stdout=subprocess.DEVNULL)

    def restart(down, live_restore):
        subprocess.run(["bash", ENGINE_RESTART, "--down", str(down)], env=env, check=True, stdout=subprocess.DEVNULL)
    engine._restart = restart
    return engine


def restart_run(engine, dockrun):
    """One run: the restart once `line 5` has arrived. Returns (lost bytes, doubled bytes, flow delay s, exit)."""
    arrivals = []
    child = subprocess.Popen([dockrun, "--rm", IMAGE, "sh", "-c", SCRIPT], env=dict(engine.env, DOCKRUN_DOCKER=engine.cli),
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
                             env=dict(engine.env, DOCKRUN_DOCKER=engine.cli, DOCKRUN_ENGINE_WAIT=str(seconds + 60)),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2)
    engine.docker("calls", "--clear")
    down = subprocess.Popen([engine.cli, "script", "--restart", "--down", str(seconds + 30), "--live-restore"],
                            env=engine.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)

    def cpu_ticks():
        with open(f"/proc/{child.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    start = cpu_ticks()
    time.sleep(seconds)
    ticks = cpu_ticks() - start
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
    products = args.products or build_products()
    dockrun = os.path.join(products, "dockrun")
    with tempfile.TemporaryDirectory(prefix="dockrun-bench-restart-") as directory:
        engines = [fake_engine(products, directory)]
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
    width = max(len(row[0]) for row in rows)
    print(f"{'figure'.ljust(width)}  measured")
    for figure, measured in rows:
        print(f"{figure.ljust(width)}  {measured}")


if __name__ == "__main__":
    main()
