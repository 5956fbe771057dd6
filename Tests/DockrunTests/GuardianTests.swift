import ProcessSpawn
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

@Suite("Guardian briefing and teardown")
struct GuardianTests {
    @Test("every record survives the wire, and a partial record waits for the rest")
    func wireRoundTrip() {
        let records: [GuardianBriefing.Record] = [
            .docker("/opt/docker cli"), .remove, .filter("label=io.dockrun.run=00ff"), .directory("/tmp/dockrun-x"),
            .cidfile("/tmp/dockrun-x/cid"), .userCidfile("/srv/a=b.cid"), .client(4242), .container(id),
            .committing, .committed, .finished,
        ]
        let bytes = records.flatMap(GuardianBriefing.encode)
        #expect(GuardianBriefing.decode(bytes[...]).records == records)
        #expect(GuardianBriefing.decode(bytes[...]).consumed == bytes.count)
        let cut = bytes.count - 3
        let partial = GuardianBriefing.decode(bytes[..<cut])
        #expect(partial.records == Array(records.dropLast()))
        #expect(GuardianBriefing.decode(bytes[partial.consumed...]).records == [.finished])
    }

    @Test("an unknown or malformed record is skipped, not fatal")
    func unknownRecords() {
        let bytes = Array("future=1\0client=x\0container=abc\0remove=\0".utf8)
        #expect(GuardianBriefing.decode(bytes[...]).records == [.remove])
    }

    @Test("a commit under way keeps the container even with --rm; a finished commit does not")
    func commitKeepsContainer() {
        var briefing = GuardianBriefing()
        briefing.apply(.remove)
        #expect(briefing.mayRemove)
        briefing.apply(.committing)
        #expect(!briefing.mayRemove)
        briefing.apply(.committed)
        #expect(briefing.mayRemove)
    }

    /// Answers from a script of (command → answer); records what ran.
    private final class FakeDocker {
        var answers: [String: DockerAnswer] = [:]
        var ran: [[String]] = []
        func execute(_ command: DockerCommand) -> DockerAnswer {
            ran.append(command.arguments)
            return answers[command.arguments[0]] ?? DockerAnswer(status: .exited(0))
        }
    }

    private static let noSuch = DockerAnswer(status: .exited(1), error: "Error response from daemon: No such container: web\n")

    @Test("teardown stops, then removes with --rm")
    func stopThenRemove() {
        let docker = FakeDocker()
        #expect(Teardown.run("web", remove: true, execute: docker.execute) == .stopped(removed: true))
        #expect(docker.ran == [["stop", "web"], ["rm", "-f", "web"]])
    }

    @Test("teardown without --rm keeps the stopped container")
    func stopOnly() {
        let docker = FakeDocker()
        #expect(Teardown.run("web", remove: false, execute: docker.execute) == .stopped(removed: false))
        #expect(docker.ran == [["stop", "web"]])
    }

    @Test("teardown of a container that does not exist runs one command and says absent")
    func absent() {
        let docker = FakeDocker()
        docker.answers["stop"] = Self.noSuch
        #expect(Teardown.run("web", remove: true, execute: docker.execute) == .absent)
        #expect(docker.ran == [["stop", "web"]])
    }

    @Test("a failed stop is followed by a kill, then the removal")
    func killAfterFailedStop() {
        let docker = FakeDocker()
        docker.answers["stop"] = DockerAnswer(status: .exited(1), error: "Error response from daemon: cannot stop\n")
        #expect(Teardown.run("web", remove: true, execute: docker.execute) == .stopped(removed: true))
        #expect(docker.ran == [["stop", "web"], ["kill", "web"], ["rm", "-f", "web"]])
    }

    @Test("a kill that finds the container already ended is not a failure")
    func killOfEndedContainer() {
        let docker = FakeDocker()
        docker.answers["stop"] = DockerAnswer(status: .exited(1), error: "x\n")
        docker.answers["kill"] = DockerAnswer(status: .exited(1), error: "Error response from daemon: cannot kill container: web: container 0123 is not running\n")
        #expect(Teardown.run("web", remove: false, execute: docker.execute) == .stopped(removed: false))
    }

    @Test("an engine that does not answer is a failure with its message, and nothing is removed")
    func engineDown() {
        let docker = FakeDocker()
        let down = DockerAnswer(status: .exited(1), error: "Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?\n")
        docker.answers["stop"] = down
        docker.answers["kill"] = down
        #expect(Teardown.run("web", remove: true, execute: docker.execute)
            == .failed("Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?"))
        #expect(docker.ran == [["stop", "web"], ["kill", "web"]])
    }

    @Test("dockrun's labels come after the user's options, so a user's label of the same key cannot hide the run")
    func labelsAfterUserOptions() throws {
        guard case .run(let request) = try Invocation.parse(["--label", "io.dockrun.run=mine", "img", "true"]) else {
            Issue.record("not a run")
            return
        }
        let labels = RunLabels(run: "00000000000000ff", pid: 7, host: "h", started: "2026-11-29T00:00:00Z")
        #expect(DockerCommand.run(request, cidfile: "c", labels: labels).arguments == [
            "run", "--cidfile", "c", "--label", "io.dockrun.run=mine",
            "--label", "io.dockrun.run=00000000000000ff", "--label", "io.dockrun.pid=7", "--label", "io.dockrun.host=h",
            "--label", "io.dockrun.started=2026-11-29T00:00:00Z", "--sig-proxy=false", "img", "true",
        ])
        #expect(labels.filter == "label=io.dockrun.run=00000000000000ff")
    }
}
