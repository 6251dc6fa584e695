#!/usr/bin/env bash
# Benchmark (issue 4, "Scale"): the pages a manager, the integrity office
# and an employee use, on an organisation of 100,000 people with 1,000,000
# declarations, at 50 concurrent connections. Target: p99 below 50 ms on
# SQLite; the same run on PostgreSQL when a server is reachable.
#
# For each backend it builds the release binary, seeds a fresh database
# (`integer seed --people 100000`, 10 declarations per person by default),
# starts `integer serve`, gives three seeded people a password with
# `integer admin create` (a manager with the most declarations waiting for
# them, an integrity officer, an employee with the most declarations; the
# command keeps their manager and roles and adds the administrator role,
# which none of these pages looks at), signs them in with the sign-in form,
# and runs wrk against each page. The figures are appended to
# docs/PERFORMANCE.md.
#
#   bench/load.sh
#   PEOPLE=20000 DURATION=5 bench/load.sh            (a quicker look)
#   INTEGER_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres bench/load.sh
#   BACKENDS=sqlite bench/load.sh                    (skip PostgreSQL)
#   OUT=/dev/null PEOPLE=5000 DEEP_PAGE=100 DURATION=3 bench/load.sh
#                                                    (try it, record nothing)
#
# Needs curl, wrk (Debian: apt-get install wrk), sqlite3 (apt-get install
# sqlite3) and, for PostgreSQL, psql. Run it on a quiet machine: the load
# generator shares the CPU with the server, and the table records how busy
# the CPUs were with other work just before each run, so that a disturbed
# figure can be recognised.
#
# Each run signs in afresh just before it (so no run crosses the minute
# after which a session records that it was seen, which with one session
# shared by 50 connections would be 50 simultaneous writes, where 50 real
# users would spread theirs over the minute), and asks for its page once
# before measuring (the register's counts are kept per filter after the
# first view, until a declaration changes).
set -euo pipefail
cd "$(dirname "$0")/.."
people="${PEOPLE:-100000}"
per_person="${DECLARATIONS_PER_PERSON:-10}"
duration="${DURATION:-15}"
connections="${CONNECTIONS:-50}"
port="${PORT:-18480}"
deep_page="${DEEP_PAGE:-2000}"
backends="${BACKENDS:-sqlite postgres}"
pg_admin="${INTEGER_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
out_file="${OUT:-docs/PERFORMANCE.md}"
org=bench
base="http://127.0.0.1:$port"

for tool in curl wrk sqlite3; do
  command -v "$tool" >/dev/null || { echo "bench/load.sh needs $tool (apt-get install $tool)" >&2; exit 1; }
done

cargo build --release --quiet -p integer
bin=target/release/integer
work=$(mktemp -d)
server_pid=
pg_db=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
password="bench-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')"
printf '%s' "$password" >"$work/password"

# sql BACKEND URL QUERY: rows as "a|b", for SQLite through sqlite3, for
# PostgreSQL through psql.
sql() {
  case $1 in
    sqlite) sqlite3 -separator '|' "${2#sqlite://}" "$3" ;;
    postgres) psql "$2" -qAt -F '|' -c "$3" ;;
  esac
}

# The accounts: "email|name" of the manager (only the manager role) with the
# most declarations waiting for them, an integrity officer, and the
# employee (no other role) with the most declarations.
pick() { # backend url who
  local org_id="(SELECT id FROM organisations WHERE slug = '$org')"
  local plain="NOT EXISTS (SELECT 1 FROM role_memberships r WHERE r.person_id = p.id AND r.role NOT IN ('employee', 'manager'))"
  case $3 in
    manager) sql "$1" "$2" "SELECT p.email, p.name FROM declarations d JOIN people p ON p.id = d.route_person_id \
      WHERE d.org_id = $org_id AND d.status = 'submitted' AND $plain \
      GROUP BY p.id, p.email, p.name ORDER BY COUNT(*) DESC, p.id LIMIT 1" ;;
    office) sql "$1" "$2" "SELECT p.email, p.name FROM people p JOIN role_memberships r ON r.person_id = p.id \
      WHERE p.org_id = $org_id AND r.role = 'integrity_office' ORDER BY p.id LIMIT 1" ;;
    employee) sql "$1" "$2" "SELECT p.email, p.name FROM declarations d JOIN people p ON p.id = d.person_id \
      WHERE d.org_id = $org_id AND $plain AND NOT EXISTS (SELECT 1 FROM role_memberships r WHERE r.person_id = p.id AND r.role = 'manager') \
      GROUP BY p.id, p.email, p.name ORDER BY COUNT(*) DESC, p.id LIMIT 1" ;;
  esac
}

# Signs in through the form; prints the session cookie's value.
sign_in() { # email
  local jar="$work/jar" page csrf
  rm -f "$jar"
  page=$(curl -sf -c "$jar" "$base/inloggen")
  csrf=$(grep -o 'name="csrf" value="[^"]*"' <<<"$page" | sed 's/.*value="//; s/"$//')
  curl -sf -o /dev/null -b "$jar" -c "$jar" --data-urlencode "csrf=$csrf" --data-urlencode "organisatie=$org" \
    --data-urlencode "email=$1" --data-urlencode "wachtwoord=$password" --data-urlencode "terug=/" "$base/inloggen"
  awk '$6 == "integer_session" { print $7 }' "$jar"
}

# How busy the CPUs are with other work (the server is idle now), in
# percent over two seconds: other builds disturb the figures.
busy() {
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  awk -v u="$(( (b[1]+b[2]+b[3]+b[6]+b[7]) - (a[1]+a[2]+a[3]+a[6]+a[7]) ))" \
      -v i="$(( (b[4]+b[5]) - (a[4]+a[5]) ))" 'BEGIN { printf "%d%%", 100 * u / (u + i) }'
}

