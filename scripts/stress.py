#!/usr/bin/env python3
"""A seeded stress test of dockrun's promises (docs/dockrun.md behaviours 2, 3, 5 and 7): several dockruns at once, each
harmed at a random moment, and after each round the exit codes, what is left (containers, temporary files,
processes, cidfiles) and the bytes on stdout checked. Not part of scripts/test.sh; see docs/stress.md.

    scripts/stress.py [--engine fake|docker] [--products DIR] [--seed N] [--parallel N] (--minutes M | --rounds R)
                      [--real-engine-dir DIR] [--json] [--verbose]
    scripts/stress.py --seed N --round R [--run I] [--times K] ...   # one round (or one run of it) again

Every round and every run is drawn from its own generator, seeded by (seed, round[, run]), so a run is the same
whatever else ran beside it: a failing run prints the command line that repeats it alone. The engines are those of
scripts/engine.py (fake-docker with a state file of its own; a real engine through DOCKER_HOST, or the one
scripts/engine-start.sh started in --real-engine-dir, which alone may be restarted). Standard library only.
"""

import argparse
import json
import os
import random
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass

from engine import TEST_IMAGE as IMAGE, Engine, EngineError, EngineUnavailable

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# In the environment of every dockrun: its guardian, its docker CLIs and fake-docker's shims inherit it, so the
# processes of a run are found by it in /proc, whoever their parent is now (the guardian is orphaned by a KILL).
MARK = "DOCKRUN_STRESS_RUN"
# The labels of the containers: one per run (what `ps --filter` checks) and one per stress session (the cleanup).
RUN_LABEL = "dockrun-stress.run"
SESSION_LABEL = "dockrun-stress.session"

HARMS = {"none": 2, "TERM": 2, "INT": 1, "TERM2": 1, "HUP": 1, "KILL": 2, "KILL-group": 1, "KILL-client": 2,
         "close-stdout": 1}
WORKLOADS = ("echo", "trap", "sleep", "long")
HARM_SIGNALS = {"TERM": signal.SIGTERM, "TERM2": signal.SIGTERM, "INT": signal.SIGINT, "HUP": signal.SIGHUP,
                "KILL": signal.SIGKILL}
# A run must end within its natural length plus this (stop timeouts, the 3 s re-check, an engine outage, load).
RUN_MARGIN_S = 90
# What may still run after dockrun ended: its guardian's teardown (stop, kill, rm; the client's grace, 5 s, and a
# second teardown), bounded by twice the stop timeout plus this.
GUARDIAN_MARGIN_S = 30
# Processes of a run that ended normally (a shim recording its container's exit) get this long to go.
SETTLE_S = 3


def log(text):
    print(f"stress: {text}", file=sys.stderr, flush=True)


class Interrupted(Exception):
    """A signal asked the stress run to stop: it cleans up and exits 130."""


# MARK: plans (what is drawn)


@dataclass
class Plan:
    """One run, drawn from its own seed: the workload, the options and the harm."""
    round: int
    index: int
    workload: str
    script: str
    natural: int                 # the workload's exit code when nothing harms it
    trap: int | None             # the TERM trap's exit code (trap workload)
    expected: bytes              # its whole stdout when nothing harms it
    length_s: float              # how long it runs by itself, about
    remove: bool
    name: bool
    cidfile: bool
    stop_timeout: int
    harm: str
    moment: object               # seconds after the start, "client" or "tmpdir"
    second_after: float          # TERM2: the second TERM this long after the first

    @property
    def id(self):
        return f"{self.round}.{self.index}"

    def describe(self):
        options = [o for o, on in (("--rm", self.remove), ("--name", self.name), ("--cidfile", self.cidfile)) if on]
        return (f"{self.workload} (exit {self.natural}{'' if self.trap is None else f', trap {self.trap}'}) "
                f"{' '.join(options) or 'no options'} --stop-timeout {self.stop_timeout}")

    def harm_text(self):
        moment = self.moment if isinstance(self.moment, str) else f"{self.moment:.3f}s"
        return f"{self.harm}@{moment}"


def words(rng, count):
    return " ".join("".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(rng.randint(1, 12)))
                    for _ in range(count))


