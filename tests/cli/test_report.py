"""`desk report`: the service review, on repositories built by driving the real commands
with DESK_NOW stepping through a fortnight (Asia/Shanghai, Mon-Fri 09:00-18:00)."""
import csv
import io
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest

from conftest import USAGE, write_config

# The review period of the story: Monday 2026-11-02 to Monday 2026-11-16 (exclusive).
PERIOD = ["--since", "2026-11-02", "--until", "2026-11-16"]
LATER = "2026-11-20T12:00:00+08:00"


def teams(cfg):
    cfg["teams"] = {
        "service-desk": {"tier": 1, "members": ["alice", "carol", "dave"], "skills": ["end-user-device"]},
        "network": {"tier": 2, "members": ["bob"], "skills": ["network"]},
        "platform": {"tier": 3, "members": ["erin"], "skills": ["database"]},
    }
    cfg["vendors"] = {"oracle": {"contact": "support.oracle.example"}}


def at(desk, local):
    desk.now = local + ":00+08:00"


def story(desk):
    """Seven tickets; the comments give what each one contributes (see the expected figures)."""
    write_config(desk, teams)
    ids = {}

    # D: opened before the period (P3), escalated to the vendor and pending on it: open.
    at(desk, "2026-10-20T10:00")
    ids["D"] = desk.open("--title", "ERP 月结报表超时", "--impact", "department", "--urgency", "medium",
                         "--department", "财务部", "--channel", "email")
    at(desk, "2026-10-20T10:10")
    desk.ok("triage", ids["D"], "--category", "database")
    at(desk, "2026-10-20T10:20")
    desk.ok("assign", ids["D"], "--to", "dave")
    at(desk, "2026-10-21T10:00")
    desk.ok("escalate", ids["D"], "--vendor", "oracle", "--reason", "undo 表空间扩展失败")
    at(desk, "2026-10-21T11:00")
    desk.ok("pending", ids["D"], "--reason", "awaiting-vendor", "--as", "dave")

    # A: P3 quick fix at first contact (respond 10m, resolve 30m), rated 5, closed.
    at(desk, "2026-11-02T10:00")
    ids["A"] = desk.open("--title", "打印机卡纸", "--impact", "individual", "--urgency", "high",
                         "--department", "财务部", "--channel", "phone")
    at(desk, "2026-11-02T10:10")
    desk.ok("triage", ids["A"], "--category", "end-user-device")
    at(desk, "2026-11-02T10:30")
    desk.ok("resolve", ids["A"], "--solution", "取出卡纸", "--verified-by", "alice")
    at(desk, "2026-11-03T10:00")
    desk.ok("confirm", ids["A"], "--rating", "5", "--as", "张三")
    at(desk, "2026-11-04T10:00")
    desk.ok("close", ids["A"])

    # B: P2, assigned at tier 1, escalated to tier 2 (alice → bob: one reassignment),
    # pending on the user 11:00-14:00; resolved at 16:00: 7h less 3h paused = 4h. Rated 3.
    at(desk, "2026-11-03T09:00")
    ids["B"] = desk.open("--title", "VPN cannot connect", "--impact", "department", "--urgency", "high",
                         "--department", "Sales", "--channel", "phone")
    at(desk, "2026-11-03T09:05")
    desk.ok("triage", ids["B"], "--category", "network")
    at(desk, "2026-11-03T09:10")
    desk.ok("assign", ids["B"], "--to", "alice")
    at(desk, "2026-11-03T09:20")
    desk.ok("start", ids["B"])
    at(desk, "2026-11-03T10:00")
    desk.ok("escalate", ids["B"], "--tier", "2", "--to", "bob", "--reason", "gateway certificate")
    at(desk, "2026-11-03T11:00")
    desk.ok("pending", ids["B"], "--reason", "awaiting-user", "--as", "bob")
    at(desk, "2026-11-03T14:00")
    desk.ok("resume", ids["B"], "--as", "bob")
    at(desk, "2026-11-03T14:30")
    desk.ok("log", ids["B"], "-m", "renewed the certificate", "--minutes", "45", "--as", "bob")
    at(desk, "2026-11-03T16:00")
    desk.ok("resolve", ids["B"], "--solution", "new certificate", "--verified-by", "alice", "--as", "bob")
    at(desk, "2026-11-04T09:00")
    desk.ok("confirm", ids["B"], "--rating", "3", "--as", "Tom")

    # C: P4 resolved Thu 10:00, rejected at 15:00, resolved again Fri 11:00. Business:
    # Wed 17-18 + Thu 9-18 + Fri 9-11 = 12h less the 5h awaiting confirmation = 7h;
    # calendar 42h - 5h = 37h. Respond 30m.
    at(desk, "2026-11-04T17:00")
    ids["C"] = desk.open("--title", "Excel 宏报错", "--impact", "individual", "--urgency", "medium")
    at(desk, "2026-11-04T17:30")
    desk.ok("triage", ids["C"], "--category", "end-user-device")
    at(desk, "2026-11-04T17:40")
    desk.ok("assign", ids["C"], "--to", "carol")
    at(desk, "2026-11-05T09:00")
    desk.ok("start", ids["C"], "--as", "carol")
    at(desk, "2026-11-05T10:00")
    desk.ok("resolve", ids["C"], "--solution", "repaired Office", "--verified-by", "alice", "--as", "carol")
    at(desk, "2026-11-05T15:00")
    desk.ok("confirm", ids["C"], "--reject", "-m", "still failing", "--as", "李雷")
    at(desk, "2026-11-05T15:30")
    desk.ok("start", ids["C"], "--as", "carol")
    at(desk, "2026-11-06T11:00")
    desk.ok("resolve", ids["C"], "--solution", "re-signed the macro", "--verified-by", "alice", "--as", "carol")

    # E: cancelled (left out of SLA figures).
    at(desk, "2026-11-09T09:00")
    ids["E"] = desk.open("--title", "duplicate of the VPN ticket")
    at(desk, "2026-11-09T09:30")
    desk.ok("cancel", ids["E"], "--reason", "duplicate")

    # F: P1 (24x7 clock) Friday 20:00, never touched: respond due 20:15, resolve due
    # Sat 00:00, both breached by the end of the period.
    at(desk, "2026-11-13T20:00")
    ids["F"] = desk.open("--title", "核心交易系统宕机", "--impact", "core-business", "--urgency", "high",
                         "--channel", "phone")

    # G: after the period.
    at(desk, "2026-11-17T09:00")
    ids["G"] = desk.open("--title", "after the period")
    desk.now = LATER
    return ids


