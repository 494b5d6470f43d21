#!/usr/bin/env bash
# Time `desk import servicenow` on the whole shipped log (24,918 incidents, 141,712 rows):
# wall time and peak memory of the first import and of a re-run (nothing changes), the
# same for `desk export` and for `desk import json` of that export into an empty repository
# (checked byte for byte against the first repository), and the import into a git work
# tree with `git.autocommit` on (checked to make exactly one commit and leave the tree
# clean). Target: ≤ 30 s and ≤ 1 GiB for the import, one commit with autocommit.
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
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
"$desk" init "$work/repo" --timezone UTC >/dev/null

# run LABEL ARGS...: one timed run, then "LABEL  wall  cpu  peak" from GNU time's report.
run() {
  local label="$1"
  shift
  sync  # write back what earlier steps left dirty, so the final syncfs of this step pays only its own
  /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt"
  local wall peak user sys
  wall="$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")"
  peak="$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")"
  user="$(sed -n 's/.*User time (seconds): //p' "$work/time.txt")"
  sys="$(sed -n 's/.*System time (seconds): //p' "$work/time.txt")"
  # CPU time (user + system, child processes such as git included) varies less than wall
  # time when other work shares the machine.
  printf '%-36s wall %8s   cpu %7s s   peak RSS %6d MiB\n' "$label" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" $((peak / 1024))
  sed 's/^/    /' "$work/out.txt" | head -4
}

echo "desk: $desk"
echo "log:  $log ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
run "import servicenow (first run)" "$desk" -C "$work/repo" import servicenow "$log"
echo "    $(find "$work/repo/tickets" -name '*.yaml' | wc -l) ticket files, $(du -sh "$work/repo/tickets" | cut -f1)"
run "import servicenow (re-run)" "$desk" -C "$work/repo" import servicenow "$log"
run "export --format json" "$desk" -C "$work/repo" export -o "$work/export.json"
echo "    $(du -h "$work/export.json" | cut -f1) of JSON"

"$desk" init "$work/copy" --timezone UTC >/dev/null
run "import json (export, empty repo)" "$desk" -C "$work/copy" import json "$work/export.json"
if diff -rq "$work/repo/tickets" "$work/copy/tickets" >/dev/null; then
  echo "    ticket files identical to the first repository"
else
  echo "    ticket files DIFFER from the first repository" >&2
  exit 1
fi

# With git.autocommit on: desk init inside a git work tree turns it on.
git -c init.defaultBranch=main init -q "$work/git"
"$desk" init "$work/git" --timezone UTC >/dev/null
git -C "$work/git" add -A
git -C "$work/git" -c gc.auto=0 commit -q -m "desk init"
before="$(git -C "$work/git" rev-list --count HEAD)"
run "import servicenow (git, autocommit)" "$desk" -C "$work/git" import servicenow "$log"
after="$(git -C "$work/git" rev-list --count HEAD)"
echo "    commits made by the import: $((after - before)); files in its commit:" \
  "$(git -C "$work/git" show --name-only --format= HEAD | wc -l);" \
  "git status lines after: $(git -C "$work/git" status --porcelain | wc -l)"

# Reading the imported repository (target: 0.1 s, as for any repository): each
# command once to warm the cache, then five timed runs; median wall time (the clock read
# around GNU time, which adds about a millisecond) and peak memory.
# The log's end is 2017-02-16, so the clock is set just after it (DESK_NOW above).
reads() {
  local label="$1"
  shift
  "$@" >/dev/null 2>&1 || true
  local walls=() peak=0 start end kib
  for _ in 1 2 3 4 5; do
    start="$EPOCHREALTIME"
    /usr/bin/time -f '%M' -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
    end="$EPOCHREALTIME"
    walls+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", (e - s) * 1000 }')")
    kib="$(tail -1 "$work/time.txt")"
    if [ "$kib" -gt "$peak" ]; then peak="$kib"; fi
  done
  printf '%-36s median %5d ms   (%s ms)   peak RSS %4d MiB\n' "$label" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 3p)" \
    "$(printf '%s\n' "${walls[@]}" | sort -n | tr '\n' ' ' | sed 's/ $//')" $((peak / 1024))
}
echo "reading the imported repository ($(find "$work/repo/tickets" -name '*.yaml' | wc -l) tickets, warm cache):"
reads "list" "$desk" -C "$work/repo" list
reads "sla" "$desk" -C "$work/repo" sla
reads "report (last 30 days)" "$desk" -C "$work/repo" report
reads "report --format json (last 30 days)" "$desk" -C "$work/repo" report --format json
reads "report of 2016-03 (busiest month)" "$desk" -C "$work/repo" report --since 2016-03-01 --until 2016-04-01
