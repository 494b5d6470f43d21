"""SLA arithmetic end to end and `desk sla`.

Repository zone Asia/Shanghai (+08:00); default calendar Mon-Fri 09:00-18:00.
Friday 2026-11-27 17:30 leaves 30 working minutes that day; Monday is 2026-11-30.
"""
import pytest

from conftest import FAILURE, write_config
from workflow_helpers import at, bring_to, last_event

FRIDAY = at("2026-11-27 17:30")


def _open(desk, impact, urgency, title="t"):
    desk.now = FRIDAY
    tid = desk.open("--title", title, "--impact", impact, "--urgency", urgency)
    return tid, desk.load(tid)


@pytest.mark.parametrize("impact,urgency,priority,respond,resolve", [
    # P1: calendar time (24x7): 15 min / 4 h.
    ("core-business", "critical", "P1", "2026-11-27 17:45", "2026-11-27 21:30"),
    # P2: 30 min / 8 h business: 30 min fit on Friday; 8 h = 0h30 Fri + 7h30 Mon.
    ("department", "high", "P2", "2026-11-27 18:00", "2026-11-30 16:30"),
    # P3: 2 h / 24 h business: 0h30 Fri + 1h30 Mon; 0h30 Fri + 9 Mon + 9 Tue + 5h30 Wed.
    ("individual", "high", "P3", "2026-11-30 10:30", "2026-12-02 14:30"),
    # P4: 8 h / 40 h business: 0h30 Fri + 7h30 Mon; 0h30 + 4 x 9 h + 3h30 Fri.
    ("individual", "medium", "P4", "2026-11-30 16:30", "2026-12-04 12:30"),
])
def test_due_times_from_friday_evening(desk, impact, urgency, priority, respond, resolve):
    tid, t = _open(desk, impact, urgency)
    assert (t["priority"], t["respond_due"], t["resolve_due"]) == (priority, at(respond), at(resolve))
    # show and sla agree with the file.
    s = desk.show(tid)
    assert (s["respond_due"], s["resolve_due"]) == (at(respond), at(resolve))
    row = desk.ok("sla", "--format", "json").json()[0]
    assert (row["respond"]["due"], row["resolve"]["due"]) == (at(respond), at(resolve))


def test_four_business_hours_from_friday_1730_is_monday_1230(desk):
    """The example of the issue."""
    write_config(desk, lambda c: c["sla"]["targets"]["P3"].update({"resolve": "4h"}))
    _, t = _open(desk, "individual", "high")
    assert (t["priority"], t["resolve_due"]) == ("P3", at("2026-11-30 12:30"))


def test_holiday_shifts_the_due_time(desk):
    write_config(desk, lambda c: c["sla"]["calendar"].update({"holidays": ["2026-11-30"]}))
    _, t = _open(desk, "individual", "high")
    # Monday is off: 0h30 Fri + 1h30 Tue; 0h30 Fri + 9 Tue + 9 Wed + 5h30 Thu.
    assert (t["respond_due"], t["resolve_due"]) == (at("2026-12-01 10:30"), at("2026-12-03 14:30"))


def test_lunch_break_and_weekend_work_days(desk):
    def cal(c):
        c["sla"]["calendar"]["hours"] = ["09:00-12:00", "13:00-18:00"]
        c["sla"]["calendar"]["working_days"] = ["mon", "tue", "wed", "thu", "fri", "sat"]
    write_config(desk, cal)
    _, t = _open(desk, "individual", "high")
    # 0h30 Fri, then Saturday 09:00-10:30.  Resolve 24 h: 0h30 Fri + 8 Sat + 8 Mon + 7h30 Tue (lunch skipped).
    assert (t["respond_due"], t["resolve_due"]) == (at("2026-11-28 10:30"), at("2026-12-01 17:30"))


def test_priority_change_recomputes_due_times_from_creation(desk):
    tid, _ = _open(desk, "individual", "medium")
    desk.now = at("2026-11-30 09:00")
    desk.ok("triage", tid, "--category", "network", "--impact", "department", "--urgency", "high")
    t = desk.load(tid)
    assert (t["priority"], t["respond_due"], t["resolve_due"]) == ("P2", at("2026-11-27 18:00"), at("2026-11-30 16:30"))


# --- desk sla -----------------------------------------------------------------------------------

def _three_tickets(desk):
    p4, _ = _open(desk, "individual", "medium", "p4 printer")
    p3, _ = _open(desk, "individual", "high", "p3 laptop")
    done = bring_to(desk, "resolved", title="resolved one")
    gone = bring_to(desk, "cancelled", title="cancelled one")
    return p4, p3, done, gone


