"""The test image, dockrun-test/busybox:latest: a static busybox with its applets, imported with `docker import`.

This is scripts/try-dockrun.sh's recipe, behind this one function so that scripts/test-image.sh (being written to
be the project's single recipe) can replace it without touching any test."""

import os
import shutil
import subprocess
import tempfile

TEST_IMAGE = "dockrun-test/busybox:latest"


def import_test_image(docker, env):
    """Imports TEST_IMAGE into the engine that `docker` (a CLI path) reaches with `env`, unless it is there."""
    present = subprocess.run([docker, "image", "inspect", TEST_IMAGE], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if present.returncode == 0:
        return
    rootfs = tempfile.mkdtemp(prefix="dockrun-image-")
    try:
        os.makedirs(os.path.join(rootfs, "bin"))
        os.makedirs(os.path.join(rootfs, "tmp"))
        shutil.copy("/bin/busybox", os.path.join(rootfs, "bin", "busybox"))
        applets = subprocess.run(["/bin/busybox", "--list"], check=True, capture_output=True, text=True).stdout
        for applet in applets.split():
            if applet != "busybox":
                os.symlink("busybox", os.path.join(rootfs, "bin", applet))
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        imported = subprocess.run([docker, "import", "-c", 'CMD ["sh"]', "-", TEST_IMAGE], env=env,
                                  stdin=tar.stdout, capture_output=True, text=True)
        tar.stdout.close()
        tar.wait()
        if imported.returncode != 0 or tar.returncode != 0:
            raise RuntimeError(f"importing {TEST_IMAGE} failed: {imported.stderr.strip()}")
    finally:
        shutil.rmtree(rootfs)
