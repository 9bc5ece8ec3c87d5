"""Warm tools/call round trips: through `warden serve --stdio` against the same echo plugin called directly.

Usage: bench.py BIN_DIR [N]. BIN_DIR holds `warden` and `warden-launch` (a `swift build` bin path). Runs, in one
process and one run: N sequential calls each way (p50, p99), then N pipelined calls each way (calls/s).
The direct line runs the same echo plugin binary as a plain child process (no kernel, no launcher); through
Warden every call also passes the rules, hunter and policy plugins and is appended to the signed log.
WARDEN_PLUGINS names another plugins folder (for example one holding release builds of the plugins).

Every call must run: the repository's policies are copied with the any-tool rate limit (1,200 calls a minute per
caller and tool) raised out of reach — the limit is still evaluated on every call — and the benchmark stops at the
first answer that is not a successful echo (a refused call is cheaper and would flatter the figures).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def line(obj):
    return (json.dumps(obj) + "\n").encode()


class Peer:
    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        self.next = 1

    def request(self, method, params):
        i = self.next
        self.next += 1
        self.p.stdin.write(line({"jsonrpc": "2.0", "id": i, "method": method, "params": params}))
        self.p.stdin.flush()
        while True:
            msg = json.loads(self.p.stdout.readline())
            if msg.get("id") == i:
                return msg

    def pipelined(self, method, params, n):
        first = self.next
        payload = b"".join(line({"jsonrpc": "2.0", "id": first + k, "method": method, "params": params}) for k in range(n))
        self.next += n
        start = time.perf_counter()

        # From a thread while this one reads: Warden stops reading while a client has 4,352 requests in flight.
        def write():
            self.p.stdin.write(payload)
            self.p.stdin.flush()

        writer = threading.Thread(target=write)
        writer.start()
        seen = 0
        while seen < n:
            msg = json.loads(self.p.stdout.readline())
            if "id" in msg:
                check(msg)
                seen += 1
        elapsed = time.perf_counter() - start
        writer.join()
        return elapsed

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def check(answer):
    """Stops the benchmark unless `answer` is a successful call (not refused, not an error)."""
    result = answer.get("result", {})
    status = result.get("_meta", {}).get("warden", {}).get("status", "ok")
    if "error" in answer or result.get("isError") or status != "ok":
        sys.exit(f"a call did not run: {json.dumps(answer)[:800]}")


def measure(peer, name, n):
    args = {"name": name, "arguments": {"text": "hello"}}
    for _ in range(200):
        check(peer.request("tools/call", args))
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        answer = peer.request("tools/call", args)
        samples.append((time.perf_counter() - t) * 1e6)
        check(answer)
    samples.sort()
    elapsed = peer.pipelined("tools/call", args, n)
    return statistics.median(samples), samples[int(len(samples) * 0.99)], n / elapsed


def main():
    bindir, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    home = tempfile.mkdtemp(prefix="warden-gw-bench-")
    os.chmod(home, 0o755)  # under a root host, plugins run as an unprivileged id and must reach the workspace
    plugins = os.environ.get("WARDEN_PLUGINS", ROOT + "/Plugins")
    policies = home + "/Policies"
    shutil.copytree(ROOT + "/Policies", policies)
    limits = open(policies + "/policies/limits.yaml").read()
    assert "count: 1200\n" in limits
    open(policies + "/policies/limits.yaml", "w").write(limits.replace("count: 1200\n", "count: 100000\n"))
    # … and the policy set's own test of that limit goes with it (a failing test keeps the set out of force).
    tests = open(policies + "/tests/other.yaml").read()
    start = tests.index("  - name: the 1201st call to one tool in a minute is denied\n")
    end = tests.index("  - name:", start + 1)
    open(policies + "/tests/other.yaml", "w").write(tests[:start] + tests[end:])
    warden = Peer([os.path.join(bindir, "warden"), "serve", "--stdio", "--home", home + "/state",
                   "--workspace", home + "/ws", "--plugins", plugins, "--policies", policies])
    warden.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "b", "version": "1"}})
    warden.p.stdin.write(line({"jsonrpc": "2.0", "method": "notifications/initialized"}))
    time.sleep(3)  # plugins start in the background (the Python time server imports for ~1.5 s): let them settle
    echo = os.path.join(plugins, "echo/bin/warden-plugin")
    direct = Peer([echo, "echo"])
    direct.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "b", "version": "1"}})
    d = measure(direct, "echo", n)
    w = measure(warden, "echo.echo", n)
    print(f"{'':24}{'p50 µs':>10}{'p99 µs':>10}{'calls/s':>12}")
    print(f"{'echo plugin direct':24}{d[0]:10.1f}{d[1]:10.1f}{d[2]:12.0f}")
    print(f"{'through warden':24}{w[0]:10.1f}{w[1]:10.1f}{w[2]:12.0f}")
    print(f"added at p50: {w[0] - d[0]:.1f} µs; pipelined throughput ratio {w[2] / d[2]:.2f}")
    direct.close()
    warden.close()


main()