def report_json(desk, *args):
    r = desk.ok("report", *PERIOD, "--format", "json", *args)
    return r.json()


def test_figures_are_exact(desk):
    ids = story(desk)
    j = report_json(desk)
    assert j["format_version"] == 1
    assert j["period"] == {
        "since": "2026-11-02T00:00:00+08:00", "until": "2026-11-16T00:00:00+08:00",
        "as_of": "2026-11-16T00:00:00+08:00", "timezone": "Asia/Shanghai", "bucket": "week", "group_by": "team",
    }
    assert j["tickets"] == {"read": 7, "left_out": 0, "left_out_files": []}
    t = j["totals"]
    assert t["volume"] == {"opened": 5, "resolved": 3, "closed": 1, "cancelled": 1,
                           "backlog_start": 1, "backlog_end": 2}
    # Respond 5m (B), 10m (A), 30m (C): mean 15m, median 10m, p90 (nearest rank 3) 30m.
    assert t["respond"]["business"] == {"count": 3, "mean": 900, "median": 600, "p90": 1800}
    assert t["respond"]["calendar"] == {"count": 3, "mean": 900, "median": 600, "p90": 1800}
    # Resolve business 0.5h, 4h, 7h; calendar 0.5h, 4h, 37h.
    assert t["resolve"]["business"] == {"count": 3, "mean": 13800, "median": 14400, "p90": 25200}
    assert t["resolve"]["calendar"] == {"count": 3, "mean": 49800, "median": 14400, "p90": 133200}
    # SLA: A B C met both; F breached both; E cancelled; D's response was before the period.
    assert t["sla"]["respond"] == {"measured": 4, "met": 3, "breached": 1, "compliance": 0.75}
    assert t["sla"]["resolve"] == {"measured": 4, "met": 3, "breached": 1, "compliance": 0.75}
    q = t["resolution"]
    assert (q["resolved"], q["first_contact"], q["first_level"], q["escalated"], q["escalated_tier2"],
            q["escalated_tier3"], q["escalated_vendor"], q["reopened"], q["reassignments"], q["with_kb"]) == \
        (3, 1, 1, 1, 1, 0, 0, 1, 1, 0)
    assert q["first_contact_rate"] == 0.3333
    assert t["activity"] == {"escalations": {"tier2": 1, "tier3": 0, "vendor": 0, "total": 1}, "reopens": 1,
                             "resolutions": 4, "log_entries": 1, "log_minutes": 45}
    assert t["satisfaction"] == {"confirmations": 2, "rated": 2, "average_rating": 4.0, "satisfied": 1,
                                 "satisfied_rate": 0.5, "ratings": {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}}

    # Ageing at the end: D 26d 14h (7-30d), F 2d 4h (1-3d).
    assert [b["count"] for b in j["backlog_ageing"]] == [0, 1, 0, 1, 0]
    assert [(o["id"], o["age_seconds"]) for o in j["oldest_open"]] == \
        [(ids["D"], (26 * 24 + 14) * 3600), (ids["F"], (2 * 24 + 4) * 3600)]
    assert [(b["id"], b["target"], b["due"], b["done"], b["late_seconds"]) for b in j["sla_breaches"]] == [
        (ids["F"], "respond", "2026-11-13T20:15:00+08:00", None, 51 * 3600 + 45 * 60),
        (ids["F"], "resolve", "2026-11-14T00:00:00+08:00", None, 48 * 3600),
    ]
    assert [b["count"] for b in j["resolve_distribution"]] == [1, 0, 2, 0, 0, 0]

    # Groups by team at the end of the period (config order, then "(none)").
    rows = {g["group"]: g for g in j["groups"]["rows"]}
    assert list(rows) == ["service-desk", "network", "(none)"]
    assert rows["service-desk"]["volume"]["opened"] == 1      # C
    assert rows["service-desk"]["volume"]["backlog_end"] == 1  # D
    assert rows["network"]["resolve"]["business"]["median"] == 4 * 3600
    assert rows["(none)"]["volume"]["cancelled"] == 1
    pri = {g["group"]: g for g in j["by_priority"]}
    assert pri["P1"]["sla"]["respond"]["compliance"] == 0.0
    assert pri["P4"]["resolve"]["calendar"]["median"] == 37 * 3600
    dept = {g["group"]: g for g in j["volume_by"]["department"]}
    assert dept["财务部"]["opened"] == 1 and dept["财务部"]["backlog_end"] == 1
    assert j["workload"]["assignees"] == [
        {"name": "alice", "open": 0, "resolved": 1, "log_minutes": 0},
        {"name": "bob", "open": 0, "resolved": 1, "log_minutes": 45},
        {"name": "carol", "open": 0, "resolved": 1, "log_minutes": 0},
        {"name": "dave", "open": 1, "resolved": 0, "log_minutes": 0},
        {"name": "(none)", "open": 1, "resolved": 0, "log_minutes": 0},
    ]
    # Trend: week of 11-02 (A B C), week of 11-09 (E F).
    assert [(p["bucket"], p["volume"]["opened"], p["volume"]["resolved"], p["volume"]["backlog_end"])
            for p in j["trend"]] == [("2026-11-02", 3, 3, 1), ("2026-11-09", 2, 0, 2)]

    # Run again later, after more events: the same report.
    desk.now = "2027-02-01T09:00:00+08:00"
    at_later = desk.ok("report", *PERIOD, "--format", "json").json()
    assert at_later == j


