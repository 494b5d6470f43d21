"""Hooks in .desk/hooks/<event>, run with the ticket and event as JSON on stdin."""
import time

import pytest

from conftest import FAILURE, write_config
from workflow_helpers import HOOK_RECORDER, at, bring_to, hook_outputs, install_hook, last_event, with_teams

WORKFLOW_HOOKS = ["open", "triage", "assign", "escalate", "pending", "resolve", "confirm", "reopen", "close"]


@pytest.fixture
def hook_out(desk, tmp_path):
    out = tmp_path / "hook-out"
    out.mkdir()
    desk.extra_env["HOOK_OUT"] = str(out)
    return out


def test_hooks_run_for_each_step_with_ticket_and_event(desk, hook_out):
    with_teams(desk)
    for name in WORKFLOW_HOOKS:
        install_hook(desk, name, HOOK_RECORDER)

    desk.now = at("2026-11-30 09:00")
    tid = desk.open("--title", "Network down in building B", "--impact", "department", "--urgency", "medium")
    desk.now = at("2026-11-30 09:10")
    desk.ok("triage", tid, "--category", "network")
    desk.ok("assign", tid, "--to", "bob")
    desk.user = "bob"
    desk.ok("start", tid)
    desk.ok("escalate", tid, "--tier", "2", "--reason", "core switch", "--notify")
    desk.user = "dave"
    desk.ok("pending", tid, "--reason", "awaiting-vendor", "-m", "spare part ordered")
    desk.now = at("2026-11-30 11:00")
    desk.ok("resume", tid)
    desk.ok("resolve", tid, "--solution", "replaced the line card", "--verified-by", "erin")
    desk.user = "alice"
    desk.ok("confirm", tid, "--reject", "-m", "still down on floor 3")
    desk.ok("assign", tid, "--to", "dave")
    desk.ok("start", tid)
    desk.ok("resolve", tid, "--solution", "patched floor 3", "--verified-by", "erin")
    desk.ok("confirm", tid, "--rating", "4")
    desk.now = at("2026-11-30 12:00")
    desk.ok("close", tid)

    runs = hook_outputs(hook_out)
    assert [name for name, _ in runs] == ["open", "triage", "assign", "escalate", "pending", "resolve", "reopen",
                                          "assign", "resolve", "confirm", "close"]
    statuses = ["new", "triaged", "assigned", "escalated", "pending", "resolved", "reopened",
                "assigned", "resolved", "confirmed", "closed"]
    ticket_file = desk.load(tid)
    for (name, payload), status in zip(runs, statuses):
        assert set(payload) >= {"hook", "ticket", "event"}, payload
        assert payload["hook"] == name
        assert payload["ticket"]["id"] == tid
        assert payload["ticket"]["status"] == status
        assert payload["ticket"]["title"] == "Network down in building B"
        assert "events" not in payload["ticket"]
        ev = payload["event"]
        assert ev["action"] == name
        assert set(ev) >= {"id", "at", "by", "action"}
        # The event is the one saved in the file.
        saved = [e for e in ticket_file["events"] if e["id"] == ev["id"]]
        assert len(saved) == 1, ev
        assert (saved[0]["at"], saved[0]["by"], saved[0]["action"]) == (ev["at"], ev["by"], ev["action"])
        assert ev.get("set", {}).get("status") == status
    open_payload = runs[0][1]
    assert open_payload["event"]["by"] == "alice"
    assert open_payload["event"]["at"] == at("2026-11-30 09:00")
    assert open_payload["ticket"]["priority"] == "P3"
    assert open_payload["ticket"]["resolve_due"] == at("2026-12-02 15:00")
    escalate = runs[3][1]
    assert escalate["event"]["by"] == "bob"
    assert escalate["event"]["note"] == "core switch"
    assert escalate["event"]["escalation"] == "tier 2 (network-team)"
    assert escalate["event"]["notify"] == "frank"  # the supervisor, for the hook to tell
    assert escalate["ticket"]["team"] == "network-team"
    pending = runs[4][1]
    assert pending["ticket"]["pending_reason"] == "awaiting-vendor"
    assert pending["event"]["by"] == "dave"
    reopen = runs[6][1]
    assert reopen["event"]["note"] == "still down on floor 3"
    assert reopen["ticket"]["reopen_count"] in (1, "1")
    confirm = runs[9][1]
    assert confirm["ticket"]["rating"] in (4, "4")


def test_hook_runs_in_repository_without_a_shell(desk, hook_out):
    # A shell would expand $HOME and the glob; the hook sees its argv[0] only and the root as cwd.
    install_hook(desk, "open", "#!/usr/bin/python3\nimport os, sys, pathlib\n"
                 "pathlib.Path(os.environ['HOOK_OUT'], 'cwd.txt').write_text(os.getcwd() + '\\n' + repr(sys.argv[1:]))\n")
    desk.open("--title", "$HOME * `id`")
    cwd, argv = (hook_out / "cwd.txt").read_text().split("\n")
    assert cwd == str(desk.root.resolve())
    assert argv == "[]"


def test_failing_hook_warns_and_keeps_the_change(desk):
    install_hook(desk, "triage", "#!/bin/sh\necho 'IM gateway unreachable' >&2\nexit 3\n")
    tid = desk.open("--title", "x")
    r = desk.run("triage", tid, "--category", "network")
    assert r.code == 0, r
    assert r.out == f"{tid}: triaged: incident network, priority P4\n"
    assert "desk: warning:" in r.err
    assert "hooks/triage" in r.err and "exit status 3" in r.err and "IM gateway unreachable" in r.err
    assert tid in r.err and "saved" in r.err
    assert desk.load(tid)["status"] == "triaged"


