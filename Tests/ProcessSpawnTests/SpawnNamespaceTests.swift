import Foundation
import Glibc
import ProcessSpawn
import Testing

/// The namespaces of a container's spawn: its own filesystems made in its mount namespace (SpawnOptions.filesystemSteps,
/// a bind's missing mount point) and a network namespace of its own. They need root (these machines run the tests as
/// root); without it the tests are skipped.
@Suite("Spawning with filesystems and a network of the child's own", .enabled(if: geteuid() == 0, "needs root"))
struct SpawnNamespaceTests {
    @Test("the steps are made in order in the child's namespace: a tmpfs, a device, a link, a read-only path; none reaches the parent")
    func filesystemSteps() throws {
        let dir = try SpawnMountTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = SpawnOptions()
        options.bindMounts = []
        options.filesystemSteps = [
            .init(.mount, source: "tmpfs", target: dir + "/dev", type: "tmpfs", data: "mode=755,size=1024k"),
            .init(.node, source: "/dev/null", target: dir + "/dev/null", mode: 0o666, major: 1, minor: 3),
            .init(.symlink, source: "/proc/self/fd", target: dir + "/dev/fd"),
            .init(.mount, source: "tmpfs", target: dir + "/ro", type: "tmpfs"),
            .init(.readOnly, source: "", target: dir + "/ro"),
            .init(.readOnly, source: "", target: dir + "/absent", optional: true),
        ]
        let (status, out) = try SpawnMountTests.run(
            "stat -c '%a %t:%T' \(dir)/dev/null; readlink \(dir)/dev/fd; touch \(dir)/ro/x 2>/dev/null || echo refused", options)
        #expect(status == .exited(0))
        #expect(out == "666 1:3\n/proc/self/fd\nrefused\n")
        #expect(try !String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8).contains(dir))
        #expect(!FileManager.default.fileExists(atPath: dir + "/dev/null"))
    }

    @Test("a step that cannot be made fails the spawn at that step, with its errno")
    func failedStep() throws {
        let dir = try SpawnMountTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = SpawnOptions()
        options.bindMounts = []
        options.filesystemSteps = [.init(.mount, source: "tmpfs", target: dir + "/a", type: "tmpfs"),
                                   .init(.mount, source: "none", target: dir + "/b", type: "no-such-filesystem")]
        #expect(throws: SystemCallError(errno: ENODEV, step: .filesystem(1))) {
            try spawnProcess("/bin/true", argv: ["true"], options)
        }
    }

    @Test("a bind's missing mount point is made inside, after the steps: a file for a file, with its parents")
    func bindMountPoint() throws {
        let dir = try SpawnMountTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "sock\n".write(toFile: dir + "/source", atomically: false, encoding: .utf8)
        var options = SpawnOptions()
        options.filesystemSteps = [.init(.mount, source: "tmpfs", target: dir + "/dev", type: "tmpfs")]
        options.bindMounts = [.init(source: dir + "/source", target: dir + "/dev/deep/log", readOnly: false)]
        let (status, out) = try SpawnMountTests.run("cat \(dir)/dev/deep/log", options)
        #expect(status == .exited(0))
        #expect(out == "sock\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/dev/deep"))
    }

    @Test("a step after the binds is made on them: a bound directory made read-only after it")
    func stepAfterBinds() throws {
        let source = try SpawnMountTests.directory(), target = try SpawnMountTests.directory()
        defer { [source, target].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        var options = SpawnOptions()
        options.filesystemSteps = [.init(.readOnly, source: "", target: target, afterBinds: true)]
        options.bindMounts = [.init(source: source, target: target, readOnly: false)]
        let (status, out) = try SpawnMountTests.run("touch \(target)/x 2>/dev/null || echo refused", options)
        #expect(status == .exited(0))
        #expect(out == "refused\n")
        #expect(!FileManager.default.fileExists(atPath: source + "/x"))
    }

    @Test("a network namespace of the child's own has its loopback alone, up")
    func loopbackOnly() throws {
        var options = SpawnOptions()
        options.newNetworkNamespace = true
        let (status, out) = try SpawnMountTests.run("tail -n +3 /proc/net/dev | cut -d: -f1; ip -o -4 addr show lo | grep -c 127.0.0.1/8",
                                                    options)
        #expect(status == .exited(0))
        #expect(out == "    lo\n1\n")
    }
}
