import Foundation

/// Every invocation's argv, PID, times and exit code, for tests to assert what a client asked for and
/// in what order (`fake-docker calls`).
enum CallLog {
    static func begin(store: StateStore, argv: [String]) -> Int64? {
        try? store.db.transaction {
            try store.db.query("INSERT INTO calls (pid, argv, started_at) VALUES (?, ?, ?)",
                               [.int(Int64(getpid())), .text(JSONCoding.encode(argv)), .double(now())])
            return try store.db.query("SELECT last_insert_rowid()").first?.first?.int ?? 0
        }
    }

    static func end(store: StateStore, id: Int64, exitCode: Int32) {
        _ = try? store.db.query("UPDATE calls SET ended_at = ?, exit_code = ? WHERE seq = ?",
                                [.double(now()), .int(Int64(exitCode)), .int(id)])
    }
}

/// Faults armed with `fake-docker script`: consumed one invocation at a time, in the order armed.
enum ScriptedFaults {
    struct Fault {
        var delay: Double
        var exitCode: Int32?
        var stdout: String
        var stderr: String
    }

    static func consume(_ store: StateStore, command: String) -> Fault? {
        // A cheap read first: most invocations have nothing armed and should not take the write lock.
        guard let armed = try? store.db.query("SELECT 1 FROM scripts WHERE command = ? AND remaining > 0 LIMIT 1", [.text(command)]),
              !armed.isEmpty else { return nil }
        return try? store.db.transaction { () -> Fault? in
            guard let row = try store.db.query(
                "SELECT seq, delay, exit_code, stdout, stderr FROM scripts WHERE command = ? AND remaining > 0 ORDER BY seq LIMIT 1",
                [.text(command)]).first else { return nil }
            try store.db.query("UPDATE scripts SET remaining = remaining - 1 WHERE seq = ?", [row[0]])
            let exit: Int32? = row[2] == .null ? nil : Int32(row[2].int)
            return Fault(delay: row[1].double, exitCode: exit, stdout: row[3].text, stderr: row[4].text)
        } ?? nil
    }
}
