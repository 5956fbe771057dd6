import Foundation
import Glibc
import Testing

/// The interface: dockrun's own options in both spellings, everything after IMAGE for the container, and the
/// proof of concept's argument bugs (each a test that shows dockrun does not have it).
@Suite("dockrun: arguments")
struct DockrunArguments {
    @Test("-rm, -a and -commit after IMAGE belong to the container's command")
    func argumentsAfterImage() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(sb.tag + [sb.image, "printf", "%s\\n", "-rm", "-a", "x", "-commit", "y", "--rm"])
            #expect(run.code == 0)
            #expect(run.out == "-rm\n-a\nx\n-commit\ny\n--rm\n")
            // Not taken as dockrun's -rm: the container is still there.
            #expect(try await sb.containers().count == 1)
        }
    }

    @Test("-commit before -cidfile does not shift the arguments")
    func commitBeforeCidfile() async throws {
        try await Sandbox.with { sb in
            let repository = sb.repository()
            let cidfile = sb.path("cid")
            let run = try await sb.dockrun(["-commit", repository, "-cidfile", cidfile] + sb.tag + [sb.image, "sh", "-c", "echo data > marker"])
            #expect(run.code == 0, "\(run)")
            #expect(try await sb.imageExists(repository))
            let id = try String(contentsOfFile: cidfile, encoding: .utf8)
            #expect(matches(id, hex64))
            #expect(try await sb.inspect(id, "{{.Config.Image}}") == Engine.image)
        }
    }

    @Test("a trailing -commit with no value is an error (125), not a crash", arguments: [["-commit"], ["--commit"], ["-rm", "-commit"]])
    func trailingCommit(args: [String]) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(args)
            #expect(run.termination == .exited(125))
            #expect(run.err.hasPrefix("dockrun: "), "\(run.err)")
        }
    }

    @Test("-a/--attach and -d/--detach are refused with 125 and nothing starts",
          arguments: [["-a", "stdout"], ["--attach=stdout"], ["-d"], ["--detach"], ["-dit"]])
    func attachDetachRefused(options: [String]) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(options + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.out == "")
            #expect(run.err.hasPrefix("dockrun: "), "\(run.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("--restart other than no is refused with 125 and nothing starts; --restart no runs",
          arguments: [["--restart", "always"], ["--restart=unless-stopped"], ["--restart", "on-failure:2"]])
    func restartRefused(options: [String]) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(options + sb.tag + [sb.image, "true"])
            #expect(run.code == 125)
            #expect(run.out == "")
            #expect(run.err.hasPrefix("dockrun: --restart ") && run.err.contains("the monitor that runs dockrun restarts the service"),
                    "\(run.err)")
            #expect(try await sb.containers().isEmpty)
            let plain = try await sb.dockrun(["--rm", "--restart", "no"] + sb.tag + [sb.image, "sh", "-c", "exit 4"])
            #expect(plain.code == 4, "\(plain)")
        }
    }

    @Test("--help and --version answer on stdout with 0")
    func helpAndVersion() async throws {
        try await Sandbox.with { sb in
            for option in ["--help", "--version"] {
                let run = try await sb.dockrun([option])
                #expect(run.code == 0, "\(option): \(run)")
                #expect(!run.out.isEmpty, "\(option) printed nothing")
            }
        }
    }
}
