#!/usr/bin/env bash
# Runs a Node conformance script against a fresh `bulkd emulator --in-memory --tls --port 0`.
#
#   run_keyvault.sh BULKD_BINARY SCRIPT [KEY_COUNT] [FAULTS] [CLIENTS_FILE]
#
# The script gets BULKD_BINARY (for scripts that run bulkd themselves), BULKD_EMULATOR_URL and
# NODE_EXTRA_CA_CERTS (the emulator's certificate).
# With CLIENTS_FILE the emulator gets --clients CLIENTS_FILE and the script signs in as the first
# client of that file instead of the development client.
# Fails (never skips) when node or the pinned SDKs (tests/conformance/node_modules, installed by
# scripts/deps) are missing. The emulator is always stopped on exit.
set -euo pipefail

bulkd=${1:?usage: run_keyvault.sh BULKD_BINARY SCRIPT [KEY_COUNT] [FAULTS]}
script=${2:?usage: run_keyvault.sh BULKD_BINARY SCRIPT [KEY_COUNT] [FAULTS]}
key_count=${3:-60}
faults=${4:-}
clients=${5:-}
here=$(cd "$(dirname "$0")" && pwd)

if ! command -v node >/dev/null 2>&1; then
  echo "run_keyvault.sh: node is not installed; scripts/deps installs it" >&2
  exit 1
fi
for pkg in @azure/identity @azure/keyvault-keys; do
  if [ ! -f "$here/node_modules/$pkg/package.json" ]; then
    echo "run_keyvault.sh: $here/node_modules/$pkg is missing; run scripts/deps (npm ci in" \
         "tests/conformance)" >&2
    exit 1
  fi
done
if [ ! -x "$bulkd" ]; then
  echo "run_keyvault.sh: $bulkd is not an executable bulkd" >&2
  exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/bulkd-conformance-XXXXXX")
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$emulator_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

args=(emulator --in-memory --tls --port 0)
[ -n "$faults" ] && args+=(--faults "$faults")
[ -n "$clients" ] && args+=(--clients "$clients")
: >"$work/emulator.out" # exists before it is read: the background job opens it on its own time
"$bulkd" "${args[@]}" >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!

# The banner names the endpoint and the certificate once the server listens.
url= cert=
for _ in $(seq 300); do
  url=$(sed -n 's/^  endpoint: *\(https:[^ ]*\)\/$/\1/p' "$work/emulator.out")
  cert=$(sed -n 's/^  tls cert: *\([^ ]*\) .*/\1/p' "$work/emulator.out")
  [ -n "$url" ] && [ -n "$cert" ] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "run_keyvault.sh: the emulator exited at start:" >&2
    cat "$work/emulator.out" "$work/emulator.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ] || [ -z "$cert" ]; then
  echo "run_keyvault.sh: the emulator printed no endpoint within 30 s:" >&2
  cat "$work/emulator.out" "$work/emulator.err" >&2
  exit 1
fi
cat "$work/emulator.out"

status=0
expect_throttled=0
case "$faults" in *429=*) expect_throttled=1 ;; esac
(cd "$here" && BULKD_BINARY="$bulkd" BULKD_CLIENTS_FILE="$clients" BULKD_EXPECT_THROTTLED="$expect_throttled" BULKD_EMULATOR_URL="$url" BULKD_KEY_COUNT="$key_count" NODE_EXTRA_CA_CERTS="$cert" \
  NODE_NO_WARNINGS=1 node "$script") || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- emulator log (last 40 lines) ---" >&2
  tail -n 40 "$work/emulator.err" >&2
fi
exit "$status"
