#!/usr/bin/env bash
# Builds the Debian package from an existing release build, installs it,
# starts the server the way the systemd unit does, and removes it again.
#
# Run from the repository root, as root, after
#     cargo build --release --locked -p integer
# (the binary target/release/integer must exist; it is packaged as it is).
#
# It installs cargo-deb (3.x) and curl when they are missing. On a machine
# that already has the integer package, or a /var/lib/integer of its own, it
# refuses to run outside CI: the last step purges the package, and with it
# /var/lib/integer.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
step() { echo; echo "== $* ($(($(date +%s) - start))s)"; }
fail() { echo "FOUT / FAILED: $*" >&2; exit 1; }

PORT=18089
BIN=target/release/integer
DEB=target/debian/integer-ci.deb
STATE=/var/lib/integer
CONF=/etc/integer/integer.toml

server_pid=""
server_log=""
installed=0

cleanup() {
    local status=$?
    set +e
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        echo "== cleanup: stopping the server (pid $server_pid)"
        kill -TERM "$server_pid" 2>/dev/null
        for _ in $(seq 1 20); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
        kill -KILL "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    if [ "$status" -ne 0 ] && [ -n "$server_log" ] && [ -s "$server_log" ]; then
        echo "== server log"
        cat "$server_log"
    fi
    if [ "$installed" -eq 1 ] && dpkg -s integer >/dev/null 2>&1; then
        echo "== cleanup: dpkg --purge integer"
        dpkg --purge integer
    fi
    [ -n "$server_log" ] && rm -f "$server_log"
    exit "$status"
}
trap cleanup EXIT

apt_install() {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

step "preconditions"
[ "$(id -u)" -eq 0 ] || fail "run as root (dpkg -i, a system user)"
[ -x "$BIN" ] || fail "$BIN is missing: run 'cargo build --release --locked -p integer' first"
if [ "${CI:-}" != "true" ]; then
    if dpkg -s integer >/dev/null 2>&1; then
        fail "the integer package is installed here; this script would purge it (and $STATE). Run it in CI or a throw-away machine."
    fi
    if [ -e "$STATE" ]; then
        fail "$STATE exists; the purge at the end would delete it. Run it in CI or a throw-away machine."
    fi
else
    if dpkg -s integer >/dev/null 2>&1; then
        echo "an earlier run left the package installed: purging it first"
        dpkg --purge integer
    fi
    if [ -e "$STATE" ]; then
        echo "an earlier run left $STATE: removing it first"
        rm -rf "$STATE"
    fi
fi
"$BIN" --version

step "cargo-deb"
if ! cargo deb --version >/dev/null 2>&1; then
    cargo install cargo-deb --locked --version '^3'
fi
cargo deb --version

step "cargo deb -p integer --no-build"
mkdir -p "$(dirname "$DEB")"
rm -f "$DEB"
cargo deb -p integer --no-build --locked --output "$DEB"
[ -s "$DEB" ] || fail "cargo deb wrote no $DEB"
dpkg-deb --info "$DEB"
dpkg-deb --contents "$DEB"
conffiles=$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xO ./conffiles)
echo "conffiles: $conffiles"
grep -qx "$CONF" <<<"$conffiles" || fail "$CONF is not a conffile"

step "dpkg -i"
installed=1
dpkg -i "$DEB"

step "what the package installed"
[ -x /usr/bin/integer ] || fail "/usr/bin/integer is missing"
/usr/bin/integer --version
getent passwd integer >/dev/null || fail "the user integer does not exist"
getent group integer >/dev/null || fail "the group integer does not exist"
home=$(getent passwd integer | cut -d: -f6)
shell=$(getent passwd integer | cut -d: -f7)
[ "$home" = "$STATE" ] || fail "home of integer is '$home', expected $STATE"
case "$shell" in
    */nologin | */false) ;;
    *) fail "the user integer has a login shell: $shell" ;;
esac
[ -f "$CONF" ] || fail "$CONF is missing"
conf_rights=$(stat -c '%a %U:%G' "$CONF")
[ "$conf_rights" = "640 root:integer" ] || fail "$CONF is '$conf_rights', expected '640 root:integer'"
state_rights=$(stat -c '%a %U:%G' "$STATE")
[ "$state_rights" = "750 integer:integer" ] || fail "$STATE is '$state_rights', expected '750 integer:integer'"
unit=""
for candidate in /lib/systemd/system/integer.service /usr/lib/systemd/system/integer.service; do
    if [ -f "$candidate" ]; then unit=$candidate; break; fi
