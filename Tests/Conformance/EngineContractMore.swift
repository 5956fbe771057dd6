import Foundation
import Testing

/// The rest of what fake-docker implements, proven the same on both engines: image tags and removal,
/// following logs, the run options that change what runs, `--init`, and the CLI's own answers.
@Suite("Engine contract: images, logs -f, run options")
struct EngineContractMore {
    @Test("tag prints nothing and adds a name; rmi of one of two names only untags it")
    func tagAndUntag() async throws {
        try await Sandbox.with { sb in
            let name = sb.repository("tagged") + ":t1"
            let tag = try await sb.docker(["tag", sb.image, name])
            #expect(tag.code == 0)
            #expect(tag.out.isEmpty && tag.err.isEmpty)
            let listed = try await sb.docker(["images", "--format", "{{.Repository}}:{{.Tag}}", name])
            #expect(listed.out == name + "\n")
            let rmi = try await sb.docker(["rmi", name])
            #expect(rmi.code == 0)
            #expect(rmi.out == "Untagged: \(name)\n")
            #expect(try await sb.docker(["images", "-q", name]).out.isEmpty)
        }
    }

    @Test("rmi of an image a container uses is refused with the engine's conflict message; -f removes it")
    func rmiInUse() async throws {
        try await Sandbox.with { sb in
            let source = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "sh", "-c", "echo data > marker"])
            let sourceID = source.out.trimmingCharacters(in: .newlines)
            _ = try await sb.docker(["wait", sourceID])
            let reference = sb.repository("used") + ":v1"
            #expect(try await sb.docker(["commit", sourceID, reference]).code == 0)
            let user = try await sb.docker(["create"] + sb.tag + [reference, "true"])
            let userID = user.out.trimmingCharacters(in: .newlines)
            let refused = try await sb.docker(["rmi", reference])
            #expect(refused.code == 1)
            #expect(matches(refused.err, #"Error response from daemon: conflict: unable to remove repository reference "\#(reference)" \(must force\) - container \#(userID.prefix(12)) is using its referenced image \#(hex12)\n"#),
                    "\(refused.err)")
            _ = try await sb.docker(["rm", userID])
            let removed = try await sb.docker(["rmi", reference])
            #expect(removed.code == 0)
            #expect(removed.out.hasPrefix("Untagged: \(reference)\nDeleted: sha256:"))
        }
    }

    @Test("logs -f follows the output until the container exits")
    func logsFollow() async throws {
        try await Sandbox.with { sb in
            let started = try await sb.docker(["run", "-d"] + sb.tag + [sb.image, "sh", "-c", "echo one; sleep 1; echo two >&2; echo three"])
            let id = started.out.trimmingCharacters(in: .newlines)
            let follow = try await sb.docker(["logs", "-f", id], timeout: 30)
            #expect(follow.code == 0)
            #expect(follow.out == "one\nthree\n")
            #expect(follow.err == "two\n")
        }
    }

    @Test("--entrypoint, -w, --env-file, -e NAME and --label-file change what runs, as on the engine")
    func runOptions() async throws {
        try await Sandbox.with { sb in
            let envFile = sb.path("env"), labelFile = sb.path("labels")
            try "# a comment\nA=1\n\nB=two words\n".write(toFile: envFile, atomically: false, encoding: .utf8)
            try "team=core\ntier=web\n".write(toFile: labelFile, atomically: false, encoding: .utf8)
            let run = try await sb.docker(
                ["run", "--rm", "-w", "/work", "--env-file", envFile, "-e", "FROM_CLIENT", "--entrypoint", "sh"] + sb.tag
                    + [sb.image, "-c", #"pwd; echo "$A|$B|$FROM_CLIENT""#],
                environment: ["FROM_CLIENT": "passed"])
            #expect(run.code == 0, "\(run)")
            #expect(run.out == "/work\n1|two words|passed\n")
            let name = sb.name("labelled")
            _ = try await sb.docker(["create", "--name", name, "--label-file", labelFile] + sb.tag + [sb.image, "true"])
            let labels = try await sb.docker(["inspect", "-f", #"{{index .Config.Labels "team"}} {{index .Config.Labels "tier"}}"#, name])
            #expect(labels.out == "core web\n")
        }
    }

    @Test("--init: the command is not PID 1, so stop's TERM ends an untrapped sleep: 143")
    func initProcess() async throws {
        try await Sandbox.with { sb in
            let started = try await sb.docker(["run", "-d", "--init"] + sb.tag + [sb.image, "sleep", "600"])
            let id = started.out.trimmingCharacters(in: .newlines)
            #expect(try await sb.docker(["stop", "-t", "20", id]).code == 0)
            #expect(try await sb.docker(["wait", id]).out == "143\n")
        }
    }

    @Test("version and info answer with the server's version and counts")
    func versionAndInfo() async throws {
        try await Sandbox.with { sb in
            let version = try await sb.docker(["version", "--format", "{{.Server.Version}}"])
            #expect(version.code == 0)
            #expect(matches(version.out, #"[0-9]+\.[0-9]+\.[0-9]+\S*\n"#), "\(version.out)")
            let info = try await sb.docker(["info", "--format", "{{.ContainersRunning}} {{.Images}}"])
            #expect(info.code == 0)
            #expect(matches(info.out, #"[0-9]+ [1-9][0-9]*\n"#), "\(info.out)")
        }
    }
}
