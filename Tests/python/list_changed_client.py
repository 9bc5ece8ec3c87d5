"""Watches `warden serve --stdio` announce tool-list changes, and reports what it saw as JSON.

Usage: list_changed_client.py PLUGINS-FOLDER WARDEN [warden options...]. Initialises (2025-11-25), lists the tools,
then in turn: calls `grows.poke` (the plugin announces a new tool), writes the plugin folder `late` (a copy of
`grows` under another name) into PLUGINS-FOLDER, and deletes it again. After each step it waits up to 30 s for
`notifications/tools/list_changed` and lists the tools again (after the folder is written, as often as it is
told, until the new tool is listed). Reports the server's `listChanged` capability, and
each step's tool names and whether the notification came.
Standard library only.
"""
import json
import os
import queue
import shutil
import subprocess
import sys
import threading

plugins, warden = sys.argv[1], sys.argv[2]
server = subprocess.Popen([warden, "serve", "--stdio"] + sys.argv[3:], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
incoming = queue.Queue()


def reader():
    for line in server.stdout:
        incoming.put(json.loads(line))
    incoming.put(None)


threading.Thread(target=reader, daemon=True).start()
next_id = [0]
# Announcements read while waiting for an answer (one may come before the answer to the call that caused it).
announced = []


def request(method, params):
    next_id[0] += 1
    server.stdin.write((json.dumps({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params}) + "\n").encode())
    server.stdin.flush()
    while True:
        message = incoming.get(timeout=60)
        if message.get("method") == "notifications/tools/list_changed":
            announced.append(message)
        if message.get("id") == next_id[0]:
            return message


def wait_for_change(seconds):
    if announced:
        announced.clear()
        return True
    try:
        while True:
            message = incoming.get(timeout=seconds)
            if message and message.get("method") == "notifications/tools/list_changed":
                return True
    except queue.Empty:
        return False


def forget_announcements():
    """Before each step: an announcement still on its way from the step before must not count for this one."""
    announced.clear()
    while True:
        try:
            incoming.get_nowait()
        except queue.Empty:
            return


def tool_names():
    return sorted(t["name"] for t in request("tools/list", {})["result"]["tools"])


init = request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                              "clientInfo": {"name": "list-changed", "version": "1"}})
report = {"list_changed": init["result"]["capabilities"].get("tools", {}).get("listChanged")}
server.stdin.write(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
server.stdin.flush()
report["before"] = tool_names()
forget_announcements()
report["poke"] = request("tools/call", {"name": "grows.poke", "arguments": {}})["result"]["content"][0]["text"]
report["announced_after_poke"] = wait_for_change(30)
report["after_poke"] = tool_names()
forget_announcements()
late = os.path.join(plugins, "late")
os.makedirs(late)
shutil.copy(os.path.join(plugins, "grows", "misbehaving.py"), late)
manifest = json.load(open(os.path.join(plugins, "grows", "plugin.json")))
manifest["name"] = "late"
json.dump(manifest, open(os.path.join(late, "plugin.json"), "w"))
# A client lists again after each announcement: the first may come before the new plugin has started.
report["announced_after_add"] = wait_for_change(30)
report["after_add"] = tool_names()
for _ in range(10):
    if "late.poke" in report["after_add"] or not wait_for_change(30):
        break
    report["after_add"] = tool_names()
forget_announcements()
shutil.rmtree(late)
report["announced_after_remove"] = wait_for_change(30)
report["after_remove"] = tool_names()
server.stdin.close()
server.wait(timeout=60)
print(json.dumps(report))