def test_sla_lists_open_tickets_with_due_times(desk):
    p4, p3, done, gone = _three_tickets(desk)
    r = desk.run("sla")
    assert r.code == 0, r
    assert p4 in r.out and p3 in r.out
    assert done not in r.out and gone not in r.out
    lines = r.out.splitlines()
    assert lines[0].split()[:4] == ["ID", "PRI", "STATE", "RESPOND"]
    # Sorted by the nearest due time: the P3 responds first.
    assert lines[1].startswith(p3) and lines[2].startswith(p4)
    assert "2026-11-30 10:30" in lines[1] and "2026-12-02 14:30" in lines[1]
    assert "2026-11-30 16:30" in lines[2] and "2026-12-04 12:30" in lines[2]


def test_sla_json_shape(desk):
    p4, p3, _, _ = _three_tickets(desk)
    desk.now = at("2026-11-30 09:30")
    rows = desk.ok("sla", "--format", "json").json()
    assert [r["id"] for r in rows] == [p3, p4]
    r = rows[0]
    assert list(r) == ["id", "title", "status", "priority", "assignee", "state", "respond", "resolve",
                       "paused_seconds", "paused_now"]
    assert (r["title"], r["status"], r["priority"], r["assignee"], r["state"]) == ("p3 laptop", "new", "P3", "", "ok")
    # 1 h of the 2 h respond target is used (0h30 Fri + 0h30 Mon); 1 h of calendar time is left.
    assert r["respond"] == {"due": at("2026-11-30 10:30"), "state": "ok", "seconds_left": 3600, "used": 0.5}
    assert r["resolve"]["due"] == at("2026-12-02 14:30")
    assert r["resolve"]["state"] == "ok"
    assert r["resolve"]["used"] == pytest.approx(1 / 24)
    assert (r["paused_seconds"], r["paused_now"]) == (0, False)


def test_sla_at_risk_and_breached_filters_and_exit_code(desk):
    p4, p3, _, _ = _three_tickets(desk)
    # Mon 10:00: the P3 has used 1h30 of 2 h = 0.75 (the warning share); the P4 1h30 of 8 h.
    desk.now = at("2026-11-30 10:00")
    r = desk.ok("sla", "--at-risk", "--format", "json")
    assert [(x["id"], x["state"], x["respond"]["state"]) for x in r.json()] == [(p3, "at_risk", "at_risk")]
    r = desk.ok("sla", "--breached")
    assert r.out == "No tickets at risk or breached.\n"
    assert desk.ok("sla", "--breached", "--format", "json").json() == []

    # Mon 10:31: the P3 missed its response; sla exits 1 (for cron) with every listing.
    desk.now = at("2026-11-30 10:31")
    for args in ([], ["--breached"], ["--at-risk"], ["--format", "json"]):
        r = desk.run("sla", *args)
        assert r.code == FAILURE, (args, r)
    r = desk.run("sla", "--breached", "--format", "json")
    rows = r.json()
    assert [(x["id"], x["state"]) for x in rows] == [(p3, "breached")]
    assert rows[0]["respond"]["state"] == "breached"
    assert rows[0]["respond"]["seconds_left"] == -60
    r = desk.run("sla", "--at-risk", "--format", "json")
    assert [x["id"] for x in r.json()] == [p3]  # breached ones are at risk too; the P4 is not
    r = desk.run("sla")
    assert "1m over" in r.out, r.out

    # Responding does not undo a missed response: still breached, still exit 1.
    desk.ok("triage", p3, "--category", "end-user-device")
    r = desk.run("sla", "--format", "json")
    assert r.code == FAILURE
    row = [x for x in r.json() if x["id"] == p3][0]
    assert row["respond"]["state"] == "missed" and row["respond"]["done"] == at("2026-11-30 10:31")

    # Once it is resolved nothing open is breached: exit 0.
    desk.ok("resolve", p3, "--solution", "replaced the disk", "--verified-by", "alice")
    assert desk.run("sla").code == 0


def test_sla_met_response(desk):
    tid, _ = _open(desk, "individual", "high")
    desk.now = at("2026-11-30 09:15")
    desk.ok("triage", tid, "--category", "end-user-device")
    desk.now = at("2026-11-30 11:00")
    row = desk.ok("sla", "--format", "json").json()[0]
    assert row["respond"]["state"] == "met"
    assert row["respond"]["done"] == at("2026-11-30 09:15")
    assert row["state"] == "ok"


def test_sla_empty(desk):
    r = desk.ok("sla")
    assert r.out == "No open tickets with SLA targets.\n"
    assert desk.ok("sla", "--format", "json").json() == []


