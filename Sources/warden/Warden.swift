import ArgumentParser

/// The `warden` command: the kernel (`serve`) and every tool people use around it.
@main
struct Warden: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warden",
        abstract: "Run untrusted tools safely: confined plugins, policies, approvals and a signed log.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, CallCommand.self, PluginsCommand.self, HuntCommand.self, SandboxCommand.self,
            PolicyCommand.self, AuditCommand.self, InitCommand.self, ApprovalsCommand.self, ApproveCommand.self,
            DenyCommand.self, ApproversCommand.self,
        ]
    )
}
