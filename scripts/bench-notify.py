#!/usr/bin/env python3
"""The figures of issue 16 for `--sdnotify=container`, on fake-docker and (when one answers) a real engine.

    scripts/bench-notify.py [--products DIR] [--count N]

- relay latency: from the application's `READY=1` inside the container (sdnotify-send -t prints CLOCK_REALTIME just
  before its sendto; a container shares the host's clock) to the test's socket, playing systemd, receiving it
  through dockrun: median and max over `--count` (default 50) READY=1 sent by one container, 50 ms apart;
- dockrun's CPU while it relays 1000 `STATUS=` messages (sent at 95 a second, under the relay's flood bound of 100),
  from /proc/PID/schedstat (on-CPU nanoseconds of dockrun itself, not of its docker client), against the same time
  with a container that says nothing: the difference is the relay's cost.

The real engine is DOCKER_HOST (override with BENCH_DOCKER_HOST), the test image imported when missing; if none
answers, its rows are skipped and said so. Without --products, builds the release products as bench.py does
(scripts/build-release.sh). A benchmark measures: it asserts nothing; the exit status is 1 only when something could
not be measured.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

from bench import UNMEASURED, BenchError, build_products
from engine import TEST_IMAGE as IMAGE, Engine, EngineUnavailable

# systemd's side, as the monitor tests play it: a datagram socket recording each line with its arrival time.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "Monitors"))
from notify import NotifySocket  # noqa: E402

RUN_LABEL = "dockrun-bench-run"
STATUS_COUNT = 1000
STATUS_INTERVAL_US = 10_500     # 95 a second: under the flood bound (a burst of 100, then 100 a second)


def log(text):
    print(f"bench-notify: {text}", file=sys.stderr, flush=True)


def wait_for(listener, predicate, timeout, run):
    """Waits until `predicate(listener.received())` holds; a BenchError if dockrun ends first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate(listener.received()):
            return
        if run.poll() is not None:
            raise BenchError(f"dockrun exited {run.poll()} early: {run.stderr_text()}")
        time.sleep(0.01)
    raise BenchError(f"timed out after {timeout} s; received {listener.received()[-3:]}")


class Dockrun:
    """One dockrun with NOTIFY_SOCKET set, --sdnotify=container, its stdout in a file."""

    def __init__(self, products, engine, directory, notify_socket, script, label):
        self.out = open(os.path.join(directory, "dockrun.out"), "w+")
        self.err = open(os.path.join(directory, "dockrun.err"), "w+")
        env = engine.full_env({"NOTIFY_SOCKET": notify_socket})
        env.pop("WATCHDOG_USEC", None)
        self.process = subprocess.Popen(
            [os.path.join(products, "dockrun"), "--rm", "--sdnotify=container", "--label", label,
             IMAGE, "sh", "-c", "trap 'exit 0' TERM; " + script],
            env=env, stdin=subprocess.DEVNULL, stdout=self.out, stderr=self.err)
        self.pid = self.process.pid

    def poll(self):
        return self.process.poll()

    def stderr_text(self):
        self.err.seek(0)
        return self.err.read().strip()[-300:]

    def stdout_text(self):
        self.out.seek(0)
        return self.out.read()

    def on_cpu_ns(self):
        with open(f"/proc/{self.pid}/schedstat") as schedstat:
            return int(schedstat.read().split()[0])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.out.close()
        self.err.close()


def latency(products, engine, directory, count):
    """Median and max, in ms, of READY=1 from sdnotify-send's stamp to its arrival at the listener."""
    listener = NotifySocket(os.path.join(directory, "notify.sock"))
    label = f"{RUN_LABEL}={uuid.uuid4().hex}"
    script = (f"i=0; while [ $i -lt {count} ]; do echo -n \"$i \"; sdnotify-send -t READY=1 STATUS=ping-$i; "
              "i=$((i+1)); sleep 0.05; done; while :; do sleep 0.1; done")
    run = Dockrun(products, engine, directory, listener.address, script, label)
    try:
        wait_for(listener, lambda lines: any(text == f"STATUS=ping-{count - 1}" for _, text in lines), 120, run)
        # The stamps come through the container's output, which may trail its datagrams.
        deadline = time.monotonic() + 30
        while len(run.stdout_text().splitlines()) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        sent = {}
        for line in run.stdout_text().splitlines():
            index, stamp = line.split()
            sent[f"ping-{index}"] = int(stamp)
        arrived = {text[len("STATUS="):]: at for at, text in listener.received() if text.startswith("STATUS=ping-")}
        delays = [(arrived[key] - sent[key] / 1e9) * 1000 for key in sent if key in arrived]
        if len(delays) != count:
            raise BenchError(f"{len(delays)} of {count} READY=1 arrived")
        return statistics.median(delays), max(delays)
    finally:
        run.stop()
        listener.close()
        engine.remove_containers(label)


