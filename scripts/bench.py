#!/usr/bin/env python3
"""Measure every figure named by issue 2 (fake-docker), issue 3 (dockrun), issue 10 (dockrun's cost beside
`docker run`) and issue 17 (`run --rm IMG true`), side by side with the real engine.

    scripts/bench.py [--products DIR] [--quick] [--only TEXT]

Without --products, builds the release products with scripts/build-release.sh (static Swift runtime, as a shipped
Linux CLI has it) and measures those. The real engine is DOCKER_HOST=unix:///tmp/engine/docker.sock (override with
BENCH_DOCKER_HOST), dockrun-test/busybox:latest imported when missing; if it does not answer, its columns are
skipped and said so. The engines are those of scripts/engine.py.

A benchmark measures, it does not test: a missed target is printed as "no" and the exit status stays 0. The exit
status is 1 only when something could not be measured (a command failed, a product misbehaved); the reason is
printed in the figure's row.
"""

import argparse
import concurrent.futures
import json
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from engine import TEST_IMAGE as IMAGE, TEST_IMAGE_SCRIPT, Engine, EngineError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Runs a command as a child subreaper and prints the CPU and wall of its whole process tree.
TREE_COST = os.path.join(REPO, "scripts", "tree_cost.py")
# The label key that tells one run's container from the others: its value is unique to the run.
RUN_LABEL = "dockrun-bench-run"
ONE_GIB = 1 << 30
CLOCK_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    pass


# What makes a figure unmeasurable: the benchmark's own checks, or a docker command of the engine helper.
UNMEASURED = (BenchError, EngineError)


def log(text):
    print(f"bench: {text}", file=sys.stderr, flush=True)


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def mib(kib):
    return f"{kib / 1024:.1f} MiB"


def check(argv, env, stdin=subprocess.DEVNULL, expect=0, timeout=120):
    """Runs a command to completion; anything but the expected exit status is an error of the product."""
    try:
        done = subprocess.run(argv, env=env, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"`{' '.join(argv)}` did not finish within {timeout} s")
    if done.returncode != expect:
        raise BenchError(f"`{' '.join(argv)}` exited {done.returncode} (expected {expect}): "
                         f"{done.stderr.decode(errors='replace').strip()[:300]}")
    return done


def spawn(argv, env, stdout=subprocess.DEVNULL):
    """Starts `argv` with its stderr in an unnamed temporary file, not a pipe: a caller that waits for the child, or
    reads its stdout to the end, before it reads stderr cannot then block a child that fills a stderr pipe (the
    deadlock of reading one pipe to its end while the child writes the other). `errors_of` reads it."""
    errors = tempfile.TemporaryFile()
    child = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=errors)
    child.errors = errors
    return child


def errors_of(child):
    """What a child of `spawn` wrote to stderr so far, as text."""
    child.errors.seek(0)
    return child.errors.read().decode(errors="replace").strip()


def timed(argv, env, expect=0):
    start = time.perf_counter()
    check(argv, env, expect=expect)
    return time.perf_counter() - start


# MARK: /proc


def proc_status_kib(pid, field):
    """A `Vm*` line of /proc/PID/status in KiB, or None once the process is gone (or a zombie: no memory map)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def proc_children(pid):
    """The children of `pid`, whichever of its threads forked them (the docker CLI is a Go program: any of its
    threads may)."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                found += [int(p) for p in children.read().split()]
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def proc_cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return [a.decode(errors="replace") for a in cmdline.read().split(b"\0") if a]
    except (FileNotFoundError, ProcessLookupError):
        return []


def proc_tree(root, excluded=lambda argv: False):
    """{pid: argv} of `root` and its descendants, leaving out each process for which `excluded(argv)` holds, and
    its own descendants."""
    tree, pending = {}, [root]
    while pending:
        pid = pending.pop()
        argv = proc_cmdline(pid)
        if not argv or excluded(argv):
            continue  # gone (or a zombie: no cmdline) or not the tree's
        tree[pid] = argv
        pending += proc_children(pid)
    return tree


def proc_stat_fields(pid):
    """The fields of /proc/PID/stat after the command name (which may hold spaces); [0] is field 3 (state)."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()


def proc_cpu_ticks(pid):
    """utime + stime of /proc/PID/stat (fields 14 and 15), in clock ticks: every thread's, without the children's."""
    fields = proc_stat_fields(pid)
    return int(fields[11]) + int(fields[12])


def proc_memory_kib(pid):
    """(PSS, RSS) of a process in KiB from /proc/PID/smaps_rollup, or None once it is gone. PSS charges each page
    shared by N processes 1/N to each, so a sum of PSS over processes counts a shared page once; a sum of RSS
    counts it once per process."""
    found = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                key, _, rest = line.partition(":")
                if key in ("Pss", "Rss"):
                    found[key] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return (found["Pss"], found["Rss"]) if len(found) == 2 else None


def own_cpu_of_exited(pid):
    """CPU of `pid` itself, not of its children, read while it is a zombie (after waitid(WNOWAIT), before the reap):
    (schedstat's on-CPU nanoseconds, exact; utime+stime from stat, in clock ticks). Both exclude the children,
    which wait4's rusage would add in."""
    with open(f"/proc/{pid}/schedstat") as schedstat:
        on_cpu_s = int(schedstat.read().split()[0]) / 1e9
    return on_cpu_s, proc_cpu_ticks(pid) * CLOCK_TICK_S


class PeriodicSampler:
    """Calls `sample()` every `period` on a thread of its own, from `with` until its end."""

    def __init__(self, period):
        self.period = period
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self):
        while not self.stopped.is_set():
            self.sample()
            self.stopped.wait(self.period)

    def sample(self):
        raise NotImplementedError

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopped.set()
        self.thread.join()


