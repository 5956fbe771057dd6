import Foundation
import Testing

/// `--network container:NAME|ID` as Engine 20.10 does it (docs/engine-observations.md, "--network container:NAME"):
/// the container joins the network of another, running one (its loopback listeners, its host name, its
/// /etc/hostname, /etc/hosts, /etc/resolv.conf); the options that would change that network are refused at create;
/// a missing or stopped container is refused at the start.
@Suite("Engine contract: --network container:NAME")
struct EngineContractNetworkContainer {
    static let help = "\n\nRun 'docker run --help' for more information\n"

    /// Starts `name` attached, serving `hello` on its port 5000, and waits until it serves.
    static func serve(_ sb: Sandbox, _ name: String) async throws -> ChildProcess {
        let run = try sb.startDocker(["run", "--rm", "--name", name] + sb.tag + [sb.image, "sh", "-c", PublishedPorts.server])
        try await run.waitForStdout("ready\n")
        return run
    }

    @Test("the joining container reaches the other's loopback listeners and has its host name and /etc files")
    func joinsTheNetwork() async throws {
        try await Sandbox.with { sb in
            let a = sb.name("a"), b = sb.name("b")
            let server = try await Self.serve(sb, a)
            let aID = try await sb.inspect(a, "{{.Id}}") ?? ""
            let files = "cat /etc/hostname /etc/hosts /etc/resolv.conf"
            let created = try await sb.docker(["create", "--name", b, "--network", "container:\(a)"] + sb.tag
                                              + [sb.image, "sh", "-c", "wget -q -O - http://127.0.0.1:5000/; hostname; \(files)"])
            #expect(created.code == 0, "\(created)")
            #expect(try await sb.inspect(b, "{{.HostConfig.NetworkMode}}") == "container:\(aID)")
            #expect(try await sb.inspect(b, "{{.Config.Hostname}}") == String(created.out.prefix(12)))
            let paths = "{{.HostnamePath}} {{.HostsPath}} {{.ResolvConfPath}}"
            #expect(try await sb.inspect(b, paths) == "  ")

            let started = try await sb.docker(["start", "-a", b])
            #expect(started.code == 0, "\(started)")
            let theirs = try await sb.docker(["exec", a, "sh", "-c", files])
            #expect(started.out == "hello\n\(aID.prefix(12))\n" + theirs.out, "\(started)")
            #expect(try await sb.inspect(b, "{{.Config.Hostname}}") == String(aID.prefix(12)))
            #expect(try await sb.inspect(b, "{{json .NetworkSettings.Networks}}") == "{}")
            let aPaths = try await sb.inspect(a, paths)
            #expect(aPaths?.hasPrefix("/") == true, "\(aPaths ?? "")")
            #expect(try await sb.inspect(b, paths) == aPaths)

            let byID = try await sb.docker(["run", "--rm", "--net", "container:\(aID.prefix(12))"] + sb.tag
                                           + [sb.image, "wget", "-q", "-O", "-", "http://127.0.0.1:5000/"])
            #expect(byID.code == 0, "\(byID)")
            #expect(byID.out == "hello\n")
            _ = try await sb.docker(["stop", a])
            _ = try await server.finish()
        }
    }

