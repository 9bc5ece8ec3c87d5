import Foundation
import Synchronization
import WardenCore
import WardenHost

#if canImport(Glibc)
    import Glibc
#endif

/// Runs ``MCPGateway`` on stdin/stdout until stdin closes.
struct StdioGateway {
    let kernel: Kernel
    let approvalWait: Duration
    static let frameCap = 16 << 20

    func run() async {
        let out = Mutex(())
        let gateway = MCPGateway(kernel: kernel, caller: "mcp:stdio", approvalWait: approvalWait) { line in
            out.withLock { _ in
                line.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(1, raw.baseAddress! + offset, raw.count - offset)
                        if n < 0 { if errno == EINTR { continue }; return }
                        offset += n
                    }
                }
            }
        }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                var buffer = LineBuffer(cap: Self.frameCap)
                var chunk = [UInt8](repeating: 0, count: 64 << 10)
                while true {
                    let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { break }
                    guard let lines = try? buffer.append(chunk[0..<n]) else {
                        StandardStreams.err(
                            "warden: a client line exceeded \(Self.frameCap) bytes; closing\n", endOnBrokenPipe: false)
                        break
                    }
                    for line in lines where !line.isEmpty { gateway.receive(line) }
                }
                done.resume()
            }
        }
        await gateway.drain()
        gateway.end()
    }
}
