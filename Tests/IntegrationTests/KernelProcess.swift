import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A `warden serve` running in the background for the length of a test.
final class KernelProcess {
    let process = Process()
    let home: TestHome
    /// The kernel's log goes to a file: a pipe nobody drains would fill and block the kernel's logging.
    let logFile: URL

    /// Starts the kernel and waits until its control socket answers.
    init(_ home: TestHome, extra: [String] = []) throws {
        self.home = home
        logFile = home.root.appendingPathComponent("kernel.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: WardenRun.binary)
        process.arguments = ["serve"] + home.options + ["--workspace", home.workspace.path] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: logFile)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let socket = home.home.appendingPathComponent("control.sock").path
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: socket) { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        stop()
        Issue.record("warden serve did not open its control socket: \(logText())")
    }

    /// Runs a warden command against this kernel.
    func run(_ arguments: [String]) throws -> WardenRun {
        let run = try WardenRun.run(arguments + home.options)
        // A command that hung is diagnosed from the kernel's side: its log goes with the failure.
        if run.timedOut { Issue.record("kernel log when `warden \(arguments.first ?? "")` hung:\n\(logText().suffix(8000))") }
        return run
    }

    func logText() -> String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// SIGKILL, as a crash would: no shutdown, no final checkpoint. Removes the socket file the dead kernel left so
    /// the next one is not mistaken for ready before it listens.
    func kill9() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: home.home.appendingPathComponent("control.sock"))
    }

    /// SIGTERM, then waits for a clean exit.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    deinit { stop() }
}
