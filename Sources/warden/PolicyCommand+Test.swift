import ArgumentParser
import Foundation
import WardenCore
import WardenPolicy

extension PolicyCommand {
    /// `warden policy test`: run `Policies/tests/*.yaml` and print a pass/fail table.
    struct Test: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the policy set's tests (Policies/tests/*.yaml): a pass/fail table; exit 1 on failure.")

        @OptionGroup var home: HomeOptions

        @Flag(name: .long, help: "Print JSON.")
        var json = false

        func run() throws {
            let set: PolicySet
            do {
                set = try PolicySet.parse(directory: home.policies)
            } catch {
                try PolicyOutput.fail(error, json: json)
            }
            let report = set.runTests()
            if json {
                PolicyOutput.json(report.json)
            } else {
                PolicyOutput.print(
                    PolicyOutput.cell("RESULT", 7) + PolicyOutput.cell("EXPECTED", 17) + PolicyOutput.cell("GOT", 17)
                        + PolicyOutput.cell("TEST", 60) + "LOCATION")
                for r in report.results {
                    let at = "\(r.test.location.file):\(r.test.location.line)"
                    PolicyOutput.print(
                        PolicyOutput.cell(r.passed ? "pass" : "FAIL", 7)
                            + PolicyOutput.cell(r.test.expectedEffect.rawValue, 17)
                            + PolicyOutput.cell(r.decision.effect.rawValue, 17) + PolicyOutput.cell(r.test.name, 60)
                            + at)
                    for failure in r.failures { PolicyOutput.print("       \(failure)") }
                }
                PolicyOutput.print("\(report.passedCount) passed, \(report.failedCount) failed")
            }
            if !report.allPassed { throw ExitCode.toolError }
        }
    }
}
