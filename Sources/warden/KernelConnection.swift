import Foundation
import Logging
import WardenCore
import WardenHost

#if canImport(Glibc)
    import Glibc
#endif

/// Talks to a running kernel over its control socket; one request per call.
struct KernelConnection {
    let fd: Int32

    /// Connects to `<home>/control.sock`, or returns nil when no kernel is serving there.
    static func open(home: String) -> KernelConnection? {
        guard let fd = try? ControlSocket.connect(path: home + "/control.sock") else { return nil }
        return KernelConnection(fd: fd)
    }

    /// Sends one request and waits for its answer.
    func request(_ method: String, _ params: JSONValue) throws -> JSONValue {
        switch try exchange(method, params, notified: { _ in }) {
        case .success(let value): return value
        case .failure(let error): throw CLIError("the kernel answered: \(error.message)")
        }
    }

    /// Sends one request and waits for its answer, passing each progress notification that comes first to
    /// `notified` (its `message`). An error answer is returned, not thrown.
    func exchange(_ method: String, _ params: JSONValue, notified: (String) -> Void) throws
        -> Result<JSONValue, JSONRPCError>
    {
        defer { close(fd) }
        var line = JSONRPCMessage.request(id: .int(1), method: method, params: params).line
        let sent = line.withUnsafeMutableBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        guard sent else { throw CLIError("the kernel closed the control socket") }
        var buffer = LineBuffer(cap: 64 << 20)
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CLIError("the kernel closed the control socket before answering") }
            for line in try buffer.append(chunk[0..<n]) where !line.isEmpty {
                switch try JSONRPCMessage(try JSONValue.parse(line)) {
                case .response(_, let result): return result
                case .notification("notifications/progress", let params):
                    if let message = params?["message"]?.stringValue { notified(message) }
                default: throw CLIError("the kernel sent something other than an answer")
                }
            }
        }
    }
}

/// An error the CLI prints as one sentence.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
