import Foundation
import Glibc
import Testing

/// docs/dockrun.md behaviour 8: `--sdnotify=container` (the application's own sd_notify, relayed) and the start
/// timeout extended while the container does not exist yet. The test plays systemd: a datagram socket of its own is
/// dockrun's `NOTIFY_SOCKET`, and what arrives there is asserted. The application is the test image's
/// `sdnotify-send` (Tests/Helpers/sdnotify-send.c), run as a user that is not root.
@Suite("dockrun 8: the container's own sd_notify")
struct DockrunNotifyContainer {
    /// The container user: not root, so the relay's socket must be open to anyone who reaches it.
    static let user = ["--user", "1234:1234"]

    @Test("8: --sdnotify=container: READY=1 only once the application says it; its STATUS= is relayed, its MAINPID= never",
          arguments: [false, true])
    func readyFromTheApplication(abstract: Bool) async throws {
        try await Sandbox.with { sb in
            let systemd = try NotifyListener(sb, abstract: abstract)
            defer { systemd.close() }
            let script = "sdnotify-send STATUS=warming MAINPID=1; read x; sdnotify-send READY=1 STATUS=serving; "
                + "trap 'exit 0' TERM; while :; do sleep 0.1; done"
            let run = try sb.startDockrun(["--rm", "-i", "--sdnotify=container"] + Self.user + sb.tag
                                          + [sb.image, "sh", "-c", script],
                                          keepStdinOpen: true, environment: ["NOTIFY_SOCKET": systemd.address])
            try await ChildProcess.eventually("STATUS=warming") { systemd.lines().contains("STATUS=warming") || !run.isRunning }
            #expect(run.isRunning, "dockrun ended: \(run.stderr.text)")
            // The application runs and has not said READY=1: neither has dockrun.
            #expect(!systemd.lines().contains("READY=1"), "\(systemd.datagrams())")
            run.write(toStdin: "go\n")
            try await ChildProcess.eventually("READY=1") { systemd.lines().contains("READY=1") || !run.isRunning }
            #expect(systemd.datagrams().contains("READY=1\nSTATUS=serving"), "\(systemd.datagrams())")
            run.signal(SIGTERM)
            let outcome = try await run.finish()
            #expect(outcome.code == 0, "\(outcome)")
            let lines = systemd.lines()
            #expect(lines.filter { $0 == "READY=1" }.count == 1, "\(lines)")
            #expect(!lines.contains { $0.hasPrefix("MAINPID=") }, "\(lines)")
            #expect(lines.contains("STOPPING=1"), "\(lines)")
            #expect(outcome.err.components(separatedBy: "dockrun: the container's notification MAINPID= is not passed on").count == 2,
                    "\(outcome.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("8: --sdnotify=container: a HUP reload as Type=notify-reload wants it: RELOADING=1 with MONOTONIC_USEC=, then READY=1")
    func reload() async throws {
        try await Sandbox.with { sb in
            let systemd = try NotifyListener(sb)
            defer { systemd.close() }
            let script = "trap 'sdnotify-send RELOADING=1 STATUS=reloading; sdnotify-send READY=1 STATUS=reloaded' HUP; "
                + "trap 'exit 0' TERM; sdnotify-send READY=1; while :; do sleep 0.1; done"
            let run = try sb.startDockrun(["--rm", "--sdnotify=container"] + Self.user + sb.tag + [sb.image, "sh", "-c", script],
                                          environment: ["NOTIFY_SOCKET": systemd.address])
            try await ChildProcess.eventually("READY=1") { systemd.lines().contains("READY=1") || !run.isRunning }
            run.signal(SIGHUP)
            try await ChildProcess.eventually("STATUS=reloaded") { systemd.lines().contains("STATUS=reloaded") || !run.isRunning }
            let reloading = systemd.datagrams().first { $0.hasPrefix("RELOADING=1\n") }
            #expect(reloading.map { matches($0, "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=[0-9]+") } == true,
                    "\(systemd.datagrams())")
            #expect(systemd.datagrams().suffix(1) == ["READY=1\nSTATUS=reloaded"], "\(systemd.datagrams())")
            run.signal(SIGTERM)
            #expect(try await run.finish().code == 0)
        }
    }

    @Test("8: --sdnotify=container: a flood from the container is cut to 100 at once, said once")
    func flood() async throws {
        try await Sandbox.with { sb in
            let systemd = try NotifyListener(sb)
            defer { systemd.close() }
            let run = try sb.startDockrun(["--rm", "--sdnotify=container"] + Self.user + sb.tag
                                          + [sb.image, "sdnotify-send", "-n", "300", "STATUS=flood"],
                                          environment: ["NOTIFY_SOCKET": systemd.address])
            // Every datagram dockrun sent is queued at the test's socket before dockrun exits.
            let outcome = try await run.finish()
            #expect(outcome.code == 0, "\(outcome)")
            let relayed = systemd.lines().filter { $0 == "STATUS=flood" }.count
            #expect(relayed >= 100 && relayed < 300, "\(relayed) of 300 relayed")
            #expect(outcome.err.components(separatedBy: "dockrun: the container sent more than 100 notifications").count == 2,
                    "\(outcome.err)")
        }
    }

