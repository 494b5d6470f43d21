#!/usr/bin/env bash
# Benchmark desk serve under load (builds nothing).
#
#   bash bench/serve.sh [DESK_BIN] [TICKETS] [ARTICLES] [SECONDS]
#
# Generates TICKETS tickets (default 100000, bench/gen_tickets.py) and ARTICLES KB articles
# (default 10000, bench/gen_kb.py) in a temporary git repository with autocommit on,
# starts `desk serve` on a free loopback port, and runs bench/serve_load.py with 16
# clients for SECONDS (default 60) mixing status reads (GET /api/v1/tickets/ID and the
# requester's page), KB searches and new requests; then a write-only run (POST
# /api/v1/tickets), checks that nothing was lost or stored twice, runs `desk doctor`, and
# prints the latencies and the server's peak resident memory (VmHWM).
# Targets: status p50 <= 5 ms and p99 <= 50 ms; KB search p50 <= 20 ms; >= 100 new
# tickets/s; server memory <= 256 MiB.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
desk="${1:-$here/../build/desk}"
tickets="${2:-100000}"
articles="${3:-10000}"
seconds="${4:-60}"
desk="$(cd "$(dirname "$desk")" && pwd)/$(basename "$desk")"
[ -x "$desk" ] || { echo "serve.sh: no desk binary at $desk (build first or pass its path)" >&2; exit 2; }

tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
repo="$tmp/repo"
export DESK_USER=bench NO_COLOR=1 LC_ALL=C.UTF-8
unset DESK_NOW DESK_DIR
"$desk" init "$repo" --timezone Asia/Shanghai >/dev/null
echo "serve.sh: generating $tickets tickets and $articles articles" >&2
python3 "$here/gen_tickets.py" "$repo" "$tickets" >/dev/null
python3 "$here/gen_kb.py" "$repo" "$articles" >/dev/null
cat > "$tmp/sendmail" <<'SH'
#!/bin/sh
cat > "$(dirname "$0")/signin.eml"
SH
chmod +x "$tmp/sendmail"
sed -i "s|  autocommit: false|  autocommit: true|" "$repo/.desk/config.yaml"
# Sign-in links go out through the mail channel: its sendmail writes the message to a file.
printf '\nmail:\n  address: desk@example.com\n  sendmail: ["%s"]\n' "$tmp/sendmail" >> "$repo/.desk/config.yaml"
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=bench -c user.email=bench@example.com commit -q -m generated
token="$("$desk" -C "$repo" serve token add bench --scope open,read 2>/dev/null)"
"$desk" -C "$repo" reindex >/dev/null 2>&1 || true

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
(cd "$repo" && exec "$desk" serve --listen "127.0.0.1:$port" 2>"$tmp/serve.log") &
server=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$tmp/serve.log" 2>/dev/null && break
  sleep 0.1
done
grep -q "listening on" "$tmp/serve.log" || { cat "$tmp/serve.log" >&2; exit 1; }
echo "serve.sh: $(grep 'listening on' "$tmp/serve.log"), RSS after start: $(awk '/VmRSS/{print $2, $3}' /proc/$server/status)" >&2

# A requester session for the status pages (the sign-in link from the mail file).
session="$(python3 - "$base" "$tmp/signin.eml" <<'PY'
import http.client, re, sys, time, urllib.parse, os
base, mail = sys.argv[1], sys.argv[2]
u = urllib.parse.urlparse(base)
def req(method, path, body=None, cookies=""):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    h = {"Cookie": cookies}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse(); data = r.read().decode(); c.close()
    return r, data
r, page = req("GET", "/signin")
seed = re.search(r"desk_csrf=([^;]+)", r.getheader("Set-Cookie")).group(1)
csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
req("POST", "/signin", urllib.parse.urlencode({"csrf": csrf, "email": "load@example.com"}), f"desk_csrf={seed}")
link = re.search(r"/signin/confirm\?k=(\S+)", open(mail, encoding="utf-8").read()).group(1)
r, _ = req("POST", "/signin/confirm", urllib.parse.urlencode({"csrf": csrf, "k": link}), f"desk_csrf={seed}")
print(re.search(r"desk_session=([^;]+)", r.getheader("Set-Cookie")).group(1))
PY
)"

echo "serve.sh: mixed load, 16 clients, ${seconds}s" >&2
python3 "$here/serve_load.py" "$repo" "$base" "$token" --clients 16 --seconds "$seconds" \
  --mix read:5,page:2,kb:2,open:1 --session "$session" --json "$tmp/mixed.json" >/dev/null || mixed_failed=1
# Writes that arrive together share one commit (group commit), yet a client that opens a
# ticket still waits for that commit; the read latencies are also measured without writes.
echo "serve.sh: read-only load, 16 clients, 30s" >&2
python3 "$here/serve_load.py" "$repo" "$base" "$token" --clients 16 --seconds 30 \
  --mix read:5,page:2,kb:2 --session "$session" --json "$tmp/reads.json" >/dev/null || reads_failed=1
echo "serve.sh: write-only load, 16 clients, 20s" >&2
python3 "$here/serve_load.py" "$repo" "$base" "$token" --clients 16 --seconds 20 --mix open:1 \
  --json "$tmp/writes.json" >/dev/null || writes_failed=1
hwm="$(awk '/VmHWM/{print $2}' /proc/$server/status)"
kill -TERM "$server"
wait "$server" || true
server=""
doctor="$("$desk" -C "$repo" doctor 2>&1 | tail -1)"

python3 - "$tmp/mixed.json" "$tmp/reads.json" "$tmp/writes.json" "$hwm" "$tickets" "$articles" "$doctor" <<'PY'
import json, sys
mixed, reads, writes = (json.load(open(p)) for p in sys.argv[1:4])
hwm, tickets, articles, doctor = int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7]
print(f"desk serve at {tickets} tickets, {articles} KB articles, 16 clients")
print(f"{'kind':<8} {'count':>7} {'per s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}")
for name, run in (("mixed", mixed), ("reads", reads), ("writes", writes)):
    for kind, k in run["kinds"].items():
        print(f"{kind:<8} {k['count']:>7} {k['per_s']:>8} {k['p50_ms']:>8} {k['p90_ms']:>8} {k['p99_ms']:>8} {k['max_ms']:>8}  ({name})")
for name, run in (("mixed", mixed), ("reads", reads), ("writes", writes)):
    print(f"{name}: {run['requests_per_s']} requests/s, errors {run['errors']}, opened {run['opened']}, "
          f"missing {len(run['missing'])}, duplicated {len(run['duplicated'])}, uncommitted {len(run['uncommitted'])}")
print(f"server peak memory (VmHWM): {hwm / 1024:.1f} MiB")
print(f"desk doctor: {doctor}")
PY
[ -z "${mixed_failed:-}" ] && [ -z "${reads_failed:-}" ] && [ -z "${writes_failed:-}" ]
