import ArgumentParser
import Foundation
import WardenCore

/// `warden approvals`: the calls waiting for a person, and what became of earlier ones.
struct ApprovalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals",
        abstract: "List held calls waiting for approval; show one; watch the queue live.",
        discussion: "Decide with `warden approve ID` or `warden deny ID --reason …`.",
        subcommands: [List.self, Show.self, Watch.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List pending requests (--all: every request).")
        @OptionGroup var home: HomeOptions
        @Flag(help: "Every request, decided ones too.") var all = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let answer = try await ApprovalClient.require(home, "approvals/list", ["all": .bool(all)])
            let requests = answer["requests"]?.arrayValue ?? []
            if json {
                print(JSONValue.array(requests).prettyPrinted())
            } else {
                print(ApprovalTable.render(requests, now: Date(), all: all))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one request: tool, redacted arguments, rule, findings, caller, age, expiry, decision.")
        @OptionGroup var home: HomeOptions
        @Argument(help: "The request id (ap-…).") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let request = try await ApprovalClient.require(home, "approvals/show", ["id": .string(id)])
            print(json ? request.prettyPrinted() : ApprovalTable.detail(request, now: Date()))
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the pending requests live, until Ctrl-C.")
        @OptionGroup var home: HomeOptions
        @Option(help: "How often to look, in milliseconds.") var interval: Int = 1000
        @Option(help: "Stop after this many looks (0: never).") var count: Int = 0

        func validate() throws {
            guard interval >= 50 else { throw ValidationError("--interval must be at least 50 milliseconds") }
            guard count >= 0 else { throw ValidationError("--count must be 0 or more") }
        }

        func run() async throws {
            let tty = isatty(1) == 1
            var last: String?
            var looks = 0
            while count == 0 || looks < count {
                looks += 1
                let answer = try await ApprovalClient.require(home, "approvals/list", ["all": false])
                let table = ApprovalTable.render(answer["requests"]?.arrayValue ?? [], now: Date(), all: false)
                // On a terminal the screen is redrawn each time (ages move); otherwise only changes are printed.
                if tty {
                    print("\u{1B}[H\u{1B}[2J" + "Pending approvals (\(ApprovalTable.clock(Date()))); Ctrl-C to stop\n\n"
                        + table)
                } else if table != last {
                    print("--- \(ApprovalTable.clock(Date()))\n" + table)
                }
                fflush(nil)
                last = table
                if count == 0 || looks < count { try await Task.sleep(for: .milliseconds(interval)) }
            }
        }
    }
}

/// How requests look on a terminal.
enum ApprovalTable {
    static func render(_ requests: [JSONValue], now: Date, all: Bool) -> String {
        guard !requests.isEmpty else { return all ? "No requests." : "No pending requests." }
        var rows = [["ID", "STATE", "TOOL", "RULE", "GROUP", "CALLER", "AGE", "EXPIRES"]]
        for r in requests {
            let s = { (k: String) in r[k]?.stringValue ?? "" }
            let expires = s("state") == "pending" ? "in " + duration(time(s("expires_at")) - now.timeIntervalSince1970) : "-"
            rows.append([
                s("id"), s("state"), s("tool"), s("rule"), s("group"), s("caller"),
                duration(now.timeIntervalSince1970 - time(s("created_at"))), expires,
            ])
        }
        let widths = rows[0].indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    static func detail(_ r: JSONValue, now: Date) -> String {
        let s = { (k: String) in r[k]?.stringValue ?? "-" }
        var lines = [
            "request    \(s("id"))", "state      \(s("state"))", "tool       \(s("tool")) (plugin \(s("plugin")))",
            "caller     \(s("caller"))", "rule       \(s("rule")) — approvers in group \(s("group"))",
            "created    \(s("created_at")) (\(duration(now.timeIntervalSince1970 - time(s("created_at")))) ago)",
            "expires    \(s("expires_at"))", "bound to   \(s("bound_digest"))",
        ]
        for reason in r["reasons"]?.arrayValue ?? [] { lines.append("why        \(reason.stringValue ?? "")") }
        lines.append("arguments  " + (r["arguments"]?.prettyPrinted() ?? "{}").replacingOccurrences(of: "\n", with: "\n           "))
        let findings = r["findings"]?.arrayValue ?? []
        lines.append("findings   " + (findings.isEmpty ? "none" : ""))
        for f in findings {
            let g = { (k: String) in f[k]?.stringValue ?? "?" }
            lines.append("  - \(g("severity")) \(g("rule_id")) (\(g("category"))) at \(g("path")): \(g("excerpt"))")
        }
        if r["decided_by"] != nil || r["decided_at"] != nil {
            lines.append("decided    \(s("decided_at")) by \(s("decided_by"))" + (r["note"].map { ": \($0.stringValue ?? "")" } ?? ""))
        }
        if let seq = r["decision_seq"]?.intValue { lines.append("logged     entry \(seq) (`warden audit show \(seq)`)") }
        if s("state") == "pending" {
            lines.append("\nDecide: warden approve \(s("id")) [--note …]   or   warden deny \(s("id")) --reason …")
        }
        return lines.joined(separator: "\n")
    }

    static func time(_ text: String) -> TimeInterval {
        RFC3339Time.parseMilliseconds(text).map { Double($0) / 1000 } ?? 0
    }

    static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(s % 60 < 10 ? "0" : "")\(s % 60)s" }
        if s < 86400 { return "\(s / 3600)h\(s % 3600 / 60 < 10 ? "0" : "")\(s % 3600 / 60)m" }
        return "\(s / 86400)d\(s % 86400 / 3600)h"
    }

    static func clock(_ date: Date) -> String { RFC3339Time.format(date) }
}
