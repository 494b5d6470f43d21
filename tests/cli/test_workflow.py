"""The support workflow end to end, with DESK_NOW stepping through time.

Repository zone Asia/Shanghai (+08:00), default calendar Mon-Fri 09:00-18:00.
2026-11-27 is a Friday; 2026-11-30 a Monday.
"""

from conftest import USAGE, write_config
from workflow_helpers import at, bring_to, check_event, events, last_event, with_teams


# --- (a) quick fix at first line -------------------------------------------------------------

def test_quick_fix_at_first_line(desk):
    desk.now = at("2026-11-27 17:30")
    tid = desk.open("--title", "Printer offline", "--reporter", "Wang Fang", "--department", "Finance")
    t = desk.load(tid)
    assert t["status"] == "new"
    assert t["priority"] == "P4"  # individual x medium, the defaults
    assert t["respond_due"] == at("2026-11-30 16:30")
    assert t["resolve_due"] == at("2026-12-04 12:30")
    check_event(last_event(desk, tid), "open", "alice", at("2026-11-27 17:30"),
                {"status": "new", "priority": "P4", "impact": "individual", "urgency": "medium",
                 "respond_due": at("2026-11-30 16:30"), "resolve_due": at("2026-12-04 12:30")})

    desk.now = at("2026-11-27 17:35")
    r = desk.ok("triage", tid, "--category", "end-user-device", "-m", "spooler hangs")
    assert r.out == f"{tid}: triaged: incident end-user-device, priority P4\n"
    t = desk.load(tid)
    assert (t["status"], t["category"], t["responded_at"]) == ("triaged", "end-user-device", at("2026-11-27 17:35"))
    check_event(last_event(desk, tid), "triage", "alice", at("2026-11-27 17:35"),
                {"category": "end-user-device", "status": "triaged", "responded_at": at("2026-11-27 17:35")},
                note="spooler hangs")

    desk.now = at("2026-11-27 17:40")
    desk.ok("resolve", tid, "--solution", "Restarted the print spooler", "--verified-by", "alice",
            "--verification", "printed a test page")
    t = desk.load(tid)
    assert t["status"] == "resolved"
    assert t["solution"] == "Restarted the print spooler"
    assert t["verified_by"] == "alice"
    assert t["assignee"] == "alice"
    assert t["resolved_at"] == at("2026-11-27 17:40")
    check_event(last_event(desk, tid), "resolve", "alice", at("2026-11-27 17:40"),
                {"solution": "Restarted the print spooler", "verified_by": "alice",
                 "verification": "printed a test page", "resolved_at": at("2026-11-27 17:40"),
                 "assignee": "alice", "status": "resolved"})

    desk.now = at("2026-11-30 09:30")
    desk.user = "wang"
    r = desk.ok("confirm", tid, "--rating", "5", "-m", "works again")
    assert r.out == f"{tid}: confirmed by the user, rating 5\n"
    t = desk.load(tid)
    assert (t["status"], t["rating"], t["confirmed_at"]) == ("confirmed", "5", at("2026-11-30 09:30"))
    check_event(last_event(desk, tid), "confirm", "wang", at("2026-11-30 09:30"),
                {"confirmed_at": at("2026-11-30 09:30"), "rating": "5", "status": "confirmed"}, note="works again",
                ignore=("resolve_due",))  # see test_resolve_due_is_frozen_once_resolved

    desk.now = at("2026-11-30 09:31")
    desk.user = "alice"
    desk.ok("close", tid)
    t = desk.load(tid)
    assert (t["status"], t["closed_at"]) == ("closed", at("2026-11-30 09:31"))
    check_event(last_event(desk, tid), "close", "alice", at("2026-11-30 09:31"),
                {"closed_at": at("2026-11-30 09:31"), "status": "closed"}, ignore=("resolve_due",))
    assert [e["action"] for e in t["events"]] == ["open", "triage", "resolve", "confirm", "close"]
    # The ticket's `updated` follows the last event; show agrees with the file.
    assert t["updated"] == at("2026-11-30 09:31")
    assert desk.show(tid)["status"] == "closed"


