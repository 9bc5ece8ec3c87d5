import ArgumentParser
import Foundation
import WardenCore
import WardenPolicy

extension PolicyCommand {
    /// `warden policy bench`: decisions per second inside the engine, on the set in `--policies` and on the
    /// same set grown to `--rules` rules. Used by `Benchmarks/policy/run.sh`.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure policy decisions per second on the policy set and on a 1,000-rule version of it.",
            shouldDisplay: false)

        @OptionGroup var home: HomeOptions

        @Option(name: .long, help: "Total rules in the large set (the policy set plus generated rules).")
        var rules: Int = 1000

        @Option(name: .long, help: "Rounds per set; the median is reported.")
        var rounds: Int = 9

        @Option(name: .long, help: "Decisions per round.")
        var decisions: Int = 200_000

        @Option(name: .long, help: "Write the request mix as JSON to this file (for the Cedar side).")
        var dumpRequests: String?

        @Option(name: .long, help: "Write the generated rules as JSON to this file (for the Cedar side).")
        var dumpGenerated: String?

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let base: PolicySet
            do { base = try PolicySet.load(directory: home.policies) } catch {
                try PolicyOutput.fail(error, json: json)
            }
            let requests = PolicyBenchMix.requests
            let extra = max(0, rules - base.rules.count)
            let generated = PolicyBenchMix.generatedRules(count: extra)
            let large = try PolicyBenchMix.grown(base, with: generated)
            if let dumpRequests {
                try Data(JSONValue.array(requests.map(\.json)).prettyPrinted().utf8).write(
                    to: URL(fileURLWithPath: dumpRequests))
            }
            if let dumpGenerated {
                try Data(JSONValue.array(generated).prettyPrinted().utf8).write(to: URL(fileURLWithPath: dumpGenerated))
            }
            let effects = requests.map { base.evaluate($0, limiter: RateLimiter()).effect.rawValue }
            let small = measure(base, requests)
            let big = measure(large, requests)
            let parsed = measure(base, requests, parsingJSON: true)
            let result: JSONValue = [
                "requests": .int(Int64(requests.count)),
                "effects": .array(effects.map(JSONValue.string)),
                "default_set": summary(base, small),
                "large_set": summary(large, big),
                "default_set_with_json_parse": summary(base, parsed),
                "slowdown": .double((median(big.wall) / median(small.wall) * 100).rounded() / 100),
                "slowdown_cpu": .double((median(big.cpu) / median(small.cpu) * 100).rounded() / 100),
            ]
            if json {
                PolicyOutput.json(result)
            } else {
                for (name, set, samples) in [
                    ("default set", base, small), ("large set", large, big), ("default set, JSON parse", base, parsed),
                ] {
                    PolicyOutput.print(
                        name
                            + String(
                                format: " (%d rules): median %.0f ns/decision wall, %.0f ns CPU (%.0f decisions/s)",
                                set.rules.count, median(samples.wall), median(samples.cpu), 1e9 / median(samples.wall)))
                }
                PolicyOutput.print(
                    String(
                        format: "large/default: %.2f× wall, %.2f× CPU", median(big.wall) / median(small.wall),
                        median(big.cpu) / median(small.cpu)))
            }
        }

        func summary(_ set: PolicySet, _ samples: Samples) -> JSONValue {
            [
                "rules": .int(Int64(set.rules.count)),
                "median_ns": .double(median(samples.wall).rounded()),
                "median_cpu_ns": .double(median(samples.cpu).rounded()),
                "decisions_per_second": .double((1e9 / median(samples.wall)).rounded()),
                "decisions_per_cpu_second": .double((1e9 / median(samples.cpu)).rounded()),
                "rounds_ns": .array(samples.wall.map { .double($0.rounded()) }),
            ]
        }

        /// Nanoseconds per decision, one sample per round. With `parsingJSON`, each decision first reads its
        /// request from JSON bytes, as the plugin does with every `policy/evaluate`.
        func measure(_ set: PolicySet, _ requests: [PolicyRequest], parsingJSON: Bool = false) -> Samples {
            let limiter = RateLimiter()
            let encoded = requests.map { $0.json.serializedBytes() }
            func decide(_ i: Int) -> Int {
                if parsingJSON {
                    guard let json = try? JSONValue.parse(encoded[i]), let request = try? PolicyRequest(json: json)
                    else {
                        return 0
                    }
                    return set.evaluate(request, limiter: limiter).matchedRules.count
                }
                return set.evaluate(requests[i], limiter: limiter).matchedRules.count
            }
            var sink = 0
            for i in requests.indices { sink &+= decide(i) }
            var samples = Samples()
            for _ in 0..<rounds {
                let start = DispatchTime.now().uptimeNanoseconds
                let startCPU = Self.threadCPUNanoseconds()
                for i in 0..<decisions { sink &+= decide(i % requests.count) }
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                samples.wall.append(Double(elapsed) / Double(decisions))
                samples.cpu.append(Double(Self.threadCPUNanoseconds() - startCPU) / Double(decisions))
            }
            if sink == -1 { PolicyOutput.print("") }
            return samples
        }

        /// Wall-clock and thread-CPU nanoseconds per decision, one sample per round. CPU time is the figure
        /// to compare on a shared machine: it does not count the time other processes held the core.
        struct Samples {
            var wall: [Double] = []
            var cpu: [Double] = []
        }

        static func threadCPUNanoseconds() -> UInt64 {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
        }

        func median(_ samples: [Double]) -> Double {
            let sorted = samples.sorted()
            return sorted[sorted.count / 2]
        }
    }
}

