import WardenCore

/// The outcome of one test case.
public enum TestStatus: String, Sendable, Codable {
    case pass, fail
    /// A known gap (`todo: true`) that still fails.
    case todo
    /// A `todo` case that now passes: remove the flag.
    case fixed
}

/// What `warden hunt test` reports: per rule and per suite, each case's status.
public struct RuleTestReport: Sendable, Codable {
    public struct CaseResult: Sendable, Codable {
        public var name: String?
        public var location: String
        public var status: TestStatus
        /// Why it failed (or what still fails for a todo), in a sentence.
        public var detail: String?
        /// The rules that fired.
        public var fired: [String]
    }

    public struct Group: Sendable, Codable {
        /// The rule id, or the suite name.
        public var name: String
        public var kind: String
        public var location: String
        public var cases: [CaseResult]
        public var passed: Int { cases.filter { $0.status == .pass || $0.status == .fixed }.count }
        public var failed: Int { cases.filter { $0.status == .fail }.count }
        public var todo: Int { cases.filter { $0.status == .todo }.count }

        enum CodingKeys: String, CodingKey { case name, kind, location, cases, passed, failed, todo }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(kind, forKey: .kind)
            try container.encode(location, forKey: .location)
            try container.encode(cases, forKey: .cases)
            try container.encode(passed, forKey: .passed)
            try container.encode(failed, forKey: .failed)
            try container.encode(todo, forKey: .todo)
        }

        public init(name: String, kind: String, location: String, cases: [CaseResult]) {
            self.name = name
            self.kind = kind
            self.location = location
            self.cases = cases
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            kind = try container.decode(String.self, forKey: .kind)
            location = try container.decode(String.self, forKey: .location)
            cases = try container.decode([CaseResult].self, forKey: .cases)
        }
    }

    public var paranoiaLevel: Int
    public var groups: [Group]
    /// Whether any case failed (a todo never fails the run).
    public var failed: Bool { groups.contains { $0.failed > 0 } }

    enum CodingKeys: String, CodingKey {
        case paranoiaLevel = "paranoia_level", groups, failed
    }

    public init(paranoiaLevel: Int, groups: [Group]) {
        self.paranoiaLevel = paranoiaLevel
        self.groups = groups
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        paranoiaLevel = try container.decode(Int.self, forKey: .paranoiaLevel)
        groups = try container.decode([Group].self, forKey: .groups)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(paranoiaLevel, forKey: .paranoiaLevel)
        try container.encode(groups, forKey: .groups)
        try container.encode(failed, forKey: .failed)
    }
}

/// Runs rules' embedded tests and suite files against the real engine.
public enum RuleTestRunner {
    /// Runs every embedded test of `rules` and every case of `suites`.
    ///
    /// Each case is scanned by an engine holding all `rules` at `paranoiaLevel`, plus the rule under test (or the
    /// suite's expected rules) whatever their level, so `isolated` checks against everything that would run.
    /// `progress` is called after each case with (done, total).
    /// - Throws: `RuleFileError` when a suite names a rule that is not loaded or a rule does not compile.
    public static func run(
        rules: [HunterRule], suites: [RuleSuite] = [], paranoiaLevel: Int = HunterEngine.defaultParanoiaLevel,
        progress: ((Int, Int) -> Void)? = nil
    ) throws(RuleFileError) -> RuleTestReport {
        let known = Set(rules.map(\.id))
        for suite in suites {
            for testCase in suite.cases {
                if let unknown = testCase.expect.first(where: { !known.contains($0) }) {
                    let hint = Suggestion.closest(to: unknown, in: known).map { "; did you mean \"\($0)\"?" } ?? ""
                    throw RuleFileError(.invalidValue, at: testCase.location, "suite case expects unknown rule \"\(unknown)\"\(hint)")
                }
            }
        }
        let base = try HunterEngine(rules: rules, paranoiaLevel: paranoiaLevel)
        var engines: [Set<String>: HunterEngine] = [[]: base]
        func engine(including ids: Set<String>) throws(RuleFileError) -> HunterEngine {
            let extra = ids.filter { id in !base.rules.contains { $0.id == id } }
            if let cached = engines[extra] { return cached }
            let made = try HunterEngine(rules: rules, paranoiaLevel: paranoiaLevel, including: extra)
            engines[extra] = made
            return made
        }

        let total = rules.reduce(0) { $0 + $1.tests.count } + suites.reduce(0) { $0 + $1.cases.count }
        var done = 0
        var groups: [RuleTestReport.Group] = []
        for rule in rules {
            let scanner = try engine(including: [rule.id])
            var results: [RuleTestReport.CaseResult] = []
            for test in rule.tests {
                let phase = test.phase ?? (rule.scope == .output ? .output : .input)
                let fired = Set(scanner.scan(ScanSubject(phase: phase, tool: test.tool, value: test.value)).map(\.ruleID))
                var problem: String? = nil
                if test.shouldMatch && !fired.contains(rule.id) {
                    problem = "expected \"\(rule.id)\" to fire; it did not"
                } else if !test.shouldMatch && fired.contains(rule.id) {
                    problem = "expected \"\(rule.id)\" not to fire; it did"
                } else if test.isolated, fired != [rule.id] {
                    problem = "expected only \"\(rule.id)\" to fire; also fired: \(fired.subtracting([rule.id]).sorted().joined(separator: ", "))"
                }
                results.append(result(name: test.name, location: test.location, todo: test.todo, problem: problem, fired: fired))
                done += 1
                progress?(done, total)
            }
            groups.append(.init(name: rule.id, kind: "rule", location: rule.location.description, cases: results))
        }
        for suite in suites {
            var results: [RuleTestReport.CaseResult] = []
            for testCase in suite.cases {
                let scanner = try engine(including: Set(testCase.expect))
                let fired = Set(scanner.scan(ScanSubject(phase: testCase.phase, tool: testCase.tool, value: testCase.value)).map(\.ruleID))
                var problem: String? = nil
                let missing = Set(testCase.expect).subtracting(fired)
                let extra = fired.subtracting(testCase.expect)
                if !missing.isEmpty {
                    problem = "expected to fire but did not: \(missing.sorted().joined(separator: ", "))"
                } else if testCase.isolated, !extra.isEmpty {
                    problem = "expected nothing else to fire; also fired: \(extra.sorted().joined(separator: ", "))"
                }
                results.append(result(name: testCase.name, location: testCase.location, todo: testCase.todo, problem: problem, fired: fired))
                done += 1
                progress?(done, total)
            }
            groups.append(.init(name: suite.name, kind: "suite", location: suite.location.description, cases: results))
        }
        return RuleTestReport(paranoiaLevel: paranoiaLevel, groups: groups)
    }

    private static func result(
        name: String?, location: SourceLocation, todo: Bool, problem: String?, fired: Set<String>
    ) -> RuleTestReport.CaseResult {
        let status: TestStatus = switch (problem == nil, todo) {
        case (true, false): .pass
        case (true, true): .fixed
        case (false, false): .fail
        case (false, true): .todo
        }
        return .init(name: name, location: location.description, status: status, detail: problem, fired: fired.sorted())
    }
}
