/// Where things are in a source file: maps JSON paths (and byte offsets) to 1-based line and column.
public struct SourceLocations: Sendable {
    let lineStarts: [Int]
    let offsets: [String: Int]

    init(bytes: [UInt8], offsets: [String: Int]) {
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
        self.lineStarts = starts
        self.offsets = offsets
    }

    /// Line positions of `bytes` only, for errors that carry a byte offset.
    public init(bytes: [UInt8]) { self.init(bytes: bytes, offsets: [:]) }

    /// An empty map (every lookup answers line 1).
    public init() {
        lineStarts = [0]
        offsets = [:]
    }

    /// The 1-based line and column of a byte offset.
    public func position(ofOffset offset: Int) -> (line: Int, column: Int) {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - lineStarts[lo] + 1)
    }

    /// The line of the member or element at `path`, or of its nearest recorded ancestor.
    public func line(of path: String) -> Int {
        var p = path
        while true {
            if let offset = offsets[p] { return position(ofOffset: offset).line }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return 1 }
            p = String(p[..<cut])
        }
    }
}
