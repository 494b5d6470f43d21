#!/usr/bin/env python3
"""Generate a realistic desk ticket repository for benchmarks.

    gen_tickets.py DIR COUNT [--seed N] [--now ISO]

Writes tickets/YYYY/MM/<ID>.yaml for COUNT tickets created over the two years before NOW
(default 2026-11-27T10:00:00+08:00, the DESK_NOW of the benchmarks), in desk's own file
format: the current fields on top in desk's field order, then the event history they
were folded from. DIR must already hold a repository (`desk init DIR`).

What the data looks like (deterministic for a seed):
- arrivals cluster on working days and office hours (few at night and at weekends);
- Chinese and English titles, descriptions (one line or several), error texts, work-log
  notes and solutions; impact × urgency give the priority through the default matrix;
- full histories: open, triage, assign, start, work logs, pending/resume, escalation to
  tier 2, resolve (a first-line quick fix for some), reopen after a rejected fix, confirm
  with a rating, close (by the engineer, or by cron after 5 unconfirmed days), cancel;
- nothing happens after NOW, so recent tickets are naturally still in work; beyond that
  a backlog that shrinks with age stays open (about 3 % of tickets older than 60 days,
  up to ~15 % of the last weeks'): a desk keeping up with its load, as real ones do.

The ticket plans are also used by gen_tasks.py (the same items for Taskwarrior).
"""
import argparse
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TZ = timezone(timedelta(hours=8))
DEFAULT_NOW = "2026-11-27T10:00:00+08:00"

# (title, category, affected system)
TEMPLATES = [
    ("VPN 无法连接，报错 809", "network", "VPN"),
    ("VPN disconnects every few minutes", "network", "VPN"),
    ("Wi-Fi 信号差，会议室无法上网", "network", "Wi-Fi"),
    ("Cannot reach the intranet from branch office", "network", "WAN"),
    ("交换机端口频繁断线", "network", "SW-4F-02"),
    ("DNS lookups time out for internal sites", "network", "DNS"),
    ("文件服务器共享盘无法访问", "server", "FS01"),
    ("Database backup job failed", "database", "DB-PROD"),
    ("ERP 月结报表超时", "application", "ERP"),
    ("财务系统登录缓慢", "application", "财务系统"),
    ("Outlook keeps asking for the password", "application", "Outlook"),
    ("邮件无法发送到外部地址", "application", "Exchange"),
    ("Need access to the sales share", "application", "FS01"),
    ("新员工入职开通账号", "application", "AD"),
    ("Account locked after password change", "application", "AD"),
    ("OA 审批流程卡住", "application", "OA"),
    ("Teams meeting has no audio", "application", "Teams"),
    ("CRM 客户列表加载失败", "application", "CRM"),
    ("Printer on 3F prints blank pages", "end-user-device", "HP-3F-01"),
    ("打印机脱机，无法打印", "end-user-device", "HP-2F-03"),
    ("Laptop battery swells", "end-user-device", "Laptop"),
    ("Blue screen after Windows update", "end-user-device", "Laptop"),
    ("显示器黑屏", "end-user-device", "Monitor"),
    ("扫描仪无法扫描到邮箱", "end-user-device", "Scanner"),
    ("Web server returns HTTP 503", "server", "WEB01"),
    ("服务器磁盘空间不足", "server", "APP02"),
    ("Nightly batch job runs out of memory", "server", "BATCH01"),
    ("数据库连接数耗尽", "database", "DB-PROD"),
    ("ORA-12541: no listener on the reporting database", "database", "DB-RPT"),
    ("Slow queries on the order database", "database", "DB-ORD"),
]
SENTENCES_CN = [
    "从今天早上开始无法使用。", "重启电脑后问题依旧。", "同事也有同样的问题。", "影响整个部门的日常工作。",
    "昨天下午还正常。", "已经尝试清除缓存，没有效果。", "客户在等待，情况比较紧急。", "提示需要联系管理员。",
    "只有在连接公司网络时出现。", "更换了网线后仍然不行。", "月底结账前必须解决。", "在家办公时无法访问。",
]
SENTENCES_EN = [
    "It started this morning.", "Restarting the laptop did not help.", "Several colleagues see the same.",
    "The whole team is blocked.", "It worked fine yesterday.", "Clearing the cache made no difference.",
    "A customer is waiting on this.", "The message says to contact the administrator.",
    "It only happens on the office network.", "Needed before the month-end close.",
]
ERRORS = ["错误 809", "0x80070005", "Error 720", "ORA-12541", "HTTP 503", "ERR_CONNECTION_TIMED_OUT",
          "STOP 0x0000007E", "SMTP 535 authentication failed", "Access is denied", "磁盘空间不足"]