def test_resolve_due_is_frozen_once_resolved(desk):
    """Confirming or closing a resolved ticket must not move its resolve due time: the target
    was met (or missed) at resolution; the wait for the user's confirmation comes after it."""
    desk.now = at("2026-11-27 17:30")
    tid = desk.open("--title", "Printer offline")
    desk.ok("triage", tid, "--category", "end-user-device")
    desk.now = at("2026-11-27 17:40")
    desk.ok("resolve", tid, "--solution", "restarted", "--verified-by", "alice")
    assert desk.load(tid)["resolve_due"] == at("2026-12-04 12:30")
    desk.now = at("2026-11-30 09:30")
    desk.ok("confirm", tid, "--rating", "5")
    assert desk.load(tid)["resolve_due"] == at("2026-12-04 12:30")
    assert "resolve_due" not in last_event(desk, tid)["set"]
    desk.now = at("2026-11-30 11:00")
    desk.ok("close", tid)
    assert desk.load(tid)["resolve_due"] == at("2026-12-04 12:30")
    assert "resolve_due" not in last_event(desk, tid)["set"]


def test_quick_fix_straight_from_new(desk):
    tid = desk.open("--title", "Password reset")
    desk.ok("resolve", tid, "--solution", "reset it", "--verified-by", "alice")
    assert desk.load(tid)["status"] == "resolved"


# --- (b) escalation: tier 1 -> tier 2 -> vendor -> pending -> resume -> resolve -> confirm -----

def _busy_tickets(desk):
    """alice and dave each own one open ticket (the load that --auto weighs)."""
    desk.now = at("2026-11-30 08:00")
    a = desk.open("--title", "Outlook crashes")
    desk.ok("triage", a, "--category", "application")
    desk.ok("assign", a, "--to", "alice")
    d = desk.open("--title", "Switch in room 301")
    desk.ok("triage", d, "--category", "network")
    desk.ok("assign", d, "--to", "dave")
    return a, d


