import Dispatch
import Foundation
import Synchronization
import WardenCore

/// Checks a whole log: every signature, the hash chain, every stored column, and every checkpoint against the
/// Merkle root recomputed from the entries. Reports the first bad entry.
///
/// It trusts nothing stored but the anchor key (or the one it is given): keys change only through key-rotation
/// records signed by the key in force and by the new key. Entries are read in chunks; within a chunk, parsing
/// and signature checks run on every core while the chain is walked in order.
public struct LogVerifier: Sendable {
    /// The key the log must start with; `nil` takes the anchor the log records (which proves the log
    /// consistent, not who wrote it: pin a key you hold with this).
    public var trustedAnchor: Ed25519PublicKey?
    /// Threads for parsing and signature checks.
    public var parallelism: Int
    /// Entries read per chunk.
    public var chunkSize: Int
    /// Signed checkpoints kept outside the log (an earlier export, a witness), in signed-note form: each is checked
    /// like a stored one, so a tail cut together with its stored checkpoints is still caught.
    public var witnessedCheckpoints: [String]

    public init(
        trustedAnchor: Ed25519PublicKey? = nil, witnessedCheckpoints: [String] = [],
        parallelism: Int = ProcessInfo.processInfo.activeProcessorCount, chunkSize: Int = 8192
    ) {
        self.trustedAnchor = trustedAnchor
        self.witnessedCheckpoints = witnessedCheckpoints
        self.parallelism = max(1, parallelism)
        self.chunkSize = max(1, chunkSize)
    }

    /// Verifies `log`.
    /// - Returns: a report whose `failure` names the first problem, or is `nil`.
    /// - Throws: ``LogError`` only when the log cannot be read at all.
    public func verify(_ log: some LogReading) async throws(LogError) -> LogVerificationReport {
        let origin = try await log.origin()
        let recordedAnchor = try await log.anchorKey()
        var walk = ChainWalk(origin: origin, anchor: trustedAnchor ?? recordedAnchor)
        if let trustedAnchor, trustedAnchor != recordedAnchor {
            walk.fail(
                LogVerificationFailure(
                    kind: .untrustedAnchor, seq: nil,
                    message: "the log was created with key \(recordedAnchor.keyid.prefix(16))…, "
                        + "not the trusted key \(trustedAnchor.keyid.prefix(16))…"))
            return walk.report
        }
        walk.loadCheckpoints(try await log.checkpoints(), witnessed: witnessedCheckpoints)
        walk.checkDueCheckpoints()
        let size = chunkSize
        // Three stages overlap: chunk n + 2 is read, chunk n + 1 is parsed and its signatures checked on every
        // core, while chunk n is walked in order on this thread.
        var next = Self.read(log, from: 0, limit: size)
        var current = try await next.value.get()
        var job = current.isEmpty ? nil : startParsing(current, anticipatedKey: walk.activeKey)
        if let last = current.last { next = Self.read(log, from: last.seq + 1, limit: size) }
        while walk.failure == nil, let running = job {
            let rows = current
            var parsed = running.wait()
            let upcoming = try await next.value.get()
            job = upcoming.isEmpty ? nil : startParsing(upcoming, anticipatedKey: walk.activeKey)
            if let last = upcoming.last { next = Self.read(log, from: last.seq + 1, limit: size) }
            current = upcoming
            // Signatures were checked against the key in force when the chunk was handed out. If a rotation in
            // the previous chunk changed it, check this chunk again with the key now in force.
            var anticipated = running.anticipatedKey
            if anticipated != walk.activeKey {
                let key = walk.activeKey
                anticipated = key
                parsed = parallelMap(rows) { ParsedEntry($0, anticipatedKey: key) }
            }
            var stop = rows.count
            var signatureFailure: (index: Int, failure: LogVerificationFailure)?
            for i in rows.indices {
                let key = walk.activeKey
                if signatureFailure == nil, parsed[i].envelope != nil {
                    // Entries after a rotation inside this chunk are checked here with the key the walk hands them.
                    let failure =
                        key == anticipated
                        ? parsed[i].signatureFailure
                        : ParsedEntry.checkSignature(parsed[i].envelope!, key: key, seq: rows[i].seq)
                    if let failure { signatureFailure = (i, failure) }
                }
                walk.step(rows[i], parsed[i])
                if walk.failure != nil {
                    stop = i
                    break
                }
            }
            // A bad signature before the chain's first failure, or on the entry that completed a failing checkpoint,
            // is the first bad entry.
            if let (j, failure) = signatureFailure, walk.failure == nil || j < stop || walk.failure?.seq == nil {
                walk.failure = failure
                walk.checked = rows[j].seq
            }
        }
        _ = job?.wait()
        next.cancel()
        if walk.failure == nil { walk.checkTruncation() }
        return walk.report
    }

    private static func read(_ log: some LogReading, from seq: Int64, limit: Int) -> Task<
        Result<[StoredEntry], LogError>, Never
    > {
        Task {
            do throws(LogError) {
                return .success(try await log.entries(from: seq, limit: limit))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Parses and checks the signatures of `rows` on ``parallelism`` threads, off the caller's thread.
    func startParsing(_ rows: [StoredEntry], anticipatedKey: Ed25519PublicKey) -> ParseJob {
        let job = ParseJob(anticipatedKey: anticipatedKey)
        let verifier = self
        job.group.enter()
        DispatchQueue.global(qos: .userInitiated).async {
            job.result.withLock { $0 = verifier.parallelMap(rows) { ParsedEntry($0, anticipatedKey: anticipatedKey) } }
            job.group.leave()
        }
        return job
    }

    /// `transform` over `items` on ``parallelism`` threads, in order.
    ///
    /// Workers take small runs of indices from a shared counter rather than fixed shares: the chain walk and the
    /// reader run beside them, so a worker is often descheduled, and with fixed shares the other would then
    /// finish early and wait at the end of every chunk.
    func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
        let count = items.count
        guard count > 0 else { return [] }
        let results = UnsafeMutableBufferPointer<R?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        // Each index is written by exactly one worker, and read only after concurrentPerform returns.
        nonisolated(unsafe) let out = results
        let workers = min(parallelism, count)
        let run = 16
        let taken = Atomic<Int>(0)
        items.withUnsafeBufferPointer { buffer in
            nonisolated(unsafe) let input = buffer
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let start = taken.add(run, ordering: .relaxed).oldValue
                    if start >= count { break }
                    for i in start..<min(start + run, count) { out[i] = transform(input[i]) }
                }
            }
        }
        return results.map { $0! }
    }
}

/// The parsing of one chunk, running on other threads.
final class ParseJob: Sendable {
    let anticipatedKey: Ed25519PublicKey
    let group = DispatchGroup()
    let result = Mutex<[ParsedEntry]>([])

    init(anticipatedKey: Ed25519PublicKey) { self.anticipatedKey = anticipatedKey }

    /// Blocks until the chunk is parsed. The work runs on dispatch threads, never waiting on this one.
    func wait() -> [ParsedEntry] {
        group.wait()
        return result.withLock { $0 }
    }
}
