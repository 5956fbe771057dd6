import CSQLite
#if canImport(Glibc)
import Glibc
#endif

/// The one owner of a SQLite connection: prepared statements with bound arguments only, WAL, a busy
/// timeout, `BEGIN IMMEDIATE` for every read-modify-write (so concurrent fake-docker processes queue
/// instead of failing with SQLITE_BUSY on lock upgrade), and `PRAGMA user_version` migrations.
public final class Database {
    public enum Value: Equatable, Sendable {
        case null, int(Int64), double(Double), text(String)
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

    public func execute(_ sql: String) throws(Failure) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(err)
            throw Failure(code: rc, message: message)
        }
    }

    /// Runs one statement with bound arguments and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ arguments: [Value] = []) throws(Failure) -> [[Value]] {
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
            }
        }
        var rows: [[Value]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw Failure(code: rc, message: lastMessage) }
            let count = sqlite3_column_count(statement)
            var row: [Value] = []
            row.reserveCapacity(Int(count))
            for c in 0..<count {
                switch sqlite3_column_type(statement, c) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(statement, c)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(statement, c)))
                case SQLITE_NULL: row.append(.null)
                default: row.append(.text(String(cString: sqlite3_column_text(statement, c))))
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// A row of a statement being stepped, read column by column without building values.
    public struct Row {
        fileprivate let statement: OpaquePointer?
        public func text(_ column: Int32) -> String {
            guard let p = sqlite3_column_text(statement, column) else { return "" }
            let count = Int(sqlite3_column_bytes(statement, column))
            return String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)
        }
        public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
        public func double(_ column: Int32) -> Double { sqlite3_column_double(statement, column) }
        public func optionalDouble(_ column: Int32) -> Double? {
            sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_double(statement, column)
        }
    }

    /// Runs a query and maps each row in place: for listings of thousands of rows.
    public func map<T>(_ sql: String, _ transform: (Row) throws -> T) throws -> [T] {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(code: sqlite3_errcode(handle), message: lastMessage)
        }
        defer { sqlite3_finalize(statement) }
        var result: [T] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return result }
            guard rc == SQLITE_ROW else { throw Failure(code: rc, message: lastMessage) }
            result.append(try transform(Row(statement: statement)))
        }
    }

    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// A read-modify-write transaction: `BEGIN IMMEDIATE` takes the write lock up front.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
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
        case .null: return 0
        }
    }
    public var double: Double {
        switch self {
        case .int(let v): return Double(v)
        case .double(let v): return v
        case .text(let s): return Double(s) ?? 0
        case .null: return 0
        }
    }
    public var text: String {
        switch self {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .null: return ""
        }
    }
    public var optionalDouble: Double? { if case .null = self { return nil }; return double }
}
