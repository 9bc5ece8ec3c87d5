import Dispatch
import Foundation
import GRDB
import Synchronization
import WardenCore

/// The single writer of one log: group commit in two stages.
///
/// Appends from any number of tasks queue up in ``State``. A serial *signer* queue takes them in chunks of at most
/// ``signChunk`` and, in order, gives each its position (sequence number, previous hash, time), signs it (DSSE,
/// Ed25519), hashes it and adds it to the Merkle accumulator; it signs a checkpoint when one is due. Each signed
/// chunk goes to the *commit* inbox; a serial commit queue takes every chunk waiting there (up to
/// ``LogOptions/maxBatch`` entries), inserts them in one SQLite transaction and only afterwards resumes the callers
/// with their receipts. Signing overlaps committing, and one `fsync` covers whatever was signed while the previous
/// one ran.
///
/// A failed commit poisons the writer: the signer has already handed out the following positions, so
/// everything after is refused with ``LogError/Code/writerFailed`` until the log is reopened (which resumes from
/// what is on disk). Fail closed: the kernel then refuses to run tools it cannot record.
final class LogWriter: Sendable {
    enum Work {
        case record(payloadType: String, payload: [UInt8], tool: String?, reply: Reply<LogReceipt>)
        case rotate(newKey: Ed25519SigningKey, reason: String?, reply: Reply<LogReceipt>)
        case checkpoint(reply: Reply<StoredCheckpoint?>)
        case close(reply: Reply<StoredCheckpoint?>)
    }

    typealias Reply<T> = CheckedContinuation<Result<T, LogError>, Never>

    struct State {
        var pending: [Work] = []
        var scheduled = false
        var closed = false
        var failure: LogError?
    }

    /// What only the signer queue touches (kept in a `Mutex` for `Sendable`; never contended).
    struct SignerState {
        var key: Ed25519SigningKey
        var nextSeq: Int64
        var previousHash: [UInt8]
        var lastTime: Int64
        var tree: MerkleAccumulator
        var lastCheckpointSize: Int64
        var lastCheckpointTime: Int64
        var finished = false
    }

    struct PreparedCheckpoint: Sendable {
        var checkpoint: StoredCheckpoint
        var frontier: [UInt8]
    }

    /// One transaction's worth of work and who to tell.
    struct CommitBatch: Sendable {
        var entries: [StoredEntry] = []
        var checkpoints: [PreparedCheckpoint] = []
        /// Who waits for each entry (same order as `entries`), and for each checkpoint request.
        var entryReplies: [Reply<LogReceipt>] = []
        var checkpointReplies: [(reply: Reply<StoredCheckpoint?>, checkpoint: StoredCheckpoint?)] = []

        /// Tells everyone waiting on this batch that it failed.
        func fail(_ error: LogError) {
            for reply in entryReplies { reply.resume(returning: .failure(error)) }
            for (reply, _) in checkpointReplies { reply.resume(returning: .failure(error)) }
        }

        /// Hands out the receipts (hex is made here, off the signer's path) and the checkpoints.
        func succeed() {
            for (entry, reply) in zip(entries, entryReplies) {
                reply.resume(returning: .success(LogReceipt(seq: entry.seq, hash: HexEncoding.encode(entry.hash))))
            }
            for (reply, checkpoint) in checkpointReplies { reply.resume(returning: .success(checkpoint)) }
        }
    }

    let pool: DatabasePool
    let origin: String
    let options: LogOptions
    let clock: any LogClock
    let state = Mutex(State())
    let signer: Mutex<SignerState>
    /// Signed chunks waiting for the commit queue, and whether a drain of them is scheduled.
    let inbox = Mutex((batches: [CommitBatch](), scheduled: false))
    let signerQueue = DispatchQueue(label: "warden.log.signer", qos: .userInitiated)
    let commitQueue = DispatchQueue(label: "warden.log.commit", qos: .userInitiated)
    let timer: TimerBox
    /// The most entries the signer takes before handing them to the commit stage. Small, so that the commit of
    /// one chunk runs while the next is signed: when the signer took everything pending at once, every waiting
    /// caller sat in the same batch and signing and the disk took turns instead of overlapping (measured with
    /// 256 concurrent appenders: 16,000–18,500/s with whole batches, 21,000–23,500/s with chunks of 32–128).
    static let signChunk = 64

    init(pool: DatabasePool, origin: String, options: LogOptions, clock: any LogClock, resume: SignerState) {
        self.pool = pool
        self.origin = origin
        self.options = options
        self.clock = clock
        self.signer = Mutex(resume)
        self.timer = TimerBox(queue: signerQueue)
        timer.start(interval: options.checkpointInterval) { [weak self] in self?.checkpointIfIdleTooLong() }
    }