def test_sla_bad_format(desk):
    r = desk.fails(2, "sla", "--format", "xml")
    assert "xml" in r.err


# --- pauses --------------------------------------------------------------------------------------

def _pending_awaiting_change(desk):
    desk.now = at("2026-11-30 09:00")
    tid = desk.open("--title", "Firewall rule", "--impact", "department", "--urgency", "medium")
    assert desk.load(tid)["resolve_due"] == at("2026-12-02 15:00")
    desk.ok("triage", tid, "--category", "network")
    desk.ok("assign", tid, "--to", "bob")
    desk.now = at("2026-11-30 10:00")
    r = desk.ok("pending", tid, "--reason", "awaiting-change", "-m", "CAB on Tuesday")
    desk.now = at("2026-12-01 10:00")
    row = desk.ok("sla", "--format", "json").json()[0]
    desk.ok("resume", tid)
    return tid, r, row


def test_awaiting_change_does_not_pause_by_default(desk):
    tid, r, row = _pending_awaiting_change(desk)
    assert "paused" not in r.out
    assert (row["paused_now"], row["paused_seconds"]) == (False, 0)
    t = desk.load(tid)
    assert t["resolve_due"] == at("2026-12-02 15:00")
    assert "resolve_due" not in last_event(desk, tid).get("set", {})


def test_awaiting_change_pauses_when_configured(desk):
    write_config(desk, lambda c: c["sla"].update(
        {"pause_on": ["awaiting-user", "awaiting-vendor", "awaiting-change"]}))
    tid, r, row = _pending_awaiting_change(desk)
    assert "SLA clock paused" in r.out
    # Mon 10:00-18:00 + Tue 09:00-10:00 = 9 h paused; Wed 15:00 + 9 h = Thu 15:00.
    assert (row["paused_now"], row["paused_seconds"]) == (True, 9 * 3600)
    t = desk.load(tid)
    assert t["resolve_due"] == at("2026-12-03 15:00")
    assert last_event(desk, tid)["set"]["resolve_due"] == at("2026-12-03 15:00")


def test_awaiting_user_pause_shows_in_sla_and_respond_clock_keeps_running(desk):
    desk.now = at("2026-11-30 09:00")
    tid = desk.open("--title", "Need a screenshot", "--impact", "department", "--urgency", "medium")
    desk.ok("triage", tid, "--category", "application")
    desk.ok("assign", tid, "--to", "bob")
    desk.ok("start", tid)
    desk.now = at("2026-11-30 10:00")
    desk.ok("pending", tid, "--reason", "awaiting-user", "-m", "asked for a screenshot")
    desk.now = at("2026-11-30 12:00")
    row = desk.ok("sla", "--format", "json").json()[0]
    assert (row["paused_now"], row["paused_seconds"]) == (True, 2 * 3600)
    # The resolve due shown while paused already counts the pause so far: Wed 15:00 + 2 h.
    assert row["resolve"]["due"] == at("2026-12-02 17:00")
    r = desk.ok("sla")
    assert "paused" in r.out


# --- time zones with daylight saving time --------------------------------------------------------

def _berlin(desk, hours):
    def cfg(c):
        c["timezone"] = "Europe/Berlin"
        c["sla"]["calendar"]["working_days"] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        c["sla"]["calendar"]["hours"] = hours
    write_config(desk, cfg)


def test_due_time_across_the_end_of_summer_time_in_working_hours(desk):
    """Berlin leaves summer time on Sunday 2026-10-25 at 03:00 (+02:00 -> +01:00): with round-the-clock
    working hours, 2 h from 01:30 CEST is 02:30 CET."""
    _berlin(desk, ["00:00-24:00"])
    desk.now = "2026-10-25T01:30:00+02:00"
    tid = desk.open("--title", "t", "--urgency", "high")  # P3: 2 h respond
    t = desk.load(tid)
    assert t["created"] == "2026-10-25T01:30:00+02:00"
    assert t["respond_due"] == "2026-10-25T02:30:00+01:00"


def test_due_time_over_a_dst_night_keeps_the_local_clock(desk):
    _berlin(desk, ["09:00-18:00"])
    desk.now = "2026-10-24T17:00:00+02:00"
    tid = desk.open("--title", "t", "--urgency", "high")  # P3: 2 h respond, 24 h resolve
    t = desk.load(tid)
    # 1 h on Saturday, 1 h on Sunday from 09:00 local time (now +01:00).
    assert t["respond_due"] == "2026-10-25T10:00:00+01:00"
    # 1 h Sat + 9 h Sun + 9 h Mon + 5 h Tue.
    assert t["resolve_due"] == "2026-10-27T14:00:00+01:00"
