import Foundation
import WardenCore
import WardenStore

extension Kernel {
    /// Runs one tool call through the pipeline: resolve, rules (pre), hunter (pre), policies, execute,
    /// hunter and rules (post), envelope. Every path — allowed, refused or failed — is recorded.
    ///
    /// `tool` is `PLUGIN.TOOL`. `caller` names who asked (`cli:uid=N`, `mcp:stdio`). `options`: the idempotency key,
    /// how long a held call waits for approval, where its progress goes.
    public func call(tool: String, arguments: JSONValue, caller: String, options: CallOptions) async -> CallOutcome {
        let started = Date()
        var trace = CallTrace()
        var outcome = await pipeline(tool: tool, arguments: arguments, caller: caller, options: options, trace: &trace)
        if let claimed = trace.claimed, let approvals {
            // The one run of an approved call: its outcome is what later calls with the key get back.
            approvals.finish(claimed, outcome: outcome.json)
        }
        guard let audit else { return outcome }
        let record = InvocationRecord(
            invocationID: RandomUUID.make(), caller: caller, tool: tool,
            arguments: Self.recordedArguments(arguments), plugin: trace.plugin,
            toolDefinitionDigest: trace.toolDefinitionDigest, sandbox: trace.sandbox,
            policySetDigest: outcome.decision?.policySetDigest, decision: outcome.decision.map(InvocationRecord.RecordedDecision.init),
            findings: outcome.findings,
            approval: outcome.approval.map {
                InvocationRecord.ApprovalReference(requestID: $0.id, decisionSeq: $0.decisionSeq, decisionHash: nil)
            },
            result: outcome.result.map { RecordedResult.bounded($0) },
            timings: InvocationRecord.Timings(
                started: started, totalMS: Date().timeIntervalSince(started) * 1000, stagesMS: trace.stages.laps),
            outcome: Self.recordOutcome(outcome.status), error: outcome.reason)
        do {
            outcome.receipt = try await audit.append(record)
        } catch {
            // A call that cannot be recorded is not returned as a success.
            logger.error("cannot record the invocation", metadata: ["error": "\(error)", "tool": "\(tool)"])
            return CallOutcome(status: .failed, result: nil, reason: "the call could not be recorded: \(error)",
                decision: outcome.decision, findings: outcome.findings, receipt: nil, approval: outcome.approval)
        }
        return outcome
    }

    /// What the pipeline learned about the plugin and the tool, for the record.
    struct CallTrace {
        var plugin: InvocationRecord.Plugin?
        var sandbox: InvocationRecord.Sandbox?
        var toolDefinitionDigest: String?
        /// The approved request this call claimed and runs.
        var claimed: ApprovalRequest?
        /// Milliseconds spent in each stage the call reached.
        var stages = Stopwatch()
    }

    /// Times the pipeline's stages one after the other.
    struct Stopwatch {
        var laps: [String: Double] = [:]
        var last = ContinuousClock.now

        /// Records the time since the previous lap under `stage`.
        mutating func lap(_ stage: String) {
            let now = ContinuousClock.now
            let d = (now - last).components
            laps[stage] = Double(d.seconds) * 1000 + Double(d.attoseconds) / 1e15
            last = now
        }
    }

    /// Argument members whose values are secrets by their name: stored as salted digests, never in clear.
    public static let redactedArgumentNames = [
        "password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "private_key",
        "access_key", "secret_key", "client_secret", "cookie",
    ]

    static func recordedArguments(_ arguments: JSONValue) -> RecordedArguments {
        (try? RecordedArguments.redacting(arguments, selectors: redactedArgumentNames).stored)
            ?? RecordedArguments(unredacted: arguments)
    }

    static func recordOutcome(_ status: CallStatus) -> InvocationRecord.Outcome {
        switch status {
        case .ok: .ok
        case .toolError: .toolError
        case .refused: .refused
        case .failed: .failed
        case .pending: .pending
        }
    }

