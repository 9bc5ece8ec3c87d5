import WardenCore

/// What a detector looks at: one side of one tool call.
public struct ScanSubject: Sendable, Hashable {
    /// `input` for the arguments before the call, `output` for what the tool returned.
    public var phase: ScanPhase
    /// The tool's name, for example `files.read`.
    public var tool: String
    /// The arguments or the output; every string leaf in it is scanned.
    public var value: JSONValue

    public init(phase: ScanPhase, tool: String, value: JSONValue) {
        self.phase = phase
        self.tool = tool
        self.value = value
    }
}
