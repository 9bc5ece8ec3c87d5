import Foundation
import WardenCore

/// Settings of the standard rules: size caps, which arguments are paths, rate limits.
public struct RuleConfiguration: Sendable {
    /// A rate limit on calls to tools matching a glob.
    public struct RateLimit: Sendable {
        public var tools: [String]
        public var count: Int
        public var windowSeconds: Int
        /// Count per caller (when the kernel names one) as well as per tool.
        public var perCaller: Bool

        public init(tools: [String], count: Int, windowSeconds: Int, perCaller: Bool = true) {
            self.tools = tools
            self.count = count
            self.windowSeconds = windowSeconds
            self.perCaller = perCaller
        }
    }

    /// The largest serialized arguments accepted, in bytes.
    public var maximumArgumentBytes: Int = 1 << 20
    /// The largest serialized tool output accepted, in bytes.
    public var maximumOutputBytes: Int = 16 << 20
    /// Argument names that hold paths, wherever they appear in the arguments.
    public var pathArgumentNames: Set<String> = ["path", "file", "dir", "directory", "cwd"]
    /// Per tool: the JSON paths of its path arguments, replacing the names above for that tool.
    public var pathArguments: [String: [String]] = [:]
    public var rateLimits: [RateLimit] = []
    public var clock: PolicyClock = .system

    public init() {}

    /// The defaults: 1 MiB of arguments, 16 MiB of output, paths named path/file/dir/directory/cwd, no rate limit.
    public static let standard = RuleConfiguration()

    static let keys = ["version", "max_argument_bytes", "max_output_bytes", "path_arguments", "rate_limits"]

    /// Reads a configuration file (YAML or JSON, strict like policy files):
    ///
    /// ```yaml
    /// version: 1
    /// max_argument_bytes: 1048576
    /// max_output_bytes: 16777216
    /// path_arguments:
    ///   names: [path, file, dir, directory, cwd]
    ///   tools: {shell.run: [$.cwd]}
    /// rate_limits:
    ///   - {tools: ["shell.*"], count: 60, window: 1m}
    /// ```
    /// - Throws: ``PolicyLoadError`` with file:line:column for each problem.
    public static func load(file: String) throws(PolicyLoadError) -> RuleConfiguration {
        let root: SourceNode
        do {
            let directory = (file as NSString).deletingLastPathComponent
            let name = (file as NSString).lastPathComponent
            root = try PolicySetLoader.parse(directory: directory, relativePath: name).root
        } catch {
            throw PolicyLoadError(diagnostics: [error])
        }
        var reader = SchemaReader()
        var configuration = RuleConfiguration()
        if let f = reader.fields(root, "a rules configuration", allowed: keys, required: ["version"]) {
            PolicyFileDecoder.checkVersion(f["version"], reader: &reader)
            if let n = reader.integer(f["max_argument_bytes"], "max_argument_bytes", range: 1...(1 << 30)) {
                configuration.maximumArgumentBytes = Int(n)
            }
            if let n = reader.integer(f["max_output_bytes"], "max_output_bytes", range: 1...(1 << 32)) {
                configuration.maximumOutputBytes = Int(n)
            }
            if let p = f["path_arguments"], let pf = reader.fields(p, "path_arguments", allowed: ["names", "tools"]) {
                if let names = reader.strings(pf["names"], "path_arguments.names") {
                    configuration.pathArgumentNames = Set(names.map(\.0))
                }
                if let tools = pf["tools"], case .object(let members) = tools.kind {
                    for member in members {
                        guard let paths = reader.strings(member.value, "the path arguments of \(member.key)") else {
                            continue
                        }
                        for (path, location) in paths {
                            do { _ = try JSONPath(path) } catch {
                                reader.report(.invalidJSONPath, at: location, error.message)
                            }
                        }
                        configuration.pathArguments[member.key] = paths.map(\.0)
                    }
                } else if let tools = pf["tools"] {
                    reader.report(
                        .wrongType, at: tools.location, "path_arguments.tools must map tool names to JSON paths")
                }
            }
            for item in reader.list(f["rate_limits"], "rate_limits") ?? [] {
                guard
                    let r = reader.fields(
                        item, "a rate limit", allowed: ["tools", "count", "window", "per"],
                        required: ["tools", "count", "window"])
                else { continue }
                let tools = reader.strings(r["tools"], "tools")
                for (pattern, location) in tools ?? [] {
                    do { _ = try Glob(pattern) } catch { reader.report(.invalidGlob, at: location, error.message) }
                }
                let count = reader.integer(r["count"], "count", range: 1...100_000)
                let window = reader.duration(r["window"], "window", maximum: 7 * 86400)
                var perCaller = true
                if let per = reader.strings(r["per"], "per") {
                    for (word, location) in per where word != "caller" && word != "tool" {
                        reader.report(.invalidValue, at: location, "per lists caller and/or tool, not \"\(word)\"")
                    }
                    perCaller = per.contains { $0.0 == "caller" }
                }
                if let tools, let count, let window {
                    configuration.rateLimits.append(
                        RateLimit(tools: tools.map(\.0), count: Int(count), windowSeconds: window, perCaller: perCaller)
                    )
                }
            }
        }
        guard reader.diagnostics.isEmpty else { throw PolicyLoadError(diagnostics: reader.diagnostics) }
        return configuration
    }
}
