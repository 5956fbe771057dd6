import DockerSyntax
import Foundation
import Testing
@testable import FakeDocker

@Suite("fake-docker logs")
struct LogsCommandTests {
    @Test("A log written before entries had timestamps shows them at the container's creation, before new ones")
    func formatOneLog() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let run = try sim.run(["run", "--name", "old", "dockrun-test/busybox", "echo", "new"])
        #expect(run.code == 0)
        let id = try sim.run(["inspect", "-f", "{{.Id}}", "old"]).out.trimmingCharacters(in: .newlines)
        let created = try sim.run(["inspect", "-f", "{{.Created}}", "old"]).out.trimmingCharacters(in: .newlines)
        // What an older fake-docker wrote: format-1 records, before the one this run appended.
        let path = try StateStore(path: sim.state).logPath(ofContainer: id)
        let current = try Data(contentsOf: URL(fileURLWithPath: path))
        let old: [UInt8] = [1, 6, 0, 0, 0] + Array("o1\no2\n".utf8) + [2, 3, 0, 0, 0] + Array("e1\n".utf8)
        try (Data(old) + current).write(to: URL(fileURLWithPath: path))

        let all = try sim.run(["logs", "old"])
        #expect(all.out == "o1\no2\nnew\n" && all.err == "e1\n", "\(all)")
        // Stamped with .Created (which inspect prints from the same seconds, to within a Double's precision).
        let stamped = try sim.run(["logs", "-t", "old"]).out.split(separator: "\n")
        #expect(stamped.count == 3)
        let createdStamp = String(stamped[0].prefix(30))
        #expect(stamped[1].hasPrefix(createdStamp + " o2"))
        let now = LogTime.now()
        let difference = try LogTimeArgument.parse(createdStamp, now: now).nanoseconds - LogTimeArgument.parse(created, now: now).nanoseconds
        #expect(abs(difference) < 1000, "\(createdStamp) vs \(created)")
        #expect(try sim.run(["logs", "--since", String(stamped[2].prefix(30)), "old"]).out == "new\n")
        #expect(try sim.run(["logs", "--tail", "2", "old"]).out == "new\n")
        #expect(try sim.run(["logs", "--until", createdStamp, "old"]).out == "o1\no2\n")
    }
}
