"""The containers the tests run under the monitors: the part of each example's start command after
`--name dockrun-example` (container options, IMAGE, COMMAND) is replaced by one of these. Each carries the test's
label and its token in the command line, so the test finds its container and the container's processes."""

from engine import TEST_IMAGE

# Every container a test starts carries this label with the test's token, so that on a shared real engine the
# test finds its own containers, and only those.
TEST_LABEL = "io.dockrun.monitor-test"


def token_label(token):
    """The test's label as KEY=VALUE, as Engine's container queries take it."""
    return f"{TEST_LABEL}={token}"


def container(token, script, stop_timeout=10):
    """`--label ... --stop-timeout N IMAGE sh -c SCRIPT`, as arguments."""
    return ["--label", token_label(token), "--stop-timeout", str(stop_timeout), TEST_IMAGE, "sh", "-c", script]


def trapping(token, code=7, stop_timeout=10):
    """Runs until TERM, which its trap answers with a line on stdout and exit `code` (not 143, so a monitor that
    reports 143 has seen a kill, not the trap)."""
    return container(token, f'trap "echo {token} trapped TERM; exit {code}" TERM; echo "{token} running"; '
                            "while :; do sleep 1 & wait $!; done", stop_timeout)


def telling_readiness(token, after=2, code=7):
    """`--sdnotify=container`: the application says READY=1 itself, `after` seconds after it started (with the test
    image's static sender), and a STATUS= of its own; it answers TERM with its trap."""
    return ["--sdnotify=container"] + container(
        token, f'trap "echo {token} trapped TERM; exit {code}" TERM; echo "{token} running"; sleep {after}; '
               f'sdnotify-send READY=1 "STATUS={token} ready by itself"; while :; do sleep 1 & wait $!; done')


def dying_of_term(token, stop_timeout=10):
    """Dies of the stop's TERM, as a process without a handler does: docker's init (`--init`) passes it to `sleep`,
    which it ends, and reports 143."""
    return ["--label", token_label(token), "--init", "--stop-timeout", str(stop_timeout), TEST_IMAGE, "sh", "-c",
            f'echo "{token} running"; exec sleep 1000']


def ignoring_term(token, stop_timeout=10):
    """Ignores TERM (PID 1 of its namespace with a trap of ""): only docker stop's KILL ends it."""
    return container(token, f'trap "" TERM; echo "{token} running, ignoring TERM"; while :; do sleep 1; done',
                     stop_timeout)


def exiting(token, code=3, after=1.5):
    """Runs for `after` seconds (longer than supervisord's startsecs, so its exit is an exit, not a failed start),
    then exits with `code`."""
    return container(token, f'echo "{token} running"; sleep {after}; exit {code}')

