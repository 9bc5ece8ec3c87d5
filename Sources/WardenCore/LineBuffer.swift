/// Splits a byte stream into newline-terminated frames, refusing any frame longer than a cap.
///
/// Pure: the owner feeds it what `read` returned and takes complete lines out. A frame over the cap is an
/// error the moment the cap is passed, so a plugin that sends 100 MB without a newline costs at most `cap`
/// bytes of memory.
public struct LineBuffer: Sendable {
    /// A frame went past the cap before its newline arrived.
    public struct FrameTooLarge: Error, Sendable, Equatable {
        public var cap: Int
    }

    public let cap: Int
    private var pending: [UInt8] = []
    private var scanned = 0

    public init(cap: Int) {
        precondition(cap > 0, "a frame cap must be positive")
        self.cap = cap
    }

    /// Bytes received but not yet part of a complete line.
    public var pendingCount: Int { pending.count }

    /// Adds bytes and returns every line they complete (without the newline; a trailing `\r` is kept).
    /// - Throws: ``FrameTooLarge`` when a line exceeds the cap; the buffer is then unusable.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) throws(FrameTooLarge) -> [[UInt8]]
    where Bytes.Element == UInt8 {
        pending.append(contentsOf: bytes)
        var lines: [[UInt8]] = []
        var start = 0
        var i = scanned
        while i < pending.count {
            if pending[i] == 0x0A {
                guard i - start <= cap else { throw FrameTooLarge(cap: cap) }
                lines.append(Array(pending[start..<i]))
                start = i + 1
            }
            i += 1
        }
        if start > 0 { pending.removeFirst(start) }
        scanned = pending.count
        guard pending.count <= cap else { throw FrameTooLarge(cap: cap) }
        return lines
    }
}