    @Test("8/7: the relay's socket lives in the private directory (with a user's --cidfile too); SIGKILL to dockrun and the guardian deletes it",
          arguments: [false, true])
    func socketInPrivateDirectory(usersCidfile: Bool) async throws {
        try await Sandbox.with { sb in
            let systemd = try NotifyListener(sb)
            defer { systemd.close() }
            let tmp = try sb.temporaryDirectory()
            let cidfile = usersCidfile ? ["--cidfile", sb.path("cid")] : []
            let run = try sb.startDockrun(["--rm", "--sdnotify=container"] + cidfile + Self.user + sb.tag
                                          + [sb.image, "sh", "-c", "sdnotify-send READY=1; while :; do sleep 0.1; done"],
                                          environment: ["NOTIFY_SOCKET": systemd.address, "TMPDIR": tmp])
            try await ChildProcess.eventually("READY=1") { systemd.lines().contains("READY=1") || !run.isRunning }
            let directories = try FileManager.default.contentsOfDirectory(atPath: tmp)
            #expect(directories.count == 1)
            let socket = tmp + "/" + (directories.first ?? "") + "/notify/notify.sock"
            var info = stat()
            #expect(lstat(socket, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK, "no socket at \(socket)")
            #expect(info.st_mode & 0o777 == 0o777)
            #expect(lstat(tmp + "/" + (directories.first ?? "") + "/notify", &info) == 0 && info.st_mode & 0o777 == 0o755)
            run.signal(SIGKILL)
            #expect(try await run.finish().code == 137)
            try await ChildProcess.eventually("the container removed") { try await sb.containers().isEmpty }
            try await ChildProcess.eventually("dockrun's private directory deleted") {
                try FileManager.default.contentsOfDirectory(atPath: tmp).isEmpty
            }
        }
    }

    @Test("8: without NOTIFY_SOCKET, --sdnotify=container binds nothing into the container")
    func withoutSystemd() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm", "--sdnotify=container"] + sb.tag
                                           + [sb.image, "sh", "-c", "echo \"[$NOTIFY_SOCKET]\"; test ! -e /run/dockrun-notify"],
                                           environment: ["NOTIFY_SOCKET": ""])
            #expect(run.code == 0, "\(run)")
            #expect(run.out == "[]\n")
        }
    }

    @Test("8: while the container is being created (a slow pull), EXTEND_TIMEOUT_USEC= comes again and again until READY=1",
          .enabled(if: Engine.current.isFake, "fake-docker's scripted create delay"))
    func startTimeoutExtended() async throws {
        try await Sandbox.with { sb in
            let systemd = try NotifyListener(sb)
            defer { systemd.close() }
            try await sb.script(["run", "--delay", "11"])
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done"],
                                          environment: ["NOTIFY_SOCKET": systemd.address])
            try await ChildProcess.eventually("READY=1", timeout: 60) { systemd.lines().contains("READY=1") || !run.isRunning }
            let lines = systemd.lines()
            let ready = try #require(lines.firstIndex(of: "READY=1"), "\(lines)")
            #expect(lines[..<ready].filter { $0 == "EXTEND_TIMEOUT_USEC=15000000" }.count >= 2, "\(lines)")
            #expect(lines[..<ready].contains("STATUS=Pulling or creating the container"), "\(lines)")
            run.signal(SIGTERM)
            #expect(try await run.finish().code == 0)
            #expect(!systemd.lines()[ready...].contains { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }, "\(systemd.lines())")
        }
    }
}

/// A datagram socket where `NOTIFY_SOCKET` points, as systemd's: a path in the sandbox, or an abstract `@name`.
/// What arrives is read when asked for (the tests' few hundred datagrams fit the socket's queue).
final class NotifyListener: @unchecked Sendable {
    let address: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []

    init(_ sb: Sandbox, abstract: Bool = false) throws {
        address = abstract ? "@dockrun-test-\(sb.id)" : sb.path("notify.sock")
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SpawnError(program: "socket", errno: errno) }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let error = errno
            Glibc.close(fd)
            throw SpawnError(program: "bind \(address)", errno: error)
        }
    }

    /// Every datagram received so far, in order.
    func datagrams() -> [String] {
        lock.withLock {
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n >= 0 else { break }
                received.append(String(decoding: buffer[..<n], as: UTF8.self))
            }
            return received
        }
    }

    /// Every line of every datagram, in order.
    func lines() -> [String] { datagrams().flatMap { $0.split(separator: "\n").map(String.init) } }

    func close() {
        Glibc.close(fd)
        if !address.hasPrefix("@") { unlink(address) }
    }
}
