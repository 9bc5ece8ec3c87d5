// swift-tools-version:6.0
// Warden: a plugin-host runtime. The tree follows docs/architecture in DESIGN.md:
// a pure core, a Posix layer, the store, the host (kernel), the standard engines, the CLI.
// The C launcher under Sandbox/ is built by the Makefile with `cc` (no Swift runtime in it).
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Warden",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "warden", targets: ["warden"]),
        .executable(name: "warden-plugin", targets: ["warden-plugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Value types only: JSON, JSON-RPC/MCP messages, manifests, capabilities, decisions,
        // findings, envelopes and Merkle math. No I/O.
        .target(
            name: "WardenCore",
            dependencies: ["CSodium", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // libsodium, which checks every Ed25519 signature (Debian: libsodium-dev): stricter than RFC 8032's
        // minimum and, measured here, 12-25 % faster than swift-crypto's verification, which bounds `audit verify`.
        .systemLibrary(name: "CSodium", pkgConfig: "libsodium", providers: [.apt(["libsodium-dev"])]),
        // The one layer that talks to libc: descriptors, processes, sockets.
        .target(name: "WardenPosix", dependencies: ["WardenCore"], swiftSettings: strict),
        // The signed log, checkpoints and the approval queue, SQLite behind a protocol.
        .target(
            name: "WardenStore",
            dependencies: ["WardenCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        // The plugin side of the wire: line framing and method dispatch for plugins written in Swift.
        .target(name: "WardenPluginKit", dependencies: ["WardenCore"], swiftSettings: strict),
        // The standard policy engine (runs as a confined plugin; also used by `warden policy`).
        .target(
            name: "WardenPolicy",
            dependencies: ["WardenCore", "Yams", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        // The standard hunter engine (runs as a confined plugin; also used by `warden hunt`).
        .target(
            name: "WardenHunter", dependencies: ["WardenCore", "Yams", "CPCRE2"], swiftSettings: strict),
        // PCRE2 with its JIT, the hunter's regular-expression engine (Debian: libpcre2-dev).
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        // The bundled tool plugins: files, shell, http, and an echo server for tests and benchmarks.
        .target(
            name: "WardenTools", dependencies: ["WardenCore", "WardenPluginKit", "WardenPosix"], swiftSettings: strict),
        // The kernel: discovery, plugin sessions, supervision, the pipeline, the gateways.
        .target(
            name: "WardenHost",
            dependencies: [
                "WardenCore", "WardenPosix", "WardenStore",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // One multi-call binary for every bundled plugin; the kernel lets it read the Swift runtime it links.
        .executableTarget(
            name: "warden-plugin",
            dependencies: ["WardenPluginKit", "WardenTools", "WardenPolicy", "WardenHunter"],
            swiftSettings: strict),
        .executableTarget(
            name: "warden",
            dependencies: [
                "WardenCore", "WardenPosix", "WardenStore", "WardenHost", "WardenPolicy",
                "WardenHunter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // `make bench-log`: the log's append and verify throughput beside raw signing and raw inserts.
        .executableTarget(
            name: "warden-log-bench", dependencies: ["WardenCore", "WardenStore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/log", exclude: ["README.md"], swiftSettings: strict),
        // `make bench-approvals`: how soon a held call resumes after its approval, and listing 1,000 pending requests.
        .executableTarget(
            name: "warden-approval-bench", dependencies: ["WardenCore", "WardenStore", "WardenHost",
                .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/approvals", exclude: ["README.md"], swiftSettings: strict),
        .testTarget(name: "WardenCoreTests", dependencies: ["WardenCore"], swiftSettings: strict),
        .testTarget(
            name: "WardenStoreTests",
            dependencies: ["WardenStore", "WardenCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .testTarget(
            name: "WardenPolicyTests", dependencies: ["WardenPolicy", "WardenCore"], swiftSettings: strict),
        .testTarget(
            name: "WardenToolsTests", dependencies: ["WardenTools"], swiftSettings: strict),
        .testTarget(
            name: "WardenHunterTests", dependencies: ["WardenHunter", "WardenCore"], swiftSettings: strict),
        .testTarget(
            name: "WardenHostTests",
            dependencies: [
                "WardenHost", "WardenCore", "WardenPosix", "WardenStore", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),
        // The escape suite and legitimate-needs tests: real processes under the real launcher.
        .testTarget(name: "SandboxTests", dependencies: ["WardenPosix"], swiftSettings: strict),
        // End to end: the built `warden` binary, real plugins, the Python MCP SDK as a client.
        .testTarget(name: "IntegrationTests", dependencies: ["WardenCore"], swiftSettings: strict),
    ]
)