def draw_plan(seed, round_number, index, harms=tuple(HARMS)):
    rng = random.Random(f"{seed}:{round_number}:{index}")
    workload = rng.choice(WORKLOADS)
    natural = rng.choice([0, 0, 1, 2, 3, 42, 99])
    trap = None
    if workload == "echo":
        # Two writes with a pause between (so an engine restart can fall between them); the first may end without
        # its newline, as the line the engine logs twice after a live-restore restart (issue 15, case 5).
        first = "\n".join(words(rng, rng.randint(1, 6)) for _ in range(rng.randint(1, 5)))
        first += rng.choice(["", "\n"])
        second = "\n".join(words(rng, rng.randint(1, 6)) for _ in range(rng.randint(1, 5))) + rng.choice(["", "\n"])
        pause = rng.choice([0, 0.2, 0.5, 1, 1.5])
        script = f"printf '%s' '{first}'; sleep {pause}; printf '%s' '{second}'; exit {natural}"
        expected, length = (first + second).encode(), pause
    elif workload == "trap":
        trap = rng.choice([0, 2, 5, 77])
        ticks = rng.randint(5, 30)
        script = (f"trap 'echo trapped; exit {trap}' TERM; i=0; while [ $i -lt {ticks} ]; do echo tick $i; "
                  f"i=$((i+1)); sleep 0.1; done; exit {natural}")
        expected, length = "".join(f"tick {i}\n" for i in range(ticks)).encode(), ticks * 0.1
    elif workload == "sleep":
        natural = 0
        length = rng.choice([0.3, 1, 2, 3])
        script, expected = f"sleep {length}", b""
    else:
        lines = rng.randint(20_000, 300_000)
        script = f"seq 1 {lines}; exit {natural}"
        expected, length = "".join(f"{i}\n" for i in range(1, lines + 1)).encode(), 1.0
    harm = rng.choices(list(harms), weights=[HARMS[h] for h in harms])[0]
    # 0-2 s after the start, the first second weighted double, and the two moments a timer hardly hits.
    moment = rng.choices(["client", "tmpdir", "early", "late"], weights=[2, 2, 4, 2])[0]
    if moment == "early":
        moment = rng.uniform(0, 1)
    elif moment == "late":
        moment = rng.uniform(1, 2)
    cidfile = rng.random() < 0.3
    if moment == "tmpdir" and cidfile:
        moment = "client"  # with the user's cidfile dockrun makes no private directory
    return Plan(round_number, index, workload, script, natural, trap, expected, length,
                remove=rng.random() < 0.5, name=rng.random() < 0.5, cidfile=cidfile,
                stop_timeout=rng.choice([1, 2, 3]), harm=harm, moment=moment,
                second_after=rng.uniform(0.05, 0.8))


@dataclass
class EngineEvent:
    """An engine restart during a round: at `at` s after the round's start, down `down` s."""
    at: float
    down: float
    live: bool | None            # None: the real engine's own setting
    began: float = 0.0
    ended: float = 0.0
    error: str = ""

    def text(self):
        mode = "" if self.live is None else (" --live-restore" if self.live else " (no live-restore)")
        return f"restart --down {self.down}{mode} at {self.at:.2f}s"


def draw_engine_event(seed, round_number, engine):
    rng = random.Random(f"{seed}:{round_number}:engine")
    if engine.state is not None:
        if rng.random() < 0.2:
            return EngineEvent(rng.uniform(0, 2), rng.choice([0.5, 1, 2, 3]), rng.random() < 0.5)
    elif engine.directory is not None and rng.random() < 0.05:
        return EngineEvent(rng.uniform(0, 2), rng.choice([1, 2]), None)
    return None


# MARK: /proc


