import Foundation
import Synchronization
import Testing
import WardenCore

@testable import WardenStore

/// A temporary folder removed when the value goes away.
final class TemporaryFolder: Sendable {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/warden-store-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock the test moves by hand.
final class ManualClock: LogClock {
    let milliseconds = Mutex<Int64>(1_750_000_000_000)
    func nowMilliseconds() -> Int64 { milliseconds.withLock { $0 } }
    func advance(by ms: Int64) { milliseconds.withLock { $0 += ms } }
}

enum LogFixture {
    static func invocation(_ i: Int, tool: String = "files.read") -> InvocationRecord {
        InvocationRecord(
            invocationID: "inv-\(i)", caller: "cli:1000", tool: tool,
            arguments: RecordedArguments(unredacted: ["path": .string("notes/\(i).txt")]),
            plugin: .init(name: "files", version: "1.0.0", manifestDigest: "sha256:aa", binaryDigest: "sha256:bb"),
            decision: .init(effect: .allow, ruleIDs: ["allow-reads"], reasons: []),
            result: RecordedResult.bounded(["content": [["type": "text", "text": .string("hello \(i)")]]]),
            timings: .init(started: Date(timeIntervalSince1970: 1_750_000_000), totalMS: 1.5), outcome: .ok)
    }

    static func options(checkpointEvery: Int = 10, interval: TimeInterval = 3600) -> LogOptions {
        var options = LogOptions()
        options.checkpointEvery = checkpointEvery
        options.checkpointInterval = interval
        options.origin = "warden.log/test"
        return options
    }

    /// A closed log of `count` invocations (checkpoint every 10) in `folder/log.db`, and its key.
    static func makeLog(in folder: TemporaryFolder, count: Int, name: String = "log.db") async throws
        -> (path: String, key: Ed25519SigningKey)
    {
        let key = Ed25519SigningKey.generate()
        let path = folder.file(name)
        let store = try SQLiteLogStore.open(path: path, signingKey: key, options: options(), clock: ManualClock())
        for i in 0..<count {
            let tool = i % 3 == 0 ? "shell.run" : "files.read"
            _ = try await store.append(invocation(i, tool: tool))
        }
        try await store.close()
        return (path, key)
    }

    static func verify(_ path: String, anchor: Ed25519PublicKey? = nil) async throws -> LogVerificationReport {
        let reader = try SQLiteLogStore.openReadOnly(path: path)
        return try await LogVerifier(trustedAnchor: anchor, chunkSize: 7).verify(reader)
    }
}
