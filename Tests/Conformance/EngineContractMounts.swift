import Foundation
import Glibc
import Testing

/// Bind mounts (`-v HOST:CTR[:MODE]`, `--mount type=bind`) and `--user`, as the real engine makes them
/// (docs/engine-observations.md, "bind mounts" and "--user"): what the container sees, what the host keeps of it,
/// and what `inspect` says. fake-docker makes them as root only (docs/fake-docker.md).
@Suite("Engine contract: bind mounts and --user")
struct EngineContractMounts {
    static let runHelpTail = "\n\nRun 'docker run --help' for more information\n"

    /// A directory of the sandbox to bind, made afresh.
    static func hostDirectory(_ sb: Sandbox, _ name: String) throws -> String {
        let path = sb.path(name)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        return path
    }

    /// The lines of this process's mount table that mention `text`.
    static func hostMounts(mentioning text: String) throws -> [String] {
        try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
            .split(separator: "\n").map(String.init).filter { $0.contains(text) }
    }

    /// Expects `id` and `$HOME` in `image` run as `user` ("": no `--user`) to print `out`.
    static func expectIdentity(_ sb: Sandbox, _ image: String, _ cases: [(user: String, out: String)]) async throws {
        for (user, out) in cases {
            let run = try await sb.docker(["run", "--rm"] + (user.isEmpty ? [] : ["--user", user]) + sb.tag
                                          + [image, "sh", "-c", "id; echo HOME=$HOME"])
            #expect(run.code == 0, "\(user): \(run)")
            #expect(run.out == out, "\(user)")
        }
    }

    @Test("-v HOST:CTR: a file written inside is on the host; :ro and --mount readonly refuse writes")
    func readWriteAndReadOnly() async throws {
        try await Sandbox.with { sb in
            let dir = try Self.hostDirectory(sb, "data")
            let wrote = try await sb.docker(["run", "--rm", "-v", "\(dir):/data"] + sb.tag + [sb.image, "sh", "-c", "echo hi > /data/f"])
            #expect(wrote.code == 0, "\(wrote)")
            #expect(try String(contentsOfFile: dir + "/f", encoding: .utf8) == "hi\n")

            let mounted = try await sb.docker(["run", "--rm", "--mount", "type=bind,source=\(dir),target=/data"] + sb.tag
                                              + [sb.image, "sh", "-c", "cat /data/f; echo m > /data/m"])
            #expect(mounted.code == 0, "\(mounted)")
            #expect(mounted.out == "hi\n")
            #expect(try String(contentsOfFile: dir + "/m", encoding: .utf8) == "m\n")

            for bind in [["-v", "\(dir):/data:ro"], ["--mount", "type=bind,source=\(dir),target=/data,readonly"]] {
                let refused = try await sb.docker(["run", "--rm"] + bind + sb.tag + [sb.image, "sh", "-c", "cat /data/f; echo x > /data/g"])
                #expect(refused.code == 1, "\(bind): \(refused)")
                #expect(refused.out == "hi\n")
                #expect(refused.err == "sh: can't create /data/g: Read-only file system\n")
                #expect(!FileManager.default.fileExists(atPath: dir + "/g"))
            }
        }
    }

    @Test("a missing -v source is made a directory at start, not at create; --mount refuses it (run 125, create 1)")
    func missingSource() async throws {
        try await Sandbox.with { sb in
            let missing = sb.path("later/deep")
            let created = try await sb.docker(["create", "-v", "\(missing):/x"] + sb.tag + [sb.image, "sh", "-c", "ls -a /x"])
            #expect(created.code == 0, "\(created)")
            #expect(!FileManager.default.fileExists(atPath: missing))
            let id = created.out.trimmingCharacters(in: .newlines)
            let started = try await sb.docker(["start", "-a", id])
            #expect(started.code == 0, "\(started)")
            #expect(started.out == ".\n..\n")
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: missing, isDirectory: &isDirectory) && isDirectory.boolValue)

            let absent = sb.path("absent")
            let message = "Error response from daemon: invalid mount config for type \"bind\": bind source path does not exist: \(absent)"
            let run = try await sb.docker(["run", "--rm", "--mount", "type=bind,source=\(absent),target=/x"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: " + message + Self.runHelpTail)
            let create = try await sb.docker(["create", "--mount", "type=bind,source=\(absent),target=/x"] + sb.tag + [sb.image, "true"])
            #expect(create.code == 1)
            #expect(create.err == message + "\n")
            #expect(!FileManager.default.fileExists(atPath: absent))
            #expect(try await sb.containers() == [String(id.prefix(12))])
        }
    }

