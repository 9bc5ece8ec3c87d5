import Foundation
import Testing

/// Runs a built program (the `warden` CLI, a Python interpreter) and collects what it printed.
struct ProgramRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// The `warden` binary built beside the test bundle.
    static func wardenPath() throws -> String {
        let path = RepositoryPaths.binaries.appendingPathComponent("warden").path
        try #require(FileManager.default.isExecutableFile(atPath: path), "the warden binary is not built at \(path)")
        return path
    }

    static func run(_ executable: String, _ arguments: [String], directory: String? = nil) throws -> ProgramRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Files rather than pipes: nothing to drain while waiting, so a chatty program cannot block.
        let folder = try TemporaryFolder()
        let outPath = folder.file("stdout")
        let errPath = folder.file("stderr")
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return ProgramRun(
            status: process.terminationStatus,
            stdout: String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self))
    }

    static func warden(_ arguments: [String]) throws -> ProgramRun {
        try run(try wardenPath(), arguments)
    }
}
