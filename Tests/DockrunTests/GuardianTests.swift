import ProcessSpawn
import Testing
@testable import Dockrun

private let id = ContainerID(cidfileContents: String(repeating: "0123456789abcdef", count: 4))!

@Suite("Guardian briefing")
struct GuardianTests {
    @Test("every record survives the wire, and a partial record waits for the rest")
    func wireRoundTrip() {
        let records: [GuardianBriefing.Record] = [
            .docker("/opt/docker cli"), .engineWait(milliseconds: 60_000), .remove, .filter("label=io.dockrun.run=00ff"), .directory("/tmp/dockrun-x"),
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
        let bytes = Array("future=1\0client=x\0container=abc\0engine-wait=soon\0remove=\0".utf8)
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
            "--label", "io.dockrun.started=2026-11-29T00:00:00Z", "--label", "io.dockrun.remove=false",
            "--sig-proxy=false", "img", "true",
        ])
        #expect(labels.filter == "label=io.dockrun.run=00000000000000ff")
    }
}