def test_escalation_to_tier_2_then_vendor_with_paused_clock(desk):
    with_teams(desk)
    _busy_tickets(desk)

    desk.now = at("2026-11-30 09:00")
    tid = desk.open("--title", "Office network down", "--impact", "department", "--urgency", "medium")
    t = desk.load(tid)
    assert (t["priority"], t["respond_due"], t["resolve_due"]) == ("P3", at("2026-11-30 11:00"), at("2026-12-02 15:00"))

    desk.now = at("2026-11-30 09:10")
    desk.ok("triage", tid, "--category", "network", "--type", "incident")
    check_event(last_event(desk, tid), "triage", "alice", at("2026-11-30 09:10"),
                {"category": "network", "status": "triaged", "responded_at": at("2026-11-30 09:10")})

    desk.now = at("2026-11-30 09:20")
    r = desk.ok("assign", tid, "--auto")
    assert r.out == f"{tid}: assigned to bob (service-desk)\n"
    t = desk.load(tid)
    assert (t["status"], t["team"], t["assignee"], t["tier"]) == ("assigned", "service-desk", "bob", "1")
    ev = last_event(desk, tid)
    check_event(ev, "assign", "alice", at("2026-11-30 09:20"),
                {"assignee": "bob", "team": "service-desk", "tier": "1", "status": "assigned"})
    # The note explains the choice: the rule and the member with the fewest open tickets.
    assert "category=network" in ev["note"] and "service-desk" in ev["note"], ev
    assert "bob has the fewest open tickets (0)" in ev["note"], ev

    desk.now = at("2026-11-30 09:30")
    desk.user = "bob"
    desk.ok("start", tid)
    check_event(last_event(desk, tid), "start", "bob", at("2026-11-30 09:30"), {"status": "in_progress"})

    desk.now = at("2026-11-30 09:45")
    desk.ok("log", tid, "-m", "Switch port flapping on the core switch", "--minutes", "15")
    check_event(last_event(desk, tid), "log", "bob", at("2026-11-30 09:45"), {},
                note="Switch port flapping on the core switch", minutes="15")

    desk.now = at("2026-11-30 10:00")
    r = desk.ok("escalate", tid, "--tier", "2", "--reason", "needs the network engineers")
    # network-team (tier 2, skill network), not server-team; erin has 0 open tickets, dave 1.
    assert r.out == f"{tid}: escalated to tier 2 (network-team), assigned to erin\n"
    t = desk.load(tid)
    assert (t["status"], t["tier"], t["team"], t["assignee"]) == ("escalated", "2", "network-team", "erin")
    check_event(last_event(desk, tid), "escalate", "bob", at("2026-11-30 10:00"),
                {"tier": "2", "team": "network-team", "assignee": "erin", "status": "escalated"},
                note="needs the network engineers", escalation="tier 2 (network-team)")

    desk.now = at("2026-11-30 10:30")
    desk.user = "erin"
    desk.ok("escalate", tid, "--vendor", "acme-isp", "--reason", "ISP uplink fault")
    t = desk.load(tid)
    assert (t["status"], t["vendor"], t["tier"], t["team"], t["assignee"]) == \
        ("escalated", "acme-isp", "2", "network-team", "erin")
    check_event(last_event(desk, tid), "escalate", "erin", at("2026-11-30 10:30"), {"vendor": "acme-isp"},
                note="ISP uplink fault", escalation="vendor acme-isp")
    # The tier history stays in the events.
    assert [e.get("escalation") for e in t["events"] if e["action"] == "escalate"] == \
        ["tier 2 (network-team)", "vendor acme-isp"]

    desk.now = at("2026-11-30 11:30")
    r = desk.ok("pending", tid, "--reason", "awaiting-vendor", "-m", "ISP ticket 4711")
    assert "SLA clock paused" in r.out
    t = desk.load(tid)
    assert (t["status"], t["pending_reason"]) == ("pending", "awaiting-vendor")
    assert t["resolve_due"] == at("2026-12-02 15:00")
    check_event(last_event(desk, tid), "pending", "erin", at("2026-11-30 11:30"),
                {"pending_reason": "awaiting-vendor", "status": "pending"}, note="ISP ticket 4711")

    # While paused, `desk sla` shows the pause and no breach.
    desk.now = at("2026-12-01 13:00")
    row = [x for x in desk.ok("sla", "--format", "json").json() if x["id"] == tid][0]
    assert row["paused_now"] is True
    assert row["status"] == "pending"

    # Paused Mon 11:30-18:00 (6h30) + Tue 09:00-14:00 (5h) = 11h30 of working time:
    # Wed 15:00 + 11h30 business = Thu 17:30.
    desk.now = at("2026-12-01 14:00")
    r = desk.ok("resume", tid)
    assert r.out == f"{tid}: in progress again, resolve by 2026-12-03 17:30\n"
    t = desk.load(tid)
    assert t["status"] == "in_progress"
    assert t.get("pending_reason", "") == ""
    assert t["resolve_due"] == at("2026-12-03 17:30")
    assert t["respond_due"] == at("2026-11-30 11:00")
    check_event(last_event(desk, tid), "resume", "erin", at("2026-12-01 14:00"),
                {"status": "in_progress", "pending_reason": "", "resolve_due": at("2026-12-03 17:30")})

    desk.now = at("2026-12-01 15:00")
    desk.ok("resolve", tid, "--solution", "ISP replaced the uplink", "--verified-by", "dave",
            "--cause", "faulty uplink at the ISP")
    t = desk.load(tid)
    assert (t["status"], t["verified_by"], t["cause"], t["assignee"]) == \
        ("resolved", "dave", "faulty uplink at the ISP", "erin")
    check_event(last_event(desk, tid), "resolve", "erin", at("2026-12-01 15:00"),
                {"solution": "ISP replaced the uplink", "verified_by": "dave", "cause": "faulty uplink at the ISP",
                 "resolved_at": at("2026-12-01 15:00"), "status": "resolved"})

    desk.now = at("2026-12-02 10:00")
    desk.user = "alice"
    desk.ok("confirm", tid, "--rating", "4")
    t = desk.load(tid)
    assert (t["status"], t["rating"]) == ("confirmed", "4")
    assert [e["action"] for e in t["events"]] == \
        ["open", "triage", "assign", "start", "log", "escalate", "escalate", "pending", "resume", "resolve", "confirm"]
    # Resolved tickets leave `desk sla`.
    assert tid not in [x["id"] for x in desk.run("sla", "--format", "json").json()]