NOTES = [
    "远程协助用户重启客户端", "Checked the event log: disk full on C:", "已联系供应商，等待回复",
    "Reproduced the problem on a test machine", "更新驱动程序后观察中", "Reset the user's password",
    "网络组确认端口配置正确", "Rolled back the last Windows update", "检查证书有效期，发现已过期",
    "Collected logs and sent them to tier 2", "清理临时文件释放了 12 GB", "Called the user, no answer",
]
SOLUTIONS = [
    "重启服务后恢复", "更新证书", "Replaced the toner cartridge", "Reinstalled the printer driver",
    "扩容磁盘并清理日志", "Unlocked the account and reset the password", "重新加入域", "Restarted the listener",
    "调整防火墙策略", "Replaced the battery", "Increased the connection pool size", "回滚补丁",
]
AGENTS = ["李娜", "王伟", "陈静", "刘洋", "张敏", "alice", "bob", "carol", "dave", "erin"]
REPORTERS = [("张三", "财务部"), ("李四", "销售部"), ("王芳", "人力资源部"), ("赵磊", "研发中心"), ("孙丽", "仓库"),
             ("周杰", "总部"), ("Tom Smith", "Sales"), ("Mary Jones", "Finance"), ("Ahmed Khan", "Warehouse"),
             ("Julia Becker", "Marketing"), ("陈晨", "客服中心"), ("Li Wei", "Engineering")]
CHANNELS = [("portal", 40), ("email", 25), ("phone", 20), ("im", 12), ("walk-in", 3)]
# impact × urgency, weighted towards the narrow and the not so urgent, as real desks see.
IMPACT_URGENCY = [
    (("individual", "low"), 14), (("individual", "medium"), 30), (("individual", "high"), 12),
    (("individual", "critical"), 2), (("department", "low"), 5), (("department", "medium"), 12),
    (("department", "high"), 10), (("department", "critical"), 2), (("company", "medium"), 3),
    (("company", "high"), 3), (("company", "critical"), 1), (("core-business", "high"), 1),
    (("core-business", "critical"), 1), (("core-business", "medium"), 1), (("company", "low"), 1),
    (("core-business", "low"), 1),
]
MATRIX = {
    "core-business": {"critical": "P1", "high": "P1", "medium": "P2", "low": "P3"},
    "company": {"critical": "P1", "high": "P2", "medium": "P2", "low": "P3"},
    "department": {"critical": "P2", "high": "P2", "medium": "P3", "low": "P4"},
    "individual": {"critical": "P2", "high": "P3", "medium": "P4", "low": "P4"},
}
# Default SLA targets (share/config.yaml): minutes to respond, to resolve, business clock?
TARGETS = {"P1": (15, 240, False), "P2": (30, 480, True), "P3": (120, 1440, True), "P4": (480, 2400, True)}
OPEN_STATUSES = {"new", "triaged", "assigned", "in_progress", "pending", "escalated", "reopened"}
# desk's field order (src/desk/model/ticket.cpp).
FIELD_ORDER = [
    "id", "type", "status", "pending_reason", "priority", "priority_reason", "impact", "urgency", "title",
    "category", "channel", "reporter", "department", "contact", "affected", "team", "assignee", "lead_team",
    "collaborators", "tier", "vendor", "created", "updated", "occurred_at", "responded_at", "respond_due",
    "resolve_due", "resolved_at", "confirmed_at", "closed_at", "reopen_count", "rating", "dedup_key",
    "external_id", "kb", "attachments", "description", "steps", "error", "cause", "solution", "verification",
    "verified_by",
]
PLAIN = re.compile(r"^[\w][\w .\-]*$")
YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


def token(rng, n=8):
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def q(s):
    return "'" + s.replace("'", "''") + "'"