class HighWaterSampler(PeriodicSampler):
    """Polls VmHWM of a set of processes chosen by `pids()` until stopped; VmHWM is the kernel's own peak, so a
    sample only has to come late enough, not at the peak."""

    def __init__(self, pids, period=0.02):
        super().__init__(period)
        self.pids = pids
        self.peaks = {}

    def sample(self):
        for role, pid in self.pids():
            hwm = proc_status_kib(pid, "VmHWM")
            if hwm is not None:
                self.peaks[role] = max(self.peaks.get(role, 0), hwm)


class TreeWatcher(PeriodicSampler):
    """Walks the process tree under `root` every `period` until stopped: keeps the latest tree, when its set of
    processes last changed, and every docker CLI process seen in it. A real docker CLI process lives tens of
    milliseconds at the least (its start-up alone), so a 5 ms period sees each one."""

    def __init__(self, root, period=0.005):
        super().__init__(period)
        self.root = root
        self.latest = {}
        self.changed_at = time.monotonic()
        self.clients = {}
        self.lock = threading.Lock()

    def sample(self):
        tree = proc_tree(self.root, excluded=is_engine_process)
        with self.lock:
            if tree.keys() != self.latest.keys():
                self.changed_at = time.monotonic()
            self.latest = tree
            for pid, argv in tree.items():
                if is_docker_cli(argv):
                    self.clients.setdefault(pid, argv)

    def settled(self, quiet, limit):
        """The tree once its processes have not changed for `quiet` seconds (or after `limit` seconds)."""
        deadline = time.monotonic() + limit
        while True:
            with self.lock:
                if time.monotonic() - self.changed_at >= quiet or time.monotonic() > deadline:
                    return dict(self.latest)
            time.sleep(self.period)


def is_docker_cli(argv):
    return os.path.basename(argv[0]) in ("docker", "fake-docker") and not is_engine_process(argv)


def is_engine_process(argv):
    """fake-docker's shim (`fake-docker __shim ID`, started by the `run` client) and the container's processes
    under it stand for the real engine's containerd-shim and container, which are no client's tree: the engine's
    cost, not the client's."""
    return argv[1:2] == ["__shim"]


def tree_role(argv):
    """What a process of a client's tree is, for a breakdown: `dockrun`, `dockrun __guardian`, `docker wait`, …"""
    name = os.path.basename(argv[0])
    if len(argv) > 1 and (is_docker_cli(argv) or argv[1] == "__guardian"):
        return f"{name} {argv[1]}"
    return name


def process_counts(trees):
    """`started; alive (names)` of tree probes, as a range where the probes differ."""
    def spread(values):
        low, high = min(values), max(values)
        return str(low) if low == high else f"{low}-{high}"
    # The docker subcommands, in the order started (alive: by PID), of the most frequent list among the probes.
    names = lambda key: statistics.mode(", ".join(role.split(" ", 1)[1] for role in t[key]) for t in trees)
    return (f"{spread([len(t['started']) for t in trees])} ({names('started')}); "
            f"{spread([len(t['alive']) for t in trees])} ({names('alive')})")


# MARK: engines


def lifecycle(engine, label):
    """`run -d IMG true` + `wait` + `rm`, the figure of issue 2; returns its wall time."""
    return sum(lifecycle_steps(engine, label))


def lifecycle_steps(engine, label):
    """The wall time of each of the lifecycle's three commands."""
    env = engine.full_env()
    marks = [time.perf_counter()]
    cid = check(engine.cmd("run", "-d", "--label", label, IMAGE, "true"), env).stdout.decode().strip()
    marks.append(time.perf_counter())
    code = check(engine.cmd("wait", cid), env).stdout.decode().strip()
    if code != "0":
        raise BenchError(f"{engine.name}: `wait {cid[:12]}` printed {code!r}, expected 0")
    marks.append(time.perf_counter())
    check(engine.cmd("rm", cid), env)
    marks.append(time.perf_counter())
    return [b - a for a, b in zip(marks, marks[1:])]


class FakeState:
    """A private fake-docker state file with the test image imported."""

    def __init__(self, bench, name):
        self.path = os.path.join(bench.tmp, name + ".sqlite")
        self.engine = Engine.fake(bench.products, self.path, bench.rootfs_tar)

    def running_shims(self):
        """A `watched()` for HighWaterSampler: the shim of the running container, looked up until seen and then
        kept, since a query per sample would take CPU from the stream being measured."""
        found = []

        def shims():
            if not found:
                try:
                    found.extend(self.query("SELECT shim_pid FROM containers WHERE status = 'running' AND shim_pid > 0"))
                except sqlite3.Error:
                    pass
            return [("shim", pid) for (pid,) in found]

        return shims

    def query(self, sql, params=()):
        # Read-only use of the live file: WAL lets this read beside fake-docker's writers.
        with sqlite3.connect(self.path, timeout=5) as db:
            return db.execute(sql, params).fetchall()


# MARK: the benchmark


