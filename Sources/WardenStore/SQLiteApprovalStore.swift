import Foundation
import GRDB
import WardenCore

/// The approval queue in the log's SQLite file (table `approval_requests`), sharing the log's connection pool
/// and so its durability: with `synchronous = FULL` a decision or a claim that returned survives a power loss.
///
/// Unlike the log, rows change state; what makes a row trustworthy is not the row but the approver's signed
/// statement in it, which the kernel verifies before it runs anything.
public final class SQLiteApprovalStore: ApprovalStore {
    let pool: DatabasePool

    /// Shares the pool of an open log (the kernel's). - Throws: ``ApprovalStoreError`` when the table cannot be made.
    public convenience init(sharing log: SQLiteLogStore) throws(ApprovalStoreError) {
        try self.init(pool: log.pool, create: log.writer != nil)
    }

    init(pool: DatabasePool, create: Bool) throws(ApprovalStoreError) {
        self.pool = pool
        guard create else { return }
        do {
            try pool.write { db in try db.execute(sql: Self.schema) }
        } catch {
            throw ApprovalStoreError("cannot prepare the approval queue: \(error)")
        }
    }

    static let schema = """
        CREATE TABLE IF NOT EXISTS approval_requests (
            id TEXT PRIMARY KEY NOT NULL,
            key TEXT NOT NULL,
            key_is_explicit INTEGER NOT NULL,
            bound_digest TEXT NOT NULL,
            tool TEXT NOT NULL,
            plugin TEXT NOT NULL,
            caller TEXT NOT NULL,
            arguments TEXT NOT NULL,
            rule TEXT NOT NULL,
            grp TEXT NOT NULL,
            reasons TEXT NOT NULL,
            findings TEXT NOT NULL,
            created_ms INTEGER NOT NULL,
            expires_ms INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN
                ('pending', 'approved', 'denied', 'expired', 'executing', 'executed', 'interrupted')),
            decided_ms INTEGER,
            decided_by TEXT,
            note TEXT,
            statement BLOB,
            decision_seq INTEGER,
            outcome TEXT,
            finished_ms INTEGER);
        CREATE INDEX IF NOT EXISTS approval_requests_key ON approval_requests(key, created_ms);
        CREATE INDEX IF NOT EXISTS approval_requests_state ON approval_requests(state, created_ms);
        """

    func write<T>(_ what: String, _ body: (Database) throws -> T) throws(ApprovalStoreError) -> T {
        do {
            return try pool.write(body)
        } catch {
            throw ApprovalStoreError("the approval queue could not \(what): \(error)")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(ApprovalStoreError) -> T {
        do {
            return try pool.read { db in
                // A log opened before approvals existed has no table yet: nothing is queued.
                guard try db.tableExists("approval_requests") else { throw NoTable() }
                return try body(db)
            }
        } catch is NoTable {
            throw ApprovalStoreError("there is no approval queue in this state folder yet (start `warden serve`)")
        } catch {
            throw ApprovalStoreError("cannot read the approval queue: \(error)")
        }
    }

    struct NoTable: Error {}

    public func insert(_ r: ApprovalRequest) throws(ApprovalStoreError) {
        try write("store the request") { db in
            try db.execute(
                sql: """
                    INSERT INTO approval_requests (id, key, key_is_explicit, bound_digest, tool, plugin, caller,
                        arguments, rule, grp, reasons, findings, created_ms, expires_ms, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')
                    """,
                arguments: [
                    r.id, r.key, r.keyIsExplicit, r.boundDigest, r.tool, r.plugin, r.caller,
                    Self.text(r.arguments), r.rule, r.group, Self.text(.array(r.reasons.map(JSONValue.string))),
                    Self.text(.array(r.findings)), r.createdAt, r.expiresAt,
                ])
        }
    }

    public func request(id: String) throws(ApprovalStoreError) -> ApprovalRequest? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM approval_requests WHERE id = ?", arguments: [id]).map(Self.decode)
        }
    }

