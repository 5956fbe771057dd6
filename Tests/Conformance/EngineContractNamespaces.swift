import Foundation
import Glibc
import Testing

/// What every container gets in its own mount namespace, as the real engine gives it (docs/engine-observations.md,
/// "namespaces"): `/proc` of its PID namespace, `/dev` (devices, links, `/dev/shm`, `/dev/mqueue`, a devpts of its own
/// for `-t`), `/sys` read-only; that nothing of it reaches the host's mount table; and a network of its own (its
/// loopback) unless `--network host`. fake-docker makes them as root (docs/fake-docker.md).
@Suite("Engine contract: the container's namespaces: /proc, /dev, /sys, network")
struct EngineContractNamespaces {

    /// Runs `script` in a `--rm` container with `options`.
    static func run(_ sb: Sandbox, _ script: String, _ options: [String] = []) async throws -> Outcome {
        try await sb.docker(["run", "--rm"] + options + sb.tag + [sb.image, "sh", "-c", script])
    }

    @Test("/proc is the container's PID namespace: ps and top show the command as PID 1 and nothing of the host")
    func procOfItsOwn() async throws {
        try await Sandbox.with { sb in
            let ps = try await Self.run(sb, "ps")
            #expect(ps.code == 0, "\(ps)")
            #expect(ps.out == "PID   USER     COMMAND\n    1 0        {ps} sh -c ps\n")

            let top = try await Self.run(sb, "top -bn1")
            #expect(top.code == 0, "\(top)")
            let processes = top.out.split(separator: "\n").drop { !$0.hasPrefix("  PID  PPID") }.dropFirst()
            #expect(processes.count == 1, "\(top.out)")
            #expect(processes.first.map { $0.hasPrefix("    1     0 0        R") && $0.hasSuffix("top -bn1") } == true)

            // A pipeline: the shell stays PID 1 and forks cat, which reads its own status.
            let status = try await Self.run(sb, "cat /proc/self/status | grep -E '^(Name|PPid):'")
            #expect(status.out == "Name:\tcat\nPPid:\t1\n", "\(status)")

            let fds = try await Self.run(sb, "ls -l /proc/self/fd/ | sed -n 's/.* \\([0-2] -> [a-z/]*\\).*/\\1/p'")
            #expect(fds.out == "0 -> /dev/null\n1 -> pipe\n2 -> pipe\n", "\(fds)")
        }
    }

    @Test("the kernel's paths are read-only or absent: touch /proc/sysrq-trigger fails")
    func procReadOnlyPaths() async throws {
        try await Sandbox.with { sb in
            // The container's /proc has the host kernel's files: this one only where the kernel has magic SysRq.
            let reason = FileManager.default.fileExists(atPath: "/proc/sysrq-trigger") ? "Read-only file system"
                : "No such file or directory"
            let touched = try await Self.run(sb, "touch /proc/sysrq-trigger")
            #expect(touched.code == 1)
            #expect(touched.err == "touch: /proc/sysrq-trigger: \(reason)\n")
            let sys = try await Self.run(sb, "touch /proc/sys/kernel/hostname")
            #expect(sys.code == 1)
            #expect(sys.err == "touch: /proc/sys/kernel/hostname: Read-only file system\n")
        }
    }

    @Test("/proc/mounts names /proc, /dev, /dev/pts, /sys, /dev/mqueue and /dev/shm as the engine mounts them, and df finds /")
    func mountTable() async throws {
        try await Sandbox.with { sb in
            let mounts = try await Self.run(sb, "cat /proc/mounts")
            #expect(mounts.code == 0, "\(mounts)")
            let lines = Set(mounts.out.split(separator: "\n").map(String.init))
            for expected in [
                "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
                "tmpfs /dev tmpfs rw,nosuid,size=65536k,mode=755 0 0",
                "devpts /dev/pts devpts rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666 0 0",
                "sysfs /sys sysfs ro,nosuid,nodev,noexec,relatime 0 0",
                "mqueue /dev/mqueue mqueue rw,nosuid,nodev,noexec,relatime 0 0",
                "shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0",
                "proc /proc/sys proc ro,nosuid,nodev,noexec,relatime 0 0",
            ] {
                #expect(lines.contains(expected), "\(expected) in \(mounts.out)")
            }
            // The root is a mount of its own, which df finds.
            let df = try await Self.run(sb, "df / | tail -1")
            #expect(df.code == 0, "\(df)")
            #expect(df.out.hasSuffix("% /\n"), "\(df)")
        }
    }

