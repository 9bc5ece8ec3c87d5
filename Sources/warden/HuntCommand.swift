import ArgumentParser
import Foundation
import WardenCore
import WardenHunter

/// `warden hunt test | scan | bench`: the hunter rules, their tests, and what they find.
struct HuntCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hunt", abstract: "Test hunter rules, measure them on corpora, and scan text or tool calls.",
        subcommands: [Test.self, Scan.self, Bench.self])
}

/// Options every `hunt` subcommand shares: where the rules are and how paranoid to be.
struct HuntRuleOptions: ParsableArguments {
    @OptionGroup var home: HomeOptions

    @Option(name: .long, help: "The rules folder (default: <plugins>/hunter/rules).")
    var rules: String?

    @Option(name: .long, help: "Paranoia level 1 (precise) to 4 (noisy): rules above it do not run.")
    var paranoia: Int = HunterEngine.defaultParanoiaLevel

    func validate() throws {
        guard (1...4).contains(paranoia) else { throw ValidationError("--paranoia must be 1, 2, 3 or 4") }
    }

    /// The rules folder, absolute.
    var rulesDirectory: String {
        if let rules { return HomeOptions.absolute(rules) }
        return (home.resolved.plugins as NSString).appendingPathComponent("hunter/rules")
    }

    /// Loads the rules folder, printing `file:line:col: message` and exiting 2 when a file is invalid.
    func loadRules() throws -> [HunterRule] {
        do {
            return try RuleLoader.loadDirectory(rulesDirectory)
        } catch {
            HuntOutput.error(error.description)
            throw ExitCode.badInput
        }
    }
}

/// Small output helpers shared by the `hunt` subcommands.
enum HuntOutput {
    static func error(_ message: String) {
        StandardStreams.err("warden: \(message)\n")
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Pads or cuts `text` to `width` characters.
    static func cell(_ text: String, _ width: Int, right: Bool = false) -> String {
        let cut = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        let padding = String(repeating: " ", count: max(0, width - cut.count))
        return right ? padding + cut : cut + padding
    }

    static func percent(_ rate: Double) -> String { String(format: "%5.1f%%", rate * 100) }
}
