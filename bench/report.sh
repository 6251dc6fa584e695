#!/usr/bin/env bash
# Benchmark: the annual integrity report on the issue's scale — 100,000
# people, 1,000,000 declarations and 50,000 reporting-point cases — on
# SQLite (target: under 5 s) and, when a PostgreSQL server is reachable, on
# PostgreSQL. Builds the release binary, seeds a fresh database per backend
# (not timed), then times `integer report annual` for the last full year in
# JSON and PDF, and appends the figures to docs/PERFORMANCE.md.
#
#   bench/report.sh [PEOPLE] [DECLARATIONS_PER_PERSON] [CASES]
#   INTEGER_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
people="${1:-100000}"
per_person="${2:-10}"
cases="${3:-50000}"
pg_admin="${INTEGER_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
year=$(( $(date -u +%Y) - 1 ))

cargo build --release --quiet
bin=$PWD/target/release/integer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" key generate "$work/key" >/dev/null

seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

run() { # label url
  local label=$1 url=$2 start end json pdf
  export INTEGER_DATABASE_URL="$url" INTEGER__LOG__LEVEL=warn INTEGER__SECURITY__KEY_FILE="$work/key"
  "$bin" migrate >/dev/null
  "$bin" seed --org bench --people "$people" --declarations-per-person "$per_person" --cases "$cases" >/dev/null 2>&1
  start=$(date +%s.%N)
  "$bin" report annual --org bench --year "$year" --format json --out "$work/report.json" >/dev/null 2>&1
  end=$(date +%s.%N)
  json=$(seconds "$start" "$end")
  start=$(date +%s.%N)
  "$bin" report annual --org bench --year "$year" --format pdf --out "$work/report.pdf" >/dev/null 2>&1
  end=$(date +%s.%N)
  pdf=$(seconds "$start" "$end")
  printf '%s\t%s\t%s\n' "$label" "$json" "$pdf"
}

results=()
results+=("$(run sqlite "sqlite://$work/bench.db")")
if psql "$pg_admin" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  db="integer_bench_$(date +%s)"
  psql "$pg_admin" -qc "CREATE DATABASE $db" >/dev/null
  results+=("$(run postgres "${pg_admin%/*}/$db")")
  psql "$pg_admin" -qc "DROP DATABASE $db" >/dev/null
fi

{
  echo
  echo "### integer report annual, $people people, $((people * per_person)) declarations, $cases cases ($(date -u +%Y-%m-%d), $(nproc) cores, release build)"
  echo
  echo "| backend | JSON, seconds | PDF, seconds |"
  echo "| --- | --- | --- |"
  for r in "${results[@]}"; do
    printf '| %s | %s | %s |\n' "$(cut -f1 <<<"$r")" "$(cut -f2 <<<"$r")" "$(cut -f3 <<<"$r")"
  done
} | tee -a docs/PERFORMANCE.md
