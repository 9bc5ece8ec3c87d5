import Foundation
import Testing
import WardenCore

/// What the record of a call says about where its time went.
@Suite struct InvocationRecordTests {
    func timings(of run: WardenRun, home: TestHome) throws -> (stages: [String: Double], total: Double) {
        let seq = try #require(try run.json()["envelope"]?["seq"]?.intValue, "\(run.stdout) \(run.stderr)")
        let shown = try WardenRun.run(["audit", "show", "\(seq)", "--json"] + home.options)
        let timings = try #require(try shown.json()["payload"]?["timings"], "\(shown.stdout) \(shown.stderr)")
        var stages: [String: Double] = [:]
        for (name, value) in timings["stages_ms"]?.objectValue ?? [:] { stages[name] = value.doubleValue }
        return (stages, timings["total_ms"]?.doubleValue ?? -1)
    }

    @Test func aCallRecordsEachStageItReached() throws {
        let home = try TestHome(repositoryPlugins: true)
        defer { home.remove() }
        let ran = try WardenRun.run(
            ["call", "echo.echo", "--args", #"{"text": "x"}"#, "--json", "--workspace", home.workspace.path]
                + home.options)
        #expect(ran.status == 0, "\(ran.stdout) \(ran.stderr)")
        let (stages, total) = try timings(of: ran, home: home)
        #expect(Set(stages.keys) == ["resolve", "check_input", "policy", "execute", "check_output"], "\(stages)")
        #expect(stages.values.allSatisfy { $0 >= 0 })
        #expect(stages.values.reduce(0, +) <= total + 0.01, "\(stages) against \(total)")

        // Refused by the default policy: it never reached the tool.
        let refused = try WardenRun.run(
            ["call", "echo.nosuch", "--args", "{}", "--json", "--workspace", home.workspace.path] + home.options)
        #expect(refused.status == 3)
        let denied = try WardenRun.run(
            [
                "call", "files.write", "--args", #"{"path": "../outside", "content": "x"}"#, "--json", "--workspace",
                home.workspace.path,
            ] + home.options)
        let (deniedStages, _) = try timings(of: denied, home: home)
        #expect(deniedStages["execute"] == nil, "\(deniedStages) \(denied.stdout)")
        #expect(deniedStages["resolve"] != nil && deniedStages["policy"] != nil, "\(deniedStages)")
    }
}
