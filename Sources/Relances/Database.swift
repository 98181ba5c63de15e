import CSQLite
import Foundation
import Gateway
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An SQLite connection: WAL, foreign keys on, a busy timeout, prepared statements
/// cached by SQL text. One connection, guarded by a lock, is the store's one writer;
/// the API's reads take connections of their own (``read(_:)``), which WAL lets read
/// while the writer writes.
public final class Database: Sendable {
    private let connection: Mutex<Connection>
    /// Idle read connections, one slot each, at most ``maxReaders`` open. A reader
    /// starts at the slot of its thread and looks at the others after: request threads
    /// do not queue on one lock to take a connection (one shared list cost a list of
    /// 20 a sixth of its CPU under 64 clients).
    private let readerSlots: [ReaderSlot] = (0..<Database.maxReaders).map { _ in ReaderSlot() }
    private let openReaders = Atomic<Int>(0)
    /// Past this many reads at once, a read shares the writer's connection as every
    /// read did before.
    static let maxReaders = 8

    private final class ReaderSlot: Sendable {
        let connection = Mutex<Connection?>(nil)
    }

    /// `@unchecked Sendable` because an SQLite handle and its statements must not be
    /// used by two threads at once: a `Connection` is only reached through the `Mutex`
    /// above, so one thread at a time uses it.
    final class Connection: @unchecked Sendable {
        let handle: OpaquePointer
        var statements: [String: Statement] = [:]
        init(handle: OpaquePointer) { self.handle = handle }
        deinit {
            statements.values.forEach { sqlite3_finalize($0.handle) }
            sqlite3_close_v2(handle)
        }
    }

    public let path: String

