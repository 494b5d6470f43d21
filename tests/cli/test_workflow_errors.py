"""The transition table (every allowed and every refused step) and bad input.

Every refusal must give a clear message, the documented exit code, and leave the
repository byte-identical.
"""
import re
import shutil

import pytest

from conftest import BAD_DATA, INVALID_STATE, NOT_FOUND, USAGE, Desk, write_config
from workflow_helpers import STATUSES, at, bring_to, config_line, edit_config_text, with_teams

# --- the transition table ------------------------------------------------------------------------

OPEN_STATUSES = {"new", "triaged", "assigned", "in_progress", "pending", "escalated", "reopened"}

# command -> (arguments after the id, statuses it is allowed from, resulting status or None = unchanged)
COMMANDS = {
    "triage": (["--category", "server"], OPEN_STATUSES, None),
    "assign": (["--to", "carol"], {"triaged", "reopened", "assigned", "escalated", "in_progress"}, "assigned"),
    "escalate": (["--tier", "3", "--reason", "needs tier 3"], {"assigned", "in_progress", "pending", "escalated"},
                 "escalated"),
    "start": ([], {"assigned", "escalated", "reopened"}, "in_progress"),
    "log": (["-m", "checked the logs", "--minutes", "5"], OPEN_STATUSES | {"resolved"}, None),
    "pending": (["--reason", "awaiting-user", "-m", "asked the user"], {"assigned", "in_progress", "escalated"},
                "pending"),
    "resume": ([], {"pending"}, "in_progress"),
    "resolve": (["--solution", "fixed", "--verified-by", "bob"],
                {"new", "triaged", "assigned", "in_progress", "pending", "escalated", "reopened"}, "resolved"),
    "confirm": (["--rating", "4"], {"resolved"}, "confirmed"),
    "confirm --reject": (["--reject", "-m", "not fixed"], {"resolved"}, "reopened"),
    "close": ([], {"confirmed"}, "closed"),
    "cancel": (["--reason", "withdrawn"], OPEN_STATUSES, "cancelled"),
}

# The action each command records (as named in the "allowed from ..." hint).
ACTION = {"confirm --reject": "reopen"}


def expected_after(command, status):
    to = COMMANDS[command][2]
    if command == "triage":
        return "triaged" if status in ("new", "triaged", "reopened") else status
    return status if to is None else to


