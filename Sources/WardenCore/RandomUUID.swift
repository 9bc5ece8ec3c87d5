/// Random (version 4) UUIDs in lowercase text, from the system generator (`getrandom`).
///
/// Foundation's `UUID()` on Linux opens, reads and closes `/dev/urandom` for each one: four system calls on every
/// invocation the kernel records. This is the same RFC 9562 §5.4 layout from one `getrandom` call.
public enum RandomUUID {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = withUnsafeBytes(of: (generator.next() as UInt64, generator.next() as UInt64)) { Array($0) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // variant 10
        let hex = HexEncoding.encode(bytes)
        let h = Array(hex.utf8)
        return String(decoding: h[0..<8], as: UTF8.self) + "-" + String(decoding: h[8..<12], as: UTF8.self) + "-"
            + String(decoding: h[12..<16], as: UTF8.self) + "-" + String(decoding: h[16..<20], as: UTF8.self) + "-"
            + String(decoding: h[20..<32], as: UTF8.self)
    }
}
