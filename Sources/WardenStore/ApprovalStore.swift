import WardenCore

/// Why the approval queue could not do what was asked.
public struct ApprovalStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The durable approval queue: held calls and their decisions. SQLite here (beside the log, in the same file);
/// the interface is what a PostgreSQL store would implement so that several kernels share one queue.
///
/// Every state change is a conditional update (`… WHERE state = 'pending'`), so two deciders, or two callers
/// claiming the same approved request, cannot both win: exactly one does and the other learns it lost.
public protocol ApprovalStore: Sendable {
    /// Stores a new pending request. - Throws: ``ApprovalStoreError``.
    func insert(_ request: ApprovalRequest) throws(ApprovalStoreError)
    /// The request with this id. - Throws: ``ApprovalStoreError``.
    func request(id: String) throws(ApprovalStoreError) -> ApprovalRequest?
    /// The newest request with this key (idempotency key or bound digest). - Throws: ``ApprovalStoreError``.
    func latest(key: String) throws(ApprovalStoreError) -> ApprovalRequest?
    /// Requests in these states (all when `nil`), oldest first, at most `limit`. - Throws: ``ApprovalStoreError``.
    func list(states: Set<ApprovalRequest.State>?, limit: Int?) throws(ApprovalStoreError) -> [ApprovalRequest]
    /// Records a decision on a pending, unexpired request: `approved` or `denied`, with the approver's signed
    /// statement. Returns false when the request was no longer pending (someone else decided, or it expired).
    /// - Throws: ``ApprovalStoreError``.
    func decide(
        id: String, to state: ApprovalRequest.State, by approver: String, note: String?, statement: [UInt8],
        at now: Int64
    ) throws(ApprovalStoreError) -> Bool
    /// Remembers where the decision's log entry sits. - Throws: ``ApprovalStoreError``.
    func setDecisionSeq(id: String, seq: Int64) throws(ApprovalStoreError)
    /// Marks every pending request whose time is up as expired and returns them. - Throws: ``ApprovalStoreError``.
    func expire(now: Int64) throws(ApprovalStoreError) -> [ApprovalRequest]
    /// Claims an approved request for its one execution (`approved → executing`); false when it was not approved
    /// any more (someone else claimed it). Durable before it returns. - Throws: ``ApprovalStoreError``.
    func claim(id: String, at now: Int64) throws(ApprovalStoreError) -> Bool
    /// Stores the outcome of the execution (`executing → executed`). - Throws: ``ApprovalStoreError``.
    func finish(id: String, outcome: JSONValue, at now: Int64) throws(ApprovalStoreError)
    /// After a restart: every request still `executing` was cut off mid-run. Marks them `interrupted` (they are not
    /// re-run) and returns them. - Throws: ``ApprovalStoreError``.
    func interruptRunning(at now: Int64) throws(ApprovalStoreError) -> [ApprovalRequest]
}
