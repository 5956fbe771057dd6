"""The files of examples/, as the tests run them. A test changes only what its machine and its case need:
  - the path of dockrun (/usr/local/bin/dockrun) and of the logs: the test's own install prefix and files;
  - the container: what follows `--name dockrun-example` in the start command (container options, IMAGE,
    COMMAND) becomes the case's workload (workloads.py), carrying the test's label and token;
  - for the cases about a monitor's stop wait (SIGKILL after it), that one setting, made shorter than the
    container's stop.
The environment (DOCKRUN_DOCKER, FAKE_DOCKER_STATE or DOCKER_HOST, TMPDIR) is given to the monitor, or, for
systemd, in a drop-in. Every other line runs as written; each substitution checks that the text it replaces is in
the example exactly once, so an edit of an example cannot silently escape its test."""

import json
import os
import re
import shlex

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, "examples")
INSTALLED_DOCKRUN = "/usr/local/bin/dockrun"
SERVICE_NAME = "dockrun-example"


def read(name):
    with open(os.path.join(EXAMPLES, name)) as f:
        return f.read()


def replace_once(text, pattern, replacement, what):
    found = re.findall(pattern, text, flags=re.MULTILINE)
    assert len(found) == 1, f"the example has {len(found)} {what} (pattern {pattern!r}), the test expects one"
    return re.sub(pattern, lambda _: replacement, text, flags=re.MULTILINE)


def systemd_words(arguments):
    """ExecStart= quoting: each argument in double quotes with systemd's C escapes; `$` and `%` doubled, as
    they would otherwise be expanded as a variable or a specifier."""
    return " ".join(json.dumps(a).replace("$", "$$").replace("%", "%%") for a in arguments)


def ruby_string(text):
    """A Ruby double-quoted literal: JSON's escapes are Ruby's, and `#` is escaped against interpolation."""
    return json.dumps(text).replace("#", "\\#")


def systemd_unit(dockrun, workload, settings=None):
    """examples/dockrun-example.service with the test's dockrun and workload; `settings` replaces [Service] lines."""
    text = read("dockrun-example.service")
    prefix = f"ExecStart={INSTALLED_DOCKRUN} --rm --replace --name {SERVICE_NAME} "
    text = replace_once(text, "^" + re.escape(prefix) + ".*$", prefix + systemd_words(workload), "ExecStart= lines")
    for name, value in (settings or {}).items():
        text = replace_once(text, f"^{name}=.*$", f"{name}={value}", f"{name}= lines")
    return text.replace(INSTALLED_DOCKRUN, dockrun)


def supervisord_program(dockrun, workload, log, settings=None):
    """examples/dockrun-example.supervisord.conf with the test's dockrun, workload and log file."""
    text = read("dockrun-example.supervisord.conf")
    prefix = f"command={INSTALLED_DOCKRUN} --rm --replace --name {SERVICE_NAME} "
    # supervisord splits the command as a POSIX shell would, after expanding %(...)s: a `%` is written `%%`.
    words = shlex.join(workload).replace("%", "%%")
    text = replace_once(text, "^" + re.escape(prefix) + ".*$", prefix + words, "command= lines")
    text = replace_once(text, "^stdout_logfile=.*$", f"stdout_logfile={log}", "stdout_logfile= lines")
    for name, value in (settings or {}).items():
        text = replace_once(text, f"^{name}=.*$", f"{name}={value}", f"{name}= lines")
    return text.replace(INSTALLED_DOCKRUN, dockrun)


def god_config(dockrun, workload, log, settings=None):
    """examples/dockrun-example.god with the test's dockrun, workload and log file; `settings` replaces
    `w.NAME = ...` lines with Ruby expressions."""
    text = read("dockrun-example.god")
    head = ", ".join(ruby_string(a) for a in [INSTALLED_DOCKRUN, "--rm", "--replace", "--name", SERVICE_NAME])
    command = f"command = [{head}, " + ", ".join(ruby_string(a) for a in workload) + "]"
    text = replace_once(text, r"command = \[" + re.escape(head) + r", [^\]]*\]$", command, "command arrays")
    text = replace_once(text, r"^(\s*)w\.log = .*$", f"  w.log = {ruby_string(log)}", "w.log lines")
    for name, value in (settings or {}).items():
        text = replace_once(text, rf"^\s*w\.{name} = .*$", f"  w.{name} = {value}", f"w.{name} lines")
    return text.replace(INSTALLED_DOCKRUN, dockrun)


def service_directory(monitor, dockrun, workload, log_directory, settings=None):
    """examples/runit/ or examples/s6/ (`monitor`), a service directory, as {relative path: text}: ./run with the
    test's dockrun and workload, log/run with the test's log directory; `settings` replaces whole files (s6's
    timeout-kill, ...), each of which must be in the example."""
    root = os.path.join(EXAMPLES, monitor)
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.relpath(os.path.join(folder, name), root)
            files[path] = read(os.path.join(monitor, path))
    prefix = f"exec {INSTALLED_DOCKRUN} --rm --replace --name {SERVICE_NAME} "
    files["run"] = replace_once(files["run"], "^" + re.escape(prefix) + ".*$", prefix + shlex.join(workload),
                                "exec dockrun lines")
    files["log/run"] = replace_once(files["log/run"], "^dir=.*$", f"dir={shlex.quote(log_directory)}", "dir= lines")
    for name, value in (settings or {}).items():
        assert name in files, f"the example has no {name}"
        files[name] = value
    return {path: text.replace(INSTALLED_DOCKRUN, dockrun) for path, text in files.items()}
