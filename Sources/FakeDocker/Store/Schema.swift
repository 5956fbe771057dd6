/// One schema change, named for what it changes (the name appears in the error when it fails).
struct Migration {
    let name: String
    let sql: String
}

extension Database {
    /// Applies the migrations the file has not had yet, in one transaction, then stamps it with
    /// `applicationID` and the new `user_version`. The version is read under the write lock: another
    /// process may have migrated meanwhile. A failing migration's error is what `failure` makes of it
    /// (its 1-based position, the migration, the error).
    func apply(_ migrations: [Migration], applicationID: Int64, failure: (Int, Migration, Error) -> Error) throws {
        try transaction {
            let current = Int(try scalar("PRAGMA user_version")?.int ?? 0)
            for (index, migration) in migrations.enumerated().dropFirst(current) {
                do {
                    try execute(migration.sql)
                } catch {
                    throw failure(index + 1, migration, error)
                }
            }
            try execute("PRAGMA application_id=\(applicationID)")
            try execute("PRAGMA user_version=\(migrations.count)")
        }
    }
}

/// Append-only migrations, applied in order; `PRAGMA user_version` records how many have run, so a
/// migration's position is its version. Never edit, reorder or remove a shipped migration: add a new one
/// (state files and fixtures outlive versions).
enum Schema {
    /// 'FDKR': marks a file as a fake-docker state file, so that any other SQLite file is refused.
    static let applicationID: Int64 = 0x4644_4B52

    static let migrations: [Migration] = [
        Migration(name: "the tables", sql: """
        CREATE TABLE containers (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            image_id TEXT NOT NULL,
            image_ref TEXT NOT NULL,
            config TEXT NOT NULL,
            status TEXT NOT NULL,
            exit_code INTEGER NOT NULL DEFAULT 0,
            error TEXT NOT NULL DEFAULT '',
            pid INTEGER NOT NULL DEFAULT 0,
            pid_start INTEGER NOT NULL DEFAULT 0,
            shim_pid INTEGER NOT NULL DEFAULT 0,
            shim_start INTEGER NOT NULL DEFAULT 0,
            pid_namespace INTEGER NOT NULL DEFAULT 0,
            created_at REAL NOT NULL,
            started_at REAL,
            finished_at REAL,
            health TEXT NOT NULL DEFAULT '',
            health_streak INTEGER NOT NULL DEFAULT 0,
            health_log TEXT NOT NULL DEFAULT '[]',
            seq INTEGER NOT NULL
        );
        CREATE INDEX containers_seq ON containers(seq);
        CREATE TABLE images (
            id TEXT PRIMARY KEY,
            config TEXT NOT NULL,
            created_at REAL NOT NULL,
            parent TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE tags (
            reference TEXT PRIMARY KEY,
            image_id TEXT NOT NULL
        );
        CREATE TABLE removed_exits (
            id TEXT PRIMARY KEY,
            exit_code INTEGER NOT NULL,
            removed_at REAL NOT NULL
        );
        CREATE TABLE scripts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            command TEXT NOT NULL,
            delay REAL NOT NULL DEFAULT 0,
            exit_code INTEGER,
            stdout TEXT NOT NULL DEFAULT '',
            stderr TEXT NOT NULL DEFAULT '',
            remaining INTEGER NOT NULL
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE calls (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            pid INTEGER NOT NULL,
            argv TEXT NOT NULL,
            started_at REAL NOT NULL,
            ended_at REAL,
            exit_code INTEGER
        );
        """),
        // What `ps` lists, kept beside the configuration so listing needs no JSON work per row.
        Migration(name: "the listed command, labels and network beside the configuration", sql: """
        ALTER TABLE containers ADD COLUMN command TEXT NOT NULL DEFAULT '';
        ALTER TABLE containers ADD COLUMN labels TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE containers ADD COLUMN network TEXT NOT NULL DEFAULT '';
        UPDATE containers SET
            command = json_extract(config, '$.path')
                || coalesce((SELECT group_concat(' ' || value, '') FROM json_each(config, '$.args')), ''),
            labels = coalesce(json_extract(config, '$.labels'), '{}'),
            network = coalesce(json_extract(config, '$.networkMode'), '');
        """),
        // ps reads its columns from this covering index, in order, without touching the table's pages,
        // most of which hold the configurations it does not need.
        Migration(name: "a covering index for ps", sql: """
        CREATE INDEX containers_listing ON containers(seq, id, name, image_id, image_ref, command, created_at,
            status, exit_code, started_at, finished_at, health, labels, network, shim_pid, shim_start);
        """),
        // The listed command quotes an argument that has a space, as the engine does (`sh -c 'exit 3'`).
        Migration(name: "arguments with a space quoted in the listed command", sql: """
        UPDATE containers SET command = json_extract(config, '$.path') || coalesce((
            SELECT group_concat(' ' || CASE WHEN instr(value, ' ') > 0 THEN '''' || value || '''' ELSE value END, '')
            FROM json_each(config, '$.args')), '');
        """),
        // One engine-down flag: `script --daemon-down`'s own setting becomes "down until cleared".
        Migration(name: "daemon_down folded into engine_down_until", sql: """
        INSERT OR REPLACE INTO settings (key, value)
            SELECT 'engine_down_until', 'inf' FROM settings WHERE key = 'daemon_down' AND value = '1';
        DELETE FROM settings WHERE key = 'daemon_down';
        """),
        // `.State.OOMKilled`: set by the shim's out-of-memory fault (`script --oom-after`), cleared at each start.
        Migration(name: "oom_killed", sql: """
        ALTER TABLE containers ADD COLUMN oom_killed INTEGER NOT NULL DEFAULT 0;
        """),
        // Named and anonymous volumes (`docker volume`); their files are in `<state>.data/volumes/NAME/_data`.
        Migration(name: "volumes", sql: """
        CREATE TABLE volumes (
            name TEXT PRIMARY KEY,
            driver TEXT NOT NULL DEFAULT 'local',
            labels TEXT NOT NULL DEFAULT '{}',
            options TEXT NOT NULL DEFAULT '{}',
            created_at REAL NOT NULL
        );
        """),
        // `.RestartCount`: the restarts its restart policy made since the last start by a client (the shim's).
        Migration(name: "restart_count", sql: """
        ALTER TABLE containers ADD COLUMN restart_count INTEGER NOT NULL DEFAULT 0;
        """),
    ]
}
