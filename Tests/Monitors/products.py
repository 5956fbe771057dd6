"""Where the dockrun and fake-docker under test are: DOCKRUN_MONITOR_BIN (scripts/test-monitors.sh installs them
there with scripts/install.sh), else the products of `swift build` in this checkout, built now."""

import os
import subprocess

from examples import REPO


def bin_dir():
    chosen = os.environ.get("DOCKRUN_MONITOR_BIN")
    if chosen:
        return chosen
    for product in ("dockrun", "fake-docker"):
        subprocess.run(["swift", "build", "--product", product], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, check=True, capture_output=True,
                          text=True).stdout.strip()
