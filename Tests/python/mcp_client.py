"""Drives `warden serve --stdio` with the official MCP Python SDK, as any MCP client would.

Usage: mcp_client.py --era legacy|modern WARDEN_BINARY [warden arguments...]
`legacy` uses the 2025-11-25 handshake (initialize); `modern` the 2026-07-28 one (server/discover).
Reads the calls from stdin: a JSON list of [TOOL, ARGUMENTS] or [TOOL, ARGUMENTS, META] (META goes in the
request's `_meta`). Prints one JSON object: the tool names, and the outcome of each call, with the progress
messages the server sent while it ran (a call held for approval names its request there), or
`error` when the server answered the call with a JSON-RPC error.
"""
import asyncio
import json
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.shared.exceptions import MCPError


async def main() -> None:
    _, era, binary, *args = sys.argv[1:]
    calls = json.loads(sys.stdin.read() or "[]")
    params = StdioServerParameters(command=binary, args=["serve", "--stdio", *args])
    report = {"calls": []}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            if era == "legacy":
                init = await session.initialize()
                report["server"] = init.server_info.name
                report["protocol"] = str(init.protocol_version)
            else:
                found = await session.discover()
                report["server"] = (found.meta or {}).get("io.modelcontextprotocol/serverInfo", {}).get("name")
                report["protocol"] = session.protocol_version
            tools = await session.list_tools()
            report["tools"] = sorted(t.name for t in tools.tools)
            for name, arguments, *rest in calls:
                progress = []

                async def on_progress(value, total, message, progress=progress):
                    progress.append({"progress": value, "message": message})

                try:
                    result = await session.call_tool(
                        name, arguments, progress_callback=on_progress, meta=(rest[0] if rest else None)
                    )
                except MCPError as error:
                    # A JSON-RPC error answer (invalid params, …): recorded, not fatal to the session.
                    report["calls"].append({"tool": name, "error": str(error)})
                    continue
                text = "".join(getattr(c, "text", "") for c in result.content)
                meta = (result.meta or {}).get("warden", {})
                report["calls"].append(
                    {
                        "tool": name,
                        "is_error": bool(result.is_error),
                        "text": text,
                        "structured": result.structured_content,
                        "status": meta.get("status"),
                        "envelope_seq": meta.get("envelope_seq"),
                        "rules": meta.get("rules"),
                        "reason": meta.get("reason"),
                        "approval": meta.get("approval"),
                        "progress": progress,
                    }
                )
    print(json.dumps(report))


asyncio.run(main())
