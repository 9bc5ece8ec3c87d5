"""How long `warden serve` takes to be ready with 10 plugins: from starting the process until the control socket
answers and every plugin has been launched confined and has completed its handshake.

Usage: ready.py BIN_DIR [RUNS] [--with-time]. BIN_DIR holds `warden` and `warden-launch`. The 10 plugins: the
repository's bundled ones (files, shell, http, echo, policy, rules, hunter) and three more copies of echo; with
--with-time, the Python time server from PyPI replaces one copy (its `import` alone takes about a second). WARDEN_PLUGINS names the plugins folder to copy (for example one holding release builds of the
plugins). Prints each run and the median, in milliseconds.
"""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ask(path, method, params):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendall((json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}) + "\n").encode())
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data)


def main():
    with_time = "--with-time" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--with-time"]
    bindir, runs = args[0], int(args[1]) if len(args) > 1 else 5
    work = tempfile.mkdtemp(prefix="warden-ready-")
    os.chmod(work, 0o755)  # under a root host, plugins run as an unprivileged id and must reach their folders
    plugins, policies = work + "/Plugins", work + "/Policies"
    shutil.copytree(os.environ.get("WARDEN_PLUGINS", ROOT + "/Plugins"), plugins, symlinks=True)
    shutil.copytree(ROOT + "/Policies", policies)
    if not with_time:
        shutil.rmtree(plugins + "/time")
    for extra in ("echo2", "echo3") if with_time else ("echo2", "echo3", "echo4"):
        shutil.copytree(plugins + "/echo", plugins + "/" + extra, symlinks=True)
        manifest = json.load(open(plugins + f"/{extra}/plugin.json"))
        manifest["name"] = extra
        json.dump(manifest, open(plugins + f"/{extra}/plugin.json", "w"))
    # As `make build` lays them out: one plugin binary, hard-linked into every Swift plugin's folder.
    binary = None
    for name in sorted(os.listdir(plugins)):
        path = f"{plugins}/{name}/bin/warden-plugin"
        if os.path.isfile(path):
            if binary is None:
                binary = path
            else:
                os.remove(path)
                os.link(binary, path)
    grants = json.load(open(policies + "/grants.json"))
    grants["grants"]["echo2"] = grants["grants"]["echo3"] = grants["grants"]["echo4"] = {}
    json.dump(grants, open(policies + "/grants.json", "w"))
    times = []
    for run in range(runs):
        home = f"{work}/state{run}"
        sock = home + "/control.sock"
        start = time.perf_counter()
        p = subprocess.Popen([bindir + "/warden", "serve", "--home", home, "--plugins", plugins, "--policies", policies,
                              "--workspace", work + "/ws", "--watch-interval", "0"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                ask(sock, "plugins/list", {"start": False})
                break
            except (FileNotFoundError, ConnectionRefusedError):
                time.sleep(0.001)
        listening = (time.perf_counter() - start) * 1000
        answer = ask(sock, "plugins/list", {"start": True})
        elapsed = (time.perf_counter() - start) * 1000
        listed = answer["result"]["plugins"]
        ready = [x["name"] for x in listed if x["state"] == "ready"]
        if len(ready) != 10:
            sys.exit(f"expected 10 ready plugins, got {len(ready)}: {[(x['name'], x['state'], x['problems']) for x in listed]}")
        times.append(elapsed)
        print(f"run {run + 1}: control socket answers after {listening:.1f} ms; {len(ready)} plugins ready after {elapsed:.1f} ms")
        p.terminate()
        p.wait(timeout=30)
    print(f"median {statistics.median(times):.1f} ms (target ≤ 300 ms)")
    shutil.rmtree(work, ignore_errors=True)


main()
