"""Each step is one transaction: it completes (file, commit, then hooks) or leaves the disk as
it was; replies, requester addresses, resolution from every working status, vendor escalation."""
import json
from pathlib import Path

import pytest

from conftest import DESK_BIN, GIT_ENV, INVALID_STATE, USAGE, Desk, git
from workflow_helpers import at, bring_to, events, install_hook, last_event


@pytest.fixture
def git_desk(tmp_repo_dir):
    """A repository inside a fresh git work tree: auto-commit on."""
    root = tmp_repo_dir / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    d = Desk(root)
    d.extra_env = dict(GIT_ENV)
    r = d.run("init", str(root), "--timezone", "Asia/Shanghai", cwd=tmp_repo_dir)
    assert r.code == 0 and "autocommit on" in r.out, r
    return d


def commits(d):
    return int(git(d.root, "rev-list", "--count", "HEAD"))


def files_of(d, tid):
    return d.path_of(tid).parent / f"{tid}.files"


# A hook that uses desk on the ticket it was called for, while `desk sla --notify` runs.
SLA_HOOK = """#!/bin/sh
set -e
id=$(/usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["ticket"]["id"])')
git log -1 --format=%s > "$HOOK_OUT/head.txt" 2>/dev/null || echo "no commit" > "$HOOK_OUT/head.txt"
"$HOOK_DESK" show "$id" --format json > "$HOOK_OUT/show.json"
"$HOOK_DESK" log "$id" -m "paged the on-call engineer" > "$HOOK_OUT/log.txt" 2>&1
echo finished > "$HOOK_OUT/done"
"""


def sla_breach_with_hook(d, out):
    install_hook(d, "sla-breach", SLA_HOOK)
    # A lock the hook would wait for makes its desk log fail after one second, not hang.
    d.extra_env.update({"HOOK_DESK": DESK_BIN, "HOOK_OUT": str(out), "DESK_LOCK_TIMEOUT": "1"})
    d.now = at("2026-11-27 17:30")
    tid = d.open("--title", "ERP 全部停机", "--impact", "core-business", "--urgency", "critical")  # respond in 15m
    d.now = at("2026-11-27 17:50")
    r = d.run("sla", "--notify")
    assert r.code == 1, r  # a breach is a problem found
    assert "warning" not in r.err, r  # the hook neither failed nor was stopped
    assert (out / "done").read_text().strip() == "finished"
    return tid


def test_sla_hook_runs_desk_on_the_same_ticket_and_sees_the_notice(desk, tmp_path):
    out = tmp_path / "hook-out"
    out.mkdir()
    tid = sla_breach_with_hook(desk, out)
    seen = json.loads((out / "show.json").read_text(encoding="utf-8"))
    assert seen["id"] == tid
    assert seen["events"][-1]["action"] == "notice" and seen["events"][-1]["sla"] == "breach respond"
    evs = events(desk, tid)
    assert [e["action"] for e in evs] == ["open", "notice", "log"]
    assert evs[-1]["note"] == "paged the on-call engineer"


def test_sla_hook_finds_the_notice_committed(git_desk, tmp_path):
    out = tmp_path / "hook-out"
    out.mkdir()
    tid = sla_breach_with_hook(git_desk, out)
    assert (out / "head.txt").read_text().strip() == "sla: 1 notice(s) sent"
    assert git(git_desk.root, "log", "-1", "--format=%s") == f"{tid}: logged"
    assert git(git_desk.root, "status", "--porcelain", "--", "tickets") == ""
    assert [e["action"] for e in events(git_desk, tid)] == ["open", "notice", "log"]


def test_reply_records_text_eta_and_attachment(desk, tmp_path):
    tid = bring_to(desk, "in_progress", email="wang@example.com")
    plan = tmp_path / "修复计划.txt"
    plan.write_text("步骤一：重启网关\n", encoding="utf-8")
    r = desk.ok("reply", tid, "-m", "我们预计明天下午修好", "--eta", "2026-12-03 17:00", "--attach", str(plan))
    assert "wang@example.com" in r.out
    ev = last_event(desk, tid)
    assert ev["action"] == "reply" and ev["note"] == "我们预计明天下午修好"
    assert ev["set"]["eta"] == "2026-12-03T17:00:00+08:00"
    assert ev["files"] == ["修复计划.txt"]
    t = desk.load(tid)
    assert t["eta"] == "2026-12-03T17:00:00+08:00"
    assert t["attachments"] == ["修复计划.txt"]
    assert (files_of(desk, tid) / "修复计划.txt").read_text(encoding="utf-8") == "步骤一：重启网关\n"
    assert desk.show(tid)["events"][-1]["note"] == "我们预计明天下午修好"


