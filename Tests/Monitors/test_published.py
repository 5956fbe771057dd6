"""The seed's service, `dockrun -p HOST:5000 IMAGE httpd`, under supervisord and systemd: it answers on the host port
while the monitor runs it, and a restart (a stop, then a start at once) finds the port free, never "port is already
allocated" (docs/fake-docker.md, "Publishing"). On the real engine the port is published in the engine's network
namespace (scripts/engine-start.sh), entered with nsenter; an engine without a bridge cannot publish: skipped."""

import functools
import os
import random
import subprocess
from urllib.parse import urlparse

import pytest

import examples
from engine import TEST_IMAGE
from leftovers import assert_nothing_left
from supervisord import Supervisord
from systemd import ExampleUnit
from waiting import wait_for
from workloads import token_label


def serving(token, port):
    """Serves the token on container port 5000, published on `port` (busybox httpd binds before it goes to the
    background, so `running` means it answers); its trap ends it at TERM."""
    script = (f'trap "echo {token} trapped TERM; exit 7" TERM; mkdir -p /www && echo {token} > /www/index.html && '
              f'httpd -p 5000 -h /www && echo "{token} running"; while :; do sleep 1 & wait $!; done')
    return ["--label", token_label(token), "-p", f"{port}:5000", TEST_IMAGE, "sh", "-c", script]


def published_namespace(engine):
    """The network namespace where the engine publishes: None for fake-docker (this one); the real engine's beside its
    socket, or a skip when that engine has no bridge."""
    if engine.name == "fake-docker":
        return None
    if engine.docker("network", "inspect", "bridge", check=False).returncode != 0:
        pytest.skip("the real engine runs without a bridge")
    path = os.path.join(os.path.dirname(urlparse(engine.env["DOCKER_HOST"]).path), "netns")
    return path if os.path.exists(path) else None


def fetch(namespace, port):
    """What the service answers on the host port ("" when nothing does)."""
    argv = ["/bin/busybox", "wget", "-q", "-O", "-", f"http://127.0.0.1:{port}/"]
    if namespace:
        argv = ["nsenter", f"--net={namespace}", *argv]
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30).stdout


@pytest.fixture
def supervise(run_example):
    return functools.partial(run_example, Supervisord)


def test_supervisord_restarts_the_service_on_its_port(supervise, engine, token, setting):
    namespace = published_namespace(engine)
    port = random.randint(20000, 29999)
    monitor = supervise(serving(token, port))
    monitor.wait_until_running(engine, token)
    assert fetch(namespace, port) == f"{token}\n"

    restarted = monitor.ctl("restart", examples.SERVICE_NAME)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    wait_for("the second start", lambda: monitor.output().count(f"{token} running") >= 2, 60)
    assert fetch(namespace, port) == f"{token}\n"
    assert "port is already allocated" not in monitor.output()

    monitor.ctl("stop", examples.SERVICE_NAME)
    assert monitor.exits() == ["exit status 7", "exit status 7"], monitor.log_text()
    assert_nothing_left(engine, token, setting.tmpdir, exclude={monitor.pid})


def test_systemd_restarts_the_service_on_its_port(setting, dockrun, bin_dir, monitors, token):
    namespace = published_namespace(setting.engine)
    port = random.randint(20000, 29999)
    unit = ExampleUnit(setting.directory, dockrun, bin_dir, setting.engine, setting.env, token, serving(token, port))
    monitors.append(unit.systemd)
    unit.boot()
    unit.start()
    assert fetch(namespace, port) == f"{token}\n"

    unit.systemd.systemctl("restart", unit.unit)
    wait_for("the unit active again", lambda: unit.state() == "active", 30)
    wait_for("the second start", lambda: unit.output().count(f"{token} running") >= 2, 60)
    assert fetch(namespace, port) == f"{token}\n"
    assert "port is already allocated" not in unit.output()

    unit.stop()
    assert_nothing_left(unit.engine, token, unit.tmpdir)
