#!/bin/sh
# Policy engine benchmark, in one run: Warden's engine on the default policy set and on a 1,000-rule
# version of it, beside Cedar (cedarpy from PyPI) on equivalent policy sets with the same requests.
#
#   Benchmarks/policy/run.sh            (SCRATCH=.build-xyz to use another build folder)
set -eu
cd "$(dirname "$0")/../.."
OUT=Benchmarks/out/policy
SCRATCH=${SCRATCH:-.build}
mkdir -p "$OUT"

swift build -c release --scratch-path "$SCRATCH" --product warden
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/warden

[ -x "$OUT/venv/bin/python" ] || python3 -m venv "$OUT/venv"
"$OUT/venv/bin/pip" install --quiet "cedarpy==4.12.2"

"$BIN" policy bench --policies Policies --rules 1000 --json \
    --dump-requests "$OUT/requests.json" --dump-generated "$OUT/generated.json" > "$OUT/warden.json"
"$OUT/venv/bin/python" Benchmarks/policy/cedar_bench.py \
    --requests "$OUT/requests.json" --generated "$OUT/generated.json" --warden "$OUT/warden.json"
