import WardenCore
import WardenPluginKit

/// The `echo` plugin: returns its arguments. The smallest real MCP server, for tests and benchmarks.
public enum EchoTools {
    public static func tools() -> [Tool] {
        [
            Tool(
                name: "echo", description: "Return the arguments unchanged.",
                inputSchema: ["type": "object", "properties": ["text": ["type": "string"]]]
            ) { args, _ in
                .text(args["text"]?.stringValue ?? args.serialized(), structured: args)
            }
        ]
    }
}
