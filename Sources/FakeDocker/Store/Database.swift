import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// A SQLite connection over the C API: every value goes in as a bound argument (only the pragmas, which
/// take none, are written with constants from the code), WAL, a busy timeout, and `BEGIN IMMEDIATE` for
/// every read-modify-write (so concurrent fake-docker processes queue instead of failing with SQLITE_BUSY
/// on lock upgrade). Its users each hold their connection privately, with a method per statement, and run
/// their own `PRAGMA user_version` migrations: `StateStore` (fake-docker's state) and `FixtureFile` (a
/// scenario fixture, `fake-docker scenario`).
public final class Database {
    /// An argument bound to a statement's `?`.
    public enum Value: Equatable, Sendable {
        case null, int(Int64), double(Double), text(String), blob([UInt8])
    }

    public struct Failure: Error, CustomStringConvertible {
        public var code: Int32
        public var message: String
        public var description: String { message }
    }

    private var handle: OpaquePointer?
    public let path: String

    /// Opens (creating with mode 0600 if missing) the database at `path`.
    public init(path: String) throws(Failure) {
        self.path = path
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if fd < 0 { throw Failure(code: SQLITE_CANTOPEN, message: "cannot open \(path): \(String(cString: strerror(errno)))") }
        close(fd)
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        handle = db
        guard rc == SQLITE_OK else { throw Failure(code: rc, message: lastMessage) }
        sqlite3_busy_timeout(db, 30_000)
        // Every fake-docker invocation is a short-lived connection: checkpointing (and syncing) the WAL
        // each time one closes would cost more than the command; SQLite's auto-checkpoint still bounds it.
        _ = csqlite_no_checkpoint_on_close(db)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// Runs SQL that takes no arguments and returns no rows: migrations, pragmas, transaction control.
    public func execute(_ sql: String) throws(Failure) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(err)
            throw Failure(code: rc, message: message)
        }
    }

    /// Runs one statement that returns no rows (an INSERT, UPDATE or DELETE) with bound arguments.
    public func run(_ sql: String, _ arguments: [Value] = []) throws {
        _ = try rows(sql, arguments) { _ in () }
    }

    /// Runs one statement with bound arguments and maps each row in place, reading its columns by name.
    public func rows<T>(_ sql: String, _ arguments: [Value] = [], _ transform: (Row) throws -> T) throws -> [T] {
        var result: [T] = []
        try step(sql, arguments) { row in result.append(try transform(row)); return true }
        return result
    }

    /// The first row of a statement, mapped; nil when it has none.
    public func firstRow<T>(_ sql: String, _ arguments: [Value] = [], _ transform: (Row) throws -> T) throws -> T? {
        var result: T?
        try step(sql, arguments) { row in result = try transform(row); return false }
        return result
    }

    /// The first column of the first row: a pragma's value, a count.
    public func scalar(_ sql: String, _ arguments: [Value] = []) throws -> Value? {
        try firstRow(sql, arguments) { $0.value(at: 0) }
    }

    /// Prepares `sql`, binds `arguments` and steps it, handing each row to `visit` until it returns false.
    private func step(_ sql: String, _ arguments: [Value], _ visit: (Row) throws -> Bool) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(code: sqlite3_errcode(handle), message: lastMessage)
        }
        defer { sqlite3_finalize(statement) }
        for (i, argument) in arguments.enumerated() {
            let index = Int32(i + 1)
            switch argument {
            case .null: sqlite3_bind_null(statement, index)
            case .int(let v): sqlite3_bind_int64(statement, index, v)
            case .double(let v): sqlite3_bind_double(statement, index, v)
            case .text(let v): sqlite3_bind_text(statement, index, v, -1, csqlite_transient())
            case .blob(let v): v.withUnsafeBytes { _ = sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), csqlite_transient()) }
            }
        }
        let columns = Row.Columns(statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw Failure(code: rc, message: lastMessage) }
            if try !visit(Row(statement: statement, columns: columns)) { return }
        }
    }

    /// A row of a statement being stepped, read column by column, by the names the statement gives them,
    /// without building values.
    public struct Row {
        /// A statement's column names, read once per statement rather than once per row.
        final class Columns {
            let names: [String]
            let index: [String: Int32]
            /// Where the next read is expected: rows are mostly read in the order their columns are
            /// selected, and comparing one short name is cheaper than hashing it (`ps -a` reads 15
            /// columns of 10,000 rows within its 50 ms).
            private var next = 0

            init(_ statement: OpaquePointer?) {
                names = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
                index = Dictionary(names.enumerated().map { ($1, Int32($0)) }, uniquingKeysWith: { first, _ in first })
            }

            func position(of name: String) -> Int32? {
                let guess = next < names.count ? next : 0
                if !names.isEmpty, names[guess] == name { next = guess + 1; return Int32(guess) }
                guard let c = index[name] else { return nil }
                next = Int(c) + 1
                return c
            }
        }

        fileprivate let statement: OpaquePointer?
        fileprivate let columns: Columns

        /// A name the statement does not select is a mistake in the code, not in the data.
        private func column(_ name: String) -> Int32 {
            guard let c = columns.position(of: name) else { preconditionFailure("the statement has no column \(name)") }
            return c
        }

        fileprivate func value(at c: Int32) -> Value {
            switch sqlite3_column_type(statement, c) {
            case SQLITE_INTEGER: .int(sqlite3_column_int64(statement, c))
            case SQLITE_FLOAT: .double(sqlite3_column_double(statement, c))
            case SQLITE_NULL: .null
            default: .text(text(at: c))
            }
        }

        private func text(at c: Int32) -> String {
            guard let p = sqlite3_column_text(statement, c) else { return "" }
            let count = Int(sqlite3_column_bytes(statement, c))
            return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
        }

        public func text(_ name: String) -> String { text(at: column(name)) }
        /// The column's bytes as stored (a BLOB, or a TEXT's UTF-8).
        public func blob(_ name: String) -> [UInt8] {
            let c = column(name)
            guard let p = sqlite3_column_blob(statement, c) else { return [] }
            return Array(UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, c))))
        }
        public func int(_ name: String) -> Int64 { sqlite3_column_int64(statement, column(name)) }
        public func double(_ name: String) -> Double { sqlite3_column_double(statement, column(name)) }
        public func isNull(_ name: String) -> Bool { sqlite3_column_type(statement, column(name)) == SQLITE_NULL }
        public func optionalInt(_ name: String) -> Int64? { isNull(name) ? nil : int(name) }
        public func optionalDouble(_ name: String) -> Double? { isNull(name) ? nil : double(name) }
    }

    /// The row ID the last INSERT on this connection gave its row.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// A read-modify-write transaction: `BEGIN IMMEDIATE` takes the write lock up front. Inside another
    /// transaction (a store method that keeps its own statements together, called from a command's
    /// read-modify-write) it is a savepoint: its failure undoes its own writes and the outer one decides.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let nested = sqlite3_get_autocommit(handle) == 0
        try execute(nested ? "SAVEPOINT nested" : "BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute(nested ? "RELEASE nested" : "COMMIT")
            return result
        } catch {
            try? execute(nested ? "ROLLBACK TO nested; RELEASE nested" : "ROLLBACK")
            throw error
        }
    }
}

extension Database.Value {
    public var int: Int64 {
        switch self {
        case .int(let v): return v
        case .double(let v): return Int64(v)
        case .text(let s): return Int64(s) ?? 0
        case .null, .blob: return 0
        }
    }
    public var text: String {
        switch self {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .blob(let v): return String(decoding: v, as: UTF8.self)
        case .null: return ""
        }
    }
}
