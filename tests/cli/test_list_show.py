"""`desk show` and `desk list` (filters, sort, limit, json/csv, aligned tables, colour),
and both keep working when another ticket file is broken."""
import csv
import io
import re

import pytest
import yaml
from conftest import USAGE, write_config
from foundation_helpers import ANSI_RE, cell_starts, make_desk, run_on_tty


def fleet_config(cfg):
    cfg["teams"] = {
        "service-desk": {"tier": 1, "members": ["bob", "王小明"], "skills": ["end-user-device", "application"]},
        "network-team": {"tier": 2, "members": ["王小明", "dave"], "skills": ["network"]},
    }


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Five tickets that differ in every filterable field (tests must not change them)."""
    d = make_desk(tmp_path_factory.mktemp("fleet") / "repo")
    write_config(d, fleet_config)
    ids = {}
    ids["vpn"] = d.open("--title", "VPN 全公司断开", "--reporter", "张三", "--department", "财务部",
                        "--channel", "phone", "--impact", "company", "--urgency", "critical",
                        env={"DESK_NOW": "2026-11-20T09:00:00+08:00"})
    d.ok("triage", ids["vpn"], "--category", "network", env={"DESK_NOW": "2026-11-20T09:05:00+08:00"})
    d.ok("assign", ids["vpn"], "--to", "王小明", "--team", "network-team",
         env={"DESK_NOW": "2026-11-20T09:06:00+08:00"})
    ids["laptop"] = d.open("--type", "request", "--title", "申请新笔记本, 16GB", "--reporter", "李四",
                           "--department", "人事部", "--channel", "email", "--impact", "individual",
                           "--urgency", "low", env={"DESK_NOW": "2026-11-25T14:00:00+08:00"})
    d.ok("triage", ids["laptop"], "--category", "end-user-device", env={"DESK_NOW": "2026-11-25T14:10:00+08:00"})
    d.ok("assign", ids["laptop"], "--to", "bob", "--team", "service-desk",
         env={"DESK_NOW": "2026-11-25T14:11:00+08:00"})
    ids["db"] = d.open("--type", "change", "--title", "升级数据库", "--reporter", "张三", "--department", "IT",
                       "--channel", "walk-in", "--impact", "department", "--urgency", "medium",
                       env={"DESK_NOW": "2026-10-15T10:00:00+08:00"})
    d.ok("triage", ids["db"], "--category", "database", env={"DESK_NOW": "2026-10-15T10:30:00+08:00"})
    ids["mail"] = d.open("--type", "consultation", "--title", "如何设置邮箱签名", "--reporter", "王五",
                         "--channel", "im", env={"DESK_NOW": "2026-11-26T11:00:00+08:00"})
    d.ok("cancel", ids["mail"], "--reason", "重复", env={"DESK_NOW": "2026-11-26T11:30:00+08:00"})
    ids["printer"] = d.open("--title", 'Printer "HP" offline, 3F', "--reporter", "Wang Fang",
                            "--description", 'multi\nline, with "quotes"',
                            env={"DESK_NOW": "2026-11-01T08:00:00+08:00"})
    d.ids = ids
    return d


def listed(d, *args):
    return [t["id"] for t in d.ok("list", "--format", "json", *args).json()]


def names(d, ids):
    back = {v: k for k, v in d.ids.items()}
    return [back[i] for i in ids]


# --- show ---------------------------------------------------------------------------------------

def test_show_text_has_the_fields_and_the_history(fleet):
    tid = fleet.ids["vpn"]
    r = fleet.ok("show", tid)
    lines = r.out.splitlines()
    assert lines[0] == f"{tid}  VPN 全公司断开"
    body = r.out

    def row(label, value):
        assert re.search(rf"^  {re.escape(label)} +{re.escape(value)}$", body, re.M), (label, value, body)

    row("status", "assigned")
    row("type", "incident")
    row("category", "network")
    row("channel", "phone")
    row("reporter", "张三 (财务部)")
    row("team", "network-team")
    row("assignee", "王小明")
    row("created", "2026-11-20 09:00")
    assert re.search(r"^  priority +P1 .*impact company × urgency critical", body, re.M), body
    assert "\nHistory\n" in body
    history = body.split("\nHistory\n", 1)[1].splitlines()
    assert len(history) == 3
    assert re.match(r"^  2026-11-20 09:00  alice +open +status=new, priority=P1, impact=company, urgency=critical",
                    history[0]), history
    assert re.match(r"^  2026-11-20 09:05  alice +triage .*category=network", history[1]), history
    assert re.match(r"^  2026-11-20 09:06  alice +assign .*assignee=王小明", history[2]), history
    assert not any(line.endswith(" ") for line in lines)
    assert not ANSI_RE.search(body)


def test_show_text_prints_multi_line_description(fleet):
    out = fleet.ok("show", fleet.ids["printer"]).out
    assert "\nDescription\n  multi\n  line, with \"quotes\"\n" in out


def test_show_json_shape(fleet):
    tid = fleet.ids["laptop"]
    j = fleet.ok("show", tid, "--format", "json").json()
    assert j["id"] == tid
    assert list(j)[-1] == "events"
    t = yaml.safe_load(fleet.path_of(tid).read_text(encoding="utf-8"))
    assert {k: v for k, v in j.items() if k != "events"} == {k: v for k, v in t.items() if k != "events"}
    assert [e["action"] for e in j["events"]] == ["open", "triage", "assign"]
    for e in j["events"]:
        assert list(e)[:4] == ["id", "at", "by", "action"]
    assert j["events"][0]["set"]["priority"] == "P4"
    assert j["events"][2]["set"]["assignee"] == "bob"
    assert j["events"] == t["events"]


def test_show_yaml_prints_the_file(fleet):
    tid = fleet.ids["printer"]
    r = fleet.ok("show", tid[:8].lower(), "--format", "yaml")
    assert r.out.encode("utf-8") == fleet.path_of(tid).read_bytes()


def test_show_unknown_format_names_the_allowed(fleet):
    r = fleet.fails(USAGE, "show", fleet.ids["vpn"], "--format", "xml")
    assert "text" in r.err and "json" in r.err and "yaml" in r.err


# --- list filters -------------------------------------------------------------------------------

def test_list_default_is_open_tickets_by_priority_then_created(fleet):
    assert names(fleet, listed(fleet)) == ["vpn", "db", "printer", "laptop"]
    assert names(fleet, listed(fleet, "--open")) == ["vpn", "db", "printer", "laptop"]
    assert names(fleet, listed(fleet, "--closed")) == ["mail"]
    assert sorted(names(fleet, listed(fleet, "--all"))) == ["db", "laptop", "mail", "printer", "vpn"]


@pytest.mark.parametrize("args,expected", [
    (["--status", "assigned"], ["laptop", "vpn"]),
    (["--status", "new,triaged"], ["db", "printer"]),
    (["--status", "cancelled"], ["mail"]),
    (["--type", "request"], ["laptop"]),
    (["--type", "incident", "--type", "change"], ["db", "printer", "vpn"]),
    (["--priority", "P4"], ["laptop", "printer"]),
    (["--priority", "P1,P3"], ["db", "vpn"]),
    (["--category", "network"], ["vpn"]),
    (["--category", "database,end-user-device"], ["db", "laptop"]),
    (["--channel", "walk-in"], ["db"]),
    (["--channel", "portal"], ["printer"]),
    (["--reporter", "张三"], ["db", "vpn"]),
    (["--reporter", "Wang Fang"], ["printer"]),
    (["--department", "财务部"], ["vpn"]),
    (["--department", "人事部,IT"], ["db", "laptop"]),
    (["--team", "service-desk"], ["laptop"]),
    (["--team", "network-team"], ["vpn"]),
    (["--assignee", "王小明"], ["vpn"]),
    (["--assignee", "bob"], ["laptop"]),
    (["--assignee", "nobody"], []),
    (["--since", "2026-11-01"], ["laptop", "printer", "vpn"]),
    (["--since", "2026-11-20T09:00"], ["laptop", "vpn"]),
    (["--until", "2026-11-01"], ["db"]),
    (["--until", "2026-11-01T08:00:01"], ["db", "printer"]),
    (["--since", "2026-11-01", "--until", "2026-11-21"], ["printer", "vpn"]),
    (["--since", "2026-11-26", "--all"], ["mail"]),
    (["--reporter", "张三", "--type", "change"], ["db"]),
])
def test_list_filters(fleet, args, expected):
    assert sorted(names(fleet, listed(fleet, *args))) == expected


@pytest.mark.parametrize("option,allowed", [
    ("--status", "new, triaged, assigned, in_progress, pending, escalated, resolved, reopened, confirmed, closed, "
                 "cancelled"),
    ("--type", "incident, request, change, consultation"),
    ("--priority", "P1, P2, P3, P4"),
    ("--category", "network, server, database, application, end-user-device"),
    ("--channel", "phone, im, email, portal, walk-in"),
])
def test_list_unknown_filter_value_names_the_allowed(fleet, option, allowed):
    r = fleet.fails(USAGE, "list", option, "bogus")
    assert "'bogus'" in r.err and allowed in r.err, r
    assert r.out == ""


def test_list_bad_arguments(fleet):
    r = fleet.fails(USAGE, "list", "--since", "last week")
    assert "--since" in r.err
    fleet.fails(USAGE, "list", "--until", "2026-13-45")
    r = fleet.fails(USAGE, "list", "--sort", "colour")
    assert "colour" in r.err and "priority" in r.err
    r = fleet.fails(USAGE, "list", "--columns", "id,colour")
    assert "colour" in r.err and "title" in r.err
    r = fleet.fails(USAGE, "list", "--format", "xml")
    assert "table" in r.err and "csv" in r.err
    fleet.fails(USAGE, "list", "--limit", "many")
    fleet.fails(USAGE, "list", "--open", "--closed")


@pytest.mark.parametrize("value", ["-1", "1.5", "9" * 40, ""])
def test_a_limit_that_is_no_number_of_tickets_is_refused_in_one_short_line(fleet, value):
    r = fleet.fails(USAGE, "list", "--limit", value)
    first = r.err.splitlines()[0]
    assert first.startswith("desk: error: --limit:") and "whole number, 0 for all" in first, r.err
    assert len(first) < 200, first  # not the range of a double


def test_a_limit_of_zero_lists_every_ticket(fleet):
    assert fleet.ok("list", "--limit", "0").out == fleet.ok("list").out


# --- sort and limit -----------------------------------------------------------------------------

def test_list_sort_and_limit(fleet):
    assert names(fleet, listed(fleet, "--all", "--sort", "created")) == ["db", "printer", "vpn", "laptop", "mail"]
    assert names(fleet, listed(fleet, "--all", "--sort", "-created")) == ["mail", "laptop", "vpn", "printer", "db"]
    assert names(fleet, listed(fleet, "--all", "--sort", "-priority,created")) == \
        ["printer", "laptop", "mail", "db", "vpn"]
    # Text sorts by code point: Latin < 张 (U+5F20) < 李 (U+674E) < 王 (U+738B).
    assert names(fleet, listed(fleet, "--all", "--sort", "reporter,created")) == \
        ["printer", "db", "vpn", "laptop", "mail"]
    assert names(fleet, listed(fleet, "--all", "--sort", "-created", "--limit", "2")) == ["mail", "laptop"]
    assert names(fleet, listed(fleet, "--limit", "1")) == ["vpn"]
    assert len(fleet.ok("list", "--all", "--limit", "3").out.splitlines()) == 4  # header + 3


# --- json and csv -------------------------------------------------------------------------------

def test_list_json_is_an_array_of_ticket_objects(fleet):
    arr = fleet.ok("list", "--all", "--format", "json").json()
    assert isinstance(arr, list) and len(arr) == 5
    for obj in arr:
        shown = fleet.show(obj["id"])
        assert obj == {k: v for k, v in shown.items() if k != "events"}
        assert list(obj)[:3] == ["id", "type", "status"]
    empty = fleet.ok("list", "--assignee", "nobody", "--format", "json")
    assert empty.json() == []
    # The same query gives the same bytes.
    assert fleet.ok("list", "--all", "--format", "json").out == fleet.ok("list", "--all", "--format", "json").out


def test_list_csv_quotes_commas_quotes_and_newlines(fleet):
    r = fleet.ok("list", "--all", "--format", "csv", "--columns", "id,title,reporter,description,created",
                 "--sort", "created")
    rows = list(csv.reader(io.StringIO(r.out, newline="")))
    assert rows[0] == ["id", "title", "reporter", "description", "created"]
    assert len(rows) == 6
    by_id = {row[0]: row for row in rows[1:]}
    p = by_id[fleet.ids["printer"]]
    assert p[1] == 'Printer "HP" offline, 3F'
    assert p[2] == "Wang Fang"
    assert p[3] == 'multi\nline, with "quotes"'
    assert p[4] == "2026-11-01T08:00:00+08:00"
    assert by_id[fleet.ids["laptop"]][1] == "申请新笔记本, 16GB"
    assert by_id[fleet.ids["db"]][3] == ""
    assert '"Printer ""HP"" offline, 3F"' in r.out
    empty = fleet.ok("list", "--assignee", "nobody", "--format", "csv", "--columns", "id,title")
    assert list(csv.reader(io.StringIO(empty.out, newline=""))) == [["id", "title"]]


def test_list_columns_choose_table_columns(fleet):
    r = fleet.ok("list", "--columns", "id,reporter,channel", "--sort", "created")
    lines = r.out.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == ["ID", "REPORTER", "CHANNEL"]
    assert [re.split(r"\s{2,}", line.strip()) for line in lines[1:]] == [
        [fleet.ids["db"], "张三", "walk-in"],
        [fleet.ids["printer"], "Wang Fang", "portal"],
        [fleet.ids["vpn"], "张三", "phone"],
        [fleet.ids["laptop"], "李四", "email"],
    ]


# --- table alignment and colour -----------------------------------------------------------------

def test_table_columns_stay_aligned_with_chinese_text(fleet):
    r = fleet.ok("list", "--all", "--columns", "id,title,assignee,reporter,department,channel", "--sort", "created")
    lines = r.out.splitlines()
    assert len(lines) == 6
    starts = [cell_starts(line) for line in lines]
    header = starts[0]
    assert len(header) == 6
    for line, s in zip(lines[1:], starts[1:]):
        # Rows without an assignee/department have fewer cells; each present cell must start at a
        # header column.
        assert set(s) <= set(header), (line, s, header)
        assert s[0] == 0 and s[1] == header[1], (line, s, header)
    full = [line for line in lines if fleet.ids["vpn"] in line][0]
    assert cell_starts(full) == header, (full, header)
    full = [line for line in lines if fleet.ids["laptop"] in line][0]
    assert cell_starts(full) == header, (full, header)
    # No line is wider than the widest it needs to be, and none ends in spaces.
    assert all(not line.endswith(" ") for line in lines)


def test_table_alignment_with_wide_and_narrow_titles(desk):
    titles = ["短", "中文标题比较长一些", "ASCII only title", "混合 mixed 文字 😀", "全角ＡＢＣ１２３", "x"]
    for i, t in enumerate(titles):
        desk.open("--title", t, "--reporter", ["张三", "Li", "欧阳娜娜", "bob", "王", "Zhang San"][i])
    r = desk.ok("list", "--columns", "title,reporter,id,priority", "--sort", "title")
    lines = r.out.splitlines()
    header = cell_starts(lines[0])
    assert len(header) == 4
    for line in lines[1:]:
        assert cell_starts(line) == header, (line, header)


def test_no_colour_without_a_terminal_or_with_no_color(fleet):
    piped = fleet.ok("list", env={"NO_COLOR": None})
    assert not ANSI_RE.search(piped.out)
    assert not ANSI_RE.search(fleet.ok("show", fleet.ids["vpn"], env={"NO_COLOR": None}).out)
    code, out = run_on_tty(fleet, ["list"], env={"NO_COLOR": "1"})
    assert code == 0 and fleet.ids["vpn"] in out
    assert not ANSI_RE.search(out), repr(out)


def test_colour_on_a_terminal_and_with_color_always(fleet):
    code, out = run_on_tty(fleet, ["list"], env={"NO_COLOR": None, "TERM": "xterm"})
    assert code == 0
    assert ANSI_RE.search(out), repr(out)
    always = fleet.ok("--color", "always", "list", env={"NO_COLOR": None})
    assert ANSI_RE.search(always.out)
    # The text without the escape codes is the plain table.
    assert ANSI_RE.sub("", always.out) == fleet.ok("list").out
    never = run_on_tty(fleet, ["--color", "never", "list"], env={"NO_COLOR": None, "TERM": "xterm"})[1]
    assert not ANSI_RE.search(never)
    fleet.fails(USAGE, "--color", "sometimes", "list")


# --- broken neighbours --------------------------------------------------------------------------

def test_list_and_show_keep_working_next_to_a_broken_file(desk):
    good = desk.open("--title", "好的工单")
    other = desk.open("--title", "another")
    month = desk.root / "tickets" / "2026" / "11"
    broken = month / "INC-BAD00001.yaml"
    broken.write_bytes(b"id: INC-BAD00001\ntitle: [unclosed\n")
    before = broken.read_bytes()

    r = desk.ok("list")
    assert good in r.out and other in r.out
    warnings = [line for line in r.err.splitlines() if "warning" in line]
    assert len(warnings) == 1, r.err
    assert str(broken) in warnings[0]

    r = desk.ok("list", "--format", "json")
    assert sorted(t["id"] for t in r.json()) == sorted([good, other])
    assert r.err.count(str(broken)) == 1

    r = desk.ok("show", good)
    assert "好的工单" in r.out
    assert r.err.count(str(broken)) <= 1

    desk.ok("log", good, "-m", "still works")
    assert broken.read_bytes() == before


@pytest.mark.parametrize("kind", ["invalid_yaml", "empty", "directory", "binary", "bad_utf8", "not_a_mapping"])
def test_broken_file_is_never_rewritten(desk, kind):
    good = desk.open("--title", "good")
    month = desk.root / "tickets" / "2026" / "11"
    bad = month / "INC-BR0KEN01.yaml"
    if kind == "directory":
        bad.mkdir()
        (bad / "inside.txt").write_text("x", encoding="utf-8")
    else:
        bad.write_bytes({
            "invalid_yaml": b"id: INC-BR0KEN01\n  status: : new\n\tbad\n",
            "empty": b"",
            "binary": b"id: INC-BR0KEN01\x00\x01\x02\n",
            "bad_utf8": b"id: INC-BR0KEN01\ntitle: \xff\xfe caf\xe9\n",
            "not_a_mapping": b"- just\n- a list\n",
        }[kind])
    before = desk.snapshot()
    r = desk.ok("list")
    assert good in r.out and str(bad) in r.err
    # Asking for the broken ticket itself is a bad-data error naming the file.
    r = desk.run("show", "BR0KEN01")
    assert r.code == 5, r
    assert str(bad) in r.err
    r = desk.run("log", "BR0KEN01", "-m", "x")
    assert r.code == 5, r
    r = desk.run("cancel", "BR0KEN01", "--reason", "x")
    assert r.code == 5, r
    assert desk.snapshot() == before
