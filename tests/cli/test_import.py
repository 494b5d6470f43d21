"""`desk import` (servicenow, csv, json) and `desk export`, end to end."""
import io
import json
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import BAD_DATA, DESK_BIN, OK, SOURCE_DIR, USAGE, Desk, git

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "servicenow_small.csv"
CHECKER = Path(__file__).resolve().parent / "servicenow_check.py"
SHARED_LOG = SOURCE_DIR.parent / "shared" / "data" / "servicenow-incident-event-log.csv.zip"


def tickets(desk):
    """Every ticket file's text by relative path."""
    return {str(p.relative_to(desk.root)): p.read_text(encoding="utf-8")
            for p in sorted((desk.root / "tickets").rglob("*.yaml"))}


def by_external_id(desk):
    out = {}
    for p in (desk.root / "tickets").rglob("*.yaml"):
        t = yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        out[t["external_id"]] = t
    return out


def actions(ticket):
    return [e["action"] for e in ticket["events"]]


def new_repo(tmp_path, name, zone="Asia/Shanghai"):
    root = tmp_path / name
    d = Desk(root)
    r = d.run("init", str(root), "--timezone", zone, cwd=tmp_path)
    assert r.code == 0, r
    return d


def log_slice(tmp_path, rows):
    """The header and the first `rows` rows of the shipped log, as a CSV file, completed to
    the end of the last incident (the rows of an incident are together in the log)."""
    if not SHARED_LOG.exists():
        pytest.skip(f"the shipped ServiceNow log is not at {SHARED_LOG}")
    with zipfile.ZipFile(SHARED_LOG) as z:
        with z.open("incident_event_log.csv") as f:
            lines = []
            for i, line in enumerate(io.TextIOWrapper(f, encoding="utf-8", newline="")):
                if i > rows and line.split(",", 1)[0] != lines[-1].split(",", 1)[0]:
                    break
                lines.append(line)
    path = tmp_path / f"slice-{rows}.csv"
    path.write_text("".join(lines), encoding="utf-8", newline="")
    return path


# --- ServiceNow -------------------------------------------------------------------------

def test_servicenow_small_log(desk):
    r = desk.ok("import", "servicenow", SMALL)
    assert "imported 4 tickets" in r.out and "(19 rows)" in r.out and "4 created" in r.out
    assert "added 2 categories" in r.out and "awaiting-vendor" not in r.out
    t = by_external_id(desk)
    assert set(t) == {"INC0000001", "INC0000002", "INC0000003", "INC0000004"}
    one = t["INC0000001"]
    assert actions(one) == ["open", "assign", "start", "pending", "resume", "triage", "resolve", "close"]
    assert one["status"] == "closed" and one["priority"] == "P2" and one["impact"] == "core-business"
    assert one["team"] == "Group 2" and one["assignee"] == "Resolver 4" and one["channel"] == "phone"
    assert one["created"] == "2016-03-01T09:00:00+08:00"
    assert one["resolved_at"] == "2016-03-02T10:00:00+08:00"
    assert one["closed_at"] == "2016-03-07T11:00:00+08:00"
    assert one["servicenow"]["made_sla"] == "false" and one["servicenow"]["reassignment_count"] == "1"
    assert one["events"][3]["set"]["pending_reason"] == "awaiting-user"
    assert one["events"][0]["source"] == "servicenow/0" and one["events"][0]["by"] == "Opened by  8"
    two = t["INC0000002"]
    assert two["channel"] == "email" and two["servicenow"]["location"] == 'Building "A", floor 2'
    assert actions(two) == ["open", "resolve", "close"]
    three = t["INC0000003"]
    assert three["priority"] == "P1" and three["channel"] == "portal" and three["reopen_count"] == "1"
    assert actions(three) == ["open", "assign", "pending", "resolve", "reopen", "start", "resolve", "close"]
    assert three["events"][2]["set"]["pending_reason"] == "awaiting-vendor"
    four = t["INC0000004"]
    assert four["status"] == "in_progress" and four["priority"] == "P4"
    assert actions(four) == ["open", "log", "assign", "start"]
    # The config learnt the categories; the files pass doctor; list and show work.
    cfg = yaml.safe_load((desk.root / ".desk" / "config.yaml").read_text(encoding="utf-8"))
    assert "Category 7" in cfg["categories"] and "Category 9" in cfg["categories"]
    assert "# Technical domains" in (desk.root / ".desk" / "config.yaml").read_text(encoding="utf-8")
    desk.ok("doctor")
    listed = desk.ok("list", "--all", "--format", "json").json()
    assert len(listed) == 4
    assert desk.ok("list", "--category", "Category 9", "--all", "--format", "json").json()[0]["external_id"] == "INC0000002"