    @Test("what would change the network is refused at create, in the daemon's order: exit 1, run 125")
    func createRefusals() async throws {
        try await Sandbox.with { sb in
            let target = sb.name("target")
            _ = try await sb.docker(["create", "--name", target] + sb.tag + [sb.image, "true"])
            let mode = ["--network", "container:\(target)"]
            let cases: [([String], String)] = [
                (["--network", "container:"], "Invalid network mode: invalid container format container:<name|id>"),
                (["--network", "container"], "Invalid network mode: invalid container format container:<name|id>"),
                (mode + ["-h", "foo", "-p", "80"], "conflicting options: hostname and the network mode"),
                (mode + ["--link", "\(target):al", "--dns", "1.1.1.1"],
                 "conflicting options: container type network can't be used with links. This would result in undefined behavior"),
                (mode + ["--expose", "80", "--dns", "1.1.1.1"], "conflicting options: dns and the network mode"),
                (mode + ["--add-host", "a:1.2.3.4", "-p", "80"], "conflicting options: custom host-to-IP mapping and the network mode"),
                (mode + ["-p", "7001:7001"], "conflicting options: port publishing and the container type network mode"),
                (mode + ["-P", "--expose", "80"], "conflicting options: port publishing and the container type network mode"),
                (mode + ["--expose", "7001"], "conflicting options: port exposing and the container type network mode"),
            ]
            for (options, message) in cases {
                let create = try await sb.docker(["create"] + options + sb.tag + [sb.image, "true"])
                #expect(create.code == 1, "\(options) \(create)")
                #expect(create.err == "Error response from daemon: \(message)\n", "\(options)")
            }
            let run = try await sb.docker(["run", "--rm", "-h", "foo"] + mode + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: Error response from daemon: conflicting options: hostname and the network mode" + Self.help)
            #expect(try await sb.containers().count == 1)
        }
    }

    @Test("--mac-address: one net.ParseMAC refuses is parse()'s (125, before --restart with --rm); any other needs API 1.44")
    func macAddress() async throws {
        try await Sandbox.with { sb in
            let invalid = try await sb.docker(["create", "--mac-address", "02:42:ac:11:00", "--restart", "always", "--rm"] + sb.tag
                                              + [sb.image, "true"])
            #expect(invalid.code == 125)
            #expect(invalid.err == "docker: 02:42:ac:11:00 is not a valid mac address\n\nRun 'docker create --help' for more information\n",
                    "\(invalid.err)")
            let api = "\"specify mac-address per network\" requires API version 1.44, but the Docker daemon API version is 1.41"
            for mode in ["container:", "host", "bridge"] {
                let create = try await sb.docker(["create", "--mac-address", "02-42-ac-11-00-02", "--network", mode] + sb.tag
                                                 + [sb.image, "true"])
                #expect(create.code == 1, "\(mode) \(create)")
                #expect(create.err == api + "\n", "\(mode)")
            }
            let run = try await sb.docker(["run", "--rm", "--mac-address", "0242.ac11.0002"] + sb.tag + ["dockrun-test/nosuch-\(sb.id)", "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: " + api + Self.help, "\(run.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("a container missing or not running is refused at the start, the joining one left created with the error")
    func startRefusals() async throws {
        try await Sandbox.with { sb in
            let missing = sb.name("missing"), b = sb.name("b")
            let created = try await sb.docker(["create", "--name", b, "--network", "container:\(missing)"] + sb.tag + [sb.image, "true"])
            #expect(created.code == 0, "\(created)")
            #expect(try await sb.inspect(b, "{{.HostConfig.NetworkMode}}") == "container:\(missing)")
            let start = try await sb.docker(["start", b])
            #expect(start.code == 1)
            #expect(start.err == "Error response from daemon: No such container: \(missing)\nError: failed to start containers: \(b)\n",
                    "\(start.err)")
            #expect(try await sb.inspect(b, "{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}")
                    == "created 128 No such container: \(missing)")
            let run = try await sb.docker(["run", "--rm", "--network", "container:\(missing)"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err == "docker: Error response from daemon: No such container: \(missing)" + Self.help, "\(run.err)")

            let stopped = sb.name("stopped"), c = sb.name("c")
            let stoppedID = try await sb.docker(["create", "--name", stopped] + sb.tag + [sb.image, "sleep", "600"])
                .out.trimmingCharacters(in: .whitespacesAndNewlines)
            let joining = try await sb.docker(["run", "-d", "--name", c, "--network", "container:\(stopped)"] + sb.tag + [sb.image, "true"])
            #expect(joining.code == 125)
            #expect(joining.err == "docker: Error response from daemon: cannot join network of a non running container: \(stoppedID)"
                    + Self.help, "\(joining.err)")
            #expect(try await sb.inspect(c, "{{.State.Status}} {{.State.ExitCode}}") == "created 128")
        }
    }

    @Test("joined through a joining container: the same network; the joined one stopped and removed: the joining one runs on, its next start is refused")
    func targetGoneWhileJoined() async throws {
        try await Sandbox.with { sb in
            let a = sb.name("a"), b = sb.name("b")
            let server = try await Self.serve(sb, a)
            let aID = try await sb.inspect(a, "{{.Id}}") ?? ""
            let joined = try await sb.docker(["run", "-d", "--name", b, "--network", "container:\(a)"] + sb.tag + [sb.image, "sleep", "600"])
            #expect(joined.code == 0, "\(joined)")
            let ps = try await sb.docker(["ps", "--filter", "name=\(b)", "--format", "[{{.Networks}}] [{{.Ports}}]"])
            #expect(ps.out == "[] []\n", "\(ps)")
            // Joined to the joining one: the same network (the engine records the one named).
            let bID = try await sb.inspect(b, "{{.Id}}") ?? ""
            let chained = sb.name("c")
            let viaB = try await sb.docker(["run", "--name", chained, "--network", "container:\(b)"] + sb.tag
                                           + [sb.image, "wget", "-q", "-O", "-", "http://127.0.0.1:5000/"])
            #expect(viaB.code == 0, "\(viaB)")
            #expect(viaB.out == "hello\n")
            #expect(try await sb.inspect(chained, "{{.HostConfig.NetworkMode}} {{.Config.Hostname}}")
                    == "container:\(bID) \(aID.prefix(12))")
            _ = try await sb.docker(["stop", a])
            _ = try await server.finish()
            #expect(try await sb.inspect(a, "{{.Id}}") == nil)
            #expect(try await sb.inspect(b, "{{.State.Status}}") == "running")
            let inside = try await sb.docker(["exec", b, "hostname"])
            #expect(inside.out == "\(aID.prefix(12))\n", "\(inside)")
            _ = try await sb.docker(["stop", "-t", "0", b])
            let again = try await sb.docker(["start", b])
            #expect(again.code == 1)
            #expect(again.err == "Error response from daemon: No such container: \(aID)\nError: failed to start containers: \(b)\n",
                    "\(again.err)")
            #expect(try await sb.inspect(b, "{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}")
                    == "exited 137 No such container: \(aID)")
        }
    }
}
