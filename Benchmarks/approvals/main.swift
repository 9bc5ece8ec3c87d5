import Foundation
import Logging
import WardenCore
import WardenHost
import WardenStore

// The approval queue's two speed targets, on a real SQLite file with synchronous = FULL:
// 1. how soon a waiting call resumes once the approval is recorded (decide() has returned: verified, stored,
//    logged), and from the moment decide() is called;
// 2. how long listing 1,000 pending requests takes, in the queue and as the control socket answers it (JSON).

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    let s = xs.sorted()
    return s[min(s.count - 1, Int(Double(s.count) * p))]
}

let root = FileManager.default.temporaryDirectory.appendingPathComponent("warden-approval-bench-\(UUID().uuidString)").path
try FileManager.default.createDirectory(atPath: root + "/Policies", withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: root) }
let approver = Ed25519SigningKey.generate()
let approvers: JSONValue = [
    "approvers": ["ops": ["public_key": .string(approver.publicKey.hex), "groups": ["operators"]]],
]
try Data(approvers.serialized().utf8).write(to: URL(fileURLWithPath: root + "/Policies/approvers.json"))
let log = try SQLiteLogStore.open(path: root + "/warden.db", signingKey: Ed25519SigningKey.generate())
var logger = Logger(label: "bench")
logger.logLevel = .error
let queue = ApprovalQueue(
    store: try SQLiteApprovalStore(sharing: log), audit: log, policiesFolder: root + "/Policies", logger: logger)

func hold(_ i: Int) -> ApprovalQueue.Hold {
    let arguments: JSONValue = ["program": "make", "args": [.string("target-\(i)")]]
    return ApprovalQueue.Hold(
        boundDigest: ApprovalBinding.digest(
            tool: "shell.run", arguments: arguments, toolDefinitionDigest: "sha256:def", plugin: "shell",
            manifestDigest: "sha256:m", caller: "mcp:bench"),
        tool: "shell.run", plugin: "shell", caller: "mcp:bench", recordedArguments: arguments,
        settings: ApprovalSettings(group: "operators", expiresInSeconds: 3600, rule: "bench"), reasons: ["bench"],
        findings: [])
}

// 1. Resume latency.
let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200
var afterRecorded: [Double] = []
var afterAsked: [Double] = []
let clock = ContinuousClock()
for i in 0..<rounds {
    let h = hold(i)
    guard case .pending(let request) = await queue.gate(h, key: nil, wait: .zero, progress: nil) else {
        fatalError("expected pending")
    }
    let waiting = Task { () -> ContinuousClock.Instant in
        _ = await queue.gate(h, key: nil, wait: .seconds(30), progress: nil)
        return clock.now
    }
    try await Task.sleep(for: .milliseconds(20))  // the waiter is asleep in its wait
    let statement = ApproverStatement(
        requestID: request.id, boundDigest: request.boundDigest, decision: .approved, approver: "ops", note: nil,
        time: Int64(Date().timeIntervalSince1970 * 1000)
    ).signed(with: approver).serializedBytes()
    let asked = clock.now
    _ = try await queue.decide(id: request.id, envelope: statement)
    let recorded = clock.now
    let resumed = await waiting.value
    afterRecorded.append(max(0, milliseconds(resumed - recorded)))
    afterAsked.append(milliseconds(resumed - asked))
}

// 2. Listing 1,000 pending requests (the ones above are decided; 1,000 more wait).
for i in 0..<1000 { _ = await queue.gate(hold(rounds + i), key: nil, wait: .zero, progress: nil) }
var listQueue: [Double] = []
var listAnswer: [Double] = []
for _ in 0..<21 {
    let t0 = clock.now
    let pending = try await queue.list(all: false)
    let t1 = clock.now
    precondition(pending.count == 1000, "expected 1000 pending, got \(pending.count)")
    let answer = await ApprovalMethods.answer("approvals/list", ["all": false], approvals: queue)
    let bytes = try answer.get().serializedBytes()
    let t2 = clock.now
    precondition(bytes.count > 100_000)
    listQueue.append(milliseconds(t1 - t0))
    listAnswer.append(milliseconds(t2 - t1))
}
try await log.close()

func row(_ name: String, _ xs: [Double], target: String) {
    print(String(format: "%-54@ median %7.3f ms  p95 %7.3f ms  max %7.3f ms  (%@)", name as NSString, median(xs),
        percentile(xs, 0.95), xs.max() ?? 0, target as NSString))
}
print("approval queue, \(rounds) held calls, SQLite synchronous=FULL")
row("resume after the approval is recorded", afterRecorded, target: "target ≤ 100 ms")
row("resume after `decide` is called (verify+store+log)", afterAsked, target: "for reference")
row("list 1,000 pending (queue)", listQueue, target: "target < 100 ms")
row("list 1,000 pending (control-socket answer as JSON)", listAnswer, target: "for reference")
