import Foundation
import Synchronization
import Testing
import WardenPosix

/// Many tasks writing lines to one pipe: every line arrives whole and once; a pipe nobody reads, or a closed
/// writer, hands the lines back by tag.
@Suite struct CombiningWriterTests {
    @Test func concurrentSenders_everyLineArrivesWholeAndOnce() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let writer = CombiningWriter<Int>(fd: fds[1])
        let reader = fds[0]
        // The reader blocks in read(): a thread of its own, not one of the suite's shared task threads.
        let received = Mutex<[UInt8]?>(nil)
        Thread {
            var all: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                all += chunk[0..<n]
            }
            close(reader)
            received.withLock { $0 = all }
        }.start()
        let senders = 16
        let perSender = 500
        await withTaskGroup(of: [Int].self) { group in
            for s in 0..<senders {
                group.addTask {
                    var lost: [Int] = []
                    for i in 0..<perSender {
                        let line = Array("sender \(s) line \(i) \(String(repeating: "x", count: i % 300))\n".utf8)
                        lost += writer.send(line, tag: s * perSender + i)
                    }
                    return lost
                }
            }
            for await lost in group { #expect(lost.isEmpty) }
        }
        #expect(writer.isIdle)
        writer.close()
        var bytes: [UInt8]?
        for _ in 0..<6000 where bytes == nil {
            bytes = received.withLock { $0 }
            if bytes == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let lines = String(decoding: try #require(bytes), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == senders * perSender)
        #expect(Set(lines).count == senders * perSender)
        for line in lines {
            let parts = line.split(separator: " ")
            #expect(parts.count >= 4 && parts[0] == "sender", "\(line)")
            if parts.count >= 4, let i = Int(parts[3]) {
                #expect((parts.count == 5 ? parts[4].count : 0) == i % 300, "\(line)")
            }
        }
    }

    @Test func aPipeNobodyReads_andAClosedWriter_handTheLinesBack() {
        signal(SIGPIPE, SIG_IGN)
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        close(fds[0])
        let writer = CombiningWriter<String>(fd: fds[1])
        #expect(writer.send(Array("one\n".utf8), tag: "one") == ["one"])
        #expect(!writer.isOpen)
        #expect(writer.send(Array("two\n".utf8), tag: "two") == ["two"])

        #expect(pipe(&fds) == 0)
        let closed = CombiningWriter<String>(fd: fds[1])
        closed.close()
        #expect(closed.send(Array("three\n".utf8), tag: "three") == ["three"])
        var byte: UInt8 = 0
        #expect(read(fds[0], &byte, 1) == 0)  // the write end was closed by close(), nothing was written
        close(fds[0])
    }
}