def test_servicenow_reimport_is_idempotent(desk):
    desk.ok("import", "servicenow", SMALL)
    before = desk.snapshot()
    r = desk.ok("import", "servicenow", SMALL)
    assert "0 created, 0 updated, 4 unchanged" in r.out
    assert desk.snapshot() == before


def test_servicenow_reimport_updates_and_keeps_local_work(desk, tmp_path):
    desk.ok("import", "servicenow", SMALL)
    four = next(p for p in (desk.root / "tickets").rglob("*.yaml") if "INC0000004" in p.read_text())
    ticket_id = four.stem
    desk.ok("log", ticket_id, "-m", "called the user back")
    # The export grows: INC0000004 is resolved and closed in ServiceNow.
    text = SMALL.read_text(encoding="utf-8")
    last = text.strip().splitlines()[-1]
    more = [last.replace("New,true,0,0,1,", "Resolved,true,0,0,3,").replace("9/3/2016 15:20", "10/3/2016 09:00")
                .replace("Group 1,?,", "Group 1,Resolver 1,"),
            last.replace("New,true,0,0,1,", "Closed,false,0,0,4,").replace("9/3/2016 15:20", "15/3/2016 10:00")
                .replace("Group 1,?,", "Group 1,Resolver 1,")]
    grown = tmp_path / "grown.csv"
    grown.write_text(text + "\r\n".join(more) + "\r\n", encoding="utf-8")
    r = desk.ok("import", "servicenow", grown)
    assert "0 created, 1 updated, 3 unchanged" in r.out and "kept the events recorded in desk on 1" in r.out
    t = desk.load(ticket_id)
    assert t["status"] == "closed"
    assert actions(t)[-3:] == ["resolve", "close", "log"]
    assert t["events"][-1]["note"] == "called the user back"
    assert t["updated"] == "2026-11-27T17:30:00+08:00"
    assert len([p for p in (desk.root / "tickets").rglob("*.yaml")]) == 4
    r = desk.ok("import", "servicenow", grown)
    assert "0 created, 0 updated, 4 unchanged" in r.out


def test_servicenow_timezone_option(desk):
    desk.ok("import", "servicenow", SMALL, "--timezone", "UTC", "--limit", "1")
    t = by_external_id(desk)
    assert list(t) == ["INC0000001"]
    assert t["INC0000001"]["created"] == "2016-03-01T17:00:00+08:00"


def test_servicenow_zip_as_shipped(desk, tmp_path):
    archive = tmp_path / "log.csv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("incident_event_log.csv", SMALL.read_bytes())
        z.writestr("__MACOSX/._incident_event_log.csv", b"\x00\x05\x16\x07 mac resource fork")
    r = desk.ok("import", "servicenow", archive)
    assert "4 created" in r.out and "log.csv.zip:incident_event_log.csv" in r.out
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.txt", "nothing")
    r = desk.fails(USAGE, "import", "servicenow", empty)
    assert "holds no .csv file" in r.err


def test_servicenow_dry_run_writes_nothing(desk):
    before = desk.snapshot()
    r = desk.ok("import", "servicenow", SMALL, "--dry-run")
    assert "would import 4 tickets" in r.out and "would add 2 categories" in r.out
    assert desk.snapshot() == before