def test_failing_open_hook_keeps_the_ticket(desk):
    install_hook(desk, "open", "#!/bin/sh\nexit 1\n")
    r = desk.run("open", "-q", "--title", "x")
    assert r.code == 0, r
    tid = r.out.strip()
    assert desk.load(tid)["status"] == "new"
    assert "hooks/open" in r.err


def test_slow_hook_is_stopped_after_the_timeout(desk):
    write_config(desk, lambda c: c.update({"hooks": {"timeout": "1s"}}))
    install_hook(desk, "assign", "#!/bin/sh\nsleep 30\n")
    tid = bring_to(desk, "triaged")
    started = time.monotonic()
    r = desk.run("assign", tid, "--to", "bob", timeout=20)
    elapsed = time.monotonic() - started
    assert r.code == 0, r
    assert elapsed < 6, elapsed
    assert "hooks/assign" in r.err and "stopped after 1s" in r.err
    t = desk.load(tid)
    assert (t["status"], t["assignee"]) == ("assigned", "bob")


def test_slow_hook_with_a_child_holding_stdout_is_stopped(desk):
    """The time limit holds even when the hook leaves a grandchild that keeps its pipes open."""
    write_config(desk, lambda c: c.update({"hooks": {"timeout": "1s"}}))
    install_hook(desk, "open", "#!/bin/sh\n(sleep 30; echo late) &\nsleep 30\n")
    started = time.monotonic()
    r = desk.run("open", "-q", "--title", "x", timeout=40)
    assert r.code == 0, r
    assert time.monotonic() - started < 6
    assert "stopped after 1s" in r.err


def test_non_executable_hook_is_reported(desk):
    path = install_hook(desk, "open", "#!/bin/sh\nexit 0\n", executable=False)
    r = desk.run("open", "-q", "--title", "x")
    assert r.code == 0, r
    tid = r.out.strip()
    assert desk.load(tid)["status"] == "new"
    assert "desk: warning:" in r.err and str(path.name) in r.err and "not executable" in r.err


def test_steps_without_a_hook_file_say_nothing(desk):
    (desk.root / ".desk" / "hooks").mkdir()
    tid = desk.open("--title", "x")
    r = desk.ok("triage", tid, "--category", "network")
    assert r.err == ""


def test_sla_notify_runs_hooks_once_per_ticket_and_target(desk, hook_out):
    for name in ("sla-warning", "sla-breach"):
        install_hook(desk, name, HOOK_RECORDER)
    desk.now = at("2026-11-27 17:30")
    p3 = desk.open("--title", "p3", "--urgency", "high")   # respond by Mon 10:30
    p4 = desk.open("--title", "p4")                         # respond by Mon 16:30

    # Mon 10:00: the P3 is at the warning share of its respond target.
    desk.now = at("2026-11-30 10:00")
    r = desk.run("sla", "--notify")
    assert r.code == 0, r
    runs = hook_outputs(hook_out)
    warnings = [(n, p) for n, p in runs if n == "sla-warning"]
    assert len(warnings) == 1
    payload = warnings[0][1]
    assert payload["hook"] == "sla-warning"
    assert payload["ticket"]["id"] == p3
    assert payload["event"]["action"] == "notice"
    assert payload["event"]["sla"] == "warning respond"
    assert not [n for n, _ in runs if n == "sla-breach"]
    check = last_event(desk, p3)
    assert (check["action"], check["by"], check["at"], check["sla"]) == \
        ("notice", "alice", at("2026-11-30 10:00"), "warning respond")
    t = desk.load(p3)
    assert t["status"] == "new" and "responded_at" not in t  # a notice is not a response
    assert len(desk.load(p4)["events"]) == 1

    # A second run does not notify again.
    before = desk.snapshot()
    n_runs = len(hook_outputs(hook_out))
    desk.now = at("2026-11-30 10:05")
    assert desk.run("sla", "--notify").code == 0
    assert len(hook_outputs(hook_out)) == n_runs
    assert desk.snapshot() == before

    # Mon 10:31: breached now -> the breach hook runs once, sla exits 1.
    desk.now = at("2026-11-30 10:31")
    assert desk.run("sla", "--notify").code == FAILURE
    assert desk.run("sla", "--notify").code == FAILURE
    breaches = [p for n, p in hook_outputs(hook_out) if n == "sla-breach"]
    assert len(breaches) == 1
    assert breaches[0]["ticket"]["id"] == p3 and breaches[0]["event"]["sla"] == "breach respond"
    notices = [e.get("sla") for e in desk.load(p3)["events"] if e["action"] == "notice"]
    assert notices == ["warning respond", "breach respond"]
    assert len(desk.load(p4)["events"]) == 1


def test_sla_without_notify_runs_no_hooks_and_changes_nothing(desk, hook_out):
    install_hook(desk, "sla-breach", HOOK_RECORDER)
    desk.now = at("2026-11-27 17:30")
    desk.open("--title", "p1", "--impact", "core-business", "--urgency", "critical")
    desk.now = at("2026-11-27 18:00")
    before = desk.snapshot()
    assert desk.run("sla").code == FAILURE
    assert hook_outputs(hook_out) == []
    assert desk.snapshot() == before
