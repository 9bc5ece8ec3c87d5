// The log benchmark: appends/s sustained with group commit, beside raw Ed25519 signing and raw SQLite inserts of
// the same rows in the same run, and `warden audit verify`'s time over 100,000 entries.
//
//     make bench-log      (or: swift run -c release warden-log-bench [--entries N] [--runs R] [--producers P] [--json])
//
// Every figure is the median of R runs. The log runs with the default options (WAL, synchronous = FULL).
import Dispatch
import Foundation
import GRDB
import WardenCore
import WardenStore

struct Arguments {
    var entries = 100_000
    var runs = 5
    var producers = 256
    var json = false
    /// Only verify the log at this path (for profiling the verifier).
    var verifyOnly: String?
    /// Only run the append measurement (for profiling the writer).
    var appendOnly = false

    init() {
        var args = CommandLine.arguments.dropFirst()
        while let arg = args.popFirst() {
            switch arg {
            case "--entries": entries = Int(args.popFirst() ?? "") ?? entries
            case "--runs": runs = Int(args.popFirst() ?? "") ?? runs
            case "--producers": producers = Int(args.popFirst() ?? "") ?? producers
            case "--json": json = true
            case "--profile", "--verify-phases", "--keep": break
            case "--verify-only": verifyOnly = args.popFirst()
            case "--append-only": appendOnly = true
            default:
                FileHandle.standardError.write(Data("unknown argument \(arg)\n".utf8))
                exit(2)
            }
        }
    }
}

/// CPU seconds (user + system) this process has used: with the wall time it shows what other load on the machine
/// took away.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return s(usage.ru_utime) + s(usage.ru_stime)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// A typical invocation record: about 1 KiB of JSON.
func sampleRecord() -> InvocationRecord {
    let (arguments, _) = try! RecordedArguments.redacting(
        ["url": "https://example.com/api/items?page=2", "headers": ["Authorization": "Bearer abc", "Accept": "json"]],
        selectors: ["authorization"])
    return InvocationRecord(
        invocationID: UUID().uuidString, caller: "mcp:bench-client", tool: "http.fetch", arguments: arguments,
        plugin: .init(
            name: "http", version: "1.0.0", manifestDigest: ContentDigest.sha256(Array("manifest".utf8)),
            binaryDigest: ContentDigest.sha256(Array("binary".utf8))),
        toolDefinitionDigest: ContentDigest.sha256(Array("definition".utf8)),
        sandbox: .init(specDigest: ContentDigest.sha256(Array("spec".utf8)), landlockABI: 6),
        policySetDigest: ContentDigest.sha256(Array("policies".utf8)),
        decision: .init(effect: .allow, ruleIDs: ["http-allow-example"], reasons: ["example.com is allowed"]),
        findings: [
            Finding(
                ruleID: "secrets-bearer", category: "secrets", severity: .medium, path: "$.headers", excerpt: "Bearer …"
            )
        ],
        result: RecordedResult.bounded([
            "content": [["type": "text", "text": .string(String(repeating: "x", count: 300))]]
        ]),
        timings: .init(started: Date(), totalMS: 12.5, stagesMS: ["policy": 0.4, "execute": 11.2]), outcome: .ok)
}

func temporaryFolder() -> String {
    var template = Array((NSTemporaryDirectory() + "/warden-log-bench-XXXXXX").utf8CString)
    return String(cString: mkdtemp(&template)!)
}