    func pipeline(tool: String, arguments: JSONValue, caller: String, options: CallOptions,
        trace: inout CallTrace) async -> CallOutcome
    {
        func refuse(_ reason: String, _ decision: Decision? = nil, _ findings: [Finding] = []) -> CallOutcome {
            CallOutcome(status: .refused, result: nil, reason: reason, decision: decision, findings: findings)
        }
        // 1. Resolve the tool to its plugin.
        guard let dot = tool.firstIndex(of: "."), dot != tool.startIndex else {
            return refuse("unknown tool \(tool): tool names are PLUGIN.TOOL (see `warden plugins list`)")
        }
        let pluginName = String(tool[..<dot])
        let toolName = String(tool[tool.index(after: dot)...])
        guard let runner = runner(named: pluginName), runner.manifest.kind == .tool else {
            return refuse("unknown tool \(tool): no tool plugin named \(pluginName)")
        }
        guard case .object = arguments else { return refuse("arguments must be a JSON object") }
        if let key = options.idempotencyKey, key.isEmpty || key.count > CallOptions.maximumKeyLength {
            return refuse("an idempotency key has 1 to \(CallOptions.maximumKeyLength) characters")
        }
        let client: MCPClient
        do {
            client = try await runner.ready()
        } catch {
            return CallOutcome(status: .failed, result: nil, reason: "\(pluginName): \(error)", findings: [])
        }
        let manifest = runner.manifest
        let launched = await runner.launched
        trace.plugin = InvocationRecord.Plugin(
            name: manifest.name, version: manifest.version, manifestDigest: "sha256:" + manifest.digest,
            binaryDigest: launched.map { "sha256:" + $0.binaryDigest })
        if let launched {
            trace.sandbox = InvocationRecord.Sandbox(specDigest: launched.specDigest, landlockABI: launched.landlockABI)
        }
        guard let definition = await runner.tools.first(where: { $0["name"]?.stringValue == toolName }) else {
            return refuse("unknown tool \(tool): \(pluginName) has no tool named \(toolName)")
        }
        trace.toolDefinitionDigest = Self.digest(definition)
        trace.stages.lap("resolve")
        // 2. Capabilities: the plugin runs only within manifest ∩ grant (checked at start); name what it holds.
        let grant = registry.withLock { $0.grants.grant(for: pluginName) }
        // 4–5. Rules and detectors on the arguments, side by side.
        async let violations = checkRules(phase: "pre", tool: tool, definition: definition, arguments: arguments,
            output: nil)
        async let scanned = scan(phase: .input, tool: tool, value: arguments)
        let (pre, findings) = await (violations, scanned)
        trace.stages.lap("check_input")
        // 6. Policies decide, with the findings.
        let decision = await decide(tool: tool, plugin: pluginName, caller: caller, arguments: arguments,
            grant: grant, findings: findings.findings, errors: findings.errors + pre.errors)
        trace.stages.lap("policy")
        if !pre.violations.isEmpty {
            return refuse("rule violated: " + pre.violations.joined(separator: "; "), decision, findings.findings)
        }
        var approvalRef: ApprovalRequest?
        switch decision.effect {
        case .deny:
            let why = (decision.reasons + decision.errors.map(\.message)).joined(separator: "; ")
            return refuse("denied by policy [\(decision.matchedRules.joined(separator: ", "))]: \(why)", decision,
                findings.findings)
        case .requireApproval:
            // 7. Held for a person: run only once an approval verifies, and only once.
            let gate = await holdForApproval(
                tool: tool, plugin: pluginName, manifestDigest: manifest.digest, definitionDigest: trace.toolDefinitionDigest ?? "",
                arguments: arguments, caller: caller, decision: decision, findings: findings.findings, options: options)
            trace.stages.lap("approval")
            switch gate {
            case .run(let request):
                trace.claimed = request
                approvalRef = request
            case .recorded(let request, let recorded):
                return CallOutcome(recorded: recorded, approval: request, decision: decision)
            case .pending(let request):
                let what = request.state == .executing
                    ? "request \(request.id) was approved and is running in another call; call again for its result"
                    : "waiting for approval \(request.id) by a member of \(request.group) (rule \(request.rule)); run `"
                        + ApprovalQueue.approveCommand(request.id) + "`, then call again with the same arguments"
                return CallOutcome(status: .pending, result: nil, reason: what, decision: decision,
                    findings: findings.findings, approval: request)
            case .refused(let request, let why):
                var out = refuse(why, decision, findings.findings)
                out.approval = request
                return out
            }
        case .allow:
            break
        }
        // 8. Execute in the tool's sandbox.
        let result: JSONValue
        // The tool's progress: under a token of the kernel's, routed back to this caller for the call's length.
        var route: ProgressRoute?
        if let callerToken = options.progressToken, let send = options.toolProgress {
            let r = ProgressRoute(plugin: pluginName, token: "warden-" + RandomUUID.make())
            progressRoutes.withLock { $0[r] = ProgressDestination(callerToken: callerToken, send: send) }
            route = r
        }
        defer { if let route { _ = progressRoutes.withLock { $0.removeValue(forKey: route) } } }
        do {
            result = try await client.callTool(
                toolName, arguments: arguments, progressToken: route.map { JSONValue.string($0.token) })
        } catch {
            trace.stages.lap("execute")
            return CallOutcome(status: .failed, result: nil, reason: "\(tool): \(error)", decision: decision,
                findings: findings.findings, approval: approvalRef)
        }
        trace.stages.lap("execute")
        // 9. Detectors and rules on the output.
        async let postViolations = checkRules(phase: "post", tool: tool, definition: definition,
            arguments: arguments, output: result)
        async let postScan = scan(phase: .output, tool: tool, value: result)
        let (post, outFindings) = await (postViolations, postScan)
        trace.stages.lap("check_output")
        let all = findings.findings + outFindings.findings
        if !post.violations.isEmpty || !post.errors.isEmpty {
            var out = refuse("output withheld, rule violated: " + (post.violations + post.errors).joined(separator: "; "),
                decision, all)
            out.approval = approvalRef
            return out
        }
        let isError = result["isError"]?.boolValue == true
        return CallOutcome(status: isError ? .toolError : .ok, result: result, reason: nil, decision: decision,
            findings: all, approval: approvalRef)
    }

