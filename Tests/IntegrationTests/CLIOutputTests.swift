import Foundation
import Testing

/// What the command line says about its surroundings: folders plugins cannot reach, and a reader that went away.
@Suite struct CLIOutputTests {
    /// Under a root host plugins run as id 65534; a workspace under a private folder is named, with the fix, before
    /// any plugin fails on it. (Run as another user, plugins run as that user and nothing is said.)
    @Test func aWorkspaceThePluginsCannotReach_isNamedWithTheFix() throws {
        let home = try TestHome(repositoryPlugins: true)
        defer { home.remove() }
        let privateFolder = home.root.appendingPathComponent("private")
        try FileManager.default.createDirectory(at: privateFolder, withIntermediateDirectories: true)
        chmod(privateFolder.path, 0o700)
        let workspace = privateFolder.appendingPathComponent("ws").path
        let run = try WardenRun.run(
            ["call", "echo.echo", "--args", #"{"text": "x"}"#, "--workspace", workspace] + home.options)
        let warned = run.stderr.contains(
            "the workspace \(workspace) cannot be reached by plugins: they run as id 65534, which may not enter "
                + "\(privateFolder.path) (mode 700, owner 0); `chmod o+x \(privateFolder.path)`")
        #expect(warned == (getuid() == 0), "\(run.stderr.prefix(2000))")

        chmod(privateFolder.path, 0o711)
        let fine = try WardenRun.run(
            ["call", "echo.echo", "--args", #"{"text": "x"}"#, "--workspace", workspace] + home.options)
        #expect(!fine.stderr.contains("cannot be reached by plugins"), "\(fine.stderr.prefix(2000))")
        #expect(fine.status == 0, "\(fine.stdout) \(fine.stderr.prefix(2000))")
    }

    /// `warden … 2>&1 | head -1` must end like any command whose reader left (SIGPIPE), not trap.
    @Test func aClosedOutput_endsTheCommandBySIGPIPE() throws {
        let home = try TestHome(repositoryPlugins: false)
        defer { home.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: WardenRun.binary)
        process.arguments = ["call", "nosuch.tool", "--args", "{}", "--workspace", home.workspace.path] + home.options
        let closed = Pipe()
        process.standardError = closed
        process.standardOutput = FileHandle.nullDevice
        try closed.fileHandleForReading.close()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGPIPE)
    }
}
