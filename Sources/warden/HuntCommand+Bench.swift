import ArgumentParser
import Foundation
import WardenCore
import WardenHunter

extension HuntCommand {
    /// `warden hunt bench FILE.jsonl`: scanning throughput and per-payload latency of the rules.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure scanning throughput (MB/s) and per-payload latency (µs) on a JSONL corpus.",
            discussion: """
                Each line is an object with "value" (any JSON) or "payload" / "text" (a string), and optional \
                "tool" and "phase". JSON parsing is timed apart from scanning; throughput is the file's size \
                over the median scanning time of --repeat runs, on one thread.
                """)

        @OptionGroup var options: HuntRuleOptions

        @Argument(help: "The corpus (JSONL).")
        var corpus: String

        @Option(name: .long, help: "How many timed runs (the median is reported).")
        var `repeat`: Int = 5

        @Flag(help: "Print JSON.") var json = false

        struct Result: Codable {
            var file: String
            var bytes: Int
            var subjects: Int
            var rules: Int
            var runs: Int
            var findings: Int
            var parseSeconds: Double
            var scanSecondsMedian: Double
            var throughputMBps: Double
            var valueBytes: Int
            var valueThroughputMBps: Double
            var payloadMicrosecondsMedian: Double
            var payloadMicrosecondsP99: Double
            var meanPayloadBytes: Double

            enum CodingKeys: String, CodingKey {
                case file, bytes, subjects, rules, runs, findings
                case parseSeconds = "parse_seconds"
                case scanSecondsMedian = "scan_seconds_median"
                case throughputMBps = "throughput_mb_per_s"
                case valueBytes = "value_bytes"
                case valueThroughputMBps = "value_throughput_mb_per_s"
                case payloadMicrosecondsMedian = "payload_us_median"
                case payloadMicrosecondsP99 = "payload_us_p99"
                case meanPayloadBytes = "mean_payload_bytes"
            }
        }

        func validate() throws {
            guard (1...100).contains(`repeat`) else { throw ValidationError("--repeat must be 1 to 100") }
        }

        func run() async throws {
            let engine: HunterEngine
            do {
                engine = try HunterEngine(rules: try options.loadRules(), paranoiaLevel: options.paranoia)
            } catch let error as RuleFileError {
                HuntOutput.error(error.description)
                throw ExitCode.badInput
            }
            guard let data = FileManager.default.contents(atPath: HomeOptions.absolute(corpus)) else {
                HuntOutput.error("\(corpus): cannot read the corpus")
                throw ExitCode.badInput
            }
            let parseStart = ContinuousClock.now
            var subjects: [ScanSubject] = []
            var sizes: [Int] = []
            var lineNumber = 0
            for line in data.split(separator: UInt8(ascii: "\n")) {
                lineNumber += 1
                guard let value = try? JSONValue.parse(line), case .object(let object) = value else {
                    HuntOutput.error("\(corpus):\(lineNumber): not a JSON object")
                    throw ExitCode.badInput
                }
                let scanned = object["value"] ?? (object["payload"] ?? object["text"]).flatMap { $0.stringValue.map(JSONValue.string) }
                guard let scanned else {
                    HuntOutput.error("\(corpus):\(lineNumber): needs \"value\" or \"payload\"")
                    throw ExitCode.badInput
                }
                let phase = object["phase"]?.stringValue.flatMap(ScanPhase.init(rawValue:)) ?? .input
                subjects.append(ScanSubject(phase: phase, tool: object["tool"]?.stringValue ?? "bench", value: scanned))
                sizes.append(line.count)
            }
            let parseSeconds = Self.seconds(ContinuousClock.now - parseStart)
            let valueBytes = subjects.reduce(0) { $0 + Self.stringBytes($1.value) }

            var runSeconds: [Double] = []
            var latencies: [Double] = []
            var findings = 0
            let bar = HuntProgressBar(label: "bench", total: `repeat` * subjects.count, minimumTotal: 1)
            for run in 0..<`repeat` {
                findings = 0
                let clock = ContinuousClock()
                var total: Duration = .zero
                for (index, subject) in subjects.enumerated() {
                    let start = clock.now
                    findings += engine.scan(subject).count
                    let elapsed = clock.now - start
                    total += elapsed
                    if run == `repeat` - 1 { latencies.append(Self.seconds(elapsed) * 1e6) }
                    if index % 1000 == 0 { bar.update(run * subjects.count + index, `repeat` * subjects.count) }
                }
                runSeconds.append(Self.seconds(total))
            }
            bar.finish()
            let median = runSeconds.sorted()[runSeconds.count / 2]
            latencies.sort()
            let result = Result(
                file: corpus, bytes: data.count, subjects: subjects.count, rules: engine.rules.count, runs: `repeat`,
                findings: findings, parseSeconds: parseSeconds, scanSecondsMedian: median,
                throughputMBps: Double(data.count) / 1e6 / median, valueBytes: valueBytes,
                valueThroughputMBps: Double(valueBytes) / 1e6 / median,
                payloadMicrosecondsMedian: latencies.isEmpty ? 0 : latencies[latencies.count / 2],
                payloadMicrosecondsP99: latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, latencies.count * 99 / 100)],
                meanPayloadBytes: subjects.isEmpty ? 0 : Double(sizes.reduce(0, +)) / Double(subjects.count))
            if json {
                print(HuntOutput.json(result))
            } else {
                print("corpus      \(corpus): \(data.count) bytes, \(subjects.count) payloads (mean \(Int(result.meanPayloadBytes)) bytes)")
                print("rules       \(result.rules) at paranoia \(engine.paranoiaLevel); \(findings) findings per run")
                print(String(format: "parse       %.3f s (not counted)", parseSeconds))
                print(String(format: "scan        %.3f s median of %d runs: %.1f MB/s of file, %.1f MB/s of string values (%d bytes)", median, `repeat`, result.throughputMBps, result.valueThroughputMBps, valueBytes))
                print(String(format: "per payload %.2f µs median, %.2f µs p99", result.payloadMicrosecondsMedian, result.payloadMicrosecondsP99))
            }
        }

        /// UTF-8 bytes of every string leaf: what the engine actually scans.
        static func stringBytes(_ value: JSONValue) -> Int {
            switch value {
            case .string(let text): text.utf8.count
            case .array(let items): items.reduce(0) { $0 + stringBytes($1) }
            case .object(let members): members.values.reduce(0) { $0 + stringBytes($1) }
            case .null, .bool, .int, .double: 0
            }
        }

        static func seconds(_ duration: Duration) -> Double {
            let (seconds, attoseconds) = duration.components
            return Double(seconds) + Double(attoseconds) / 1e18
        }
    }
}