let arguments = Arguments()
if let path = arguments.verifyOnly {
    let reader = try SQLiteLogStore.openReadOnly(path: path)
    let cpu = cpuSeconds()
    var report: LogVerificationReport?
    let t = try await seconds { report = try await LogVerifier().verify(reader) }
    print(
        String(
            format: "verified %lld entries in %.2f s (%.2f s CPU): %@", report?.entriesChecked ?? 0, t,
            cpuSeconds() - cpu, report?.ok == true ? "ok" : "\(String(describing: report?.failure))"))
    if CommandLine.arguments.contains("--verify-phases") {
        // The floor: only the signature checks of every entry, already parsed, on every core.
        var rows: [StoredEntry] = []
        var next: Int64 = 0
        while case let chunk = try await reader.entries(from: next, limit: 8192), !chunk.isEmpty {
            next += Int64(chunk.count)
            rows.append(contentsOf: chunk)
        }
        let envelopes = rows.map { try! DSSEEnvelope.parse($0.envelopeBytes) }
        let anchor = try await reader.anchorKey()
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let signatureCPU = cpuSeconds()
        let tSignatures = seconds {
            DispatchQueue.concurrentPerform(iterations: cores) { worker in
                for i in stride(from: worker, to: envelopes.count, by: cores) {
                    _ = anchor.isValidSignature(envelopes[i].signatures[0].sig, for: envelopes[i].pae)
                }
            }
        }
        print(
            String(
                format: "signatures alone, %d threads: %.2f s (%.2f s CPU)", cores, tSignatures,
                cpuSeconds() - signatureCPU))
    }
    exit(report?.ok == true ? 0 : 1)
}
let payload = sampleRecord().payloadBytes()
let key = Ed25519SigningKey.generate()
let folder = temporaryFolder()

