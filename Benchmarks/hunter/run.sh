#!/usr/bin/env bash
# Hunter benchmark: the seeded rules in `warden hunt bench` (release build), the same rules translated for
# yara and for grep -E -f, on one ~50 MB mixed corpus, in one run. Usage: Benchmarks/hunter/run.sh [MB]
# Needs: swift, python3 with PyYAML (Debian python3-yaml), yara (Debian yara), GNU grep.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE="${1:-50}"
SCRATCH="${SCRATCH:-.build-bench}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

swift build -c release --scratch-path "$SCRATCH" --product warden >&2
WARDEN="$SCRATCH/release/warden"
python3 Benchmarks/hunter/make_corpus.py Tests/corpus/benign-tool-arguments.jsonl "$OUT/corpus.jsonl" "$SIZE" >&2
python3 Benchmarks/hunter/translate.py Plugins/hunter/rules "$OUT/rules.yar" "$OUT/rules.grep" >&2
yarac "$OUT/rules.yar" "$OUT/rules.yarc" 2>/dev/null

TEXT_BYTES=$(stat -c %s "$OUT/corpus.txt")
# Output goes to a file, not /dev/null: GNU grep stops at the first match when it sees /dev/null.
timed() { python3 -c 'import subprocess, sys, time
with open(sys.argv[1], "w") as out:
    start = time.perf_counter(); subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL)
print(time.perf_counter() - start)' "$OUT/matches.txt" "$@"; }

# yara and grep are slow on these rules (about a minute each on 50 MB): one run each; warden: median of 3.
YARA=$(timed yara -w -C "$OUT/rules.yarc" "$OUT/corpus.txt")
GREP=$(timed grep -E -i -c -f "$OUT/rules.grep" "$OUT/corpus.txt")
"$WARDEN" hunt bench "$OUT/corpus.jsonl" --rules Plugins/hunter/rules --repeat 3 --json > "$OUT/warden.json"

python3 - "$OUT/warden.json" "$TEXT_BYTES" "$YARA" "$GREP" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
text, yara, grep = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
wmb = w["value_throughput_mb_per_s"]
print(f"corpus: {w['bytes']/1e6:.1f} MB of JSONL, {w['subjects']} payloads of {w['mean_payload_bytes']:.0f} bytes, "
      f"{text/1e6:.1f} MB of string values; {w['rules']} rules")
print(f"{'engine':<28}{'MB/s':>10}{'vs yara':>10}")
print(f"{'warden hunt (PCRE2 JIT)':<28}{wmb:>10.1f}{wmb/(text/1e6/yara):>9.2f}x")
print(f"{'yara 4.2.3':<28}{text/1e6/yara:>10.1f}{1:>9.2f}x")
print(f"{'grep -E -i -f':<28}{text/1e6/grep:>10.1f}{(text/1e6/grep)/(text/1e6/yara):>9.2f}x")
print(f"warden per payload: {w['payload_us_median']:.1f} us median, {w['payload_us_p99']:.1f} us p99")
PY