def test_assign_auto_prefers_rule_then_fewest_open_then_name(desk):
    with_teams(desk)
    desk.now = at("2026-11-30 09:00")
    # Rule on the affected system wins over the category rule.
    vpn = desk.open("--title", "VPN drops", "--affected", "VPN")
    desk.ok("triage", vpn, "--category", "network")
    desk.ok("assign", vpn, "--auto")
    t = desk.load(vpn)
    # dave and erin both have 0 open tickets: the tie goes to the first name.
    assert (t["team"], t["assignee"], t["tier"]) == ("network-team", "dave", "2")
    assert "affected=VPN" in last_event(desk, vpn)["note"]
    # Now dave has one open ticket: the next VPN ticket goes to erin.
    vpn2 = desk.open("--title", "VPN slow", "--affected", "VPN")
    desk.ok("triage", vpn2, "--category", "network")
    desk.ok("assign", vpn2, "--auto")
    assert desk.load(vpn2)["assignee"] == "erin"
    # No rule for server: the team whose skill matches at the lowest tier that fits.
    srv = desk.open("--title", "Disk full on app01")
    desk.ok("triage", srv, "--category", "server")
    desk.ok("assign", srv, "--auto")
    t = desk.load(srv)
    assert (t["team"], t["assignee"]) == ("server-team", "gina")
    assert "server-team" in last_event(desk, srv)["note"]


def test_escalate_tier_3_and_notify_supervisor(desk):
    with_teams(desk)
    desk.now = at("2026-11-30 09:00")
    tid = bring_to(desk, "in_progress")  # network, bob (service-desk, tier 1)
    r = desk.ok("escalate", tid, "--tier", "2", "--reason", "beyond first line", "--notify")
    assert "supervisor frank notified" in r.out
    ev = last_event(desk, tid)
    assert ev["notify"] == "frank"
    desk.ok("escalate", tid, "--tier", "3", "--reason", "beyond second line")
    t = desk.load(tid)
    assert (t["tier"], t["team"], t["assignee"]) == ("3", "experts", "hank")
    assert [e.get("escalation") for e in t["events"] if e["action"] == "escalate"] == \
        ["tier 2 (network-team)", "tier 3 (experts)"]


def test_lead_team_and_collaborators(desk):
    with_teams(desk)
    tid = bring_to(desk, "triaged")
    desk.ok("assign", tid, "--team", "network-team", "--to", "dave", "--collaborator", "server-team")
    t = desk.load(tid)
    assert (t["team"], t["assignee"], t["lead_team"], t["collaborators"]) == \
        ("network-team", "dave", "network-team", ["server-team"])
    desk.ok("assign", tid, "--to", "gina", "--team", "server-team", "--lead-team", "network-team")
    t = desk.load(tid)
    assert (t["team"], t["assignee"], t["lead_team"]) == ("server-team", "gina", "network-team")


# --- (c) the user rejects the fix ------------------------------------------------------------

