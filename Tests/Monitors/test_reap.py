"""examples/dockrun-reap.service under a real systemd (252), PID 1 of a private PID + mount namespace (systemd.py):
enabled (WantedBy=multi-user.target), it runs once at boot and tears down what a dockrun that is gone left, and
nothing else. The test changes only the path of dockrun and adds `--filter label=<the test's label>`, so that on a
shared engine the reap reaches the test's containers only."""

import os
import re
import socket

import pytest

import examples
from engine import TEST_IMAGE
from systemd import TARGET, SystemdNamespace, engine_carry, environment_drop_in
from waiting import read_text
from workloads import token_label

REAP_UNIT = "dockrun-reap.service"


def reap_unit(dockrun, token):
    """examples/dockrun-reap.service with the test's dockrun, reaping the test's containers only."""
    text = examples.read(REAP_UNIT)
    prefix = f"ExecStart={examples.INSTALLED_DOCKRUN} reap --engine-wait 120"
    text = examples.replace_once(text, "^" + re.escape(prefix) + "$",
                                 f"{prefix} --filter label={token_label(token)}", "ExecStart= lines")
    return text.replace(examples.INSTALLED_DOCKRUN, dockrun)


def leftover(engine, token, name, labels):
    """A detached container of the test carrying `labels`, whose trap answers TERM: as a dockrun leaves one when the
    machine goes down with it running."""
    options = [word for key, value in sorted(labels.items()) for word in ("--label", f"{key}={value}")]
    script = (f'trap "echo {token} trapped TERM; exit 0" TERM; echo "{token} running"; '
              "while :; do sleep 1 & wait $!; done")
    engine.docker("run", "-d", "--name", name, "--label", token_label(token), *options, TEST_IMAGE, "sh", "-c", script)


def gone_dockrun(host, remove):
    """The labels of a dockrun of `host` whose process is gone (no PID is 2147483647), with or without --rm."""
    return {"io.dockrun.run": os.urandom(8).hex(), "io.dockrun.pid": "2147483647", "io.dockrun.host": host,
            "io.dockrun.started": "2026-01-01T00:00:00Z", "io.dockrun.remove": "true" if remove else "false"}


def test_enabled_it_reaps_at_boot_what_a_gone_dockrun_left_and_nothing_else(setting, dockrun, bin_dir, monitors,
                                                                             token):
    engine = setting.engine
    if engine.name == "fake-docker":
        # fake-docker records a container's processes by PID and takes a PID it cannot see for a dead one: the
        # containers made here, outside the namespace that boots, would look ended from inside it (Engine.seen_from).
        pytest.skip("fake-docker's containers made outside systemd's PID namespace look ended from inside it")
    suffix = token.rsplit("-", 1)[1]
    removed, stopped, elsewhere, plain = (f"reap-{suffix}-{what}" for what in ("rm", "norm", "elsewhere", "plain"))
    host = socket.gethostname()
    leftover(engine, token, removed, gone_dockrun(host, remove=True))
    leftover(engine, token, stopped, gone_dockrun(host, remove=False))
    leftover(engine, token, elsewhere, gone_dockrun(f"elsewhere-{suffix}", remove=True))
    leftover(engine, token, plain, {})

    # Installed under a name of the test's own (cgroups are not namespaced), enabled as `systemctl enable` does it
    # (a link in multi-user.target.wants/), and the boot reaches multi-user.target, as a machine's does.
    unit = f"dockrun-reap-{suffix}.service"
    output = os.path.join(setting.directory, "unit.log")
    system = SystemdNamespace(setting.directory, {
        unit: reap_unit(dockrun, token),
        f"{unit}.d/environment.conf": environment_drop_in(engine, setting.env, output),
        f"{TARGET}.d/multi-user.conf": "[Unit]\nWants=multi-user.target\nAfter=multi-user.target\n",
    }, [bin_dir, os.path.dirname(dockrun), *engine_carry(engine)])
    os.makedirs(os.path.join(system.unit_dir, "multi-user.target.wants"))
    os.symlink(os.path.join(system.unit_dir, unit), os.path.join(system.unit_dir, "multi-user.target.wants", unit))
    monitors.append(system)
    system.start()      # returns once the boot is over: the oneshot has run

    shown = system.show(unit, "ActiveState", "Result", "ExecMainStatus")
    assert shown == {"ActiveState": "inactive", "Result": "success", "ExecMainStatus": "0"}, read_text(output)
    lines = read_text(output).splitlines()
    assert any(line.startswith(f"removed {removed} (") for line in lines), lines
    assert any(line.startswith(f"stopped {stopped} (") for line in lines), lines
    assert len(lines) == 2, lines
    states = {name: engine.docker("inspect", "--format", "{{.State.Status}}", name, check=False).stdout.strip()
              for name in (removed, stopped, elsewhere, plain)}
    assert states == {removed: "", stopped: "exited", elsewhere: "running", plain: "running"}
    assert f"{token} trapped TERM" in engine.docker("logs", stopped).stdout
