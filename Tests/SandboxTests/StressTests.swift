import Foundation
import Testing

/// `warden-stress` (Sandbox/tests/stress.c) launches confined programs many times, several at once: programs
/// that exit at once, fork children that exit or outlive them, get killed by the filter or by themselves, get
/// SIGTERM, SIGINT or SIGKILL from the host at any moment of the launch, or fail before their exec. It fails
/// on any launch that does not end in time (printing the stuck process tree), ends with another status than
/// the documented one, or leaves a process behind. `make -C Sandbox OUT=<dir> test` runs the full 500
/// launches, 8 at once; here a smaller run, since the other suites launch in parallel with it.
@Suite("Launches under parallel stress")
struct StressTests {
    @Test func parallelLaunches_allEnd_withTheirExitCodes_andLeaveNothingBehind() throws {
        let bin = RepositoryPaths.binaries
        let stress = bin.appendingPathComponent("warden-stress").path
        let launcher = bin.appendingPathComponent("warden-launch").path
        guard access(stress, X_OK) == 0, access(launcher, X_OK) == 0 else {
            Issue.record("\(stress) or \(launcher) is missing: run `make` (it builds Sandbox/ into \(bin.path))")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: stress)
        process.arguments = [launcher, "--launches", "150", "--parallel", "4", "--timeout-ms", "20000"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let output = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 0,
            "warden-stress failed:\n\(String(decoding: output, as: UTF8.self))")
    }
}
