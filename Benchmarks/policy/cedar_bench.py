"""Cedar (cedarpy) on the policy set equivalent to Warden's default set, beside Warden's own figures.

Reads the request mix and the generated rules that `warden policy bench` wrote, evaluates the same
requests with Cedar on the default-equivalent set (cedar_policies.cedar) and on that set grown to the
same number of rules, checks that Cedar's effects equal Warden's, and prints medians and ratios.
"""

import argparse
import ipaddress
import json
import posixpath
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import cedarpy
from cedarpy import _internal

HERE = Path(__file__).resolve().parent
SEVERITY = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}


def host_ip(host):
    """The address form of a host when it is an IP literal (inet_aton forms included), else None."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    try:
        values = [int(p, 16) if p.lower().startswith("0x") else int(p, 8) if len(p) > 1 and p.startswith("0") else int(p)
                  for p in parts]
    except ValueError:
        return None
    value = 0
    for i, v in enumerate(values[:-1]):
        value |= v << (8 * (3 - i))
    value |= values[-1]
    return str(ipaddress.IPv4Address(value)) if value < 2**32 else None


def normalize(path):
    if path == "":
        return "."
    norm = posixpath.normpath(path)
    return "/" + norm.lstrip("/") if path.startswith("/") else norm


def context(request):
    """The Cedar context for one Warden request: the arguments plus what Cedar cannot compute itself."""
    args = request.get("arguments", {})
    ctx = {
        "args": args,
        "plugin": request["plugin"],
        "caller": request["caller"],
        "capabilities": request.get("capabilities", {}),
        "path_norm": "",
        "path_norm_lower": "",
        "args_joined": "",
        "url_scheme": "",
        "max_severity": max([SEVERITY[f["severity"]] for f in request.get("findings", [])], default=-1),
        "categories_low": [f["category"] for f in request.get("findings", []) if SEVERITY[f["severity"]] >= 1],
        "minute": 12 * 60,
    }
    if isinstance(args.get("path"), str):
        ctx["path_norm"] = normalize(args["path"])
        ctx["path_norm_lower"] = ctx["path_norm"].lower()
    if isinstance(args.get("args"), list):
        ctx["args_joined"] = " ".join(a for a in args["args"] if isinstance(a, str))
    if isinstance(args.get("url"), str):
        parts = urlsplit(args["url"])
        ctx["url_scheme"] = parts.scheme.lower()
        if parts.hostname:
            ctx["url_host"] = parts.hostname.lower().rstrip(".")
            address = host_ip(ctx["url_host"])
            if address:
                ctx["host_ip"] = address
    return ctx


def cedar_request(request):
    tool = request["tool"]
    return {
        "principal": f'User::"{request["caller"]}"',
        "action": f'Action::"{tool}"',
        "resource": f'Tool::"{tool}"',
        "context": context(request),
    }


def generated_cedar(rules):
    """The generated Warden rules as Cedar policies."""
    out = []
    for rule in rules:
        tool = rule["match"]["tools"][0]
        condition = [c for c in rule["conditions"] if "exists" not in c][0]
        if "equals" in condition:
            when = f'context.args has marker && context.args.marker == "{condition["equals"]}"'
        else:
            when = f'context.args has path && context.args.path like "{condition["prefix"]}*"'
        kind = "forbid" if rule["effect"] == "deny" else "permit"
        note = ' @effect("require_approval")' if rule["effect"] == "require_approval" else ""
        out.append(f'@id("{rule["id"]}"){note}\n{kind}(principal, action == Action::"{tool}", resource)\nwhen {{ {when} }};')
    return "\n\n".join(out)


def effect(result, approval_ids):
    if not result.allowed:
        return "deny"
    determining = set(result.diagnostics.id_annotations_by_reason.values())
    return "require_approval" if determining & approval_ids else "allow"


def approval_ids(text):
    ids = set()
    for line in text.splitlines():
        if line.startswith('@id("') and '@effect("require_approval")' in line:
            ids.add(line.split('@id("')[1].split('"')[0])
    return ids


def measure(requests, policies, rounds, decisions):
    """Thread-CPU nanoseconds per decision through cedarpy's public batch call, and through its Rust entry
    point with contexts already serialized (the least Python work per request). CPU time, like Warden's
    figures, so that other processes on the machine do not distort the ratios."""
    handle = cedarpy.PolicySet.from_str(policies)
    entities = cedarpy.Entities.from_json_str("[]")
    batch = (requests * (decisions // len(requests) + 1))[:decisions]
    raw = [dict(r, context=json.dumps(r["context"])) for r in batch]
    public, internal = [], []
    for _ in range(rounds):
        start = time.thread_time_ns()
        cedarpy.is_authorized_batch(batch, handle, entities)
        public.append((time.thread_time_ns() - start) / len(batch))
        start = time.thread_time_ns()
        _internal.is_authorized_batch(raw, handle, entities._inner, None, False)
        internal.append((time.thread_time_ns() - start) / len(batch))
    return statistics.median(public), statistics.median(internal)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", required=True)
    parser.add_argument("--generated", required=True)
    parser.add_argument("--warden", required=True)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--decisions", type=int, default=24000)
    options = parser.parse_args()

    warden = json.loads(Path(options.warden).read_text())
    requests = [cedar_request(r) for r in json.loads(Path(options.requests).read_text())]
    base = (HERE / "cedar_policies.cedar").read_text()
    large = base + "\n\n" + generated_cedar(json.loads(Path(options.generated).read_text()))
    base_count = base.count("@id(")
    large_count = large.count("@id(")

    approvals = approval_ids(large)
    entities = cedarpy.Entities.from_json_str("[]")
    for policies in (base, large):
        results = cedarpy.is_authorized_batch(requests, cedarpy.PolicySet.from_str(policies), entities)
        errors = [e for r in results for e in r.diagnostics.errors]
        got = [effect(r, approvals) for r in results]
        if got != warden["effects"]:
            print("Cedar's effects differ from Warden's:", got, warden["effects"], errors, file=sys.stderr)
            sys.exit(1)

    small_public, small_internal = measure(requests, base, options.rounds, options.decisions)
    big_public, big_internal = measure(requests, large, options.rounds, options.decisions)
    # The cost of a call that evaluates a single trivial policy: cedarpy's per-request work (context and
    # result JSON, request construction) without policy evaluation. Subtracting it estimates the engine.
    trivial_public, trivial_internal = measure(requests, "permit(principal, action, resource);", options.rounds,
                                               options.decisions)
    w_small = warden["default_set"]["median_cpu_ns"]
    w_big = warden["large_set"]["median_cpu_ns"]
    w_json = warden["default_set_with_json_parse"]["median_cpu_ns"]

    rows = [
        ("Warden, in engine", warden["default_set"]["rules"], w_small, warden["large_set"]["rules"], w_big),
        ("Warden, parsing each request's JSON", warden["default_set"]["rules"], w_json, None, None),
        ("Cedar, cedarpy.is_authorized_batch", base_count, small_public, large_count, big_public),
        ("Cedar, Rust entry, context pre-serialized", base_count, small_internal, large_count, big_internal),
        ("Cedar, Rust entry, minus a 1-policy call", base_count, small_internal - trivial_internal, large_count,
         big_internal - trivial_internal),
    ]
    print(f"{len(requests)} requests in the mix; effects agree between Warden and Cedar on both sets.")
    print("Medians of thread-CPU time per decision:")
    print(f"{'':44} {'default set':>22} {'large set':>22} {'large/default':>14}")
    for name, n1, t1, n2, t2 in rows:
        left = f"{t1:8.0f} ns ({n1:4d} rules)"
        right = f"{t2:8.0f} ns ({n2:4d} rules)" if t2 else ""
        ratio = f"{t2 / t1:13.2f}x" if t2 else ""
        print(f"{name:44} {left:>22} {right:>22} {ratio:>14}")
    print()
    print(f"Warden decisions per CPU-second in engine: {1e9 / w_small:,.0f} (default), {1e9 / w_big:,.0f} (large)")
    print(f"Cedar / Warden, default set: {small_public / w_small:.1f}x (cedarpy), {small_internal / w_small:.1f}x (Rust entry)")
    print(f"Cedar / Warden, large set:   {big_public / w_big:.1f}x (cedarpy), {big_internal / w_big:.1f}x (Rust entry)")
    print(f"Cedar (minus a 1-policy call) / Warden: {(small_internal - trivial_internal) / w_small:.1f}x default, "
          f"{(big_internal - trivial_internal) / w_big:.1f}x large; a 1-policy call costs {trivial_internal:.0f} ns")


if __name__ == "__main__":
    main()
