import Foundation
import WardenCore

/// A validated, compiled policy set: every rule of `policies/`, the tests of `tests/`, and its digest.
///
/// Values are immutable and cheap to copy; the rate-limit state lives outside, in a ``RateLimiter``
/// that survives reloads.
public struct PolicySet: Sendable {
    /// The policies folder as given to the loader.
    public let directory: String
    /// `sha256:…` over the policy files' canonical content (see ``PolicyDigest``).
    public let digest: String
    /// Policy files read, relative to the folder (`policies/files.yaml`), sorted.
    public let policyFiles: [String]
    /// Each policy file's own digest (SHA-256 of its canonical JSON content), by relative path.
    public let policyFileDigests: [String: String]
    /// Test files read, relative to the folder, sorted.
    public let testFiles: [String]
    /// The set's own test cases.
    public let tests: [PolicyTestCase]
    let engine: PolicyEngine

    /// Every rule, sorted by id.
    public var rules: [PolicyRule] { engine.rules }

    /// Reads, validates and compiles the folder, then runs its tests: the set is returned only when all
    /// of it is valid and every test passes. This is the check a reload must pass before a swap.
    /// - Throws: ``PolicyLoadError`` with every problem found (file:line:column), failing tests included.
    public static func load(directory: String) throws(PolicyLoadError) -> PolicySet {
        let set = try parse(directory: directory)
        let report = set.runTests()
        guard report.allPassed else {
            throw PolicyLoadError(diagnostics: report.results.filter { !$0.passed }.map(\.diagnostic))
        }
        return set
    }

    /// Reads, validates and compiles the folder without running its tests (for `warden policy test`,
    /// which reports each test, and for lint).
    /// - Throws: ``PolicyLoadError`` with every problem found.
    public static func parse(directory: String) throws(PolicyLoadError) -> PolicySet {
        var reader = SchemaReader()
        var policyNames: [String] = []
        var testNames: [String] = []
        do throws(PolicyDiagnostic) {
            guard let names = try PolicySetLoader.fileNames(in: directory, subfolder: PolicySetLoader.policiesFolder)
            else {
                throw PolicyDiagnostic(
                    .unreadableFile, at: nil,
                    "\(PolicySetLoader.join(directory, PolicySetLoader.policiesFolder)) does not exist; "
                        + "a policies folder holds policies/*.yaml and tests/*.yaml")
            }
            policyNames = names
            testNames = try PolicySetLoader.fileNames(in: directory, subfolder: PolicySetLoader.testsFolder) ?? []
        } catch {
            throw PolicyLoadError(diagnostics: [error])
        }

        var rules: [PolicyRule] = []
        var contents: [(relativePath: String, content: JSONValue)] = []
        var firstSeen: [String: SourceLocation] = [:]
        for name in policyNames {
            let relative = PolicySetLoader.policiesFolder + "/" + name
            do {
                let file = try PolicySetLoader.parse(directory: directory, relativePath: relative)
                contents.append((relative, file.root.json))
                for rule in PolicyFileDecoder.decode(file.root, reader: &reader) {
                    if let first = firstSeen[rule.id] {
                        reader.report(
                            .duplicateRuleID, at: rule.location,
                            "the rule id \"\(rule.id)\" is already used at \(first); "
                                + "rule ids must be unique across all files"
                        )
                        continue
                    }
                    firstSeen[rule.id] = rule.location
                    rules.append(rule)
                }
            } catch {
                reader.report(error)
            }
        }

        var tests: [PolicyTestCase] = []
        var testNamesSeen: [String: SourceLocation] = [:]
        for name in testNames {
            let relative = PolicySetLoader.testsFolder + "/" + name
            do {
                let file = try PolicySetLoader.parse(directory: directory, relativePath: relative)
                for test in PolicyTestDecoder.decode(file.root, reader: &reader) {
                    if let first = testNamesSeen[test.name] {
                        reader.report(
                            .duplicateTestName, at: test.location,
                            "the test name \"\(test.name)\" is already used at \(first); test names must be unique")
                        continue
                    }
                    testNamesSeen[test.name] = test.location
                    tests.append(test)
                }
            } catch {
                reader.report(error)
            }
        }

        let errors = reader.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else {
            throw PolicyLoadError(diagnostics: PolicyDiagnostic.sorted(errors))
        }
        let digest = PolicyDigest.compute(contents)
        return PolicySet(
            directory: directory, digest: digest, policyFiles: policyNames.map { "policies/" + $0 },
            policyFileDigests: Dictionary(
                contents.map { ($0.relativePath, PolicyDigest.file($0.content)) }, uniquingKeysWith: { a, _ in a }),
            testFiles: testNames.map { "tests/" + $0 }, tests: tests, engine: PolicyEngine(rules: rules, digest: digest)
        )
    }

    /// Decides `request` at the request's own time, or the clock's when it names none.
    /// Rate-limit conditions count the call in `limiter` (share one limiter across reloads).
    public func evaluate(_ request: PolicyRequest, limiter: RateLimiter, clock: PolicyClock = .system) -> Decision {
        engine.evaluate(request, now: request.time ?? clock.now(), limiter: limiter)
    }

    /// Runs the set's own tests.
    public func runTests() -> PolicyTestReport {
        PolicyTestRunner.run(tests, engine: engine)
    }
}