    public init(path: String) throws(StoreError) {
        // A new database is made private first: it holds taxpayers' personal data, and
        // SQLite gives its WAL and shared-memory files the same permissions.
        if !path.isEmpty && path != ":memory:" && !FileManager.default.fileExists(atPath: path) {
            do throws(PrivateFileError) { try PrivateFile.touch(path) } catch { throw StoreError.database("cannot create \(error)") }
        }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            let why = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError.database("cannot open \(path): \(why)")
        }
        self.path = path
        connection = Mutex(Connection(handle: handle))
        // 8 KiB pages: fewer, larger writes for the bulk paths (generation, batched
        // status writes). Only takes effect when the file is new.
        try execute("PRAGMA page_size = 8192")
        try execute("PRAGMA journal_mode = WAL")
        try execute("PRAGMA foreign_keys = ON")
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA busy_timeout = 5000")
        // 64 MiB of page cache (the default is 2): a generation of 100,000 relances then
        // never spills to the WAL before it commits.
        try execute("PRAGMA cache_size = -65536")
    }

    /// Runs `body` with the connection held: statements run in it see and make one
    /// consistent state (use ``transaction(_:)`` to make the changes atomic).
    public func withConnection<T>(_ body: (Session) throws(StoreError) -> T) throws(StoreError) -> T {
        try connection.withLock { (c: inout Connection) throws(StoreError) -> T in
            try body(Session(connection: c))
        }
    }

    /// Runs `body` in a transaction (BEGIN IMMEDIATE: the write lock is taken at once),
    /// committed when it returns and rolled back when it throws.
    ///
    /// `checkingForeignKeys: false` is for a bulk statement whose rows reference, by
    /// construction, rows it has just read in the same transaction (the generation's
    /// `INSERT … SELECT`): the per-row parent lookups are a quarter of its cost and can
    /// find nothing. The connection stays held, so nothing else runs unchecked.
    public func transaction<T>(checkingForeignKeys: Bool = true, _ body: (Session) throws(StoreError) -> T) throws(StoreError) -> T {
        try withConnection { (session: Session) throws(StoreError) -> T in
            if !checkingForeignKeys { try session.execute("PRAGMA foreign_keys = OFF") }
            defer { if !checkingForeignKeys { try? session.execute("PRAGMA foreign_keys = ON") } }
            return try Self.inTransaction(session, begin: "BEGIN IMMEDIATE", body)
        }
    }

    /// `body` between `begin` and COMMIT, rolled back when it throws.
    private static func inTransaction<T>(_ session: Session, begin: String, _ body: (Session) throws(StoreError) -> T) throws(StoreError) -> T {
        try session.execute(begin)
        do throws(StoreError) {
            let value = try body(session)
            try session.execute("COMMIT")
            return value
        } catch {
            try? session.execute("ROLLBACK")
            throw error
        }
    }

    public func execute(_ sql: String) throws(StoreError) {
        try withConnection { (s: Session) throws(StoreError) in try s.execute(sql) }
    }

    /// Runs `body`, which only reads, on a read connection of its own: it waits for no
    /// writer and no other reader, and sees one snapshot of what was committed (a
    /// deferred transaction), as it did under the writer's lock. An in-memory database,
    /// which has no second connection, and a moment when every reader is busy, use the
    /// writer's connection.
    public func read<T>(_ body: (Session) throws(StoreError) -> T) throws(StoreError) -> T {
        guard let reader = try checkOutReader() else { return try withConnection(body) }
        defer { checkIn(reader) }
        return try Self.inTransaction(Session(connection: reader), begin: "BEGIN", body)
    }

    private func checkOutReader() throws(StoreError) -> Connection? {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file::memory:") else { return nil }
        let first = Self.threadSlot
        for k in 0..<readerSlots.count {
            let slot = readerSlots[(first + k) % readerSlots.count]
            if let idle = slot.connection.withLock({ (c: inout Connection?) -> Connection? in
                let taken = c
                c = nil
                return taken
            }) { return idle }
        }
        guard openReaders.add(1, ordering: .relaxed).newValue <= Self.maxReaders else {
            openReaders.subtract(1, ordering: .relaxed)
            return nil
        }
        do throws(StoreError) {
            return try openReader()
        } catch {
            openReaders.subtract(1, ordering: .relaxed)
            throw error
        }
    }

    private func checkIn(_ reader: Connection) {
        // A statement left mid-rows would hold its snapshot: reset, so the next read
        // sees what was committed since and the WAL can be checkpointed.
        var statement = sqlite3_next_stmt(reader.handle, nil)
        while let s = statement {
            if sqlite3_stmt_busy(s) != 0 { sqlite3_reset(s) }
            statement = sqlite3_next_stmt(reader.handle, s)
        }
        let first = Self.threadSlot
        for k in 0..<readerSlots.count {
            let slot = readerSlots[(first + k) % readerSlots.count]
            let placed = slot.connection.withLock { (c: inout Connection?) -> Bool in
                guard c == nil else { return false }
                c = reader
                return true
            }
            if placed { return }
        }
        // Every slot full (cannot happen while at most maxReaders are open): close it.
        openReaders.subtract(1, ordering: .relaxed)
    }

    /// The reader slot the calling thread starts at (its pthread id, mixed).
    private static var threadSlot: Int {
        #if canImport(Glibc)
        let id = UInt64(UInt(pthread_self()))
        #else
        let id = UInt64(UInt(bitPattern: pthread_self()))
        #endif
        return Int((id &* 0x9E37_79B9_7F4A_7C15) >> 61) % maxReaders
    }

    private func openReader() throws(StoreError) -> Connection {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let handle else {
            let why = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError.database("cannot open \(path) for reading: \(why)")
        }
        let reader = Connection(handle: handle)
        let session = Session(connection: reader)
        // Reads only, whatever a caller's SQL says; 4 MiB of cache, not the writer's 64
        // (the lists and statistics read indexes and counters, not whole tables).
        try session.execute("PRAGMA query_only = 1")
        try session.execute("PRAGMA busy_timeout = 5000")
        try session.execute("PRAGMA cache_size = -4096")
        return reader
    }
}

/// The connection while it is held: prepare, bind, step.
public struct Session {
    let connection: Database.Connection

    public func execute(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(connection.handle, sql, nil, nil, &error) == SQLITE_OK else {
            let why = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw StoreError.database("\(why) (in: \(sql.prefix(80)))")
        }
    }