def allowed_actions(status):
    return {ACTION.get(c, c) for c, (_, allowed, _) in COMMANDS.items() if status in allowed} | \
        ({"close"} if status == "resolved" else set())


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A repository with one ticket in every status (built once, copied for each case)."""
    base = tmp_path_factory.mktemp("transitions")
    root = base / "repo"
    d = Desk(root)
    d.now = at("2026-11-30 09:00")
    r = d.run("init", str(root), "--timezone", "Asia/Shanghai", cwd=base)
    assert r.code == 0, r
    ids = {status: bring_to(d, status) for status in STATUSES}
    for status, tid in ids.items():
        assert d.load(tid)["status"] == status
    return root, ids


def copy_of(template, dest):
    root, ids = template
    shutil.copytree(root, dest, symlinks=True)
    d = Desk(dest)
    d.now = at("2026-11-30 10:00")
    return d, ids


@pytest.fixture(scope="module")
def per_command(template, tmp_path_factory):
    """One copy of the template per command, made on first use: each case touches only the
    ticket of its own status, so the cases of one command can share a copy."""
    copies = {}

    def get(command):
        if command not in copies:
            dest = tmp_path_factory.mktemp("cmd") / "repo"
            copies[command] = copy_of(template, dest)
        return copies[command]
    return get


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_transition(per_command, command, status):
    d, ids = per_command(command)
    tid = ids[status]
    args, allowed, _ = COMMANDS[command]
    name = command.split()[0]
    before = d.snapshot()
    n_events = len(d.load(tid)["events"])
    r = d.run(name, tid, *args)
    if status in allowed:
        assert r.code == 0, r
        t = d.load(tid)
        assert t["status"] == expected_after(command, status)
        assert len(t["events"]) == n_events + 1
        assert t["events"][-1]["action"] == ACTION.get(command, name)
        assert t["events"][-1]["at"] == at("2026-11-30 10:00")
        return
    assert r.code == INVALID_STATE, r
    assert "desk: error:" in r.err
    assert d.snapshot() == before, "a refused step changed the repository"
    assert tid in r.err
    if command == "close" and status == "resolved":
        # Not stale yet: it says what is missing (the confirmation) and what to do.
        assert "resolved" in r.err and "not confirmed" in r.err and f"desk confirm {tid}" in r.err
        return
    assert f"it is {status}" in r.err, r.err
    if status in ("closed", "cancelled"):
        assert "nothing more can be done" in r.err, r.err
        return
    m = re.search(rf"allowed from {status}: (.*)", r.err)
    assert m, r.err
    listed = {a.strip() for a in m.group(1).split(",")}
    # `notice` (sla --notify), `edit`, `reply` and `message` (the requester's side) change no status.
    assert listed - {"notice", "edit", "reply", "message"} == allowed_actions(status), r.err


def test_refusal_hint_names_only_user_commands(template, tmp_path):
    """The hint lists what the user can do; `notice` is recorded by `desk sla --notify`, not a command."""
    d, ids = copy_of(template, tmp_path / "repo")
    for status in ("new", "assigned", "pending"):
        r = d.run("confirm", ids[status], "--rating", "4")
        assert r.code == INVALID_STATE
        m = re.search(rf"allowed from {status}: (.*)", r.err)
        assert m and "notice" not in m.group(1), r.err


# --- bad input ------------------------------------------------------------------------------------

def refused(desk, code, *args, must=()):
    """Run a command that must fail with `code`, mention every string in `must`, and change nothing."""
    before = desk.snapshot()
    r = desk.fails(code, *args)
    for s in must:
        assert s in r.err, (s, r.err)
    assert desk.snapshot() == before, f"desk {args} changed the repository"
    return r


def test_unknown_classification_values(desk):
    tid = desk.open("--title", "x")
    refused(desk, USAGE, "open", "--title", "y", "--impact", "planet",
            must=["impact", "'planet'", "individual, department, company, core-business"])
    refused(desk, USAGE, "open", "--title", "y", "--urgency", "asap", must=["urgency", "'asap'", "low, medium, high, critical"])
    refused(desk, USAGE, "open", "--title", "y", "--type", "bug", must=["type", "'bug'", "incident"])
    refused(desk, USAGE, "triage", tid, "--category", "printer",
            must=["category", "'printer'", "network, server, database, application, end-user-device"])
    refused(desk, USAGE, "triage", tid, "--category", "network", "--type", "bug", must=["type", "'bug'", "incident"])
    refused(desk, USAGE, "triage", tid, "--category", "network", "--impact", "planet", must=["impact", "'planet'"])
    refused(desk, USAGE, "triage", tid, "--category", "network", "--urgency", "asap", must=["urgency", "'asap'"])
    refused(desk, USAGE, "triage", tid, "--category", "network", "--priority", "P9", "--reason", "r",
            must=["priority", "'P9'", "P1, P2, P3, P4"])
    refused(desk, USAGE, "triage", tid, must=["category"])


def test_unknown_team_and_vendor(desk):
    tid = bring_to(desk, "assigned")
    refused(desk, NOT_FOUND, "assign", tid, "--team", "ops", must=["team", "'ops'", "no teams are configured"])
    with_teams(desk)
    refused(desk, NOT_FOUND, "assign", tid, "--team", "ops",
            must=["'ops'", "service-desk, network-team, server-team, experts"])
    refused(desk, NOT_FOUND, "escalate", tid, "--vendor", "acme", "--reason", "r", must=["'acme'", "acme-isp, oracle"])
    refused(desk, NOT_FOUND, "escalate", tid, "--tier", "2", "--team", "ops", "--reason", "r", must=["'ops'"])
    refused(desk, NOT_FOUND, "assign", tid, "--to", "dave", "--collaborator", "ops", must=["'ops'"])
    refused(desk, NOT_FOUND, "assign", tid, "--to", "dave", "--lead-team", "ops", must=["'ops'"])


def test_any_vendor_until_vendors_are_configured(desk):
    tid = bring_to(desk, "assigned")
    r = desk.ok("escalate", tid, "--vendor", "Acme 网络", "--reason", "line down")
    assert "vendor Acme 网络" in r.out
    t = desk.load(tid)
    assert t["vendor"] == "Acme 网络" and t["status"] == "escalated"
    assert t["events"][-1]["action"] == "escalate"


def test_any_user_until_members_are_configured(desk):
    tid = bring_to(desk, "triaged")
    desk.ok("assign", tid, "--to", "zhang.wei")
    assert desk.load(tid)["assignee"] == "zhang.wei"
    with_teams(desk)
    tid2 = bring_to(desk, "triaged")
    refused(desk, NOT_FOUND, "assign", tid2, "--to", "zed", must=["'zed'"])
    refused(desk, NOT_FOUND, "assign", tid2, "--to", "dave", "--team", "service-desk",
            must=["'dave'", "service-desk", "alice, bob"])
    desk.ok("assign", tid2, "--to", "bob")
    desk.ok("start", tid2)
    refused(desk, NOT_FOUND, "escalate", tid2, "--tier", "2", "--to", "zed", "--reason", "r", must=["'zed'"])
    refused(desk, NOT_FOUND, "resolve", tid2, "--solution", "s", "--verified-by", "zed", must=["'zed'"])


@pytest.mark.parametrize("rating", ["0", "6", "x", "-1", "4.5"])
def test_rating_out_of_range(desk, rating):
    tid = bring_to(desk, "resolved")
    r = refused(desk, USAGE, "confirm", tid, "--rating", rating)
    assert "rating" in r.err


def test_rating_message_says_what_is_allowed(desk):
    tid = bring_to(desk, "resolved")
    refused(desk, USAGE, "confirm", tid, "--rating", "6", must=["1 to 5"])
    refused(desk, USAGE, "confirm", tid, "--reject", "--rating", "2", "-m", "no", must=["--rating", "--reject"])


def test_reasons_are_required(desk):
    assigned = bring_to(desk, "assigned")
    refused(desk, USAGE, "escalate", assigned, "--tier", "2", must=["reason", "--reason"])
    refused(desk, USAGE, "escalate", assigned, "--tier", "2", "--reason", "  ", must=["--reason"])
    refused(desk, USAGE, "pending", assigned, "-m", "waiting", must=["reason", "--reason"])
    refused(desk, USAGE, "pending", assigned, "--reason", "awaiting-godot",
            must=["'awaiting-godot'", "awaiting-user, awaiting-vendor, awaiting-change"])
    refused(desk, USAGE, "cancel", assigned, must=["reason", "--reason"])


def test_resolve_needs_solution_and_verification(desk):
    tid = bring_to(desk, "triaged")
    refused(desk, USAGE, "resolve", tid, "--verified-by", "bob", must=["solution", "--solution"])
    refused(desk, USAGE, "resolve", tid, "--solution", "fixed", must=["verif", "--verified-by"])
    refused(desk, USAGE, "resolve", tid, "--solution", " ", "--verified-by", "bob", must=["--solution"])


def test_documented_invalid_transitions(desk):
    in_progress = bring_to(desk, "in_progress")
    refused(desk, INVALID_STATE, "confirm", in_progress, "--rating", "5", must=["it is in_progress", "resolve"])
    resolved = bring_to(desk, "resolved")
    refused(desk, INVALID_STATE, "close", resolved, must=["not confirmed", "confirm"])
    closed = bring_to(desk, "closed")
    refused(desk, INVALID_STATE, "escalate", closed, "--tier", "2", "--reason", "r", must=["it is closed"])


def test_escalation_goes_up(desk):
    with_teams(desk)
    tid = bring_to(desk, "escalated")
    assert desk.load(tid)["tier"] == "2"
    refused(desk, USAGE, "escalate", tid, "--tier", "2", "--reason", "r", must=["already at tier 2", "--tier 3"])
    refused(desk, USAGE, "escalate", tid, "--tier", "1", "--reason", "r", must=["--tier"])
    refused(desk, USAGE, "escalate", tid, "--reason", "r", must=["--tier", "--vendor"])
    refused(desk, USAGE, "escalate", tid, "--tier", "3", "--vendor", "acme-isp", "--reason", "r", must=["--tier", "--vendor"])
    refused(desk, USAGE, "escalate", tid, "--tier", "3", "--team", "network-team", "--reason", "r",
            must=["network-team", "tier 2"])


def test_unknown_ticket(desk):
    refused(desk, NOT_FOUND, "triage", "INC-NOPE", "--category", "network", must=["INC-NOPE"])


# --- a bad config: every command names the file and line, exit 5 ----------------------------------

CONFIG_COMMANDS = [
    ["open", "-q", "--title", "x"],
    ["list"],
    ["show", "{id}"],
    ["sla"],
    ["triage", "{id}", "--category", "network"],
    ["assign", "{id}", "--to", "bob"],
    ["resolve", "{id}", "--solution", "s", "--verified-by", "bob"],
    ["cancel", "{id}", "--reason", "r"],
    ["close", "--stale"],
]


def check_every_command_reports(desk, tid, lines, must):
    before = desk.snapshot()
    for cmd in CONFIG_COMMANDS:
        args = [a.replace("{id}", tid) for a in cmd]
        r = desk.run(*args)
        assert r.code == BAD_DATA, (args, r)
        assert "desk: error:" in r.err, (args, r)
        m = re.search(r"\.desk/config\.yaml:(\d+)(:\d+)?: ", r.err)
        assert m, (args, r.err)
        assert int(m.group(1)) in lines, (args, lines, r.err)
        for s in must:
            assert s in r.err, (args, s, r.err)
    assert desk.snapshot() == before


def test_every_command_refuses_a_config_matrix_with_a_hole(desk):
    tid = desk.open("--title", "x")
    edit_config_text(desk, "individual:    {critical: P2, high: P3, medium: P4, low: P4}",
                     "individual:    {critical: P2, high: P3, medium: P4}")
    lines = {config_line(desk, "matrix:"), config_line(desk, "core-business: {critical"),
             config_line(desk, "individual:    {critical")}
    check_every_command_reports(desk, tid, lines, ["individual", "low"])


def test_every_command_refuses_a_config_calendar_without_working_hours(desk):
    tid = desk.open("--title", "x")
    edit_config_text(desk, 'hours: ["09:00-18:00"]', "hours: []")
    check_every_command_reports(desk, tid, {config_line(desk, "hours: []")}, ["hours"])


def test_every_command_refuses_a_config_calendar_without_working_days(desk):
    tid = desk.open("--title", "x")
    edit_config_text(desk, "working_days: [mon, tue, wed, thu, fri]", "working_days: []")
    check_every_command_reports(desk, tid, {config_line(desk, "working_days: []")}, ["working_days"])


def test_config_unknown_weekday(desk):
    tid = desk.open("--title", "x")
    edit_config_text(desk, "working_days: [mon, tue, wed, thu, fri]", "working_days: [mon, tue, wed, thu, fry]")
    check_every_command_reports(desk, tid, {config_line(desk, "working_days:")}, ["'fry'", "mon, tue"])


def test_config_bad_duration(desk):
    tid = desk.open("--title", "x")
    edit_config_text(desk, "P3: {respond: 2h, resolve: 24h, clock: business}",
                     "P3: {respond: 2h, resolve: 24 hours, clock: business}")
    check_every_command_reports(desk, tid, {config_line(desk, "P3: {respond")}, ["'24 hours'", "15m"])


def test_config_bad_holiday(desk):
    """The line is the holidays line, not the start of the calendar block."""
    tid = desk.open("--title", "x")
    edit_config_text(desk, "holidays: []", "holidays: [2026-13-01]")
    check_every_command_reports(desk, tid, {config_line(desk, "holidays:")}, ["2026-13-01"])


def test_config_missing_sla_target(desk):
    tid = desk.open("--title", "x")
    edit_config_text(desk, "    P4: {respond: 8h, resolve: 40h, clock: business}\n", "")
    lines = {config_line(desk, "sla:"), config_line(desk, "  targets:"), config_line(desk, "P1: {respond")}
    check_every_command_reports(desk, tid, lines, ["P4"])


def test_config_unknown_team_in_rule_via_write_config(desk):
    tid = desk.open("--title", "x")
    write_config(desk, lambda c: c.update({"rules": [{"category": "network", "team": "ghosts"}]}))
    check_every_command_reports(desk, tid, {config_line(desk, "- category: network"), config_line(desk, "team: ghosts")},
                                ["ghosts"])


def test_assign_needs_exactly_one_mode(desk):
    tid = bring_to(desk, "triaged")
    refused(desk, USAGE, "assign", tid, must=["--to", "--team", "--auto"])
    refused(desk, USAGE, "assign", tid, "--to", "bob", "--auto", must=["--auto"])


def test_assign_auto_needs_a_category_and_a_match(desk):
    with_teams(desk)
    tid = desk.open("--title", "x")
    desk.ok("triage", tid, "--category", "database")
    # server-team has the database skill: it matches.
    desk.ok("assign", tid, "--auto")
    assert desk.load(tid)["team"] == "server-team"
    write_config(desk, lambda c: c["teams"]["server-team"].update({"skills": ["server"]}))
    tid2 = desk.open("--title", "y")
    desk.ok("triage", tid2, "--category", "database")
    refused(desk, USAGE, "assign", tid2, "--auto", must=["database", "--to"])


def test_notify_needs_a_supervisor(desk):
    with_teams(desk)
    tid = bring_to(desk, "escalated")  # network-team, tier 2
    refused(desk, USAGE, "escalate", tid, "--tier", "3", "--reason", "r", "--notify", must=["supervisor"])