done
[ -n "$unit" ] || fail "the systemd unit integer.service is missing"
echo "user integer ($home, $shell); $CONF $conf_rights; $STATE $state_rights; unit $unit"

step "systemd-analyze verify"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify "$unit"
    echo "the unit verifies"
else
    echo "skipped: systemd-analyze is not installed here"
fi

step "curl"
if ! command -v curl >/dev/null 2>&1; then
    apt_install curl
fi
curl --version | head -n 1

step "start the server as the unit does, on 127.0.0.1:$PORT"
# ExecStart, User, WorkingDirectory, UMask and Environment from the
# installed unit; a clean environment, as systemd gives one. Only the
# address differs, so that the test does not take port 8080.
exec_line=$(sed -n 's/^ExecStart=//p' "$unit" | head -n 1)
exec_line=${exec_line#[-@:+!]}
[ -n "$exec_line" ] || fail "no ExecStart= in $unit"
read -r -a exec_cmd <<<"$exec_line"
run_user=$(sed -n 's/^User=//p' "$unit" | head -n 1)
run_group=$(sed -n 's/^Group=//p' "$unit" | head -n 1)
workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit" | head -n 1)
umask_value=$(sed -n 's/^UMask=//p' "$unit" | head -n 1)
mapfile -t unit_env < <(sed -n 's/^Environment=//p' "$unit")
echo "ExecStart: ${exec_cmd[*]}"
echo "as ${run_user}:${run_group:-$run_user} in $workdir, umask ${umask_value:-0022}, Environment: ${unit_env[*]:-(none)}"
server_log=$(mktemp)
chmod 0644 "$server_log"
(
    cd "$workdir"
    umask "${umask_value:-0022}"
    exec setpriv --reuid="$run_user" --regid="${run_group:-$run_user}" --init-groups -- \
        env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME="$workdir" USER="$run_user" LOGNAME="$run_user" \
        ${unit_env[@]+"${unit_env[@]}"} \
        INTEGER__SERVER__BIND="127.0.0.1:$PORT" \
        "${exec_cmd[@]}"
) >"$server_log" 2>&1 &
server_pid=$!
echo "server pid $server_pid"

step "wait for /readyz (at most 60 s)"
ready=0
for _ in $(seq 1 60); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        fail "the server stopped before it was ready"
    fi
    if curl -fs --max-time 2 "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then
        ready=1
        break
    fi
    sleep 1
done
[ "$ready" -eq 1 ] || fail "/readyz did not answer 200 within 60 s"
curl -fsS --max-time 5 "http://127.0.0.1:$PORT/readyz"
echo
curl -fsS --max-time 5 "http://127.0.0.1:$PORT/healthz"
echo

step "the installation key and the audit key beside the database"
for key in $STATE/installation.key $STATE/audit.key; do
    [ -f "$key" ] || fail "$key was not created"
    key_rights=$(stat -c '%a %U' "$key")
    [ "$key_rights" = "600 integer" ] || fail "$key is '$key_rights', expected '600 integer'"
    echo "$key: $key_rights"
done
[ -s "$STATE/audit-checkpoints/checkpoints.log" ] || fail "the server wrote no audit checkpoint at start"
db_owner=$(stat -c '%U' "$STATE/integer.db")
[ "$db_owner" = "integer" ] || fail "$STATE/integer.db belongs to '$db_owner', expected integer"
echo "$STATE/integer.db: owner $db_owner"

step "the first administrator, as docs/OPERATIONS.md describes"
printf '%s\n' "ci-package-password-1" |
    runuser -u integer -- /usr/bin/integer --config "$CONF" admin create \
        --org ci-gemeente --org-name "CI Gemeente" --preset maastricht \
        --email beheer@ci-gemeente.example --name "CI Beheerder"
runuser -u integer -- /usr/bin/integer --config "$CONF" audit verify
curl -fsS --max-time 5 "http://127.0.0.1:$PORT/readyz"
echo

step "stop the server (SIGTERM)"
kill -TERM "$server_pid"
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""
[ "$server_status" -eq 0 ] || fail "the server exited with status $server_status after SIGTERM"
echo "stopped with status 0"
cat "$server_log"

step "dpkg --purge integer"
dpkg --purge integer
installed=0
[ ! -e /usr/bin/integer ] || fail "/usr/bin/integer is still there"
! getent passwd integer >/dev/null || fail "the user integer is still there"
[ ! -e "$STATE" ] || fail "$STATE is still there"
[ ! -e "$CONF" ] || fail "$CONF is still there"
echo "removed: /usr/bin/integer, the user integer, $STATE, $CONF"

step "done"
