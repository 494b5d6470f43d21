#!/usr/bin/env bash
# Benchmark `desk kb search` over a generated knowledge base (builds nothing).
#
#   bash bench/kb_search.sh [DESK_BIN] [N_ARTICLES] [RUNS]
#
# Generates N articles (default 10000) with bench/gen_kb.py in a temporary repository,
# builds the search index once (the first search), then times warm searches: with
# hyperfine when it is installed, else a plain loop. Prints the median per query and the
# median over all queries. Target: <= 50 ms at 10,000 articles.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
desk="${1:-$here/../build/desk}"
n="${2:-10000}"
runs="${3:-20}"
desk="$(cd "$(dirname "$desk")" && pwd)/$(basename "$desk")"
[ -x "$desk" ] || { echo "kb_search.sh: no desk binary at $desk (build first or pass its path)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
repo="$tmp/repo"
"$desk" init "$repo" --timezone Asia/Shanghai >/dev/null
python3 "$here/gen_kb.py" "$repo" "$n" >/dev/null
export DESK_DIR="$repo" DESK_USER=bench NO_COLOR=1
unset DESK_NOW

queries=("打印机脱机" "vpn 809" "outlook 邮件 同步失败" "0x0000011b" "printer offline spooler" "财务系统无法登录 证书过期")

start=$(date +%s%N)
"$desk" kb search "${queries[0]}" >/dev/null
end=$(date +%s%N)
echo "articles: $n"
echo "first search (builds .desk/cache/kb-index): $(( (end - start) / 1000000 )) ms"
echo "index size: $(du -h "$repo/.desk/cache/kb-index" | cut -f1)"

sleep 2 # past the index's 2-second "racy" window, as in real use
if command -v hyperfine >/dev/null 2>&1; then
  args=("$desk --version")
  for q in "${queries[@]}"; do
    args+=("$desk kb search '$q'")
  done
  hyperfine -N --warmup 3 --runs "$runs" --style basic --export-json "$tmp/h.json" "${args[@]}" >/dev/null
  python3 - "$tmp/h.json" <<'PY'
import json, statistics, sys
res = json.load(open(sys.argv[1]))["results"]
base = res[0]
print(f"  {statistics.median(base['times']) * 1000:7.1f} ms  {base['command']}  (process start alone, for reference)")
allt, cpu = [], []
for r in res[1:]:
    print(f"  {statistics.median(r['times']) * 1000:7.1f} ms  {r['command']}")
    allt += r["times"]
    cpu.append(r["user"] + r["system"])
print(f"median over all queries: {statistics.median(allt) * 1000:.1f} ms wall, "
      f"{statistics.mean(cpu) * 1000:.1f} ms CPU (hyperfine; load average {open('/proc/loadavg').read().split()[0]})")
PY
else
  : > "$tmp/times"
  for q in "${queries[@]}"; do
    "$desk" kb search "$q" >/dev/null # warm-up
    for ((i = 0; i < runs; i++)); do
      s=$(date +%s%N)
      "$desk" kb search "$q" >/dev/null
      e=$(date +%s%N)
      echo "$q	$(( e - s ))" >> "$tmp/times"
    done
  done
  python3 - "$tmp/times" <<'PY'
import statistics, sys
by = {}
for line in open(sys.argv[1], encoding="utf-8"):
    q, ns = line.rstrip("\n").split("\t")
    by.setdefault(q, []).append(int(ns) / 1e6)
allt = []
for q, t in by.items():
    print(f"  {statistics.median(t):7.1f} ms  desk kb search '{q}'")
    allt += t
print(f"median over all queries: {statistics.median(allt):.1f} ms (loop of {len(allt)} runs)")
PY
fi
