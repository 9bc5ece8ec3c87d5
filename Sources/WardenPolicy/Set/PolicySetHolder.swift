import Foundation
import Synchronization
import WardenCore

/// Keeps the policy set in force and replaces it only with a set that fully loaded and passed its tests.
///
/// A failed reload leaves the last good set in force and records the error for `status`. Before any set
/// has loaded, every request is denied. Reloads happen on ``reload()`` and, during ``evaluate(_:)``,
/// when the files' sizes, modification times or names changed (checked at most once per
/// `checkInterval`).
public final class PolicySetHolder: Sendable {
    /// What the holder knows: the set in force and the last failure.
    public struct Status: Sendable {
        /// The set in force, if any.
        public let current: PolicySet?
        /// When the set in force was loaded.
        public let loadedAt: Date?
        /// The last failed load, if it is newer than the set in force.
        public let lastError: PolicyLoadError?
        public let lastErrorAt: Date?

        /// `{in_force, digest, rule_count, policy_files, files: [{path, digest}], test_count, loaded_at, error,
        /// errors}`.
        public var json: JSONValue {
            var o: [String: JSONValue] = [
                "in_force": .bool(current != nil),
                "digest": current.map { .string($0.digest) } ?? .null,
                "rule_count": .int(Int64(current?.rules.count ?? 0)),
                "policy_files": .array((current?.policyFiles ?? []).map(JSONValue.string)),
                "files": .array(
                    (current?.policyFiles ?? []).map { path in
                        .object([
                            "path": .string(path),
                            "digest": current?.policyFileDigests[path].map(JSONValue.string) ?? .null,
                        ])
                    }),
                "test_count": .int(Int64(current?.tests.count ?? 0)),
                "loaded_at": loadedAt.map { .string(RFC3339.format($0)) } ?? .null,
                "error": .null,
                "errors": .array([]),
            ]
            if let lastError {
                o["error"] = lastError.first.map { .string($0.description) } ?? .null
                o["errors"] = .array(lastError.diagnostics.map(\.json))
                o["error_at"] = lastErrorAt.map { .string(RFC3339.format($0)) } ?? .null
            }
            return .object(o)
        }
    }

    /// The result of one reload attempt.
    public enum ReloadOutcome: Sendable {
        /// The files had not changed; nothing was read.
        case unchanged
        /// A new set is in force.
        case loaded(PolicySet)
        /// The files were refused; the previous set (if any) stays in force.
        case failed(PolicyLoadError)
    }

    private struct State {
        var current: PolicySet?
        var loadedAt: Date?
        var lastError: PolicyLoadError?
        var lastErrorAt: Date?
        var fingerprint: [String]?
        var lastCheck: Date?
    }

    public let directory: String
    /// The counters of rate-limit conditions; kept across reloads.
    public let limiter: RateLimiter
    private let clock: PolicyClock
    private let checkInterval: TimeInterval
    private let state = Mutex(State())
    private let reloading = Mutex(())
    private let onReload: (@Sendable (ReloadOutcome) -> Void)?

    /// Creates the holder and loads the folder once (a failure leaves it denying everything).
    /// - Parameters:
    ///   - checkInterval: how often ``evaluate(_:)`` looks at the files for changes; 0 checks every call.
    ///   - onReload: told about every reload that loaded or failed (for the log).
    public init(
        directory: String, clock: PolicyClock = .system, checkInterval: TimeInterval = 1,
        limiter: RateLimiter = RateLimiter(), onReload: (@Sendable (ReloadOutcome) -> Void)? = nil
    ) {
        self.directory = directory
        self.clock = clock
        self.checkInterval = checkInterval
        self.limiter = limiter
        self.onReload = onReload
        _ = reload()
    }

    public var status: Status {
        state.withLock { s in
            let newerError = s.lastErrorAt.map { errorAt in s.loadedAt.map { errorAt >= $0 } ?? true } ?? false
            return Status(
                current: s.current, loadedAt: s.loadedAt, lastError: newerError ? s.lastError : nil,
                lastErrorAt: newerError ? s.lastErrorAt : nil)
        }
    }

    /// The set in force, if any.
    public var current: PolicySet? { state.withLock { $0.current } }

    /// Loads the folder now, whether or not it changed; swaps only on full success.
    @discardableResult
    public func reload() -> ReloadOutcome {
        reloading.withLock { _ in performReload(fingerprint: fingerprint()) }
    }

    /// Loads the folder if its files changed since the last attempt.
    @discardableResult
    public func reloadIfChanged() -> ReloadOutcome {
        reloading.withLock { _ in
            let print = fingerprint()
            if state.withLock({ $0.fingerprint }) == print { return .unchanged }
            return performReload(fingerprint: print)
        }
    }

    private func performReload(fingerprint: [String]) -> ReloadOutcome {
        let outcome: ReloadOutcome
        do {
            let set = try PolicySet.load(directory: directory)
            outcome = .loaded(set)
        } catch {
            outcome = .failed(error)
        }
        let now = clock.now()
        state.withLock { s in
            s.fingerprint = fingerprint
            s.lastCheck = now
            switch outcome {
            case .loaded(let set):
                s.current = set
                s.loadedAt = now
                s.lastError = nil
                s.lastErrorAt = nil
            case .failed(let error):
                s.lastError = error
                s.lastErrorAt = now
            case .unchanged: break
            }
        }
        onReload?(outcome)
        return outcome
    }

    /// Decides `request` with the set in force (reloading first if the files changed), or denies it when
    /// no set has ever loaded.
    public func evaluate(_ request: PolicyRequest) -> Decision {
        let now = clock.now()
        let due = state.withLock { s -> Bool in
            guard let last = s.lastCheck, now.timeIntervalSince(last) < checkInterval, now >= last else {
                s.lastCheck = now
                return true
            }
            return false
        }
        if due { reloadIfChanged() }
        guard let set = current else {
            let why = status.lastError?.first.map { ": \($0.description)" } ?? ""
            return .failClosed("no valid policy set is in force, so every call is denied\(why)")
        }
        return set.evaluate(request, limiter: limiter, clock: clock)
    }

    /// Names, sizes and modification times of every file the set is read from.
    private func fingerprint() -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for folder in [PolicySetLoader.policiesFolder, PolicySetLoader.testsFolder] {
            let path = PolicySetLoader.join(directory, folder)
            guard let names = try? fm.contentsOfDirectory(atPath: path) else {
                out.append("\(folder): absent")
                continue
            }
            for name in names.sorted() {
                let attributes = try? fm.attributesOfItem(atPath: path + "/" + name)
                let size = attributes?[.size] as? Int ?? -1
                let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
                let inode = attributes?[.systemFileNumber] as? Int ?? -1
                out.append("\(folder)/\(name) \(size) \(modified) \(inode)")
            }
        }
        return out
    }
}

extension PolicyDiagnostic {
    /// `{severity, code, file, line, column, message}`.
    public var json: JSONValue {
        .object([
            "severity": .string(severity.rawValue), "code": .string(code.rawValue),
            "file": location.map { .string($0.file) } ?? .null,
            "line": location.map { .int(Int64($0.line)) } ?? .null,
            "column": location.map { .int(Int64($0.column)) } ?? .null,
            "message": .string(message),
        ])
    }
}
