import Foundation

/// A change of the policy set in force (or a refused attempt to change it). Payload type
/// `application/vnd.warden.policy-change+json`.
public struct PolicyChangeRecord: LogRecord, Hashable {
    public static let payloadType = LogPayloadType.policyChange

    /// One file of the policy set and its digest.
    public struct File: Sendable, Codable, Hashable {
        /// Relative to the policies folder, for example `policies/files.yaml`.
        public var path: String
        public var digest: String

        public init(path: String, digest: String) {
            self.path = path
            self.digest = digest
        }
    }

    public var recordVersion: Int = 1
    /// The set in force before; `nil` at first load.
    public var previousDigest: String?
    /// The set that was offered.
    public var digest: String
    /// Whether it is now in force. A refused set leaves the previous one in force.
    public var accepted: Bool
    public var files: [File]
    /// Why it was refused: lint errors with file:line, failing policy tests.
    public var errors: [String]
    /// What caused the change: `startup`, `reload`, `watch`, `cli`.
    public var trigger: String
    public var time: Date

    public init(
        previousDigest: String?, digest: String, accepted: Bool, files: [File], errors: [String] = [],
        trigger: String, time: Date
    ) {
        self.previousDigest = previousDigest
        self.digest = digest
        self.accepted = accepted
        self.files = files
        self.errors = errors
        self.trigger = trigger
        self.time = time
    }

    enum CodingKeys: String, CodingKey {
        case digest, accepted, files, errors, trigger, time
        case recordVersion = "record_version"
        case previousDigest = "previous_digest"
    }
}