def ts_text(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def scalar(v):
    """One YAML scalar as desk writes it: times and free text quoted, names and numbers plain."""
    if isinstance(v, datetime):
        return q(ts_text(v))
    if isinstance(v, int):
        return str(v)
    if v == "":
        return "''"
    if PLAIN.match(v) and not v[-1].isspace() and v.lower() not in YAML_WORDS and not v[0].isdigit():
        return v
    return q(v)


def weighted(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def add_business(t, minutes):
    """t + minutes of working time, Monday-Friday 09:00-18:00 (the default calendar)."""
    while True:
        if t.weekday() >= 5:
            t = (t + timedelta(days=1)).replace(hour=9, minute=0, second=0)
            continue
        day_start = t.replace(hour=9, minute=0, second=0)
        day_end = t.replace(hour=18, minute=0, second=0)
        if t < day_start:
            t = day_start
        if t >= day_end:
            t = (t + timedelta(days=1)).replace(hour=9, minute=0, second=0)
            continue
        left = (day_end - t).total_seconds() / 60
        if minutes <= left:
            return t + timedelta(minutes=minutes)
        minutes -= left
        t = (t + timedelta(days=1)).replace(hour=9, minute=0, second=0)


def due(prio, start, which):
    respond, resolve, business = TARGETS[prio]
    minutes = respond if which == "respond" else resolve
    return add_business(start, minutes) if business else start + timedelta(minutes=minutes)


def arrivals(rng, count, start, now):
    """COUNT creation times in [start, now), sorted: mostly working days and office hours."""
    span = (now - start).total_seconds()
    out = []
    while len(out) < count:
        t = start + timedelta(seconds=int(rng.random() * span))
        weight = 1.0 if t.weekday() < 5 else 0.12
        weight *= 1.0 if 9 <= t.hour < 18 else (0.35 if 7 <= t.hour < 22 else 0.06)
        if rng.random() < weight:
            out.append(t)
    out.sort()
    return out


class Stop(Exception):
    """The next step would happen after now, or the ticket stays in the backlog here."""


class Plan:
    """One ticket: its current fields (python values) and its events."""

    def __init__(self, rng, now):
        self.rng = rng
        self.now = now
        self.fields = {}
        self.events = []   # (at, by, action, [(key, value)], note, [(key, value)])

    def step(self, at, by, action, sets, note=None, extra=None):
        if at > self.now:
            raise Stop()
        self.events.append((at, by, action, sets, note, extra or []))
        for k, v in sets:
            if v == "":
                self.fields.pop(k, None)
            else:
                self.fields[k] = v
        self.fields["updated"] = at

    @property
    def status(self):
        return self.fields["status"]


def plan_ticket(rng, created, now):
    """Simulate one ticket's life from `created` up to `now`; returns a Plan."""
    p = Plan(rng, now)
    title, category, affected = rng.choice(TEMPLATES)
    impact, urgency = weighted(rng, IMPACT_URGENCY)
    prio = MATRIX[impact][urgency]
    agent = rng.choice(AGENTS)
    reporter, department = rng.choice(REPORTERS)
    lang_cn = any("\u4e00" <= ch <= "\u9fff" for ch in title)
    pool = SENTENCES_CN if lang_cn else SENTENCES_EN
    lines = rng.sample(pool, rng.randint(1, 4))
    description = "\n".join(lines) if rng.random() < 0.5 else " ".join(lines)
    age_days = (now - created).total_seconds() / 86400
    # The backlog: some tickets wait (on a vendor, a change, a busy team) far longer than
    # the rest; more of the recent ones, few of the old ones.
    stuck = rng.random() < 0.03 + 0.12 * max(0.0, 1.0 - age_days / 60)
    stuck_at = rng.choice(["triaged", "in_progress", "in_progress", "pending", "escalated"]) if stuck else None
    p.fields.update({"id": f"INC-{token(rng)}", "type": "incident", "title": title,
                     "channel": weighted(rng, CHANNELS), "reporter": reporter, "department": department,
                     "affected": [affected], "created": created, "description": description})
    if rng.random() < 0.3:
        p.fields["error"] = rng.choice(ERRORS)
    fast = prio == "P1"

    def minutes(lo, hi):
        return timedelta(minutes=rng.randint(lo, hi))

    def work_logs(t, n):
        for _ in range(n):
            t += minutes(5, 240 if not fast else 40)
            p.step(t, agent, "log", [], note=rng.choice(NOTES), extra=[("minutes", rng.randint(5, 90))])
        return t

    def resolve(t):
        sets = [("solution", rng.choice(SOLUTIONS)), ("verified_by", rng.choice(AGENTS)), ("resolved_at", t)]
        if "assignee" not in p.fields:   # a quick fix: the resolver takes the ticket
            sets.append(("assignee", agent))
        p.step(t, agent, "resolve", sets + [("status", "resolved")])

    try:
        t = created
        p.step(t, "portal" if p.fields["channel"] == "portal" else agent, "open",
               [("status", "new"), ("priority", prio), ("impact", impact), ("urgency", urgency),
                ("respond_due", due(prio, created, "respond")), ("resolve_due", due(prio, created, "resolve"))])
        if rng.random() < 0.015:   # a duplicate or withdrawn request
            t += minutes(5, 180)
            p.step(t, agent, "cancel", [("closed_at", t), ("status", "cancelled")],
                   note=rng.choice(["重复工单", "duplicate of an earlier ticket", "用户撤回", "withdrawn by the user"]))
            return p
        t += minutes(1, 10 if fast else 90)
        p.step(t, agent, "triage", [("category", category), ("status", "triaged"), ("responded_at", t)])
        if stuck_at == "triaged":
            return p
        if rng.random() < 0.18 and not stuck:   # first-line quick fix
            t += minutes(3, 40)
            resolve(t)
        else:
            t += minutes(1, 20 if fast else 120)
            p.step(t, agent, "assign", [("assignee", agent), ("status", "assigned")])
            t += minutes(1, 60)
            p.step(t, agent, "start", [("status", "in_progress")])
            t = work_logs(t, rng.randint(0, 3))
            if rng.random() < 0.12 or stuck_at == "pending":
                t += minutes(10, 300)
                reason = rng.choice(["awaiting-user", "awaiting-vendor", "awaiting-change"])
                p.step(t, agent, "pending", [("pending_reason", reason), ("status", "pending")],
                       note=rng.choice(NOTES))
                if stuck_at == "pending":
                    return p
                t += minutes(60, 3 * 24 * 60)
                p.step(t, agent, "resume", [("status", "in_progress"), ("pending_reason", "")])
            if rng.random() < 0.07 or stuck_at == "escalated":
                t += minutes(30, 600)
                p.step(t, agent, "escalate", [("tier", 2), ("status", "escalated")], note=rng.choice(NOTES),
                       extra=[("escalation", "tier 2")])
                if stuck_at == "escalated":
                    return p
                t += minutes(30, 24 * 60)
                p.step(t, agent, "start", [("status", "in_progress")])
                t = work_logs(t, rng.randint(1, 2))
            if stuck_at == "in_progress":
                return p
            t += minutes(20, 240) if fast else minutes(60, 30 * 60)
            resolve(t)
        if rng.random() < 0.03:   # the user rejects the fix
            t += minutes(120, 48 * 60)
            p.step(t, p.fields["reporter"], "reopen",
                   [("reopen_count", 1), ("resolved_at", ""), ("status", "reopened"),
                    ("resolve_due", due(prio, t, "resolve"))], note=rng.choice(SENTENCES_CN + SENTENCES_EN))
            t += minutes(30, 240)
            p.step(t, agent, "start", [("status", "in_progress")])
            t = work_logs(t, 1)
            t += minutes(60, 8 * 60)
            resolve(t)
        resolved = t
        if rng.random() < 0.72:
            t += minutes(60, 48 * 60)
            p.step(t, p.fields["reporter"], "confirm",
                   [("confirmed_at", t), ("rating", rng.choice([3, 4, 4, 5, 5, 5])), ("status", "confirmed")])
            t += minutes(10, 24 * 60)
            p.step(t, agent, "close", [("closed_at", t), ("status", "closed")])
        else:   # closed unconfirmed by the nightly `desk close --stale`
            t = (resolved + timedelta(days=5 + rng.randint(0, 1))).replace(hour=2, minute=0, second=0)
            p.step(t, "cron", "close", [("closed_at", t), ("status", "closed")],
                   note="closed unconfirmed after 5 days")
    except Stop:
        pass
    return p


def render(p, rng):
    out = []
    for k in FIELD_ORDER:
        if k not in p.fields:
            continue
        v = p.fields[k]
        if isinstance(v, list):
            out.append(f"{k}:")
            out += [f"  - {scalar(x)}" for x in v]
        elif isinstance(v, str) and "\n" in v:
            out.append(f"{k}: |-")
            out += ["  " + line for line in v.split("\n")]
        else:
            out.append(f"{k}: {scalar(v)}")
    out.append("events:")
    for at, by, action, sets, note, extra in p.events:
        out += [f"  - id: E-{token(rng)}", f"    at: {scalar(at)}", f"    by: {scalar(by)}", f"    action: {action}"]
        if sets:
            out.append("    set:")
            out += [f"      {k}: {scalar(v)}" for k, v in sets]
        if note:
            out.append(f"    note: {q(note)}")
        out += [f"    {k}: {scalar(v)}" for k, v in extra]
    return "\n".join(out) + "\n"


def plans(count, seed=1, now=DEFAULT_NOW):
    """Yield (created, Plan, rng) for COUNT tickets over the two years before `now`."""
    rng = random.Random(seed)
    end = datetime.fromisoformat(now).astimezone(TZ)
    start = end - timedelta(days=730)
    for created in arrivals(rng, count, start, end):
        yield created, plan_ticket(rng, created, end), rng


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--now", default=DEFAULT_NOW, help="end of the two years (ISO 8601)")
    a = ap.parse_args()
    root = Path(a.dir)
    made = set()
    for created, p, rng in plans(a.count, a.seed, a.now):
        d = root / "tickets" / f"{created:%Y}" / f"{created:%m}"
        if d not in made:
            d.mkdir(parents=True, exist_ok=True)
            made.add(d)
        (d / f"{p.fields['id']}.yaml").write_text(render(p, rng), encoding="utf-8")


if __name__ == "__main__":
    main()
