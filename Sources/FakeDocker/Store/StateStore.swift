import Foundation

/// fake-docker's state: one SQLite file plus a data directory beside it (`<file>.data/`) holding each
/// container's root filesystem and log, and each image's files.
///
/// The one owner of the connection: every statement is a method here, so what the state file holds
/// and how it changes can be read in this file alone. A read-modify-write whose decision belongs to a
/// command (a free name, an image nobody uses) runs its reads and writes inside `transaction`.
public final class StateStore {
    private let db: Database
    public let path: String
    public let dataDirectory: String

    /// `FAKE_DOCKER_STATE`, else `$XDG_STATE_HOME/fake-docker/state.sqlite`, else
    /// `~/.local/state/fake-docker/state.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let p = environment["FAKE_DOCKER_STATE"], !p.isEmpty { return p }
        if let x = environment["XDG_STATE_HOME"], !x.isEmpty { return x + "/fake-docker/state.sqlite" }
        // Not NSHomeDirectory(): its getpwuid may load an NSS module, which crashes a static executable (ContainerUser).
        let home = environment["HOME"] ?? ContainerUser.home(uid: getuid(), passwd: HostProcess.readFile("/etc/passwd"))
        return home + "/.local/state/fake-docker/state.sqlite"
    }

    public convenience init(path: String) throws(StateFileError) {
        try self.init(path: path, migrations: Schema.migrations)
    }

    /// Opens the state file and brings it to the schema `migrations` describe (tests pass their own).
    init(path: String, migrations: [Migration]) throws(StateFileError) {
        self.path = path
        self.dataDirectory = path + ".data"
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        do {
            db = try Database(path: path)
            try migrate(migrations)
        } catch let failure as Database.Failure {
            throw StateFileError(message: "fake-docker: cannot use state file \(path): \(failure.message)")
        } catch let error as StateFileError {
            throw error
        } catch {
            throw StateFileError(message: "fake-docker: cannot use state file \(path): \(error)")
        }
    }

    private func migrate(_ migrations: [Migration]) throws {
        // Reading the header first: a file that is not SQLite fails here, before anything is written.
        let appID = try db.scalar("PRAGMA application_id")?.int ?? 0
        let version = try db.scalar("PRAGMA user_version")?.int ?? 0
        let tableCount = try db.scalar("SELECT count(*) FROM sqlite_master")?.int ?? 0
        if appID != Schema.applicationID && (tableCount > 0 || version > 0) {
            throw StateFileError(message: "fake-docker: \(path) is not a fake-docker state file (refusing to touch it)")
        }
        if version > migrations.count {
            throw StateFileError(message: "fake-docker: \(path) was written by a newer fake-docker (schema \(version))")
        }
        if try db.scalar("PRAGMA journal_mode")?.text != "wal" { try db.execute("PRAGMA journal_mode=WAL") }
        // NORMAL is durable across process kills in WAL mode (only a power loss can drop the last commits).
        try db.execute("PRAGMA synchronous=NORMAL")
        if version < migrations.count {
            try db.apply(migrations, applicationID: Schema.applicationID) { position, migration, error in
                StateFileError(message: "fake-docker: cannot use state file \(path): migration \(position) (\(migration.name)) failed: \(error)")
            }
        }
    }

    /// Runs `body`, a read-modify-write made of this store's methods, as one transaction that holds
    /// the write lock from its first read (`BEGIN IMMEDIATE`): what it read is still true when it writes.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try db.transaction(body)
    }

    // MARK: Paths

    public func containerDirectory(_ id: String) -> String { dataDirectory + "/containers/" + id }
    public func rootfs(ofContainer id: String) -> String { containerDirectory(id) + "/rootfs" }
    public func logPath(ofContainer id: String) -> String { containerDirectory(id) + "/log" }
    public func imageDirectory(_ id: String) -> String { dataDirectory + "/images/" + id }
    public func rootfs(ofImage id: String) -> String { imageDirectory(id) + "/rootfs" }

    // MARK: Containers

    static let containerColumns = """
        id, name, image_id, image_ref, config, status, exit_code, error, pid, pid_start, shim_pid, shim_start,
        pid_namespace, created_at, started_at, finished_at, health, health_streak, health_log, seq, oom_killed
        """

    private func container(from row: Database.Row) throws -> Container {
        Container(
            id: row.text("id"), name: row.text("name"), imageID: row.text("image_id"), imageRef: row.text("image_ref"),
            config: try JSONCoding.decode(ContainerConfig.self, row.text("config")),
            status: ContainerStatus(rawValue: row.text("status")) ?? .dead,
            exitCode: Int32(truncatingIfNeeded: row.int("exit_code")), error: row.text("error"),
            pid: Int32(truncatingIfNeeded: row.int("pid")), pidStart: row.int("pid_start"),
            shimPID: Int32(truncatingIfNeeded: row.int("shim_pid")), shimStart: row.int("shim_start"),
            pidNamespace: row.int("pid_namespace") != 0, createdAt: row.double("created_at"),
            startedAt: row.optionalDouble("started_at"), finishedAt: row.optionalDouble("finished_at"),
            health: row.text("health"), healthStreak: Int(row.int("health_streak")),
            healthLog: row.text("health_log"), seq: row.int("seq"), oomKilled: row.int("oom_killed") != 0)
    }

    /// What `ps` shows of every container, newest first, from the columns kept for it (schema 2)
    /// rather than by decoding each configuration: `ps -a` over ten thousand containers in milliseconds.
    public func containerSummaries() throws -> [ContainerSummary] {
        try db.rows("""
            SELECT id, name, image_id, image_ref, command, created_at, status, exit_code, started_at, finished_at,
                   health, labels, network, shim_pid, shim_start
            FROM containers ORDER BY seq DESC
            """) { row in
            ContainerSummary(
                id: row.text("id"), name: row.text("name"), imageID: row.text("image_id"),
                imageRef: row.text("image_ref"), command: row.text("command"), createdAt: row.double("created_at"),
                status: ContainerStatus(rawValue: row.text("status")) ?? .dead,
                exitCode: Int32(truncatingIfNeeded: row.int("exit_code")), startedAt: row.optionalDouble("started_at"),
                finishedAt: row.optionalDouble("finished_at"), health: row.text("health"),
                labelsJSON: row.text("labels"), networkMode: row.text("network"),
                shimPID: Int32(truncatingIfNeeded: row.int("shim_pid")), shimStart: row.int("shim_start"))
        }
    }

    /// The command as the engine lists it: the path and the arguments, an argument with a space wrapped in
    /// single quotes (and nothing escaped), as moby's container list does. Schema 4 computes the same in SQL.
    static func listedCommand(path: String, args: [String]) -> String {
        ([path] + args.map { $0.contains(" ") ? "'\($0)'" : $0 }).joined(separator: " ")
    }

    public func container(id: String) throws -> Container? {
        try db.firstRow("SELECT \(Self.containerColumns) FROM containers WHERE id = ?", [.text(id)], container(from:))
    }

    /// docker's lookup order: full ID, then exact name (with or without the leading '/'), then a
    /// unique ID prefix.
    public func findContainer(_ reference: String) throws(DockerError) -> Container {
        do {
            if let c = try container(id: reference) { return c }
            let name = reference.hasPrefix("/") ? String(reference.dropFirst()) : reference
            if let c = try db.firstRow("SELECT \(Self.containerColumns) FROM containers WHERE name = ?", [.text(name)], container(from:)) {
                return c
            }
            if !reference.isEmpty, reference.allSatisfy({ $0.isHexDigit }) {
                let matches = try db.rows("SELECT \(Self.containerColumns) FROM containers WHERE id >= ? AND id < ? LIMIT 2",
                                          [.text(reference.lowercased()), .text(reference.lowercased() + "g")], container(from:))
                if matches.count > 1 { throw DockerError.daemon("Multiple IDs found with provided prefix: \(reference)") }
                if let c = matches.first { return c }
            }
        } catch let e as DockerError {
            throw e
        } catch {
            throw DockerError.daemon("\(error)")
        }
        throw DockerError.noSuchContainer(reference)
    }

    public func insert(_ c: Container) throws {
        let command = Self.listedCommand(path: c.config.path, args: c.config.args)
        try db.run("""
            INSERT INTO containers (\(Self.containerColumns), command, labels, network)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM containers), ?, ?, ?, ?)
            """, [.text(c.id), .text(c.name), .text(c.imageID), .text(c.imageRef), .text(JSONCoding.encode(c.config)),
                  .text(c.status.rawValue), .int(Int64(c.exitCode)), .text(c.error), .int(Int64(c.pid)),
                  .int(c.pidStart), .int(Int64(c.shimPID)), .int(c.shimStart), .int(c.pidNamespace ? 1 : 0),
                  .double(c.createdAt), c.startedAt.map { .double($0) } ?? .null,
                  c.finishedAt.map { .double($0) } ?? .null, .text(c.health), .int(Int64(c.healthStreak)),
                  .text(c.healthLog), .int(c.oomKilled ? 1 : 0), .text(command), .text(JSONCoding.encode(c.config.labels)),
                  .text(c.config.networkMode)])
    }

    /// Writes the mutable runtime fields of `c`.
    public func updateState(_ c: Container) throws {
        try db.run("""
            UPDATE containers SET status = ?, exit_code = ?, error = ?, pid = ?, pid_start = ?, shim_pid = ?,
              shim_start = ?, pid_namespace = ?, started_at = ?, finished_at = ?, health = ?, health_streak = ?,
              health_log = ?, oom_killed = ?
            WHERE id = ?
            """, [.text(c.status.rawValue), .int(Int64(c.exitCode)), .text(c.error), .int(Int64(c.pid)),
                  .int(c.pidStart), .int(Int64(c.shimPID)), .int(c.shimStart), .int(c.pidNamespace ? 1 : 0),
                  c.startedAt.map { .double($0) } ?? .null, c.finishedAt.map { .double($0) } ?? .null,
                  .text(c.health), .int(Int64(c.healthStreak)), .text(c.healthLog), .int(c.oomKilled ? 1 : 0), .text(c.id)])
    }

    /// Writes `c`'s configuration, changed by a start that takes another container's names (`--network container:`).
    public func updateConfig(_ c: Container) throws {
        try db.run("UPDATE containers SET config = ? WHERE id = ?", [.text(JSONCoding.encode(c.config)), .text(c.id)])
    }

    /// `.RestartCount`, kept apart from `updateState`: only the shim's restart policy changes it.
    public func restartCount(ofContainer id: String) throws -> Int {
        Int(try db.firstRow("SELECT restart_count FROM containers WHERE id = ?", [.text(id)]) { $0.int("restart_count") } ?? 0)
    }

    public func setRestartCount(_ count: Int, ofContainer id: String) throws {
        try db.run("UPDATE containers SET restart_count = ? WHERE id = ?", [.int(Int64(count)), .text(id)])
    }

    public func nameInUse(_ name: String) throws -> String? {
        try db.firstRow("SELECT id FROM containers WHERE name = ?", [.text(name)]) { $0.text("id") }
    }

    /// The containers created from the image, as `rmi` weighs them: which, and whether each runs.
    public func containerUsers(ofImage imageID: String) throws -> [(id: String, running: Bool)] {
        try db.rows("SELECT id, status FROM containers WHERE image_id = ? ORDER BY seq", [.text(imageID)]) { row in
            (id: row.text("id"), running: ContainerStatus(rawValue: row.text("status")) == .running)
        }
    }

    /// Deletes the row and keeps the exit code for a `wait` that saw the container running.
    public func deleteContainer(_ c: Container) throws {
        try db.transaction {
            try db.run("DELETE FROM containers WHERE id = ?", [.text(c.id)])
            try db.run("INSERT OR REPLACE INTO removed_exits (id, exit_code, removed_at) VALUES (?, ?, ?)",
                       [.text(c.id), .int(Int64(c.exitCode)), .double(now())])
        }
    }

    public func removedExitCode(_ id: String) throws -> Int32? {
        try db.firstRow("SELECT exit_code FROM removed_exits WHERE id = ?", [.text(id)]) {
            Int32(truncatingIfNeeded: $0.int("exit_code"))
        }
    }

    // MARK: Images

    public func allImages() throws -> [Image] {
        var tags: [String: [String]] = [:]
        for (reference, imageID) in try db.rows("SELECT reference, image_id FROM tags ORDER BY reference", [], { row in
            (row.text("reference"), row.text("image_id"))
        }) {
            tags[imageID, default: []].append(reference)
        }
        return try db.rows("SELECT id, config, created_at, parent, comment, size FROM images ORDER BY created_at DESC") { row in
            Image(id: row.text("id"), config: try JSONCoding.decode(ImageConfig.self, row.text("config")),
                  createdAt: row.double("created_at"), parent: row.text("parent"), comment: row.text("comment"),
                  size: row.int("size"), repoTags: tags[row.text("id")] ?? [])
        }
    }

    /// Resolves `name[:tag]`, a full or short image ID (with or without `sha256:`).
    public func findImage(_ reference: String) throws -> Image? {
        var ref = reference
        if ref.hasPrefix("sha256:") { ref.removeFirst(7) }
        let images = try allImages()
        if let byID = images.first(where: { $0.id == ref }) { return byID }
        let tagged = Self.normalizedTag(reference)
        if let t = try db.firstRow("SELECT image_id FROM tags WHERE reference = ?", [.text(tagged)], { $0.text("image_id") }) {
            return images.first { $0.id == t }
        }
        if ref.count >= 1, ref.allSatisfy(\.isHexDigit) {
            let matches = images.filter { $0.id.hasPrefix(ref.lowercased()) }
            if matches.count == 1 { return matches[0] }
        }
        return nil
    }

    public func imageExists(id: String) throws -> Bool {
        try db.firstRow("SELECT 1 AS found FROM images WHERE id = ?", [.text(id)]) { _ in true } ?? false
    }

    /// "busybox" → "busybox:latest"; "localhost:5000/a" → "localhost:5000/a:latest".
    public static func normalizedTag(_ reference: String) -> String {
        let lastSlash = reference.lastIndex(of: "/")
        let tail = lastSlash.map { reference[reference.index(after: $0)...] } ?? reference[...]
        return tail.contains(":") ? reference : reference + ":latest"
    }

    public func insert(_ image: Image) throws {
        try db.run("INSERT INTO images (id, config, created_at, parent, comment, size) VALUES (?, ?, ?, ?, ?, ?)",
                   [.text(image.id), .text(JSONCoding.encode(image.config)), .double(image.createdAt),
                    .text(image.parent), .text(image.comment), .int(image.size)])
    }

    public func tag(_ reference: String, imageID: String) throws {
        try db.run("INSERT OR REPLACE INTO tags (reference, image_id) VALUES (?, ?)", [.text(reference), .text(imageID)])
    }

    public func untag(_ reference: String) throws {
        try db.run("DELETE FROM tags WHERE reference = ?", [.text(reference)])
    }

    /// Deletes the image's record and every tag that names it (its files are the caller's to remove).
    public func deleteImage(_ image: Image) throws {
        try db.transaction {
            for reference in image.repoTags { try untag(reference) }
            try db.run("DELETE FROM images WHERE id = ?", [.text(image.id)])
        }
    }

    // MARK: Volumes

    public func volumeDirectory(_ name: String) -> String { dataDirectory + "/volumes/" + name }
    /// A volume's files (its `Mountpoint`), as the local driver keeps them.
    public func volumeData(_ name: String) -> String { volumeDirectory(name) + "/_data" }

    private func volume(from row: Database.Row) throws -> Volume {
        Volume(name: row.text("name"), driver: row.text("driver"),
               labels: try JSONCoding.decode([String: String].self, row.text("labels")),
               options: try JSONCoding.decode([String: String].self, row.text("options")), createdAt: row.double("created_at"))
    }

    /// Every volume, by name.
    public func volumes() throws -> [Volume] {
        try db.rows("SELECT name, driver, labels, options, created_at FROM volumes ORDER BY name", [], volume(from:))
    }

    public func volume(named name: String) throws -> Volume? {
        try db.firstRow("SELECT name, driver, labels, options, created_at FROM volumes WHERE name = ?", [.text(name)],
                        volume(from:))
    }

    /// Records `v` unless a volume of its name exists (that one is kept, as the engine keeps it); whether it was new.
    @discardableResult
    public func insertVolume(_ v: Volume) throws -> Bool {
        try db.run("INSERT OR IGNORE INTO volumes (name, driver, labels, options, created_at) VALUES (?, ?, ?, ?, ?)",
                   [.text(v.name), .text(v.driver), .text(JSONCoding.encode(v.labels)), .text(JSONCoding.encode(v.options)),
                    .double(v.createdAt)])
        return try db.scalar("SELECT changes()")?.int == 1
    }

    /// Deletes the volume's record (its files are the caller's to remove).
    public func deleteVolume(_ name: String) throws {
        try db.run("DELETE FROM volumes WHERE name = ?", [.text(name)])
    }

    /// The containers that mount the volume, oldest first (what makes it "in use").
    public func volumeUsers(_ name: String) throws -> [String] {
        try db.rows("""
            SELECT DISTINCT c.id FROM containers c, json_each(c.config, '$.bindMounts') m
            WHERE json_extract(m.value, '$.volumeName') = ? ORDER BY c.seq
            """, [.text(name)]) { $0.text("id") }
    }

    // MARK: Settings

    public func setting(_ key: String) throws -> String? {
        try db.firstRow("SELECT value FROM settings WHERE key = ?", [.text(key)]) { $0.text("value") }
    }

    public func setSetting(_ key: String, _ value: String?) throws {
        if let value {
            try db.run("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [.text(key), .text(value)])
        } else {
            try db.run("DELETE FROM settings WHERE key = ?", [.text(key)])
        }
    }

    // MARK: The engine's availability

    /// The one engine-down flag: until when (Unix time) the engine does not answer. `script --daemon-down`
    /// sets it to infinity (down until `script --clear`), `script --restart` to the end of its window.
    static let engineDownSetting = "engine_down_until"

    /// Until when the engine is down, or nil when nothing took it down.
    public func engineDownUntil() throws -> Double? {
        try setting(Self.engineDownSetting).flatMap(Double.init)
    }

    /// Takes the engine down until `until` (Unix time; infinity: until cleared), or brings it back (nil).
    public func setEngineDown(until: Double?) throws {
        try setSetting(Self.engineDownSetting, until.map { String($0) })
    }

    /// Whether the engine does not answer now.
    public func engineIsDown() throws -> Bool {
        try engineDownUntil().map { now() < $0 } ?? false
    }

    // MARK: Scripted faults

    /// Arms `fault` for the next `times` invocations of `command`, after those already armed for it.
    func arm(_ fault: ScriptedFaults.Fault, for command: String, times: Int) throws {
        try db.run("INSERT INTO scripts (command, delay, exit_code, stdout, stderr, remaining) VALUES (?, ?, ?, ?, ?, ?)",
                   [.text(command), .double(fault.delay), fault.exitCode.map { .int(Int64($0)) } ?? .null,
                    .text(fault.stdout), .text(fault.stderr), .int(Int64(times))])
    }

    /// Every fault with invocations left, in the order armed.
    func armedFaults() throws -> [ScriptedFaults.Armed] {
        try db.rows("SELECT command, delay, exit_code, stdout, stderr, remaining FROM scripts WHERE remaining > 0 ORDER BY seq") { row in
            ScriptedFaults.Armed(command: row.text("command"), fault: fault(from: row), remaining: Int(row.int("remaining")))
        }
    }

    /// Takes one invocation from the oldest fault armed for `command`.
    func consumeFault(for command: String) throws -> ScriptedFaults.Fault? {
        // A cheap read first: most invocations have nothing armed and should not take the write lock.
        guard try db.firstRow("SELECT 1 AS armed FROM scripts WHERE command = ? AND remaining > 0 LIMIT 1",
                              [.text(command)], { _ in true }) != nil else { return nil }
        return try db.transaction {
            guard let (seq, fault) = try db.firstRow(
                "SELECT seq, delay, exit_code, stdout, stderr FROM scripts WHERE command = ? AND remaining > 0 ORDER BY seq LIMIT 1",
                [.text(command)], { row in (row.int("seq"), fault(from: row)) }) else { return nil }
            try db.run("UPDATE scripts SET remaining = remaining - 1 WHERE seq = ?", [.int(seq)])
            return fault
        }
    }

    private func fault(from row: Database.Row) -> ScriptedFaults.Fault {
        ScriptedFaults.Fault(delay: row.double("delay"), exitCode: row.optionalInt("exit_code").map { Int32(truncatingIfNeeded: $0) },
                             stdout: row.text("stdout"), stderr: row.text("stderr"))
    }

    /// Disarms every fault, the engine being down (for ever or for a restart's window) included.
    func clearFaults() throws {
        try db.transaction {
            try db.run("DELETE FROM scripts")
            try setEngineDown(until: nil)
        }
    }

    // MARK: Call log

    /// Records an invocation as it begins; its exit code stays unknown until `endCall`.
    func beginCall(argv: [String]) throws -> Int64 {
        try db.run("INSERT INTO calls (pid, argv, started_at) VALUES (?, ?, ?)",
                   [.int(Int64(getpid())), .text(JSONCoding.encode(argv)), .double(now())])
        return db.lastInsertRowID
    }

    func endCall(_ seq: Int64, exitCode: Int32) throws {
        try db.run("UPDATE calls SET ended_at = ?, exit_code = ? WHERE seq = ?",
                   [.double(now()), .int(Int64(exitCode)), .int(seq)])
    }

    /// Every logged invocation, oldest first.
    func calls() throws -> [CallLog.Call] {
        try db.rows("SELECT exit_code, argv FROM calls ORDER BY seq") { row in
            CallLog.Call(argv: (try? JSONCoding.decode([String].self, row.text("argv"))) ?? [],
                         exitCode: row.optionalInt("exit_code").map { Int32(truncatingIfNeeded: $0) })
        }
    }

    func clearCalls() throws {
        try db.run("DELETE FROM calls")
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
