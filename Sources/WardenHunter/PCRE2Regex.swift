import CPCRE2

/// Why a pattern did not compile: PCRE2's own message and the byte offset in the pattern it points at.
public struct RegexCompileError: Error, Sendable, Equatable {
    /// PCRE2's message, for example `missing closing parenthesis`.
    public var message: String
    /// The byte offset in the pattern where PCRE2 stopped.
    public var offset: Int
}

/// A regular expression compiled by PCRE2 in UTF mode, with its JIT code when the platform has one.
///
/// Matching runs over UTF-8 bytes; invalid UTF-8 (for example a decoded base64 blob) is allowed and never
/// matches a multi-byte character. A match that exceeds the backtracking budget reports `.limitExceeded`,
/// which the engine treats as a match (fail closed) rather than silently skipping the detection.
final class PCRE2Regex: @unchecked Sendable {
    // @unchecked: `code` is written once in init and only read afterwards; PCRE2 documents compiled
    // (and JIT-compiled) patterns as safe to share between threads.
    private let code: OpaquePointer
    /// The source pattern, as written in the rule.
    let pattern: String
    /// Whether JIT compilation succeeded (it can fail on platforms without JIT support).
    let isJIT: Bool

    /// The backtracking budget of one match attempt.
    static let matchLimit: UInt32 = 200_000

    /// Compiles `pattern`.
    /// - Throws: `RegexCompileError` with PCRE2's message and offset when the pattern is invalid.
    init(_ pattern: String, caseless: Bool = false) throws(RegexCompileError) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        var options: UInt32 = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_NEVER_BACKSLASH_C
        if caseless { options |= PCRE2_CASELESS }
        let compiled: OpaquePointer? = pattern.utf8CString.withUnsafeBufferPointer { chars in
            chars.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: chars.count) { base in
                pcre2_compile_8(base, chars.count - 1, options, &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw RegexCompileError(message: Self.errorMessage(errorCode), offset: errorOffset)
        }
        self.code = compiled
        self.pattern = pattern
        self.isJIT = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE) == 0
    }

    deinit { pcre2_code_free_8(code) }

    /// The outcome of one search.
    enum Outcome: Equatable {
        case match(Range<Int>)
        case noMatch
        /// The backtracking budget ran out (a pathological pattern or input).
        case limitExceeded
    }

    /// Searches `bytes` from byte `start` with the scratch space of the current scan.
    func firstMatch(in bytes: UnsafeBufferPointer<UInt8>, from start: Int, scratch: RegexScratch) -> Outcome {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            // PCRE2 wants a non-null subject even when it is empty.
            var empty: UInt8 = 0
            return withUnsafePointer(to: &empty) { search($0, count: 0, from: 0, scratch: scratch) }
        }
        return search(base, count: bytes.count, from: start, scratch: scratch)
    }

    private func search(_ base: UnsafePointer<UInt8>, count: Int, from start: Int, scratch: RegexScratch) -> Outcome {
        let result: Int32
        if isJIT {
            result = pcre2_jit_match_8(code, base, count, start, 0, scratch.matchData, scratch.context)
        } else {
            result = pcre2_match_8(code, base, count, start, 0, scratch.matchData, scratch.context)
        }
        if result >= 0 {
            let vector = pcre2_get_ovector_pointer_8(scratch.matchData)!
            let lower = vector[0]
            let upper = vector[1]
            guard lower != cpcre2_unset(), upper >= lower else { return .noMatch }
            return .match(lower..<upper)
        }
        if result == PCRE2_ERROR_NOMATCH { return .noMatch }
        return .limitExceeded
    }

    private static func errorMessage(_ code: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(code, $0.baseAddress, 256) }
        guard length > 0 else { return "error \(code)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }
}

/// Per-scan scratch space for PCRE2: match data and a match context with the backtracking budget.
/// Not shared between threads; each scan makes its own.
final class RegexScratch {
    let matchData: OpaquePointer
    let context: OpaquePointer
    init() {
        matchData = pcre2_match_data_create_8(1, nil)!
        context = pcre2_match_context_create_8(nil)!
        pcre2_set_match_limit_8(context, PCRE2Regex.matchLimit)
        pcre2_set_depth_limit_8(context, PCRE2Regex.matchLimit / 4)
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(context)
    }
}
