#!/usr/bin/env bash
# The desk demo: a service desk's morning, from intake to closure, on a fresh repository.
#
#   bash examples/demo.sh [DESK_BINARY] [TARGET_DIR]
#
# TARGET_DIR defaults to a new temporary folder; examples/helpdesk was made with
#   bash examples/demo.sh build/desk examples/helpdesk
# The clock is fixed with DESK_NOW, so every run tells the same story.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
desk="${1:-$here/../build/desk}"
target="${2:-$(mktemp -d /tmp/desk-demo.XXXXXX)}"
if [ -e "$target/.desk" ]; then
  rm -rf "$target/.desk" "$target/tickets" "$target/kb" "$target/.gitattributes"
fi
export DESK_DIR="$target" NO_COLOR=1
show_args() {
  local out="" a
  for a in "$@"; do
    case "$a" in
      *[[:space:]]* | *[\'\"\$]* | "") out+=" '${a//\'/\'\\\'\'}'" ;;
      *) out+=" $a" ;;
    esac
  done
  printf '%s' "$out"
}
run() { echo; echo "\$ desk$(show_args "$@")"; "$desk" "$@"; }
at() { export DESK_NOW="$1"; }

at 2026-11-23T08:55:00+08:00
run init "$target" --timezone Asia/Shanghai
# The demo config adds teams, a vendor and assignment rules to the defaults.
cp "$here/demo-config.yaml" "$target/.desk/config.yaml"

# The knowledge base already knows one typical problem (written up after an earlier
# incident and validated by a second engineer).
at 2026-11-23T09:00:00+08:00
kb_add=(kb add --title "VPN 报错 809：网关证书过期" --symptoms "在家或出差时 VPN 连接失败，多人同时出现"
  --error "错误 809" --cause "VPN 网关的服务器证书过期"
  --solution "1. 在网关上更新服务器证书 2. 重启 VPN 服务 3. 用测试账号从外网验证"
  --category network --affected VPN --tag vpn --tag 证书 --audience public --as 王伟)
added=$(run "${kb_add[@]}")
echo "$added"
kb=$(sed -n 's/^Added \(KB-[0-9A-Z]*\) .*/\1/p' <<<"$added")
run kb validate "$kb" --as 李娜

at 2026-11-23T09:05:00+08:00
export DESK_USER=李娜
# Stage 1: intake. desk suggests the validated articles that match what the user reports.
opened=$(run open --title "VPN 无法连接，报错 809" --reporter 张三 --department 财务部 \
  --contact "分机 8123" --channel phone --impact department --urgency high --affected VPN \
  --error "错误 809：无法建立计算机与 VPN 服务器之间的网络连接" \
  --description "从今天早上开始，财务部三个人在家都连不上 VPN。")
echo "$opened"
vpn=$(sed -n 's/^Opened .* \(INC-[0-9A-Z]*\): .*/\1/p' <<<"$opened")
at 2026-11-23T09:20:00+08:00
export DESK_USER=Li.Na
printer=$("$desk" open -q --title "Printer on 3F prints blank pages" --reporter "Tom Smith" --department Sales \
  --channel im --impact individual --urgency medium --affected "HP-3F-01")
echo "opened $printer"
# A request arrives by mail (an MTA pipes it to `desk mail receive`); `desk mail send`
# answers with the id and the due times. The demo's sendmail writes to a folder, so no mail
# server is needed.
outbox="$(mktemp -d /tmp/desk-demo-outbox.XXXXXX)"
cat > "$outbox/sendmail" <<SH
#!/bin/sh
cat > "$outbox/\$(date +%s%N).eml"
SH
chmod +x "$outbox/sendmail"
cat >> "$target/.desk/config.yaml" <<YAML

mail:
  address: helpdesk@example.com
  name: IT 服务台
  sendmail: ["$outbox/sendmail", "-t", "-oi"]
YAML
at 2026-11-23T09:40:00+08:00
request="From: =?UTF-8?B?546L5by6?= <wangqiang@example.com>
To: helpdesk@example.com
Subject: =?UTF-8?B?RVJQIOaciOe7k+aKpeihqOi2heaXtg==?=
Message-ID: <erp-1@example.com>
Content-Type: text/plain; charset=utf-8

月结报表跑到一半就超时，报错 ORA-01555: snapshot too old。"
echo
echo "\$ desk mail receive < request.eml   # From: 王强 <wangqiang@example.com>"
received=$("$desk" mail receive <<<"$request")
echo "$received"
erp=$(sed -n 's/^\(INC-[0-9A-Z]*\): .*/\1/p' <<<"$received" | head -1)
run mail send
echo
echo "# the acknowledgement that went out:"
sed -n '/^Subject:/p;/^To:/p;/^Auto-Submitted:/p' "$outbox"/*.eml
python3 - "$outbox" <<'PY' || true
import email, email.policy, pathlib, sys
for p in sorted(pathlib.Path(sys.argv[1]).glob("*.eml")):
    m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
    print("Subject (decoded):", m["Subject"])
    print(m.get_body(preferencelist=("plain",)).get_content())
PY
run list

# Stage 2: first line classifies, fixes the printer at once (quick fix), and
# prioritises the others by the impact × urgency matrix.
at 2026-11-23T09:45:00+08:00
run triage "$printer" --category end-user-device --as Li.Na
run resolve "$printer" --solution "Replaced the empty toner cartridge" --verified-by Li.Na --as Li.Na
# Triage shows the validated articles that match the ticket (stage 2: the known fix).
run triage "$vpn" --category network --as 李娜
run edit "$erp" --affected ERP -m "电话确认：ERP 系统" --as 李娜
run triage "$erp" --category database --impact core-business --urgency high --as 李娜

# Stage 3: assignment by the rules, escalation to tier 2 and to the vendor, pending.
at 2026-11-23T09:50:00+08:00
run assign "$vpn" --auto --as 李娜
run start "$vpn" --as 王伟
run log "$vpn" -m "VPN 网关日志显示证书已过期" --minutes 20 --as 王伟
run assign "$erp" --auto --as 李娜
at 2026-11-23T10:30:00+08:00
run escalate "$erp" --tier 2 --reason "需要 DBA 调整 undo 表空间" --as 李娜
run start "$erp" --as 陈静
at 2026-11-23T11:00:00+08:00
run escalate "$erp" --vendor oracle-support --reason "undo 自动扩展失败，需厂商分析" --as 陈静
run pending "$erp" --reason awaiting-vendor -m "SR 3-1234567 已提交" --as 陈静

# Stage 4: fix, internal verification, user confirmation (or rejection).
at 2026-11-23T11:30:00+08:00
run resolve "$vpn" --solution "更新 VPN 网关证书并重启服务" --cause "网关证书过期" \
  --verified-by 李娜 --verification "测试账号从外网连接成功" --kb "$kb" --as 王伟
at 2026-11-23T14:00:00+08:00
run confirm "$vpn" --rating 5 -m "都能连上了，谢谢" --as 张三
run confirm "$printer" --reject -m "Still blank after the toner change" --as "Tom Smith"
run assign "$printer" --to Li.Na --as 李娜
run start "$printer" --as Li.Na
run resolve "$printer" --solution "Cleaned the print head and ran the alignment" --verified-by 李娜 --as Li.Na
at 2026-11-23T15:00:00+08:00
run resume "$erp" -m "厂商给出补丁" --as 陈静

at 2026-11-23T16:30:00+08:00
run resolve "$erp" --solution "安装厂商补丁，undo 表空间改为自动扩展并加大上限" --cause "undo 表空间无法自动扩展" \
  --verified-by 王伟 --as 陈静
at 2026-11-23T17:00:00+08:00
run confirm "$erp" --rating 4 -m "月结报表可以出了" --as 王强

# Stage 5: closure; the ERP problem is typical, so closing it captures a draft article.
run close "$vpn" --as 李娜
run close "$erp" --kb --as 李娜
run kb list
run sla

# Five days later: the unconfirmed printer ticket closes by itself (cron).
at 2026-11-30T16:00:00+08:00
run close --stale --as cron
run list --all
run show "$vpn"

# Stage 6: the review of the week.
run report --since 2026-11-23 --until 2026-12-01 --by week
echo
echo "demo repository: $target"
rm -rf "$outbox"
