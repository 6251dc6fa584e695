#!/usr/bin/env bash
# Benchmark: `integer policy check` (a gift, a side activity and private use
# for each bundled preset), one process per check, as a script or an
# integration would call it. Prints milliseconds per check (mean over N
# runs) and appends them to docs/PERFORMANCE.md.
#
#   bench/policy-check.sh [N]                 (default 200 per declaration)
#   INTEGER_BIN=/path/to/integer bench/policy-check.sh   (compare another build)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-200}"
if [ -z "${INTEGER_BIN:-}" ]; then
  cargo build --release --quiet -p integer
  INTEGER_BIN=target/release/integer
fi
declarations=(
  '{"kind":"gift","value_eur":40,"prior_permission":false}'
  '{"kind":"side_activity","paid":true,"may_conflict":false}'
  '{"kind":"private_use","prior_permission":true}'
)
results=()
for preset in leidschendam-voorburg maastricht dalfsen provincie-limburg; do
  for d in "${declarations[@]}"; do
    # A declaration the preset refuses as input is skipped (and said).
    if ! out=$(printf '%s' "$d" | "$INTEGER_BIN" policy check --org "$preset" 2>&1); then
      echo "skipped $preset $d: $out" >&2
      continue
    fi
    start=$(date +%s.%N)
    for _ in $(seq 1 "$n"); do
      printf '%s' "$d" | "$INTEGER_BIN" policy check --org "$preset" >/dev/null
    done
    end=$(date +%s.%N)
    kind=$(sed 's/.*"kind":"\([a-z_]*\)".*/\1/' <<<"$d")
    results+=("$preset $kind $(awk -v a="$start" -v b="$end" -v n="$n" 'BEGIN { printf "%.2f", (b - a) * 1000 / n }')")
  done
done
{
  echo
  echo "### integer policy check, one process per check ($(date -u +%Y-%m-%d), $(nproc) cores, release build, $n runs each)"
  echo
  echo "| preset | kind | ms per check |"
  echo "| --- | --- | --- |"
  for r in "${results[@]}"; do
    read -r p k ms <<<"$r"
    echo "| $p | $k | $ms |"
  done
} | tee -a docs/PERFORMANCE.md