/// The request mix and the generated rules of the policy benchmark (the Cedar side mirrors both).
enum PolicyBenchMix {
    static let requests: [PolicyRequest] = [
        PolicyRequest(tool: "files.read", caller: "agent", arguments: ["path": "src/main.swift"]),
        PolicyRequest(tool: "files.list", caller: "agent", arguments: [:]),
        PolicyRequest(tool: "files.read", caller: "agent", arguments: ["path": "../../etc/passwd"]),
        PolicyRequest(tool: "files.write", caller: "agent", arguments: ["path": "notes.txt", "content": "hello"]),
        PolicyRequest(tool: "shell.run", caller: "agent", arguments: ["program": "ls", "args": ["-la", "src"]]),
        PolicyRequest(tool: "shell.run", caller: "agent", arguments: ["program": "sh", "args": ["-c", "rm -rf /"]]),
        PolicyRequest(tool: "http.get", caller: "agent", arguments: ["url": "https://docs.python.org/3/library/"]),
        PolicyRequest(
            tool: "http.get", caller: "agent", arguments: ["url": "http://169.254.169.254/latest/meta-data/"]),
        PolicyRequest(tool: "http.get", caller: "agent", arguments: ["url": "https://unknown.example.net/"]),
        PolicyRequest(tool: "time.get_current_time", caller: "agent", arguments: ["timezone": "UTC"]),
        PolicyRequest(
            tool: "files.read", caller: "agent", arguments: ["path": "q.sql"],
            findings: [Finding(ruleID: "sqli-1", category: "sqli", severity: .high, path: "$.path", excerpt: "")]),
        PolicyRequest(tool: "echo.echo", caller: "agent", arguments: ["text": "hello"]),
    ]

    static let realTools = ["files.read", "files.write", "shell.run", "http.get", "time.get_current_time", "echo.echo"]

    /// `count` rules: most on tools of 100 other plugins, one in twenty on the bundled tools with a
    /// condition that the mix never satisfies.
    static func generatedRules(count: Int) -> [JSONValue] {
        (0..<count).map { i -> JSONValue in
            let id = String(format: "gen-%04d", i)
            let onRealTool = i % 20 == 0
            let tool = onRealTool ? realTools[(i / 20) % realTools.count] : "gen\(i % 100).op\(i % 10)"
            let condition: JSONValue =
                onRealTool
                ? ["argument": "$.marker", "equals": .string(id)]
                : ["argument": "$.path", "prefix": .string("/gen/\(i)/")]
            var rule: [String: JSONValue] = [
                "id": .string(id), "description": .string("Generated rule \(i)."),
                "effect": i % 2 == 0 ? "deny" : "allow",
                "match": ["tools": [.string(tool)]],
                "conditions": onRealTool ? [["argument": "$.marker", "exists": true], condition] : [condition],
            ]
            if i % 7 == 3 && !onRealTool {
                rule["effect"] = "require_approval"
                rule["approval"] = ["group": "operators", "expires": "1h"]
            }
            return .object(rule)
        }
    }

    /// The set with the generated rules added, loaded from a temporary copy of its folder.
    static func grown(_ set: PolicySet, with generated: [JSONValue]) throws -> PolicySet {
        let fm = FileManager.default
        let temporary = fm.temporaryDirectory.appendingPathComponent("warden-policy-bench-\(getpid())")
        try? fm.removeItem(at: temporary)
        try fm.createDirectory(at: temporary.appendingPathComponent("policies"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: temporary) }
        for file in set.policyFiles {
            try fm.copyItem(
                atPath: set.directory + "/" + file, toPath: temporary.appendingPathComponent(file).path)
        }
        let document: JSONValue = ["version": 1, "rules": .array(generated)]
        try Data(document.serializedBytes()).write(to: temporary.appendingPathComponent("policies/zz-generated.json"))
        do {
            return try PolicySet.parse(directory: temporary.path)
        } catch {
            throw ValidationError("the generated set does not load: \(error)")
        }
    }
}
