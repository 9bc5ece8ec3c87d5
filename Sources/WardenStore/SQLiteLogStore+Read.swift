import Foundation
import GRDB
import WardenCore

extension SQLiteLogStore {
    func read<T>(_ what: String, _ body: (Database) throws -> T) throws(LogError) -> T {
        do {
            return try pool.read(body)
        } catch let error as LogError {
            throw error
        } catch {
            throw LogError(.storage, "cannot read \(what) from \(path): \(error)")
        }
    }

    static let entryColumns = "seq, payload_type, time_ms, tool, envelope, hash"

    static func entry(_ row: Row) throws -> StoredEntry {
        // Straight from SQLite's buffer into the array: one copy of each blob, not two.
        StoredEntry(
            seq: row[0], payloadType: row[1], timeMilliseconds: row[2], tool: row[3],
            envelopeBytes: try row.withUnsafeData(atIndex: 4) { $0.map(Array.init) ?? [] },
            hash: try row.withUnsafeData(atIndex: 5) { $0.map(Array.init) ?? [] })
    }

    static func entries(_ db: Database, sql: String, arguments: StatementArguments) throws -> [StoredEntry] {
        var out: [StoredEntry] = []
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() { out.append(try entry(row)) }
        return out
    }

    public func origin() async throws(LogError) -> String {
        try read("the origin") { db in try LogSchema.meta(db, "origin") }
    }

    /// The anchor key recorded when the log was created.
    /// - Throws: ``LogError``.
    public func anchorKey() async throws(LogError) -> Ed25519PublicKey {
        let hex = try read("the anchor key") { db in try LogSchema.meta(db, "anchor_public") }
        do {
            return try Ed25519PublicKey(hex: hex)
        } catch {
            throw LogError(.corrupt, "the log's anchor key is damaged: \(error)")
        }
    }

    /// The key that signs the log now (anchor, or the new key of the last rotation). - Throws: ``LogError``.
    public func activeKey() async throws(LogError) -> Ed25519PublicKey {
        try read("the active key") { db in try Self.activeKey(db) }
    }

    public func entryCount() async throws(LogError) -> Int64 {
        try read("the entry count") { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM log_entries") ?? 0 }
    }

    public func entries(from seq: Int64, limit: Int) async throws(LogError) -> [StoredEntry] {
        try read("entries") { db in
            try Self.entries(
                db, sql: "SELECT \(Self.entryColumns) FROM log_entries WHERE seq >= ? ORDER BY seq LIMIT ?",
                arguments: [seq, limit])
        }
    }

    public func entry(seq: Int64) async throws(LogError) -> StoredEntry? {
        try read("entry \(seq)") { db in
            try Self.entries(db, sql: "SELECT \(Self.entryColumns) FROM log_entries WHERE seq = ?", arguments: [seq])
                .first
        }
    }

    public func list(_ query: LogQuery) async throws(LogError) -> [StoredEntry] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        switch query.since {
        case .seq(let seq)?:
            clauses.append("seq >= ?")
            _ = arguments.append(contentsOf: [seq])
        case .time(let ms)?:
            clauses.append("time_ms >= ?")
            _ = arguments.append(contentsOf: [ms])
        case nil: break
        }
        if let tool = query.tool {
            if tool.hasSuffix(".*") {
                clauses.append("substr(tool, 1, ?) = ?")
                let prefix = String(tool.dropLast())
                _ = arguments.append(contentsOf: [prefix.utf8.count, prefix])
            } else {
                clauses.append("tool = ?")
                _ = arguments.append(contentsOf: [tool])
            }
        }
        if let type = query.payloadType {
            clauses.append("payload_type = ?")
            _ = arguments.append(contentsOf: [type])
        }
        var sql = "SELECT \(Self.entryColumns) FROM log_entries"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY seq"
        if let limit = query.limit {
            sql += " LIMIT ?"
            _ = arguments.append(contentsOf: [limit])
        }
        let finalSQL = sql
        let finalArguments = arguments
        return try read("entries") { db in
            try Self.entries(db, sql: finalSQL, arguments: finalArguments)
        }
    }

    public func checkpoints() async throws(LogError) -> [StoredCheckpoint] {
        try read("checkpoints") { db in
            try Row.fetchAll(db, sql: "SELECT tree_size, root, time_ms, note FROM log_checkpoints ORDER BY tree_size")
                .map {
                    StoredCheckpoint(
                        treeSize: $0[0], rootHash: Array($0[1] as Data), timeMilliseconds: $0[2], note: $0[3])
                }
        }
    }

    public func latestCheckpoint() async throws(LogError) -> StoredCheckpoint? {
        try read("the latest checkpoint") { db in
            try Row.fetchOne(
                db, sql: "SELECT tree_size, root, time_ms, note FROM log_checkpoints ORDER BY tree_size DESC LIMIT 1"
            ).map {
                StoredCheckpoint(treeSize: $0[0], rootHash: Array($0[1] as Data), timeMilliseconds: $0[2], note: $0[3])
            }
        }
    }

    public func leafHashes(count: Int64) async throws(LogError) -> [[UInt8]] {
        let hashes = try read("entry hashes") { db in
            var out: [[UInt8]] = []
            out.reserveCapacity(Int(count))
            let cursor = try Row.fetchCursor(
                db, sql: "SELECT seq, hash FROM log_entries WHERE seq < ? ORDER BY seq", arguments: [count])
            while let row = try cursor.next() {
                let seq: Int64 = row[0]
                guard seq == Int64(out.count) else { throw LogError(.notFound, "entry \(out.count) is missing") }
                out.append(Array(row[1] as Data))
            }
            return out
        }
        guard hashes.count == Int(count) else {
            throw LogError(.notFound, "the log has \(hashes.count) entries, not \(count)")
        }
        return hashes
    }
}
