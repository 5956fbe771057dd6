"""What one test (or one figure) runs in: a scratch directory, an engine (fake-docker with a state of its own in
that directory, or the real engine), the TMPDIR given to dockrun, a token that marks its containers and processes,
and the environment a monitor gets. On leaving, whatever is still there (a test that failed) is removed: the
containers, then the marked processes, each by PID, then the directory."""

import contextlib
import os
import secrets
import shutil
import signal
import tempfile
from dataclasses import dataclass

from engine import Engine, EngineUnavailable
from leftovers import MARK_VARIABLE, marked_processes
from workloads import token_label


@dataclass
class Setting:
    directory: str
    engine: Engine
    tmpdir: str             # dockrun's TMPDIR
    env: dict               # a monitor's environment: the engine's variables, TMPDIR, the mark
    token: str


@contextlib.contextmanager
def setting(bin_dir, engine_name):
    """engine_name: "fake-docker", or "docker" for the real engine (None is yielded when it does not answer)."""
    directory = tempfile.mkdtemp(prefix="dockrun-monitors-")
    token = "monitor-test-" + secrets.token_hex(6)
    engine = None
    try:
        if engine_name == "fake-docker":
            os.mkdir(os.path.join(directory, "fake-docker"))
            engine = Engine.fake(bin_dir, os.path.join(directory, "fake-docker", "state.sqlite"))
        else:
            try:
                engine = Engine.real()
            except EngineUnavailable:
                yield None
                return
        tmpdir = os.path.join(directory, "tmp")
        os.mkdir(tmpdir)
        yield Setting(directory, engine, tmpdir, engine.full_env({"TMPDIR": tmpdir, MARK_VARIABLE: token}), token)
    finally:
        if engine is not None:
            engine.remove_containers(token_label(token))
        for pid, _ in marked_processes(token):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(directory, ignore_errors=True)