def test_month_buckets_and_group_by(desk):
    story(desk)
    j = report_json(desk, "--by", "month", "--group-by", "priority")
    assert [p["bucket"] for p in j["trend"]] == ["2026-11"]
    assert j["trend"][0]["volume"] == j["totals"]["volume"]
    assert [g["group"] for g in j["groups"]["rows"]] == ["P1", "P2", "P3", "P4"]
    j = report_json(desk, "--group-by", "channel")
    assert {g["group"]: g["volume"]["opened"] for g in j["groups"]["rows"]} == {"phone": 3, "email": 0, "portal": 2}
    j = report_json(desk, "--group-by", "assignee")
    assert j["groups"]["dimension"] == "assignee"
    j = report_json(desk, "--group-by", "category")
    assert "end-user-device" in [g["group"] for g in j["groups"]["rows"]]


def test_default_period_is_the_last_30_days(desk):
    r = desk.ok("report", "--format", "json")
    p = r.json()["period"]
    assert p["since"] == "2026-10-28T17:30:00+08:00"
    assert p["until"] == "2026-11-27T17:30:00+08:00"
    assert r.json()["totals"]["volume"]["opened"] == 0
    only_until = desk.ok("report", "--until", "2026-11-01", "--format", "json").json()["period"]
    assert only_until["since"] == "2026-10-02T00:00:00+08:00"


