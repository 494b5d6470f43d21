#!/usr/bin/env bash
# Long fuzzing: build the libFuzzer targets with clang under ASan+UBSan (build-fuzz/) and run
# each for SECONDS (default 3600), one after the other; prints executions and crashes per
# target. Crashing inputs are kept in $DESK_FUZZ_ARTIFACTS (default /tmp/desk-fuzz-artifacts):
# put each, once fixed, in tests/fuzz/corpus/<target>/ so CI replays it.
#
#   bash bench/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-3600}"
shift || true
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DDESK_FUZZ=ON -DDESK_SANITIZE=ON -DDESK_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzzers
exec bash tests/fuzz/run.sh build-fuzz "$seconds" "$@"
