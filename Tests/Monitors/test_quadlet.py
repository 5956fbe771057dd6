"""dockrun-generator (docs/quadlet.md) under a real systemd (252), PID 1 of a private PID + mount namespace
(systemd.py): the test's `.container` files, the generator run by systemd at boot and at `daemon-reload`
(SYSTEMD_GENERATOR_PATH names a wrapper that gives it DOCKRUN_UNIT_PATH, and a file of the test's as /dev/kmsg,
where a generator logs: systemd gives it /dev/null for stderr), and the generated units started, stopped and
restarted by systemd. A drop-in of the test's own adds to each generated unit only the engine's environment, the
test's mark and an output file, as ExampleUnit does for the example."""

import json
import os

import pytest

import workloads
from engine import TEST_IMAGE
from leftovers import assert_nothing_left
from systemd import TARGET, SystemdNamespace, engine_carry, environment_drop_in
from timestamps import container_started, unit_time
from waiting import read_text, wait_for

READY_SECONDS = 30


def generator_path(bin_dir):
    """The generator as scripts/install.sh installs it (PREFIX/lib/systemd/system-generators, beside
    PREFIX/bin), else the build's product beside dockrun."""
    installed = os.path.join(os.path.dirname(bin_dir), "lib", "systemd", "system-generators", "dockrun-generator")
    return installed if os.path.exists(installed) else os.path.join(bin_dir, "dockrun-generator")


def container_file(token, script, stop_timeout=10, extra=""):
    """A .container file running the workload's script in the test image, with the test's label."""
    return (f"[Container]\nImage={TEST_IMAGE}\nLabel={workloads.token_label(token)}\nStopTimeout={stop_timeout}\n"
            f"Exec=sh -c {json.dumps(script)}\n{extra}")


def trapping_script(token):
    """workloads.trapping's script: it answers TERM with a line and exit 7."""
    return workloads.trapping(token)[-1]


class QuadletSystem:
    """A systemd namespace whose generator is dockrun-generator over the test's .container files
    ({file name: text}, drop-ins as "NAME.container.d/FILE.conf"; `later`: names of files the test adds after
    the boot, whose units get the test's drop-in too);
    `service(name)` is the unit a file becomes."""

    def __init__(self, setting, bin_dir, files, later=()):
        self.setting = setting
        self.containers = os.path.join(setting.directory, "containers")
        os.makedirs(self.containers)
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(self.containers, name)), exist_ok=True)
            with open(os.path.join(self.containers, name), "w") as f:
                f.write(text)
        generators = os.path.join(setting.directory, "generators")
        os.makedirs(generators)
        self.kernel_log = os.path.join(setting.directory, "kmsg")
        open(self.kernel_log, "w").close()
        wrapper = os.path.join(generators, "dockrun-generator")
        # A mount namespace of the generator's own (private propagation), so the file covers /dev/kmsg for it
        # alone, never for the machine.
        with open(wrapper, "w") as f:
            f.write(f"""#!/bin/sh
exec unshare --mount --propagation private sh -c \\
    'mount --bind "$0" /dev/kmsg && DOCKRUN_UNIT_PATH="{self.containers}" exec "{generator_path(bin_dir)}" "$@"' \\
    "{self.kernel_log}" "$@"
""")
        os.chmod(wrapper, 0o755)
        self.output_file = os.path.join(setting.directory, "units.log")
        drop_in = environment_drop_in(setting.engine, setting.env, self.output_file)
        units = {f"{self.service(name)}.d/environment.conf": drop_in for name in [*files, *later]
                 if name.endswith(".container")}
        carry = [bin_dir, os.path.dirname(bin_dir), *engine_carry(setting.engine)]
        self.systemd = SystemdNamespace(setting.directory, units, carry, generators=generators)
        self.engine = None

    @staticmethod
    def service(file_name):
        """The unit of a file; of a template, the instance its DefaultInstance=100 enables (podman's example)."""
        base = file_name.removesuffix(".container")
        return (f"{base}100" if base.endswith("@") else base) + ".service"

    def boot(self):
        self.systemd.start()
        self.engine = self.setting.engine.seen_from(["nsenter", "-t", str(self.systemd.pid), "-m", "-p"])

    def output(self):
        return read_text(self.output_file)

    def kernel_messages(self):
        """What the generator wrote to /dev/kmsg (on a machine: the kernel log, which the journal reads)."""
        return read_text(self.kernel_log)

    def show(self, unit, *properties):
        return self.systemd.show(unit, *properties)

    def state(self, unit):
        return self.show(unit, "ActiveState")["ActiveState"]

    def wait_active(self, unit):
        self.systemd.wait_active(unit, READY_SECONDS, lambda: self.output() + self.kernel_messages())

    def start(self, unit):
        """Starts the unit and waits for it to be active, that is for READY=1 (Type=notify)."""
        self.systemd.systemctl("start", "--no-block", unit)
        self.wait_active(unit)

    def stop(self, unit):
        self.systemd.systemctl("stop", unit)

    def tmpdir(self, unit):
        """The unit's RuntimeDirectory (dockrun's TMPDIR), seen from here."""
        return f"/proc/{self.systemd.pid}/root/run/dockrun-{unit.removesuffix('.service')}"


