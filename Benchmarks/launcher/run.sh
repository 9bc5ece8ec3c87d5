#!/usr/bin/env bash
# Launcher benchmark: /bin/true bare, under warden-launch (baseline spec with every namespace; without
# namespaces; full confinement without the network namespace) and under bubblewrap, in one hyperfine run.
# Prints medians and ratios. Usage: Benchmarks/launcher/run.sh [DIR-WITH-warden-launch [OTHER-DIR...]]
# Each OTHER-DIR (another build of the launcher, e.g. main's) adds a line "full without net namespace" for
# that build to the same hyperfine run, so that builds are compared under the same machine load.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$(cd "$here/../.." && swift build --show-bin-path)}
others=("${@:2}")
launcher="$bin/warden-launch"
[ -x "$launcher" ] || { echo "warden-launch not found in $bin: run \`make\` first" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine is missing: apt-get install hyperfine" >&2; exit 1; }
command -v bwrap >/dev/null || { echo "bwrap is missing: apt-get install bubblewrap" >&2; exit 1; }
runs=${RUNS:-1000}

work=$(mktemp -d /tmp/warden-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/plugin" && chmod 755 "$work" "$work/plugin"

# The same spec LaunchSpec.baseline(pluginFolder:) produces, with the namespaces varied.
spec() {
    cat <<JSON
{"version":1,"namespaces":[$1],
 "filesystem":{"read":["/usr","$work/plugin"],
   "read_if_present":["/bin","/sbin","/lib","/lib64","/etc/ld.so.cache","/etc/localtime","/etc/passwd","/etc/group","/etc/nsswitch.conf"],
   "write":[]},
 "network":"none","spawn":false,"env":{"PATH":"/usr/local/bin:/usr/bin:/bin","HOME":"/tmp","LANG":"C.UTF-8"},
 "rlimits":{"as":4294967296,"cpu":3600,"nproc":256,"nofile":1024,"fsize":1073741824},
 "syscalls":[],"cwd":"$work/plugin","keep_fds":[],"landlock_min_abi":1}
JSON
}
spec '"user","mount","pid","net","ipc","uts","cgroup"' >"$work/all.json"
spec '' >"$work/none.json"
spec '"user","mount","pid","ipc","uts","cgroup"' >"$work/nonet.json"
# Precompiled filters, as the host caches them by digest: the launcher then loads instead of compiling.
for s in all none nonet; do "$launcher" --export-bpf --spec-file "$work/$s.json" >"$work/$s.bpf"; done
compare=()
for i in "${!others[@]}"; do
    other="${others[$i]}/warden-launch"
    [ -x "$other" ] || { echo "warden-launch not found in ${others[$i]}" >&2; exit 1; }
    "$other" --export-bpf --spec-file "$work/nonet.json" >"$work/other$i.bpf"
    compare+=(-n "full without net namespace, ${others[$i]}"
        "$other --spec-file $work/nonet.json --bpf-file $work/other$i.bpf -- /bin/true")
done

run() { echo "$launcher --spec-file $work/$1.json --bpf-file $work/$1.bpf -- /bin/true"; }
hyperfine -N --warmup 100 --runs "$runs" --export-json "$work/results.json" --style none \
    -n bare /bin/true \
    -n "launcher, no namespaces" "$(run none)" \
    -n "launcher, full without net namespace" "$(run nonet)" \
    -n "launcher, baseline (every namespace)" "$(run all)" \
    -n "launcher, baseline, filter compiled at launch" "$launcher --spec-file $work/all.json -- /bin/true" \
    "${compare[@]}" \
    -n bwrap "bwrap --ro-bind / / --unshare-all --die-with-parent --new-session /bin/true" >/dev/null

python3 - "$work/results.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
bare = r["bare"]["median"]; bw = r["bwrap"]["median"]
width = max(48, max(len(n) for n in r))
print(f"{'command':{width}} {'median':>9} {'x bare':>7} {'bwrap/x':>8}")
for name, x in r.items():
    m = x["median"]
    print(f"{name:{width}} {m*1000:8.3f}ms {m/bare:6.2f}x {bw/m:7.2f}x")
full = r["launcher, full without net namespace"]["median"]
print()
print(f"full confinement without net namespace: {full/bare:.2f}x bare (target <= 2.5x), "
      f"{bw/full:.2f}x faster than bwrap (target >= 2x)")
PY
