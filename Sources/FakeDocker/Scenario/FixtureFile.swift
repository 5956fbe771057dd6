import CSQLite
import Foundation
import ProcessSpawn

/// A scenario fixture on disk: one SQLite file (`FixtureSchema`), the one owner of its connection. It
/// is read from a private copy, so a fixture being shown or replayed is never written to — not by a
/// migration of an older schema (applied to the copy), not by a refusal of a damaged or foreign file.
enum FixtureFile {
    /// A file that cannot be used as a fixture, as one line for the user.
    struct Failure: Error {
        let message: String
    }

    static func read(_ path: String) throws(Failure) -> Scenario {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "fake-docker: cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return try withPrivateCopy(of: path, bytes) { db throws(Failure) in
            try checkHeader(db, path: path)
            do {
                try migrate(db)
                return try read(db)
            } catch {
                throw Failure(message: "fake-docker: \(path) is a damaged fixture: \(oneLine(error))")
            }
        }
    }

    /// Writes the fixture at `path`, replacing a fixture already there (never another kind of file) in
    /// one rename, so that a recording that fails leaves the old fixture as it was.
    static func write(_ scenario: Scenario, to path: String) throws(Failure) {
        if let existing = FileManager.default.contents(atPath: path), !existing.isEmpty {
            try withPrivateCopy(of: path, existing) { db throws(Failure) in try checkHeader(db, path: path) }
        }
        let partial = path + ".partial-\(getpid())"
        unlink(partial)
        do {
            do {
                let db = try Database(path: partial)
                // Small pages: a fixture is a dozen tables of a row or a few each, and it is committed.
                try db.execute("PRAGMA page_size=1024")
                try migrate(db)
                try db.transaction { try insert(scenario, into: db) }
            }
            guard rename(partial, path) == 0 else { throw Failure(message: "fake-docker: cannot write \(path): \(String(cString: strerror(errno)))") }
        } catch let failure as Failure {
            unlink(partial)
            throw failure
        } catch {
            unlink(partial)
            throw Failure(message: "fake-docker: cannot write \(path): \(oneLine(error))")
        }
    }

    // MARK: Opening

    private static func withPrivateCopy<T>(of path: String, _ bytes: Data, _ body: (Database) throws(Failure) -> T) throws(Failure) -> T {
        let directory = FileManager.default.temporaryDirectory.path + "/fake-docker-fixture-XXXXXX"
        var template = Array(directory.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw Failure(message: "fake-docker: cannot make a temporary directory: \(String(cString: strerror(errno)))")
        }
        let copyDirectory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: copyDirectory) }
        let copy = copyDirectory + "/fixture.sqlite"
        guard FileManager.default.createFile(atPath: copy, contents: bytes) else {
            throw Failure(message: "fake-docker: cannot copy \(path) to \(copy)")
        }
        let db: Database
        do {
            db = try Database(path: copy)
        } catch {
            throw Failure(message: "fake-docker: cannot open \(path): \(oneLine(error))")
        }
        return try body(db)
    }

    /// A fixture has our application ID and a schema this fake-docker knows; anything else is refused
    /// before a statement of ours runs on it.
    private static func checkHeader(_ db: Database, path: String) throws(Failure) {
        let appID: Int64, version: Int64
        do {
            appID = try db.scalar("PRAGMA application_id")?.int ?? 0
            version = try db.scalar("PRAGMA user_version")?.int ?? 0
        } catch {
            // A good header over a bad body reads as corrupt (SQLITE_CORRUPT); anything else as not SQLite.
            let damaged = ((error as? Database.Failure)?.code ?? 0) & 0xff == SQLITE_CORRUPT
            throw Failure(message: "fake-docker: \(path) \(damaged ? "is a damaged fixture" : "is not a scenario fixture"): \(oneLine(error))")
        }
        guard appID == FixtureSchema.applicationID else {
            throw Failure(message: "fake-docker: \(path) is not a scenario fixture")
        }
        guard version <= FixtureSchema.migrations.count else {
            throw Failure(message: "fake-docker: \(path) was written by a newer fake-docker (fixture schema \(version); this one reads up to \(FixtureSchema.migrations.count))")
        }
    }

    private static func migrate(_ db: Database) throws {
        try db.apply(FixtureSchema.migrations, applicationID: FixtureSchema.applicationID) { position, migration, error in
            Failure(message: "migration \(position) (\(migration.name)) failed: \(oneLine(error))")
        }
    }

    private static func oneLine(_ error: Error) -> String {
        let text = (error as? Failure)?.message ?? "\(error)"
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    // MARK: Reading

    private static func read(_ db: Database) throws -> Scenario {
        guard let recording = try db.firstRow("SELECT engine, client_version, server_version, recorded_at FROM recording", [], { row in
            Scenario.Recording(engine: row.text("engine"), clientVersion: row.text("client_version"),
                               serverVersion: row.text("server_version"), recordedAt: row.text("recorded_at"))
        }) else { throw Failure(message: "no recording row") }
        var world = Scenario.World()
        world.images = try db.rows("SELECT reference, rootfs_tar, changes FROM world_images ORDER BY seq") { row in
            Scenario.World.Image(reference: row.text("reference"), rootfsTar: row.isNull("rootfs_tar") ? nil : row.blob("rootfs_tar"),
                                 changes: try JSONCoding.decode([String].self, row.text("changes")))
        }
        world.containers = try db.rows("SELECT name, state, command FROM world_containers ORDER BY seq") { row in
            Scenario.World.Container(name: row.text("name"), state: row.text("state"), command: row.text("command"))
        }
        world.faults = try db.rows("SELECT arguments FROM world_faults ORDER BY seq") { row in
            try JSONCoding.decode([String].self, row.text("arguments"))
        }
        world.files = try db.rows("SELECT path, content FROM world_files ORDER BY path") { row in
            Scenario.World.File(path: row.text("path"), content: row.blob("content"))
        }
        guard var invocation = try db.firstRow("SELECT arguments, stdin FROM invocation", [], { row in
            Scenario.Invocation(arguments: try JSONCoding.decode([String].self, row.text("arguments")), stdin: row.blob("stdin"))
        }) else { throw Failure(message: "no invocation row") }
        invocation.environment = try db.rows("SELECT name, value FROM invocation_environment ORDER BY name") { row in
            (name: row.text("name"), value: row.text("value"))
        }
        invocation.events = try db.rows("SELECT trigger, delay_ms, action FROM events ORDER BY seq") { row in
            let text = row.text("trigger") + (row.int("delay_ms") > 0 ? "+\(row.int("delay_ms"))" : "") + ":" + row.text("action")
            do throws(ScenarioEvent.Unreadable) { return try ScenarioEvent(parsing: text) } catch { throw Failure(message: error.message) }
        }
        guard let (status, stdout, stderr, fired) = try db.firstRow("SELECT exit_code, signal, stdout, stderr, events_fired FROM outcome", [], { row in
            (row.isNull("signal") ? ExitStatus.exited(Int32(truncatingIfNeeded: row.int("exit_code")))
                                  : .signaled(Int32(truncatingIfNeeded: row.int("signal"))),
             row.blob("stdout"), row.blob("stderr"), Int(row.int("events_fired")))
        }) else { throw Failure(message: "no outcome row") }
        let outcome = Scenario.Outcome(
            status: status, eventsFired: fired, stdout: stdout, stderr: stderr,
            calls: try db.rows("SELECT arguments FROM outcome_calls ORDER BY seq") { try JSONCoding.decode([String].self, $0.text("arguments")) },
            containers: try db.rows("SELECT name, status, exit_code, image FROM outcome_containers ORDER BY seq") { row in
                Scenario.Outcome.Container(name: row.text("name"), status: row.text("status"),
                                           exitCode: Int32(truncatingIfNeeded: row.int("exit_code")), image: row.text("image"))
            },
            images: try db.rows("SELECT reference FROM outcome_images ORDER BY reference") { $0.text("reference") },
            files: try db.rows("SELECT path, content FROM outcome_files ORDER BY path") { row in
                Scenario.Outcome.File(path: row.text("path"), content: row.isNull("content") ? nil : row.text("content"))
            })
        return Scenario(recording: recording, world: world, invocation: invocation, outcome: outcome)
    }

    // MARK: Writing

    private static func insert(_ s: Scenario, into db: Database) throws {
        let r = s.recording
        try db.run("INSERT INTO recording (engine, client_version, server_version, recorded_at) VALUES (?, ?, ?, ?)",
                   [.text(r.engine), .text(r.clientVersion), .text(r.serverVersion), .text(r.recordedAt)])
        for image in s.world.images {
            try db.run("INSERT INTO world_images (reference, rootfs_tar, changes) VALUES (?, ?, ?)",
                       [.text(image.reference), image.rootfsTar.map { .blob($0) } ?? .null, .text(JSONCoding.encode(image.changes))])
        }
        for c in s.world.containers {
            try db.run("INSERT INTO world_containers (name, state, command) VALUES (?, ?, ?)", [.text(c.name), .text(c.state), .text(c.command)])
        }
        for fault in s.world.faults {
            try db.run("INSERT INTO world_faults (arguments) VALUES (?)", [.text(JSONCoding.encode(fault))])
        }
        for file in s.world.files {
            try db.run("INSERT INTO world_files (path, content) VALUES (?, ?)", [.text(file.path), .blob(file.content)])
        }
        let i = s.invocation
        try db.run("INSERT INTO invocation (arguments, stdin) VALUES (?, ?)", [.text(JSONCoding.encode(i.arguments)), .blob(i.stdin)])
        for variable in i.environment {
            try db.run("INSERT INTO invocation_environment (name, value) VALUES (?, ?)", [.text(variable.name), .text(variable.value)])
        }
        for event in i.events {
            try db.run("INSERT INTO events (trigger, delay_ms, action) VALUES (?, ?, ?)",
                       [.text(event.triggerText), .int(Int64(event.delayMS)), .text(event.actionText)])
        }
        let o = s.outcome
        let (code, signal): (Database.Value, Database.Value) = switch o.status {
        case .exited(let c): (.int(Int64(c)), .null)
        case .signaled(let n): (.null, .int(Int64(n)))
        }
        try db.run("INSERT INTO outcome (exit_code, signal, stdout, stderr, events_fired) VALUES (?, ?, ?, ?, ?)",
                   [code, signal, .blob(o.stdout), .blob(o.stderr), .int(Int64(o.eventsFired))])
        for call in o.calls {
            try db.run("INSERT INTO outcome_calls (arguments) VALUES (?)", [.text(JSONCoding.encode(call))])
        }
        for c in o.containers {
            try db.run("INSERT INTO outcome_containers (name, status, exit_code, image) VALUES (?, ?, ?, ?)",
                       [.text(c.name), .text(c.status), .int(Int64(c.exitCode)), .text(c.image)])
        }
        for reference in o.images { try db.run("INSERT INTO outcome_images (reference) VALUES (?)", [.text(reference)]) }
        for file in o.files {
            try db.run("INSERT INTO outcome_files (path, content) VALUES (?, ?)", [.text(file.path), file.content.map { .text($0) } ?? .null])
        }
    }
}
