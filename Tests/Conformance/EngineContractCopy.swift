import Foundation
import Glibc
import Testing

/// `docker cp`, `docker export` and `docker attach`, as the real engine answers them (docs/engine-observations.md,
/// "cp, export, attach"): the same assertions on both engines.
@Suite("Engine contract: cp, export, attach")
struct EngineContractCopy {
    /// Makes /d/f (`hi`), /d/sub/g (`s`) and the link /d/link → /d/f, then runs until stopped.
    static let maker = ["sh", "-c", "mkdir -p /d/sub && echo hi > /d/f && echo s > /d/sub/g && ln -s /d/f /d/link; "
                        + "echo ready; while :; do sleep 0.1; done"]

    /// A running container made by `maker`.
    private func maker(_ sb: Sandbox) async throws -> String {
        let name = sb.name()
        let run = try await sb.docker(["run", "-d", "--name", name] + sb.tag + [sb.image] + Self.maker)
        #expect(run.code == 0, "\(run)")
        try await ContainerScript.awaitReady(sb, name)
        return name
    }

    /// The entries of a tar stream: name, type flag, size (ustar names with their prefix; PAX headers read for `path`).
    static func entries(_ tar: [UInt8]) -> [(name: String, type: Character, size: Int)] {
        var found: [(String, Character, Int)] = []
        var offset = 0, paxPath: String?
        func text(_ from: Int, _ width: Int) -> String {
            String(decoding: tar[from..<(from + width)].prefix { $0 != 0 }, as: UTF8.self)
        }
        while offset + 512 <= tar.count, tar[offset..<(offset + 512)].contains(where: { $0 != 0 }) {
            let size = Int(text(offset + 124, 12).trimmingCharacters(in: .whitespaces), radix: 8) ?? 0
            let type = Character(UnicodeScalar(tar[offset + 156]))
            let prefix = text(offset + 345, 155)
            let name = (prefix.isEmpty ? "" : prefix + "/") + text(offset, 100)
            let data = offset + 512
            if type == "x" {
                let records = String(decoding: tar[data..<(data + size)], as: UTF8.self)
                paxPath = records.split(separator: "\n").first { $0.contains(" path=") }
                    .map { String($0[$0.range(of: " path=")!.upperBound...]) }
            } else {
                found.append((paxPath ?? name, type, size))
                paxPath = nil
            }
            offset = data + (size + 511) / 512 * 512
        }
        return found
    }

    static func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// The engine CLI run on a pseudo-terminal: what it shows there (stdout and stderr, lines ending `\r\n`).
    static func onTerminal(_ sb: Sandbox, _ args: [String]) async throws -> Outcome {
        let options = ChildProcess.Options(environment: sb.environment, terminal: true)
        return try await ChildProcess([sb.engine.cli] + args, options).finish()
    }

    @Test("cp from a container: a file, a directory, its contents with /., into an existing directory; links kept, -L follows")
    func copyOut() async throws {
        try await Sandbox.with { sb in
            let name = try await maker(sb)
            let file = try await sb.docker(["cp", "\(name):/d/f", sb.path("f1")])
            #expect(file.code == 0 && file.out.isEmpty && file.err.isEmpty, "\(file)")
            #expect(Self.read(sb.path("f1")) == "hi\n")
            #expect(try await sb.docker(["cp", "\(name):/d", sb.path("d1")]).code == 0)
            #expect(Self.read(sb.path("d1/sub/g")) == "s\n")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: sb.path("d1/link")) == "/d/f")
            try FileManager.default.createDirectory(atPath: sb.path("d3"), withIntermediateDirectories: false)
            #expect(try await sb.docker(["cp", "\(name):/d", sb.path("d3")]).code == 0)
            #expect(Self.read(sb.path("d3/d/f")) == "hi\n")
            try FileManager.default.createDirectory(atPath: sb.path("d4"), withIntermediateDirectories: false)
            #expect(try await sb.docker(["cp", "\(name):/d/.", sb.path("d4")]).code == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sb.path("d4")).sorted() == ["f", "link", "sub"])
            #expect(try await sb.docker(["cp", "-L", "\(name):/d/link", sb.path("l2")]).code == 0)
            #expect(Self.read(sb.path("l2")) == "hi\n")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: sb.path("l2"))) == nil)
        }
    }

