import ArgumentParser
import Foundation
import WardenCore
import WardenPosix

/// `warden sandbox`: what confinement this machine can give plugins.
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Inspect the confinement this kernel supports.",
        subcommands: [Probe.self]
    )

    /// `warden sandbox probe [--json]`: seccomp, Landlock ABI, namespaces, and which requirements fail.
    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report what this kernel supports and which sandbox requirements it does not meet.",
            discussion: """
                Exits 0 when every requirement is met, 1 when one is not (plugins would then be refused), \
                4 when the launcher cannot run.
                """)

        @Flag(help: "Print JSON.") var json = false
        @Flag(inversion: .prefixedNo, help: "Require seccomp filters.") var requireSeccomp = true
        @Flag(inversion: .prefixedNo, help: "Require unprivileged user namespaces.") var requireUserNamespaces = true
        @Option(help: "The lowest acceptable Landlock ABI (0 accepts no Landlock).") var minimumLandlockAbi = 1

        /// The probe output, requirements and verdict as one JSON object.
        struct Report: Encodable {
            var probe: SandboxProbe
            var requirements: SandboxRequirements
            var unmet: [String]
        }

        func run() throws {
            let requirements = SandboxRequirements(
                seccomp: requireSeccomp, minimumLandlockABI: minimumLandlockAbi, userNamespaces: requireUserNamespaces)
            let probe: SandboxProbe
            do {
                probe = try Launcher.probe(launcher: try Launcher.locate())
            } catch {
                StandardStreams.err("warden: \(error.message)\n")
                throw ExitCode.unavailable
            }
            let unmet = requirements.unmet(by: probe)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let data = try encoder.encode(Report(probe: probe, requirements: requirements, unmet: unmet))
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(Self.text(probe: probe, requirements: requirements, unmet: unmet))
            }
            if !unmet.isEmpty { throw ExitCode.toolError }
        }

        static func text(probe: SandboxProbe, requirements: SandboxRequirements, unmet: [String]) -> String {
            func mark(_ ok: Bool) -> String { ok ? "yes" : "NO" }
            var lines = [
                "kernel            \(probe.kernel) (\(probe.architecture))",
                "seccomp           \(mark(probe.seccomp)) (libseccomp \(probe.libseccomp), API level \(probe.seccompAPILevel))",
                "landlock          "
                    + (probe.landlockABI > 0 ? "ABI \(probe.landlockABI)" : "NO")
                    + " (required: \(requirements.minimumLandlockABI == 0 ? "none" : "ABI \(requirements.minimumLandlockABI)+"))",
                "user namespaces   \(mark(probe.userNamespaces))",
                "namespaces        \(probe.namespaces.isEmpty ? "none" : probe.namespaces.joined(separator: " "))",
            ]
            for (name, error) in probe.namespaceErrors.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(name): \(error)")
            }
            if !probe.profileSyscallsUnknownToLibseccomp.isEmpty {
                lines.append(
                    "note              newer syscalls unknown to this libseccomp get ENOSYS: "
                        + probe.profileSyscallsUnknownToLibseccomp.joined(separator: " "))
            }
            if unmet.isEmpty {
                lines.append("requirements      all met")
            } else {
                lines.append("requirements      NOT MET; plugins will be refused:")
                lines += unmet.map { "  - \($0)" }
            }
            return lines.joined(separator: "\n")
        }
    }
}