# Bad input: an error naming file:line:column, exit 5, and the repository exactly as before.
BAD_CASES = {
    "binary": (lambda text: b"PK\x00\x00" + bytes(range(256)) * 4, r"garbage.csv:1:3: binary data"),
    "prose": (lambda text: "Dear team\nplease find the tickets attached.\n".encode(),
              "missing required column 'number'"),
    "missing_column": (lambda text: text.replace("incident_state", "state", 1).encode(),
                       "missing required column 'incident_state'"),
    "truncated": (lambda text: text[: text.rfind("Resolved by 2")].encode(), "the last line is incomplete"),
    "unterminated_quote": (lambda text: text[: text.find('"Building') + 12].encode(), "never closed"),
    "bad_date": (lambda text: text.replace("3/3/2016 14:20", "3/13/2016 14:20", 1).encode(), "is not a time"),
    "unknown_priority": (lambda text: text.replace("1 - Critical", "0 - Panic", 1).encode(),
                         "unknown priority label '0 - Panic'"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_servicenow_bad_input(desk, tmp_path, case):
    make, message = BAD_CASES[case]
    bad = tmp_path / "garbage.csv"
    bad.write_bytes(make(SMALL.read_text(encoding="utf-8")))
    desk.ok("open", "--title", "existing ticket")
    before = desk.snapshot()
    r = desk.fails(BAD_DATA, "import", "servicenow", bad)
    assert message.split(": ", 1)[-1] in r.err, r.err
    first = r.err.splitlines()[0]
    assert first.startswith(f"desk: error: {bad}:"), first
    line, column = first[len(f"desk: error: {bad}:"):].split(":")[:2]
    assert int(line) >= 1 and int(column) >= 1
    assert desk.snapshot() == before


def test_servicenow_damaged_zip(desk, tmp_path):
    archive = tmp_path / "log.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("incident_event_log.csv", SMALL.read_bytes() * 20)
    data = bytearray(archive.read_bytes())
    data[200:260] = b"\xff" * 60  # inside the compressed member
    archive.write_bytes(bytes(data))
    before = desk.snapshot()
    r = desk.fails(BAD_DATA, "import", "servicenow", archive)
    assert f"{archive}" in r.err and ("damaged" in r.err or "not a readable zip" in r.err), r.err
    assert desk.snapshot() == before


def test_servicenow_bad_input_positions(desk, tmp_path):
    text = SMALL.read_text(encoding="utf-8")
    bad = tmp_path / "log.csv"
    bad.write_text(text.replace("1 - Critical", "0 - Panic", 1), encoding="utf-8")
    lines = text.splitlines()
    line = next(i for i, l in enumerate(lines, 1) if "1 - Critical" in l)
    column = lines[line - 1].index("1 - Critical") + 1
    r = desk.fails(BAD_DATA, "import", "servicenow", bad)
    assert f"{bad}:{line}:{column}: unknown priority label" in r.err


def test_interrupted_import_resumes(desk, tmp_path):
    clean = new_repo(tmp_path, "clean")
    clean.ok("import", "servicenow", SMALL)
    desk.ok("import", "servicenow", SMALL)
    # What a killed import leaves: some tickets missing, a temp file in a month folder.
    files = sorted((desk.root / "tickets").rglob("*.yaml"))
    for p in files[::2]:
        p.unlink()
    (files[1].parent / f".{files[1].name}.tmp.AbC123").write_text("half a tick", encoding="utf-8")
    r = desk.ok("import", "servicenow", SMALL)
    assert "2 created, 0 updated, 2 unchanged" in r.out
    assert tickets(desk) == tickets(clean)
    assert not list((desk.root / "tickets").rglob(".*.tmp.*"))
    desk.ok("doctor")


def test_killed_import_resumes(tmp_path):
    path = log_slice(tmp_path, 3000)
    clean = new_repo(tmp_path, "clean")
    clean.ok("import", "servicenow", path)
    d = new_repo(tmp_path, "killed")
    for delay in (0.05, 0.2, 0.5):
        proc = subprocess.Popen([DESK_BIN, "import", "servicenow", str(path)], cwd=d.root, env=d.env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    d.ok("import", "servicenow", path)
    assert tickets(d) == tickets(clean)
    assert not list((d.root / "tickets").rglob(".*.tmp.*"))


def test_real_log_slice_agrees_with_the_csv(tmp_path):
    """The first 2,000 rows of the shipped log: desk's figures equal the CSV's."""
    path = log_slice(tmp_path, 2000)
    d = new_repo(tmp_path, "repo", zone="UTC")
    r = d.ok("import", "servicenow", path)
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert rows >= 2000 and f"({rows} rows)" in r.out
    d.ok("doctor")
    export = tmp_path / "export.json"
    d.ok("export", "-o", export)
    check = subprocess.run([sys.executable, str(CHECKER), str(path), str(export), "--timezone", "UTC"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "figures agree" in check.stdout
    listed = d.ok("list", "--all", "--format", "json").json()
    assert len(listed) == len(json.loads(export.read_text())["tickets"])


# --- export and import json -------------------------------------------------------------

def test_export_import_round_trip(desk, tmp_path):
    desk.ok("import", "servicenow", SMALL)
    tid = desk.open("--title", "打印机卡纸: \"tray 2\" #3", "--description", "line one\nline two\n", "--affected",
                    "printer")
    desk.ok("log", tid, "-m", "checked — 已检查", "--minutes", "15")
    export = tmp_path / "export.json"
    r = desk.ok("export", "-o", export)
    assert "exported 5 tickets" in r.out
    doc = json.loads(export.read_text(encoding="utf-8"))
    assert doc["format"] == "desk-export" and doc["version"] == 1 and len(doc["tickets"]) == 5
    assert all("events" in t for t in doc["tickets"])
    other = new_repo(tmp_path, "other")
    r = other.ok("import", "json", export)
    assert "5 created" in r.out
    assert tickets(other) == tickets(desk)
    other.ok("doctor")
    r = other.ok("import", "json", export)
    assert "0 created, 0 updated, 5 unchanged" in r.out
    # stdout and -o give the same document; filters narrow it.
    assert desk.ok("export").out == export.read_text(encoding="utf-8")
    some = json.loads(desk.ok("export", "--priority", "P1").out)
    assert [t["external_id"] for t in some["tickets"]] == ["INC0000003"]
    assert json.loads(desk.ok("export", "--open").out)["tickets"][0]["status"] != "closed"


def test_export_takes_the_filters_of_list(desk):
    desk.ok("import", "servicenow", SMALL)
    # The same options, checked the same way, as `desk list` (one definition for both).
    r = desk.fails(2, "export", "--category", "nosuch")
    assert "--category: unknown value 'nosuch'" in r.err
    r = desk.fails(2, "export", "--status", "bogus")
    assert "--status: unknown value 'bogus'" in r.err
    desk.fails(2, "export", "--since", "not-a-time")
    desk.fails(2, "export", "--open", "--all")
    # Export shows every ticket by default, list the open ones; --status finds closed ones.
    everything = json.loads(desk.ok("export").out)["tickets"]
    assert len(everything) == 4 and any(t["status"] == "closed" for t in everything)
    closed = json.loads(desk.ok("export", "--status", "closed").out)["tickets"]
    assert closed and all(t["status"] == "closed" for t in closed)
    listed = desk.ok("list", "--status", "closed", "--format", "json").out
    assert sorted(t["id"] for t in json.loads(listed)) == sorted(t["id"] for t in closed)
    cat = everything[0]["category"]
    by_cat = json.loads(desk.ok("export", "--category", cat).out)["tickets"]
    assert by_cat and all(t["category"] == cat for t in by_cat)
    assert "Every ticket (the default)" in desk.ok("export", "--help").out
    assert "Tickets not closed or cancelled (the default)" in desk.ok("list", "--help").out


def test_export_csv(desk):
    desk.ok("import", "servicenow", SMALL)
    out = desk.ok("export", "--format", "csv").out
    import csv as csvmod
    rows = list(csvmod.DictReader(io.StringIO(out, newline="")))
    assert len(rows) == 4
    assert set(rows[0]) >= {"id", "status", "priority", "external_id", "extra", "events"}
    one = next(r for r in rows if r["external_id"] == "INC0000001")
    assert json.loads(one["extra"])["servicenow"]["subcategory"] == "Subcategory 9"
    assert [e["action"] for e in json.loads(one["events"])][0] == "open"


def test_real_log_round_trip(tmp_path):
    path = log_slice(tmp_path, 2000)
    a = new_repo(tmp_path, "a", zone="UTC")
    a.ok("import", "servicenow", path)
    export = tmp_path / "export.json"
    a.ok("export", "-o", export)
    b = new_repo(tmp_path, "b", zone="UTC")
    b.ok("import", "json", export)
    assert tickets(a) == tickets(b)


def test_import_json_bad_input(desk, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "desk-export", "version": 1, "tickets": [\n{"id": "INC-1234ABCD",, }]}\n')
    r = desk.fails(BAD_DATA, "import", "json", bad)
    assert f"{bad}:2:" in r.err and "not valid JSON" in r.err
    bad.write_text('{"format": "desk-export", "version": 1, "tickets": [\n'
                   '{"id": "INC-1234ABCD", "type": "incident", "status": "new", "created": "2026-01-01T00:00:00+08:00",'
                   ' "events": []}\n]}\n')
    r = desk.fails(BAD_DATA, "import", "json", bad)
    assert f"{bad}:2:1: tickets[0] (INC-1234ABCD)" in r.err and "title" in r.err
    bad.write_text('{"format": "something-else", "tickets": []}')
    r = desk.fails(BAD_DATA, "import", "json", bad)
    assert "not \"desk-export\"" in r.err
    before = desk.snapshot()
    bad.write_text('{"format": "desk-export", "version": 1, "tickets": [{"id": "../../etc", "type": "incident",'
                   ' "status": "new", "title": "x", "created": "2026-01-01T00:00:00+08:00", "events": [{"id": "E-1",'
                   ' "at": "2026-01-01T00:00:00+08:00", "by": "x", "action": "open"}]}]}')
    r = desk.run("import", "json", bad)
    assert r.code != OK and "not a ticket id" in r.err
    assert desk.snapshot() == before


# --- generic CSV --------------------------------------------------------------------------

def test_csv_jira_export(desk):
    r = desk.ok("import", "csv", DATA / "jira_export.csv", "--map", SOURCE_DIR / "share" / "import" / "jira.yaml",
                "--timezone", "UTC")
    assert "imported 4 tickets" in r.out and "4 created" in r.out
    t = by_external_id(desk)
    vpn = t["ITSD-101"]
    assert vpn["status"] == "in_progress" and vpn["priority"] == "P2" and vpn["affected"] == ["VPN", "Network"]
    assert vpn["description"] == 'Since Monday the VPN client disconnects.\nError: "peer not responding", code 809.'
    assert vpn["created"] == "2024-11-18T17:05:00+08:00" and vpn["jira"]["labels"] == "remote"
    assert actions(vpn) == ["open", "start"] and vpn["events"][0]["source"] == "jira"
    printer = t["ITSD-102"]
    assert printer["title"] == "打印机卡纸" and printer["type"] == "request" and printer["status"] == "closed"
    assert actions(printer) == ["open", "resolve", "close"]
    assert printer["resolved_at"] == "2024-11-20T00:30:00+08:00"
    sap = t["ITSD-103"]
    assert sap["status"] == "pending" and sap["pending_reason"] == "awaiting-user"
    mail = t["ITSD-104"]
    assert mail["priority"] == "P1" and mail["priority_reason"] == "set in jira" and mail["status"] == "resolved"
    assert mail["jira"]["labels"] == "outage,p1"
    desk.ok("doctor")
    r = desk.ok("import", "csv", DATA / "jira_export.csv", "--map", SOURCE_DIR / "share" / "import" / "jira.yaml",
                "--timezone", "UTC")
    assert "0 created, 0 updated, 4 unchanged" in r.out


def test_csv_repeated_column_is_every_value_of_a_list_field_and_an_error_for_one_value(desk, tmp_path):
    jira = tmp_path / "mapping.yaml"
    jira.write_text("source: jira\nexternal_id: Issue key\ndate_format: \"%d/%b/%y %I:%M %p\"\nfields:\n"
                    "  title: Summary\n  description: Description\n  affected: {column: Component/s}\n"
                    "  created: Created\n")
    header = "Issue key,Summary,Description,Component/s,Component/s,Created"
    ok = tmp_path / "lists.csv"
    ok.write_text(f"{header}\nX-1,VPN 断线,d,VPN,网络,18/Nov/24 9:05 AM\n")
    desk.ok("import", "csv", ok, "--map", jira, "--timezone", "UTC")
    assert by_external_id(desk)["X-1"]["affected"] == ["VPN", "网络"]
    before = desk.snapshot()
    for columns, repeated, field in [("Issue key,Summary,Summary,Description,Created", "Summary", "'title'"),
                                     ("Issue key,Issue key,Summary,Description,Created", "Issue key", "the external id"),
                                     ("Issue key,Summary,Description,Created,Created", "Created", "'created'")]:
        bad = tmp_path / "repeated.csv"
        bad.write_text(f"{columns},Component/s\nX-2,a,b,c,18/Nov/24 9:05 AM,VPN\n")
        r = desk.fails(BAD_DATA, "import", "csv", bad, "--map", jira, "--timezone", "UTC")
        line = r.err.splitlines()[0]
        assert line.startswith(f"desk: error: {bad}:1:") and f"column '{repeated}' appears 2 times" in line, r.err
        assert f"{field}" in line and "takes one value" in line, r.err
        assert desk.snapshot() == before


def test_csv_zendesk_export(desk):
    r = desk.ok("import", "csv", DATA / "zendesk_export.csv", "--map",
                SOURCE_DIR / "share" / "import" / "zendesk.yaml")
    assert "4 created" in r.out
    t = by_external_id(desk)
    assert t["2001"]["status"] == "resolved" and t["2001"]["channel"] == "portal" and t["2001"]["team"] == "Service Desk"
    assert t["2001"]["created"] == "2024-11-04T08:12:44+08:00"
    assert t["2002"]["status"] == "new" and t["2002"]["type"] == "request" and t["2002"]["channel"] == "email"
    assert t["2003"]["status"] == "pending" and t["2003"]["pending_reason"] == "awaiting-vendor"
    assert t["2003"]["reporter"] == "Jörg Müller" and t["2003"]["channel"] == "phone"
    assert t["2004"]["status"] == "closed" and t["2004"]["type"] == "consultation"
    assert t["2004"]["zendesk"]["satisfaction"] == "Good"
    desk.ok("doctor")


def test_csv_bad_value_and_mapping(desk, tmp_path):
    text = (DATA / "zendesk_export.csv").read_text(encoding="utf-8")
    bad = tmp_path / "z.csv"
    bad.write_text(text.replace(",urgent,", ",urgent,").replace("solved,normal", "solved,whenever"), encoding="utf-8")
    before = desk.snapshot()
    r = desk.fails(BAD_DATA, "import", "csv", bad, "--map", SOURCE_DIR / "share" / "import" / "zendesk.yaml")
    assert f"{bad}:2:" in r.err and "unknown priority value 'whenever'" in r.err
    mapping = tmp_path / "m.yaml"
    mapping.write_text("source: x\nexternal_id: Id\nfields:\n  title: Subject\n  created: Created at\n  colour: Tags\n")
    r = desk.fails(BAD_DATA, "import", "csv", bad, "--map", mapping)
    assert f"{mapping}:6:" in r.err and "'colour' is not a field" in r.err
    mapping.write_text("source: x\nexternal_id: Id\ndate_format: '%d.%m.%Y'\nfields:\n  title: Subject\n"
                       "  created: Created at\n")
    r = desk.fails(BAD_DATA, "import", "csv", bad, "--map", mapping)
    assert f"{bad}:2:" in r.err and "is not a time in the format" in r.err
    assert desk.snapshot() == before


# --- git ------------------------------------------------------------------------------------

def test_import_makes_one_commit_with_autocommit(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    d = Desk(root)
    d.ok("init", str(root), "--timezone", "Asia/Shanghai", cwd=tmp_path)
    cfg = (root / ".desk" / "config.yaml").read_text(encoding="utf-8")
    if "autocommit: true" not in cfg:
        pytest.skip("this desk does not turn on autocommit inside git")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    d.ok("import", "servicenow", SMALL)
    subjects = git(root, "log", "--format=%s").splitlines()
    assert len(subjects) == 2 and subjects[0].startswith("import servicenow: 4 created"), subjects
    assert git(root, "status", "--porcelain") == ""


def test_libzip_is_loaded_only_to_read_a_zip():
    """libzip (and the libcrypto it brings, ~5 ms of every process start) is not linked:
    it is opened when a .zip is read (the zip tests above prove that reading works)."""
    linked = subprocess.run(["ldd", DESK_BIN], capture_output=True, text=True, check=True).stdout
    assert "libzip" not in linked and "libcrypto" not in linked, linked


def exported_ticket(desk, tmp_path):
    """One ticket exported by desk, as a dict (a valid starting point to spoil)."""
    desk.open("--title", "导出的工单")
    return json.loads(desk.ok("export").out)["tickets"][0]


@pytest.mark.parametrize("spoil,words", [
    (lambda t: t.update(status="exploded"), "unknown status 'exploded'"),
    (lambda t: t.update(rating="five"), "'rating' must be a whole number"),
    (lambda t: t.update(events=[]), "no events"),
    (lambda t: t.update(title="a\u0000b"), "NUL"),
    (lambda t: t.update(created="2099-01-01T10:00:00+08:00"), "in the future"),
])
def test_json_import_refuses_what_doctor_would_reject(desk, tmp_path, spoil, words):
    t = exported_ticket(desk, tmp_path)
    other = new_repo(tmp_path, "other")
    spoil(t)
    f = tmp_path / "bad.json"
    f.write_text(json.dumps({"format": "desk-export", "version": 1, "tickets": [t]}), encoding="utf-8")
    before = other.snapshot()
    r = other.fails(BAD_DATA, "import", "json", f)
    assert words in r.err and t["id"] in r.err, r
    assert other.snapshot() == before


def test_json_import_of_deep_nesting_and_huge_numbers_gives_a_position(desk, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 20000 + "]" * 20000)
    r = desk.fails(BAD_DATA, "import", "json", deep)
    assert f"{deep}:1:65: nested more than 64 levels deep" in r.err
    big = tmp_path / "big.json"
    big.write_text('{"format": "desk-export", "version": 1,\n "tickets": [{"id": "INC-1", "tier": 1e999}]}')
    r = desk.fails(BAD_DATA, "import", "json", big)
    assert f"{big}:2:" in r.err and "number overflow" in r.err
    assert "json.exception" not in r.err and "bug in desk" not in r.err


def test_csv_import_refuses_a_creation_time_in_the_future(desk, tmp_path):
    csv = tmp_path / "future.csv"
    csv.write_text("Id,Subject,Created at\n1,打印机,2024-11-04 08:12:44\n2,未来,2099-11-04 08:12:44\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("source: x\nexternal_id: Id\nfields:\n  title: Subject\n  created: Created at\n")
    before = desk.snapshot()
    r = desk.fails(BAD_DATA, "import", "csv", csv, "--map", mapping)
    assert "in the future" in r.err and "x ticket 2" in r.err
    assert desk.snapshot() == before


def test_a_zip_bomb_is_refused_while_it_is_read(desk, tmp_path):
    import resource
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        with z.open("incidents.csv", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(256):
                member.write(block)
    assert bomb.stat().st_size < 2 * 1024 * 1024

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (400 << 20, 400 << 20))

    proc = subprocess.run([DESK_BIN, "import", "servicenow", str(bomb)], cwd=desk.root, capture_output=True,
                          text=True, env=desk.env(), preexec_fn=limit_memory, timeout=60)
    assert proc.returncode == BAD_DATA, proc
    assert "unpacks to more than" in proc.stderr and "zip bomb" in proc.stderr
