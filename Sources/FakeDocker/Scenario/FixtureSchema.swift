/// The schema of a scenario fixture (`fake-docker scenario`), documented table by table in
/// docs/scenarios.md. Append-only, as `Schema` is for the state file: a fixture committed today must
/// still replay after the schema grows, so a change is a new named migration, never an edit.
enum FixtureSchema {
    /// 'FDKS': marks a file as a scenario fixture, apart from a state file ('FDKR') and any other SQLite file.
    static let applicationID: Int64 = 0x4644_4B53

    static let migrations: [Migration] = [
        Migration(name: "the scenario tables", sql: """
        CREATE TABLE recording (
            engine TEXT NOT NULL,
            client_version TEXT NOT NULL,
            server_version TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE TABLE world_images (
            seq INTEGER PRIMARY KEY,
            reference TEXT NOT NULL,
            rootfs_tar BLOB,
            changes TEXT NOT NULL DEFAULT '[]'
        );
        CREATE TABLE world_containers (
            seq INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            command TEXT NOT NULL
        );
        CREATE TABLE world_faults (
            seq INTEGER PRIMARY KEY,
            arguments TEXT NOT NULL
        );
        CREATE TABLE world_files (
            path TEXT PRIMARY KEY,
            content BLOB NOT NULL
        );
        CREATE TABLE invocation (
            arguments TEXT NOT NULL,
            stdin BLOB NOT NULL
        );
        CREATE TABLE invocation_environment (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            trigger TEXT NOT NULL,
            delay_ms INTEGER NOT NULL,
            action TEXT NOT NULL
        );
        CREATE TABLE outcome (
            exit_code INTEGER,
            signal INTEGER,
            stdout BLOB NOT NULL,
            stderr BLOB NOT NULL,
            events_fired INTEGER NOT NULL
        );
        CREATE TABLE outcome_calls (
            seq INTEGER PRIMARY KEY,
            arguments TEXT NOT NULL
        );
        CREATE TABLE outcome_containers (
            seq INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            exit_code INTEGER NOT NULL,
            image TEXT NOT NULL
        );
        CREATE TABLE outcome_images (
            reference TEXT PRIMARY KEY
        );
        CREATE TABLE outcome_files (
            path TEXT PRIMARY KEY,
            content TEXT
        );
        """),
    ]
}
