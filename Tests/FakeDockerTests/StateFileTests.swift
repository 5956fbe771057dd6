import Foundation
import Testing
@testable import FakeDocker

@Suite("The state file")
struct StateFileTests {
    @Test("A new state file is created with mode 0600 and a recorded schema version")
    func createsPrivateFile() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: dir + "/nested/state.sqlite")
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Read through a connection of the test's own: the store keeps its connection to itself.
        let file = try Database(path: store.path)
        #expect(try file.scalar("PRAGMA user_version")?.int == Int64(Schema.migrations.count))
        #expect(try file.scalar("PRAGMA application_id")?.int == Schema.applicationID)
        #expect(try file.scalar("PRAGMA journal_mode")?.text == "wal")
    }

    @Test("Opening an existing state file again applies no migration twice")
    func reopens() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try StateStore(path: dir + "/s.sqlite").setSetting("k", "v")
        let again = try StateStore(path: dir + "/s.sqlite")
        #expect(try again.setting("k") == "v")
    }

    @Test("A file that is not a database is refused with exit 1 and left byte for byte as it was")
    func refusesGarbage() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        let garbage = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try garbage.write(to: URL(fileURLWithPath: sim.state))
        let r = try sim.run(["ps", "-a"])
        #expect(r.code == 1)
        #expect(r.err.hasPrefix("fake-docker: cannot use state file \(sim.state)"))
        #expect(r.err.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: sim.state)) == garbage)
    }

    @Test("Another application's SQLite database is refused and not modified")
    func refusesForeignDatabase() throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        let foreign = try Database(path: sim.state)
        try foreign.execute("CREATE TABLE notes(text TEXT); INSERT INTO notes VALUES ('keep me');")
        let before = try Data(contentsOf: URL(fileURLWithPath: sim.state))
        let r = try sim.run(["ps"])
        #expect(r.code == 1)
        #expect(r.err.contains("is not a fake-docker state file"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: sim.state)) == before)
        #expect(try foreign.scalar("SELECT text FROM notes")?.text == "keep me")
    }

    @Test("The default path follows FAKE_DOCKER_STATE, then XDG_STATE_HOME, then ~/.local/state")
    func defaultPath() {
        #expect(StateStore.defaultPath(environment: ["FAKE_DOCKER_STATE": "/x/s.db", "XDG_STATE_HOME": "/y"]) == "/x/s.db")
        #expect(StateStore.defaultPath(environment: ["XDG_STATE_HOME": "/y"]) == "/y/fake-docker/state.sqlite")
        #expect(StateStore.defaultPath(environment: ["HOME": "/home/u"]) == "/home/u/.local/state/fake-docker/state.sqlite")
    }

    @Test("Statements bind their arguments: a quote in a name is data, not SQL")
    func bindsArguments() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: dir + "/s.sqlite")
        try store.setSetting("x'); DROP TABLE containers; --", "v")
        #expect(try store.setting("x'); DROP TABLE containers; --") == "v")
        #expect(try store.containerSummaries().isEmpty)
    }

    @Test("Forty concurrent lifecycles against one state file all succeed, with no 'database is locked'")
    func concurrentClients() async throws {
        let sim = try Simulator()
        defer { sim.cleanUp() }
        try sim.importBusybox()
        let results = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for _ in 0..<40 {
                group.addTask { try sim.run(["run", "--rm", "dockrun-test/busybox", "true"]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 40)
        for r in results {
            #expect(r.code == 0, "\(r.err)")
            #expect(!r.err.contains("locked"))
        }
        #expect(try sim.run(["ps", "-aq"]).out.isEmpty)
    }
}
