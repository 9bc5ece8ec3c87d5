/// Finds the rules that can apply to a tool without looking at every rule.
///
/// Rules are numbered in id order. A rule whose tool patterns are all literal or of the form
/// `plugin.…` (a literal up to the first `.` followed by anything) is filed under those names and
/// plugin prefixes; a rule with a pattern that starts with a wildcard goes to a short list checked for
/// every tool. For each literal tool name mentioned anywhere, the full candidate list is computed once.
struct RuleIndex: Sendable {
    private var byTool: [String: [Int]] = [:]
    private var byPlugin: [String: [Int]] = [:]
    private var generic: [Int] = []
    private let rules: [RuleMatch]

    init(_ matches: [RuleMatch]) {
        rules = matches
        var literalTools = Set<String>()
        for (n, match) in matches.enumerated() {
            let isGeneric = match.tools.contains { glob in
                let prefix = glob.literalPrefix
                return glob.tokens.count != prefix.unicodeScalars.count && !prefix.contains(".")
            }
            if isGeneric {
                generic.append(n)
                continue
            }
            var plugins = Set<String>()
            for glob in match.tools {
                let prefix = glob.literalPrefix
                if glob.tokens.count == prefix.unicodeScalars.count {
                    literalTools.insert(prefix)
                } else {
                    plugins.insert(String(prefix[...prefix.firstIndex(of: ".")!]))
                }
            }
            for p in plugins { byPlugin[p, default: []].append(n) }
        }
        for tool in literalTools {
            byTool[tool] = (0..<matches.count).filter { matches[$0].matches(tool: tool) }
        }
    }

    /// The numbers of the rules whose tool patterns match `tool`, ascending.
    func candidates(for tool: String) -> [Int] {
        if let list = byTool[tool] { return list }
        var out: [Int] = []
        if let dot = tool.firstIndex(of: "."), let list = byPlugin[String(tool[...dot])] {
            out = list.filter { rules[$0].matches(tool: tool) }
        }
        let extra = generic.filter { rules[$0].matches(tool: tool) }
        if extra.isEmpty { return out }
        if out.isEmpty { return extra }
        return (out + extra).sorted()
    }
}
