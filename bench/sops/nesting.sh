#!/usr/bin/env bash
# Is YAML encryption linear in the document's size, whatever its nesting?
# Encrypts a 10 MiB flat YAML file and a 10 MiB one of mixed nesting (1 to
# 64 levels of maps, lists, `- - -` lists and flow collections, comments;
# see nesting.py) with secretctl (release build) and prints the best of
# $RUNS (default 5) wall-clock runs of each and their ratio. SIZE (bytes)
# changes the size; SECRETCTL another binary (e.g. an older build).
#
#   bench/sops/nesting.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${SECRETCTL:-}" ]; then
  cargo build --release -q -p secretctl
  SECRETCTL=${CARGO_TARGET_DIR:-target}/release/secretctl
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
age-keygen -o "$work/key.txt" 2>"$work/pub"
recipient=$(sed 's/^Public key: //' "$work/pub")
export SOPS_AGE_KEY_FILE="$work/key.txt"
python3 bench/sops/nesting.py "${SIZE:-10485760}" "$work/flat.yaml" "$work/mixed.yaml"

runs=${RUNS:-5}
best_ms() {
  local best="" start end ms
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$SECRETCTL" encrypt --age "$recipient" "$1" >/dev/null
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}
flat=$(best_ms "$work/flat.yaml")
mixed=$(best_ms "$work/mixed.yaml")
printf 'flat  %s bytes: %6s ms\n' "$(wc -c <"$work/flat.yaml")" "$flat"
printf 'mixed %s bytes: %6s ms (%.2fx the flat file)\n' "$(wc -c <"$work/mixed.yaml")" "$mixed" \
  "$(echo "$mixed / ($flat + 0.001)" | bc -l)"