    /// The current signing key's public half.
    var publicKey: Ed25519PublicKey { signer.withLock { $0.key.publicKey } }

    // MARK: - Entry points

    func append(payloadType: String, payload: [UInt8]) async throws(LogError) -> LogReceipt {
        let tool = try validate(payloadType: payloadType, payload: payload)
        let result = await withCheckedContinuation { (reply: Reply<LogReceipt>) in
            submit(.record(payloadType: payloadType, payload: payload, tool: tool, reply: reply)) {
                reply.resume(returning: .failure($0))
            }
        }
        return try result.get()
    }

    /// Appends a record's own encoding: only the size is checked (see ``SQLiteLogStore/append(_:)``).
    func append(payloadType: String, encodedRecord payload: [UInt8], tool: String?) async throws(LogError) -> LogReceipt
    {
        guard payload.count <= options.maxPayloadBytes else {
            throw LogError(
                .invalidPayload, "payload of \(payload.count) bytes exceeds the log's cap of \(options.maxPayloadBytes)"
            )
        }
        let result = await withCheckedContinuation { (reply: Reply<LogReceipt>) in
            submit(.record(payloadType: payloadType, payload: payload, tool: tool, reply: reply)) {
                reply.resume(returning: .failure($0))
            }
        }
        return try result.get()
    }

    func rotate(to newKey: Ed25519SigningKey, reason: String?) async throws(LogError) -> LogReceipt {
        let result = await withCheckedContinuation { (reply: Reply<LogReceipt>) in
            submit(.rotate(newKey: newKey, reason: reason, reply: reply)) { reply.resume(returning: .failure($0)) }
        }
        return try result.get()
    }

    func checkpoint() async throws(LogError) -> StoredCheckpoint? {
        let result = await withCheckedContinuation { (reply: Reply<StoredCheckpoint?>) in
            submit(.checkpoint(reply: reply)) { reply.resume(returning: .failure($0)) }
        }
        return try result.get()
    }

    func close() async throws(LogError) {
        let result = await withCheckedContinuation { (reply: Reply<StoredCheckpoint?>) in
            submit(.close(reply: reply), closing: true) { reply.resume(returning: .failure($0)) }
        }
        timer.cancel()
        _ = try result.get()
        do {
            // Fold the WAL into the main file so that the file alone holds the whole log.
            try await pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        } catch {
            throw LogError(.storage, "the log was closed but its WAL could not be folded in: \(error)")
        }
    }

    /// Checks a payload before it is queued (on the caller's thread, so the signer stays lean) and returns the
    /// tool an invocation names.
    func validate(payloadType: String, payload: [UInt8]) throws(LogError) -> String? {
        try checkPayloadType(payloadType)
        guard payload.count <= options.maxPayloadBytes else {
            throw LogError(
                .invalidPayload, "payload of \(payload.count) bytes exceeds the log's cap of \(options.maxPayloadBytes)"
            )
        }
        let object: JSONObjectCheck
        do {
            object = try LogPosition.checkBindable(payload)
        } catch {
            throw LogError(.invalidPayload, error.description)
        }
        return payloadType == LogPayloadType.invocation ? object.string("tool") : nil
    }