def test_user_rejects_and_ticket_reopens(desk):
    desk.now = at("2026-11-30 09:00")
    tid = desk.open("--title", "Excel crashes on save")
    t = desk.load(tid)
    assert (t["respond_due"], t["resolve_due"]) == (at("2026-11-30 17:00"), at("2026-12-04 13:00"))
    desk.now = at("2026-11-30 09:05")
    desk.ok("triage", tid, "--category", "application")
    desk.now = at("2026-11-30 09:30")
    desk.ok("resolve", tid, "--solution", "Repaired the Office install", "--verified-by", "alice")

    # Waiting for the user's confirmation does not count against the resolve target:
    # Mon 09:30 -> Tue 10:00 is 9h30 of working time, so Fri 13:00 moves to Mon 2026-12-07 13:30.
    desk.now = at("2026-12-01 10:00")
    desk.user = "wang"
    r = desk.ok("confirm", tid, "--reject", "-m", "still crashes when saving to the share")
    assert r.out == f"{tid}: reopened (reopen #1); back to diagnosis\n"
    t = desk.load(tid)
    assert (t["status"], t["reopen_count"]) == ("reopened", "1")
    assert t.get("resolved_at", "") == ""
    assert t["resolve_due"] == at("2026-12-07 13:30")
    check_event(last_event(desk, tid), "reopen", "wang", at("2026-12-01 10:00"),
                {"reopen_count": "1", "resolved_at": "", "status": "reopened", "resolve_due": at("2026-12-07 13:30")},
                note="still crashes when saving to the share")

    desk.user = "alice"
    desk.now = at("2026-12-01 10:10")
    desk.ok("assign", tid, "--to", "bob")
    check_event(last_event(desk, tid), "assign", "alice", at("2026-12-01 10:10"),
                {"assignee": "bob", "status": "assigned"})
    desk.user = "bob"
    desk.now = at("2026-12-01 10:20")
    desk.ok("start", tid)
    check_event(last_event(desk, tid), "start", "bob", at("2026-12-01 10:20"), {"status": "in_progress"})
    desk.now = at("2026-12-01 11:00")
    desk.ok("resolve", tid, "--solution", "Fixed the share permissions", "--verified-by", "carol")
    check_event(last_event(desk, tid), "resolve", "bob", at("2026-12-01 11:00"),
                {"solution": "Fixed the share permissions", "verified_by": "carol",
                 "resolved_at": at("2026-12-01 11:00"), "status": "resolved"})
    desk.user = "wang"
    desk.now = at("2026-12-02 09:00")
    desk.ok("confirm", tid, "--rating", "3")
    t = desk.load(tid)
    assert (t["status"], t["reopen_count"], t["rating"]) == ("confirmed", "1", "3")
    assert [e["action"] for e in t["events"]] == \
        ["open", "triage", "resolve", "reopen", "assign", "start", "resolve", "confirm"]


def test_second_reject_counts_two(desk):
    tid = bring_to(desk, "reopened")
    desk.ok("assign", tid, "--to", "bob")
    desk.ok("start", tid)
    desk.ok("resolve", tid, "--solution", "again", "--verified-by", "bob")
    desk.ok("confirm", tid, "--reject", "-m", "no")
    assert desk.load(tid)["reopen_count"] == "2"


def test_reject_needs_a_reason(desk):
    tid = bring_to(desk, "resolved")
    before = desk.snapshot()
    r = desk.fails(USAGE, "confirm", tid, "--reject")
    assert "-m" in r.err
    assert desk.snapshot() == before


# --- (d) stale close ------------------------------------------------------------------------

def test_stale_close_closes_only_old_resolved_tickets(desk):
    desk.now = at("2026-11-30 10:00")
    old = bring_to(desk, "resolved", title="old resolved")
    incomplete = desk.open("--title", "resolved without a category")
    desk.ok("resolve", incomplete, "--solution", "done", "--verified-by", "bob")
    confirmed = bring_to(desk, "confirmed", title="confirmed")
    working = bring_to(desk, "in_progress", title="still in work")
    desk.now = at("2026-12-01 10:00")
    young = bring_to(desk, "resolved", title="young resolved")

    # A minute before the 5 days are up, nothing is stale and `close ID` explains when.
    desk.now = at("2026-12-05 09:59")
    before = desk.snapshot()
    r = desk.ok("close", "--stale")
    assert "0 ticket(s) closed" in r.out
    assert desk.snapshot() == before
    r = desk.fails(4, "close", old)
    assert "resolved but not confirmed" in r.err
    assert f"desk confirm {old}" in r.err and "5 days" in r.err and "2026-12-05 10:00" in r.err
    assert desk.snapshot() == before

    desk.now = at("2026-12-05 10:00")
    r = desk.ok("close", "--stale")
    assert f"{old}: closed (unconfirmed for 5 days)" in r.out
    assert "1 ticket(s) closed" in r.out
    # The incomplete one is reported with what is missing, not closed.
    assert incomplete in r.err and "category" in r.err
    t = desk.load(old)
    assert (t["status"], t["closed_at"]) == ("closed", at("2026-12-05 10:00"))
    check_event(last_event(desk, old), "close", "alice", at("2026-12-05 10:00"),
                {"closed_at": at("2026-12-05 10:00"), "status": "closed"}, note="closed unconfirmed after 5 days",
                ignore=("resolve_due",))
    assert desk.load(young)["status"] == "resolved"
    assert desk.load(incomplete)["status"] == "resolved"
    assert desk.load(confirmed)["status"] == "confirmed"
    assert desk.load(working)["status"] == "in_progress"

    desk.now = at("2026-12-06 10:00")
    r = desk.ok("close", "--stale")
    assert f"{young}: closed" in r.out and "1 ticket(s) closed" in r.out
    assert desk.load(young)["status"] == "closed"


