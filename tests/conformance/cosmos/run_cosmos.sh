#!/usr/bin/env bash
# Runs a Node script with the pinned @azure/cosmos against a fresh
# `bulkd emulator --in-memory --tls --port 0 [EMULATOR_ARGS...]`.
#
#   run_cosmos.sh BULKD_BINARY SCRIPT [DOC_COUNT] [EMULATOR_ARGS...]
#
# SCRIPT is relative to tests/conformance. Fails (never skips) when node or @azure/cosmos is
# missing. The emulator is stopped on exit. The script sees the emulator's --faults value as
# BULKD_FAULTS (empty without faults). Prints the wall time of the script.
set -euo pipefail

usage="usage: run_cosmos.sh BULKD_BINARY SCRIPT [DOC_COUNT] [EMULATOR_ARGS...]"
bulkd=${1:?$usage}
script=${2:?$usage}
doc_count=${3:-1000}
shift $(($# < 3 ? $# : 3))
conformance=$(cd "$(dirname "$0")/.." && pwd)

command -v node >/dev/null 2>&1 || { echo "run_cosmos.sh: node is not installed" >&2; exit 1; }
if [ ! -f "$conformance/node_modules/@azure/cosmos/package.json" ]; then
  echo "run_cosmos.sh: $conformance/node_modules/@azure/cosmos is missing (npm ci)" >&2
  exit 1
fi
[ -x "$bulkd" ] || { echo "run_cosmos.sh: $bulkd is not an executable bulkd" >&2; exit 1; }

faults=
prev=
for arg in "$@"; do
  [ "$prev" = --faults ] && faults=$arg
  case "$arg" in --faults=*) faults=${arg#--faults=} ;; esac
  prev=$arg
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bulkd-cosmos-XXXXXX")
pid=
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT INT TERM

# The files exist before the loop below reads them: the background job opens them on its own time.
: >"$work/out"
: >"$work/err"
"$bulkd" emulator --in-memory --tls --port 0 "$@" >"$work/out" 2>"$work/err" &
pid=$!
url= cert=
for _ in $(seq 300); do
  url=$(sed -n 's/^  endpoint: *\(https:[^ ]*\)\/$/\1/p' "$work/out")
  cert=$(sed -n 's/^  tls cert: *\([^ ]*\) .*/\1/p' "$work/out")
  [ -n "$url" ] && [ -n "$cert" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "run_cosmos.sh: the emulator exited at start:" >&2
    cat "$work/out" "$work/err" >&2
    exit 1
  fi
  sleep 0.1
done
[ -n "$url" ] && [ -n "$cert" ] || { echo "run_cosmos.sh: no endpoint within 30 s" >&2; cat "$work/out" "$work/err" >&2; exit 1; }

status=0
started=$(date +%s%N)
(cd "$conformance" && BULKD_EMULATOR_URL="$url" BULKD_DOC_COUNT="$doc_count" \
  BULKD_FAULTS="$faults" NODE_EXTRA_CA_CERTS="$cert" NODE_NO_WARNINGS=1 node "$script") ||
  status=$?
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
printf 'run_cosmos.sh: %s, %s documents, emulator %s: %d.%03d s\n' "$script" "$doc_count" "$*" \
  $((elapsed_ms / 1000)) $((elapsed_ms % 1000))
if [ "$status" -ne 0 ]; then
  echo "--- emulator log (last 40 lines) ---" >&2
  tail -n 40 "$work/err" >&2
fi
exit "$status"
