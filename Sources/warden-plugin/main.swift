import Foundation
import WardenCore
import WardenHunter
import WardenPluginKit
import WardenPolicy
import WardenTools

// One binary for every bundled plugin, chosen by the first argument. The plugin folders run it as
// `bin/warden-plugin ROLE`; linking the Swift runtime statically keeps the sandbox's view to system paths.

let arguments = CommandLine.arguments.dropFirst()
guard let role = arguments.first else {
    FileHandle.standardError.write(Data("usage: warden-plugin files|shell|http|echo|policy|rules|hunter\n".utf8))
    exit(2)
}
let version = "0.1.0"
let workspace: @Sendable () throws -> Workspace = { try Workspace.fromEnvironment() }

let server: PluginServer
switch role {
case "files":
    server = PluginServer(name: "files", version: version, tools: FilesTools.tools(workspace: workspace))
case "shell":
    server = PluginServer(name: "shell", version: version, tools: ShellTools.tools(workspace: workspace))
case "http":
    server = PluginServer(name: "http", version: version, tools: HTTPTools.tools())
case "echo":
    server = PluginServer(name: "echo", version: version, tools: EchoTools.tools())
case "policy":
    server = PluginServer(name: "policy", version: version, methods: engine { () throws in
        guard let folder = ProcessInfo.processInfo.environment["WARDEN_POLICIES"] else {
            throw PluginMethodError(message: "WARDEN_POLICIES is not set: grant the policy plugin read of \"policies\"")
        }
        // Every reload goes to stderr, which the kernel keeps in its log: what loaded, or why the last good
        // set stays in force (file:line).
        let holder = PolicySetHolder(directory: folder) { outcome in
            switch outcome {
            case .unchanged:
                break
            case .loaded(let set):
                FileHandle.standardError.write(Data("policy set loaded: \(set.digest), \(set.rules.count) rules\n".utf8))
            case .failed(let error):
                FileHandle.standardError.write(Data("policy set refused; the last good set stays in force: \(error)\n".utf8))
            }
        }
        return PolicyPlugin.methods(holder: holder)
    })
case "rules":
    server = PluginServer(name: "rules", version: version, methods: RulesPlugin.methods())
case "hunter":
    // The rule suites live in the plugin's own folder, which is its working directory.
    server = PluginServer(name: "hunter", version: version, methods: engine { () throws in
        try HunterPlugin.methods(rulesDirectory: FileManager.default.currentDirectoryPath + "/rules")
    })
default:
    FileHandle.standardError.write(Data("warden-plugin: unknown role \(role)\n".utf8))
    exit(2)
}
server.run()

/// The engine's methods, or — when it cannot load at all — methods that answer every call with the reason, so
/// the kernel denies (fail closed) and says why instead of seeing a crash loop.
func engine(_ load: () throws -> [String: PluginHandler]) -> [String: PluginHandler] {
    do {
        return try load()
    } catch {
        let reason = "\(error)"
        FileHandle.standardError.write(Data("warden-plugin: cannot load: \(reason)\n".utf8))
        let refuse: PluginHandler = { _ in throw PluginMethodError(code: JSONRPCError.internalError, message: reason) }
        return ["policy/evaluate": refuse, "hunter/scan": refuse, "rule/check": refuse]
    }
}
