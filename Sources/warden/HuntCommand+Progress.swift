import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and the run is long.
final class HuntProgressBar {
    private let enabled: Bool
    private let label: String
    private var lastDrawn = -1

    /// Draws only for runs of at least `minimumTotal` steps on a terminal.
    init(label: String, total: Int, minimumTotal: Int = 200) {
        self.label = label
        self.enabled = isatty(STDERR_FILENO) == 1 && total >= minimumTotal
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let percent = done * 100 / total
        guard percent != lastDrawn || done == total else { return }
        lastDrawn = percent
        let width = 30
        let filled = done * width / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        StandardStreams.err("\r\(label) [\(bar)] \(percent)% \(done)/\(total)")
    }

    /// Clears the line.
    func finish() {
        guard enabled, lastDrawn >= 0 else { return }
        StandardStreams.err("\r\u{1B}[2K")
    }
}