    @Test("cp C:SRC - writes a tar stream: the top entry named after the source, '.' for its contents, directories with '/'")
    func streamOut() async throws {
        try await Sandbox.with { sb in
            let name = try await maker(sb)
            let file = try await sb.docker(["cp", "\(name):/d/f", "-"])
            #expect(file.code == 0 && file.err.isEmpty, "\(file)")
            // One header, the data block, two zero blocks: no padding to a record.
            #expect(file.stdout.count == 4 * 512)
            #expect(Self.entries(file.stdout).map(\.name) == ["f"])
            #expect(String(decoding: file.stdout[257..<265], as: UTF8.self) == "ustar\u{0}00")
            #expect(String(decoding: file.stdout[100..<108], as: UTF8.self) == "0100644\u{0}")
            let tree = try await sb.docker(["cp", "\(name):/d", "-"])
            #expect(Self.entries(tree.stdout).map(\.name) == ["d/", "d/f", "d/link", "d/sub/", "d/sub/g"])
            #expect(Self.entries(tree.stdout).map(\.type) == ["5", "0", "2", "5", "0"])
            let contents = try await sb.docker(["cp", "\(name):/d/.", "-"])
            #expect(Self.entries(contents.stdout).map(\.name) == ["./", "./f", "./link", "./sub/", "./sub/g"])
        }
    }

    @Test("cp to a container, stopped or running: a file (its owner kept), a directory, into a directory, a tar stream on stdin")
    func copyIn() async throws {
        try await Sandbox.with { sb in
            let dir = sb.path("h")
            try FileManager.default.createDirectory(atPath: dir + "/dir/sub", withIntermediateDirectories: true)
            try "one\n".write(toFile: dir + "/file", atomically: false, encoding: .utf8)
            try "two\n".write(toFile: dir + "/dir/sub/b", atomically: false, encoding: .utf8)
            #expect(chown(dir + "/file", 1234, 5678) == 0)
            let name = sb.name()
            let created = try await sb.docker(["create", "--name", name] + sb.tag
                                              + [sb.image, "sh", "-c", "ls -n /t1 | awk '{print $3\":\"$4}'; "
                                                 + "cat /t1 /t3/sub/b /d/b /d/file /tmp/file /tmp/t3/sub/b /tmp/b"])
            #expect(created.code == 0, "\(created)")
            #expect(try await sb.docker(["cp", dir + "/file", "\(name):/t1"]).code == 0)
            #expect(try await sb.docker(["cp", dir + "/dir", "\(name):/t3"]).code == 0)
            #expect(try await sb.docker(["cp", dir + "/file", "\(name):/tmp/"]).code == 0)
            let contents = try await sb.docker(["cp", dir + "/dir/sub/.", "\(name):/d"])
            #expect(contents.code == 0, "\(contents)")
            _ = try await sb.docker(["cp", dir + "/file", "\(name):/d/"])
            let archive = try await sb.docker(["cp", "\(name):/t3", "-"])
            #expect(try await sb.docker(["cp", "-", "\(name):/tmp"], stdin: archive.stdout).code == 0)
            let stream = try await sb.docker(["cp", "-", "\(name):/"], stdin: Array("".utf8))
            #expect(stream.code == 0, "empty stream: \(stream)")
            let tarred = try await sb.docker(["cp", "\(name):/tmp/t3/sub/b", "-"])
            #expect(try await sb.docker(["cp", "-", "\(name):/tmp"], stdin: tarred.stdout).code == 0)
            let started = try await sb.docker(["start", "-a", name])
            #expect(started.out == "1234:5678\none\ntwo\ntwo\none\none\ntwo\ntwo\n", "\(started)")
            let copied = try await sb.docker(["cp", "\(name):/tmp/b", sb.path("b")])
            #expect(copied.code == 0 && Self.read(sb.path("b")) == "two\n", "\(copied)")
        }
    }