def test_close_stale_respects_configured_days(desk):
    write_config(desk, lambda c: c.update({"close_after_days": 2}))
    desk.now = at("2026-11-30 10:00")
    tid = bring_to(desk, "resolved")
    desk.now = at("2026-12-02 10:00")
    desk.ok("close", tid)  # a single stale ticket may be closed by id too
    assert desk.load(tid)["status"] == "closed"


def test_close_needs_id_or_stale_not_both(desk):
    tid = bring_to(desk, "confirmed")
    before = desk.snapshot()
    desk.fails(USAGE, "close")
    desk.fails(USAGE, "close", tid, "--stale")
    assert desk.snapshot() == before


def test_close_refuses_incomplete_record(desk):
    tid = desk.open("--title", "quick one")
    desk.ok("resolve", tid, "--solution", "done", "--verified-by", "bob")
    desk.ok("confirm", tid)
    before = desk.snapshot()
    r = desk.fails(4, "close", tid)
    assert "incomplete" in r.err and "category" in r.err
    assert desk.snapshot() == before


# --- (e) cancel -------------------------------------------------------------------------------

def test_cancel_with_reason(desk):
    desk.now = at("2026-11-30 09:00")
    dup = desk.open("--title", "Printer offline (again)")
    desk.now = at("2026-11-30 09:05")
    r = desk.ok("cancel", dup, "--reason", "duplicate of the 08:55 ticket")
    assert r.out == f"{dup}: cancelled\n"
    t = desk.load(dup)
    assert (t["status"], t["closed_at"]) == ("cancelled", at("2026-11-30 09:05"))
    check_event(last_event(desk, dup), "cancel", "alice", at("2026-11-30 09:05"),
                {"closed_at": at("2026-11-30 09:05"), "status": "cancelled"}, note="duplicate of the 08:55 ticket")
    assert dup not in [x["id"] for x in desk.run("sla", "--format", "json").json()]


# --- priority matrix --------------------------------------------------------------------------

MATRIX = {
    "core-business": {"critical": "P1", "high": "P1", "medium": "P2", "low": "P3"},
    "company": {"critical": "P1", "high": "P2", "medium": "P2", "low": "P3"},
    "department": {"critical": "P2", "high": "P2", "medium": "P3", "low": "P4"},
    "individual": {"critical": "P2", "high": "P3", "medium": "P4", "low": "P4"},
}


def test_default_matrix_all_sixteen_cells(desk):
    seen = {}
    for impact, row in MATRIX.items():
        for urgency in row:
            tid = desk.open("--title", f"{impact} {urgency}", "--impact", impact, "--urgency", urgency)
            t = desk.load(tid)
            assert (t["impact"], t["urgency"]) == (impact, urgency)
            seen.setdefault(impact, {})[urgency] = t["priority"]
    assert seen == MATRIX


def test_triage_recomputes_priority_and_due_times(desk):
    desk.now = at("2026-11-27 17:30")
    tid = desk.open("--title", "Laptop will not boot")
    desk.now = at("2026-11-27 17:40")
    r = desk.ok("triage", tid, "--category", "end-user-device", "--urgency", "high")
    assert "priority P3" in r.out
    t = desk.load(tid)
    assert (t["priority"], t["respond_due"], t["resolve_due"]) == ("P3", at("2026-11-30 10:30"), at("2026-12-02 14:30"))
    check_event(last_event(desk, tid), "triage", "alice", at("2026-11-27 17:40"),
                {"category": "end-user-device", "urgency": "high", "priority": "P3", "status": "triaged",
                 "responded_at": at("2026-11-27 17:40"), "respond_due": at("2026-11-30 10:30"),
                 "resolve_due": at("2026-12-02 14:30")})

    desk.now = at("2026-11-27 17:50")
    desk.ok("triage", tid, "--category", "end-user-device", "--impact", "company", "--urgency", "critical")
    t = desk.load(tid)
    assert (t["priority"], t["respond_due"], t["resolve_due"]) == ("P1", at("2026-11-27 17:45"), at("2026-11-27 21:30"))
    check_event(last_event(desk, tid), "triage", "alice", at("2026-11-27 17:50"),
                {"impact": "company", "urgency": "critical", "priority": "P1",
                 "respond_due": at("2026-11-27 17:45"), "resolve_due": at("2026-11-27 21:30")})


