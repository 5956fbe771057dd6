import Foundation
import Testing

/// The files of the engine's init layer in the container's own filesystem (docs/engine-observations.md,
/// "/.dockerenv and /etc/mtab"): what the container, `cp` and `export` see of them. The same assertions on both engines.
@Suite("Engine contract: /.dockerenv and /etc/mtab")
struct EngineContractInitFiles {
    @Test("a container has /.dockerenv (empty, 0755) and /etc/mtab -> /proc/mounts; cp copies them as they are")
    func initFiles() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let run = try await sb.docker(["run", "--name", name] + sb.tag
                                          + [sb.image, "stat", "-c", "%n %s %a %u:%g %F", "/.dockerenv", "/etc/mtab"])
            #expect(run.code == 0 && run.out == "/.dockerenv 0 755 0:0 regular empty file\n/etc/mtab 12 777 0:0 symbolic link\n",
                    "\(run)")
            let env = try await sb.docker(["cp", "\(name):/.dockerenv", "-"])
            #expect(env.code == 0, "\(env)")
            #expect(EngineContractCopy.entries(env.stdout).map { "\($0.name) \($0.type) \($0.size)" } == [".dockerenv 0 0"])
            let mtab = try await sb.docker(["cp", "\(name):/etc/mtab", "-"])
            #expect(mtab.code == 0, "\(mtab)")
            #expect(EngineContractCopy.entries(mtab.stdout).map { "\($0.name) \($0.type) \($0.size)" } == ["mtab 2 0"])
            #expect(String(decoding: mtab.stdout[157..<169], as: UTF8.self) == "/proc/mounts", "the link's target")
            // Followed, the link leads to /proc, which cp does not see.
            let followed = try await sb.docker(["cp", "-L", "\(name):/etc/mtab", "-"])
            #expect(followed.code == 1 && followed.err == "Error response from daemon: Could not find the file /proc/mounts in container \(name)\n",
                    "\(followed)")
            let host = sb.path("out")
            try FileManager.default.createDirectory(atPath: host, withIntermediateDirectories: true)
            #expect(try await sb.docker(["cp", "\(name):/.dockerenv", host]).code == 0)
            #expect(try await sb.docker(["cp", "\(name):/etc/mtab", host]).code == 0)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: host + "/mtab") == "/proc/mounts")
            let copied = try FileManager.default.attributesOfItem(atPath: host + "/.dockerenv")
            #expect((copied[.size] as? Int) == 0 && (copied[.posixPermissions] as? Int) == 0o755, "\(copied)")
        }
    }
}

/// A mount at /etc: the engine binds the container's hostname, hosts and resolv.conf over it at each start.
@Suite("Engine contract: a volume, tmpfs or bind at /etc")
struct EngineContractEtcMount {
    static let show = ["sh", "-c", "cat /etc/hostname; grep -c localhost /etc/hosts; ls /etc | tr '\\n' ' '"]

    @Test("a volume, a tmpfs or a new bind at /etc still shows the container's hostname, hosts and resolv.conf")
    func etcMounts() async throws {
        try await Sandbox.with { sb in
            let volume = sb.name("etc")
            for (i, mount) in [["-v", "\(volume):/etc"], ["--tmpfs", "/etc"], ["-v", sb.path("newdir") + ":/etc"]].enumerated() {
                let name = sb.name("m\(i)")
                let run = try await sb.docker(["run", "--name", name, "--hostname", "h\(i)"] + mount + sb.tag + [sb.image] + Self.show)
                #expect(run.code == 0 && run.out.hasPrefix("h\(i)\n2\n"), "\(mount): \(run)")
                #expect(run.out.contains("hostname") && run.out.contains("hosts") && run.out.contains("resolv.conf"), "\(mount): \(run)")
            }
            // The volume was filled at create with the init layer's entries at /etc: empty files and the mtab link.
            let held = try await sb.docker(["run", "--rm", "-v", "\(volume):/mnt"] + sb.tag
                                           + [sb.image, "sh", "-c", "cd /mnt && stat -c '%n %s %a %F' * && readlink mtab"])
            #expect(held.code == 0 && held.out == "hostname 0 755 regular empty file\nhosts 0 755 regular empty file\n"
                    + "mtab 12 777 symbolic link\nresolv.conf 0 755 regular empty file\n/proc/mounts\n", "\(held)")
            // The bind's new directory holds the mount points.
            let made = try FileManager.default.contentsOfDirectory(atPath: sb.path("newdir")).sorted()
            #expect(made == ["hostname", "hosts", "resolv.conf"], "\(made)")
        }
    }
}