    @Test("cp says what it copied only to a terminal and without -q: the stream's size, the destination as the CLI names it")
    func copyProgress() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            #expect(try await sb.docker(["create", "--name", name] + sb.tag + [sb.image, "true"]).code == 0)
            try "one\n".write(toFile: sb.path("file"), atomically: false, encoding: .utf8)
            func onTerminal(_ args: [String]) async throws -> Outcome { try await Self.onTerminal(sb, ["cp"] + args) }
            // A 4-byte file is a 2048-byte stream: a header, a data block, the two end blocks.
            let sent = try await onTerminal([sb.path("file"), "\(name):/x"])
            #expect(sent.code == 0 && sent.out == "Successfully copied 2.05kB to \(name):/x\r\n", "\(sent)")
            let fetched = try await onTerminal(["\(name):/x", sb.path("back")])
            #expect(fetched.code == 0 && fetched.out == "Successfully copied 2.05kB to \(sb.path("back"))\r\n", "\(fetched)")
            let quiet = try await onTerminal(["-q", sb.path("file"), "\(name):/y"])
            #expect(quiet.code == 0 && quiet.out.isEmpty, "\(quiet)")
            let piped = try await sb.docker(["cp", sb.path("file"), "\(name):/z"])
            #expect(piped.code == 0 && piped.out.isEmpty && piped.err.isEmpty, "\(piped)")
        }
    }

    @Test("cp sees the container's filesystem and binds, not what the container mounted itself (/dev/shm, /proc)")
    func notTheContainersMounts() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "-d", "--name", name] + sb.tag
                                          + [sb.image, "sh", "-c", "echo shm > /dev/shm/s; echo ready; while :; do sleep 0.1; done"])
            #expect(run.code == 0, "\(run)")
            try await ContainerScript.awaitReady(sb, name)
            let shm = try await sb.docker(["cp", "\(name):/dev/shm/s", "-"])
            #expect(shm.code == 1 && shm.out.isEmpty, "\(shm)")
            #expect(shm.err == "Error response from daemon: Could not find the file /dev/shm/s in container \(name)\n")
            let proc = try await sb.docker(["cp", "\(name):/proc/1/status", "-"])
            #expect(proc.code == 1)
            #expect(proc.err == "Error response from daemon: Could not find the file /proc/1/status in container \(name)\n")
        }
    }

    @Test("cp's refusals: a missing path, no such container, a missing parent, onto a file, not a directory, no container")
    func copyRefusals() async throws {
        try await Sandbox.with { sb in
            let name = try await maker(sb)
            /// `sending`: the client sends its tar while the daemon refuses the destination; the engine's CLI then may,
            /// or may not, log first that its writer found the pipe closed (`time="…" level=error msg="Can't add file
            /// …"`, a race of its own): only its last line is compared.
            func expect(_ args: [String], _ err: String, stdin: [UInt8]? = nil, sending: Bool = false) async throws {
                let refused = try await sb.docker(["cp"] + args, stdin: stdin)
                #expect(refused.code == 1 && refused.out.isEmpty, "\(args): \(refused)")
                let said = sending ? String(refused.err.split(separator: "\n").last ?? "") + "\n" : refused.err
                #expect(said == err + "\n", "\(args)")
            }
            try "x\n".write(toFile: sb.path("file"), atomically: false, encoding: .utf8)
            try await expect(["\(name):/nope", sb.path("x")], "Error response from daemon: Could not find the file /nope in container \(name)")
            try await expect(["\(name):relf", sb.path("x")], "Error response from daemon: Could not find the file relf in container \(name)")
            try await expect(["nosuch-\(sb.id):/d", sb.path("x")], "Error response from daemon: No such container: nosuch-\(sb.id)")
            try await expect(["\(name):/d/f", sb.path("missing/x")], "invalid output path: directory \"\(sb.path("missing"))\" does not exist")
            try await expect(["\(name):/d/f", sb.path("nodir") + "/"], "no such directory")
            try await expect(["\(name):/d", sb.path("file")], "cannot copy directory")
            try await expect([sb.path("nothere"), "\(name):/x"], "lstat \(sb.path("nothere")): no such file or directory")
            try await expect([sb.path("file"), "\(name):/nop/x"], "Error response from daemon: Could not find the file /nop in container \(name)",
                             sending: true)
            try await expect([sb.path("file"), "\(name):/nodir/"], "no such directory", sending: true)
            try await expect(["-", "\(name):/d/f"], "destination \"\(name):/d/f\" must be a directory", stdin: [])
            try await expect(["-", "\(name):/d"], "Error response from daemon: Error processing tar file(exit status 1): unexpected EOF",
                             stdin: Array("garbage\n".utf8))
            try await expect([sb.path("file"), sb.path("y")], "must specify at least one container source")
            try await expect(["\(name):/d", "\(name):/x"], "copying between containers is not supported")
            let usage = try await sb.docker(["cp", "a"])
            #expect(usage.code == 1)
            #expect(usage.err == "docker: 'docker cp' requires 2 arguments\n\nUsage:  docker cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n"
                    + "\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH\n\nRun 'docker cp --help' for more information\n")
        }
    }

    @Test("export writes the container's files with the engine's own entries, in walk order, no top entry; -o makes a 0600 file; not to a terminal")
    func export() async throws {
        try await Sandbox.with { sb in
            let name = try await maker(sb)
            let exported = try await sb.docker(["export", name])
            #expect(exported.code == 0 && exported.err.isEmpty, "\(exported.err)")
            let entries = Self.entries(exported.stdout)
            let names = entries.map(\.name)
            for engines in [".dockerenv", "dev/", "dev/console", "dev/pts/", "dev/shm/", "etc/", "etc/hostname", "etc/hosts",
                            "etc/mtab", "etc/resolv.conf", "proc/", "sys/", "d/", "d/f", "d/link", "d/sub/", "d/sub/g"] {
                #expect(names.contains(engines), "\(engines)")
            }
            #expect(names.first == ".dockerenv")
            #expect(!names.contains { $0.hasPrefix("dev/") && !["dev/", "dev/console", "dev/pts/", "dev/shm/"].contains($0) })
            // The engine binds its own hosts and hostname files at start: the exported ones are empty.
            #expect(entries.first { $0.name == "etc/hostname" }?.size == 0)
            #expect(entries.first { $0.name == "etc/mtab" }?.type == "2")
            let output = sb.path("out.tar")
            let toFile = try await sb.docker(["export", "-o", output, name])
            #expect(toFile.code == 0 && toFile.out.isEmpty && toFile.err.isEmpty, "\(toFile)")
            var st = stat()
            #expect(stat(output, &st) == 0 && st.st_mode & 0o777 == 0o600)
            #expect(FileManager.default.contents(atPath: output).map(Array.init) == exported.stdout)

            let missing = try await sb.docker(["export", "-o", "/nonexistent-\(sb.id)/x.tar", name])
            #expect(missing.code == 1)
            #expect(missing.err == "failed to export container: invalid output path: stat /nonexistent-\(sb.id): no such file or directory\n")
            let none = try await sb.docker(["export", "nosuch-\(sb.id)"])
            #expect(none.code == 1 && none.err == "Error response from daemon: No such container: nosuch-\(sb.id)\n")
            let terminal = try await Self.onTerminal(sb, ["export", name])
            #expect(terminal.code == 1, "\(terminal)")
            #expect(terminal.out == "cowardly refusing to save to a terminal. Use the -o flag or redirect\r\n")
            let usage = try await sb.docker(["export"])
            #expect(usage.code == 1 && usage.err.hasPrefix("docker: 'docker export' requires 1 argument\n"))
        }
    }

    @Test("attach to a created, stopped, paused or missing container is refused")
    func attachRefused() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            #expect(try await sb.docker(["create", "--name", name] + sb.tag + [sb.image, "true"]).code == 0)
            let created = try await sb.docker(["attach", name])
            #expect(created.code == 1 && created.err == "You cannot attach to a stopped container, start it first\n", "\(created)")
            _ = try await sb.docker(["start", "-a", name])
            let exited = try await sb.docker(["attach", name])
            #expect(exited.code == 1 && exited.err == "You cannot attach to a stopped container, start it first\n", "\(exited)")
            let none = try await sb.docker(["attach", "nosuch-\(sb.id)"])
            #expect(none.code == 1 && none.err == "Error response from daemon: No such container: nosuch-\(sb.id)\n")
            let paused = sb.name("paused")
            #expect(try await sb.docker(["run", "-d", "--name", paused] + sb.tag + [sb.image, "sleep", "60"]).code == 0)
            #expect(try await sb.docker(["pause", paused]).code == 0)
            let refused = try await sb.docker(["attach", paused])
            #expect(refused.code == 1 && refused.err == "You cannot attach to a paused container, unpause it first\n", "\(refused)")
            #expect(try await sb.docker(["unpause", paused]).code == 0)
        }
    }

    @Test("attach shows the output from then on and ends with the container's exit code; its TERM is forwarded")
    func attachRunning() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "-d", "--name", name] + sb.tag + [sb.image] + EngineContractExec.ticker)
            #expect(run.code == 0, "\(run)")
            try await ChildProcess.eventually("the ticker to start") { try await sb.docker(["logs", name]).out.contains("tick 0") }
            let client = try sb.startDocker(["attach", "--no-stdin", name])
            try await client.waitForStdout("tick")
            let stopped = try await sb.docker(["stop", name])
            #expect(stopped.code == 0, "\(stopped)")
            let attached = try await client.finish()
            #expect(attached.code == 7, "\(attached)")
            #expect(!attached.out.contains("started"))
            #expect(attached.out.hasSuffix("got TERM\n"))

            #expect(try await sb.docker(["start", name]).code == 0)
            let proxied = try sb.startDocker(["attach", name])
            try await proxied.waitForStdout("tick")
            proxied.signal(SIGTERM)
            let ended = try await proxied.finish()
            #expect(ended.code == 7 && ended.out.hasSuffix("got TERM\n"), "\(ended)")
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}}") == "exited 7")
        }
    }
}