def test_priority_override_needs_and_records_a_reason(desk):
    desk.now = at("2026-11-27 17:30")
    tid = desk.open("--title", "CEO laptop")
    before = desk.snapshot()
    r = desk.fails(USAGE, "triage", tid, "--category", "end-user-device", "--priority", "P1")
    assert "reason" in r.err and "P4" in r.err  # says what the matrix gives and what is missing
    assert desk.snapshot() == before
    desk.fails(USAGE, "triage", tid, "--category", "end-user-device", "--reason", "VIP")
    assert desk.snapshot() == before

    desk.ok("triage", tid, "--category", "end-user-device", "--priority", "P1", "--reason", "VIP: the CEO")
    t = desk.load(tid)
    assert (t["priority"], t["priority_reason"]) == ("P1", "VIP: the CEO")
    assert (t["respond_due"], t["resolve_due"]) == (at("2026-11-27 17:45"), at("2026-11-27 21:30"))
    ev = last_event(desk, tid)
    assert ev["set"]["priority"] == "P1" and ev["set"]["priority_reason"] == "VIP: the CEO"


def test_reclassifying_keeps_an_override(desk):
    """A triage that changes neither impact, urgency nor priority leaves an override alone
    ("recomputes priority and due times when they change")."""
    tid = desk.open("--title", "CEO laptop")
    desk.ok("triage", tid, "--category", "end-user-device", "--priority", "P1", "--reason", "VIP")
    desk.ok("triage", tid, "--category", "application")
    t = desk.load(tid)
    assert (t["category"], t["priority"], t.get("priority_reason")) == ("application", "P1", "VIP")


# --- work log -----------------------------------------------------------------------------------

def test_work_log_records_minutes(desk):
    tid = bring_to(desk, "in_progress")
    desk.now = at("2026-11-27 17:45")
    r = desk.ok("log", tid, "-m", "Checked cabling; port 12 dead", "--minutes", "30")
    assert r.out == f"{tid}: logged 30 min\n"
    ev = last_event(desk, tid)
    check_event(ev, "log", "alice", at("2026-11-27 17:45"), {}, note="Checked cabling; port 12 dead", minutes="30")
    assert desk.load(tid)["status"] == "in_progress"
    desk.ok("log", tid, "-m", "called the user")
    assert "minutes" not in last_event(desk, tid)
    assert len(events(desk, tid)) == 6


def test_work_log_needs_text(desk):
    tid = bring_to(desk, "in_progress")
    before = desk.snapshot()
    r = desk.fails(USAGE, "log", tid, "--minutes", "30")
    assert "-m" in r.err
    desk.fails(USAGE, "log", tid, "-m", "   ")
    desk.fails(USAGE, "log", tid, "-m", "x", "--minutes", "-5")
    desk.fails(USAGE, "log", tid, "-m", "x", "--minutes", "lots")
    assert desk.snapshot() == before


def test_assign_auto_after_escalation_keeps_the_tier(desk):
    """--auto picks "the team whose skills and tier match": a tier-2 ticket must not be handed back
    to tier 1 by the category rule (network -> service-desk)."""
    with_teams(desk)
    tid = bring_to(desk, "escalated")
    t = desk.load(tid)
    assert (t["tier"], t["team"]) == ("2", "network-team")
    desk.ok("assign", tid, "--auto")
    t = desk.load(tid)
    assert (t["tier"], t["team"]) == ("2", "network-team"), (t["tier"], t["team"], t["assignee"])
