import Foundation
import Glibc
import Testing

/// How `docker run` and `docker create` refuse their options, and what `--hostname` does inside the
/// container, as observed on the real engine (docs/engine-observations.md, "DIFFERS" items 24–26).
@Suite("Engine contract: run and create options, errors and the host name")
struct EngineContractRunOptions {
    static let commands = ["run", "create"]

    static func helpTail(_ command: String) -> String { "\n\nRun 'docker \(command) --help' for more information\n" }
    static func usageTail(_ command: String) -> String {
        "\n\nUsage:  docker \(command) [OPTIONS] IMAGE [COMMAND] [ARG...]" + helpTail(command)
    }

    /// A name of 65 bytes, one more than the kernel takes for a host name.
    static let overlongName = String(repeating: "a", count: 65)

    @Test("--env-file or --label-file that cannot be read: 125, 'docker: ' and the help line, on run and create")
    func unreadableOptionFile() async throws {
        try await Sandbox.with { sb in
            for command in Self.commands {
                for option in ["--env-file", "--label-file"] {
                    let missing = sb.path("missing")
                    let refused = try await sb.docker([command, option, missing] + sb.tag + [sb.image, "true"])
                    #expect(refused.code == 125, "\(command) \(option): \(refused)")
                    #expect(refused.err == "docker: open \(missing): no such file or directory" + Self.helpTail(command))
                    #expect(refused.out == "")
                }
            }
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("the daemon's refusals: run wraps them (125 and the help line), create prints them bare (1)")
    func daemonRefusals() async throws {
        try await Sandbox.with { sb in
            let refusals: [(options: [String], message: String)] = [
                (["--stop-signal", "NOTASIG"], "Error response from daemon: Invalid signal: NOTASIG"),
                (["-w", "relative"], "Error response from daemon: the working directory 'relative' is invalid, it needs to be an absolute path"),
                (["--entrypoint", ""], "Error response from daemon: No command specified"),
            ]
            for (options, message) in refusals {
                let run = try await sb.docker(["run"] + options + sb.tag + [sb.image])
                #expect(run.code == 125, "run \(options): \(run)")
                #expect(run.err == "docker: " + message + Self.helpTail("run"))
                let create = try await sb.docker(["create"] + options + sb.tag + [sb.image])
                #expect(create.code == 1, "create \(options): \(create)")
                #expect(create.err == message + "\n")
            }
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("create prints a name conflict and an existing cidfile bare, exit 1")
    func createFailuresBare() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let first = try await sb.docker(["create", "--name", name] + sb.tag + [sb.image, "true"])
            let id = first.out.trimmingCharacters(in: .newlines)
            let conflict = try await sb.docker(["create", "--name", name] + sb.tag + [sb.image, "true"])
            #expect(conflict.code == 1)
            #expect(conflict.err == "Error response from daemon: Conflict. The container name \"/\(name)\" is already in use by container \"\(id)\". You have to remove (or rename) that container to be able to reuse that name.\n")

            let cidfile = sb.path("cid")
            try "x".write(toFile: cidfile, atomically: false, encoding: .utf8)
            let exists = try await sb.docker(["create", "--cidfile", cidfile] + sb.tag + [sb.image, "true"])
            #expect(exists.code == 1)
            #expect(exists.err == "container ID file found, make sure the other container isn't running or delete \(cidfile)\n")
            #expect(try await sb.containers() == [String(id.prefix(12))])
        }
    }

    @Test("daemon unreachable: create prints docker's message bare, 1")
    func createDaemonUnreachable() async throws {
        try await Sandbox.with { sb in
            let down = try await sb.daemonDown()
            let create = try await sb.docker(["create"] + sb.tag + [sb.image, "true"], environment: down)
            #expect(create.code == 1)
            #expect(matches(create.err, #"Cannot connect to the Docker daemon at unix://\S+\. Is the docker daemon running\?\n"#), "\(create.err.debugDescription)")
        }
    }

    @Test("a malformed flag value: 125 with the command's usage, whether or not --health-cmd is given")
    func malformedFlagValues() async throws {
        try await Sandbox.with { sb in
            let malformed: [(flag: String, value: String, reason: String)] = [
                ("--stop-timeout", "abc", #"strconv.ParseInt: parsing "abc": invalid syntax"#),
                ("--health-retries", "abc", #"strconv.ParseInt: parsing "abc": invalid syntax"#),
                ("--health-interval", "xyz", #"time: invalid duration "xyz""#),
                ("--health-timeout", "5", #"time: missing unit in duration "5""#),
                ("--health-start-period", "5x", #"time: unknown unit "x" in duration "5x""#),
            ]
            for command in Self.commands {
                for (flag, value, reason) in malformed {
                    let refused = try await sb.docker([command, flag, value] + sb.tag + [sb.image, "true"])
                    #expect(refused.code == 125, "\(command) \(flag) \(value): \(refused)")
                    #expect(refused.err == "invalid argument \"\(value)\" for \"\(flag)\" flag: \(reason)" + Self.usageTail(command))
                }
            }
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("negative health options and --no-healthcheck with them: 125, 'docker: ' and the help line")
    func healthOptionConflicts() async throws {
        try await Sandbox.with { sb in
            let refusals: [(options: [String], message: String)] = [
                (["--health-interval", "-1s"], "--health-interval cannot be negative"),
                (["--health-retries", "-1"], "--health-retries cannot be negative"),
                (["--no-healthcheck", "--health-interval", "1s"], "--no-healthcheck conflicts with --health-* options"),
            ]
            for command in Self.commands {
                for (options, message) in refusals {
                    let refused = try await sb.docker([command] + options + sb.tag + [sb.image, "true"])
                    #expect(refused.code == 125, "\(command) \(options): \(refused)")
                    #expect(refused.err == "docker: " + message + Self.helpTail(command))
                }
            }
        }
    }

    @Test("the options are refused before the image is looked for")
    func optionsBeforeImage() async throws {
        try await Sandbox.with { sb in
            let missing = sb.path("missing")
            let envFile = try await sb.docker(["run", "--env-file", missing] + sb.tag + ["nosuchimage:x"])
            #expect(envFile.code == 125)
            #expect(envFile.err == "docker: open \(missing): no such file or directory" + Self.helpTail("run"))
            let signal = try await sb.docker(["run", "--stop-signal", "NOTASIG"] + sb.tag + ["nosuchimage:x"])
            #expect(signal.code == 125)
            #expect(signal.err == "docker: Error response from daemon: Invalid signal: NOTASIG" + Self.helpTail("run"))
        }
    }

    @Test("--hostname and -h name the container: hostname, /etc/hostname, $HOSTNAME, /etc/hosts and inspect")
    func hostName() async throws {
        try await Sandbox.with { sb in
            // fake-docker without root can give the container neither its own UTS namespace nor its own
            // /etc (docs/fake-docker.md, "Fidelity that needs root"); $HOSTNAME and inspect hold everywhere.
            let isolated = !sb.engine.isFake || geteuid() == 0
            for option in ["--hostname", "-h"] {
                let run = try await sb.docker(["run", "--rm", option, "obs-host"] + sb.tag
                                              + [sb.image, "sh", "-c", #"echo "$HOSTNAME"; hostname; cat /etc/hostname /etc/hosts"#])
                #expect(run.code == 0, "\(option): \(run)")
                let lines = run.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                #expect(lines.first == "obs-host")
                if isolated {
                    #expect(run.out == """
                        obs-host
                        obs-host
                        obs-host
                        127.0.0.1\tlocalhost
                        ::1\tlocalhost ip6-localhost ip6-loopback
                        fe00::0\tip6-localnet
                        ff00::0\tip6-mcastprefix
                        ff02::1\tip6-allnodes
                        ff02::2\tip6-allrouters

                        """)
                }
            }
            let named = sb.name()
            let created = try await sb.docker(["create", "--name", named, "-h", "obs-host", "--domainname", "example.com"]
                                              + sb.tag + [sb.image, "true"])
            #expect(created.code == 0, "\(created)")
            #expect(try await sb.inspect(named, "{{.Config.Hostname}}|{{.Config.Domainname}}") == "obs-host|example.com")
        }
    }

    @Test("without --hostname the host name is the short ID, and Domainname is empty")
    func defaultHostName() async throws {
        try await Sandbox.with { sb in
            let isolated = !sb.engine.isFake || geteuid() == 0
            let name = sb.name()
            let run = try await sb.docker(["run", "--name", name] + sb.tag + [sb.image, "sh", "-c", #"echo "$HOSTNAME"; hostname"#])
            #expect(run.code == 0, "\(run)")
            let id = try #require(try await sb.inspect(name, "{{.Id}}"))
            let shortID = String(id.prefix(12))
            #expect(try await sb.inspect(name, "{{.Config.Hostname}}|{{.Config.Domainname}}") == shortID + "|")
            #expect(run.out.hasPrefix(shortID + "\n"))
            if isolated { #expect(run.out == shortID + "\n" + shortID + "\n") }
        }
    }

    @Test("a host name longer than the kernel takes fails the start: 125, runc's message, left created with 128")
    func overlongHostName() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            // runc sets the host name before it looks for the program, so that failure comes first.
            let run = try await sb.docker(["run", "--name", name, "-h", Self.overlongName] + sb.tag + [sb.image, "nosuchcmd"])
            #expect(run.code == 125)
            #expect(run.err == "docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: sethostname: invalid argument: unknown" + Self.helpTail("run"))
            #expect(try await sb.inspect(name, "{{.State.Status}} {{.State.ExitCode}}") == "created 128")
            let longest = try await sb.docker(["run", "--rm", "-h", String(Self.overlongName.dropFirst())] + sb.tag
                                              + [sb.image, "sh", "-c", #"echo "$HOSTNAME""#])
            #expect(longest.code == 0, "\(longest)")
            #expect(longest.out == String(Self.overlongName.dropFirst()) + "\n")
        }
    }
}
