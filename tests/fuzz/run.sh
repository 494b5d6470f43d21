#!/usr/bin/env bash
# Run every fuzz target of a DESK_FUZZ=ON build for SECONDS each, starting from its seeds
# (tests/fuzz/corpus/<name>/, which are replayed first: a crash once found and kept there
# is a regression test). New inputs go to a scratch corpus, never into the repository.
#
#   bash tests/fuzz/run.sh BUILD_DIR SECONDS [NAME...]
#
# Prints one line per target: executions, corpus size, crashes (with the saved inputs in
# $DESK_FUZZ_ARTIFACTS, default /tmp/desk-fuzz-artifacts). A crash does not stop the run
# of a long run (the target is started again until its time is used); the exit status
# is 1 when any target crashed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="${1:?usage: run.sh BUILD_DIR SECONDS [NAME...]}"
seconds="${2:?usage: run.sh BUILD_DIR SECONDS [NAME...]}"
shift 2
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/*.cpp; do
    names+=("$(basename "$f" .cpp)")
  done
fi
artifacts="${DESK_FUZZ_ARTIFACTS:-/tmp/desk-fuzz-artifacts}"
scratch="$(mktemp -d /tmp/desk-fuzz-corpus.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
status=0
for name in "${names[@]}"; do
  bin="$build/tests/fuzz/fuzz_$name"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $name: no $bin (build the 'fuzzers' target of a DESK_FUZZ=ON build)" >&2
    status=1
    continue
  fi
  mkdir -p "$scratch/$name" "$artifacts/$name"
  execs=0
  crashes=0
  deadline=$((SECONDS + seconds))
  while [ $SECONDS -lt $deadline ]; do
    left=$((deadline - SECONDS))
    log="$scratch/$name.log"
    "$bin" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$name/" "$scratch/$name" "$here/corpus/$name" >"$log" 2>&1
    rc=$?
    n="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    execs=$((execs + ${n:-0}))
    if [ $rc -ne 0 ]; then
      crashes=$((crashes + 1))
      status=1
      echo "fuzz: $name crashed (exit $rc); input saved in $artifacts/$name/:" >&2
      grep -E "ERROR|SUMMARY|property violated|uncaught|Test unit written" "$log" | head -5 >&2
      [ "$seconds" -ge 60 ] || break # a short run (CI) stops at the first crash
    fi
  done
  corpus="$(find "$scratch/$name" "$here/corpus/$name" -type f 2>/dev/null | wc -l)"
  echo "fuzz: $name: $execs executions, $corpus inputs, $crashes crashes"
done
exit $status