def proc_argv(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def proc_children(pid):
    """The children of `pid`, whichever of its threads forked them."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(p) for p in f.read().split()]
    except OSError:
        pass
    return found


def is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def marked_processes(value):
    """{pid: argv} of the live processes whose environment has MARK=value."""
    wanted = f"{MARK}={value}".encode()
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if wanted not in f.read().split(b"\0"):
                    continue
        except OSError:
            continue
        if not is_zombie(int(entry)):
            found[int(entry)] = proc_argv(int(entry))
    return found


def pidfd(pid):
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None


def pidfd_ended(fd, timeout):
    """Whether the process of `fd` ends within `timeout` seconds."""
    return bool(select.select([fd], [], [], max(timeout, 0))[0])


def kill_by_pid(pid, sig=signal.SIGKILL):
    try:
        os.kill(pid, sig)
    except OSError:
        pass


def role(argv):
    if len(argv) > 1 and argv[1] == "__guardian":
        return "guardian"
    if len(argv) > 1 and argv[1] == "__shim":
        return "shim"
    if argv and os.path.basename(argv[0]) == "dockrun":
        return "dockrun"
    return "docker CLI" if argv else "process"


# MARK: one run


@dataclass
class Violation:
    run: str
    kind: str
    text: str


class Run:
    """One dockrun, its harm, and what it left."""

    def __init__(self, stress, plan):
        self.stress, self.plan = stress, plan
        self.marker = f"{stress.session}-{plan.id}"
        root = stress.root
        self.tmpdir = os.path.join(root, "tmp", self.marker)
        self.cidfile = os.path.join(root, "cid", f"{self.marker}.cid") if plan.cidfile else None
        self.name = f"stress-{self.marker}" if plan.name else None
        self.stdout = bytearray()
        self.stderr_path = os.path.join(root, "err", self.marker)
        self.harm_applied = False
        self.harm_note = ""           # why a harm was not applied (the run had ended, no client)
        self.harm_at = None           # seconds after the start
        self.early = False            # died of its harm's signal before it took signals over
        self.engine_lost = None       # what the engine itself lost ("exit code", "output"), checked as its limit
        self.code = None
        self.hung = False
        self.guardian = None          # its pidfd
        self.client = None            # (pid, pidfd)
        self.started = self.finished = 0.0
        self.close_stdout = threading.Event()
        self.violations = []
        self.containers = []          # [ID, state] of the run's containers after the round

    def argv(self):
        p = self.plan
        argv = [self.stress.dockrun]
        if p.remove:
            argv.append("--rm")
        if self.name:
            argv += ["--name", self.name]
        if self.cidfile:
            argv += ["--cidfile", self.cidfile]
        argv += ["--stop-timeout", str(p.stop_timeout), "--label", f"{RUN_LABEL}={self.marker}",
                 "--label", f"{SESSION_LABEL}={self.stress.session}", IMAGE, "sh", "-c", p.script]
        return argv

    def violate(self, kind, text):
        self.violations.append(Violation(self.plan.id, kind, text))

    def live(self):
        """The run's life, in its own thread. A failure of the stress test itself is reported as one."""
        try:
            self.live_through()
        except Exception as error:  # noqa: BLE001 - any failure here is the checker's, and must be seen
            self.hung = True
            self.violate("error", f"the stress test failed: {error!r}")

    def live_through(self):
        os.makedirs(self.tmpdir)
        env = self.stress.engine.full_env({"TMPDIR": self.tmpdir, MARK: self.marker})
        with open(self.stderr_path, "wb") as errors:
            # A session of its own, as a supervisor starts a service: the group kill reaches dockrun's group alone.
            self.proc = subprocess.Popen(self.argv(), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=errors, start_new_session=True)
        self.started, self.wall_started = time.monotonic(), time.time()
        self.fd = pidfd(self.proc.pid)
        reader = threading.Thread(target=self.read, daemon=True)
        reader.start()
        self.watch()
        limit = self.plan.length_s + 2 * self.plan.stop_timeout + RUN_MARGIN_S + self.stress.outage_s
        if not pidfd_ended(self.fd, limit - (time.monotonic() - self.started)):
            self.hung = True
            self.violate("hang", f"dockrun still running {limit:.0f} s after its start; killed")
            kill_by_pid(self.proc.pid)
        self.code = self.proc.wait()
        self.settle()
        self.finished = time.monotonic()  # with what dockrun left working: an engine restart until then matters
        # What holds its stdout (the client; fake-docker's shim) is gone by now, or was killed as a leftover.
        reader.join(timeout=10)

    def read(self):
        out = self.proc.stdout
        while True:
            if self.close_stdout.is_set():
                out.close()
                return
            ready, _, _ = select.select([out], [], [], 0.01)
            if ready:
                chunk = os.read(out.fileno(), 65536)
                if not chunk:
                    out.close()
                    return
                self.stdout += chunk

    def ended(self):
        """Whether dockrun has ended (it is not reaped before its harm is decided: its PID is its own)."""
        return pidfd_ended(self.fd, 0)

    def scan(self):
        """dockrun's guardian and `docker run` client, among its children."""
        for child in proc_children(self.proc.pid):
            argv = proc_argv(child)
            if self.guardian is None and len(argv) > 1 and argv[1] == "__guardian":
                self.guardian = pidfd(child)
            elif self.client is None and len(argv) > 1 and argv[1] == "run":
                fd = pidfd(child)
                if fd is not None and proc_argv(child) == argv:
                    self.client = (child, fd)

    def due(self):
        moment, elapsed = self.plan.moment, time.monotonic() - self.started
        if moment == "client":
            return self.client is not None or elapsed > 5
        if moment == "tmpdir":
            try:
                return any(e.startswith("dockrun-") for e in os.listdir(self.tmpdir)) or elapsed > 5
            except OSError:
                return True
        return elapsed >= moment

    def watch(self):
        """Follows dockrun's children and applies the harm when its moment comes; returns when dockrun ends."""
        harmed = self.plan.harm == "none"
        while not self.ended():
            self.scan()
            if not harmed and self.due():
                harmed = True
                self.harm_at = time.monotonic() - self.started
                self.harm()
            pidfd_ended(self.fd, 0.001 if not harmed else 0.05)
        if not harmed:
            self.harm_note = "dockrun had ended"

    def harm(self):
        kind = self.plan.harm
        if self.ended():
            self.harm_note = "dockrun had ended"
            return
        if kind == "close-stdout":
            self.close_stdout.set()
        elif kind == "KILL-group":
            os.killpg(self.proc.pid, signal.SIGKILL)
        elif kind == "KILL-client":
            if self.client is None or pidfd_ended(self.client[1], 0):
                self.harm_note = "no docker run client"
                return
            signal.pidfd_send_signal(self.client[1], signal.SIGKILL)
        else:
            signal.pidfd_send_signal(self.fd, HARM_SIGNALS[kind])
            if kind == "TERM2" and not pidfd_ended(self.fd, self.plan.second_after):
                signal.pidfd_send_signal(self.fd, signal.SIGTERM)
        self.harm_applied = True

    def settle(self):
        """Waits for what dockrun may leave working after it: its guardian's teardown, then any other process of
        the run (a shim recording its container's end); what is left after the bound is a violation."""
        bound = 2 * self.plan.stop_timeout + 5 + GUARDIAN_MARGIN_S + self.stress.outage_s
        if self.guardian is not None and not pidfd_ended(self.guardian, bound):
            self.violate("process", f"guardian still running {bound:.0f} s after dockrun ended")
        deadline = time.monotonic() + (SETTLE_S if self.guardian is not None else bound)
        while (left := marked_processes(self.marker)) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid, argv in left.items():
            self.violate("process", f"{role(argv)} (pid {pid}) left: {shlex.join(argv)[:160]}")
            kill_by_pid(pid)

    # What is checked after the round.
    def harm_codes(self):
        """The exit codes the applied harm may lead to, beside the workload's own (docs/dockrun.md behaviours 2, 3, 7)."""
        p = self.plan
        stopped = {137} if p.trap is None else {p.trap, 137}  # a trap answers the stop's TERM; else its KILL
        if not self.harm_applied:
            return set()
        return {"TERM": stopped, "INT": stopped, "TERM2": stopped, "HUP": set(), "KILL": {137},
                "KILL-group": {137}, "KILL-client": stopped, "close-stdout": stopped | {141}}[p.harm]

    def event_codes(self, event):
        """An engine restart: without live-restore it stops the container (as `docker stop`); a run that starts
        while it is down is refused (125, docker's "Cannot connect"). A client whose engine went away between its
        create and its start leaves the container created: dockrun starts it itself (its own code), unless it was
        asked to stop meanwhile — then it is never started and the stop's signal is its end (128 + TERM or INT)."""
        p = self.plan
        codes = {125}
        if not self.stress.live_restore(event):
            codes |= {137} if p.trap is None else {p.trap, 137}
        if self.harm_applied and p.harm in ("TERM", "TERM2", "close-stdout"):
            codes.add(128 + signal.SIGTERM)
        elif self.harm_applied and p.harm == "INT":
            codes.add(128 + signal.SIGINT)
        return codes

    def engine_recorded_255(self):
        """Whether 255 is the engine's own record of the container's end: containerd's "unknown exit status", given
        by a live-restore engine for a container that ended around its restart (docs/engine-observations.md). A
        kept container's `docker inspect` must say it; a removed one's, dockrun's message quoting the code the engine
        gave it ("ended (exit 255) while its stream was broken", or, after a stop, "ended with 255, the code the docker
        engine also gives…"). Never on fake-docker, which does not give 255."""
        if self.stress.engine.name != "docker":
            return False
        if self.containers:
            return self.exit_code_of(self.containers[0][0]) == "255"
        return any("ended (exit 255) while its stream was broken" in line
                   or "ended with 255, the code the docker engine also gives" in line for line in self.stderr_lines())

    def engine_codes(self):
        """For an exit code the checker did not expect: what the engine says each container of the run ended with,
        so that the report tells a container's own code from one dockrun gave (they are removed after the round)."""
        codes = [f"{cid[:12]} {state}, exit {self.exit_code_of(cid) or '?'}" for cid, state in self.containers]
        return f"; the engine says of its containers: {', '.join(codes)}" if codes else ""

    def exit_code_of(self, cid):
        """The exit code the engine records for one of the run's containers, as text ("" if inspect fails)."""
        return self.stress.engine.docker("inspect", "-f", "{{.State.ExitCode}}", cid, check=False).stdout.strip()

    def overlapped(self, event):
        return event is not None and event.began < self.finished and event.ended > self.started

    def check(self, event):
        p = self.plan
        during = self.overlapped(event)
        kept = self.check_containers()
        others = self.harm_codes() | (self.event_codes(event) if during else set())
        allowed = {p.natural} | others
        died_of = -self.code if self.code is not None and self.code < 0 else None
        own_signal = self.harm_applied and died_of == HARM_SIGNALS.get(p.harm)
        if self.hung:
            pass
        elif self.harm_applied and p.harm in ("KILL", "KILL-group") and died_of == signal.SIGKILL:
            pass
        elif own_signal and self.guardian is None:
            # Its signal came between the exec and main's first line, where dockrun takes signals over: it died
            # as any process does there, before it started anything (what it left is checked all the same).
            self.early = True
        elif died_of is not None and 128 + died_of in allowed:
            pass  # it ended as its container did: by the signal whose 128+N the engine reported (docs/dockrun.md)
        elif died_of is not None:
            self.violate("exit", f"dockrun died of signal {died_of} (allowed: exit {sorted(allowed)})")
        elif self.code not in allowed:
            if during and self.stress.live_restore(event) and self.code == 255 and self.engine_recorded_255():
                self.engine_lost = "exit code"
            else:
                self.violate("exit", f"exit {self.code}, allowed {sorted(allowed)}{self.engine_codes()}")
        self.check_bytes(others, cut=during, gap=during and self.stress.live_restore(event))
        try:
            left = sorted(os.listdir(self.tmpdir))
        except OSError:
            left = []
        if left:
            self.violate("tmpfile", f"TMPDIR not empty: {' '.join(left)}")
        self.check_cidfile(kept)
        return kept

    def check_bytes(self, other_codes, cut, gap=False):
        """Unharmed, or ended by itself (its own code, which no harm leads to) under a harm that leaves the client
        attached (a signal to dockrun: behaviour 3): all of the workload's output, once. Otherwise a beginning of
        it (with the trap's line after a whole line), never anything else. One limit is the engine's: a container
        that ended while a live-restore engine was away (dockrun says it "ended … while its stream was broken")
        has lost from the engine's log what it wrote during the gap (Engine 20.10, docs/engine-observations.md):
        then too a beginning, never anything else."""
        p = self.plan
        out = bytes(self.stdout)
        cut = cut or self.harm_applied or self.hung
        attached = not self.harm_applied or p.harm in ("TERM", "INT", "TERM2", "HUP")
        lost = gap and any("while its stream was broken" in line for line in self.stderr_lines())
        if lost and out != p.expected and p.expected.startswith(out):
            self.engine_lost = "output"
            return
        if not cut or (attached and self.code == p.natural and p.natural not in other_codes):
            if out != p.expected:
                self.violate("bytes", f"stdout {describe_difference(out, p.expected)}")
            return
        if p.expected.startswith(out):
            return
        if p.trap is not None and out.endswith(b"trapped\n"):
            head = out[:-len(b"trapped\n")]
            if p.expected.startswith(head) and (not head or head.endswith(b"\n")):
                return
        self.violate("bytes", f"stdout is not a prefix of the workload's: {describe_difference(out, p.expected)}")

    def check_containers(self):
        """The run's containers: with --rm none may be left, without it none may run. Returns those kept, by state
        (`created`: a create the client did not live to start; without --rm nothing removes it)."""
        listed = self.stress.docker("ps", "-a", "--no-trunc", "--filter", f"label={RUN_LABEL}={self.marker}",
                                    "--format", "{{.ID}} {{.State}}")
        self.containers = [line.split() for line in listed.splitlines() if line.strip()]
        kept = Counter()
        for cid, state in self.containers:
            if self.plan.remove:
                self.violate("container", f"--rm container {cid[:12]} left, {state}")
            elif state in ("running", "restarting", "paused"):
                self.violate("container", f"container {cid[:12]} still {state}")
            else:
                kept[state] += 1
        return kept

    def check_cidfile(self, kept):
        """The user's cidfile goes with the container dockrun removed (--rm); it stays while the container does. An
        empty one is docker's (made before the create, filled after it: a client killed between leaves it empty)."""
        if not self.cidfile:
            return
        try:
            with open(self.cidfile) as f:
                content = f.read().strip()
        except FileNotFoundError:
            content = None
        ids = [cid for cid, _ in self.containers]
        if self.plan.remove and content:
            self.violate("cidfile", f"--cidfile still names {content[:12]} after the removal")
        elif not self.plan.remove and kept and (content is None or content and content not in ids):
            self.violate("cidfile", f"--cidfile {'deleted' if content is None else 'names ' + content[:12]} "
                                    f"while container {ids[0][:12]} is kept")

    def clean(self):
        for pid in marked_processes(self.marker):
            kill_by_pid(pid)
        ids = [cid for cid, _ in self.containers]
        if ids:
            self.stress.docker("rm", "-f", *ids, check=False)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        if self.cidfile:
            try:
                os.unlink(self.cidfile)
            except FileNotFoundError:
                pass
        for fd in (self.fd, self.guardian, self.client and self.client[1]):
            if fd is not None:
                os.close(fd)

    def stderr_lines(self):
        try:
            with open(self.stderr_path, errors="replace") as f:
                return f.read().splitlines()
        except OSError:
            return []


def describe_difference(out, expected):
    at = next((i for i, (a, b) in enumerate(zip(out, expected)) if a != b), min(len(out), len(expected)))
    return (f"{len(out)} B where the workload wrote {len(expected)} B; they differ from byte {at}: "
            f"got {out[at:at + 24]!r}, expected {expected[at:at + 24]!r}")


# MARK: the stress run


class Stress:
    def __init__(self, args, engine, products):
        self.args, self.engine = args, engine
        self.dockrun = os.path.join(products, "dockrun")
        self.products = products
        self.session = f"{os.getpid()}{random.Random().randrange(1 << 16):04x}"
        self.root = tempfile.mkdtemp(prefix="dockrun-stress-")
        for sub in ("tmp", "cid", "err"):
            os.makedirs(os.path.join(self.root, sub))
        self.runs = []                # every Run, checked
        self.active = []              # the Runs of the round under way
        self.rounds = 0
        self.events = []
        self.outage_s = 0
        self._real_live_restore = None
        self.kept = Counter()

    def live_restore(self, event):
        """Whether `event` was a live-restore restart: drawn on fake-docker; a real engine's own setting."""
        if event.live is not None:
            return event.live
        if self._real_live_restore is None:
            self._real_live_restore = self.docker("info", "--format", "{{.LiveRestoreEnabled}}").strip() == "true"
        return self._real_live_restore

    def docker(self, *args, check=True):
        """A docker command on the engine, tried again while the engine does not answer (a restart is over by
        the time the checks run, but a real engine may still be coming back)."""
        for attempt in range(30):
            done = self.engine.docker(*args, check=False)
            if done.returncode == 0 or not check:
                return done.stdout
            if "Cannot connect" not in done.stderr and "error during connect" not in done.stderr:
                break
            time.sleep(1)
        raise EngineError(f"{shlex.join(args)}: exit {done.returncode}: {done.stderr.strip()}")

    def reproduction(self, plan):
        argv = ["python3", "scripts/stress.py", "--engine", self.args.engine, "--products", self.products,
                "--seed", str(self.args.seed), "--round", str(plan.round), "--run", str(plan.index)]
        if self.args.real_engine_dir:
            argv += ["--real-engine-dir", self.args.real_engine_dir]
        if self.args.harms != tuple(HARMS):
            argv += ["--harms", ",".join(self.args.harms)]
        if self.args.no_restarts:
            argv.append("--no-restarts")
        return shlex.join(argv)

    def restart(self, event, start):
        time.sleep(max(0, start + event.at - time.monotonic()))
        event.began = time.monotonic()
        try:
            self.engine.restart(event.down, live_restore=bool(event.live))
        except EngineError as error:
            event.error = str(error)
        event.ended = time.monotonic()

    def round(self, number, indexes):
        plans = [draw_plan(self.args.seed, number, i, self.args.harms) for i in indexes]
        event = None if self.args.no_restarts else draw_engine_event(self.args.seed, number, self.engine)
        self.outage_s = event.down + 10 if event else 0
        self.active = [Run(self, plan) for plan in plans]
        start = time.monotonic()
        threads = [threading.Thread(target=run.live, daemon=True) for run in self.active]
        if event:
            threads.append(threading.Thread(target=self.restart, args=(event, start), daemon=True))
            self.events.append(event)
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.2)
        if event and event.error:
            log(f"round {number}: the engine restart failed: {event.error}")
        for run in self.active:
            try:
                self.kept.update(run.check(event))
            finally:
                run.clean()
            self.report(run, event)
        self.runs += self.active
        self.active = []
        self.rounds += 1

    def report(self, run, event):
        p = run.plan
        harm = p.harm_text() + (f" ({run.harm_note})" if run.harm_note else "")
        if run.harm_at is not None:
            harm += f" at {run.harm_at:.3f}s"
        engine = f"; engine {event.text()}" if run.overlapped(event) else ""
        for v in run.violations:
            print(f"VIOLATION run {v.run} [{v.kind}] harm {harm}{engine}: {v.text}", flush=True)
        if run.engine_lost:
            print(f"ENGINE LIMIT run {p.id} harm {harm}{engine}: the engine lost the container's {run.engine_lost} "
                  f"(exit {run.code}, {len(run.stdout)} B on stdout)", flush=True)
        if run.violations or self.args.verbose:
            code = run.code if run.code is None or run.code >= 0 else f"signal {-run.code}"
            print(f"  run {p.id}: {p.describe()}; harm {harm}{engine}; exit {code}; {len(run.stdout)} B on stdout; "
                  f"{len(run.containers)} container(s) {' '.join(s for _, s in run.containers)}", flush=True)
            for line in run.stderr_lines()[-6:]:
                print(f"  stderr: {line}", flush=True)
            print(f"  reproduce: {self.reproduction(p)}", flush=True)

    def violations(self):
        return [v for run in self.runs for v in run.violations]

    def summary(self, duration):
        applied = Counter(run.plan.harm for run in self.runs if run.harm_applied or run.plan.harm == "none")
        missed = Counter(run.plan.harm for run in self.runs if run.plan.harm != "none" and not run.harm_applied)
        violations = self.violations()
        return {
            "seed": self.args.seed, "engine": self.engine.name, "parallel": self.args.parallel,
            "rounds": self.rounds, "runs": len(self.runs), "harms": dict(sorted(applied.items())),
            "harms_missed": dict(sorted(missed.items())),
            "engine_restarts": len(self.events),
            "engine_restarts_live": sum(1 for e in self.events if self.live_restore(e)),
            "violations": len(violations), "violations_by_kind": dict(Counter(v.kind for v in violations)),
            "runs_with_violations": len({v.run for v in violations}),
            "containers_kept": dict(sorted(self.kept.items())),
            "died_before_main": sum(1 for run in self.runs if run.early), "duration_s": round(duration, 1),
            "engine_lost": dict(Counter(run.engine_lost for run in self.runs if run.engine_lost)),
        }

    def clean_up(self):
        """Everything the session started, whatever state it was stopped in: its dockruns and their processes (by
        PID), its containers (by the session label), a fake engine left down, its temporary files. A second
        signal does not interrupt it."""
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        for run in self.active:
            proc = getattr(run, "proc", None)
            if proc is not None and proc.poll() is None:
                kill_by_pid(proc.pid)
            for pid in marked_processes(run.marker):
                kill_by_pid(pid)
        try:
            if self.engine.state is not None:
                self.engine.docker("script", "--clear", check=False)
            ids = self.engine.docker("ps", "-a", "-q", "--no-trunc", "--filter",
                                     f"label={SESSION_LABEL}={self.session}", check=False).stdout.split()
            if ids:
                self.engine.docker("rm", "-f", *ids, check=False)
        except EngineError as error:
            log(f"cleanup: {error}")
        if self.engine.state is not None:
            for shim in own_shims(self.engine.state):
                kill_by_pid(shim)
        shutil.rmtree(self.root, ignore_errors=True)


