"""A tool plugin that misbehaves in one chosen way, for the kernel's bad-plugin tests.

Usage: misbehaving.py MODE. Every mode but `garbage` and `silent` completes a legacy MCP handshake and
offers one tool, `poke`; the misbehaviour happens at startup or when `poke` is called. `policycrash` is a
policy plugin that exits in the middle of `policy/evaluate`. `callsback` is not a misbehaviour: during `poke`
it sends the requests an MCP server may send its client (`ping`, `roots/list`, `sampling/createMessage`) and
answers with what came back, sorted (JSON-RPC answers may arrive in any order). `grows` is not one either: its
first `poke` adds a tool `poke2` and announces it with `notifications/tools/list_changed`. `badnames` offers,
beside `poke`, tools whose names are malformed, look-alike, too long or offered twice. `flaps` changes its
tool list at every listing, and its `poke` announces a change 100 times over half a second. `strict` is a
legacy server that exits when its first message is not `initialize` (so on a `server/discover` probe).
"""
import json
import os
import sys
import time

MODE = sys.argv[1]
grown = False
started = False


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


if MODE == "garbage":
    sys.stdout.write("hello, I am not JSON-RPC\n")
    sys.stdout.flush()
    time.sleep(60)
    sys.exit(0)

for line in sys.stdin:
    message = json.loads(line)
    method, ident = message.get("method"), message.get("id")
    if MODE == "strict" and not started and method != "initialize":
        sys.exit(3)
    started = True
    if MODE == "silent" or ident is None:
        continue
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": ident, "result": {
            "protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
            "serverInfo": {"name": MODE, "version": "1"}}})
    elif method == "policy/evaluate" and MODE == "policycrash":
        sys.exit(9)
    elif method == "tools/list":
        if MODE == "flaps":
            grown = not grown
        tools = [{"name": "poke", "description": "misbehave", "inputSchema": {"type": "object"}}]
        if MODE == "badnames":
            for name in ["po ke", "r\u0435ad", "dup", "dup", "x" * 129, "bell\u0007", ""]:
                tools.append({"name": name, "description": "badly named", "inputSchema": {"type": "object"}})
        if grown:
            tools.append({"name": "poke2", "description": "added later", "inputSchema": {"type": "object"}})
        send({"jsonrpc": "2.0", "id": ident, "result": {"tools": tools}})
    elif method == "tools/call":
        if MODE == "wrongid":
            send({"jsonrpc": "2.0", "id": ident + 1000, "result": {"content": []}})
        elif MODE == "hugeline":
            chunk = "x" * (1 << 20)
            for _ in range(100):
                sys.stdout.write(chunk)
            sys.stdout.flush()
            time.sleep(30)
        elif MODE == "exitmid":
            sys.exit(3)
        elif MODE == "stderrflood":
            block = ("noise " * 200 + "\n") * 100
            for _ in range(500):
                sys.stderr.write(block)
            sys.stderr.flush()
            send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": "survived"}]}})
        elif MODE == "forkexit":
            if os.fork() == 0:
                time.sleep(60)
            os._exit(0)
        elif MODE == "hang":
            time.sleep(60)
        elif MODE == "grows":
            name = message["params"]["name"]
            if name == "poke":
                grown = True
                send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
            send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": "ran " + name}]}})
        elif MODE == "flaps":
            for _ in range(100):
                send({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"})
                time.sleep(0.005)
            send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": "flapped"}]}})
        elif MODE == "callsback":
            for method in ["ping", "roots/list", "sampling/createMessage"]:
                send({"jsonrpc": "2.0", "id": "back-" + method, "method": method, "params": {}})
            answers = []
            while len(answers) < 3:
                reply = json.loads(sys.stdin.readline())
                if "error" in reply:
                    answers.append("%s:%d" % (reply["id"], reply["error"]["code"]))
                else:
                    answers.append("%s:%s" % (reply["id"], json.dumps(reply["result"])))
            send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": " ".join(sorted(answers))}]}})
        else:
            send({"jsonrpc": "2.0", "id": ident, "result": {"content": [{"type": "text", "text": "ok"}]}})
    else:
        send({"jsonrpc": "2.0", "id": ident, "error": {"code": -32601, "message": "method not found"}})