    @Test("/dev holds the six devices, the fd links and a 64 MB /dev/shm; > /dev/stdout writes to the container's stdout")
    func devices() async throws {
        try await Sandbox.with { sb in
            let names = try await Self.run(sb, "ls -A /dev")
            #expect(names.out == "fd\nfull\nmqueue\nnull\nptmx\npts\nrandom\nshm\nstderr\nstdin\nstdout\ntty\nurandom\nzero\n",
                    "\(names)")
            let nodes = try await Self.run(sb, "cd /dev && stat -c '%n %a %t:%T %F' null zero full random urandom tty pts/ptmx")
            #expect(nodes.out == """
                null 666 1:3 character special file
                zero 666 1:5 character special file
                full 666 1:7 character special file
                random 666 1:8 character special file
                urandom 666 1:9 character special file
                tty 666 5:0 character special file
                pts/ptmx 666 5:2 character special file

                """, "\(nodes)")
            let links = try await Self.run(sb, "cd /dev && for l in fd stdin stdout stderr ptmx; do echo $l $(readlink $l); done")
            #expect(links.out == "fd /proc/self/fd\nstdin /proc/self/fd/0\nstdout /proc/self/fd/1\nstderr /proc/self/fd/2\nptmx pts/ptmx\n")

            let written = try await Self.run(sb, "echo out > /dev/stdout; echo err > /dev/stderr; head -c 5 /dev/zero | wc -c")
            #expect(written.out == "out\n5\n", "\(written)")
            #expect(written.err == "err\n")
            let full = try await Self.run(sb, "echo x > /dev/full")
            #expect(full.code == 1)
            #expect(full.err == "sh: write error: No space left on device\n", "\(full)")

            let shm = try await Self.run(sb, "df /dev/shm | tail -1; stat -c %a /dev/shm /dev/mqueue")
            #expect(shm.out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                    == "shm 65536 0 65536 0% /dev/shm\n1777\n1777\n", "\(shm)")
        }
    }

    @Test("-t: the terminal is /dev/pts/0 of the container's own devpts, and /dev/console; without -t, not a tty")
    func terminal() async throws {
        try await Sandbox.with { sb in
            let plain = try await Self.run(sb, "tty")
            #expect(plain.code == 1)
            #expect(plain.out == "not a tty\n")
            let tty = try await Self.run(sb, "tty; ls -1 /dev/pts; stat -c '%t:%T' /dev/console /dev/pts/0", ["-t"])
            #expect(tty.code == 0, "\(tty)")
            #expect(tty.out == "/dev/pts/0\r\n0\r\nptmx\r\n88:0\r\n88:0\r\n", "\(tty)")
        }
    }

    @Test("/sys is the kernel's, read-only")
    func sysReadOnly() async throws {
        try await Sandbox.with { sb in
            let sys = try await Self.run(sb, "test -d /sys/kernel && touch /sys/x")
            #expect(sys.code == 1)
            #expect(sys.err == "touch: /sys/x: Read-only file system\n", "\(sys)")
        }
    }

    @Test("a mount made inside never reaches the host's mount table, and rm leaves nothing mounted")
    func mountsStayInside() async throws {
        try await Sandbox.with { sb in
            func hostMounts() throws -> [String] {
                try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
                    .split(separator: "\n").map(String.init).filter { $0.contains(sb.directory) }
            }
            let name = sb.name()
            let client = try sb.startDocker(["run", "-i", "--name", name, "--cap-add", "SYS_ADMIN"] + sb.tag
                                            + [sb.image, "sh", "-c", "mount -t tmpfs none /tmp && echo mounted && read x"],
                                            keepStdinOpen: true)
            try await client.waitForStdout("mounted")
            #expect(try hostMounts() == [])
            let removed = try await sb.docker(["rm", "-f", name])
            #expect(removed.code == 0, "\(removed)")
            _ = try await client.finish()
            #expect(try hostMounts() == [])
        }
    }

    @Test("a container has a network of its own with only its loopback, up; --network none likewise")
    func loopbackOnly() async throws {
        try await Sandbox.with { sb in
            for options in [[], ["--network", "none"]] {
                let net = try await Self.run(sb, "tail -n +3 /proc/net/dev | cut -d: -f1; ip -o addr | grep -c 'inet 127.0.0.1/8 scope host lo'",
                                             options)
                #expect(net.code == 0, "\(options): \(net)")
                #expect(net.out == "    lo\n1\n", "\(options)")
            }
        }
    }

    @Test("--network host shares the engine's network: a port listened to there is reached from another such container, not from one of its own")
    func hostNetwork() async throws {
        try await Sandbox.with { sb in
            let port = Int.random(in: 20000..<30000)
            let listener = try await sb.docker(["run", "-d", "--network", "host"] + sb.tag
                                               + [sb.image, "sh", "-c", "while true; do echo served | nc -l -p \(port); done"])
            #expect(listener.code == 0, "\(listener)")
            // The listener is up once a client of the same network gets its answer (the client's loop waits for it).
            let shared = try await Self.run(sb, "until nc 127.0.0.1 \(port); do sleep 0.1; done", ["--network", "host"])
            #expect(shared.out == "served\n", "\(shared)")
            let own = try await Self.run(sb, "nc 127.0.0.1 \(port)")
            #expect(own.code == 1)
            #expect(own.err == "nc: can't connect to remote host (127.0.0.1): Connection refused\n", "\(own)")
            _ = try await sb.docker(["rm", "-f", listener.out.trimmingCharacters(in: .newlines)])
        }
    }

    @Test("a health check runs in the container's namespaces: its PID namespace and its hostname")
    func healthCheckJoinsTheContainer() async throws {
        try await Sandbox.with { sb in
            // The check prints its shell's parent as the container's PID namespace numbers it (0: the exec's parent
            // is outside it), the container's host name and how many processes the namespace's /proc lists, by the
            // shell's own glob (a pipeline's second process may not exist yet when the first reads /proc).
            let check = "echo ppid=$(sed -n 's/^PPid:\\t//p' /proc/$$/status) host=$(hostname); set -- /proc/[0-9]*; echo $#"
            let started = try await sb.docker(["run", "-d", "--hostname", "inside", "--health-cmd", check,
                                               "--health-interval", "200ms"] + sb.tag + [sb.image, "sleep", "600"])
            let id = started.out.trimmingCharacters(in: .newlines)
            try await ChildProcess.eventually("\(id)'s first health check") {
                try await sb.inspect(id, "{{len .State.Health.Log}}").map { $0 != "0" } ?? false
            }
            let output = try await sb.inspect(id, "{{(index .State.Health.Log 0).Output}}")
            // Two processes in the namespace: sleep (1) and the check's shell.
            #expect(output == "ppid=0 host=inside\n2", "\(output ?? "nil")")
        }
    }
}
