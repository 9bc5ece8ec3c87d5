"""Floods `warden serve --stdio` with pipelined calls and reports what came back, as JSON.

Usage: flood_client.py N WARDEN [warden options...]. Sends `initialize`, then in one write N `tools/call`
requests to echo.echo with ids 1..N, the id N/2 a second time right after the first, and a cancellation of the
last one; then closes stdin, which makes the kernel answer everything in flight and exit. Reports how many ids
were answered with their own result (`ok`), how many were refused by the default rate limit (`rate_limited`),
anything else (`other`), the answers to the duplicated id, whether the cancelled one was answered, and the
seconds it all took. Standard library only.
"""
import json
import subprocess
import sys
import threading
import time


def line(obj):
    return (json.dumps(obj) + "\n").encode()


def main():
    n = int(sys.argv[1])
    warden = subprocess.Popen([sys.argv[2], "serve", "--stdio"] + sys.argv[3:], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    warden.stdin.write(line({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "flood", "version": "1"}}}))
    warden.stdin.write(line({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    warden.stdin.flush()
    assert json.loads(warden.stdout.readline())["id"] == 0
    middle = n // 2
    batch = []
    for i in range(1, n + 1):
        call = {"jsonrpc": "2.0", "id": i, "method": "tools/call",
                "params": {"name": "echo.echo", "arguments": {"text": "call %d" % i}}}
        batch.append(line(call))
        if i == middle:
            batch.append(line(call))
    batch.append(line({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": n}}))
    start = time.monotonic()

    # Written from a thread while this one reads: the kernel stops reading while its queue is full, and answers
    # nobody reads would fill the pipe and stop it for good.
    def write():
        warden.stdin.write(b"".join(batch))
        warden.stdin.close()

    writer = threading.Thread(target=write)
    writer.start()
    ok, limited, other, answers_to_middle, errors, last_answered = set(), set(), [], [], [], False
    for raw in warden.stdout:
        message = json.loads(raw)
        ident = message.get("id")
        if ident == middle:
            answers_to_middle.append("error" if "error" in message else "result")
        if ident == n:
            last_answered = True
        if "error" in message:
            errors.append(message["error"]["message"])
            continue
        text = message["result"]["content"][0]["text"]
        warden_meta = message["result"].get("_meta", {}).get("warden", {})
        if warden_meta.get("status") == "ok" and text == "call %d" % ident:
            ok.add(ident)
        elif warden_meta.get("status") == "refused" and warden_meta.get("rules") == ["echo-allow", "rate-limit-any-tool"]:
            limited.add(ident)
        else:
            other.append(message)
    writer.join()
    warden.wait(timeout=60)
    print(json.dumps({"ok": len(ok), "rate_limited": len(limited), "other": other[:3],
                      "missing": sorted(set(range(1, n)) - ok - limited)[:20], "middle": sorted(answers_to_middle),
                      "errors": errors[:5], "cancelled_answered": last_answered,
                      "seconds": time.monotonic() - start}))


main()