@pytest.fixture
def quadlet(setting, bin_dir, monitors):
    """quadlet({file name: text}) boots systemd with dockrun-generator over those files."""
    def boot(files, later=()):
        system = QuadletSystem(setting, bin_dir, files, later)
        monitors.append(system.systemd)
        system.boot()
        return system

    return boot


def suffix(token):
    return token.rsplit("-", 1)[1]


def test_a_container_file_becomes_a_unit_that_starts_once_ready_and_stops_by_its_trap(quadlet, token):
    name = f"web-{suffix(token)}"
    system = quadlet({f"{name}.container": container_file(token, trapping_script(token))})
    unit = f"{name}.service"
    assert system.show(unit, "LoadState", "FragmentPath") == \
        {"LoadState": "loaded", "FragmentPath": f"/run/systemd/generator/{unit}"}
    engine = system.engine

    system.start(unit)

    ready = unit_time(system.show(unit, "ActiveEnterTimestamp")["ActiveEnterTimestamp"])
    assert ready >= container_started(engine, f"systemd-{name}"), "the unit was active before the container ran"
    assert os.listdir(system.tmpdir(unit)), "dockrun's private directory is not in the unit's RuntimeDirectory"
    system.stop(unit)
    assert f"{token} trapped TERM" in system.output()
    assert system.show(unit, "ExecMainStatus", "Result") == {"ExecMainStatus": "7", "Result": "exit-code"}
    assert_nothing_left(engine, token, system.tmpdir(unit))


def test_notify_true_lets_the_application_say_when_it_is_ready(quadlet, token, setting):
    # Notify=true → --sdnotify=container: active once the application says READY=1 (3 s after it runs). dockrun
    # binds its socket into the container from its TMPDIR, which the engine must see: a real engine runs outside
    # this test's mount namespace, whose /run (the unit's RuntimeDirectory) is private, so the file's own
    # [Service] gives a TMPDIR both see (the file's Environment= comes after the generator's, and wins).
    shared = os.path.join(setting.directory, "tmp")
    os.makedirs(shared, mode=0o700, exist_ok=True)
    name = f"notify-{suffix(token)}"
    script = workloads.telling_readiness(token, after=3)[-1]
    system = quadlet({f"{name}.container": container_file(token, script, extra="Notify=true\n")
                      + f"[Service]\nEnvironment=TMPDIR={shared}\n"})
    unit = f"{name}.service"

    system.start(unit)

    ready = unit_time(system.show(unit, "ActiveEnterTimestamp")["ActiveEnterTimestamp"])
    # 2 s: the bound test_systemd.py's same test gives the engine's StartedAt stamp (a moment after the process began).
    assert ready >= container_started(system.engine, f"systemd-{name}") + 2, \
        "the unit was active before the application said READY=1"
    assert system.show(unit, "StatusText")["StatusText"] == f"{token} ready by itself"
    system.stop(unit)
    assert f"{token} trapped TERM" in system.output()
    assert_nothing_left(system.engine, token, shared)


def test_a_container_that_exits_at_once_runs_as_a_oneshot(quadlet, token):
    # As a oneshot (Quadlet's advice for such containers), `systemctl start` returns once it has run.
    name = f"once-{suffix(token)}"
    system = quadlet({f"{name}.container": container_file(token, f'echo "{token} said hello"')
                      + "[Service]\nType=oneshot\n"})
    unit = f"{name}.service"

    system.systemd.systemctl("start", unit)     # fails (check) unless the run ended with 0

    assert f"{token} said hello" in system.output()
    assert_nothing_left(system.engine, token, system.tmpdir(unit))


def test_a_container_that_exits_at_once_succeeds_as_a_notify_service(quadlet, token):
    # podman-quadlet-basic-usage(7)'s hello.container: gone before dockrun's first inspect, it says READY=1 as it
    # ends (behaviour 8), so the start succeeds and the unit reads its exit, not a protocol failure.
    name = f"hello-{suffix(token)}"
    system = quadlet({f"{name}.container": container_file(token, f'echo "{token} said hello"')})
    unit = f"{name}.service"

    system.systemd.systemctl("start", unit)     # fails (check) unless READY=1 came and the run ended with 0

    assert f"{token} said hello" in system.output()
    # The ExecStopPost= cleanup runs after the exit: the unit is inactive once it is done.
    wait_for(f"{unit} to be inactive", lambda: system.show(unit, "ActiveState")["ActiveState"] == "inactive", 60)
    assert system.show(unit, "Result") == {"Result": "success"}
    assert_nothing_left(system.engine, token, system.tmpdir(unit))


def test_daemon_reload_generates_a_new_file(quadlet, token):
    name = f"late-{suffix(token)}"
    system = quadlet({}, later=[f"{name}.container"])
    unit = f"{name}.service"
    assert system.show(unit, "LoadState") == {"LoadState": "not-found"}
    with open(os.path.join(system.containers, f"{name}.container"), "w") as f:
        f.write(container_file(token, trapping_script(token)))

    system.systemd.systemctl("daemon-reload")

    assert system.show(unit, "LoadState") == {"LoadState": "loaded"}
    system.start(unit)
    system.stop(unit)
    assert f"{token} trapped TERM" in system.output()
    assert_nothing_left(system.engine, token, system.tmpdir(unit))


