#!/usr/bin/env bash
# Benchmark: `integer seed` of 100,000 people (no declarations: those are
# bench/load.sh's) on SQLite (target: under 60 s)
# and, when a PostgreSQL server is reachable, on PostgreSQL. Builds the
# release binary, runs each seed on a fresh database, and appends the
# figures to docs/PERFORMANCE.md.
#
#   bench/seed.sh [PEOPLE]          (default 100000)
#   INTEGER_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres bench/seed.sh
set -euo pipefail
cd "$(dirname "$0")/.."
people="${1:-100000}"
pg_admin="${INTEGER_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

cargo build --release --quiet
bin=target/release/integer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() { # label url
  local label=$1 url=$2
  local start end
  INTEGER_DATABASE_URL="$url" "$bin" migrate >/dev/null
  start=$(date +%s.%N)
  INTEGER_DATABASE_URL="$url" INTEGER__LOG__LEVEL=warn "$bin" seed --org bench --people "$people" --declarations-per-person 0 >/dev/null 2>&1
  end=$(date +%s.%N)
  printf '%s\t%s\n' "$label" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')"
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
  echo "### integer seed --people $people ($(date -u +%Y-%m-%d), $(nproc) cores, release build)"
  echo
  echo "| backend | seconds |"
  echo "| --- | --- |"
  for r in "${results[@]}"; do
    printf '| %s | %.1f |\n' "$(cut -f1 <<<"$r")" "$(cut -f2 <<<"$r")"
  done
} | tee -a docs/PERFORMANCE.md