    /// A prepared statement for `sql` (cached), its bindings cleared.
    public func prepare(_ sql: String) throws(StoreError) -> Statement {
        if let cached = connection.statements[sql] {
            sqlite3_reset(cached.handle)
            sqlite3_clear_bindings(cached.handle)
            return cached
        }
        var handle: OpaquePointer?
        guard sqlite3_prepare_v2(connection.handle, sql, -1, &handle, nil) == SQLITE_OK, let handle else {
            throw StoreError.database("\(String(cString: sqlite3_errmsg(connection.handle))) (in: \(sql.prefix(120)))")
        }
        let statement = Statement(handle: handle, database: connection.handle)
        connection.statements[sql] = statement
        return statement
    }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(connection.handle)) }
    public var lastInsertID: Int64 { sqlite3_last_insert_rowid(connection.handle) }

    /// Runs a statement with values and steps it to the end.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int {
        let s = try prepare(sql)
        try s.bind(values)
        while try s.step() {}
        return changes
    }

    /// Every row of a query, mapped.
    public func rows<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Statement) throws(StoreError) -> T) throws(StoreError) -> [T] {
        let s = try prepare(sql)
        try s.bind(values)
        var out: [T] = []
        while try s.step() { out.append(try map(s)) }
        return out
    }

    /// The first row of a query, mapped.
    public func row<T>(_ sql: String, _ values: [SQLValue] = [], _ map: (Statement) throws(StoreError) -> T) throws(StoreError) -> T? {
        let s = try prepare(sql)
        try s.bind(values)
        guard try s.step() else { return nil }
        let value = try map(s)
        sqlite3_reset(s.handle)
        return value
    }
}

/// A value bound to a statement: SQL only ever receives parameters, never spliced text.
public enum SQLValue: Sendable, Hashable {
    case int(Int64)
    case text(String)
    case double(Double)
    case null

    public static func optional(_ v: Int64?) -> SQLValue { v.map { .int($0) } ?? .null }
    public static func optional(_ v: String?) -> SQLValue { v.map { .text($0) } ?? .null }
}

/// A prepared statement. `@unchecked Sendable` because it belongs to a connection: it is
/// only used inside that connection's lock (a ``Session`` handed to a closure), by the
/// one thread holding it.
public final class Statement: @unchecked Sendable {
    let handle: OpaquePointer
    let database: OpaquePointer

    init(handle: OpaquePointer, database: OpaquePointer) {
        self.handle = handle
        self.database = database
    }

    public func bind(_ values: [SQLValue]) throws(StoreError) {
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .int(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .double(let d): rc = sqlite3_bind_double(handle, index, d)
            case .null: rc = sqlite3_bind_null(handle, index)
            // With its length: a NUL inside the text is kept, not where the text stops.
            case .text(let s):
                var text = s
                rc = text.withUTF8 { bytes -> Int32 in
                    // An empty text still needs a pointer: nil would bind NULL.
                    guard let base = bytes.baseAddress, !bytes.isEmpty else { return csqlite_bind_text(handle, index, "", 0) }
                    return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { csqlite_bind_text(handle, index, $0, Int32(bytes.count)) }
                }
            }
            guard rc == SQLITE_OK else { throw StoreError.database(String(cString: sqlite3_errmsg(database))) }
        }
    }

    /// Steps once: true when a row is there, false at the end.
    public func step() throws(StoreError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            sqlite3_reset(handle)
            return false
        case let rc:
            let why = String(cString: sqlite3_errmsg(database))
            sqlite3_reset(handle)
            if rc == SQLITE_CONSTRAINT { throw StoreError.constraint(why) }
            throw StoreError.database(why)
        }
    }

    public func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }
    public func optionalInt(_ column: Int32) -> Int64? { isNull(column) ? nil : int(column) }
    public func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        // By length, not up to the first NUL (which a text may hold).
        return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
}

/// What went wrong in the store.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case database(String)
    case constraint(String)
    case notFound(String)
    case invalid(String)
    /// The write would make a second copy of something that exists (a business key).
    case conflict(String)
    /// Well-formed and naming things that exist, but not together: `field`, and why.
    case unprocessable(field: String, reason: String)

    public var description: String {
        switch self {
        case .database(let s): "database error: \(s)"
        case .constraint(let s): "constraint violated: \(s)"
        case .notFound(let s): s
        case .invalid(let s), .conflict(let s): s
        case .unprocessable(let field, let reason): "\(field) : \(reason)"
        }
    }
}