def own_shims(state):
    return [int(e) for e in os.listdir("/proc") if e.isdigit()
            and "__shim" in (argv := proc_argv(int(e))) and state in argv]


def build_products():
    log("building with swift build")
    done = subprocess.run(["swift", "build"], cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"stress: swift build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()


def open_engine(args, products, state):
    if args.engine == "fake":
        return Engine.fake(products, state)
    try:
        return Engine.real(directory=args.real_engine_dir)
    except EngineUnavailable as error:
        sys.exit(f"stress: no real engine: {error}")


def schedule(args):
    """The rounds to run, as (round number, run indexes): a replay, or rounds 0, 1, … until the bound."""
    if args.round is not None:
        indexes = [args.run] if args.run is not None else list(range(args.parallel))
        for _ in range(args.times):
            yield args.round, indexes
        return
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    number = 0
    while (args.rounds is None or number < args.rounds) and (deadline is None or time.monotonic() < deadline):
        yield number, list(range(args.parallel))
        number += 1


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("fake", "docker"), default="fake",
                        help="fake-docker (a state of its own) or the real engine of DOCKER_HOST (default fake)")
    parser.add_argument("--products", metavar="DIR", help="the built dockrun and fake-docker (default: swift build)")
    parser.add_argument("--seed", type=int, help="the seed (default: a random one, printed)")
    parser.add_argument("--parallel", type=int, default=4, help="dockruns at once, in each round (default 4)")
    parser.add_argument("--minutes", type=float, help="run rounds for this long")
    parser.add_argument("--rounds", type=int, help="run this many rounds")
    parser.add_argument("--real-engine-dir", metavar="DIR",
                        help="with --engine docker: the engine scripts/engine-start.sh started there, restarted now "
                             "and then (scripts/engine-restart.sh)")
    parser.add_argument("--harms", metavar="LIST", default=",".join(HARMS),
                        help=f"the harms to draw from, comma-separated (default all: {','.join(HARMS)})")
    parser.add_argument("--no-restarts", action="store_true", help="no engine restarts")
    parser.add_argument("--round", type=int, help="run this round of the seed again (its engine restart too)")
    parser.add_argument("--run", type=int, help="with --round: only this run of it")
    parser.add_argument("--times", type=int, default=1, help="with --round: this many times (default 1)")
    parser.add_argument("--json", action="store_true", help="the summary as one JSON object")
    parser.add_argument("--verbose", action="store_true", help="every run's outcome, not only the failing ones")
    args = parser.parse_args(argv)
    if args.run is not None and args.round is None:
        parser.error("--run needs --round")
    if args.round is None and args.minutes is None and args.rounds is None:
        parser.error("give --minutes, --rounds or --round")
    if args.real_engine_dir and args.engine != "docker":
        parser.error("--real-engine-dir needs --engine docker")
    named = set(args.harms.split(","))
    if not named or named - set(HARMS):
        parser.error(f"--harms: choose from {','.join(HARMS)}")
    args.harms = tuple(h for h in HARMS if h in named)  # in the table's order: the same list draws the same
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 32)
    if args.round is not None:
        args.verbose = True
    return args


