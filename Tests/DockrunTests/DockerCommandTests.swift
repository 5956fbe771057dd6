import Glibc
import ProcessSpawn
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "ab", count: 32))!

@Suite("Docker commands")
struct DockerCommandTests {
    @Test("run: cidfile first, the user's options in order, --sig-proxy=false last before IMAGE, never --rm")
    func run() throws {
        guard case .run(let request) = try Invocation.parse(
            ["--rm", "--sig-proxy=true", "-e", "A=1", "--commit", "x:1", "-it", "img", "sh", "-c", "exit 3"])
        else { Issue.record("not a run"); return }
        let command = DockerCommand.run(request, cidfile: "/tmp/d/cid")
        #expect(command.arguments == ["run", "--cidfile", "/tmp/d/cid", "--sig-proxy=true", "-e", "A=1", "-it",
                                      "--sig-proxy=false", "img", "sh", "-c", "exit 3"])
        #expect(!command.arguments.contains("--rm"))
        #expect(!command.arguments.contains("--commit"))
    }

    @Test("run after an unknown option: dockrun's settings first, then the rest for docker to judge")
    func runPassThrough() throws {
        guard case .run(let request) = try Invocation.parse(["--bogus", "img"]) else { return }
        #expect(DockerCommand.run(request, cidfile: "c").arguments
                == ["run", "--cidfile", "c", "--sig-proxy=false", "--bogus", "img"])
    }

    @Test("the helpers: wait, stop without -t, kill with and without a signal name, commit, rm -f")
    func helpers() throws {
        #expect(DockerCommand.wait(id).arguments == ["wait", id.value])
        #expect(DockerCommand.stop(id).arguments == ["stop", id.value])
        #expect(DockerCommand.kill(id, signal: nil).arguments == ["kill", id.value])
        #expect(DockerCommand.kill(id, signal: SIGHUP).arguments == ["kill", "--signal", "HUP", id.value])
        #expect(DockerCommand.kill(id, signal: SIGUSR2).arguments == ["kill", "--signal", "USR2", id.value])
        #expect(DockerCommand.commit(id, try CommitTarget("localhost:5000/a:t")).arguments
                == ["commit", id.value, "localhost:5000/a:t"])
        #expect(DockerCommand.remove(id).arguments == ["rm", "-f", id.value])
        #expect(DockerCommand.startAttached(id, interactive: false).arguments == ["start", "--attach", id.value])
        #expect(DockerCommand.startAttached(id, interactive: true).arguments
                == ["start", "--attach", "--interactive", id.value])
    }

    @Test("the debug trace quotes what a shell would split")
    func trace() {
        #expect(DockerCommand(["run", "img", "sh", "-c", "echo 'hi' there", ""]).description
                == #"run img sh -c 'echo '\''hi'\'' there' ''"#)
    }
}

@Suite("Container ID")
struct ContainerIDTests {
    @Test("a cidfile that is empty or partly written is not an ID yet")
    func partial() {
        #expect(ContainerID(cidfileContents: "") == nil)
        #expect(ContainerID(cidfileContents: String(repeating: "a", count: 63)) == nil)
        #expect(ContainerID(cidfileContents: String(repeating: "a", count: 65)) == nil)
        #expect(ContainerID(cidfileContents: String(repeating: "A", count: 64)) == nil)
        #expect(ContainerID(cidfileContents: String(repeating: "g", count: 64)) == nil)
    }

    @Test("64 lowercase hex, as docker writes it (a trailing newline tolerated)")
    func complete() {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        #expect(ContainerID(cidfileContents: hex)?.value == hex)
        #expect(ContainerID(cidfileContents: hex + "\n")?.value == hex)
    }
}

@Suite("Private directory")
struct PrivateDirectoryTests {
    @Test("each run gets a fresh directory named by its random run ID that only its user can enter, never one that exists")
    func fresh() throws {
        let first = System.privateDirectoryPath(run: System.runLabels(remove: false).run)
        let second = System.privateDirectoryPath(run: System.runLabels(remove: false).run)
        #expect(first != second)
        #expect(first.hasSuffix("/dockrun-" + first.suffix(16)) && first.suffix(16).allSatisfy(\.isHexDigit))
        let saved = umask(0o277)
        defer { umask(saved) }
        try System.makePrivateDirectory(first)
        defer { rmdir(first) }
        var info = stat()
        #expect(stat(first, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        #expect(info.st_mode & S_IFMT == S_IFDIR)
        #expect(throws: SystemCallError.self) { try System.makePrivateDirectory(first) }
    }
}
