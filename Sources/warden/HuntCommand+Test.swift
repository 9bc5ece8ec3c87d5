import ArgumentParser
import Foundation
import WardenCore
import WardenHunter

extension HuntCommand {
    /// `warden hunt test [PATH…]`: embedded rule tests and suites, or rates on labelled corpora.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the rules' embedded tests and suite files, or measure rates on labelled corpora.",
            discussion: """
                PATHs are rule files, suite files (a top-level "suite:" key) or folders of them. Without rule files \
                among them, the rules come from --rules. Without any PATH, the rules folder is tested along with the \
                suites in the "tests" folder beside it. Exit status: 0 all passed, 1 a case failed (or a corpus \
                missed a --min-detection / --max-false-positives bound), 2 a rule, suite or corpus file is invalid.
                """)

        @OptionGroup var options: HuntRuleOptions

        @Argument(help: "Rule files, suite files or folders.")
        var paths: [String] = []

        @Option(name: .long, help: "A labelled JSONL corpus: report detection and false-positive rates (repeatable).")
        var corpus: [String] = []

        @Option(name: .long, help: "With --corpus: fail when a group's detection rate is below this (0-1).")
        var minDetection: Double?

        @Option(name: .long, help: "With --corpus: fail when a group's false-positive rate is above this (0-1).")
        var maxFalsePositives: Double?

        @Flag(name: .long, help: "List every case (tests) or every miss and false positive (corpus).")
        var verbose = false

        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if !corpus.isEmpty {
                try runCorpora()
                return
            }
            let (rules, suites) = try loadInputs()
            let total = rules.reduce(0) { $0 + $1.tests.count } + suites.reduce(0) { $0 + $1.cases.count }
            let bar = HuntProgressBar(label: "testing", total: total)
            let report: RuleTestReport
            do {
                report = try RuleTestRunner.run(
                    rules: rules, suites: suites, paranoiaLevel: options.paranoia, progress: bar.update)
            } catch {
                bar.finish()
                HuntOutput.error(error.description)
                throw ExitCode.badInput
            }
            bar.finish()
            if json {
                print(HuntOutput.json(report))
            } else {
                printTable(report)
            }
            if report.failed { throw ExitCode.toolError }
        }

        /// Rules and suites from the PATHs (or the defaults).
        private func loadInputs() throws -> ([HunterRule], [RuleSuite]) {
            var ruleFiles: [String] = []
            var suiteFiles: [String] = []
            var inputs = paths.map(HomeOptions.absolute)
            if inputs.isEmpty {
                inputs = [options.rulesDirectory]
                let tests = ((options.rulesDirectory as NSString).deletingLastPathComponent as NSString)
                    .appendingPathComponent("tests")
                if FileManager.default.fileExists(atPath: tests) { inputs.append(tests) }
            }
            for input in inputs {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                    HuntOutput.error("\(input): no such file or folder")
                    throw ExitCode.badInput
                }
                let files: [String]
                if isDirectory.boolValue {
                    do {
                        files = try RuleLoader.ruleFiles(in: input)
                    } catch {
                        HuntOutput.error(error.description)
                        throw ExitCode.badInput
                    }
                } else {
                    files = [input]
                }
                for file in files {
                    if RuleSuite.isSuite(path: file) { suiteFiles.append(file) } else { ruleFiles.append(file) }
                }
            }
            do {
                let rules = ruleFiles.isEmpty ? try RuleLoader.loadDirectory(options.rulesDirectory) : try RuleLoader.loadFiles(ruleFiles)
                var suites: [RuleSuite] = []
                for file in suiteFiles { suites.append(try RuleSuite.load(path: file)) }
                return (rules, suites)
            } catch {
                HuntOutput.error(error.description)
                throw ExitCode.badInput
            }
        }

        private func printTable(_ report: RuleTestReport) {
            let width = max(28, (report.groups.map { $0.name.count + ($0.kind == "suite" ? 6 : 0) }.max() ?? 0) + 2)
            print(HuntOutput.cell("RULE", width) + " PASS  FAIL  TODO  STATUS")
            for group in report.groups {
                let status = group.failed > 0 ? "FAIL" : (group.todo > 0 ? "ok (todo)" : "ok")
                let name = group.kind == "suite" ? "suite \(group.name)" : group.name
                print(
                    HuntOutput.cell(name, width) + HuntOutput.cell("\(group.passed)", 5, right: true)
                        + HuntOutput.cell("\(group.failed)", 6, right: true) + HuntOutput.cell("\(group.todo)", 6, right: true)
                        + "  " + status)
                for result in group.cases {
                    let show = verbose || result.status == .fail || result.status == .fixed
                    guard show else { continue }
                    let label = result.name.map { " \"\($0)\"" } ?? ""
                    let detail = result.detail.map { ": \($0)" } ?? ""
                    let note = result.status == .fixed ? ": passes now; remove \"todo: true\"" : detail
                    print("    \(result.status.rawValue.uppercased()) \(result.location)\(label)\(note)")
                }
            }
            let rules = report.groups.filter { $0.kind == "rule" }.count
            let suites = report.groups.count - rules
            let passed = report.groups.reduce(0) { $0 + $1.passed }
            let failed = report.groups.reduce(0) { $0 + $1.failed }
            let todo = report.groups.reduce(0) { $0 + $1.todo }
            print("\(rules) rules, \(suites) suites at paranoia \(report.paranoiaLevel): \(passed) passed, \(failed) failed, \(todo) todo")
        }

        private func runCorpora() throws {
            let rules = try options.loadRules()
            let engine: HunterEngine
            do {
                engine = try HunterEngine(rules: rules, paranoiaLevel: options.paranoia)
            } catch {
                HuntOutput.error(error.description)
                throw ExitCode.badInput
            }
            var reports: [CorpusReport] = []
            for path in corpus {
                let entries: [CorpusEvaluator.Entry]
                do {
                    entries = try CorpusEvaluator.load(path: HomeOptions.absolute(path))
                } catch {
                    HuntOutput.error(error.description)
                    throw ExitCode.badInput
                }
                let bar = HuntProgressBar(label: (path as NSString).lastPathComponent, total: entries.count)
                reports.append(CorpusEvaluator.evaluate(entries, engine: engine, file: path, progress: bar.update))
                bar.finish()
            }
            var failures: [String] = []
            for report in reports {
                for group in report.groups {
                    if let minDetection, group.attacks > 0, group.detectionRate < minDetection {
                        failures.append("\(report.file): \(group.name) detection \(HuntOutput.percent(group.detectionRate)) is below \(HuntOutput.percent(minDetection))")
                    }
                    if let maxFalsePositives, group.benign > 0, group.falsePositiveRate > maxFalsePositives {
                        failures.append("\(report.file): \(group.name) false positives \(HuntOutput.percent(group.falsePositiveRate)) is above \(HuntOutput.percent(maxFalsePositives))")
                    }
                }
            }
            if json {
                var trimmed = reports
                if !verbose { for index in trimmed.indices { trimmed[index].misses = [] } }
                print(HuntOutput.json(trimmed))
            } else {
                for report in reports { printCorpus(report) }
                for failure in failures { print("FAIL \(failure)") }
            }
            if !failures.isEmpty { throw ExitCode.toolError }
        }

        private func printCorpus(_ report: CorpusReport) {
            print("\(report.file) (paranoia \(report.paranoiaLevel))")
            let width = max(24, (report.groups.map(\.name.count).max() ?? 0) + 2)
            print(HuntOutput.cell("GROUP", width) + "  ATTACKS  DETECTED    RATE   BENIGN  FALSE+    RATE")
            for group in report.groups + [report.total] {
                let detection = group.attacks > 0 ? HuntOutput.percent(group.detectionRate) : "     -"
                let falsePositive = group.benign > 0 ? HuntOutput.percent(group.falsePositiveRate) : "     -"
                print(
                    HuntOutput.cell(group.name, width) + HuntOutput.cell("\(group.attacks)", 9, right: true)
                        + HuntOutput.cell("\(group.detected)", 10, right: true) + "  " + detection
                        + HuntOutput.cell("\(group.benign)", 9, right: true)
                        + HuntOutput.cell("\(group.falsePositives)", 8, right: true) + "  " + falsePositive)
            }
            if verbose {
                for miss in report.misses {
                    let what = miss.label == "attack" ? "missed attack" : "false positive (\(miss.rules.joined(separator: ", ")))"
                    print("    line \(miss.line) [\(miss.group)]: \(what)")
                }
            }
            print("")
        }
    }
}
