"""`desk open`, the stage-1 intake: every option, defaults, placement, priority, dedup, ids."""
import re

from conftest import NOT_FOUND, USAGE
from foundation_helpers import EVENT_ID_RE, ID_RE, MATRIX, NOW, PREFIX, yaml_both

# The fixed order of ticket keys (DESIGN.md; ticket_fields() in src/desk/model/ticket.cpp).
FIELD_ORDER = [
    "id", "type", "status", "pending_reason", "priority", "priority_reason", "impact", "urgency", "title",
    "category", "channel", "reporter", "department", "contact", "email", "affected", "team", "assignee", "lead_team",
    "collaborators", "tier", "vendor", "created", "updated", "occurred_at", "responded_at", "respond_due",
    "resolve_due", "eta", "resolved_at", "confirmed_at", "closed_at", "reopen_count", "rating", "dedup_key",
    "external_id", "related", "kb", "attachments", "description", "steps", "error", "cause", "solution", "verification",
    "verified_by",
]


def test_open_with_every_option(desk, tmp_repo_dir):
    shot = tmp_repo_dir / "屏幕截图 1.png"
    shot.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary\xff")
    log = tmp_repo_dir / "erp.log"
    log.write_text("2026-11-27 09:14 ERROR connection refused\n", encoding="utf-8")
    r = desk.ok(
        "open", "--format", "json",
        "--type", "request",
        "--title", "财务部 ERP 无法登录",
        "--description", "从今天早上开始，财务部所有人都无法登录 ERP。\n重启电脑无效。",
        "--reporter", "张三",
        "--department", "财务部",
        "--contact", "13800138000 / zhangsan@example.com",
        "--channel", "phone",
        "--affected", "ERP",
        "--affected", "PC-财务-07",
        "--impact", "department",
        "--urgency", "high",
        "--occurred-at", "2026-11-27T09:15",
        "--steps", "1. 打开 ERP\n2. 输入用户名密码\n3. 点击登录",
        "--error", "ORA-12541: TNS:no listener",
        "--attach", shot,
        "--attach", log,
        "--dedup-key", "erp-login-2026-11-27",
        "--external-id", "SN-INC0012345",
    )
    j = r.json()
    tid = j["id"]
    assert re.match(r"^REQ-[0-9A-HJKMNP-TV-Z]{8}$", tid)
    expected = {
        "id": tid,
        "type": "request",
        "status": "new",
        "priority": "P2",
        "impact": "department",
        "urgency": "high",
        "title": "财务部 ERP 无法登录",
        "channel": "phone",
        "reporter": "张三",
        "department": "财务部",
        "contact": "13800138000 / zhangsan@example.com",
        "affected": ["ERP", "PC-财务-07"],
        "created": NOW,
        "updated": NOW,
        "occurred_at": "2026-11-27T09:15:00+08:00",
        "respond_due": "2026-11-27T18:00:00+08:00",  # P2: 30m business time, Friday 17:30
        "resolve_due": "2026-11-30T16:30:00+08:00",  # 8h business: 0.5h Friday + 7.5h Monday
        "dedup_key": "erp-login-2026-11-27",
        "external_id": "SN-INC0012345",
        "attachments": ["屏幕截图 1.png", "erp.log"],
        "description": "从今天早上开始，财务部所有人都无法登录 ERP。\n重启电脑无效。",
        "steps": "1. 打开 ERP\n2. 输入用户名密码\n3. 点击登录",
        "error": "ORA-12541: TNS:no listener",
    }
    fields = {k: v for k, v in j.items() if k not in ("events", "suggestions")}
    assert fields == expected
    assert len(j["events"]) == 1
    e = j["events"][0]
    assert EVENT_ID_RE.match(e["id"])
    assert {k: v for k, v in e.items() if k != "id"} == {
        "at": NOW, "by": "alice", "action": "open",
        "set": {"status": "new", "priority": "P2", "impact": "department", "urgency": "high",
                "respond_due": "2026-11-27T18:00:00+08:00", "resolve_due": "2026-11-30T16:30:00+08:00"},
    }

    # The file: tickets/YYYY/MM/<ID>.yaml, keys in the fixed order, PyYAML reads the same values.
    path = desk.path_of(tid)
    assert path == desk.root / "tickets" / "2026" / "11" / f"{tid}.yaml"
    base, typed = yaml_both(path)
    keys = list(base.keys())
    assert keys[-1] == "events"
    assert keys[:-1] == [k for k in FIELD_ORDER if k in keys]
    for k, v in expected.items():
        assert base[k] == v, k
        assert typed[k] == v, k
    assert desk.show(tid) == {k: v for k, v in j.items() if k != "suggestions"}

    # Attachments are copied byte for byte beside the ticket.
    files = path.parent / f"{tid}.files"
    assert sorted(p.name for p in files.iterdir()) == sorted(["屏幕截图 1.png", "erp.log"])
    assert (files / "屏幕截图 1.png").read_bytes() == shot.read_bytes()
    assert (files / "erp.log").read_bytes() == log.read_bytes()


