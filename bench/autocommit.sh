#!/usr/bin/env bash
# Time one auto-committed command (`desk log`) in a git repository of N tickets: the median
# wall time (and CPU time) of 11 runs, each making one commit.
#   bash bench/autocommit.sh [DESK_BINARY] [N...]     (default: build/desk 10000 100000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
desk="${1:-$here/../build/desk}"
shift || true
sizes=("${@:-10000 100000}")
[ $# -eq 0 ] && sizes=(10000 100000)
export DESK_USER=bench DESK_NOW=2026-11-27T10:00:00+08:00 NO_COLOR=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
dir=""
cpu_file="$(mktemp /tmp/desk-bench-ac-time.XXXXXX)"
trap 'rm -f "$cpu_file"; [ -z "$dir" ] || rm -rf "$dir"' EXIT
for n in "${sizes[@]}"; do
  dir="$(mktemp -d /tmp/desk-bench-ac.XXXXXX)"
  git -c init.defaultBranch=main init -q "$dir"
  "$desk" init "$dir" --timezone Asia/Shanghai >/dev/null
  python3 "$here/gen_tickets.py" "$dir" "$n"
  git -C "$dir" add -A >/dev/null
  git -C "$dir" -c gc.auto=0 commit -q -m "bench: $n tickets"
  # The first open ticket (`log` refuses a closed one); -quit, not `| head -1`, which with
  # pipefail stops the script when find is killed by SIGPIPE on a long listing.
  first="$(find "$dir/tickets" -name '*.yaml' \
    -exec grep -qE '^status: (new|triaged|assigned|in_progress|pending|escalated|reopened)$' {} \; -print -quit)"
  [ -n "$first" ] || { echo "no open ticket in $dir" >&2; exit 1; }
  id="$(basename "$first" .yaml)"
  times=()
  cpus=()
  for i in $(seq 1 11); do
    s=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
      # CPU time (user + system, the git children included): steadier than wall time when
      # other work shares the machine.
      /usr/bin/time -f '%U %S' -o "$cpu_file" "$desk" -C "$dir" log "$id" -m "bench $i" >/dev/null
      cpus+=("$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$cpu_file")")
    else
      "$desk" -C "$dir" log "$id" -m "bench $i" >/dev/null
    fi
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 6p)
  cpu=""
  [ ${#cpus[@]} -eq 0 ] || cpu=", cpu median $(printf '%s\n' "${cpus[@]}" | sort -n | sed -n 6p) ms"
  commits=$(git -C "$dir" rev-list --count HEAD)
  dirty=$(git -C "$dir" status --porcelain | wc -l)
  echo "autocommit: $n tickets: desk log median ${median} ms over 11 runs (min $(printf '%s\n' "${times[@]}" | sort -n | head -1) ms${cpu}); commits $commits; git status lines $dirty; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  rm -rf "$dir"
done
