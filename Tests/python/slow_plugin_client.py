"""Lists the tools of `warden serve --stdio` twice while one tool plugin never answers its handshake.

Usage: slow_plugin_client.py WARDEN [warden options...]. Initialises, sends `tools/list` twice, calls `echo.echo`,
and reports as JSON each listing's tool names and seconds, and the call's text. Standard library only.
"""
import json
import subprocess
import sys
import time

server = subprocess.Popen(sys.argv[1:2] + ["serve", "--stdio"] + sys.argv[2:], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def request(ident, method, params):
    server.stdin.write((json.dumps({"jsonrpc": "2.0", "id": ident, "method": method, "params": params}) + "\n").encode())
    server.stdin.flush()
    while True:
        message = json.loads(server.stdout.readline())
        if message.get("id") == ident:
            return message


request(1, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                          "clientInfo": {"name": "slow-plugin", "version": "1"}})
server.stdin.write(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
server.stdin.flush()
report = {"listings": []}
for ident in (2, 3):
    start = time.monotonic()
    tools = request(ident, "tools/list", {})["result"]["tools"]
    report["listings"].append({"tools": sorted(t["name"] for t in tools), "seconds": time.monotonic() - start})
call = request(4, "tools/call", {"name": "echo.echo", "arguments": {"text": "still here"}})
report["call"] = call["result"]["content"][0]["text"]
server.stdin.close()
server.wait(timeout=120)
print(json.dumps(report))
