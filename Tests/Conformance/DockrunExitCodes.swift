import Foundation
import Glibc
import Testing

/// docs/dockrun.md behaviour 2 and its exit-code table: the container's code, docker's own failures passed through
/// with docker's message, and dockrun's own 125/127.
@Suite("dockrun 2: exit codes")
struct DockrunExitCodes {
    @Test("2: dockrun exits with the container's code (also 125, 126 and 127 of the container's own)",
          arguments: [0, 1, 3, 125, 126, 127, 255] as [Int32])
    func containerCode(code: Int32) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "exit \(code)"])
            #expect(run.code == code)
            #expect(run.err == "")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("2: docker's own failures pass through with docker's message untouched", arguments: [
        (["--bogus"], [], 125, "unknown flag: --bogus\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"),
        ([], ["/etc"], 126, #"docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "/etc": permission denied: unknown"# + "\n\nRun 'docker run --help' for more information\n"),
        ([], ["nosuchcmd"], 127, #"docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown"# + "\n\nRun 'docker run --help' for more information\n"),
    ] as [([String], [String], Int32, String)])
    func dockerFailures(options: [String], command: [String], code: Int32, message: String) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + options + sb.tag + [sb.image] + command)
            #expect(run.code == code)
            #expect(run.out == "")
            #expect(run.err == message)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("2: DOCKRUN_DOCKER not found: a dockrun message and 127")
    func dockerCLIMissing() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "true"],
                                           environment: ["DOCKRUN_DOCKER": sb.path("no-such-docker")])
            #expect(run.code == 127)
            #expect(run.out == "")
            #expect(run.err.hasPrefix("dockrun: "), "\(run.err)")
            #expect(run.err.split(separator: "\n").count == 1, "\(run.err)")
        }
    }

    @Test("2: DOCKRUN_DOCKER may name a CLI found on PATH")
    func dockerCLIOnPath() async throws {
        try await Sandbox.with { sb in
            let cli = sb.engine.cli
            let directory = cli.contains("/") ? (cli as NSString).deletingLastPathComponent : nil
            let name = (cli as NSString).lastPathComponent
            let path = [directory, sb.environment["PATH"]].compactMap { $0 }.joined(separator: ":")
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "echo found; exit 4"],
                                           environment: ["DOCKRUN_DOCKER": name, "PATH": path])
            #expect(run.code == 4)
            #expect(run.out == "found\n")
        }
    }

    @Test("2: daemon down: docker's 125 and message pass through")
    func daemonDown() async throws {
        try await Sandbox.with { sb in
            let down = try await sb.daemonDown()
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "true"], environment: down)
            #expect(run.code == 125)
            #expect(run.out == "")
            #expect(run.err.contains("Cannot connect to the Docker daemon at unix://"), "\(run.err)")
        }
    }

    @Test("2: name conflict: docker's 125 and message, the existing container untouched")
    func nameConflict() async throws {
        try await Sandbox.with { sb in
            let name = sb.name()
            let existing = try await sb.docker(["run", "-d", "--name", name] + sb.tag + [sb.image, "sleep", "600"])
            let id = existing.out.trimmingCharacters(in: .newlines)
            let run = try await sb.dockrun(["--rm", "--name", name] + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.err.contains("docker: Error response from daemon: Conflict. The container name \"/\(name)\" is already in use by container \"\(id)\"."), "\(run.err)")
            #expect(try await sb.inspect(name, "{{.Id}} {{.State.Running}}") == "\(id) true")
        }
    }
}
