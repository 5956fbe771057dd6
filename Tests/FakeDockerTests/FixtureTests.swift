@testable import FakeDocker
import Foundation
import Testing

/// State files written by earlier fake-docker versions, kept as fixtures: a newer fake-docker must take
/// them over through its append-only migrations and show what they hold as before.
@Suite("State-file fixtures")
struct FixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// A copy of the fixture as the simulator's state file (the fixture itself is never written).
    func simulator(from fixture: String) throws -> Simulator {
        let sim = try Simulator()
        try FileManager.default.copyItem(atPath: Self.fixtures + "/" + fixture, toPath: sim.state)
        return sim
    }

    @Test("A schema-1 state file (two containers, one image) is migrated and lists as it did")
    func schemaOne() throws {
        let sim = try simulator(from: "schema1-two-containers.sqlite")
        defer { sim.cleanUp() }
        let ps = try sim.run(["ps", "-a", "--format", "{{.Names}}|{{.Command}}|{{.Labels}}|{{.State}}"])
        #expect(ps.code == 0, "\(ps.err)")
        #expect(ps.out == "old-created|\"true\"||created\nold-exited|\"sh -c 'exit 3'\"|team=core,tier=web|exited\n")
        #expect(try sim.run(["ps", "-aq", "--filter", "label=team=core"]).out.count == 13)
        #expect(try sim.run(["inspect", "-f", "{{.State.ExitCode}} {{index .Config.Labels \"tier\"}}", "old-exited"]).out == "3 web\n")
        #expect(try sim.run(["inspect", "-f", "{{.Config.Env}}", "old-created"]).out.contains("GREETING=hello"))
        #expect(try sim.run(["images", "--format", "{{.Repository}}:{{.Tag}}"]).out == "dockrun-test/busybox:latest\n")
        let db = try Database(path: sim.state)
        #expect(try db.scalar("PRAGMA user_version")?.int == Int64(Schema.migrations.count))
        #expect(try sim.run(["rm", "old-exited"]).out == "old-exited\n")
        #expect(try sim.run(["ps", "-a", "--format", "{{.Names}}"]).out == "old-created\n")
    }
}
