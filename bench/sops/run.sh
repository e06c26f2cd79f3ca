#!/usr/bin/env bash
# secretctl vs the real sops, side by side on the same inputs and age key:
# encrypt and decrypt a 1,000-key YAML file and a 10 MB binary file.
# Prints the best of $RUNS (default 10) wall-clock runs of each. Needs ./scripts/test.sh to have
# installed sops (target/tools/bin/sops) and age.
#
#   bench/sops/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p secretctl
ours=${CARGO_TARGET_DIR:-target}/release/secretctl
sops=${SOPS:-target/tools/bin/sops}
[ -x "$sops" ] || { echo "no sops at $sops: run ./scripts/test.sh first" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>"$work/pub"
recipient=$(sed 's/^Public key: //' "$work/pub")
export SOPS_AGE_KEY_FILE="$work/key.txt" SOPS_DISABLE_VERSION_CHECK=1

python3 - "$work/big.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write(f"key_{i}: value number {i} with some text\n")
PY
head -c 10000000 /dev/urandom > "$work/big.bin"

runs=${RUNS:-10}
# best_ms CMD...: the fastest of $runs runs, in milliseconds.
best_ms() {
  local best="" start end ms
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

"$sops" encrypt --age "$recipient" "$work/big.yaml" > "$work/big.enc.yaml"
"$sops" encrypt --age "$recipient" --input-type binary --output-type json "$work/big.bin" > "$work/big.bin.enc.json"

printf '%-28s %10s %10s %8s\n' case secretctl sops speedup
row() {
  local name=$1 a b; shift
  a=$(best_ms $1); b=$(best_ms $2)
  printf '%-28s %8sms %8sms %7.1fx\n' "$name" "$a" "$b" "$(echo "$b / ($a + 0.001)" | bc -l)"
}
row "1,000-key YAML encrypt" "$ours encrypt --age $recipient $work/big.yaml" "$sops encrypt --age $recipient $work/big.yaml"
row "1,000-key YAML decrypt" "$ours decrypt $work/big.enc.yaml" "$sops decrypt $work/big.enc.yaml"
row "10 MB binary encrypt" "$ours encrypt --age $recipient --input-type binary --output-type json $work/big.bin" "$sops encrypt --age $recipient --input-type binary --output-type json $work/big.bin"
row "10 MB binary decrypt" "$ours decrypt --input-type json --output-type binary $work/big.bin.enc.json" "$sops decrypt --input-type json --output-type binary $work/big.bin.enc.json"
