import ArgumentParser
import Foundation
import WardenCore
import WardenHost
import WardenStore

/// `warden approve ID` and `warden deny ID --reason …`: a person's decision, signed with their own key.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a held call: sign the decision with your approver key; the call then runs once.")

    @OptionGroup var home: HomeOptions
    @Argument(help: "The request id (ap-…; see `warden approvals`).") var id: String
    @Option(help: "A note kept with the decision.") var note: String?
    @OptionGroup var key: ApproverKeyOptions
    @Flag(help: "Print the decided request as JSON.") var json = false

    func run() async throws {
        try await DecisionSubmission.submit(home: home, id: id, verdict: .approved, note: note, key: key, json: json)
    }
}

struct DenyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny", abstract: "Deny a held call: sign the refusal with your approver key; it never runs.")

    @OptionGroup var home: HomeOptions
    @Argument(help: "The request id (ap-…; see `warden approvals`).") var id: String
    @Option(help: "Why (required): the caller sees it.") var reason: String
    @OptionGroup var key: ApproverKeyOptions
    @Flag(help: "Print the decided request as JSON.") var json = false

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--reason must say why; the caller sees it")
        }
    }

    func run() async throws {
        try await DecisionSubmission.submit(home: home, id: id, verdict: .denied, note: reason, key: key, json: json)
    }
}

/// Which approver key signs.
struct ApproverKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Your approver key file (default: $WARDEN_APPROVER_KEY, else the one key in ~/.config/warden/approvers).",
        valueName: "file"))
    var key: String?

    /// The key file to use. - Throws: ``CLIError`` when none or several are found.
    func path() throws -> String {
        if let key { return HomeOptions.absolute(key) }
        if let env = ProcessInfo.processInfo.environment["WARDEN_APPROVER_KEY"], !env.isEmpty { return env }
        let folder = ApproverKeyFile.defaultFolder()
        let keys = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".key") }.sorted()
        switch keys.count {
        case 1: return folder + "/" + keys[0]
        case 0: throw CLIError("no approver key in \(folder); create one with `warden approvers new NAME --groups …`, or pass --key")
        default: throw CLIError("several approver keys in \(folder) (\(keys.joined(separator: ", "))); choose one with --key")
        }
    }
}

/// Signs and submits one decision.
enum DecisionSubmission {
    static func submit(
        home: HomeOptions, id: String, verdict: ApproverStatement.Verdict, note: String?, key keyOptions: ApproverKeyOptions,
        json: Bool
    ) async throws {
        var stderr = StandardError()
        let path = try keyOptions.path()
        let key: Ed25519SigningKey
        do {
            key = try ApproverKeyFile.load(path)
        } catch {
            throw CLIError("\(error)")
        }
        // The name the statement carries is the one the approvers file lists for this key; an unlisted key still
        // submits (under its file's name) so that the kernel refuses it on the record.
        let listed = (try? Approvers.load(policiesFolder: home.resolved.policies))?.approver(keyid: key.keyid)
        let name = listed?.name ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        // What the decision is bound to: the request's digest as the queue holds it. An unknown id is still
        // submitted, bound to nothing, so the refusal is recorded.
        let shown = try await ApprovalClient.ask(home, "approvals/show", ["id": .string(id)])
        let digest = (try? shown.get())?["bound_digest"]?.stringValue ?? ""
        let statement = ApproverStatement(
            requestID: id, boundDigest: digest, decision: verdict, approver: name, note: note,
            time: Int64(Date().timeIntervalSince1970 * 1000))
        let envelope = statement.signed(with: key)
        switch try await ApprovalClient.ask(home, "approvals/decide", ["id": .string(id), "envelope": envelope.json]) {
        case .success(let request):
            if json {
                print(request.prettyPrinted())
            } else {
                let tool = request["tool"]?.stringValue ?? "?"
                print(verdict == .approved
                    ? "approved \(id) (\(tool)) as \(name); the call runs once — the waiting caller resumes, or it runs when called again with the same arguments"
                    : "denied \(id) (\(tool)) as \(name): \(note ?? "")")
            }
        case .failure(let error):
            print("warden: \(error.message)", to: &stderr)
            throw ExitCode.refused
        }
    }
}
