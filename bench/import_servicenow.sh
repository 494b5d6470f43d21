#!/usr/bin/env bash
# Time `desk import servicenow` on the whole shipped log (24,918 incidents, 141,712 rows):
# wall time and peak memory of the first import and of a re-run (nothing changes), and the
# same for `desk export`. Target (issue 8): ≤ 30 s and ≤ 1 GiB for the import.
#
#   bash bench/import_servicenow.sh [DESK_BINARY] [LOG.zip]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
desk="${1:-$here/build/desk}"
log="${2:-$here/../shared/data/servicenow-incident-event-log.csv.zip}"
desk="$(realpath "$desk")"
log="$(realpath "$log")"
if [ ! -x "$desk" ]; then
  echo "no desk binary at $desk (build it first: bash .ci/bootstrap build)" >&2
  exit 2
fi
if [ ! -f "$log" ]; then
  echo "no ServiceNow log at $log" >&2
  exit 2
fi
if [ ! -x /usr/bin/time ]; then
  echo "needs GNU time (/usr/bin/time, Debian package 'time')" >&2
  exit 2
fi
work="$(mktemp -d /tmp/desk-bench-import.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export DESK_USER=bench DESK_NOW=2017-03-01T00:00:00Z
"$desk" init "$work/repo" --timezone UTC >/dev/null

# run LABEL ARGS...: one timed run, then "LABEL  wall  peak" from GNU time's report.
run() {
  local label="$1"
  shift
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt"
  local wall peak
  wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")"
  peak="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")"
  printf '%-34s wall %8s   peak RSS %6d MiB\n' "$label" "$wall" $((peak / 1024))
  sed 's/^/    /' "$work/out.txt" | head -4
}

echo "desk: $desk"
echo "log:  $log ($(nproc) cores)"
run "import servicenow (first run)" "$desk" -C "$work/repo" import servicenow "$log"
echo "    $(find "$work/repo/tickets" -name '*.yaml' | wc -l) ticket files, $(du -sh "$work/repo/tickets" | cut -f1)"
run "import servicenow (re-run)" "$desk" -C "$work/repo" import servicenow "$log"
run "export --format json" "$desk" -C "$work/repo" export -o "$work/export.json"
echo "    $(du -h "$work/export.json" | cut -f1) of JSON"
