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
            if let first = try buffer.append(chunk[0..<n]).first {
                switch try JSONRPCMessage(try JSONValue.parse(first)) {
                case .response(_, .success(let value)): return value
                case .response(_, .failure(let error)): throw CLIError("the kernel answered: \(error.message)")
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