class Bench:
    def __init__(self, products, quick):
        self.quick = quick
        self.only = None
        self.products = products
        self.dockrun = os.path.join(products, "dockrun")
        for product in (os.path.join(products, "fake-docker"), self.dockrun):
            if not os.access(product, os.X_OK):
                raise BenchError(f"{product} is not an executable")
        self.tmp = tempfile.mkdtemp(prefix="dockrun-bench-")
        self.label = f"dockrun-bench={os.getpid()}-{int(time.time())}"
        # dockrun is measured without its trace; stop_latency turns it on where it reads it.
        os.environ.pop("DOCKRUN_DEBUG", None)
        self.rows = []
        self.failures = 0
        self.fakes = []
        self.real = None
        self.real_skipped = None

    def loops(self, full, quick):
        return quick if self.quick else full

    def row(self, figure, target, measured, ok):
        verdict = "-" if ok is None else ("yes" if ok else "no")
        self.rows.append((figure, target, measured, verdict))
        log(f"{figure}: {measured} [{verdict}]")

    def section(self, figure, measure):
        if self.only and self.only.lower() not in figure.lower():
            return
        try:
            measure()
        except UNMEASURED as error:
            self.failures += 1
            self.row(figure, "", f"ERROR: {error}", False)

    # MARK: setup and clean-up

    def setup(self):
        self.rootfs_tar = self.build_rootfs_tar()
        self.main = self.fake_state("main")
        self.find_real_engine()

    def build_rootfs_tar(self):
        """The test image's root filesystem, made once and imported into every fake-docker state."""
        tar = os.path.join(self.tmp, "rootfs.tar")
        check(["bash", TEST_IMAGE_SCRIPT, "rootfs", tar], os.environ)
        return tar

    def fake_state(self, name):
        state = FakeState(self, name)
        self.fakes.append(state)
        return state

    def find_real_engine(self):
        try:
            self.real = Engine.real(os.environ.get("BENCH_DOCKER_HOST", "unix:///tmp/engine/docker.sock"))
        except EngineError as error:
            self.real_skipped = str(error)

    def cleanup(self):
        for state in self.fakes:
            try:
                ids = state.engine.container_ids(self.label)
                # The 10,000 cloned rows of the ps figure have no processes: deleting the file is their removal.
                if 0 < len(ids) < 100:
                    state.engine.docker("rm", "-f", *ids, check=False)
            except EngineError as error:
                log(f"clean-up: {state.path}: {error}")
        if self.real is not None:
            try:
                left = self.real.remove_containers(self.label)
            except EngineError as error:
                log(f"clean-up: the real engine: {error}")
            else:
                if left:
                    log(f"clean-up: removed {left} container(s) labelled {self.label} from the real engine")
        shutil.rmtree(self.tmp, ignore_errors=True)

    # MARK: fake-docker figures (issue 2)

    def paired(self, count, first, second):
        """Wall times of two measurements, interleaved and alternating which goes first, after one unmeasured
        warm-up each; a drift of the machine's load then hits both sides alike."""
        first()
        second()
        a, b = [], []
        for i in range(count):
            if i % 2 == 0:
                a.append(first())
                b.append(second())
            else:
                b.append(second())
                a.append(first())
        return a, b

    def lifecycle_vs_engine(self):
        figure = "lifecycle run -d true + wait + rm: real/fake"
        if self.real is None:
            self.row(figure, ">= 5x", f"real engine: skipped: {self.real_skipped}", None)
            return
        n = self.loops(20, 3)
        fake_steps, real_steps = self.paired(n, lambda: lifecycle_steps(self.main.engine, self.label),
                                            lambda: lifecycle_steps(self.real, self.label))
        self.speed_ratio_row(figure, 5, [sum(s) for s in fake_steps], [sum(s) for s in real_steps])
        for name, steps in (("fake", fake_steps), ("real", real_steps)):
            medians = [statistics.median(s[i] for s in steps) for i in range(3)]
            self.row(f"lifecycle steps, {name}: median run -d / wait / rm", "-",
                     " / ".join(ms(m) for m in medians), None)

    def run_rm_true_vs_engine(self):
        """Issue 17's figure: `run --rm IMG true` on each engine, paired and interleaved as the lifecycle."""
        figure = "run --rm IMG true: real/fake"
        if self.real is None:
            self.row(figure, ">= 8x", f"real engine: skipped: {self.real_skipped}", None)
            return
        n = self.loops(30, 3)
        run = lambda engine: timed(engine.cmd("run", "--rm", "--label", self.label, IMAGE, "true"), engine.full_env())
        self.speed_ratio_row(figure, 8, *self.paired(n, lambda: run(self.main.engine), lambda: run(self.real)))

    def speed_ratio_row(self, figure, target, fake, real):
        """The row of a paired figure: the real engine's median wall over fake-docker's, at least `target` times."""
        ratio = statistics.median(real) / statistics.median(fake)
        pair_ratio = statistics.median(r / f for r, f in zip(real, fake))
        self.row(figure, f">= {target}x",
                 f"{ratio:.1f}x (fake {ms(statistics.median(fake))}, real {ms(statistics.median(real))}; "
                 f"median of pair ratios {pair_ratio:.1f}x; {len(fake)} pairs)", ratio >= target)

    def concurrent_lifecycles(self):
        n = self.loops(100, 25)
        state = self.fake_state("concurrent")
        failures, locked = [], 0

        def one(_):
            try:
                lifecycle(state.engine, self.label)
                return None
            except UNMEASURED as error:
                return str(error)

        start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
            for error in pool.map(one, range(n)):
                if error is not None:
                    failures.append(error)
                    locked += "database is locked" in error
        wall = time.perf_counter() - start
        left = len(state.engine.container_ids(self.label))
        for error in failures[:3]:
            log(f"concurrent lifecycle failed: {error}")
        self.row(f"{n} concurrent lifecycles, one state file", "0 errors, 0 locked",
                 f"{len(failures)} errors, {locked} 'database is locked', {left} containers left; wall {wall:.1f} s",
                 not failures and left == 0)

    def ps_with_10000(self):
        total = 10_000
        state = self.fake_state("ps10k")
        templates = 3
        for _ in range(templates):
            cid = check(state.engine.cmd("run", "-d", "--label", self.label, IMAGE, "true"),
                        state.engine.full_env()).stdout.decode().strip()
            check(state.engine.cmd("wait", cid), state.engine.full_env())
        # Clones of the exited templates, round robin, with fresh 64-hex IDs, unique names and increasing seq;
        # every other column is copied as it is (whatever the schema version), and no process belongs to a
        # clone, so ps reads them as plain rows.
        columns = [row[1] for row in state.query("PRAGMA table_info(containers)")]
        replaced = {"id": "lower(hex(randomblob(32)))", "name": "t.name || '_' || n.i", "seq": "top.s + n.i",
                    "pid": "0", "pid_start": "0", "shim_pid": "0", "shim_start": "0"}
        values = ", ".join(replaced.get(c, f"t.{c}") for c in columns)
        clone = f"""
            BEGIN IMMEDIATE;
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {total - templates}),
                 t AS (SELECT *, row_number() OVER (ORDER BY seq) - 1 AS k FROM containers),
                 top(s) AS (SELECT max(seq) FROM containers)
            INSERT INTO containers ({", ".join(columns)})
            SELECT {values}
            FROM n JOIN t ON t.k = n.i % {templates} JOIN top;
            COMMIT;
            """
        done = subprocess.run(["sqlite3", state.path], input=clone.encode(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        if done.returncode != 0:
            raise BenchError(f"sqlite3 could not clone the container rows: {done.stderr.decode().strip()}")
        count = state.query("SELECT count(*) FROM containers")[0][0]
        if count != total:
            raise BenchError(f"the state holds {count} containers, expected {total}")
        n = self.loops(20, 3)
        for args, lines, figure in ((["ps", "-a"], total + 1, "ps -a, 10,000 containers"),
                                    (["ps", "-a", "--format", "{{.ID}}"], total,
                                     "ps -a --format '{{.ID}}', 10,000 containers")):
            walls = []
            for _ in range(n + 1):
                start = time.perf_counter()
                out = check(state.engine.cmd(*args), state.engine.full_env()).stdout
                walls.append(time.perf_counter() - start)
                printed = out.count(b"\n")
                if printed != lines:
                    raise BenchError(f"`{' '.join(args)}` printed {printed} lines, expected {lines}")
            median = statistics.median(walls[1:])
            self.row(figure, "< 50 ms", f"{ms(median)} median of {n} (min {ms(min(walls[1:]))})", median < 0.050)

    def run_with_rusage(self, argv, env, results, key):
        """wait4's rusage of one child: its own CPU plus that of the children it reaped, the same account
        RUSAGE_CHILDREN gives, but per process so two measurements can run side by side."""
        start = time.perf_counter()
        child = spawn(argv, env, stdout=subprocess.PIPE)
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        results[key] = (time.perf_counter() - start, usage.ru_utime + usage.ru_stime, child.returncode,
                        out.decode().strip(), errors_of(child))

    def wait_cpu(self):
        seconds = self.loops(10, 2)
        engines = [("fake", self.main.engine)] + ([("real", self.real)] if self.real else [])
        waiters, results = [], {}
        for key, engine in engines:
            cid = check(engine.cmd("run", "-d", "--label", self.label, IMAGE, "sleep", str(seconds)),
                        engine.full_env()).stdout.decode().strip()
            waiters.append(threading.Thread(target=self.run_with_rusage,
                                            args=(engine.cmd("wait", cid), engine.full_env(), results, key)))
            waiters[-1].cid = cid
            waiters[-1].start()
        for waiter in waiters:
            waiter.join()
        for (key, engine), waiter in zip(engines, waiters):
            wall, cpu, code, out, err = results[key]
            if code != 0 or out != "0":
                raise BenchError(f"{engine.name}: `wait` exited {code} printing {out!r}: {err[:200]}")
            check(engine.cmd("rm", waiter.cid), engine.full_env())
        wall, cpu = results["fake"][:2]
        real = f"; docker CLI wait: {ms(results['real'][1])}" if "real" in results else ""
        self.row(f"wait on a {seconds} s container: CPU of fake-docker wait", "< 20 ms",
                 f"{ms(cpu)} (wall {wall:.2f} s){real}", cpu < 0.020)

    def stream_into_counter(self, argv, env, watched=lambda: []):
        """Runs `argv` with stdout into this reader, which only counts bytes; returns (bytes, seconds from the
        first byte to EOF, seconds in all, peak VmHWM per role of `watched()`)."""
        start = time.perf_counter()
        child = spawn(argv, env, stdout=subprocess.PIPE)
        buffer = bytearray(1 << 20)
        fd = child.stdout.fileno()
        count, first = 0, None
        with HighWaterSampler(lambda: [("client", child.pid)] + watched()) as sampler:
            while True:
                n = os.readv(fd, [buffer])
                if n == 0:
                    break
                if first is None:
                    first = time.perf_counter()
                count += n
            end = time.perf_counter()
            code = child.wait()
        if code != 0:
            raise BenchError(f"`{' '.join(argv)}` exited {code}: {errors_of(child)[:300]}")
        return count, end - (first or start), end - start, sampler.peaks

    @staticmethod
    def producer(size):
        """The writer on both sides of the comparison: busybox dd writing SIZE zero bytes in 64 KiB writes (a
        plain pipe writer; the container's dd is the same busybox applet)."""
        block = 64 * 1024
        return f"dd if=/dev/zero bs={block} count={size // block} 2>/dev/null"

    def fake_stream(self, size):
        """`fake-docker run --rm IMG sh -c 'dd …'` into the counter: (MB/s, peaks)."""
        count, streaming, _, peaks = self.stream_into_counter(
            self.main.engine.cmd("run", "--rm", "--label", self.label, IMAGE, "sh", "-c", self.producer(size)),
            self.main.engine.full_env(), self.main.running_shims())
        if count != size:
            raise BenchError(f"fake-docker run delivered {count} bytes, expected {size}")
        return count / streaming / 1e6, peaks

    def host_stream(self, argv):
        count, streaming, _, _ = self.stream_into_counter(argv, os.environ)
        return count / streaming / 1e6

    def throughput(self):
        size = ONE_GIB
        n = self.loops(3, 1)
        fake_rates, pipe_rates, peaks = [], [], {}
        for _ in range(n):
            rate, fake_peaks = self.fake_stream(size)
            fake_rates.append(rate)
            for role, kib in fake_peaks.items():
                peaks[role] = max(peaks.get(role, 0), kib)
            # The same writer straight into a pipe on the host: what is lost is fake-docker's (the shim's copy
            # into the log and to the client), not the writer's.
            pipe_rates.append(self.host_stream(["/bin/busybox", "sh", "-c", "/bin/busybox " + self.producer(size)]))
        fake, pipe = statistics.median(fake_rates), statistics.median(pipe_rates)
        self.row("attached output, 1 GiB: fake-docker run / the same writer into a plain pipe", ">= 0.5",
                 f"{fake / pipe:.2f} (fake-docker {fake:.0f} MB/s, plain pipe {pipe:.0f} MB/s; median of {n})",
                 fake / pipe >= 0.5)
        # Flat: the peak at 1 GiB is within a few MiB of the peak at 128 MiB, whatever the baseline is. (A
        # smaller stream ends before the 20 ms sampler has seen the shim.)
        _, small = self.fake_stream(128 << 20)
        grown = {role: peaks.get(role, 0) - small.get(role, 0) for role in ("client", "shim")}
        flat = "shim" in peaks and "shim" in small and max(grown.values()) <= 4 * 1024
        self.row("attached output: peak RSS (VmHWM) at 1 GiB vs at 128 MiB", "flat",
                 ", ".join(f"{role} {mib(peaks[role]) if role in peaks else 'not seen'} vs "
                           f"{mib(small[role]) if role in small else 'not seen'}" for role in ("client", "shim")),
                 flat)
        if self.real is not None and not self.quick:
            count, streaming, _, real_peaks = self.stream_into_counter(
                self.real.cmd("run", "--rm", "--label", self.label, IMAGE, "sh", "-c", self.producer(size)),
                self.real.full_env())
            self.row("attached output, 1 GiB: real engine, for comparison", "-",
                     f"{count / streaming / 1e6:.0f} MB/s, docker CLI VmHWM {mib(real_peaks.get('client', 0))}",
                     None)

    # MARK: dockrun figures (issue 3)

    def dockrun_overhead(self):
        n = self.loops(20, 3)
        engines = [("real engine", self.real), ("fake-docker", self.main.engine)]
        for title, engine in engines:
            figure = f"dockrun --rm IMG true / docker run --rm IMG true, {title}"
            if engine is None:
                self.row(figure, "<= 1.10", f"real engine: skipped: {self.real_skipped}", None)
                continue
            env = engine.full_env()
            through_dockrun = lambda: timed([self.dockrun, "--rm", "--label", self.label, IMAGE, "true"], env)
            direct = lambda: timed(engine.cmd("run", "--rm", "--label", self.label, IMAGE, "true"), engine.full_env())
            a, b = self.paired(n, through_dockrun, direct)
            ratio = statistics.median(x / y for x, y in zip(a, b))
            self.row(figure, "<= 1.10",
                     f"{ratio:.3f} median ratio (dockrun {ms(statistics.median(a))}, "
                     f"docker run {ms(statistics.median(b))}; {n} pairs)", ratio <= 1.10)

    def supervise_sleep(self, engine, seconds, results, key):
        """dockrun supervising `sleep`: its own CPU, read from /proc while it is a zombie, and peak RSS of it and
        of the docker CLI clients it started."""
        child = spawn([self.dockrun, "--rm", "--label", self.label, IMAGE, "sleep", str(seconds)], engine.full_env())

        def watched():
            roles = [("dockrun", child.pid)]
            for pid in proc_children(child.pid):
                argv = proc_cmdline(pid)
                if argv[:1] == [self.dockrun]:
                    continue  # forked, not yet exec'd: still dockrun's image
                # The guardian is dockrun re-executed (its argv[0] the resolved path), not a docker CLI.
                role = f"docker CLI {argv[1]}" if is_docker_cli(argv) and len(argv) > 1 else tree_role(argv)
                roles.append((role, pid))
            return roles

        with HighWaterSampler(watched) as sampler:
            os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
            sampler.sample()
        on_cpu, ticks = own_cpu_of_exited(child.pid)
        code = child.wait()
        results[key] = (code, errors_of(child), on_cpu, ticks, sampler.peaks)

    def dockrun_cpu_and_rss(self):
        seconds = self.loops(10, 2)
        engines = [("fake-docker", self.main.engine)] + ([("real engine", self.real)] if self.real else [])
        results = {}
        threads = [threading.Thread(target=self.supervise_sleep, args=(engine, seconds, results, title))
                   for title, engine in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for title, _ in engines:
            code, err, on_cpu, ticks, peaks = results[title]
            if code != 0:
                raise BenchError(f"dockrun against {title} exited {code}: {err[:300]}")
            self.row(f"dockrun CPU while `sleep {seconds}` runs, {title}", "<= 10 ms",
                     f"{ms(on_cpu)} on CPU (tick-sampled utime+stime: {ms(ticks)})", on_cpu <= 0.010)
            dockrun_peak = peaks.get("dockrun", 0)
            client = peaks.get("docker CLI run")
            others = ", ".join(f"{role} {mib(kib)}" for role, kib in sorted(peaks.items())
                               if role not in ("dockrun", "docker CLI run"))
            self.row(f"dockrun peak RSS (VmHWM), {title}", "<= 16 MiB",
                     f"{mib(dockrun_peak)} (its docker CLI run: {mib(client) if client else 'not seen'}"
                     f"{'; ' + others if others else ''})", 0 < dockrun_peak <= 16 * 1024)
        if not self.real:
            self.row("dockrun CPU and RSS, real engine", "", f"real engine: skipped: {self.real_skipped}", None)

    def stop_latency(self):
        """SIGTERM to dockrun → `docker stop` started, against fake-docker: the stop call's started_at in the call
        log minus the moment of the signal (both CLOCK_REALTIME); and, from the same runs, the moment dockrun
        announced the stop on stderr (DOCKRUN_DEBUG=1), which leaves out fake-docker's own start-up."""
        n = self.loops(20, 3)
        state = self.fake_state("stop")
        env = state.engine.full_env({"DOCKRUN_DEBUG": "1"})
        to_call, to_trace, codes = [], [], []
        for _ in range(n):
            last_call = state.query("SELECT coalesce(max(seq), 0) FROM calls")[0][0]
            # KILL as the stop signal ends the container at once, so each run costs the latency, not a timeout.
            child = subprocess.Popen([self.dockrun, "--rm", "--stop-signal", "KILL", "--label", self.label, IMAGE,
                                      "sleep", "30"], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
            lines = []

            def read_trace(stream=child.stderr, lines=lines):
                for line in stream:
                    lines.append((time.time(), line.decode(errors="replace")))

            reader = threading.Thread(target=read_trace, daemon=True)
            reader.start()
            try:
                deadline = time.monotonic() + 30
                while not state.query("SELECT 1 FROM containers WHERE status = 'running'"):
                    if time.monotonic() > deadline:
                        raise BenchError(f"the container never reached `running`: {''.join(t for _, t in lines)[:300]}")
                    time.sleep(0.01)
                # Let the client's start-up settle, so the figure is dockrun's reaction, not a race with the
                # client for the two cores.
                time.sleep(0.3)
                sent = time.time()
                child.send_signal(signal.SIGTERM)
                codes.append(child.wait(timeout=60))
            finally:
                if child.poll() is None:
                    child.kill()
                    child.wait()
            reader.join(5)
            stops = [(started, json.loads(argv)) for started, argv in
                     state.query("SELECT started_at, argv FROM calls WHERE seq > ? ORDER BY seq", (last_call,))]
            stops = [started for started, argv in stops if argv[:1] == ["stop"]]
            if len(stops) != 1:
                raise BenchError(f"expected one `docker stop` call after SIGTERM, the call log has {len(stops)}")
            to_call.append(stops[0] - sent)
            traced = [at for at, text in lines if "exec:" in text and " stop " in text]
            if traced:
                to_trace.append(traced[0] - sent)
        median = statistics.median(to_call)
        unexpected = sorted(set(c for c in codes if c != 137))
        self.row("SIGTERM to dockrun -> docker stop started (call log), fake-docker", "<= 20 ms",
                 f"{ms(median)} median of {n} (max {ms(max(to_call))}; dockrun exit codes "
                 f"{'all 137' if not unexpected else codes})", median <= 0.020)
        if to_trace:
            self.row("SIGTERM to dockrun -> stop announced (DOCKRUN_DEBUG line)", "-",
                     f"{ms(statistics.median(to_trace))} median of {len(to_trace)}", None)

    # MARK: dockrun's cost beside docker run (issue 10)

    def cost_vs_docker_run(self):
        """Every figure of issue 10's first table, dockrun beside the `docker run` it runs, in one run."""
        state = self.fake_state("cost")
        if self.real is None:
            self.row("cost vs docker run, real engine", "", f"real engine: skipped: {self.real_skipped}", None)
        else:
            self.true_lifecycle_cpu_and_wall(self.real)
        self.true_lifecycle_wall_overhead(state.engine)
        if self.real is not None:
            self.tree_while_container_runs("real engine", self.real, self.running_by_ps(self.real), None)
        self.tree_while_container_runs("fake-docker", state.engine, self.running_by_state(state), state)

    def tree_cost(self, argv, env):
        """CPU and wall of `argv`'s whole process tree, from scripts/tree_cost.py (a child subreaper, so no
        orphan of the tree escapes the count): a dict of its JSON."""
        done = check([sys.executable, TREE_COST, *argv], env)
        cost = json.loads(done.stdout)
        if cost["code"] != 0 or cost["left"]:
            raise BenchError(f"`{' '.join(argv)}` exited {cost['code']}, left running {cost['left']}: "
                             f"{done.stderr.decode(errors='replace').strip()[:300]}")
        return cost

    def true_lifecycles(self, engine):
        """Paired, interleaved `--rm IMG true` lifecycles on `engine`: (dockrun's tree costs, `docker run`'s)."""
        env = engine.full_env()
        return self.paired(
            self.loops(20, 3),
            lambda: self.tree_cost([self.dockrun, "--rm", "--label", self.label, IMAGE, "true"], env),
            lambda: self.tree_cost(engine.cmd("run", "--rm", "--label", self.label, IMAGE, "true"), engine.full_env()))

    def true_lifecycle_cpu_and_wall(self, engine):
        through_dockrun, direct = self.true_lifecycles(engine)
        n = len(through_dockrun)
        median = lambda costs, key: statistics.median(c[key] for c in costs)
        cpu = statistics.median(a["cpu"] / b["cpu"] for a, b in zip(through_dockrun, direct))
        # dockrun is single-threaded: its main thread's CPU is its own, and the rest of the tree's is that of the
        # guardian and docker clients it reaped, which shows they are in the figure.
        own = median(through_dockrun, "main_thread_cpu")
        reaped = statistics.median(c["cpu"] - c["main_thread_cpu"] for c in through_dockrun)
        adopted = [name for cost in through_dockrun for name in cost["adopted"]]
        self.row("cost: CPU of a --rm IMG true lifecycle (user+sys of the process tree), dockrun / docker run, "
                 "real engine", "<= 1.7x",
                 f"{cpu:.2f}x median of pair ratios (dockrun {ms(median(through_dockrun, 'cpu'))}, docker run "
                 f"{ms(median(direct, 'cpu'))}; of dockrun's, dockrun itself {ms(own)}, the processes it started and "
                 f"reaped {ms(reaped)}; orphans adopted: {', '.join(adopted) if adopted else 'none'}; {n} pairs)",
                 cpu <= 1.7)
        wall = statistics.median(a["wall"] / b["wall"] for a, b in zip(through_dockrun, direct))
        self.row("cost: wall of the same, dockrun / docker run, real engine", "<= 1.05x",
                 f"{wall:.3f}x median of pair ratios (dockrun {ms(median(through_dockrun, 'wall'))}, docker run "
                 f"{ms(median(direct, 'wall'))}; {n} pairs)", wall <= 1.05)

    def true_lifecycle_wall_overhead(self, engine):
        through_dockrun, direct = self.true_lifecycles(engine)
        n = len(through_dockrun)
        overhead = statistics.median(a["wall"] - b["wall"] for a, b in zip(through_dockrun, direct))
        dockrun_wall = statistics.median(a["wall"] for a in through_dockrun)
        direct_wall = statistics.median(b["wall"] for b in direct)
        self.row("cost: wall of the same on fake-docker, dockrun - fake-docker run --rm", "<= 12 ms",
                 f"{overhead * 1000:+.1f} ms median of pair differences (dockrun {ms(dockrun_wall)}, fake-docker run "
                 f"{ms(direct_wall)}, {dockrun_wall / direct_wall:.2f}x; {n} pairs)", overhead <= 0.012)

    def running_by_ps(self, engine):
        """Whether the run labelled with a token has its container running, asked of the engine."""
        def running(token):
            ps = check(engine.cmd("ps", "-q", "--filter", f"label={RUN_LABEL}={token}", "--filter",
                                  "status=running"), engine.full_env())
            return bool(ps.stdout.strip())
        return running

    def running_by_state(self, state):
        """The same, read from fake-docker's state file rather than by `ps`, so that its call log holds only the
        calls of the tree being measured. The state runs one container at a time."""
        return lambda _token: bool(state.query("SELECT 1 FROM containers WHERE status = 'running'"))

    def tree_while_running(self, command, env, running, state):
        """Runs `command(token)`, a `--rm` run of a `sleep` container labelled RUN_LABEL=token; once the container
        runs and the tree has been still for 0.3 s, reads PSS and RSS of each process of the tree; counts the
        docker CLI processes alive then and started in all (from the call log of `state`, when given, else from
        the tree sampled every 5 ms). Returns a dict: pss, rss (KiB sums), roles {role: PSS}, alive, started."""
        token = uuid.uuid4().hex[:12]
        last_call = state.query("SELECT coalesce(max(seq), 0) FROM calls")[0][0] if state else None
        argv = command(token)
        child = spawn(argv, env)
        try:
            with TreeWatcher(child.pid) as watcher:
                deadline = time.monotonic() + 60
                while not running(token):
                    if child.poll() is not None or time.monotonic() > deadline:
                        raise BenchError(f"`{' '.join(argv)}`: its container was not seen running")
                    time.sleep(0.02)
                tree = watcher.settled(quiet=0.3, limit=5)
                at = time.time()
                memory = {pid: proc_memory_kib(pid) for pid in tree}
                if child.poll() is not None or None in memory.values():
                    raise BenchError(f"`{' '.join(argv)}`: the tree ended before its memory was read")
                child.wait(timeout=120)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        if child.returncode != 0:
            raise BenchError(f"`{' '.join(argv)}` exited {child.returncode}: {errors_of(child)[:300]}")
        roles = {}
        for pid, (pss, _) in memory.items():
            role = tree_role(tree[pid])
            roles[role] = roles.get(role, 0) + pss
        if state:
            calls = state.query("SELECT argv, started_at, ended_at FROM calls WHERE seq > ? ORDER BY seq",
                                (last_call,))
            started = [("fake-docker " + json.loads(a)[0], s, e) for a, s, e in calls]
            alive = [role for role, s, e in started if s <= at and (e is None or e > at)]
            started = [role for role, _, _ in started]
        else:
            alive = [tree_role(a) for _, a in sorted(tree.items()) if is_docker_cli(a)]
            started = [tree_role(a) for _, a in sorted(watcher.clients.items())]
        return {"pss": sum(p for p, _ in memory.values()), "rss": sum(r for _, r in memory.values()),
                "roles": roles, "alive": alive, "started": started}

    def tree_while_container_runs(self, title, engine, running, state):
        seconds = 3
        env = engine.full_env()
        through_dockrun, direct = self.paired(
            self.loops(5, 1),
            lambda: self.tree_while_running(
                lambda token: [self.dockrun, "--rm", "--label", self.label, "--label", f"{RUN_LABEL}={token}",
                               IMAGE, "sleep", str(seconds)], env, running, state),
            lambda: self.tree_while_running(
                lambda token: engine.cmd("run", "--rm", "--label", self.label, "--label", f"{RUN_LABEL}={token}",
                                         IMAGE, "sleep", str(seconds)), engine.full_env(), running, state))
        n = len(through_dockrun)
        peer = "docker run" if state is None else "fake-docker run"
        median = lambda trees, key: statistics.median(t[key] for t in trees)
        for key, figure, target, limit in (
                ("pss", "memory while the container runs, PSS summed over the process tree", "<= 1.3x", 1.3),
                ("rss", "the same as plain RSS sums (shared pages counted once per process)", "-", None)):
            ratio = median(through_dockrun, key) / median(direct, key)
            detail = ""
            if key == "pss":
                # The run with the median PSS sum (n is odd in a full run), process by process.
                typical = sorted(through_dockrun, key=lambda t: t["pss"])[len(through_dockrun) // 2]
                detail = "; its median run " + " + ".join(
                    f"{role} {mib(kib)}" for role, kib in sorted(typical["roles"].items(), key=lambda r: -r[1]))
            self.row(f"cost: {figure}, {title}", target if state is None else "-",
                     f"{ratio:.2f}x medians (dockrun {mib(median(through_dockrun, key))}{detail}; {peer} "
                     f"{mib(median(direct, key))}; {n} pairs)",
                     ratio <= limit if limit and state is None else None)
        source = "fake-docker's call log" if state else "the tree sampled every 5 ms"
        self.row(f"cost: docker CLI processes per --rm lifecycle; alive while the container runs, {title}", "-",
                 f"dockrun {process_counts(through_dockrun)}; {peer} {process_counts(direct)} (from {source}; "
                 f"{n} lifecycles each)", None)

    # MARK: report

    def machine(self):
        cpu = "?"
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        load = open("/proc/loadavg").read().split()[:3]
        engine = f"docker {self.real.version}" if self.real else f"real engine: skipped: {self.real_skipped}"
        return (f"{cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, load {' '.join(load)}; "
                f"engine: {engine}; {'--quick' if self.quick else 'full run'}")

    def print_table(self):
        headers = ("figure", "target", "measured", "ok?")
        widths = [max(len(headers[i]), *(len(r[i]) for r in self.rows)) for i in range(4)]
        lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |",
                 "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in self.rows]
        print(self.machine())
        if self.real is None:
            print(f"real engine: skipped: {self.real_skipped}")
        print("\n".join(lines))

    def run(self):
        try:
            self.setup()
            if self.real is None:
                print(f"real engine: skipped: {self.real_skipped}", flush=True)
            self.section("lifecycle run -d true + wait + rm: real/fake", self.lifecycle_vs_engine)
            self.section("run --rm IMG true: real/fake", self.run_rm_true_vs_engine)
            self.section("concurrent lifecycles", self.concurrent_lifecycles)
            self.section("ps -a, 10,000 containers", self.ps_with_10000)
            self.section("wait CPU", self.wait_cpu)
            self.section("attached output throughput", self.throughput)
            self.section("dockrun --rm true overhead", self.dockrun_overhead)
            self.section("dockrun CPU and RSS", self.dockrun_cpu_and_rss)
            self.section("SIGTERM to docker stop latency", self.stop_latency)
            self.section("cost vs docker run", self.cost_vs_docker_run)
        finally:
            self.cleanup()
        self.print_table()
        return 1 if self.failures else 0


def build_products():
    """The release products of scripts/build-release.sh, the recipe install.sh uses: their directory."""
    log("building the release products (scripts/build-release.sh)")
    done = subprocess.run(["bash", os.path.join(REPO, "scripts", "build-release.sh")], stdin=subprocess.DEVNULL,
                          capture_output=True)
    if done.returncode != 0:
        sys.stdout.write(done.stderr.decode(errors="replace"))
        raise BenchError("the release build failed")
    return done.stdout.decode().strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", metavar="DIR",
                        help="directory holding dockrun and fake-docker (default: scripts/build-release.sh's)")
    parser.add_argument("--quick", action="store_true", help="short loops, for a smoke run (< 1 min)")
    parser.add_argument("--only", metavar="TEXT", help="measure only the sections whose title contains TEXT")
    options = parser.parse_args()
    try:
        products = os.path.abspath(options.products) if options.products else build_products()
        bench = Bench(products, options.quick)
        bench.only = options.only
        return bench.run()
    except UNMEASURED as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