    @Test("refused specifications: a relative target, a malformed -v, --mount without target, a bad mode, a duplicate")
    func refusedSpecifications() async throws {
        try await Sandbox.with { sb in
            let dir = try Self.hostDirectory(sb, "data")
            let usage = "\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]" + Self.runHelpTail
            let refusals: [(options: [String], err: String)] = [
                (["-v", "\(dir):rel"], "docker: Error response from daemon: invalid volume specification: '\(dir):rel': invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute" + Self.runHelpTail),
                (["--mount", "type=bind,source=\(dir),target=rel"], "docker: Error response from daemon: invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute" + Self.runHelpTail),
                (["-v", "\(dir):/"], "docker: Error response from daemon: invalid volume specification: '\(dir):/': invalid mount config for type \"bind\": invalid specification: destination can't be '/'" + Self.runHelpTail),
                (["--mount", "type=bind,target=/x"], "docker: Error response from daemon: invalid mount config for type \"bind\": field Source must not be empty" + Self.runHelpTail),
                (["-v", "\(dir):/x:ro:rw"], "docker: invalid spec: \(dir):/x:ro:rw: too many colons" + Self.runHelpTail),
                (["-v", ":/x"], "docker: invalid spec: :/x: empty section between colons" + Self.runHelpTail),
                (["-v", "\(dir):/x:bogus"], "docker: Error response from daemon: invalid mode: bogus" + Self.runHelpTail),
                (["-v", "\(dir):/d", "-v", "\(dir):/d/"], "docker: Error response from daemon: Duplicate mount point: /d" + Self.runHelpTail),
                (["-v", "\(dir):/d", "--mount", "type=bind,source=\(dir),target=/d"], "docker: Error response from daemon: Duplicate mount point: /d" + Self.runHelpTail),
                (["--mount", "type=bind,source=\(dir)"], "invalid argument \"type=bind,source=\(dir)\" for \"--mount\" flag: target is required" + usage),
                (["--mount", "type=bind,source=\(dir),target=/x,bogus=1"], "invalid argument \"type=bind,source=\(dir),target=/x,bogus=1\" for \"--mount\" flag: unexpected key 'bogus' in 'bogus=1'" + usage),
            ]
            for (options, err) in refusals {
                let run = try await sb.docker(["run", "--rm"] + options + sb.tag + [sb.image, "true"])
                #expect(run.code == 125, "\(options): \(run)")
                #expect(run.err == err, "\(options)")
            }
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("inspect shows .Mounts, .HostConfig.Binds and .HostConfig.Mounts as the engine does, for each form")
    func inspectMounts() async throws {
        try await Sandbox.with { sb in
            let dir = try Self.hostDirectory(sb, "data")
            let forms: [(options: [String], mounts: String, binds: String, hostMounts: String)] = [
                (["-v", "\(dir):/data"],
                 #"[{"Type":"bind","Source":"\#(dir)","Destination":"/data","Mode":"","RW":true,"Propagation":"rprivate"}]"#,
                 #"["\#(dir):/data"]"#, "null"),
                (["-v", "\(dir):/data:ro"],
                 #"[{"Type":"bind","Source":"\#(dir)","Destination":"/data","Mode":"ro","RW":false,"Propagation":"rprivate"}]"#,
                 #"["\#(dir):/data:ro"]"#, "null"),
                (["-v", "\(dir):/data:ro,z"],
                 #"[{"Type":"bind","Source":"\#(dir)","Destination":"/data","Mode":"ro,z","RW":false,"Propagation":"rprivate"}]"#,
                 #"["\#(dir):/data:ro,z"]"#, "null"),
                (["--mount", "type=bind,source=\(dir),target=/data"],
                 #"[{"Type":"bind","Source":"\#(dir)","Destination":"/data","Mode":"","RW":true,"Propagation":"rprivate"}]"#,
                 "null", #"[{"Type":"bind","Source":"\#(dir)","Target":"/data"}]"#),
                (["--mount", "type=bind,src=\(dir),dst=/data,ro"],
                 #"[{"Type":"bind","Source":"\#(dir)","Destination":"/data","Mode":"","RW":false,"Propagation":"rprivate"}]"#,
                 "null", #"[{"Type":"bind","Source":"\#(dir)","Target":"/data","ReadOnly":true}]"#),
                ([], "[]", "null", "null"),
            ]
            for form in forms {
                let created = try await sb.docker(["create"] + form.options + sb.tag + [sb.image, "true"])
                #expect(created.code == 0, "\(form.options): \(created)")
                let id = created.out.trimmingCharacters(in: .newlines)
                #expect(try await sb.inspect(id, "{{json .Mounts}}") == form.mounts, "\(form.options)")
                #expect(try await sb.inspect(id, "{{json .HostConfig.Binds}}") == form.binds, "\(form.options)")
                #expect(try await sb.inspect(id, "{{json .HostConfig.Mounts}}") == form.hostMounts, "\(form.options)")
            }
        }
    }

    @Test("nothing the container mounts reaches the host's mount table, and after rm nothing of it is mounted")
    func mountsStayInTheContainer() async throws {
        try await Sandbox.with { sb in
            let dir = try Self.hostDirectory(sb, "data")
            let marker = "dkt-\(sb.id)-tmpfs"
            // CAP_SYS_ADMIN: the engine's containers may not mount without it (fake-docker's, as root, may). Not
            // --privileged: it asks for every capability, and an engine whose own root lacks one refuses it.
            let run = try sb.startDocker(["run", "--cap-add", "SYS_ADMIN", "-v", "\(dir):/data"] + sb.tag + [sb.image, "sh", "-c",
                "mkdir -p /inside && mount -t tmpfs \(marker) /inside && touch /inside/x /data/up && echo mounted && sleep 60"])
            try await run.waitForStdout("mounted\n")
            #expect(FileManager.default.fileExists(atPath: dir + "/up"))
            #expect(try Self.hostMounts(mentioning: marker).isEmpty)
            #expect(try Self.hostMounts(mentioning: sb.directory).isEmpty)
            let id = try #require(try await sb.containers().first)
            let full = try #require(try await sb.inspect(id, "{{.Id}}"))
            let removed = try await sb.docker(["rm", "-f", full])
            #expect(removed.code == 0, "\(removed)")
            _ = try await run.finish()
            #expect(try Self.hostMounts(mentioning: full).isEmpty)
            #expect(try Self.hostMounts(mentioning: sb.directory).isEmpty)
            #expect(try Self.hostMounts(mentioning: marker).isEmpty)
            #expect(try String(contentsOfFile: dir + "/up", encoding: .utf8) == "")
        }
    }

    @Test("--user UID[:GID] without /etc/passwd: its ids, the primary group in the groups, HOME /; .Config.User as given")
    func numericUser() async throws {
        try await Sandbox.with { sb in
            let cases: [(user: String, out: String)] = [
                ("", "uid=0 gid=0 groups=0\nHOME=/\n"),
                ("1000", "uid=1000 gid=0 groups=0\nHOME=/\n"),
                ("1000:1000", "uid=1000 gid=1000 groups=1000\nHOME=/\n"),
                ("1000:50", "uid=1000 gid=50 groups=50\nHOME=/\n"),
            ]
            try await Self.expectIdentity(sb, sb.image, cases)
            for (user, _) in cases {
                let created = try await sb.docker(["create", "--user", user] + sb.tag + [sb.image, "true"])
                let id = created.out.trimmingCharacters(in: .newlines)
                #expect(try await sb.inspect(id, "{{json .Config.User}}") == "\"\(user)\"")
            }
        }
    }

    @Test("an unknown user or group, or an id out of range: refused at start by the daemon (run 125; start 1, Error kept)")
    func unknownUser() async throws {
        try await Sandbox.with { sb in
            let refusals: [(user: String, message: String)] = [
                ("nobody", "unable to find user nobody: no matching entries in passwd file"),
                ("1000:nosuch", "unable to find group nosuch: no matching entries in group file"),
                ("-1", "uids and gids must be in range 0-2147483647"),
            ]
            for (user, message) in refusals {
                let run = try await sb.docker(["run", "--rm", "--user", user] + sb.tag + [sb.image, "id"])
                #expect(run.code == 125, "\(user): \(run)")
                #expect(run.err == "docker: Error response from daemon: " + message + Self.runHelpTail)
            }
            let created = try await sb.docker(["create", "--user", "nosuch"] + sb.tag + [sb.image, "id"])
            #expect(created.code == 0, "\(created)")
            let id = created.out.trimmingCharacters(in: .newlines)
            let started = try await sb.docker(["start", "-a", id])
            #expect(started.code == 1)
            #expect(started.err == "Error response from daemon: unable to find user nosuch: no matching entries in passwd file\n")
            let detached = try await sb.docker(["start", id])
            #expect(detached.code == 1)
            #expect(detached.err == "Error response from daemon: unable to find user nosuch: no matching entries in passwd file\n"
                    + "Error: failed to start containers: \(id)\n")
            #expect(try await sb.inspect(id, "{{.State.Status}} {{.State.ExitCode}} {{json .State.Error}}")
                    == #"created 128 "unable to find user nosuch: no matching entries in passwd file""#)
        }
    }

    @Test("--user by name: found in the image's /etc/passwd and /etc/group, with its groups and HOME")
    func namedUser() async throws {
        try await Sandbox.with { sb in
            let etc = try Self.hostDirectory(sb, "etc")
            try """
                root:x:0:0:root:/root:/bin/sh
                nobody:x:65534:65534:nobody:/nonexistent:/bin/false
                app:x:1000:1001:app:/home/app:/bin/sh

                """.write(toFile: etc + "/passwd", atomically: false, encoding: .utf8)
            try "root:x:0:\nnogroup:x:65534:\nappgrp:x:1001:\nextra:x:2000:app,other\nwheel:x:10:root\n"
                .write(toFile: etc + "/group", atomically: false, encoding: .utf8)
            let base = sb.name("users")
            let copied = try await sb.docker(["run", "--name", base, "-v", "\(etc):/src:ro"] + sb.tag
                                             + [sb.image, "sh", "-c", "cp /src/passwd /src/group /etc/"])
            #expect(copied.code == 0, "\(copied)")
            let image = sb.repository("users")
            let committed = try await sb.docker(["commit", base, image])
            #expect(committed.code == 0, "\(committed)")
            let cases: [(user: String, out: String)] = [
                ("", "uid=0(root) gid=0(root) groups=0(root),10(wheel)\nHOME=/root\n"),
                ("app", "uid=1000(app) gid=1001(appgrp) groups=1001(appgrp),2000(extra)\nHOME=/home/app\n"),
                ("1000", "uid=1000(app) gid=1001(appgrp) groups=1001(appgrp),2000(extra)\nHOME=/home/app\n"),
                ("app:nogroup", "uid=1000(app) gid=65534(nogroup) groups=65534(nogroup)\nHOME=/home/app\n"),
                ("nobody:extra", "uid=65534(nobody) gid=2000(extra) groups=2000(extra)\nHOME=/nonexistent\n"),
                ("1234:appgrp", "uid=1234 gid=1001(appgrp) groups=1001(appgrp)\nHOME=/\n"),
            ]
            try await Self.expectIdentity(sb, image, cases)
            let own = try await sb.docker(["run", "--rm", "-e", "HOME=/mine", "--user", "app"] + sb.tag + [image, "sh", "-c", "echo $HOME"])
            #expect(own.out == "/mine\n", "\(own)")
        }
    }

    @Test("a datagram sent inside to a host socket in a bound directory arrives, also from --user 1000")
    func datagramThroughBoundSocket() async throws {
        try await Sandbox.with { sb in
            let dir = try Self.hostDirectory(sb, "notify")
            let path = dir + "/log"
            let listener = try DatagramListener(path: path)
            defer { listener.close() }
            // busybox's logger sends one datagram to /dev/log; the socket reaches it through the bound directory
            // (root may link /dev/log to it) or bound itself (a non-root user cannot write to /dev).
            let asRoot = try await sb.docker(["run", "--rm", "-v", "\(dir):/run/notify"] + sb.tag
                                             + [sb.image, "sh", "-c", "ln -s /run/notify/log /dev/log && logger -t tag from-root"])
            #expect(asRoot.code == 0, "\(asRoot)")
            #expect(listener.receive().hasSuffix(" tag: from-root"))
            let asUser = try await sb.docker(["run", "--rm", "--user", "1000", "-v", "\(dir):/run/notify", "-v", "\(path):/dev/log"]
                                             + sb.tag + [sb.image, "sh", "-c", "ls /run/notify && logger -t tag from-1000"])
            #expect(asUser.code == 0, "\(asUser)")
            #expect(asUser.out == "log\n")
            #expect(listener.receive().hasSuffix(" tag: from-1000"))
        }
    }
}

/// A unix datagram socket bound at a path (mode 0777, so any user may send to it), read without waiting: a datagram
/// sent before the sender exited is queued already.
final class DatagramListener: Sendable {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard fd >= 0, bound == 0, chmod(path, 0o777) == 0 else { throw SpawnError(program: "bind \(path)", errno: errno) }
    }

    /// The next queued datagram, "" when none is.
    func receive() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return n > 0 ? String(decoding: buffer.prefix(n), as: UTF8.self) : ""
    }

    func close() { Glibc.close(fd) }
}