def display_width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def test_table_csv_markdown(desk):
    ids = story(desk)
    table = desk.ok("report", *PERIOD).out
    assert table.startswith("Service review 2026-11-02 – 2026-11-15\n")
    for title in ["Summary", "Trend by week", "Volume", "Time to respond and resolve", "SLA compliance",
                  "Resolution quality", "Backlog", "Workload", "Satisfaction", "By team"]:
        assert f"\n{title}\n" in table
    # CJK alignment: in the department table, the OPENED column ends at the same display column.
    lines = table.splitlines()
    start = lines.index("By department")
    block = lines[start + 1:start + 6]
    assert block[0].startswith("DEPARTMENT")
    assert any(line.startswith("财务部") for line in block)
    widths = []
    for line in block:
        m = re.match(r"^(.+?)\s{2,}(\S+)", line)  # the name and the right-aligned OPENED cell
        widths.append(display_width(m.group(0)))
    assert len(set(widths)) == 1, block
    assert ids["F"] in table  # in the breaches and the oldest open tickets

    text = desk.ok("report", *PERIOD, "--format", "csv").out
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "dimension", "group", "bucket", "measure", "value"]
    assert all(len(r) == 6 for r in rows)
    as_set = {tuple(r) for r in rows}
    assert ("volume", "all", "", "", "opened", "5") in as_set
    assert ("resolve", "all", "", "", "business_median", "14400") in as_set
    assert ("sla", "priority", "P1", "", "respond_compliance", "0.0") in as_set
    assert ("volume", "department", "财务部", "", "opened", "1") in as_set
    assert ("volume", "all", "", "2026-11-09", "opened", "2") in as_set
    assert ("sla_breach", "ticket", ids["F"], "", "resolve_late_seconds", str(48 * 3600)) in as_set
    assert ("tickets", "all", "", "", "left_out", "0") in as_set

    md = desk.ok("report", *PERIOD, "--format", "markdown").out
    assert md.startswith("# Service review 2026-11-02 – 2026-11-15\n")
    assert "## SLA compliance" in md and "## Definitions" in md
    assert "| 财务部 " in md
    dept = md[md.index("**By department**"):]
    dept_lines = [l for l in dept.splitlines()[2:] if l.startswith("|")][:5]
    assert len({display_width(l) for l in dept_lines}) == 1, dept_lines