def test_open_defaults_and_summary_line(desk):
    r = desk.ok("open", "--title", "Printer offline")
    m = re.fullmatch(r"Opened P4 incident (INC-[0-9A-HJKMNP-TV-Z]{8}): Printer offline "
                     r"\(respond by 2026-11-30 16:30, resolve by 2026-12-04 12:30\)\n", r.out)
    assert m, r.out
    tid = m.group(1)
    t = desk.load(tid)
    assert {k: t[k] for k in ("type", "status", "priority", "impact", "urgency", "channel")} == {
        "type": "incident", "status": "new", "priority": "P4", "impact": "individual",
        "urgency": "medium", "channel": "portal"}
    for absent in ("reporter", "department", "contact", "affected", "occurred_at", "dedup_key",
                   "external_id", "attachments", "description", "steps", "error", "category", "assignee"):
        assert absent not in t, absent
    assert t["events"][0]["by"] == "alice"
    assert t["events"][0]["at"] == NOW


def test_open_quiet_prints_only_the_id(desk):
    r = desk.ok("open", "--quiet", "--title", "quiet")
    assert ID_RE.match(r.out.rstrip("\n"))
    assert r.out.count("\n") == 1 and r.out.endswith("\n")
    assert r.err == ""
    r2 = desk.ok("open", "-q", "--title", "quiet short")
    assert ID_RE.match(r2.out.strip())


def test_description_from_stdin(desk):
    text = "第一行：网络断开\n第二行 with trailing spaces   \n\n"
    tid = desk.open("--title", "stdin", "--description", "-", input=text)
    assert desk.show(tid)["description"] == text
    assert desk.load(tid)["description"] == text


def test_steps_and_error_from_stdin(desk):
    tid = desk.open("--title", "stdin steps", "--steps", "-", input="1. a\n2. b\n")
    assert desk.show(tid)["steps"] == "1. a\n2. b\n"
    tid = desk.open("--title", "stdin error", "--error", "-", input="Traceback:\n  File \"x\"\n")
    assert desk.show(tid)["error"] == "Traceback:\n  File \"x\"\n"


def test_stdin_can_be_read_only_once(desk):
    before = desk.snapshot()
    r = desk.fails(USAGE, "open", "--title", "t", "--description", "-", "--steps", "-", input="x\n")
    assert "standard input" in r.err
    assert desk.snapshot() == before


def test_ticket_is_placed_by_creation_month_in_the_repository_zone(desk):
    # 2026-11-30 20:00 in New York is already 2026-12-01 09:00 in Shanghai (the repository zone).
    tid = desk.open("--title", "month boundary", env={"DESK_NOW": "2026-11-30T20:00:00-05:00"})
    path = desk.path_of(tid)
    assert path == desk.root / "tickets" / "2026" / "12" / f"{tid}.yaml"
    assert desk.load(tid)["created"] == "2026-12-01T09:00:00+08:00"
    # New year in UTC+8 while it is still the old year in UTC.
    tid = desk.open("--title", "year boundary", env={"DESK_NOW": "2026-12-31T16:30:00Z"})
    assert desk.path_of(tid) == desk.root / "tickets" / "2027" / "01" / f"{tid}.yaml"
    assert desk.load(tid)["created"] == "2027-01-01T00:30:00+08:00"


def test_priority_follows_the_impact_urgency_matrix(desk):
    for impact, row in MATRIX.items():
        for urgency, priority in row.items():
            tid = desk.open("--title", f"{impact} x {urgency}", "--impact", impact, "--urgency", urgency)
            t = desk.load(tid)
            assert (t["impact"], t["urgency"], t["priority"]) == (impact, urgency, priority)


def test_id_format_and_prefix_per_type(desk):
    seen = set()
    for type_name, prefix in PREFIX.items():
        for _ in range(2):
            tid = desk.open("--type", type_name, "--title", f"a {type_name}")
            assert ID_RE.match(tid), tid
            assert tid.startswith(prefix + "-")
            assert desk.load(tid)["type"] == type_name
            seen.add(tid)
    assert len(seen) == 8


