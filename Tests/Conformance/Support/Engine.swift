import Foundation
import Glibc

/// The engine the suite runs against: fake-docker (default, no daemon needed) or a real Docker Engine.
/// `DOCKRUN_TEST_ENGINE=docker` selects the real CLI (`DOCKRUN_TEST_DOCKER`, default `docker`) with
/// `DOCKER_HOST` from the environment and `dockrun-test/busybox:latest` already imported.
struct Engine: Sendable {
    enum Kind: String, Sendable { case fake, docker }

    let kind: Kind
    /// The docker CLI every command goes to (and that dockrun gets as DOCKRUN_DOCKER).
    let cli: String

    var isFake: Bool { kind == .fake }

    static let image = "dockrun-test/busybox:latest"

    static let current: Engine = {
        let environment = ProcessInfo.processInfo.environment
        switch environment["DOCKRUN_TEST_ENGINE"] ?? "fake" {
        case "docker":
            return Engine(kind: .docker, cli: environment["DOCKRUN_TEST_DOCKER"] ?? "docker")
        case "fake":
            return Engine(kind: .fake, cli: Products.path("fake-docker"))
        case let other:
            fatalError("DOCKRUN_TEST_ENGINE=\(other): expected fake or docker")
        }
    }()
}

/// The built executables: the Conformance target depends on both, so SwiftPM puts them next to the test
/// binary.
enum Products {
    static let directory: String = {
        if let dir = ProcessInfo.processInfo.environment["DOCKRUN_TEST_PRODUCTS"] { return dir }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return (exe as NSString).deletingLastPathComponent
    }()

    static func path(_ name: String) -> String { directory + "/" + name }
}

/// A root filesystem like the recipe's (busybox-static with a symlink per applet, an empty tmp/), as a tar,
/// built once per test process and imported into each test's own fake-docker state.
enum BusyboxImage {
    static let tar: String = {
        let root = FileManager.default.temporaryDirectory.path + "/dockrun-conformance-\(getpid())"
        let tree = root + "/rootfs"
        let fm = FileManager.default
        try! fm.createDirectory(atPath: tree + "/bin", withIntermediateDirectories: true)
        try! fm.createDirectory(atPath: tree + "/tmp", withIntermediateDirectories: true)
        try! fm.copyItem(atPath: "/bin/busybox", toPath: tree + "/bin/busybox")
        let applets = runToCompletion(["/bin/busybox", "--list"])
        for applet in applets.split(separator: "\n") where applet != "busybox" {
            try! fm.createSymbolicLink(atPath: tree + "/bin/\(applet)", withDestinationPath: "busybox")
        }
        let tar = root + "/busybox.tar"
        _ = runToCompletion(["tar", "-C", tree, "-cf", tar, "."])
        try? fm.removeItem(atPath: tree)
        atexit { try? FileManager.default.removeItem(atPath: (BusyboxImage.tar as NSString).deletingLastPathComponent) }
        return tar
    }()

    private static func runToCompletion(_ argv: [String]) -> String {
        let outcome = ChildProcess.runBlocking(argv, environment: ProcessInfo.processInfo.environment)
        precondition(outcome?.code == 0, "\(argv) failed: \(String(describing: outcome))")
        return outcome!.out
    }
}