def interrupt(signum, _frame):
    raise Interrupted(signal.Signals(signum).name)


def main(argv=None):
    args = parse(argv)
    products = os.path.abspath(args.products) if args.products else build_products()
    log(f"seed {args.seed}, {args.parallel} at once, engine {args.engine}, products {products}")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    stress = None
    began = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="dockrun-stress-state-") as state_dir:
            engine = open_engine(args, products, os.path.join(state_dir, "state.sqlite"))
            stress = Stress(args, engine, products)
            try:
                for number, indexes in schedule(args):
                    stress.round(number, indexes)
                    if stress.rounds % 10 == 0:
                        log(f"{stress.rounds} rounds, {len(stress.runs)} runs, {len(stress.violations())} "
                            f"violations, {time.monotonic() - began:.0f} s")
            finally:
                stress.clean_up()
    except Interrupted as why:
        log(f"interrupted ({why}); cleaned up")
        return 130
    except EngineError as error:
        log(f"engine: {error}")
        return 2
    summary = stress.summary(time.monotonic() - began)
    if args.json:
        print(json.dumps(summary), flush=True)
    else:
        harms = ", ".join(f"{k} {v}" for k, v in summary["harms"].items())
        missed = sum(summary["harms_missed"].values())
        kept = ", ".join(f"{n} {state}" for state, n in summary["containers_kept"].items())
        print(f"stress: seed {args.seed}, {summary['engine']}: {summary['runs']} runs in {summary['rounds']} rounds "
              f"({args.parallel} at once); harms: {harms} ({missed} missed: the run had ended or had no client); "
              f"engine restarts {summary['engine_restarts']} ({summary['engine_restarts_live']} live-restore); "
              f"containers kept (no --rm): {kept or 'none'}; {summary['died_before_main']} died of their signal "
              f"before main; the engine's own losses (checked as its documented limits): "
              f"{', '.join(f'{k} {v}' for k, v in summary['engine_lost'].items()) or 'none'}; "
              f"violations {summary['violations']} in "
              f"{summary['runs_with_violations']} runs; {summary['duration_s']:.0f} s", flush=True)
    return 1 if summary["violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
