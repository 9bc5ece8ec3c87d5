import Foundation
import Logging
import WardenCore
import WardenStore

/// The approval wait of the pipeline: holds risky calls as durable requests, takes people's signed decisions, and
/// lets an approved call run exactly once.
///
/// Trust comes from signatures, not rows: before an approved request runs, the approver's statement stored with
/// it is verified again against `Policies/approvers.json` (listed key, group of the holding rule, this request's
/// id and digest, not the caller's own request). A row written into the database by hand runs nothing.
public final class ApprovalQueue: Sendable {
    let store: any ApprovalStore
    let audit: (any LogWriting)?
    let policiesFolder: String
    let logger: Logger
    /// Milliseconds since the Unix epoch; injectable so tests can expire requests without sleeping.
    let now: @Sendable () -> Int64
    let changes = ChangeSignal()

    public init(
        store: any ApprovalStore, audit: (any LogWriting)?, policiesFolder: String, logger: Logger,
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1000) }
    ) {
        self.store = store
        self.audit = audit
        self.policiesFolder = policiesFolder
        self.logger = logger
        self.now = now
    }

    /// A call the policies held, as the pipeline describes it.
    public struct Hold: Sendable {
        public var boundDigest: String
        public var tool: String
        public var plugin: String
        public var caller: String
        public var recordedArguments: JSONValue
        public var settings: ApprovalSettings
        public var reasons: [String]
        public var findings: [JSONValue]

        public init(
            boundDigest: String, tool: String, plugin: String, caller: String, recordedArguments: JSONValue,
            settings: ApprovalSettings, reasons: [String], findings: [JSONValue]
        ) {
            self.boundDigest = boundDigest
            self.tool = tool
            self.plugin = plugin
            self.caller = caller
            self.recordedArguments = recordedArguments
            self.settings = settings
            self.reasons = reasons
            self.findings = findings
        }
    }

    /// What the pipeline does with a held call.
    public enum Gate: Sendable {
        /// Approved, verified and claimed: run it now, then ``finish(_:outcome:)``.
        case run(ApprovalRequest)
        /// It already ran: this is its recorded outcome (it is not run again).
        case recorded(ApprovalRequest, JSONValue)
        /// Still waiting for a person (or running in another call) when the wait ended.
        case pending(ApprovalRequest)
        /// Denied, expired, interrupted, or the approval does not verify: nothing runs.
        case refused(ApprovalRequest?, String)
    }

    /// The command a person runs to decide `id`.
    public static func approveCommand(_ id: String) -> String { "warden approve \(id)" }

    // MARK: Holding

    /// Finds or creates the request for this call and waits up to `wait` for it to be decided.
    ///
    /// `key` is the caller's idempotency key; without one, the bound digest is the key, so calling again with the
    /// same arguments finds the same request. `progress` is told, now and then, which request waits and how to
    /// approve it.
    public func gate(
        _ hold: Hold, key explicitKey: String?, wait: Duration,
        progress: (@Sendable (_ elapsed: Double, _ message: String) -> Void)?
    ) async -> Gate {
        let started = ContinuousClock.now
        let deadline = started + wait
        var request: ApprovalRequest
        do {
            try await sweep()
            request = try find(hold, key: explicitKey) ?? create(hold, key: explicitKey)
        } catch {
            return .refused(nil, "the approval queue failed, so the call does not run: \(error)")
        }
        if request.boundDigest != hold.boundDigest {
            // With the caller's key: the key was used for another call. Without one the key *is* the digest, so a
            // mismatch means a row was edited by hand; either way this call is not the one the request is for.
            return .refused(request, explicitKey != nil
                ? "the idempotency key \(request.key) belongs to request \(request.id) for a different call; use a new "
                    + "key for a different call"
                : "request \(request.id) is bound to a different call than this one; nothing runs")
        }
        var told = ContinuousClock.now - .seconds(3600)
        while true {
            // The caller went away (a closed connection, a cancelled MCP request): it no longer waits. Nothing ran.
            if Task.isCancelled { return .pending(request) }
            let generation = changes.generation
            do {
                try await sweep()
                guard let current = try store.request(id: request.id) else {
                    return .refused(request, "request \(request.id) vanished from the approval queue; nothing ran")
                }
                request = current
            } catch {
                return .refused(request, "the approval queue failed, so the call does not run: \(error)")
            }
            switch request.state {
            case .approved where audit != nil && request.decisionSeq == nil:
                // Decided but not yet in the log (the decider is writing it), or never logged: an approval that is
                // not in the log authorises nothing, so keep waiting.
                let left = deadline - ContinuousClock.now
                if left <= .zero { return .pending(request) }
                await changes.wait(since: generation, timeout: min(left, .milliseconds(200)))
            case .approved:
                // The row is read again on every pass: it must still be this call's, and its approval must verify.
                guard request.boundDigest == hold.boundDigest else {
                    return .refused(request, "request \(request.id) is bound to a different call than this one; nothing runs")
                }
                if let problem = verifyApproval(request) {
                    logger.error("an approved request does not verify", metadata: ["request": "\(request.id)", "why": "\(problem)"])
                    return .refused(request, "the approval of \(request.id) does not verify, so nothing runs: \(problem)")
                }
                do {
                    if try store.claim(id: request.id, at: now()) {
                        request.state = .executing
                        return .run(request)
                    }
                } catch {
                    return .refused(request, "the approval queue failed, so the call does not run: \(error)")
                }
                continue  // Another call claimed it first: wait for its outcome.
            case .executed:
                return .recorded(request, request.outcome ?? [:])
            case .denied:
                let by = request.decidedBy.map { " by \($0)" } ?? ""
                return .refused(request, "request \(request.id) was denied\(by): \(request.note ?? "no reason given")")
            case .expired:
                return .refused(request, "request \(request.id) expired at "
                    + "\(RFC3339Time.format(milliseconds: request.expiresAt)) without a decision (expiry is a deny)")
            case .interrupted:
                return .refused(request, "request \(request.id) was approved but the kernel stopped while it ran; it is "
                    + "not re-run by itself (it may have run in part). Call again with a new idempotency key to ask again")
            case .pending, .executing:
                let left = deadline - ContinuousClock.now
                if left <= .zero { return .pending(request) }
                if let progress, ContinuousClock.now - told >= .seconds(10) {
                    told = ContinuousClock.now
                    let elapsed = Double((ContinuousClock.now - started).components.seconds)
                    progress(elapsed, request.state == .pending
                        ? "waiting for approval \(request.id) (\(request.tool), rule \(request.rule), group "
                            + "\(request.group)): run `\(Self.approveCommand(request.id))` or `warden deny \(request.id) --reason …`"
                        : "request \(request.id) is running in another call; waiting for its result")
                }
                // Woken by a decision at once; otherwise look again each second (a decision by another kernel
                // sharing the store, an expiry).
                await changes.wait(since: generation, timeout: min(left, .seconds(1)))
            }
        }
    }

    /// The request that answers this call: the newest with its key, if it still does.
    func find(_ hold: Hold, key explicitKey: String?) throws(ApprovalStoreError) -> ApprovalRequest? {
        guard let existing = try store.latest(key: explicitKey ?? hold.boundDigest) else { return nil }
        // A caller's own key stays bound to its request for good. The digest (no key given) answers repeated
        // calls while the request is open, and after it ended until its expiry time: then the same call may ask
        // again.
        if explicitKey != nil { return existing }
        switch existing.state {
        case .pending, .approved, .executing: return existing
        case .denied, .expired, .executed, .interrupted: return now() < existing.expiresAt ? existing : nil
        }
    }

    func create(_ hold: Hold, key explicitKey: String?) throws(ApprovalStoreError) -> ApprovalRequest {
        let created = now()
        let request = ApprovalRequest(
            id: ApprovalRequest.newID(), key: explicitKey ?? hold.boundDigest, keyIsExplicit: explicitKey != nil,
            boundDigest: hold.boundDigest, tool: hold.tool, plugin: hold.plugin, caller: hold.caller,
            arguments: hold.recordedArguments, rule: hold.settings.rule, group: hold.settings.group,
            reasons: hold.reasons, findings: hold.findings, createdAt: created,
            expiresAt: created + Int64(hold.settings.expiresInSeconds) * 1000)
        try store.insert(request)
        logger.info("call held for approval", metadata: [
            "request": "\(request.id)", "tool": "\(request.tool)", "rule": "\(request.rule)",
            "group": "\(request.group)",
        ])
        changes.signal()
        return request
    }

    /// Stores the outcome of an approved call's one run.
    public func finish(_ request: ApprovalRequest, outcome: JSONValue) {
        do {
            try store.finish(id: request.id, outcome: outcome, at: now())
        } catch {
            // The run happened; without its outcome the request stays `executing` and a restart marks it
            // interrupted, which never re-runs it.
            logger.error("cannot store an approved call's outcome", metadata: ["request": "\(request.id)", "error": "\(error)"])
        }
        changes.signal()
    }

    // MARK: Deciding

    /// Why a submitted decision was refused.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Takes a person's signed decision (a DSSE envelope over an ``ApproverStatement``) on request `id`: verifies
    /// it, records it, logs it, and wakes the call waiting for it. A refused decision is logged too.
    /// - Throws: ``Refusal`` with a sentence for the person.
    @discardableResult
    public func decide(id: String, envelope bytes: [UInt8]) async throws(Refusal) -> ApprovalRequest {
        func refuse(_ message: String, _ request: ApprovalRequest?, _ keyid: String?) async -> Refusal {
            await record(ApprovalDecisionRecord(
                requestID: id, decision: .rejected, approverKeyID: keyid, note: message,
                boundDigest: request?.boundDigest ?? "", tool: request?.tool, time: Date()))
            return Refusal(message: message)
        }
        let envelope: DSSEEnvelope
        do {
            envelope = try DSSEEnvelope.parse(bytes)
        } catch {
            throw await refuse("the decision is not a DSSE envelope: \(error)", nil, nil)
        }
        let keyid = envelope.signatures.first?.keyid
        guard ApprovalRequest.isValidID(id) else {
            throw await refuse("\(id) is not a request id (they look like ap-0123456789ab; see `warden approvals`)", nil, keyid)
        }
        try? await sweep()
        let request: ApprovalRequest?
        do {
            request = try store.request(id: id)
        } catch {
            throw Refusal(message: "\(error)")
        }
        guard var request else {
            throw await refuse("no request \(id) in the approval queue (see `warden approvals --all`)", nil, keyid)
        }
        let statement: ApproverStatement
        switch verify(envelope, for: request) {
        case .failure(let problem): throw await refuse(problem.message, request, keyid)
        case .success(let s): statement = s
        }
        guard request.state == .pending else {
            let when = request.decidedAt.map { " at " + RFC3339Time.format(milliseconds: $0) } ?? ""
            let by = request.decidedBy.map { " by \($0)" } ?? ""
            let what = request.state == .expired ? "expired\(when) without a decision" : "already \(request.state.rawValue)\(by)\(when)"
            throw await refuse("request \(id) is \(what); a decision cannot change it", request, keyid)
        }
        let state: ApprovalRequest.State = statement.decision == .approved ? .approved : .denied
        let decidedAt = now()
        do {
            guard try store.decide(id: id, to: state, by: statement.approver, note: statement.note, statement: bytes, at: decidedAt)
            else {
                let now = try store.request(id: id)
                throw await refuse("request \(id) was decided or expired meanwhile (now \(now?.state.rawValue ?? "gone"))", request, keyid)
            }
        } catch let refusal as Refusal {
            throw refusal
        } catch {
            throw Refusal(message: "\(error)")
        }
        request.state = state
        request.decidedAt = decidedAt
        request.decidedBy = statement.approver
        request.note = statement.note
        request.statement = bytes
        let receipt = await record(ApprovalDecisionRecord(
            requestID: id, decision: state == .approved ? .approved : .denied, approverKeyID: keyid,
            note: statement.note, boundDigest: request.boundDigest, tool: request.tool,
            approverEnvelope: try? JSONValue.parse(bytes), time: Date()))
        if let receipt {
            do {
                try store.setDecisionSeq(id: id, seq: receipt.seq)
            } catch {
                throw Refusal(message: "the decision on \(id) is logged (entry \(receipt.seq)) but the queue could "
                    + "not note it, so the call will not run: \(error)")
            }
            request.decisionSeq = receipt.seq
        } else if audit != nil {
            throw Refusal(message: "the decision on \(id) could not be written to the log, so the call will not run; "
                + "see the kernel's log")
        }
        logger.info("approval decision", metadata: ["request": "\(id)", "decision": "\(state.rawValue)", "by": "\(statement.approver)"])
        changes.signal()
        return request
    }

    /// Checks a statement envelope against the listed approvers and the request.
    func verify(_ envelope: DSSEEnvelope, for request: ApprovalRequest) -> Result<ApproverStatement, Refusal> {
        func fail(_ m: String) -> Result<ApproverStatement, Refusal> { .failure(Refusal(message: m)) }
        let approvers: Approvers
        do {
            approvers = try Approvers.load(policiesFolder: policiesFolder)
        } catch {
            return fail("\(Approvers.display) cannot be read, so no decision is accepted: \(error)")
        }
        guard envelope.signatures.count == 1, let keyid = envelope.signatures[0].keyid else {
            return fail("a decision carries exactly one signature with its keyid")
        }
        guard let approver = approvers.approver(keyid: keyid) else {
            return fail("the key \(keyid.prefix(16))… is not an approver's key in \(Approvers.display)")
        }
        do {
            try envelope.verify(trusting: [approver.key], supportedPayloadTypes: [ApproverStatement.payloadType])
        } catch {
            return fail("the decision's signature does not verify with \(approver.name)'s key: \(error)")
        }
        let statement: ApproverStatement
        do {
            statement = try ApproverStatement(envelope: envelope)
        } catch {
            return fail("\(error)")
        }
        guard statement.approver == approver.name else {
            return fail("the decision names \(statement.approver) but is signed by \(approver.name)'s key")
        }
        guard statement.requestID == request.id else {
            return fail("the decision is for request \(statement.requestID), not \(request.id): a decision cannot be replayed")
        }
        guard statement.boundDigest == request.boundDigest else {
            return fail("the decision is bound to other arguments (\(statement.boundDigest.prefix(19))…) than request "
                + "\(request.id) (\(request.boundDigest.prefix(19))…): nothing is authorised")
        }
        guard approver.groups.contains(request.group) else {
            return fail("\(approver.name) is in \(approver.groups.sorted().joined(separator: ", ")), but rule "
                + "\(request.rule) needs a member of \(request.group)")
        }
        if approver.callers.contains(request.caller) && !approvers.selfApprovalGroups.contains(request.group) {
            return fail("\(approver.name) made this request (as \(request.caller)) and cannot decide it; group "
                + "\(request.group) is not in self_approval_groups")
        }
        return .success(statement)
    }

    /// For a request in state `approved`: nil when its stored statement still verifies as an approval of it.
    func verifyApproval(_ request: ApprovalRequest) -> String? {
        guard let bytes = request.statement else { return "there is no signed decision with it" }
        guard let envelope = try? DSSEEnvelope.parse(bytes) else { return "its signed decision is not a DSSE envelope" }
        switch verify(envelope, for: request) {
        case .failure(let refusal): return refusal.message
        case .success(let s): return s.decision == .approved ? nil : "its signed decision is a denial"
        }
    }

    // MARK: Upkeep

    /// Expires every pending request whose time is up, and logs each before it returns.
    func sweep() async throws(ApprovalStoreError) {
        let expired = try store.expire(now: now())
        for request in expired {
            logger.info("approval request expired", metadata: ["request": "\(request.id)", "tool": "\(request.tool)"])
            await record(ApprovalDecisionRecord(
                requestID: request.id, decision: .expired, approverKeyID: nil, note: nil,
                boundDigest: request.boundDigest, tool: request.tool, time: Date()))
        }
        if !expired.isEmpty { changes.signal() }
    }

    /// At start: requests that were running when the kernel stopped are marked interrupted (never re-run), and
    /// logged.
    public func recover() async {
        do {
            for request in try store.interruptRunning(at: now()) {
                logger.warning("an approved call was cut off by a stop; it is not re-run", metadata: ["request": "\(request.id)"])
                await record(ApprovalDecisionRecord(
                    requestID: request.id, decision: .interrupted, approverKeyID: nil,
                    note: "the kernel stopped while this approved call ran; it is not re-run",
                    boundDigest: request.boundDigest, tool: request.tool, time: Date()))
            }
            try await sweep()
        } catch {
            logger.error("cannot recover the approval queue", metadata: ["error": "\(error)"])
        }
    }

    /// Requests, after expiring what is due. - Throws: ``ApprovalStoreError``.
    public func list(all: Bool, limit: Int? = nil) async throws(ApprovalStoreError) -> [ApprovalRequest] {
        try await sweep()
        return try store.list(states: all ? nil : [.pending], limit: limit)
    }

    /// One request. - Throws: ``ApprovalStoreError``.
    public func request(id: String) async throws(ApprovalStoreError) -> ApprovalRequest? {
        try await sweep()
        return try store.request(id: id)
    }

    @discardableResult
    func record(_ record: ApprovalDecisionRecord) async -> LogReceipt? {
        guard let audit else { return nil }
        do {
            return try await audit.append(record)
        } catch {
            logger.error("cannot log an approval record", metadata: ["request": "\(record.requestID)", "error": "\(error)"])
            return nil
        }
    }
}
