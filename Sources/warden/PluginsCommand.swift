import ArgumentParser
import Foundation
import WardenCore
import WardenHost

/// `warden plugins list | check | reload`.
struct PluginsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "List, check and reload plugins.",
        subcommands: [List.self, Check.self, Reload.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Name, kind, version, state, tools, capabilities and digest of every plugin.")
        @OptionGroup var home: HomeOptions
        @Option(help: "The workspace folder, for an in-process kernel.") var workspace: String = "workspace"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let plugins = try await fetchPlugins(home: home, workspace: workspace)
            if json {
                print(JSONValue.array(plugins).prettyPrinted())
                return
            }
            for p in plugins {
                let c = p["capabilities"]
                var caps: [String] = []
                if let r = c?["read"]?.arrayValue, !r.isEmpty { caps.append("read " + r.compactMap(\.stringValue).joined(separator: ",")) }
                if let w = c?["write"]?.arrayValue, !w.isEmpty { caps.append("write " + w.compactMap(\.stringValue).joined(separator: ",")) }
                if let n = c?["network"]?.stringValue, n != "none" { caps.append("network " + n) }
                if c?["spawn"]?.boolValue == true { caps.append("spawn") }
                let digest = String((p["digest"]?.stringValue ?? "").prefix(12))
                print("\(p["name"]?.stringValue ?? "?")  \(p["kind"]?.stringValue ?? "?")  \(p["version"]?.stringValue ?? "?")  \(p["state"]?.stringValue ?? "?")  sha256:\(digest)")
                print("    capabilities: \(caps.isEmpty ? "none" : caps.joined(separator: "; "))")
                let tools = p["tools"]?.arrayValue?.compactMap(\.stringValue) ?? []
                if !tools.isEmpty { print("    tools: \(tools.joined(separator: ", "))") }
                for problem in p["problems"]?.arrayValue?.compactMap(\.stringValue) ?? [] { print("    problem: \(problem)") }
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a plugin, launch it confined, handshake, list its tools, and report every problem.")
        @OptionGroup var home: HomeOptions
        @Argument(help: "The plugin to check (all when omitted).") var name: String?
        @Option(help: "The workspace folder.") var workspace: String = "workspace"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            // Loading, filtering and printing are separate functions: as one body, the release build's optimizer
            // crashed (Swift 6.x, signal 11).
            let plugins = try select(await load())
            report(plugins)
            if plugins.contains(where: { $0.state != "ready" || !$0.problems.isEmpty }) { throw ExitCode.toolError }
        }

        func load() async throws -> [PluginStatus] {
            let setup = try KernelSetup(home: home, workspace: workspace, logToStderr: false)
            await setup.kernel.reload()
            let plugins = await setup.kernel.plugins(start: true)
            await setup.kernel.shutdown()
            try await setup.close()
            return plugins
        }

        func select(_ plugins: [PluginStatus]) throws -> [PluginStatus] {
            guard let name else { return plugins }
            let chosen = plugins.filter { $0.name == name }
            guard !chosen.isEmpty else {
                throw ValidationError("no plugin named \(name) in \(home.resolved.plugins) (no \(name)/plugin.json)")
            }
            return chosen
        }

        func report(_ plugins: [PluginStatus]) {
            if json {
                print(JSONValue.array(plugins.map(\.json)).prettyPrinted())
                return
            }
            for p in plugins {
                let ok = p.state == "ready" && p.problems.isEmpty
                print("\(ok ? "ok  " : "FAIL") \(p.name) (\(p.kind) \(p.version)): \(p.state)")
                if !p.tools.isEmpty { print("     tools: \(p.tools.joined(separator: ", "))") }
                for problem in p.problems { print("     \(problem)") }
            }
        }
    }

    struct Reload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the running kernel to rescan Plugins/ and the grants now.")
        @OptionGroup var home: HomeOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            guard let connection = KernelConnection.open(home: home.resolved.home) else {
                throw CLIError("no kernel is running on \(home.resolved.home) (start one with `warden serve`)")
            }
            let report = try connection.request("plugins/reload", [:])
            if json {
                print(report.prettyPrinted())
                return
            }
            for key in ["added", "changed", "removed"] {
                let names = report[key]?.arrayValue?.compactMap(\.stringValue) ?? []
                if !names.isEmpty { print("\(key): \(names.joined(separator: ", "))") }
            }
            for problem in report["problems"]?.arrayValue?.compactMap(\.stringValue) ?? [] { print("problem: \(problem)") }
        }
    }

    static func fetchPlugins(home: HomeOptions, workspace: String) async throws -> [JSONValue] {
        if let connection = KernelConnection.open(home: home.resolved.home) {
            return try connection.request("plugins/list", ["start": true])["plugins"]?.arrayValue ?? []
        }
        let setup = try KernelSetup(home: home, workspace: workspace, logToStderr: false)
        await setup.kernel.reload()
        let plugins = await setup.kernel.plugins(start: true).map(\.json)
        await setup.kernel.shutdown()
        try await setup.close()
        return plugins
    }
}

extension PluginsCommand.List {
    func fetchPlugins(home: HomeOptions, workspace: String) async throws -> [JSONValue] {
        try await PluginsCommand.fetchPlugins(home: home, workspace: workspace)
    }
}
