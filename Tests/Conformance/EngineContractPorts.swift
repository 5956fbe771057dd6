import Foundation
import Glibc
import Testing

/// Publishing (`-p`, `-P`, `docker port`, inspect's `Ports`/`PortBindings`) as the engine does it
/// (docs/engine-observations.md, "Publishing"): a client reaches the container's port through the host port while
/// it runs (on the real engine inside its network namespace: PublishedPorts), a taken port fails the start with the
/// engine's message, and the port is free once the container has stopped.
@Suite("Engine contract: published ports", .enabled(if: PublishedPorts.available, "the real engine runs without a bridge"))
struct EngineContractPorts {

    /// Fetches `/` through `port` (the server says hello).
    static func fetch(_ sb: Sandbox, _ port: Int) async throws -> Outcome {
        try await ChildProcess(PublishedPorts.fetch(port), ChildProcess.Options(environment: sb.environment)).finish(timeout: 30)
    }

    /// Starts the serving container `name` attached, with `options`, and waits until it serves.
    static func serve(_ sb: Sandbox, _ name: String, _ options: [String]) async throws -> ChildProcess {
        let run = try sb.startDocker(["run", "--rm", "--name", name] + options + sb.tag
                                     + [sb.image, "sh", "-c", PublishedPorts.server])
        try await run.waitForStdout("ready\n")
        return run
    }

    @Test("-p HOST:CTR: the container's port answers on the host port; docker port and inspect show where")
    func publishedPortAnswers() async throws {
        try await Sandbox.with { sb in
            let port = PublishedPorts.hostPort()
            let run = try await Self.serve(sb, sb.name(), ["-p", "\(port):5000"])
            let fetched = try await Self.fetch(sb, port)
            #expect(fetched.code == 0, "\(fetched)")
            #expect(fetched.out == "hello\n")

            let listed = try await sb.docker(["port", sb.name()])
            #expect(listed.code == 0, "\(listed)")
            #expect(listed.out == "5000/tcp -> 0.0.0.0:\(port)\n5000/tcp -> [::]:\(port)\n")
            let one = try await sb.docker(["port", sb.name(), "5000"])
            #expect(one.out == "0.0.0.0:\(port)\n[::]:\(port)\n", "\(one)")
            #expect(try await sb.docker(["port", sb.name(), "5000/tcp"]).out == one.out)
            #expect(try await sb.inspect(sb.name(), "{{json .NetworkSettings.Ports}}")
                    == #"{"5000/tcp":[{"HostIp":"0.0.0.0","HostPort":"\#(port)"},{"HostIp":"::","HostPort":"\#(port)"}]}"#)
            #expect(try await sb.inspect(sb.name(), "{{json .HostConfig.PortBindings}}")
                    == #"{"5000/tcp":[{"HostIp":"","HostPort":"\#(port)"}]}"#)
            #expect(try await sb.inspect(sb.name(), "{{json .Config.ExposedPorts}}") == #"{"5000/tcp":{}}"#)
            let ps = try await sb.docker(["ps", "--filter", "name=\(sb.name())", "--format", "{{.Ports}}"])
            #expect(ps.out == "0.0.0.0:\(port)->5000/tcp, [::]:\(port)->5000/tcp\n", "\(ps)")

            let stopped = try await sb.docker(["stop", sb.name()])
            #expect(stopped.code == 0, "\(stopped)")
            _ = try await run.finish()
        }
    }

    @Test("docker port refuses a port not published, and a port that is not a number, exit 1")
    func portRefusals() async throws {
        try await Sandbox.with { sb in
            let port = PublishedPorts.hostPort()
            let run = try await Self.serve(sb, sb.name(), ["-p", "\(port):5000"])
            let udp = try await sb.docker(["port", sb.name(), "5000/udp"])
            #expect(udp.code == 1)
            #expect(udp.err == "Error: No public port '5000/udp' published for \(sb.name())\n")
            let other = try await sb.docker(["port", sb.name(), "5001"])
            #expect(other.err == "Error: No public port '5001' published for \(sb.name())\n")
            let word = try await sb.docker(["port", sb.name(), "abc"])
            #expect(word.code == 1)
            #expect(word.err == "Error: invalid port (abc): strconv.ParseUint: parsing \"abc\": invalid syntax\n")
            let none = try await sb.docker(["port", sb.name("none")])
            #expect(none.code == 1)
            #expect(none.err == "Error response from daemon: No such container: \(sb.name("none"))\n")
            _ = try await sb.docker(["stop", sb.name()])
            _ = try await run.finish()
        }
    }

