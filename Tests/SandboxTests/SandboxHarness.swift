import Foundation
import Testing
import WardenCore
import WardenPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The outcome of one attempt of `warden-escape` under the launcher.
enum Outcome: Equatable, CustomStringConvertible {
    /// The attempt ran and succeeded (for an escape: the sandbox failed).
    case succeeded(String)
    /// The attempt ran and was refused with this errno.
    case refused(Int32)
    /// The process was killed by this signal (the pid-namespace supervisor reports it as 128 + signal).
    case killed(Int32)
    /// Anything else: an unexpected exit or unreadable output.
    case other(String)

    var description: String {
        switch self {
        case .succeeded(let detail): "succeeded (\(detail))"
        case .refused(let err): "refused with errno \(err) (\(String(cString: strerror(err))))"
        case .killed(let sig): "killed by signal \(sig)"
        case .other(let what): what
        }
    }
}

/// A plugin folder holding a copy of `warden-escape` (the view only contains the folder, not the build
/// directory), a file to read, and a writable folder; plus the launcher's path.
/// The fixture's temporary folder, for the exit handler (set once, before any test uses the fixture).
nonisolated(unsafe) private var fixtureFolder: String?

struct SandboxFixture: Sendable {
    let launcher: String
    let folder: String
    let escape: String
    let writable: String
    let secretOutside: String

    /// Built once; tests `#require` it so that a missing build fails with the fix in the message.
    static let shared: Result<SandboxFixture, FixtureError> = make()

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }

    static func make() -> Result<SandboxFixture, FixtureError> {
        let bin = RepositoryPaths.binaries
        let launcher = bin.appendingPathComponent("warden-launch").path
        let escapeBuilt = bin.appendingPathComponent("warden-escape").path
        for path in [launcher, escapeBuilt] where access(path, X_OK) != 0 {
            return .failure(FixtureError(description: "\(path) is missing: run `make` (it builds Sandbox/ into \(bin.path))"))
        }
        do {
            let fm = FileManager.default
            var template = Array("/tmp/warden-sandbox-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                return .failure(FixtureError(description: "cannot create a folder under /tmp: errno \(errno)"))
            }
            let base = URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath()
            // Shared by every test of the process, so removed when the process exits.
            fixtureFolder = base.path
            atexit { if let folder = fixtureFolder { try? FileManager.default.removeItem(atPath: folder) } }
            // The plugin runs as an unprivileged user (65534 when the tests run as root): it must be able
            // to traverse and read the folder, and write the writable one.
            let folder = base.appendingPathComponent("plugin")
            let writable = folder.appendingPathComponent("data")
            try fm.createDirectory(at: writable, withIntermediateDirectories: true)
            for dir in [base, folder] { chmod(dir.path, 0o755) }
            chmod(writable.path, 0o777)
            let escape = folder.appendingPathComponent("warden-escape").path
            try fm.copyItem(atPath: escapeBuilt, toPath: escape)
            try Data("plugin data\n".utf8).write(to: folder.appendingPathComponent("readme.txt"))
            chmod(folder.appendingPathComponent("readme.txt").path, 0o644)
            let secret = base.appendingPathComponent("host-secret.txt")
            try Data("host secret\n".utf8).write(to: secret)
            chmod(secret.path, 0o644)
            return .success(
                SandboxFixture(
                    launcher: launcher, folder: folder.path, escape: escape, writable: writable.path,
                    secretOutside: secret.path))
        } catch {
            return .failure(FixtureError(description: "cannot prepare the sandbox fixture: \(error)"))
        }
    }

    /// The baseline spec for the fixture's folder, with its `data` folder writable.
    var baseline: LaunchSpec {
        var spec = LaunchSpec.baseline(pluginFolder: folder)
        spec.filesystem.write = [writable]
        return spec
    }

    /// Runs one attempt and classifies how it ended.
    func attempt(
        _ name: String, _ args: [String] = [], spec: LaunchSpec? = nil, wrapper: [String] = [], filters: FilterCache? = nil
    ) throws -> Outcome {
        let spec = spec ?? baseline
        let process = try Launcher.start(
            launcher: launcher, spec: spec, program: [escape, name] + args, wrapper: wrapper, filters: filters)
        Syscall.close(process.stdin)
        defer {
            Syscall.close(process.stdout)
            Syscall.close(process.stderr)
        }
        let out = try Syscall.readAll(process.stdout, limit: 1 << 16, timeoutMilliseconds: 60_000)
        let exit = try process.wait()
        let text = String(decoding: out.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let pidNamespace = spec.namespaces.contains(.pid)
        switch exit {
        case .signaled(let sig): return .killed(sig)
        case .exited(let code) where pidNamespace && code > 128 && code < 160 && text.isEmpty: return .killed(code - 128)
        case .exited(0): break
        case .exited(let code): return .other("exited with \(code), output \(text)")
        }
        guard let line = text.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let ok = object["ok"] as? Bool, let err = object["errno"] as? Int
        else { return .other("unreadable output: \(text)") }
        let detail = object["detail"] as? String ?? ""
        return ok ? .succeeded(detail) : .refused(Int32(err))
    }
}

/// The fixture, or a test failure saying what to do.
func fixture() throws -> SandboxFixture {
    switch SandboxFixture.shared {
    case .success(let f): return f
    case .failure(let e):
        Issue.record("\(e.description)")
        throw e
    }
}
