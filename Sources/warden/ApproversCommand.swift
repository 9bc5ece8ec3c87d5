import ArgumentParser
import Foundation
import WardenCore
import WardenHost
import WardenStore

/// `warden approvers`: approver keys and the list in `Policies/approvers.json`.
struct ApproversCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvers", abstract: "Create approver keys and list who may approve held calls.",
        subcommands: [New.self, List.self], defaultSubcommand: List.self)

    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create your approver key (kept outside the repository) and list it in Policies/approvers.json.")
        @OptionGroup var home: HomeOptions
        @Argument(help: "Your approver name (lowercase letters, digits, '-').") var name: String
        @Option(help: "The groups you approve for, comma-separated (as policy rules name them: approval.group).")
        var groups: String
        @Option(help: ArgumentHelp(
            "Caller identities that are you, comma-separated: you cannot approve their requests (default: cli:uid=YOUR_UID).",
            valueName: "callers"))
        var callers: String?
        @Option(help: ArgumentHelp("Where to write the private key (default: ~/.config/warden/approvers/NAME.key).", valueName: "file"))
        var key: String?
        @Flag(help: "Only create the key and print the entry; do not edit Policies/approvers.json.")
        var printOnly = false

        func validate() throws {
            guard PluginManifest.isValidName(name) else {
                throw ValidationError("\"\(name)\" is not an approver name: 1-32 lowercase letters, digits or '-', starting with a letter")
            }
            for group in groupList where !PluginManifest.isValidName(group) {
                throw ValidationError("\"\(group)\" is not a group name")
            }
            guard !groupList.isEmpty else { throw ValidationError("--groups needs at least one group") }
        }

        var groupList: [String] { groups.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }

        func run() async throws {
            let policies = home.resolved.policies
            let keyPath = key.map(HomeOptions.absolute) ?? ApproverKeyFile.defaultFolder() + "/\(name).key"
            // A private key inside the project would travel with it (commits, copies): refused.
            let project = (policies as NSString).deletingLastPathComponent
            if keyPath.hasPrefix(project + "/") {
                throw CLIError("\(keyPath) is inside the project folder \(project); keep approver keys outside the repository")
            }
            let file = policies + "/approvers.json"
            var root: [String: JSONValue] = [:]
            if !printOnly {
                _ = try loadChecked(policies)  // a broken file is fixed first, not overwritten
                if let data = FileManager.default.contents(atPath: file) {
                    root = (try JSONValue.parse(Array(data))).objectValue ?? [:]
                }
                if root["approvers"]?[name] != nil {
                    throw CLIError("\(Approvers.display) already lists \(name); choose another name or remove that entry first")
                }
            }
            let signingKey: Ed25519SigningKey
            do {
                signingKey = try ApproverKeyFile.create(at: keyPath)
            } catch {
                throw CLIError("\(error)")
            }
            let callerList = callers.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                ?? ["cli:uid=\(getuid())"]
            let entry: JSONValue = [
                "public_key": .string(signingKey.publicKey.hex), "groups": .array(groupList.map(JSONValue.string)),
                "callers": .array(callerList.map(JSONValue.string)),
            ]
            print("Created your approver key: \(keyPath) (mode 0600; keyid \(signingKey.keyid.prefix(16))…)")
            if printOnly {
                print("Add this to \(Approvers.display) under \"approvers\":\n\"\(name)\": \(entry.prettyPrinted())")
                return
            }
            var approvers = root["approvers"]?.objectValue ?? [:]
            approvers[name] = entry
            root["approvers"] = .object(approvers)
            if root["self_approval_groups"] == nil { root["self_approval_groups"] = [] }
            do {
                try Data((JSONValue.object(root).prettyPrinted() + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
            } catch {
                throw CLIError("cannot write \(file): \(error.localizedDescription)")
            }
            _ = try loadChecked(policies)
            print("Listed \(name) in \(Approvers.display) for \(groupList.joined(separator: ", ")). Approve with `warden approve ID`.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the approvers in Policies/approvers.json.")
        @OptionGroup var home: HomeOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let approvers = try loadChecked(home.resolved.policies)
            let sorted = approvers.byName.values.sorted { $0.name < $1.name }
            if json {
                print(JSONValue.array(sorted.map {
                    ["name": .string($0.name), "keyid": .string($0.key.keyid), "public_key": .string($0.key.hex),
                     "groups": .array($0.groups.sorted().map(JSONValue.string)),
                     "callers": .array($0.callers.sorted().map(JSONValue.string))]
                }).prettyPrinted())
                return
            }
            guard !sorted.isEmpty else {
                print("No approvers: nothing can be approved. Add yourself with `warden approvers new NAME --groups operators`.")
                return
            }
            for a in sorted {
                print("\(a.name)  groups: \(a.groups.sorted().joined(separator: ", "))  keyid: \(a.key.keyid.prefix(16))…"
                    + (a.callers.isEmpty ? "" : "  callers: \(a.callers.sorted().joined(separator: ", "))"))
            }
            if !approvers.selfApprovalGroups.isEmpty {
                print("May approve their own requests in: \(approvers.selfApprovalGroups.sorted().joined(separator: ", "))")
            }
        }
    }
}

/// The approvers file, or its problems (file:line) as the command's error.
func loadChecked(_ policies: String) throws -> Approvers {
    do {
        return try Approvers.load(policiesFolder: policies)
    } catch {
        throw CLIError(error.issues.map(\.description).joined(separator: "\n"))
    }
}