    @Test("a taken host port fails run with the engine's message, 125, leaving it created; start fails alike, exit 1")
    func portTaken() async throws {
        try await Sandbox.with { sb in
            let port = PublishedPorts.hostPort()
            let run = try await Self.serve(sb, sb.name(), ["-p", "\(port):5000"])
            let second = try await sb.docker(["run", "-d", "--name", sb.name("b"), "-p", "\(port):5000"] + sb.tag
                                             + [sb.image, "sleep", "100"])
            #expect(second.code == 125)
            let message = #/docker: Error response from daemon: driver failed programming external connectivity on endpoint (.+) \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:(\d+) failed: port is already allocated\n\nRun 'docker run --help' for more information\n/#
            let match = try #require(second.err.wholeMatch(of: message), "\(second)")
            #expect(match.1 == sb.name("b"))
            #expect(match.2 == "\(port)")
            // The CLI printed the ID as the start began, before it failed.
            #expect(second.out == (try await sb.inspect(sb.name("b"), "{{.Id}}")).map { $0 + "\n" })
            #expect(try await sb.inspect(sb.name("b"), "{{.State.Status}} {{.State.ExitCode}} {{json .NetworkSettings.Ports}}")
                    == "created 128 {}")

            let started = try await sb.docker(["start", sb.name("b")])
            #expect(started.code == 1)
            #expect(started.err.hasPrefix("Error response from daemon: driver failed programming external connectivity on endpoint \(sb.name("b")) ("),
                    "\(started)")
            #expect(started.err.hasSuffix("): Bind for 0.0.0.0:\(port) failed: port is already allocated\nError: failed to start containers: \(sb.name("b"))\n"),
                    "\(started)")

            // Once the first has stopped, its port is free: the second starts.
            #expect(try await sb.docker(["stop", sb.name()]).code == 0)
            _ = try await run.finish()
            let retried = try await sb.docker(["start", sb.name("b")])
            #expect(retried.code == 0, "\(retried)")
            #expect(try await sb.docker(["port", sb.name("b")]).out == "5000/tcp -> 0.0.0.0:\(port)\n5000/tcp -> [::]:\(port)\n")
            _ = try await sb.docker(["rm", "-f", sb.name("b")])
        }
    }

    @Test("a stopped container publishes nothing: docker port prints nothing, Ports is empty, PortBindings stay")
    func stoppedPublishesNothing() async throws {
        try await Sandbox.with { sb in
            let port = PublishedPorts.hostPort()
            let created = try await sb.docker(["create", "--name", sb.name(), "-p", "\(port):5000"] + sb.tag + [sb.image, "true"])
            #expect(created.code == 0, "\(created)")
            let listed = try await sb.docker(["port", sb.name()])
            #expect(listed.code == 0)
            #expect(listed.out == "")
            #expect(try await sb.inspect(sb.name(), "{{json .NetworkSettings.Ports}} {{json .HostConfig.PortBindings}}")
                    == #"{} {"5000/tcp":[{"HostIp":"","HostPort":"\#(port)"}]}"#)
            #expect(try await sb.docker(["ps", "-a", "--filter", "name=\(sb.name())", "--format", "[{{.Ports}}]"]).out == "[]\n")
            _ = try await sb.docker(["rm", sb.name()])
        }
    }

    @Test("ranges, an address, udp, a port without host part and --expose: PortBindings, Ports and docker port")
    func manyForms() async throws {
        try await Sandbox.with { sb in
            let base = PublishedPorts.hostPort() / 4 * 4
            let options = ["-p", "127.0.0.1:\(base):5000", "-p", "\(base + 1):5001/udp", "-p", "\(base + 2)-\(base + 3):80-81",
                           "--expose", "9000"]
            let run = try sb.startDocker(["run", "--rm", "--name", sb.name()] + options + sb.tag
                                         + [sb.image, "sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done"])
            try await run.waitForStdout("ready\n")
            let listed = try await sb.docker(["port", sb.name()])
            #expect(listed.out == """
                80/tcp -> 0.0.0.0:\(base + 2)
                80/tcp -> [::]:\(base + 2)
                81/tcp -> 0.0.0.0:\(base + 3)
                81/tcp -> [::]:\(base + 3)
                5000/tcp -> 127.0.0.1:\(base)
                5001/udp -> 0.0.0.0:\(base + 1)
                5001/udp -> [::]:\(base + 1)

                """, "\(listed)")
            #expect(try await sb.inspect(sb.name(), "{{json .HostConfig.PortBindings}}") == """
                {"5000/tcp":[{"HostIp":"127.0.0.1","HostPort":"\(base)"}],"5001/udp":[{"HostIp":"","HostPort":"\(base + 1)"}],\
                "80/tcp":[{"HostIp":"","HostPort":"\(base + 2)"}],"81/tcp":[{"HostIp":"","HostPort":"\(base + 3)"}]}
                """)
            let ports = try await sb.inspect(sb.name(), "{{json .NetworkSettings.Ports}}")
            #expect(ports?.hasPrefix(#"{"5000/tcp":[{"HostIp":"127.0.0.1","HostPort":"\#(base)"}],"#) == true, "\(ports ?? "")")
            #expect(ports?.hasSuffix(#""9000/tcp":null}"#) == true, "\(ports ?? "")")
            #expect(try await sb.inspect(sb.name(), "{{json .Config.ExposedPorts}}")
                    == #"{"5000/tcp":{},"5001/udp":{},"80/tcp":{},"81/tcp":{},"9000/tcp":{}}"#)
            let ps = try await sb.docker(["ps", "--filter", "name=\(sb.name())", "--format", "{{.Ports}}"])
            #expect(ps.out == "9000/tcp, 0.0.0.0:\(base + 2)->80/tcp, [::]:\(base + 2)->80/tcp, 0.0.0.0:\(base + 3)->81/tcp, "
                    + "[::]:\(base + 3)->81/tcp, 127.0.0.1:\(base)->5000/tcp, 0.0.0.0:\(base + 1)->5001/udp, [::]:\(base + 1)->5001/udp\n",
                    "\(ps)")
            _ = try await sb.docker(["stop", sb.name()])
            _ = try await run.finish()
        }
    }

    @Test("-P publishes every exposed port on an ephemeral host port")
    func publishAll() async throws {
        try await Sandbox.with { sb in
            let run = try await Self.serve(sb, sb.name(), ["-P", "--expose", "5000"])
            let one = try await sb.docker(["port", sb.name(), "5000"])
            #expect(one.code == 0, "\(one)")
            let lines = one.out.split(separator: "\n")
            #expect(lines.count == 2, "\(one)")
            let port = try #require(lines.first.flatMap { Int($0.split(separator: ":").last ?? "") })
            #expect(lines == ["0.0.0.0:\(port)", "[::]:\(port)"])
            // The engine's dynamic ports: the kernel's local port range (32768-60999 here).
            #expect(port >= 32768 && port <= 60999, "\(one)")
            #expect(try await Self.fetch(sb, port).out == "hello\n")
            #expect(try await sb.inspect(sb.name(), "{{json .HostConfig.PortBindings}} {{.HostConfig.PublishAllPorts}}") == "{} true")
            _ = try await sb.docker(["stop", sb.name()])
            _ = try await run.finish()
        }
    }

    @Test("ephemeral ports count on from the last one given, per address and protocol, even once it is free again")
    func ephemeralCountsOn() async throws {
        try await Sandbox.with { sb in
            // An address of its own (any of 127/8 is the loopback's), so that no other test's port counts between.
            let address = "127.\(Int.random(in: 1...254)).\(Int.random(in: 1...254)).\(Int.random(in: 1...254))"
            func published(_ spec: String) async throws -> Int {
                let run = try await sb.docker(["run", "-d", "-p", spec] + sb.tag + [sb.image, "sleep", "600"])
                #expect(run.code == 0, "\(spec): \(run)")
                let id = run.out.trimmingCharacters(in: .whitespacesAndNewlines)
                let port = try await sb.docker(["port", id])
                _ = try await sb.docker(["rm", "-f", id])
                return try #require(Int(port.out.split(separator: ":").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""),
                                    "\(spec): \(port)")
            }
            let first = try await published("\(address)::80/udp")
            #expect(try await published("\(address)::80/udp") == first + 1)
            _ = try await published("\(address)::80/tcp")
            #expect(try await published("\(address)::81/udp") == first + 2)
        }
    }

    @Test("-p with --network host: created with the engine's warning, PortBindings kept, nothing published")
    func hostNetworkWarns() async throws {
        try await Sandbox.with { sb in
            let created = try await sb.docker(["create", "--name", sb.name(), "--network", "host", "-p", "42861:5000"] + sb.tag
                                              + [sb.image, "true"])
            #expect(created.code == 0, "\(created)")
            #expect(created.err == "WARNING: Published ports are discarded when using host network mode\n")
            #expect(try await sb.inspect(sb.name(), "{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}}")
                    == #"{"5000/tcp":[{"HostIp":"","HostPort":"42861"}]} {"5000/tcp":{}}"#)
            let quiet = try await sb.docker(["create", "--network", "host", "-P", "--expose", "80"] + sb.tag + [sb.image, "true"])
            #expect(quiet.err == "", "\(quiet)")
            _ = try await sb.docker(["rm", sb.name()])
        }
    }

    @Test("a running container without a network of its own (host, none) shows no ports, -p and --expose alike")
    func noNetworkNoPorts() async throws {
        try await Sandbox.with { sb in
            for network in ["host", "none"] {
                let name = sb.name(network)
                let started = try await sb.docker(["run", "-d", "--name", name, "--network", network, "-p", "\(PublishedPorts.hostPort()):5000",
                                                   "--expose", "7000"] + sb.tag + [sb.image, "sleep", "100"])
                #expect(started.code == 0, "\(started)")
                #expect(try await sb.inspect(name, "{{json .NetworkSettings.Ports}} {{json .Config.ExposedPorts}}")
                        == #"{} {"5000/tcp":{},"7000/tcp":{}}"#, "\(network)")
                #expect(try await sb.docker(["port", name]).out == "", "\(network)")
                #expect(try await sb.docker(["ps", "--filter", "name=\(name)", "--format", "[{{.Ports}}]"]).out == "[]\n")
                _ = try await sb.docker(["rm", "-f", name])
            }
        }
    }

    @Test("malformed -p specs are refused before anything is created, 125, with the CLI's texts")
    func invalidSpecs() async throws {
        try await Sandbox.with { sb in
            for (spec, text) in [("abc", "invalid containerPort: abc"), ("70000:80", "invalid hostPort: 70000"),
                                 ("8000-8002:80-81", "invalid ranges specified for container and host Ports: 80-81 and 8000-8002"),
                                 ("1.2.3:80:80", "invalid IP address: 1.2.3"), ("80/xyz", "invalid proto: xyz"),
                                 ("80:", "no port specified: 80:<empty>")] {
                let created = try await sb.docker(["create", "-p", spec] + sb.tag + [sb.image, "true"])
                #expect(created.code == 125, "\(spec): \(created)")
                #expect(created.err == "docker: \(text)\n\nRun 'docker create --help' for more information\n", "\(spec)")
            }
            #expect(try await sb.containers().isEmpty)
        }
    }
    @Test("-p's long syntax (published=,target=,protocol=) is the short one: PortBindings and ExposedPorts; its refusals")
    func longSyntax() async throws {
        try await Sandbox.with { sb in
            let base = PublishedPorts.hostPort() / 4 * 4
            let options = ["-p", "published=\(base),target=80,protocol=UDP", "-p", "target=81,mode=host,foo=bar",
                           "-p", "target=82-83,published=\(base + 1)-\(base + 2)",
                           "-p", "published=\(base + 3),target=84,protocol=tcp,protocol=udp"]
            let created = try await sb.docker(["create", "--name", sb.name()] + options + sb.tag + [sb.image, "true"])
            #expect(created.code == 0, "\(created)")
            #expect(try await sb.inspect(sb.name(), "{{json .HostConfig.PortBindings}}") == """
                {"80/udp":[{"HostIp":"","HostPort":"\(base)"}],"81/tcp":[{"HostIp":"","HostPort":""}],\
                "82/tcp":[{"HostIp":"","HostPort":"\(base + 1)"}],"83/tcp":[{"HostIp":"","HostPort":"\(base + 2)"}],\
                "84/udp":[{"HostIp":"","HostPort":"\(base + 3)"}]}
                """)
            #expect(try await sb.inspect(sb.name(), "{{json .Config.ExposedPorts}}")
                    == #"{"80/udp":{},"81/tcp":{},"82/tcp":{},"83/tcp":{},"84/udp":{}}"#)
            _ = try await sb.docker(["rm", sb.name()])
            for (spec, text) in [("published=\(base)", "no port specified: \(base):/tcp<empty>"),
                                 ("target=80,protocol", "invalid publish opts format (should be name=value but got 'protocol')"),
                                 ("target=80,", "invalid publish opts format (should be name=value but got '')"),
                                 ("target=abc", "invalid containerPort: abc")] {
                let refused = try await sb.docker(["create", "-p", spec] + sb.tag + [sb.image, "true"])
                #expect(refused.code == 125, "\(spec): \(refused)")
                #expect(refused.err == "docker: \(text)\n\nRun 'docker create --help' for more information\n", "\(spec)")
            }
            #expect(try await sb.containers().isEmpty)
        }
    }
}
