import Foundation
import Glibc
import ProcessSpawn
import Testing

/// The container options of a spawn: binds in a mount namespace of the child's own, and the user it runs as. Both
/// need root (these machines run the tests as root); without it the tests are skipped.
@Suite("Spawning with bind mounts and a user", .enabled(if: geteuid() == 0, "needs root"))
struct SpawnMountTests {
    /// A fresh directory under the temporary directory; removed by `cleanUp`.
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "spawn-mount-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs `script` with `options`, stdout captured; its exit status and output.
    static func run(_ script: String, _ options: SpawnOptions) throws -> (ProcessSpawn.ExitStatus, String) {
        var options = options
        let output = try Self.directory() + "/out"
        let fd = open(output, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(fd); try? FileManager.default.removeItem(atPath: (output as NSString).deletingLastPathComponent) }
        options.stdout = fd
        let status = ProcessSpawn.ExitStatus(reaping: try spawnProcess("/bin/sh", argv: ["sh", "-c", script], options))
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    @Test("a bind is seen by the child, read-only when asked, and never in the parent's mount table")
    func binds() throws {
        let source = try Self.directory(), target = try Self.directory(), readOnly = try Self.directory()
        defer { [source, target, readOnly].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try "from the host\n".write(toFile: source + "/f", atomically: false, encoding: .utf8)
        var options = SpawnOptions()
        options.bindMounts = [.init(source: source, target: target, readOnly: false),
                              .init(source: source, target: readOnly, readOnly: true)]
        let (status, out) = try Self.run("cat \(target)/f; echo written > \(target)/g; echo no > \(readOnly)/h 2>/dev/null"
                                         + " || echo refused; grep -c ' \(target) ' /proc/self/mountinfo", options)
        #expect(status == .exited(0))
        #expect(out == "from the host\nrefused\n1\n")
        #expect(try String(contentsOfFile: source + "/g", encoding: .utf8) == "written\n")
        #expect(!FileManager.default.fileExists(atPath: source + "/h"))
        let table = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!table.contains(target) && !table.contains(readOnly))
    }

    @Test("a bind that cannot be made fails the spawn at that bind, with its errno")
    func failedBind() throws {
        let target = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: target) }
        var options = SpawnOptions()
        options.bindMounts = [.init(source: target, target: target, readOnly: false),
                              .init(source: target + "/absent", target: target, readOnly: false)]
        #expect(throws: SystemCallError(errno: ENOENT, step: .bind(1))) {
            try spawnProcess("/bin/true", argv: ["true"], options)
        }
    }

    @Test("the child runs with the user's uid, gid and exactly its groups")
    func user() throws {
        var options = SpawnOptions()
        options.user = .init(uid: 1000, gid: 50, groups: [50, 2000])
        let (status, out) = try Self.run("echo $(id -u) $(id -g) $(id -G)", options)
        #expect(status == .exited(0))
        #expect(out == "1000 50 50 2000\n")
    }
}
