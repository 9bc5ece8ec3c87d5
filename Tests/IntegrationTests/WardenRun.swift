import Foundation
import Synchronization
import Testing
import WardenCore

/// Runs the built `warden` binary and collects what it printed.
struct WardenRun {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Whether it was stopped for running past its time limit.
    var timedOut = false

    static var binary: String { RepositoryPaths.binaries.appendingPathComponent("warden").path }

    /// Runs `warden ARGS`, feeding `input` on stdin, failing the test past `timeout`.
    static func run(_ arguments: [String], input: String = "", cwd: URL? = nil, timeout: Duration = .seconds(120))
        throws -> WardenRun
    {
        try runProgram(binary, arguments, input: input, cwd: cwd, timeout: timeout)
    }

    static func runProgram(
        _ program: String, _ arguments: [String], input: String = "", cwd: URL? = nil, timeout: Duration = .seconds(120)
    ) throws -> WardenRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let cwd { process.currentDirectoryURL = cwd }
        let out = Pipe()
        let err = Pipe()
        let inp = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = inp
        try process.run()
        inp.fileHandleForWriting.write(Data(input.utf8))
        try inp.fileHandleForWriting.close()
        let group = DispatchGroup()
        let collected = Mutex((out: Data(), err: Data()))
        group.enter()
        DispatchQueue.global().async {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0.out = data }
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0.err = data }
            group.leave()
        }
        let seconds = Double(timeout.components.seconds)
        let timedOut = group.wait(timeout: .now() + seconds) == .timedOut
        if timedOut {
            process.terminate()
            Issue.record("\(program) \(arguments.joined(separator: " ")) did not finish within \(seconds) s")
        }
        process.waitUntilExit()
        let (outData, errData) = collected.withLock { ($0.out, $0.err) }
        return WardenRun(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self), timedOut: timedOut)
    }

    /// stdout parsed as JSON.
    func json() throws -> JSONValue { try JSONValue.parse(stdout) }
}

/// A temporary kernel home: state and workspace folders, and (optionally) a plugins and policies folder of its own.
struct TestHome {
    let root: URL
    var home: URL { root.appendingPathComponent(".warden") }
    var workspace: URL { root.appendingPathComponent("workspace") }
    var plugins: URL
    var policies: URL

    /// A home using the repository's own Plugins/ and Policies/.
    init(repositoryPlugins: Bool) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("warden-it-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("workspace"), withIntermediateDirectories: true)
        if repositoryPlugins {
            plugins = RepositoryPaths.root.appendingPathComponent("Plugins")
            policies = RepositoryPaths.root.appendingPathComponent("Policies")
        } else {
            plugins = root.appendingPathComponent("Plugins")
            policies = root.appendingPathComponent("Policies")
            try FileManager.default.createDirectory(at: plugins, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                at: policies.appendingPathComponent("policies"), withIntermediateDirectories: true)
        }
    }

    /// The options every command takes.
    var options: [String] {
        ["--plugins", plugins.path, "--policies", policies.path, "--home", home.path]
    }

    /// Copies a bundled plugin folder (manifest and built binary) from the repository.
    func addBundled(_ name: String) throws {
        let source = RepositoryPaths.root.appendingPathComponent("Plugins/\(name)")
        let target = plugins.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("plugin.json"), to: target.appendingPathComponent("plugin.json"))
        let binary = source.appendingPathComponent("bin/warden-plugin")
        let copy = target.appendingPathComponent("bin/warden-plugin")
        do {
            try FileManager.default.linkItem(at: binary, to: copy)
        } catch {
            try FileManager.default.copyItem(at: binary, to: copy)
        }
        if FileManager.default.fileExists(atPath: source.appendingPathComponent("rules").path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent("rules"), to: target.appendingPathComponent("rules"))
        }
    }

    /// Writes a file under the home's root.
    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Adds `Plugins/MODE/`: a tool plugin running `Tests/Fixtures/misbehaving.py` in that mode.
    func addMisbehaving(_ mode: String, timeoutMS: Int, spawn: Bool = false, frameKB: Int? = nil) throws {
        let script = try String(
            contentsOf: RepositoryPaths.root.appendingPathComponent("Tests/Fixtures/misbehaving.py"), encoding: .utf8)
        try write("Plugins/\(mode)/misbehaving.py", script)
        let frame = frameKB.map { #", "frame_kb": \#($0)"# } ?? ""
        try write("Plugins/\(mode)/plugin.json", """
            {"name": "\(mode)", "version": "1", "kind": "tool", "interpreter": "/usr/bin/python3",
             "command": ["misbehaving.py", "\(mode)"], "capabilities": {"spawn": \(spawn)},
             "limits": {"timeout_ms": \(timeoutMS)\(frame)}}
            """)
    }

    /// A policy that lets every tool be called: for fixtures whose point is the plugin, not the policy.
    func allowEveryTool() throws {
        try write("Policies/policies/allow.yaml", """
            version: 1
            description: Every fixture tool may be called.
            rules:
              - id: allow-all
                description: The fixtures exist to be called.
                effect: allow
                match:
                  tools: ["*"]
            """)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
