#!/usr/bin/env bash
# Time one auto-committed command (`desk log`) in a git repository of N tickets.
#   bash bench/autocommit.sh [DESK_BINARY] [N...]     (default: build/desk 10000 100000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
desk="${1:-$here/../build/desk}"
shift || true
sizes=("${@:-10000 100000}")
[ $# -eq 0 ] && sizes=(10000 100000)
export DESK_USER=bench DESK_NOW=2026-11-27T10:00:00+08:00 NO_COLOR=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
for n in "${sizes[@]}"; do
  dir="$(mktemp -d /tmp/desk-bench-ac.XXXXXX)"
  git -c init.defaultBranch=main init -q "$dir"
  "$desk" init "$dir" --timezone Asia/Shanghai >/dev/null
  python3 "$here/gen_tickets.py" "$dir" "$n"
  git -C "$dir" add -A >/dev/null
  git -C "$dir" -c gc.auto=0 commit -q -m "bench: $n tickets"
  id="$(find "$dir/tickets" -name '*.yaml' | head -1 | xargs basename | sed 's/\.yaml$//')"
  times=()
  for i in $(seq 1 11); do
    s=$(date +%s%N)
    "$desk" -C "$dir" log "$id" -m "bench $i" >/dev/null
    e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 6p)
  commits=$(git -C "$dir" rev-list --count HEAD)
  dirty=$(git -C "$dir" status --porcelain | wc -l)
  echo "autocommit: $n tickets: desk log median ${median} ms over 11 runs (min $(printf '%s\n' "${times[@]}" | sort -n | head -1) ms); commits $commits; git status lines $dirty"
  rm -rf "$dir"
done