    public func latest(key: String) throws(ApprovalStoreError) -> ApprovalRequest? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM approval_requests WHERE key = ? ORDER BY created_ms DESC, rowid DESC LIMIT 1",
                arguments: [key]
            ).map(Self.decode)
        }
    }

    public func list(states: Set<ApprovalRequest.State>?, limit: Int?) throws(ApprovalStoreError) -> [ApprovalRequest] {
        try read { db in
            var sql = "SELECT * FROM approval_requests"
            var arguments: [any DatabaseValueConvertible] = []
            if let states {
                sql += " WHERE state IN (" + states.map { _ in "?" }.joined(separator: ", ") + ")"
                arguments += states.map(\.rawValue).sorted()
            }
            sql += " ORDER BY created_ms, rowid"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.decode)
        }
    }

    public func decide(
        id: String, to state: ApprovalRequest.State, by approver: String, note: String?, statement: [UInt8],
        at now: Int64
    ) throws(ApprovalStoreError) -> Bool {
        precondition(state == .approved || state == .denied, "a decision approves or denies")
        return try write("record the decision") { db in
            try db.execute(
                sql: """
                    UPDATE approval_requests SET state = ?, decided_ms = ?, decided_by = ?, note = ?, statement = ?
                    WHERE id = ? AND state = 'pending' AND expires_ms > ?
                    """,
                arguments: [state.rawValue, now, approver, note, Data(statement), id, now])
            return db.changesCount == 1
        }
    }

    public func setDecisionSeq(id: String, seq: Int64) throws(ApprovalStoreError) {
        try write("note the decision's log entry") { db in
            try db.execute(sql: "UPDATE approval_requests SET decision_seq = ? WHERE id = ?", arguments: [seq, id])
        }
    }

    public func expire(now: Int64) throws(ApprovalStoreError) -> [ApprovalRequest] {
        try write("expire requests") { db in
            let due = try Row.fetchAll(
                db, sql: "SELECT * FROM approval_requests WHERE state = 'pending' AND expires_ms <= ? ORDER BY created_ms",
                arguments: [now]
            ).map(Self.decode)
            try db.execute(
                sql: "UPDATE approval_requests SET state = 'expired', decided_ms = ? WHERE state = 'pending' AND expires_ms <= ?",
                arguments: [now, now])
            return due.map { var r = $0; r.state = .expired; r.decidedAt = now; return r }
        }
    }

    public func claim(id: String, at now: Int64) throws(ApprovalStoreError) -> Bool {
        try write("claim the request") { db in
            try db.execute(
                sql: "UPDATE approval_requests SET state = 'executing', finished_ms = NULL WHERE id = ? AND state = 'approved'",
                arguments: [id])
            return db.changesCount == 1
        }
    }

    public func finish(id: String, outcome: JSONValue, at now: Int64) throws(ApprovalStoreError) {
        try write("store the outcome") { db in
            try db.execute(
                sql: """
                    UPDATE approval_requests SET state = 'executed', outcome = ?, finished_ms = ?
                    WHERE id = ? AND state = 'executing'
                    """,
                arguments: [Self.text(outcome), now, id])
        }
    }

    public func interruptRunning(at now: Int64) throws(ApprovalStoreError) -> [ApprovalRequest] {
        try write("mark interrupted requests") { db in
            let running = try Row.fetchAll(db, sql: "SELECT * FROM approval_requests WHERE state = 'executing'")
                .map(Self.decode)
            try db.execute(
                sql: "UPDATE approval_requests SET state = 'interrupted', finished_ms = ? WHERE state = 'executing'",
                arguments: [now])
            return running.map { var r = $0; r.state = .interrupted; return r }
        }
    }

    static func text(_ value: JSONValue) -> String { String(decoding: CanonicalJSONWriter.bytes(value), as: UTF8.self) }

    static func json(_ text: String?) -> JSONValue? { text.flatMap { try? JSONValue.parse(Array($0.utf8)) } }

    /// A row as a request. A row someone edited into nonsense reads as far as it can; an unknown state reads as
    /// `interrupted`, which runs nothing.
    static func decode(_ row: Row) -> ApprovalRequest {
        var r = ApprovalRequest(
            id: row["id"], key: row["key"], keyIsExplicit: row["key_is_explicit"], boundDigest: row["bound_digest"],
            tool: row["tool"], plugin: row["plugin"], caller: row["caller"],
            arguments: json(row["arguments"]) ?? .null, rule: row["rule"], group: row["grp"],
            reasons: json(row["reasons"])?.arrayValue?.compactMap(\.stringValue) ?? [],
            findings: json(row["findings"])?.arrayValue ?? [], createdAt: row["created_ms"],
            expiresAt: row["expires_ms"], state: ApprovalRequest.State(rawValue: row["state"]) ?? .interrupted)
        r.decidedAt = row["decided_ms"]
        r.decidedBy = row["decided_by"]
        r.note = row["note"]
        r.statement = (row["statement"] as Data?).map { Array($0) }
        r.decisionSeq = row["decision_seq"]
        r.outcome = json(row["outcome"])
        return r
    }
}
