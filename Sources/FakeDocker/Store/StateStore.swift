import Foundation

/// fake-docker's state: one SQLite file plus a data directory beside it (`<file>.data/`) holding each
/// container's root filesystem and log, and each image's files.
public final class StateStore {
    public let db: Database
    public let path: String
    public let dataDirectory: String

    /// `FAKE_DOCKER_STATE`, else `$XDG_STATE_HOME/fake-docker/state.sqlite`, else
    /// `~/.local/state/fake-docker/state.sqlite`.
    public static func defaultPath(environment: [String: String]) -> String {
        if let p = environment["FAKE_DOCKER_STATE"], !p.isEmpty { return p }
        if let x = environment["XDG_STATE_HOME"], !x.isEmpty { return x + "/fake-docker/state.sqlite" }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/fake-docker/state.sqlite"
    }

    public init(path: String) throws(StateFileError) {
        self.path = path
        self.dataDirectory = path + ".data"
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty { try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700]) }
        do {
            db = try Database(path: path)
            try migrate()
        } catch let failure as Database.Failure {
            throw StateFileError(message: "fake-docker: cannot use state file \(path): \(failure.message)")
        } catch let error as StateFileError {
            throw error
        } catch {
            throw StateFileError(message: "fake-docker: cannot use state file \(path): \(error)")
        }
    }

    private func migrate() throws {
        // Reading the header first: a file that is not SQLite fails here, before anything is written.
        let appID = try db.query("PRAGMA application_id").first?.first?.int ?? 0
        let version = try db.query("PRAGMA user_version").first?.first?.int ?? 0
        let tableCount = try db.query("SELECT count(*) FROM sqlite_master").first?.first?.int ?? 0
        if appID != Schema.applicationID && (tableCount > 0 || version > 0) {
            throw StateFileError(message: "fake-docker: \(path) is not a fake-docker state file (refusing to touch it)")
        }
        if version > Schema.migrations.count {
            throw StateFileError(message: "fake-docker: \(path) was written by a newer fake-docker (schema \(version))")
        }
        if try db.query("PRAGMA journal_mode").first?.first?.text != "wal" { try db.execute("PRAGMA journal_mode=WAL") }
        // NORMAL is durable across process kills in WAL mode (only a power loss can drop the last commits).
        try db.execute("PRAGMA synchronous=NORMAL")
        if version < Schema.migrations.count {
            try db.transaction {
                let current = try db.query("PRAGMA user_version").first?.first?.int ?? 0
                for index in Int(current)..<Schema.migrations.count {
                    try db.execute(Schema.migrations[index])
                }
                try db.execute("PRAGMA application_id=\(Schema.applicationID)")
                try db.execute("PRAGMA user_version=\(Schema.migrations.count)")
            }
        }
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
        pid_namespace, created_at, started_at, finished_at, health, health_streak, health_log, seq
        """

    func container(from row: [Database.Value]) throws -> Container {
        Container(
            id: row[0].text, name: row[1].text, imageID: row[2].text, imageRef: row[3].text,
            config: try JSONCoding.decode(ContainerConfig.self, row[4].text),
            status: ContainerStatus(rawValue: row[5].text) ?? .dead,
            exitCode: Int32(truncatingIfNeeded: row[6].int), error: row[7].text,
            pid: Int32(truncatingIfNeeded: row[8].int), pidStart: row[9].int,
            shimPID: Int32(truncatingIfNeeded: row[10].int), shimStart: row[11].int,
            pidNamespace: row[12].int != 0, createdAt: row[13].double, startedAt: row[14].optionalDouble,
            finishedAt: row[15].optionalDouble, health: row[16].text, healthStreak: Int(row[17].int),
            healthLog: row[18].text, seq: row[19].int)
    }

    /// What `ps` shows of every container, newest first, from the columns kept for it (schema 2)
    /// rather than by decoding each configuration: `ps -a` over ten thousand containers in milliseconds.
    public func containerSummaries() throws -> [ContainerSummary] {
        try db.map("""
            SELECT id, name, image_id, image_ref, command, created_at, status, exit_code, started_at, finished_at,
                   health, labels, network, shim_pid, shim_start
            FROM containers ORDER BY seq DESC
            """) { row in
            ContainerSummary(
                id: row.text(0), name: row.text(1), imageID: row.text(2), imageRef: row.text(3), command: row.text(4),
                createdAt: row.double(5), status: ContainerStatus(rawValue: row.text(6)) ?? .dead,
                exitCode: Int32(truncatingIfNeeded: row.int(7)), startedAt: row.optionalDouble(8),
                finishedAt: row.optionalDouble(9), health: row.text(10), labelsJSON: row.text(11),
                networkMode: row.text(12), shimPID: Int32(truncatingIfNeeded: row.int(13)), shimStart: row.int(14))
        }
    }

    /// The command as the engine lists it: the path and the arguments, an argument with a space wrapped in
    /// single quotes (and nothing escaped), as moby's container list does. Schema 4 computes the same in SQL.
    static func listedCommand(path: String, args: [String]) -> String {
        ([path] + args.map { $0.contains(" ") ? "'\($0)'" : $0 }).joined(separator: " ")
    }

    public func container(id: String) throws -> Container? {
        try db.query("SELECT \(Self.containerColumns) FROM containers WHERE id = ?", [.text(id)]).first.map(container(from:))
    }

    /// docker's lookup order: full ID, then exact name (with or without the leading '/'), then a
    /// unique ID prefix.
    public func findContainer(_ reference: String) throws(DockerError) -> Container {
        do {
            if let c = try container(id: reference) { return c }
            let name = reference.hasPrefix("/") ? String(reference.dropFirst()) : reference
            if let row = try db.query("SELECT \(Self.containerColumns) FROM containers WHERE name = ?", [.text(name)]).first {
                return try container(from: row)
            }
            if !reference.isEmpty, reference.allSatisfy({ $0.isHexDigit }) {
                let rows = try db.query("SELECT \(Self.containerColumns) FROM containers WHERE id >= ? AND id < ? LIMIT 2",
                                        [.text(reference.lowercased()), .text(reference.lowercased() + "g")])
                if rows.count > 1 { throw DockerError.daemon("Multiple IDs found with provided prefix: \(reference)") }
                if let row = rows.first { return try container(from: row) }
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
        try db.query("""
            INSERT INTO containers (\(Self.containerColumns), command, labels, network)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM containers), ?, ?, ?)
            """, [.text(c.id), .text(c.name), .text(c.imageID), .text(c.imageRef), .text(JSONCoding.encode(c.config)),
                  .text(c.status.rawValue), .int(Int64(c.exitCode)), .text(c.error), .int(Int64(c.pid)),
                  .int(c.pidStart), .int(Int64(c.shimPID)), .int(c.shimStart), .int(c.pidNamespace ? 1 : 0),
                  .double(c.createdAt), c.startedAt.map { .double($0) } ?? .null,
                  c.finishedAt.map { .double($0) } ?? .null, .text(c.health), .int(Int64(c.healthStreak)),
                  .text(c.healthLog), .text(command), .text(JSONCoding.encode(c.config.labels)), .text(c.config.networkMode)])
    }

    /// Writes the mutable runtime fields of `c`.
    public func updateState(_ c: Container) throws {
        try db.query("""
            UPDATE containers SET status = ?, exit_code = ?, error = ?, pid = ?, pid_start = ?, shim_pid = ?,
              shim_start = ?, pid_namespace = ?, started_at = ?, finished_at = ?, health = ?, health_streak = ?,
              health_log = ?
            WHERE id = ?
            """, [.text(c.status.rawValue), .int(Int64(c.exitCode)), .text(c.error), .int(Int64(c.pid)),
                  .int(c.pidStart), .int(Int64(c.shimPID)), .int(c.shimStart), .int(c.pidNamespace ? 1 : 0),
                  c.startedAt.map { .double($0) } ?? .null, c.finishedAt.map { .double($0) } ?? .null,
                  .text(c.health), .int(Int64(c.healthStreak)), .text(c.healthLog), .text(c.id)])
    }

    public func nameInUse(_ name: String) throws -> String? {
        try db.query("SELECT id FROM containers WHERE name = ?", [.text(name)]).first?.first?.text
    }

    /// Deletes the row and keeps the exit code for a `wait` that saw the container running.
    public func deleteContainer(_ c: Container) throws {
        try db.query("DELETE FROM containers WHERE id = ?", [.text(c.id)])
        try db.query("INSERT OR REPLACE INTO removed_exits (id, exit_code, removed_at) VALUES (?, ?, ?)",
                     [.text(c.id), .int(Int64(c.exitCode)), .double(now())])
    }

    public func removedExitCode(_ id: String) throws -> Int32? {
        try db.query("SELECT exit_code FROM removed_exits WHERE id = ?", [.text(id)]).first.map { Int32($0[0].int) }
    }

    // MARK: Images

    public func allImages() throws -> [Image] {
        let tagRows = try db.query("SELECT reference, image_id FROM tags ORDER BY reference")
        var tags: [String: [String]] = [:]
        for row in tagRows { tags[row[1].text, default: []].append(row[0].text) }
        return try db.query("SELECT id, config, created_at, parent, comment, size FROM images ORDER BY created_at DESC").map { row in
            Image(id: row[0].text, config: try JSONCoding.decode(ImageConfig.self, row[1].text), createdAt: row[2].double,
                  parent: row[3].text, comment: row[4].text, size: row[5].int, repoTags: tags[row[0].text] ?? [])
        }
    }


    /// Resolves `name[:tag]`, a full or short image ID (with or without `sha256:`).
    public func findImage(_ reference: String) throws -> Image? {
        var ref = reference
        if ref.hasPrefix("sha256:") { ref.removeFirst(7) }
        let images = try allImages()
        if let byID = images.first(where: { $0.id == ref }) { return byID }
        let tagged = Self.normalizedTag(reference)
        if let t = try db.query("SELECT image_id FROM tags WHERE reference = ?", [.text(tagged)]).first?.first?.text {
            return images.first { $0.id == t }
        }
        if ref.count >= 1, ref.allSatisfy(\.isHexDigit) {
            let matches = images.filter { $0.id.hasPrefix(ref.lowercased()) }
            if matches.count == 1 { return matches[0] }
        }
        return nil
    }

    /// "busybox" → "busybox:latest"; "localhost:5000/a" → "localhost:5000/a:latest".
    public static func normalizedTag(_ reference: String) -> String {
        let lastSlash = reference.lastIndex(of: "/")
        let tail = lastSlash.map { reference[reference.index(after: $0)...] } ?? reference[...]
        return tail.contains(":") ? reference : reference + ":latest"
    }

    public func insert(_ image: Image) throws {
        try db.query("INSERT INTO images (id, config, created_at, parent, comment, size) VALUES (?, ?, ?, ?, ?, ?)",
                     [.text(image.id), .text(JSONCoding.encode(image.config)), .double(image.createdAt),
                      .text(image.parent), .text(image.comment), .int(image.size)])
    }

    public func tag(_ reference: String, imageID: String) throws {
        try db.query("INSERT OR REPLACE INTO tags (reference, image_id) VALUES (?, ?)", [.text(reference), .text(imageID)])
    }

    // MARK: Settings, scripts, calls

    public func setting(_ key: String) throws -> String? {
        try db.query("SELECT value FROM settings WHERE key = ?", [.text(key)]).first?.first?.text
    }

    public func setSetting(_ key: String, _ value: String?) throws {
        if let value {
            try db.query("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [.text(key), .text(value)])
        } else {
            try db.query("DELETE FROM settings WHERE key = ?", [.text(key)])
        }
    }
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
