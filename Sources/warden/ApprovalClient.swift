import ArgumentParser
import Foundation
import WardenCore
import WardenHost

/// The approval commands' way to the queue: the running kernel's control socket, or an in-process kernel (which
/// then holds the state folder's writer lock for the moment it takes).
enum ApprovalClient {
    /// Asks `method`; an error answer (unknown id, refused decision) is returned for the command to print.
    static func ask(_ home: HomeOptions, _ method: String, _ params: JSONValue) async throws
        -> Result<JSONValue, JSONRPCError>
    {
        if let connection = KernelConnection.open(home: home.resolved.home) {
            return try connection.exchange(method, params, notified: { _ in })
        }
        let setup = try KernelSetup(home: home, workspace: home.resolved.home, logToStderr: false, createWorkspace: false)
        await setup.recover()
        guard let approvals = setup.kernel.approvals else {
            try await setup.close()
            throw CLIError("this kernel has no approval queue")
        }
        let answer = await ApprovalMethods.answer(method, params, approvals: approvals)
        try await setup.close()
        return answer
    }

    /// Like ``ask(_:_:_:)`` but an error answer is printed on stderr and ends the command with exit status 3.
    static func require(_ home: HomeOptions, _ method: String, _ params: JSONValue) async throws -> JSONValue {
        switch try await ask(home, method, params) {
        case .success(let value): return value
        case .failure(let error):
            var stderr = StandardError()
            print("warden: \(error.message)", to: &stderr)
            throw error.code == JSONRPCError.invalidParams ? ExitCode.badInput : ExitCode.refused
        }
    }
}