def test_output_file_is_written_atomically(desk, tmp_path):
    story(desk)
    expected = desk.ok("report", *PERIOD, "--format", "markdown").out
    target = tmp_path / "out" / "review.md"
    desk.fails(7, "report", *PERIOD, "--format", "markdown", "-o", str(target))  # the folder is never created
    assert not target.parent.exists()
    target.parent.mkdir()
    r = desk.ok("report", *PERIOD, "--format", "markdown", "-o", str(target))
    assert r.out == ""
    assert target.read_text(encoding="utf-8") == expected
    assert not [p for p in target.parent.iterdir() if p.name != "review.md"]  # no temp files left
    # Overwrites an existing file.
    desk.ok("report", *PERIOD, "--format", "json", "--output", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["format_version"] == 1


def test_corrupt_ticket_is_named_and_left_out(desk):
    ids = story(desk)
    before = report_json(desk)
    path = desk.path_of(ids["C"])
    path.write_text("id: [unclosed\n", encoding="utf-8")
    r = desk.ok("report", *PERIOD, "--format", "json")
    rel = path.relative_to(desk.root).as_posix()
    assert f"desk: warning: left out {rel}" in r.err
    assert "not counted in the report" in r.err
    j = r.json()
    assert j["tickets"]["read"] == 6
    assert j["tickets"]["left_out"] == 1
    assert j["tickets"]["left_out_files"][0]["source"].startswith(rel)
    assert j["totals"]["volume"]["opened"] == before["totals"]["volume"]["opened"] - 1
    assert j["totals"]["volume"]["resolved"] == 2
    # The table and the documents say it too.
    table = desk.ok("report", *PERIOD).out
    assert "left out: 1" in table and rel in table


def test_bad_input(desk):
    r = desk.fails(USAGE, "report", "--format", "xml")
    assert "table, json, csv, markdown, html" in r.err
    r = desk.fails(USAGE, "report", "--by", "day")
    assert "week, month" in r.err
    r = desk.fails(USAGE, "report", "--group-by", "colour")
    assert "team, category, priority, assignee, channel" in r.err
    r = desk.fails(USAGE, "report", "--since", "2026-13-45")
    assert "--since" in r.err
    r = desk.fails(USAGE, "report", "--until", "yesterday")
    assert "--until" in r.err
    r = desk.fails(USAGE, "report", "--since", "2026-11-10", "--until", "2026-11-01")
    assert "not before" in r.err
    desk.fails(USAGE, "report", "--since", "2000-01-01", "--until", "2026-11-01")  # > 520 weeks
    desk.ok("report", "--since", "2000-01-01", "--until", "2026-11-01", "--by", "month")
    desk.fails(USAGE, "report", "extra")
    desk.fails(USAGE, "report", "--format")


def test_help_documents_the_measures(desk):
    r = desk.ok("report", "--help")
    for word in ["--since DATE", "--group-by", "FCR", "FLR", "p90", "business", "paused", "reassignments",
                 "ageing", "share/doc/report-measures.md"]:
        assert word in r.out


def test_measures_document_exists():
    from conftest import SOURCE_DIR
    doc = (SOURCE_DIR / "share" / "doc" / "report-measures.md").read_text(encoding="utf-8").lower()
    for word in ["first-contact resolution", "first-level resolution", "section,dimension,group,bucket,measure,value",
                 "backlog_ageing", "p90"]:
        assert word in doc


# --- the HTML page in a real browser -------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
CHART_IDS = ["chart-volume-trend", "chart-sla-priority", "chart-resolve-distribution", "chart-backlog-ageing"]


def chromium(*args):
    with tempfile.TemporaryDirectory(prefix="desk-chromium-") as profile:
        return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`)")
def test_html_page_loads_in_chromium(desk, tmp_path):
    story(desk)
    page = tmp_path / "review.html"
    desk.ok("report", *PERIOD, "--format", "html", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html

    dom = chromium("--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    for chart in CHART_IDS:
        assert f'<svg id="{chart}" class="chart"' in dom.stdout, chart
    assert dom.stdout.count('class="bar bar-opened"') == 2       # one per week
    assert dom.stdout.count('class="bar bar-ageing"') == 5       # one per age bucket
    assert dom.stdout.count('class="bar bar-duration"') == 6     # one per time bucket
    assert 'class="bar bar-respond"' in dom.stdout and 'class="bar bar-resolve"' in dom.stdout
    assert "财务部" in dom.stdout  # CJK text survives
    assert 'id="kpi-sla"' in dom.stdout

    shot = tmp_path / "review.png"
    logged = chromium("--enable-logging=stderr", "--v=0", "--window-size=1280,2000",
                      f"--screenshot={shot}", page.as_uri())
    assert logged.returncode == 0, logged.stderr[-2000:]
    problems = [line for line in logged.stderr.splitlines()
                if any(word in line for word in ("CONSOLE", "Uncaught", "net::ERR", "Failed to load",
                                                  "Refused to", "Not allowed to load"))]
    assert problems == []
    assert shot.stat().st_size > 20000  # a rendered page, not a blank one