def test_reply_refusals_change_nothing(desk):
    closed = bring_to(desk, "closed")
    before = desk.snapshot()
    desk.fails(INVALID_STATE, "reply", closed, "-m", "hello again")
    working = bring_to(desk, "in_progress")
    before = desk.snapshot()
    desk.fails(USAGE, "reply", working, "-m", "")
    desk.fails(USAGE, "reply", working, "-m", "too late", "--eta", "2026-11-01 09:00")
    assert desk.snapshot() == before


def test_show_marks_what_the_requester_sees(desk):
    tid = bring_to(desk, "in_progress")
    desk.ok("log", tid, "-m", "switch port 12 is dead")
    desk.ok("reply", tid, "-m", "我们正在更换端口")
    history = desk.ok("show", tid).out.split("\nHistory\n", 1)[1].splitlines()
    log_line = next(line for line in history if " log " in line)
    reply_line = next(line for line in history if " reply " in line)
    assert "[internal]" in log_line and "requester" not in log_line
    assert "[to the requester]" in reply_line
    assert "我们正在更换端口" in "\n".join(history)


def test_open_and_edit_store_the_requester_email(desk):
    tid = desk.open("--title", "邮箱满了", "--email", "a@b.example")
    assert desk.load(tid)["email"] == "a@b.example"
    assert desk.show(tid)["email"] == "a@b.example"
    assert "a@b.example" in desk.ok("show", tid).out
    desk.ok("edit", tid, "--email", "li@b.example")
    assert desk.load(tid)["email"] == "li@b.example"
    assert last_event(desk, tid)["set"]["email"] == "li@b.example"


def test_failed_commit_leaves_the_ticket_and_a_retry_records_once(git_desk, tmp_path):
    tid = git_desk.open("--title", "VPN drops")
    before = git_desk.path_of(tid).read_bytes()
    n = commits(git_desk)
    lock = git_desk.root / ".git" / "refs" / "heads" / "main.lock"
    lock.write_text("")  # another git process is moving the branch
    r = git_desk.run("log", tid, "-m", "checked the tunnel")
    assert r.code != 0 and "desk: error:" in r.err, r
    assert len(r.err.strip().splitlines()) <= 3, r
    assert git_desk.path_of(tid).read_bytes() == before
    note = tmp_path / "note.txt"
    note.write_text("trace")
    r = git_desk.run("reply", tid, "-m", "looking at it", "--attach", str(note))
    assert r.code != 0 and "desk: error:" in r.err, r
    assert git_desk.path_of(tid).read_bytes() == before
    assert not files_of(git_desk, tid).exists()
    assert commits(git_desk) == n

    lock.unlink()
    git_desk.ok("log", tid, "-m", "checked the tunnel")
    notes = [e.get("note") for e in events(git_desk, tid)]
    assert notes.count("checked the tunnel") == 1
    assert commits(git_desk) == n + 1
    assert git(git_desk.root, "status", "--porcelain", "--", "tickets") == ""


def test_failed_commit_of_open_leaves_no_ticket(git_desk, tmp_path):
    shot = tmp_path / "screen.png"
    shot.write_bytes(b"\x89PNG")
    lock = git_desk.root / ".git" / "refs" / "heads" / "main.lock"
    lock.write_text("")
    r = git_desk.run("open", "-q", "--title", "screen flickers", "--attach", str(shot))
    assert r.code != 0 and "desk: error:" in r.err, r
    assert [p for p in (git_desk.root / "tickets").rglob("*") if p.is_file()] == []
    assert not [p for p in (git_desk.root / "tickets").rglob("*.files")]
    lock.unlink()
    tid = git_desk.open("--title", "screen flickers", "--attach", str(shot))
    assert (files_of(git_desk, tid) / "screen.png").read_bytes() == b"\x89PNG"


@pytest.mark.parametrize("status", ["assigned", "pending", "escalated"])
def test_resolve_directly_from_a_working_status(desk, status):
    tid = bring_to(desk, status)
    desk.ok("resolve", tid, "--solution", "replaced the cable", "--verified-by", "bob")
    t = desk.load(tid)
    assert t["status"] == "resolved" and t["solution"] == "replaced the cable"
    assert last_event(desk, tid)["action"] == "resolve"


def test_escalate_to_any_vendor_in_a_fresh_repository(desk):
    tid = bring_to(desk, "assigned")
    desk.ok("escalate", tid, "--vendor", "华为技术支持", "--reason", "firmware bug")
    t = desk.load(tid)
    assert t["status"] == "escalated" and t["vendor"] == "华为技术支持"
    assert last_event(desk, tid)["action"] == "escalate"
