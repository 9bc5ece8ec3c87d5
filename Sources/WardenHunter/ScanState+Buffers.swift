/// One version of the current leaf: the raw text, or the result of one transform on another version.
/// Versions that differ only in letter case, whitespace runs or NUL bytes share a prefilter class.
struct LeafBuffer {
    /// The bytes, once known (borrowed for the raw text, owned by `owned` otherwise, or the parent's bytes).
    var bytes: UnsafeBufferPointer<UInt8>?
    var owned: UnsafeMutableBufferPointer<UInt8>?
    /// The version this one was made from (-1 for the raw text) and the transform that made it.
    var parent: Int
    var transform: Transform?
    /// Whether the transform changed anything (known once materialised).
    var changed: Bool
    var prefilterClass: Int
    var isASCII: Bool
}

extension ScanState {
    mutating func beginLeaf(_ raw: UnsafeBufferPointer<UInt8>) {
        buffers.append(
            LeafBuffer(
                bytes: raw, owned: nil, parent: -1, transform: nil, changed: false, prefilterClass: 0,
                isASCII: TextDecoding.isASCII(raw)))
        classRepresentative.append(0)
        classBits.append(nil)
    }

    mutating func releaseLeaf() {
        for buffer in buffers { buffer.owned?.deallocate() }
        buffers.removeAll(keepingCapacity: true)
        steps.removeAll(keepingCapacity: true)
        classRepresentative.removeAll(keepingCapacity: true)
        classBits.removeAll(keepingCapacity: true)
        for index in chainBuffers.indices { chainBuffers[index] = -1 }
    }

    /// The buffer holding the leaf after a chain of transforms.
    mutating func chainBuffer(_ chain: Int) -> Int {
        if chainBuffers[chain] >= 0 { return chainBuffers[chain] }
        var buffer = 0
        for transform in engine.chains[chain] { buffer = step(buffer, transform) }
        chainBuffers[chain] = buffer
        return buffer
    }

    private mutating func step(_ from: Int, _ transform: Transform) -> Int {
        for known in steps where known.from == from && known.transform == transform { return known.to }
        let source = buffers[from]
        let to: Int
        switch transform {
        case .lowercase where source.isASCII, .compressWhitespace, .removeNulls:
            // The automaton ignores case, whitespace runs and NULs: same class, bytes made only if needed.
            buffers.append(
                LeafBuffer(
                    bytes: nil, owned: nil, parent: from, transform: transform, changed: false,
                    prefilterClass: source.prefilterClass, isASCII: source.isASCII))
            to = buffers.count - 1
        default:
            let bytes = materialize(from)
            if transform.isIdentity(on: bytes, isASCII: source.isASCII) {
                to = from
            } else if let result = transform.apply(bytes) {
                let owned = Self.own(result)
                classRepresentative.append(buffers.count)
                classBits.append(nil)
                buffers.append(
                    LeafBuffer(
                        bytes: UnsafeBufferPointer(owned), owned: owned, parent: from, transform: transform,
                        changed: true, prefilterClass: classBits.count - 1, isASCII: TextDecoding.isASCII(UnsafeBufferPointer(owned))))
                to = buffers.count - 1
            } else {
                to = from
            }
        }
        steps.append((from, transform, to))
        return to
    }

    /// The bytes of a buffer, applying its pending transform first if needed.
    mutating func materialize(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        if let bytes = buffers[index].bytes { return bytes }
        let parentBytes = materialize(buffers[index].parent)
        if let result = buffers[index].transform!.apply(parentBytes) {
            let owned = Self.own(result)
            buffers[index].owned = owned
            buffers[index].bytes = UnsafeBufferPointer(owned)
            buffers[index].changed = true
        } else {
            buffers[index].bytes = parentBytes
        }
        return buffers[index].bytes!
    }

    /// The transforms that changed the value on the way to a buffer, in order.
    func appliedTransforms(_ index: Int) -> [String] {
        var names: [String] = []
        var cursor = index
        while cursor > 0 {
            let buffer = buffers[cursor]
            if buffer.changed, let transform = buffer.transform { names.append(transform.rawValue) }
            cursor = buffer.parent
        }
        return names.reversed()
    }

    private static func own(_ bytes: [UInt8]) -> UnsafeMutableBufferPointer<UInt8> {
        let owned = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, bytes.count))
        _ = owned.initialize(from: bytes)
        return UnsafeMutableBufferPointer(rebasing: owned[0..<bytes.count])
    }
}