def test_dedup_key_returns_the_open_ticket_and_a_new_one_after_cancel(desk):
    first = desk.open("--title", "disk full on db01", "--dedup-key", "db01-disk")
    before = desk.snapshot()
    assert desk.open("--title", "disk full on db01 again", "--dedup-key", "db01-disk") == first
    r = desk.ok("open", "--title", "again", "--dedup-key", "db01-disk")
    assert r.out == f"{first} is already open with dedup key 'db01-disk'\n"
    j = desk.ok("open", "--title", "again", "--dedup-key", "db01-disk", "--format", "json").json()
    assert j["id"] == first and j["deduplicated"] is True
    assert j["title"] == "disk full on db01"
    assert desk.snapshot() == before, "a deduplicated open must not write anything"

    # Another key is another ticket.
    other = desk.open("--title", "disk full on db02", "--dedup-key", "db02-disk")
    assert other != first

    desk.ok("cancel", first, "--reason", "R")
    assert desk.load(first)["status"] == "cancelled"
    second = desk.open("--title", "disk full on db01, later", "--dedup-key", "db01-disk")
    assert second not in (first, other)
    assert desk.open("--title", "once more", "--dedup-key", "db01-disk") == second
    ids = sorted(p.stem for p in (desk.root / "tickets").rglob("*.yaml"))
    assert ids == sorted([first, other, second])


def test_attach_same_name_twice_and_binary_content(desk, tmp_repo_dir):
    (tmp_repo_dir / "a").mkdir()
    (tmp_repo_dir / "b").mkdir()
    (tmp_repo_dir / "a" / "app.log").write_bytes(b"first\x00\x01")
    (tmp_repo_dir / "b" / "app.log").write_bytes(b"second")
    tid = desk.open("--title", "two logs", "--attach", tmp_repo_dir / "a" / "app.log",
                    "--attach", tmp_repo_dir / "b" / "app.log")
    names = desk.load(tid)["attachments"]
    assert len(names) == 2 and names[0] == "app.log" and names[1] != "app.log"
    files = desk.path_of(tid).parent / f"{tid}.files"
    assert (files / names[0]).read_bytes() == b"first\x00\x01"
    assert (files / names[1]).read_bytes() == b"second"
    assert desk.ok("doctor").code == 0


def test_attach_a_missing_file_writes_nothing(desk, tmp_repo_dir):
    before = desk.snapshot()
    r = desk.fails(NOT_FOUND, "open", "--title", "t", "--attach", tmp_repo_dir / "nope.png")
    assert "nope.png" in r.err
    assert desk.snapshot() == before
    assert not (desk.root / "tickets" / "2026").exists()


def test_occurred_at_forms(desk):
    tid = desk.open("--title", "t", "--occurred-at", "2026-11-27T09:15")
    assert desk.load(tid)["occurred_at"] == "2026-11-27T09:15:00+08:00"
    tid = desk.open("--title", "t", "--occurred-at", "2026-11-27T01:15:00Z")
    assert desk.load(tid)["occurred_at"] == "2026-11-27T09:15:00+08:00"
    tid = desk.open("--title", "t", "--occurred-at", "2026-11-26")
    assert desk.load(tid)["occurred_at"] == "2026-11-26T00:00:00+08:00"
    before = desk.snapshot()
    r = desk.fails(USAGE, "open", "--title", "t", "--occurred-at", "yesterday")
    assert "--occurred-at" in r.err and "YYYY-MM-DD" in r.err
    r = desk.fails(USAGE, "open", "--title", "t", "--occurred-at", "2026-11-28T09:00")
    assert "future" in r.err
    assert desk.snapshot() == before


def test_unknown_option_values_name_the_allowed_ones(desk):
    before = desk.snapshot()
    cases = [
        (["--type", "bug"], "incident, request, change, consultation"),
        (["--channel", "fax"], "phone, im, email, portal, walk-in"),
        (["--impact", "planet"], "individual, department, company, core-business"),
        (["--urgency", "asap"], "low, medium, high, critical"),
    ]
    for args, allowed in cases:
        r = desk.fails(USAGE, "open", "--title", "t", *args)
        assert args[1] in r.err and allowed in r.err, r
    r = desk.fails(USAGE, "open", "--title", "t", "--format", "xml")
    assert "text" in r.err and "json" in r.err
    assert desk.snapshot() == before


