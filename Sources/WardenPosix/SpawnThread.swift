import Foundation

/// One long-lived thread from which every launcher is spawned.
///
/// The launcher arms a parent-death signal, and Linux sends it when the *thread* that created the
/// child exits, not the process. Swift's executors and Dispatch retire idle threads, so a launcher
/// spawned from one of them would kill its plugin at a random moment. This thread never exits.
final class SpawnThread: @unchecked Sendable {  // the job queue is guarded by `condition`
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "warden-spawn"
        thread.start()
    }

    private func loop() -> Never {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on the spawn thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        condition.lock()
        jobs.append {
            box.value = body()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        return box.value!
    }
}

/// Hands a value from the spawn thread back to the caller; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {  // written before signal(), read after wait()
    var value: T?
}