let payloadValueForProfile = try JSONValue.parse(payload)
if arguments.appendOnly {
    let store = try SQLiteLogStore.open(path: "\(folder)/append.db", signingKey: key)
    let n = arguments.entries
    let producers = arguments.producers
    let cpu = cpuSeconds()
    let t = try await seconds {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                let share = n / producers + (p < n % producers ? 1 : 0)
                group.addTask {
                    for _ in 0..<share {
                        _ = try await store.append(payloadType: InvocationRecord.payloadType, payload: payload)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
    try await store.close()
    print(String(format: "%.0f appends/s, %.1f µs CPU each", Double(n) / t, (cpuSeconds() - cpu) / Double(n) * 1e6))
    try? FileManager.default.removeItem(atPath: folder)
    exit(0)
}

// 1. Raw Ed25519 signing of the PAE of a bound payload (one core).
let position = LogPosition(seq: 0, previousHash: LogPosition.genesisHash, timeMilliseconds: 0)
let pae = DSSEEnvelope.pae(payloadType: InvocationRecord.payloadType, payload: position.bind(payload))
let signRates = (0..<arguments.runs).map { _ -> Double in
    let n = 20_000
    let t = seconds { for _ in 0..<n { _ = key.signature(for: pae) } }
    return Double(n) / t
}
let signature = key.signature(for: pae)
let verifyRates = (0..<arguments.runs).map { _ -> Double in
    let n = 5_000
    let t = seconds { for _ in 0..<n { precondition(key.publicKey.isValidSignature(signature, for: pae)) } }
    return Double(n) / t
}

if CommandLine.arguments.contains("--profile") {
    // Per-step costs of the append and verify paths, in microseconds per call.
    let bound = position.bind(payload)
    let env = DSSEEnvelope.sign(payloadType: InvocationRecord.payloadType, payload: bound, keys: [key])
    let bytes = env.serializedBytes()
    let b64 = LenientBase64.encode(bound)
    func time(_ name: String, _ n: Int = 20_000, _ body: () -> Void) {
        let t = seconds { for _ in 0..<n { body() } }
        print(String(format: "%-28@ %8.2f µs", name, t / Double(n) * 1e6))
    }
    let rec = sampleRecord()
    let value = rec.jsonValue
    time("record.payloadBytes", 5_000) { _ = rec.payloadBytes() }
    time("JSONValue.serializedBytes", 5_000) { _ = value.serializedBytes() }
    time("LogRecordEncoder.encode", 5_000) { _ = try! LogRecordEncoder.encode(rec) }
    time("CanonicalJSONWriter.bytes", 5_000) { _ = CanonicalJSONWriter.bytes(value) }
    time("checkBindable(payload)") { _ = try! LogPosition.checkBindable(payload) }
    time("bind") { _ = position.bind(payload) }
    time("sign", 5_000) { _ = key.signature(for: pae) }
    time("serializedBytes(envelope)") { _ = env.serializedBytes() }
    time("base64 encode") { _ = LenientBase64.encode(bound) }
    time("base64 decode") { _ = LenientBase64.decode(b64) }
    time("entryHash") { _ = LogPosition.entryHash(envelopeBytes: bytes) }
    time("DSSEEnvelope.parse") { _ = try! DSSEEnvelope.parse(bytes) }
    time("JSONValue.parse(payload)") { _ = try! JSONValue.parse(bound) }
    time("verify", 2_000) { _ = key.publicKey.isValidSignature(signature, for: pae) }
    let parallel = seconds {
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for _ in 0..<2_000 { _ = key.publicKey.isValidSignature(signature, for: pae) }
        }
    }
    print(String(format: "%-28@ %8.2f µs", "verify, 2 threads (per call)", parallel / 4_000 * 1e6))
    try? FileManager.default.removeItem(atPath: folder)
    exit(0)
}

// 2. Raw SQLite inserts of the same rows (same table, indexes and pragmas), 1,000 per transaction.
let envelope = DSSEEnvelope.sign(
    payloadType: InvocationRecord.payloadType, payload: position.bind(payload), keys: [key])
let row = Data(envelope.serializedBytes())
let hash = Data(LogPosition.entryHash(envelopeBytes: Array(row)))
var insertRates: [Double] = []
for run in 0..<arguments.runs {
    var configuration = Configuration()
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    let pool = try DatabasePool(path: "\(folder)/raw-\(run).db", configuration: configuration)
    try pool.write { db in
        try db.execute(
            sql: """
                CREATE TABLE log_entries (seq INTEGER PRIMARY KEY NOT NULL, payload_type TEXT NOT NULL,
                    time_ms INTEGER NOT NULL, tool TEXT, envelope BLOB NOT NULL, hash BLOB NOT NULL);
                CREATE INDEX log_entries_time ON log_entries(time_ms);
                CREATE INDEX log_entries_tool ON log_entries(tool) WHERE tool IS NOT NULL;
                CREATE INDEX log_entries_type ON log_entries(payload_type);
                """)
    }
    let n = arguments.entries
    let t = try seconds {
        var seq = 0
        while seq < n {
            try pool.write { db in
                let insert = try db.cachedStatement(
                    sql:
                        "INSERT INTO log_entries (seq, payload_type, time_ms, tool, envelope, hash) VALUES (?, ?, ?, ?, ?, ?)"
                )
                for _ in 0..<min(1000, n - seq) {
                    insert.setUncheckedArguments([seq, InvocationRecord.payloadType, seq, "http.fetch", row, hash])
                    try insert.execute()
                    seq += 1
                }
            }
        }
    }
    insertRates.append(Double(n) / t)
}

// 3. Log appends: `producers` tasks appending concurrently until `entries` are in; group commit batches them.
// Even runs append the typed record (encoded on each append, as the kernel does), odd runs the same payload as
// bytes, which the log parses to check.
let record = sampleRecord()
var appendRates: [Double] = []
var appendCPU: [Double] = []
var bytesRates: [Double] = []
var lastLog = ""
for run in 0..<(2 * arguments.runs) {
    let typed = run % 2 == 0
    let path = "\(folder)/log-\(run).db"
    let store = try SQLiteLogStore.open(path: path, signingKey: key)
    let n = arguments.entries
    let producers = arguments.producers
    let cpu = cpuSeconds()
    let t = try await seconds {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for p in 0..<producers {
                let share = n / producers + (p < n % producers ? 1 : 0)
                group.addTask {
                    for _ in 0..<share {
                        if typed {
                            _ = try await store.append(record)
                        } else {
                            _ = try await store.append(payloadType: InvocationRecord.payloadType, payload: payload)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
    try await store.close()
    if typed {
        appendCPU.append((cpuSeconds() - cpu) / Double(n) * 1e6)
        appendRates.append(Double(n) / t)
        lastLog = path
    } else {
        bytesRates.append(Double(n) / t)
    }
}

if CommandLine.arguments.contains("--verify-phases") {
    let reader = try SQLiteLogStore.openReadOnly(path: lastLog)
    var rows: [StoredEntry] = []
    let tRead = try await seconds {
        var next: Int64 = 0
        while true {
            let chunk = try await reader.entries(from: next, limit: 8192)
            if chunk.isEmpty { break }
            next += Int64(chunk.count)
            rows.append(contentsOf: chunk)
        }
    }
    var envelopes: [DSSEEnvelope] = []
    let tParse = seconds { envelopes = rows.map { try! DSSEEnvelope.parse($0.envelopeBytes) } }
    let tHash = seconds { for r in rows { _ = LogPosition.entryHash(envelopeBytes: r.envelopeBytes) } }
    let tPosition = seconds { for e in envelopes { _ = try! LogPosition(boundPayload: e.payload) } }
    let tVerify = seconds {
        for e in envelopes.prefix(10_000) { _ = key.publicKey.isValidSignature(e.signatures[0].sig, for: e.pae) }
    }
    print(
        String(
            format: "read %.2f s, parse %.2f s, hash %.2f s, position %.2f s, verify(10k) %.2f s (one thread)",
            tRead, tParse, tHash, tPosition, tVerify))
}

// 4. Verification of the last log (all signatures, chain, checkpoints), as `warden audit verify` does it.
var verifyTimes: [Double] = []
var verifyCPU: [Double] = []
var verified = true
for _ in 0..<arguments.runs {
    let reader = try SQLiteLogStore.openReadOnly(path: lastLog)
    var report: LogVerificationReport?
    let cpu = cpuSeconds()
    let t = try await seconds { report = try await LogVerifier().verify(reader) }
    verifyCPU.append(cpuSeconds() - cpu)
    verified = verified && report?.ok == true && report?.entriesChecked == Int64(arguments.entries)
    verifyTimes.append(t)
}

let results: JSONValue = [
    "entries": .int(Int64(arguments.entries)), "runs": .int(Int64(arguments.runs)),
    "producers": .int(Int64(arguments.producers)), "payload_bytes": .int(Int64(payload.count)),
    "envelope_bytes": .int(Int64(row.count)), "cores": .int(Int64(ProcessInfo.processInfo.activeProcessorCount)),
    "ed25519_sign_per_s": .double(median(signRates).rounded()),
    "ed25519_verify_per_s": .double(median(verifyRates).rounded()),
    "sqlite_insert_per_s": .double(median(insertRates).rounded()),
    "log_append_per_s": .double(median(appendRates).rounded()),
    "log_append_bytes_per_s": .double(median(bytesRates).rounded()),
    "append_vs_sign": .double((median(appendRates) / median(signRates) * 100).rounded() / 100),
    "append_vs_insert": .double((median(appendRates) / median(insertRates) * 100).rounded() / 100),
    "verify_seconds": .double((median(verifyTimes) * 100).rounded() / 100),
    "verify_cpu_seconds": .double((median(verifyCPU) * 100).rounded() / 100),
    "append_cpu_us_per_entry": .double((median(appendCPU) * 10).rounded() / 10),
    "verified": .bool(verified),
]
if arguments.json {
    print(results.prettyPrinted())
} else {
    print(
        "entries \(arguments.entries), \(arguments.runs) runs (medians), \(arguments.producers) producers, "
            + "\(ProcessInfo.processInfo.activeProcessorCount) cores, envelope \(row.count) bytes")
    print(String(format: "raw Ed25519 sign       %10.0f /s", median(signRates)))
    print(String(format: "raw Ed25519 verify     %10.0f /s", median(verifyRates)))
    print(
        String(
            format: "raw SQLite insert      %10.0f /s  (synchronous=FULL, 1000 per transaction)", median(insertRates)))
    print(
        String(
            format: "log append             %10.0f /s  (%.2f x raw signing, %.2f x raw inserts; %.1f µs CPU each)",
            median(appendRates), median(appendRates) / median(signRates), median(appendRates) / median(insertRates),
            median(appendCPU)))
    print(
        String(
            format: "log append (bytes)     %10.0f /s  (payload given as bytes: parsed to check it)", median(bytesRates)
        ))
    print(
        String(
            format: "verify %d entries   %7.2f s  (%@; %.2f s CPU)", arguments.entries, median(verifyTimes),
            verified ? "ok" : "FAILED", median(verifyCPU)))
}
if CommandLine.arguments.contains("--keep") {
    print("kept \(lastLog)")
} else {
    try? FileManager.default.removeItem(atPath: folder)
}
if !verified { exit(1) }
