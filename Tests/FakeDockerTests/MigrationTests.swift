import Foundation
import Testing
@testable import FakeDocker

/// The schema grows by named migrations appended to a list; `PRAGMA user_version` counts those applied.
@Suite("Schema migrations")
struct MigrationTests {
    /// Each migration records its name in a table the first one creates, so the table shows which ran, in
    /// what order; the second and third also depend on the first having run.
    static let steps = ["create the log", "log the second", "log the third"].enumerated().map { index, name in
        Migration(name: name, sql: index == 0 ? "CREATE TABLE applied (name TEXT NOT NULL);" : "INSERT INTO applied VALUES ('\(name)');")
    }

    func applied(_ path: String) throws -> (names: [String], version: Int64?) {
        let file = try Database(path: path)
        return (try file.rows("SELECT name FROM applied ORDER BY rowid") { $0.text("name") },
                try file.scalar("PRAGMA user_version")?.int)
    }

    @Test("Migrations are applied in the order listed, each once, the version counting them")
    func appliedInOrder() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.sqlite"
        _ = try StateStore(path: path, migrations: Array(Self.steps.prefix(2)))
        #expect(try applied(path) == (["log the second"], 2))
        // A newer fake-docker appends a migration: only that one runs on the old file.
        _ = try StateStore(path: path, migrations: Self.steps)
        #expect(try applied(path) == (["log the second", "log the third"], 3))
        _ = try StateStore(path: path, migrations: Self.steps)
        #expect(try applied(path) == (["log the second", "log the third"], 3))
    }

    @Test("A state file from before the one engine-down flag, its daemon down, comes back down until cleared")
    func daemonDownMigrated() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.sqlite"
        // Every migration before that one (later ones may follow it).
        let before = Schema.migrations.prefix { $0.name != "daemon_down folded into engine_down_until" }
        _ = try StateStore(path: path, migrations: Array(before))
        try Database(path: path).run("INSERT INTO settings (key, value) VALUES ('daemon_down', '1')", [])
        let store = try StateStore(path: path)
        #expect(try store.engineIsDown())
        #expect(try store.setting("daemon_down") == nil)
    }

    @Test("A failing migration is named in the error and leaves the file at the version before it")
    func failureNamesTheMigration() throws {
        let dir = try Simulator.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/s.sqlite"
        _ = try StateStore(path: path, migrations: Array(Self.steps.prefix(1)))
        let broken = Self.steps.prefix(2) + [Migration(name: "a broken one", sql: "INSERT INTO missing VALUES (1);")]
        #expect {
            _ = try StateStore(path: path, migrations: Array(broken))
        } throws: { error in
            (error as? StateFileError)?.message == "fake-docker: cannot use state file \(path): migration 3 (a broken one) failed: no such table: missing"
        }
        #expect(try applied(path) == ([], 1))
    }

    @Test("The shipped migrations each have a name of their own")
    func shippedNames() {
        let names = Schema.migrations.map(\.name)
        #expect(!names.contains(""))
        #expect(Set(names).count == names.count)
    }
}
