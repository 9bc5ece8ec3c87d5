import Testing
import WardenHost

@Suite struct PluginLifecycleTests {
    let t0 = ContinuousClock.now

    @Test func start_thenStarted_isReady() {
        var l = PluginLifecycle()
        #expect(l.handle(.start) == .launch)
        #expect(l.handle(.started) == .none)
        #expect(l.state == .ready)
    }

    @Test func crash_schedulesRestart_withExponentialBackoff() {
        var l = PluginLifecycle()
        _ = l.handle(.start)
        _ = l.handle(.started)
        #expect(l.handle(.crashed("boom", at: t0)) == .scheduleRestart(after: .milliseconds(100)))
        #expect(l.handle(.start) == .launch)
        #expect(l.handle(.crashed("boom", at: t0 + .seconds(1))) == .scheduleRestart(after: .milliseconds(200)))
        #expect(l.handle(.start) == .launch)
        #expect(l.handle(.crashed("boom", at: t0 + .seconds(2))) == .scheduleRestart(after: .milliseconds(400)))
        #expect(l.lastError == "boom")
    }

    @Test func repeatedCrashesInsideTheWindow_openTheCircuit_untilReset() {
        var l = PluginLifecycle()
        for i in 0..<PluginLifecycle.circuitThreshold {
            _ = l.handle(.start)
            _ = l.handle(.crashed("boom", at: t0 + .seconds(i)))
        }
        guard case .circuitOpen = l.state else {
            Issue.record("expected an open circuit, got \(l.state)")
            return
        }
        #expect(l.handle(.start) == .none)
        #expect(l.handle(.reset) == .launch)
        #expect(l.recentCrashes.isEmpty)
    }

    @Test func crashesOutsideTheWindow_doNotOpenTheCircuit() {
        var l = PluginLifecycle()
        for i in 0..<(PluginLifecycle.circuitThreshold * 2) {
            _ = l.handle(.start)
            _ = l.handle(.crashed("boom", at: t0 + .seconds(61 * i)))
        }
        guard case .backoff = l.state else {
            Issue.record("expected backoff, got \(l.state)")
            return
        }
    }

    @Test func refusal_isFinal_untilReset() {
        var l = PluginLifecycle()
        _ = l.handle(.start)
        #expect(l.handle(.refused("grant")) == .none)
        #expect(l.state == .failed("grant"))
        #expect(l.handle(.start) == .none)
        #expect(l.handle(.reset) == .launch)
    }

    @Test func stop_terminatesAReadyPlugin() {
        var l = PluginLifecycle()
        _ = l.handle(.start)
        _ = l.handle(.started)
        #expect(l.handle(.stop) == .terminate)
        #expect(l.handle(.stoppedCleanly) == .none)
        #expect(l.state == .stopped)
    }

    @Test func backoff_isCapped() {
        #expect(PluginLifecycle.backoff(attempt: 40) == PluginLifecycle.maximumBackoff)
    }
}
