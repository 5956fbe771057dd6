import Foundation
import Glibc
import Testing

/// docs/dockrun.md behaviours 4 (`--commit`) and 5 (`--rm`), with the proof of concept's commit and removal bugs.
@Suite("dockrun 4-5: commit and removal")
struct DockrunCommitRemove {
    @Test("4: --commit then a container of the committed image reads the file the first run wrote")
    func commitThenRun() async throws {
        try await Sandbox.with { sb in
            let repository = sb.repository()
            let first = try await sb.dockrun(["--rm", "--commit", repository] + sb.tag + [sb.image, "sh", "-c", "echo data > marker"])
            #expect(first.code == 0, "\(first)")
            #expect(first.out == "")
            let second = try await sb.dockrun(["--rm"] + sb.tag + [repository, "cat", "marker"])
            #expect(second.code == 0, "\(second)")
            #expect(second.out == "data\n")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("4: commit is skipped when the container exits non-zero")
    func noCommitOnFailure() async throws {
        try await Sandbox.with { sb in
            let repository = sb.repository()
            let run = try await sb.dockrun(["--rm", "--commit", repository] + sb.tag + [sb.image, "sh", "-c", "echo data > marker; exit 3"])
            #expect(run.code == 3)
            #expect(try await !sb.imageExists(repository))
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("4: an invalid --commit reference: message, 125, nothing started", arguments: [
        "Repo", "x/Upper:t", "a@sha256:" + String(repeating: "a", count: 64), ":bad", "a:b:c", "x/" + String(repeating: "a", count: 256),
    ])
    func invalidReference(reference: String) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm", "--commit", reference] + sb.tag + [sb.image, "sh", "-c", "echo started"])
            #expect(run.code == 125)
            #expect(run.out == "")
            #expect(run.err.hasPrefix("dockrun: "), "\(run.err)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("4: localhost:5000/name:tag is a valid reference (split at the tag's colon, not the port's)")
    func registryPortReference() async throws {
        try await Sandbox.with { sb in
            let repository = "localhost:5000/dockrun-test-\(sb.id)"
            let run = try await sb.dockrun(["--rm", "-commit", repository + ":t"] + sb.tag + [sb.image, "true"])
            #expect(run.code == 0, "\(run)")
            #expect(try await sb.imageExists(repository + ":t"))
            let untagged = try await sb.dockrun(["--rm", "--commit", repository] + sb.tag + [sb.image, "true"])
            #expect(untagged.code == 0, "\(untagged)")
            #expect(try await sb.imageExists(repository + ":latest"))
        }
    }

    @Test("5: --rm leaves no container, on success and on failure", arguments: ["exit 0", "exit 3"])
    func removeLeavesNothing(script: String) async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", script])
            #expect(run.code == (script == "exit 0" ? 0 : 3))
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("5: without --rm the container is kept")
    func keptWithoutRemove() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(sb.tag + [sb.image, "sh", "-c", "exit 2"])
            #expect(run.code == 2)
            let kept = try await sb.containers()
            #expect(kept.count == 1)
            if let id = kept.first { #expect(try await sb.inspect(id, "{{.State.Status}} {{.State.ExitCode}}") == "exited 2") }
        }
    }

    @Test("5: --rm removes the container left behind by a failed start")
    func removeAfterFailedStart() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "nosuchcmd"])
            #expect(run.code == 127)
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("5: docker run is never given --rm: the commit comes first, then dockrun's removal",
          .enabled(if: Engine.current.isFake, "reads fake-docker's call log"))
    func noDockerRemove() async throws {
        try await Sandbox.with { sb in
            let repository = sb.repository()
            let run = try await sb.dockrun(["--rm", "--commit", repository] + sb.tag + [sb.image, "sh", "-c", "echo data > marker"])
            #expect(run.code == 0, "\(run)")
            let calls = try await sb.calls()
            let runs = calls.filter { $0.command == "run" }
            #expect(runs.count == 1, "\(calls)")
            #expect(runs.allSatisfy { !$0.arguments.contains { $0 == "--rm" || $0.hasPrefix("--rm=") } }, "\(runs)")
            // Commit before removal, and the commit's snapshot is the container's.
            let order = calls.compactMap { call in ["commit", "rm"].first { call.command == $0 } }
            #expect(order == ["commit", "rm"], "\(calls)")
        }
    }

    @Test("5: a --rm lifecycle starts two docker processes, run and rm: no wait beside the client",
          .enabled(if: Engine.current.isFake, "reads fake-docker's call log"))
    func twoDockerProcesses() async throws {
        try await Sandbox.with { sb in
            let run = try await sb.dockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", "exit 3"])
            #expect(run.code == 3, "\(run)")
            let calls = try await sb.calls().filter { $0.command != "import" }
            #expect(calls.map(\.command) == ["run", "rm"], "\(calls)")
            #expect(calls.first?.arguments.contains("--rm") == false, "\(calls)")
            #expect(try await sb.containers().isEmpty)
        }
    }

    @Test("2: while the container runs, dockrun's children are its guardian and one docker client")
    func treeWhileRunning() async throws {
        try await Sandbox.with { sb in
            let run = try sb.startDockrun(["--rm"] + sb.tag + [sb.image, "sh", "-c", ContainerScript.trapping(["TERM": 0])])
            try await run.waitForStdout("ready\n")
            let children = run.children
            #expect(children.count == 2, "\(children)")
            #expect(children.filter { $0.dropFirst().first == "__guardian" }.count == 1, "\(children)")
            #expect(children.filter { $0.dropFirst().first == "run" }.count == 1, "\(children)")
            run.signal(SIGTERM)
            #expect(try await run.finish().code == 0)
        }
    }
}
