"""What supervisord's and god's drivers share: each runs one example (examples.py renders it with the test's
dockrun, workload and output file) and has its own log and the service's output to read."""

import os

from examples import SERVICE_NAME
from waiting import read_text


class ExampleMonitor:
    log = None      # the monitor's own log file, set by the subclass
    # The example rendered for a test, example(dockrun, workload, output, settings): a function of examples.py.
    example = None

    @classmethod
    def for_example(cls, directory, dockrun, workload, env, settings=None):
        """The monitor (not started yet) running its example with this workload (and these settings)."""
        output = os.path.join(directory, f"{SERVICE_NAME}.log")
        return cls(directory, cls.example(dockrun, workload, output, settings), env, output)

    def __init__(self, directory, env, output):
        self.directory = directory
        self.env = env              # the monitor's environment (the setting's)
        self.output_file = output   # where the example's output goes

    def output(self):
        return read_text(self.output_file)

    def log_text(self):
        return read_text(self.log)
