#!/usr/bin/env bash
# The mail channel's speed:
#   1. `desk mail receive` of one reply (threaded by In-Reply-To) at N tickets: median of 11;
#   2. 1,000 new messages through `desk mail receive --maildir` with git auto-commit on;
#   3. `desk mail send` of 1,000 due notices (sendmail: a program that writes to a folder).
#   bash bench/mail.sh [DESK_BINARY] [N]     (default: build/desk 100000)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
desk="${1:-$here/../build/desk}"
n="${2:-100000}"
export DESK_USER=bench DESK_NOW=2026-11-27T10:00:00+08:00 NO_COLOR=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=b@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=b@example.com
work="$(mktemp -d /tmp/desk-bench-mail.XXXXXX)"
trap 'rm -rf "$work"' EXIT

ms() { echo $(( ($2 - $1) / 1000000 )); }

# A sendmail that writes each message to a folder.
mkdir -p "$work/out"
cat > "$work/sendmail" <<SH
#!/bin/sh
cat > "$work/out/\$\$-\$(date +%s%N).eml"
SH
chmod +x "$work/sendmail"
mail_config() { # DIR
  cat >> "$1/.desk/config.yaml" <<YAML

mail:
  address: helpdesk@example.com
  sendmail: ["$work/sendmail"]
  auto_replies_per_hour: 100000
YAML
}
message() { # FROM SUBJECT MESSAGE-ID [IN-REPLY-TO]
  printf 'From: %s\r\nTo: helpdesk@example.com\r\nSubject: %s\r\nMessage-ID: <%s>\r\n' "$1" "$2" "$3"
  [ -z "${4:-}" ] || printf 'In-Reply-To: <%s>\r\nReferences: <%s>\r\n' "$4" "$4"
  printf 'Content-Type: text/plain; charset=utf-8\r\n\r\n打印机又卡纸了，请尽快处理。\r\n\r\nOn Fri, 27 Nov 2026, IT wrote:\r\n> old\r\n'
}

# 1. One reply at N tickets.
repo="$work/big"
"$desk" init "$repo" --timezone Asia/Shanghai >/dev/null
python3 "$here/gen_tickets.py" "$repo" "$n"
mail_config "$repo"
message user@example.com "printer" "bench-open@client" | "$desk" -C "$repo" mail receive >/dev/null
id="$(grep -rl --include='*.yaml' 'bench-open@client' "$repo/tickets" | head -1 | xargs basename | sed 's/\.yaml$//')"
"$desk" -C "$repo" mail send >/dev/null
ack="$(grep -h '^Message-I[Dd]:' "$work"/out/*.eml | head -1 | sed 's/.*<\(.*\)>.*/\1/')"
"$desk" -C "$repo" list >/dev/null # the index is warm, as on a live desk
times=()
for i in $(seq 1 11); do
  message user@example.com "Re: printer" "bench-reply-$i@client" "$ack" > "$work/reply.eml"
  s=$(date +%s%N)
  "$desk" -C "$repo" mail receive < "$work/reply.eml" >/dev/null
  e=$(date +%s%N)
  times+=("$(ms "$s" "$e")")
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 6p)
echo "mail receive: one reply at $n tickets ($id): median ${median} ms over 11 runs (min $(printf '%s\n' "${times[@]}" | sort -n | head -1) ms)"

# 2. 1,000 messages through a Maildir, auto-commit on.
repo="$work/maildir-repo"
git -c init.defaultBranch=main init -q "$repo"
"$desk" init "$repo" --timezone Asia/Shanghai >/dev/null
mail_config "$repo"
git -C "$repo" add -A && git -C "$repo" commit -qm init
mkdir -p "$work/Maildir/new" "$work/Maildir/cur" "$work/Maildir/tmp"
for i in $(seq 1 1000); do
  message "user$((i % 50))@example.com" "request $i" "md-$i@client" > "$work/Maildir/new/1700000000.$i.host"
done
s=$(date +%s%N)
"$desk" -C "$repo" mail receive --maildir "$work/Maildir" >/dev/null
e=$(date +%s%N)
echo "mail receive --maildir: 1000 messages with auto-commit in $(ms "$s" "$e") ms; tickets $(find "$repo/tickets" -name '*.yaml' | wc -l); commits $(git -C "$repo" rev-list --count HEAD)"

# 3. 1,000 due notices (the acknowledgements of those tickets).
rm -f "$work"/out/*.eml
s=$(date +%s%N)
"$desk" -C "$repo" mail send >/dev/null
e=$(date +%s%N)
echo "mail send: $(ls "$work/out" | wc -l) notices sent and recorded in $(ms "$s" "$e") ms; load average $(cut -d' ' -f1-3 /proc/loadavg)"