def relay_cpu(products, engine, directory):
    """dockrun's on-CPU ms while it relays STATUS_COUNT messages, and over the same time with a quiet container."""
    listener = NotifySocket(os.path.join(directory, "notify.sock"))
    label = f"{RUN_LABEL}={uuid.uuid4().hex}"
    script = (f"sdnotify-send READY=1; sleep 1; "
              f"sdnotify-send -n {STATUS_COUNT} -i {STATUS_INTERVAL_US} STATUS=progress; "
              "sdnotify-send STATUS=done; while :; do sleep 0.1; done")
    run = Dockrun(products, engine, directory, listener.address, script, label)
    try:
        wait_for(listener, lambda lines: any(text == "READY=1" for _, text in lines), 60, run)
        before_ns, before_t = run.on_cpu_ns(), time.monotonic()
        wait_for(listener, lambda lines: any(text == "STATUS=done" for _, text in lines), 120, run)
        busy_ns, seconds = run.on_cpu_ns() - before_ns, time.monotonic() - before_t
        relayed = sum(1 for _, text in listener.received() if text == "STATUS=progress")
        if relayed != STATUS_COUNT:
            raise BenchError(f"{relayed} of {STATUS_COUNT} STATUS= relayed")
        # The same dockrun, the same span, its container now quiet.
        quiet_ns = run.on_cpu_ns()
        time.sleep(seconds)
        idle_ns = run.on_cpu_ns() - quiet_ns
        return busy_ns / 1e6, idle_ns / 1e6, seconds
    finally:
        run.stop()
        listener.close()
        engine.remove_containers(label)


def measure(products, engine, count):
    """Prints the engine's figures; False, with the reason printed, when they could not be measured."""
    try:
        with tempfile.TemporaryDirectory(prefix="bench-notify-") as directory:
            figures(products, engine, directory, count)
        return True
    except UNMEASURED as error:
        print(f"{engine.name}: not measured: {error}", flush=True)
        return False


def figures(products, engine, directory, count):
    median, worst = latency(products, engine, directory, count)
    print(f"{engine.name}: READY=1 in the container to systemd's socket, over {count}: "
          f"median {median:.2f} ms, max {worst:.2f} ms", flush=True)
    busy, idle, seconds = relay_cpu(products, engine, directory)
    print(f"{engine.name}: dockrun's CPU relaying {STATUS_COUNT} STATUS= in {seconds:.1f} s: {busy:.1f} ms "
          f"(quiet for as long: {idle:.1f} ms; per message: {(busy - idle) * 1000 / STATUS_COUNT:.1f} µs)",
          flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", metavar="DIR",
                        help="directory holding dockrun and fake-docker (default: scripts/build-release.sh's)")
    parser.add_argument("--count", type=int, default=50, help="READY=1 messages timed (default 50)")
    options = parser.parse_args()
    try:
        products = os.path.abspath(options.products) if options.products else build_products()
        with tempfile.TemporaryDirectory(prefix="bench-notify-state-") as state:
            measured = measure(products, Engine.fake(products, os.path.join(state, "state.sqlite")), options.count)
        try:
            real = Engine.real(os.environ.get("BENCH_DOCKER_HOST"))
        except EngineUnavailable as reason:
            print(f"docker: not measured ({reason})")
            return 0 if measured else 1
        measured = measure(products, real, options.count) and measured
        return 0 if measured else 1
    except UNMEASURED as error:
        print(f"bench-notify: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