def test_wantedby_starts_it_at_boot(quadlet, token):
    name = f"boot-{suffix(token)}"
    # The [Install] section in a drop-in of Quadlet's (a unit enabled by adding a file, as podman's docs suggest).
    system = quadlet({f"{name}.container": container_file(token, trapping_script(token)),
                      f"{name}.container.d/install.conf": f"[Install]\nWantedBy={TARGET}\n"})
    unit = f"{name}.service"

    system.wait_active(unit)

    wait_for("the container's output", lambda: f"{token} running" in system.output(), READY_SECONDS)
    system.stop(unit)
    assert_nothing_left(system.engine, token, system.tmpdir(unit))


def test_systemctl_kill_sigkill_leaves_nothing(quadlet, token):
    # The whole cgroup SIGKILLed, dockrun's guardian with it: the generated ExecStopPost (`dockrun --cleanup --rm
    # --name systemd-%N`, the name systemd expands as in ExecStart) stops and removes the container.
    name = f"killed-{suffix(token)}"
    system = quadlet({f"{name}.container": container_file(token, trapping_script(token))})
    unit = f"{name}.service"
    system.start(unit)
    assert system.engine.container_ids(workloads.token_label(token), running=True)

    system.systemd.systemctl("kill", "--signal=KILL", unit)

    wait_for("the unit failed", lambda: system.state(unit) == "failed", 30)
    assert_nothing_left(system.engine, token, system.tmpdir(unit))


def test_restart_on_failure_restarts_it(quadlet, token):
    name = f"again-{suffix(token)}"
    script = f'echo "{token} running"; sleep 1.5; exit 3'
    system = quadlet({f"{name}.container": container_file(token, script)
                      + "[Service]\nRestart=on-failure\nRestartSec=1\n"})
    unit = f"{name}.service"

    # Not start()'s wait for `active`: a container that exits 1.5 s after it began may be gone before a loaded
    # machine's dockrun saw it run; the restart is what this test is about, and it comes either way.
    system.systemd.systemctl("start", "--no-block", unit)

    wait_for("the unit restarted after exit 3", lambda: int(system.show(unit, "NRestarts")["NRestarts"]) >= 1, 30)
    wait_for("the restarted container ran", lambda: system.output().count(f"{token} running") >= 2, 30)
    system.stop(unit)
    assert_nothing_left(system.engine, token, system.tmpdir(unit))


def test_a_bad_file_leaves_the_others_working_and_says_why(quadlet, token):
    good, bad = f"good-{suffix(token)}", f"bad-{suffix(token)}"
    system = quadlet({f"{good}.container": container_file(token, trapping_script(token)),
                      f"{bad}.container": f"[Container]\nImage={TEST_IMAGE}\nPodmanArgs=--log-level=debug\n"})

    assert system.show(f"{bad}.service", "LoadState") == {"LoadState": "not-found"}
    message = f"]: {system.containers}/{bad}.container:3: PodmanArgs=: not supported: "
    logged = system.kernel_messages().splitlines()
    assert len(logged) == 1 and logged[0].startswith("<3>dockrun-generator[") and message in logged[0], logged
    system.start(f"{good}.service")
    system.stop(f"{good}.service")
    assert f"{token} trapped TERM" in system.output()
    assert_nothing_left(system.engine, token, system.tmpdir(f"{good}.service"))


# podman-systemd.unit(5), "Template files": `sleep@.container`, unchanged but for the image (the test's, which is
# never pulled). Its WantedBy=multi-user.target with DefaultInstance=100 enables sleep@100.service; the test boots
# its own target, so it starts multi-user.target (a stub) to see the link work.
PODMAN_TEMPLATE_EXAMPLE = """[Unit]
Description=A templated sleepy container

[Container]
Image=quay.io/fedora/fedora
Exec=sleep %i

[Service]
# Restart service when sleep finishes
Restart=always

[Install]
WantedBy=multi-user.target
DefaultInstance=100
"""


def test_podmans_template_example_runs(quadlet, setting):
    text = PODMAN_TEMPLATE_EXAMPLE.replace("Image=quay.io/fedora/fedora", f"Image={TEST_IMAGE}")
    system = quadlet({"sleep@.container": text})
    unit = "sleep@100.service"
    try:
        system.systemd.systemctl("start", "multi-user.target")
        system.wait_active(unit)
        running = system.engine.docker("inspect", "-f", "{{.State.Running}} {{.Path}} {{.Args}}", "systemd-sleep_100")
        assert running.stdout.split() == ["true", "sleep", "[100]"]
        system.stop(unit)
        gone = system.engine.docker("ps", "-a", "-q", "--filter", "name=^systemd-sleep_100$")
        assert gone.stdout.strip() == ""
    finally:
        # Unchanged, the example carries no label of the test's: on the real engine, it is removed by its name.
        setting.engine.docker("rm", "-f", "systemd-sleep_100", check=False)