# wrk's latency ("812.00us", "12.34ms", "1.20s") in milliseconds.
ms() { awk '{ v = $1; if (v ~ /us$/) print v / 1000; else if (v ~ /ms$/) print v + 0; else if (v ~ /s$/) print v * 1000; else print v }' <<<"$1"; }

results=()
seeds=()
load() { # backend label email path
  local cookie out p50 p99 rps errors before
  cookie=$(sign_in "$3")
  [ -n "$cookie" ] || { echo "sign-in failed for $3" >&2; exit 1; }
  # Once before measuring; it must be the page, not the sign-in form.
  curl -sf -o "$work/page.html" -b "integer_session=$cookie" "$base$4"
  if grep -q 'name="wachtwoord"' "$work/page.html"; then echo "not signed in for $4" >&2; exit 1; fi
  before=$(busy)
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -H "Cookie: integer_session=$cookie" "$base$4")
  p50=$(ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  rps=$(awk '$1 == "Requests/sec:" { printf "%d", $2 }' <<<"$out")
  errors=$(awk '/Non-2xx or 3xx responses:/ { print $NF } /Socket errors:/ { print "socket errors" }' <<<"$out" | paste -sd' ')
  results+=("$(printf '| %s | %s | %.1f | %.1f | %s | %s | %s |' "$1" "$2" "$p50" "$p99" "$rps" "$before" "${errors:-0}")")
  printf '%-9s %-44s p50 %7.1f ms  p99 %7.1f ms  %6s req/s  (CPU busy before: %s)\n' "$1" "$2" "$p50" "$p99" "$rps" "$before" >&2
}

run() { # backend url
  local backend=$1 url=$2 start end manager office employee next deep
  INTEGER_DATABASE_URL="$url" "$bin" migrate >/dev/null
  echo "$backend: seeding $people people with $per_person declarations each" >&2
  start=$(date +%s.%N)
  INTEGER_DATABASE_URL="$url" INTEGER__LOG__LEVEL=error "$bin" seed --org "$org" --people "$people" \
    --declarations-per-person "$per_person" >/dev/null 2>&1
  end=$(date +%s.%N)
  seeds+=("$(printf '| %s | %.1f |' "$backend" "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")")
  if [ "$backend" = postgres ]; then
    # What autovacuum does soon after a bulk load: the visibility map, so
    # that index-only scans need not visit the table.
    psql "$url" -qc "VACUUM ANALYZE" >/dev/null
  fi
  manager=$(pick "$backend" "$url" manager)
  office=$(pick "$backend" "$url" office)
  employee=$(pick "$backend" "$url" employee)
  for who in "$manager" "$office" "$employee"; do
    INTEGER_DATABASE_URL="$url" "$bin" admin create --org "$org" --email "${who%%|*}" --name "${who#*|}" \
      --password-file "$work/password" >/dev/null
  done
  INTEGER_DATABASE_URL="$url" "$bin" serve --bind "127.0.0.1:$port" >"$work/serve-$backend.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do curl -sf -o /dev/null "$base/healthz" && break; sleep 0.2; done

  # The deep page as the page links reach it: the "next" link of the page
  # before it.
  next=$(curl -sf -b "integer_session=$(sign_in "${office%%|*}")" "$base/registers?pagina=$((deep_page - 1))" |
    grep -o 'href="[^"]*" rel="next"' | sed 's/^href="//; s/" rel="next"$//; s/&#38;/\&/g; s/&amp;/\&/g' || true)
  deep=${next:-/registers?pagina=$deep_page}

  load "$backend" "inbox (manager)" "${manager%%|*}" "/beoordelen"
  load "$backend" "own declarations (employee)" "${employee%%|*}" "/verklaringen"
  load "$backend" "register, first page" "${office%%|*}" "/registers"
  load "$backend" "register, page $deep_page (next link)" "${office%%|*}" "$deep"
  load "$backend" "register, ?pagina=$deep_page typed in" "${office%%|*}" "/registers?pagina=$deep_page"
  load "$backend" "register, soort=gift&van=2024-01-01" "${office%%|*}" "/registers?soort=gift&van=2024-01-01"

  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

for backend in $backends; do
  case $backend in
    sqlite) run sqlite "sqlite://$work/load.db" ;;
    postgres)
      if command -v psql >/dev/null && psql "$pg_admin" -qtAc 'SELECT 1' >/dev/null 2>&1; then
        pg_db="integer_load_$(date +%s)"
        psql "$pg_admin" -qc "CREATE DATABASE $pg_db" >/dev/null
        run postgres "${pg_admin%/*}/$pg_db"
        psql "$pg_admin" -qc "DROP DATABASE $pg_db" >/dev/null
        pg_db=
      else
        echo "PostgreSQL not reachable at $pg_admin: skipped" >&2
      fi
      ;;
  esac
done

{
  echo
  echo "### Pages at $people people, $((people * per_person)) declarations ($(date -u +%Y-%m-%d), $(nproc) cores, release build)"
  echo
  echo "\`bench/load.sh\`: wrk, $connections connections, ${duration} s per page. Seeding (people and declarations):"
  echo
  echo "| backend | seconds |"
  echo "| --- | --- |"
  printf '%s\n' "${seeds[@]}"
  echo
  echo "| backend | page | p50 ms | p99 ms | requests/s | CPU busy before | errors |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${results[@]}"
} | tee -a "$out_file"