    /// Puts a held call through the approval queue. Without a queue, or without approval settings in the
    /// decision, nothing can approve it: refused (fail closed).
    func holdForApproval(
        tool: String, plugin: String, manifestDigest: String, definitionDigest: String, arguments: JSONValue,
        caller: String, decision: Decision, findings: [Finding], options: CallOptions
    ) async -> ApprovalQueue.Gate {
        let rules = decision.matchedRules.joined(separator: ", ")
        guard let approvals else {
            return .refused(nil, "requires approval [\(rules)] but this kernel has no approval queue: "
                + decision.reasons.joined(separator: "; "))
        }
        guard let settings = decision.approval else {
            return .refused(nil, "requires approval [\(rules)] but the policy named no approver group, so nobody can approve it")
        }
        let hold = ApprovalQueue.Hold(
            boundDigest: ApprovalBinding.digest(
                tool: tool, arguments: arguments, toolDefinitionDigest: definitionDigest, plugin: plugin,
                manifestDigest: "sha256:" + manifestDigest, caller: caller),
            tool: tool, plugin: plugin, caller: caller, recordedArguments: Self.recordedArguments(arguments).value,
            settings: settings, reasons: decision.reasons, findings: findings.map(Self.findingJSON))
        return await approvals.gate(hold, key: options.idempotencyKey, wait: options.approvalWait, progress: options.progress)
    }

    struct RuleResult {
        var violations: [String] = []
        var errors: [String] = []
    }