def test_missing_or_bad_title(desk):
    before = desk.snapshot()
    r = desk.fails(USAGE, "open")
    assert "title" in r.err
    r = desk.fails(USAGE, "open", "--reporter", "张三", "--description", "no title here")
    assert "title" in r.err
    r = desk.fails(USAGE, "open", "--title", "   ")
    assert "title" in r.err
    r = desk.fails(USAGE, "open", "--title", "two\nlines")
    assert "single line" in r.err
    r = desk.fails(USAGE, "open", "--title", "bad byte \udcff here")  # 0xFF on the command line
    assert "UTF-8" in r.err
    assert desk.snapshot() == before


def test_reporter_and_affected_must_be_single_lines(desk):
    before = desk.snapshot()
    desk.fails(USAGE, "open", "--title", "t", "--reporter", "a\nb")
    desk.fails(USAGE, "open", "--title", "t", "--affected", "ERP\nCRM")
    desk.fails(USAGE, "open", "--title", "t", "--affected", "")
    assert desk.snapshot() == before


# --- the description from $EDITOR -----------------------------------------------------------


def fake_editor(folder, body, status=0):
    """A script that records the template it was given (and where), then writes `body`."""
    script = folder / "fake-editor.sh"
    script.write_text(
        "#!/bin/sh\n"
        f"printf '%s' \"$1\" > '{folder}/editor-path.txt'\n"
        f"cp \"$1\" '{folder}/editor-template.txt'\n"
        "cat > \"$1\" <<'END'\n"
        f"{body}"
        "END\n"
        f"exit {status}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_open_on_a_terminal_asks_the_editor_for_the_description(desk, tmp_path):
    from foundation_helpers import run_on_tty

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    editor = fake_editor(tmp_path, "# 这一行会去掉\n\n打印机卡纸，面板报 E-02。\nSince Monday.\n\n")
    code, out = run_on_tty(desk, ["open", "--title", "Printer jam", "--no-suggest"],
                           env={"EDITOR": str(editor), "VISUAL": None, "TMPDIR": str(scratch)}, stdin_tty=True)
    assert code == 0, out
    template = (tmp_path / "editor-template.txt").read_text(encoding="utf-8")
    assert "# Describe the problem above" in template
    path = (tmp_path / "editor-path.txt").read_text(encoding="utf-8")
    assert path.startswith(str(scratch) + "/desk-description-")  # $TMPDIR is honoured
    assert list(scratch.iterdir()) == []  # and the file is gone
    tid = re.search(r"(INC|REQ|CHG|CON)-[0-9A-HJKMNP-TV-Z]{8}", out).group(0)
    t, _ = yaml_both(desk.path_of(tid))
    assert t["description"] == "打印机卡纸，面板报 E-02。\nSince Monday."


def test_open_when_the_editor_fails_opens_nothing(desk, tmp_path):
    from foundation_helpers import run_on_tty

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    editor = fake_editor(tmp_path, "half written\n", status=3)
    before = desk.snapshot()
    err = tmp_path / "stderr.txt"
    with err.open("wb") as f:
        code, _ = run_on_tty(desk, ["open", "--title", "Printer jam", "--no-suggest"],
                             env={"VISUAL": str(editor), "EDITOR": None, "TMPDIR": str(scratch)}, stdin_tty=True,
                             stderr=f)
    assert code == USAGE
    message = err.read_text(encoding="utf-8")
    assert "desk: error:" in message and "failed (status 3); nothing was opened" in message
    assert desk.snapshot() == before
    assert list(scratch.iterdir()) == []


def test_open_with_an_unwritable_tmpdir_says_so_and_opens_nothing(desk, tmp_path):
    from foundation_helpers import run_on_tty

    editor = fake_editor(tmp_path, "text\n")
    before = desk.snapshot()
    err = tmp_path / "stderr.txt"
    with err.open("wb") as f:
        code, _ = run_on_tty(desk, ["open", "--title", "Printer jam", "--no-suggest"],
                             env={"EDITOR": str(editor), "VISUAL": None, "TMPDIR": str(tmp_path / "missing")},
                             stdin_tty=True, stderr=f)
    assert code == 7  # file system error
    message = err.read_text(encoding="utf-8")
    assert f"cannot create a temporary file for the editor in {tmp_path / 'missing'}" in message
    assert "TMPDIR" in message
    assert desk.snapshot() == before
