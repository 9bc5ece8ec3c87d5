import Foundation
import GRDB
import WardenCore

/// The log's tables in SQLite. Tables are prefixed `log_` so that other stores (approvals) can share the file.
///
/// Triggers refuse `UPDATE` and `DELETE` on entries and checkpoints: the application cannot rewrite history by
/// mistake. Someone with the file can drop them, which is why every entry is signed and chained.
enum LogSchema {
    static let version = "1"

    static func create(_ db: Database, origin: String, anchor: Ed25519PublicKey, now: Int64) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS log_entries (
                    seq INTEGER PRIMARY KEY NOT NULL CHECK (seq >= 0),
                    payload_type TEXT NOT NULL,
                    time_ms INTEGER NOT NULL,
                    tool TEXT,
                    envelope BLOB NOT NULL,
                    hash BLOB NOT NULL CHECK (length(hash) = 32));
                CREATE INDEX IF NOT EXISTS log_entries_time ON log_entries(time_ms);
                CREATE INDEX IF NOT EXISTS log_entries_tool ON log_entries(tool) WHERE tool IS NOT NULL;
                CREATE INDEX IF NOT EXISTS log_entries_type ON log_entries(payload_type);
                CREATE TABLE IF NOT EXISTS log_checkpoints (
                    tree_size INTEGER PRIMARY KEY NOT NULL CHECK (tree_size >= 0),
                    root BLOB NOT NULL,
                    time_ms INTEGER NOT NULL,
                    note TEXT NOT NULL,
                    frontier BLOB NOT NULL);
                CREATE TRIGGER IF NOT EXISTS log_entries_append_only_update BEFORE UPDATE ON log_entries
                    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
                CREATE TRIGGER IF NOT EXISTS log_entries_append_only_delete BEFORE DELETE ON log_entries
                    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
                CREATE TRIGGER IF NOT EXISTS log_checkpoints_append_only_update BEFORE UPDATE ON log_checkpoints
                    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
                CREATE TRIGGER IF NOT EXISTS log_checkpoints_append_only_delete BEFORE DELETE ON log_checkpoints
                    BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END;
                """)
        let existing = try String.fetchOne(db, sql: "SELECT value FROM log_meta WHERE key = 'schema_version'")
        if let existing {
            guard existing == version else {
                throw LogError(
                    .corrupt, "the log's schema version is \(existing); this Warden reads version \(version)")
            }
            return
        }
        for (key, value) in [
            ("schema_version", version), ("origin", origin), ("anchor_public", anchor.hex),
            ("created", RFC3339Time.format(milliseconds: now)),
        ] {
            try db.execute(sql: "INSERT INTO log_meta (key, value) VALUES (?, ?)", arguments: [key, value])
        }
    }

    static func meta(_ db: Database, _ key: String) throws -> String {
        guard let value = try String.fetchOne(db, sql: "SELECT value FROM log_meta WHERE key = ?", arguments: [key])
        else { throw LogError(.corrupt, "the log has no \(key) in its metadata") }
        return value
    }

    static func hasLog(_ db: Database) throws -> Bool {
        try db.tableExists("log_meta") && db.tableExists("log_entries") && db.tableExists("log_checkpoints")
    }
}
