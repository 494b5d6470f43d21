#!/usr/bin/env python3
"""Generate a realistic desk ticket repository for benchmarks.

    gen_tickets.py DIR COUNT [--seed N]

Writes tickets/YYYY/MM/<ID>.yaml spread over two years, Chinese and English titles and
descriptions, full event histories (open, triage, assign, start, logs, resolve, confirm,
close for most; some still open, pending, escalated), in desk's own file format. DIR must
already hold a repository (`desk init DIR`).
"""
import argparse
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TZ = timezone(timedelta(hours=8))
TITLES = [
    "VPN 无法连接，报错 809", "Printer on 3F prints blank pages", "ERP 月结报表超时",
    "Outlook keeps asking for the password", "财务系统登录缓慢", "Laptop battery swells",
    "邮件无法发送到外部地址", "Need access to the sales share", "Wi-Fi 信号差，会议室无法上网",
    "Database backup job failed", "新员工入职开通账号", "Blue screen after Windows update",
]
WORDS = ["用户", "反馈", "无法", "登录", "系统", "网络", "error", "timeout", "server", "restart", "重启", "配置",
         "the", "after", "update", "since", "morning", "今天", "早上", "开始"]
CATEGORIES = ["network", "server", "database", "application", "end-user-device"]
PEOPLE = ["李娜", "王伟", "陈静", "alice", "bob", "carol"]


def token(rng, n=8):
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def q(s):
    return "'" + s.replace("'", "''") + "'"


def ts(t):
    return q(t.strftime("%Y-%m-%dT%H:%M:%S+08:00"))


def event(rng, at, by, action, fields, note=None, extra=None):
    lines = [f"  - id: E-{token(rng)}", f"    at: {ts(at)}", f"    by: {by}", f"    action: {action}"]
    if fields:
        lines.append("    set:")
        lines += [f"      {k}: {v}" for k, v in fields]
    if note:
        lines.append(f"    note: {q(note)}")
    for k, v in (extra or []):
        lines.append(f"    {k}: {v}")
    return lines


def ticket(rng, created):
    tid = f"INC-{token(rng)}"
    title = rng.choice(TITLES)
    cat = rng.choice(CATEGORIES)
    prio = rng.choice(["P1", "P2", "P3", "P3", "P4", "P4"])
    who = rng.choice(PEOPLE)
    desc = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 40)))
    t = created
    events = event(rng, t, "portal", "open", [("status", "new"), ("priority", prio), ("impact", "department"),
                                              ("urgency", "high")])
    status = "new"
    fields = {}
    stage = rng.random()
    t += timedelta(minutes=rng.randint(1, 60))
    events += event(rng, t, who, "triage", [("category", cat), ("status", "triaged"), ("responded_at", ts(t))])
    status = "triaged"
    if stage > 0.05:
        t += timedelta(minutes=rng.randint(1, 120))
        events += event(rng, t, who, "assign", [("assignee", who), ("status", "assigned")])
        t += timedelta(minutes=rng.randint(1, 60))
        events += event(rng, t, who, "start", [("status", "in_progress")])
        status = "in_progress"
        for _ in range(rng.randint(0, 4)):
            t += timedelta(minutes=rng.randint(5, 300))
            events += event(rng, t, who, "log", [], note=" ".join(rng.choice(WORDS) for _ in range(8)),
                            extra=[("minutes", rng.randint(5, 90))])
    if stage > 0.15:
        t += timedelta(hours=rng.randint(1, 30))
        events += event(rng, t, who, "resolve", [("solution", q("重启服务后恢复")), ("verified_by", "李娜"),
                                                  ("resolved_at", ts(t)), ("status", "resolved")])
        fields["resolved_at"] = ts(t)
        status = "resolved"
    if stage > 0.25:
        t += timedelta(hours=rng.randint(1, 48))
        events += event(rng, t, "reporter", "confirm", [("confirmed_at", ts(t)), ("rating", rng.randint(3, 5)),
                                                        ("status", "confirmed")])
        t += timedelta(hours=rng.randint(1, 24))
        events += event(rng, t, who, "close", [("closed_at", ts(t)), ("status", "closed")])
        status = "closed"
    head = [f"id: {tid}", "type: incident", f"status: {status}", f"priority: {prio}", "impact: department",
            "urgency: high", f"title: {q(title)}", f"category: {cat}", "channel: portal",
            f"reporter: {rng.choice(PEOPLE)}", f"assignee: {who}" if stage > 0.05 else None,
            f"created: {ts(created)}", f"updated: {ts(t)}", f"description: {q(desc)}"]
    body = "\n".join(x for x in head if x) + "\nevents:\n" + "\n".join(events) + "\n"
    return tid, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    root = Path(a.dir)
    start = datetime(2024, 12, 1, 9, 0, tzinfo=TZ)
    span = 2 * 365 * 24 * 3600
    for i in range(a.count):
        created = start + timedelta(seconds=int(span * i / a.count) + rng.randint(0, 600))
        tid, body = ticket(rng, created)
        d = root / "tickets" / f"{created:%Y}" / f"{created:%m}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{tid}.yaml").write_text(body, encoding="utf-8")


if __name__ == "__main__":
    main()
