#!/usr/bin/env bash
# The README's first command, exactly as a newcomer runs it: a fresh
# `git clone` of this checkout into an empty temporary folder, and from that
# folder's root the demo command read out of the README's quick start. The
# release binary built beforehand stands in for `cargo run --release --`
# (same arguments, same working directory: the fresh clone). Then the
# newcomer's walk (scripts/newcomer.py): sign in as the demo employee,
# "Mag dit?", an anonymous report on the public form, its mailbox.
#
# Run from the repository root after `cargo build --release --locked -p integer`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin="$repo/target/release/integer"
fail() { echo "FOUT / FAILED: $*" >&2; exit 1; }
[ -x "$bin" ] || fail "$bin is missing: build it first"

# The command under "Snel starten / Quick start": the first line of its
# first ```sh block. If the README changes, this step follows it.
cmd=$(awk '/^## Snel starten/{f=1} f && /^```sh/{getline; print; exit}' "$repo/README.md")
echo "README: $cmd"
case "$cmd" in
  "cargo run --release -- "*) args=${cmd#cargo run --release -- } ;;
  *) fail "the README's demo command is not 'cargo run --release -- ...': update this script with it" ;;
esac

port=8080
if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then
  fail "something already answers on port $port"
fi

tmp=$(mktemp -d)
pid=""
cleanup() {
  status=$?
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ] && [ -f "$tmp/demo.log" ]; then echo "== demo output"; cat "$tmp/demo.log"; fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT

git clone --quiet "$repo" "$tmp/integer"
cd "$tmp/integer"
[ ! -e data ] || fail "the fresh clone has a data/ folder"
# shellcheck disable=SC2086  # the README's arguments, split as a shell would
env -u INTEGER_CONFIG -u INTEGER_DATABASE_URL "$bin" $args >"$tmp/demo.log" 2>&1 &
pid=$!
for _ in $(seq 1 240); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || fail "the demo stopped before it answered"
  sleep 0.5
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" || fail "the demo did not answer /healthz within 120 s"
grep -q "medewerker@maastricht.demo" "$tmp/demo.log" || fail "the demo did not print its accounts"
python3 "$repo/scripts/newcomer.py" "http://127.0.0.1:$port"
# The demo keeps what it writes in its own data directory, never in the clone.
left=$(git status --porcelain --ignored)
[ -z "$left" ] || fail "the demo wrote into the working directory: $left"
echo "fresh clone: the README's demo command works"
