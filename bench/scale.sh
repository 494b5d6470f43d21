#!/usr/bin/env bash
# desk at 10,000 and 100,000 tickets side by side with Taskwarrior at 10,000 and 50,000
# tasks: median time and peak memory of open, show, log, list (default, filtered, json),
# sla, report, reindex (cold) and the first list after a git pull, checked against
# DESK_INDEX=off. One markdown table on stdout and in scale-DATE.md (working directory).
#
#   bash bench/scale.sh [DESK_BINARY] [DESK_SIZES...]   (default: build/desk 10000 100000)
#   QUICK=1 bash bench/scale.sh /tmp/desk                (1,000 tickets and tasks, 3 runs: a smoke test)
#
# Environment: QUICK=1; TASK_SIZES="10000 50000"; RUNS=7; CACHE=/tmp/desk-bench-repos (generated
# repositories and Taskwarrior data, reused across runs); TASK_PENDING=all (every task pending);
# KEEP=1 (keep the work directory); OUT=FILE. Installs the Debian packages taskwarrior and
# time when missing. Generation runs under nice; run the whole thing under `nice -n 10`
# to disturb other work less (and expect noisier figures on a busy machine).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
desk="${1:-$here/../build/desk}"
shift || true
if [ "${QUICK:-0}" = 1 ]; then
  default_sizes="1000" default_task_sizes="1000" default_runs=3
else
  default_sizes="10000 100000" default_task_sizes="10000 50000" default_runs=7
fi
# shellcheck disable=SC2206
sizes=(${@:-$default_sizes})
# shellcheck disable=SC2206
task_sizes=(${TASK_SIZES:-$default_task_sizes})

missing=()
command -v task >/dev/null 2>&1 || missing+=(taskwarrior)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python=/usr/bin/python3
[ -x "$python" ] || python=python3

args=(--desk "$desk" --sizes "${sizes[@]}" --task-sizes "${task_sizes[@]}" --runs "${RUNS:-$default_runs}"
      --cache "${CACHE:-/tmp/desk-bench-repos}")
[ "${QUICK:-0}" = 1 ] && args+=(--quick)
[ "${TASK_PENDING:-}" = all ] && args+=(--task-all-pending)
[ "${KEEP:-0}" = 1 ] && args+=(--keep)
[ -n "${OUT:-}" ] && args+=(--out "$OUT")
exec "$python" "$here/scale.py" "${args[@]}"
