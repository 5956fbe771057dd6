"""The test image, dockrun-test/busybox:latest, made by scripts/test-image.sh: the project's one recipe, which the
Swift tests, the demo, the engine script and the benchmark use too."""

import os
import subprocess

TEST_IMAGE = "dockrun-test/busybox:latest"
SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "test-image.sh")


def import_test_image(docker, env):
    """Imports TEST_IMAGE into the engine that `docker` (a CLI path) reaches with `env`, unless it is there."""
    present = subprocess.run([docker, "image", "inspect", TEST_IMAGE], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if present.returncode == 0:
        return
    imported = subprocess.run(["bash", SCRIPT, "import", docker], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True)
    if imported.returncode != 0:
        raise RuntimeError(f"importing {TEST_IMAGE} failed: {imported.stderr.strip()}")
