import Foundation

/// A regular expression compiled once at load, with a literal prefilter in front of it.
///
/// `NSRegularExpression` (ICU syntax) is used because it is several times faster than Swift's `Regex`
/// on Linux; the prefilter keeps it off the evaluation path for subjects that cannot match.
final class CompiledRegex: Sendable, CustomStringConvertible {
    let pattern: String
    let caseInsensitive: Bool
    let prefilter: LiteralPrefilter?
    private let expression: NSRegularExpression

    var description: String { pattern }

    /// - Throws: ``PatternError`` with ICU's complaint when the pattern does not compile.
    init(_ pattern: String, caseInsensitive: Bool) throws(PatternError) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        do {
            expression = try NSRegularExpression(pattern: pattern, options: caseInsensitive ? [.caseInsensitive] : [])
        } catch {
            throw PatternError("the regular expression \"\(pattern)\" does not compile: \(error.localizedDescription)")
        }
        prefilter = LiteralPrefilter.derive(from: pattern, caseInsensitive: caseInsensitive)
    }

    /// Whether the expression matches somewhere in `s` (use `^…$` to anchor).
    func matches(_ s: String) -> Bool {
        if let prefilter {
            let admitted = ByteString.withBytes(s) { prefilter.admits($0) }
            if !admitted { return false }
            if prefilter.isExact && !(prefilter.foldCase && ByteString.withBytes(s, ByteString.hasNonASCII)) {
                return true
            }
        }
        return expression.firstMatch(in: s, options: [], range: NSRange(location: 0, length: s.utf16.count)) != nil
    }
}
