import Foundation
import Glibc

/// The test image, made by `scripts/test-image.sh`: the one recipe that try-dockrun.sh, engine-start.sh
/// and bench.py use too, so that a test on fake-docker runs the image the real engine has.
package enum TestImage {
    package static let name = "dockrun-test/busybox:latest"

    /// The command that imports the image with the docker CLI `cli`, into the state (FAKE_DOCKER_STATE) or
    /// engine (DOCKER_HOST) of the environment it runs in.
    package static func importCommand(cli: String) -> [String] {
        ["bash", script, "import", cli, rootfsTar]
    }

    private static let script = Repository.script("test-image.sh")

    /// The image's root filesystem, made once per test process (a symlink per applet takes about half a
    /// second) and imported into each test's own state; removed at exit.
    /// Package-visible for a scenario replay, which imports the same image from it.
    package static let rootfsTar: String = {
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestImage.directory) }
        let tar = directory + "/rootfs.tar"
        let made: Outcome
        do {
            made = try ChildProcess.runBlocking(["bash", script, "rootfs", tar],
                                                ChildProcess.Options(environment: ProcessInfo.processInfo.environment))
        } catch {
            preconditionFailure("\(script) rootfs: \(error)")
        }
        precondition(made.code == 0, "\(script) rootfs: \(made)")
        return tar
    }()

    private static var directory: String {
        FileManager.default.temporaryDirectory.path + "/dockrun-test-image-\(getpid())"
    }
}