    /// Every rule plugin's verdict. A rule plugin that errors counts as a violation: rules fail closed.
    func checkRules(phase: String, tool: String, definition: JSONValue, arguments: JSONValue, output: JSONValue?)
        async -> RuleResult
    {
        var out = RuleResult()
        for runner in runners(kind: .rule) {
            var params: [String: JSONValue] = [
                "phase": .string(phase), "tool": .string(tool),
                "input_schema": definition["inputSchema"] ?? [:], "arguments": arguments,
                "workspace": .string(configuration.workspace),
            ]
            if let output { params["output"] = output }
            do {
                let client = try await runner.ready()
                let answer = try await client.request("rule/check", params: .object(params))
                guard let list = answer["violations"]?.arrayValue else {
                    out.violations.append("\(runner.manifest.name): malformed answer (no violations list)")
                    continue
                }
                for v in list {
                    let rule = v["rule"]?.stringValue ?? "?"
                    out.violations.append("\(runner.manifest.name)/\(rule): \(v["message"]?.stringValue ?? "violated")")
                }
            } catch {
                out.violations.append("\(runner.manifest.name): could not check (\(error))")
            }
        }
        return out
    }

    struct ScanResult {
        var findings: [Finding] = []
        var errors: [String] = []
    }

    /// Every detector's findings. A detector that fails is recorded as an error, which the policy decision
    /// then counts as a deny.
    func scan(phase: ScanPhase, tool: String, value: JSONValue) async -> ScanResult {
        var out = ScanResult()
        for runner in runners(kind: .detector) {
            do {
                let client = try await runner.ready()
                let answer = try await client.request(
                    "hunter/scan", params: ["phase": .string(phase.rawValue), "tool": .string(tool), "value": value])
                guard let list = answer["findings"]?.arrayValue else {
                    out.errors.append("detector \(runner.manifest.name) answered without findings")
                    continue
                }
                for item in list {
                    let data = Data(item.serializedBytes())
                    guard var finding = try? JSONDecoder().decode(Finding.self, from: data) else {
                        out.errors.append("detector \(runner.manifest.name) sent a malformed finding")
                        continue
                    }
                    finding.detector = runner.manifest.name
                    out.findings.append(finding)
                }
            } catch {
                out.errors.append("detector \(runner.manifest.name) failed: \(error)")
            }
        }
        return out
    }

    /// Asks every policy plugin and combines: deny > require_approval > allow > default deny. No policy plugin,
    /// an error, a timeout or a malformed answer is a deny.
    func decide(tool: String, plugin: String, caller: String, arguments: JSONValue, grant: Capabilities,
        findings: [Finding], errors: [String]) async -> Decision
    {
        let policies = runners(kind: .policy)
        guard !policies.isEmpty else {
            return .failClosed("no policy plugin is installed: every call is denied (add Plugins/policy)")
        }
        let request: JSONValue = [
            "tool": .string(tool), "plugin": .string(plugin), "caller": .string(caller), "arguments": arguments,
            "capabilities": Self.capabilityJSON(grant), "findings": .array(findings.map(Self.findingJSON)),
            "time": .string(Self.timestamp(Date())),
        ]
        var decisions: [Decision] = []
        for runner in policies {
            do {
                let client = try await runner.ready()
                let answer = try await client.request("policy/evaluate", params: ["request": request])
                decisions.append(try Decision(json: answer))
            } catch {
                decisions.append(.failClosed("policy plugin \(runner.manifest.name) failed: \(error)"))
            }
        }
        for error in errors { decisions.append(.failClosed(error)) }
        return Decision.combining(decisions)
    }

    static func capabilityJSON(_ c: Capabilities) -> JSONValue {
        [
            "read": .array(c.read.map { .string($0) }), "write": .array(c.write.map { .string($0) }),
            "network": .string(c.network.rawValue), "spawn": .bool(c.spawn), "env": .array(c.env.map { .string($0) }),
        ]
    }

    static func findingJSON(_ f: Finding) -> JSONValue {
        (try? JSONValue.parse(Array((try? JSONEncoder().encode(f)) ?? Data()))) ?? .null
    }

    static func digest(_ value: JSONValue) -> String {
        ContentDigest.sha256(CanonicalJSONWriter.bytes(value))
    }

    static func timestamp(_ date: Date) -> String {
        RFC3339Time.format(date)
    }
}