    func checkPayloadType(_ payloadType: String) throws(LogError) {
        guard !payloadType.isEmpty, payloadType.utf8.count <= 256,
            payloadType.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw LogError(
                .invalidPayload,
                "payload type \"\(payloadType)\" must be 1–256 printable ASCII characters")
        }
    }

    private func submit(_ work: Work, closing: Bool = false, refuse: (LogError) -> Void) {
        enum Action {
            case refuse(LogError)
            case schedule, none
        }
        let action = state.withLock { s -> Action in
            if let failure = s.failure { return .refuse(failure) }
            if s.closed { return .refuse(LogError(.closed, "the log is closed")) }
            if closing { s.closed = true }
            s.pending.append(work)
            if s.scheduled { return .none }
            s.scheduled = true
            return .schedule
        }
        switch action {
        case .refuse(let error): refuse(error)
        case .schedule: signerQueue.async { self.drain() }
        case .none: break
        }
    }

    // MARK: - Signer stage

    /// Runs on the signer queue until nothing is pending.
    private func drain() {
        while true {
            let taken = state.withLock { s -> (work: [Work], failure: LogError?)? in
                if s.pending.isEmpty {
                    s.scheduled = false
                    return nil
                }
                let work: [Work]
                let chunk = min(Self.signChunk, options.maxBatch)
                if s.pending.count <= chunk {
                    work = s.pending
                    s.pending = []
                } else {
                    work = Array(s.pending.prefix(chunk))
                    s.pending.removeFirst(chunk)
                }
                return (work, s.failure)
            }
            guard let taken else { return }
            if let failure = taken.failure {
                for work in taken.work { Self.fail(work, failure) }
                continue
            }
            let batch = signer.withLock { prepare(taken.work, signer: &$0) }
            enqueueCommit(batch)
        }
    }

    private func prepare(_ works: [Work], signer s: inout SignerState) -> CommitBatch {
        var batch = CommitBatch()
        batch.entries.reserveCapacity(works.count)
        batch.entryReplies.reserveCapacity(works.count)
        let now = max(clock.nowMilliseconds(), s.lastTime)
        s.lastTime = now
        for work in works {
            guard !s.finished else {
                Self.fail(work, LogError(.closed, "the log is closed"))
                continue
            }
            switch work {
            case .record(let payloadType, let payload, let tool, let reply):
                let entry = sign(payloadType: payloadType, payload: payload, tool: tool, keys: [s.key], time: now, &s)
                batch.add(entry, reply: reply)
                if s.nextSeq - s.lastCheckpointSize >= Int64(options.checkpointEvery) {
                    batch.checkpoints.append(makeCheckpoint(&s, time: now))
                }
            case .rotate(let newKey, let reason, let reply):
                let record = KeyRotationRecord(
                    oldKey: s.key.publicKey, newKey: newKey.publicKey, reason: reason,
                    time: Date(timeIntervalSince1970: Double(now) / 1000))
                let entry = sign(
                    payloadType: KeyRotationRecord.payloadType, payload: record.payloadBytes(), tool: nil,
                    keys: [s.key, newKey], time: now, &s)
                s.key = newKey
                batch.add(entry, reply: reply)
            case .checkpoint(let reply), .close(let reply):
                if case .close = work { s.finished = true }
                var latest: StoredCheckpoint?
                if s.nextSeq > s.lastCheckpointSize {
                    let prepared = makeCheckpoint(&s, time: now)
                    batch.checkpoints.append(prepared)
                    latest = prepared.checkpoint
                }
                batch.checkpointReplies.append((reply, latest))
            }
        }
        return batch
    }

    private func sign(
        payloadType: String, payload: [UInt8], tool: String?, keys: [Ed25519SigningKey], time: Int64,
        _ s: inout SignerState
    ) -> StoredEntry {
        let position = LogPosition(seq: s.nextSeq, previousHash: s.previousHash, timeMilliseconds: time)
        let envelope = DSSEEnvelope.sign(payloadType: payloadType, payload: position.bind(payload), keys: keys)
        let bytes = envelope.serializedBytes()
        let hash = LogPosition.entryHash(envelopeBytes: bytes)
        s.tree.append(leafHash: hash)
        s.previousHash = hash
        s.nextSeq += 1
        return StoredEntry(
            seq: position.seq, payloadType: payloadType, timeMilliseconds: time, tool: tool, envelopeBytes: bytes,
            hash: hash)
    }

    private func makeCheckpoint(_ s: inout SignerState, time: Int64) -> PreparedCheckpoint {
        let checkpoint = Checkpoint(
            origin: origin, treeSize: UInt64(s.nextSeq), rootHash: s.tree.root,
            time: Date(timeIntervalSince1970: Double(time) / 1000))
        // The origin was checked when the log was opened and the body holds no blank line: signing cannot fail.
        guard let note = try? checkpoint.signed(with: s.key) else {
            preconditionFailure("checkpoint for \(origin) could not be signed")
        }
        s.lastCheckpointSize = s.nextSeq
        s.lastCheckpointTime = time
        return PreparedCheckpoint(
            checkpoint: StoredCheckpoint(
                treeSize: s.nextSeq, rootHash: checkpoint.rootHash, timeMilliseconds: time, note: note.formatted),
            frontier: s.tree.frontierBytes)
    }

    /// Runs on the signer queue (the timer's), so every entry signed so far is already queued for commit.
    private func checkpointIfIdleTooLong() {
        guard state.withLock({ $0.failure == nil }) else { return }
        let now = clock.nowMilliseconds()
        let batch = signer.withLock { s -> CommitBatch? in
            guard !s.finished, s.nextSeq > s.lastCheckpointSize,
                Double(now - s.lastCheckpointTime) >= options.checkpointInterval * 1000
            else { return nil }
            let time = max(now, s.lastTime)
            s.lastTime = time
            var batch = CommitBatch()
            batch.checkpoints.append(makeCheckpoint(&s, time: time))
            return batch
        }
        guard let batch else { return }
        enqueueCommit(batch)
    }

    private static func fail(_ work: Work, _ error: LogError) {
        switch work {
        case .record(_, _, _, let reply), .rotate(_, _, let reply): reply.resume(returning: .failure(error))
        case .checkpoint(let reply), .close(let reply): reply.resume(returning: .failure(error))
        }
    }

    // MARK: - Commit stage

    /// Hands a signed chunk to the commit stage (called on the signer queue, so chunks arrive in order).
    private func enqueueCommit(_ batch: CommitBatch) {
        let schedule = inbox.withLock { inbox -> Bool in
            inbox.batches.append(batch)
            if inbox.scheduled { return false }
            inbox.scheduled = true
            return true
        }
        if schedule { commitQueue.async { self.drainCommits() } }
    }

    /// Runs on the commit queue until the inbox is empty: every chunk waiting (up to `maxBatch` entries, at least
    /// one chunk) goes into one transaction.
    private func drainCommits() {
        while true {
            let taken = inbox.withLock { inbox -> [CommitBatch]? in
                guard !inbox.batches.isEmpty else {
                    inbox.scheduled = false
                    return nil
                }
                var count = 0
                var take = 0
                for batch in inbox.batches {
                    if take > 0 && count + batch.entries.count > options.maxBatch { break }
                    count += batch.entries.count
                    take += 1
                }
                defer { inbox.batches.removeFirst(take) }
                return Array(inbox.batches.prefix(take))
            }
            guard let taken else { return }
            commit(taken.count == 1 ? taken[0] : CommitBatch(merging: taken))
        }
    }

    private func commit(_ batch: CommitBatch) {
        if let failure = state.withLock({ $0.failure }) {
            batch.fail(failure)
            return
        }
        do {
            try pool.write { db in
                if !batch.entries.isEmpty {
                    let insert = try db.cachedStatement(
                        sql:
                            "INSERT INTO log_entries (seq, payload_type, time_ms, tool, envelope, hash) "
                            + "VALUES (?, ?, ?, ?, ?, ?)"
                    )
                    for e in batch.entries {
                        insert.setUncheckedArguments([
                            e.seq, e.payloadType, e.timeMilliseconds, e.tool, Data(e.envelopeBytes), Data(e.hash),
                        ])
                        try insert.execute()
                    }
                }
                for c in batch.checkpoints {
                    try db.execute(
                        sql:
                            "INSERT INTO log_checkpoints (tree_size, root, time_ms, note, frontier) "
                            + "VALUES (?, ?, ?, ?, ?)",
                        arguments: [
                            c.checkpoint.treeSize, Data(c.checkpoint.rootHash), c.checkpoint.timeMilliseconds,
                            c.checkpoint.note, Data(c.frontier),
                        ])
                }
            }
        } catch {
            let failure = LogError(.writerFailed, "the log could not be written (\(error)); reopen it to recover")
            state.withLock { $0.failure = failure }
            batch.fail(LogError(.storage, "the log could not be written: \(error)"))
            return
        }
        batch.succeed()
    }
}

extension LogWriter.CommitBatch {
    /// Chunks in signing order as one batch.
    init(merging chunks: [LogWriter.CommitBatch]) {
        self.init()
        for chunk in chunks {
            entries += chunk.entries
            checkpoints += chunk.checkpoints
            entryReplies += chunk.entryReplies
            checkpointReplies += chunk.checkpointReplies
        }
    }

    mutating func add(_ entry: StoredEntry, reply: LogWriter.Reply<LogReceipt>) {
        entries.append(entry)
        entryReplies.append(reply)
    }
}

/// A repeating timer on a queue. `@unchecked Sendable`: the dispatch source is created once and only started and
/// cancelled afterwards, both of which libdispatch allows from any thread.
final class TimerBox: @unchecked Sendable {
    private let source: any DispatchSourceTimer

    init(queue: DispatchQueue) {
        source = DispatchSource.makeTimerSource(queue: queue)
    }

    func start(interval: TimeInterval, _ handler: @escaping @Sendable () -> Void) {
        let nanoseconds = Int(max(interval, 0.01) * 1_000_000_000)
        source.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        source.setEventHandler(handler: handler)
        source.resume()
    }

    func cancel() { source.cancel() }

    deinit { source.cancel() }
}
