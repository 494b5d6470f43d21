"""The ticket file: text round trip (PyYAML agrees), stable bytes, unknown keys, id abbreviations."""
import pytest
import yaml

from conftest import NOT_FOUND, USAGE
from foundation_helpers import changed_lines, make_desk, plant_ticket, yaml_both

# Every text must come back exactly as given, from desk and from PyYAML.
TEXTS = {
    "chinese": "打印机无法打印，错误代码：0x0000011b（财务部三楼）",
    "emoji": "VPN 连不上 😀🔥👍🏽 👨‍👩‍👧",
    "colon": "key: value",
    "colon_end": "ends with a colon:",
    "hash": "# not a comment",
    "hash_mid": "value #not a comment",
    "single_quotes": "it's 'quoted'",
    "double_quotes": 'say "hi" \\"there\\"',
    "leading_dash": "- not a list item",
    "leading_dashes": "--not-an-option",
    "tab": "tab\there",
    "leading_tab": "\tleading tab",
    "trailing_spaces": "trailing spaces   ",
    "leading_spaces": "   leading spaces",
    "multi_line": "line one\nline two\nline three",
    "multi_indented": "first\n  indented\n\ttabbed\nlast",
    "multi_leading_spaces": "  leading spaces\nsecond line",
    "multi_leading_newline": "\nstarts with a newline",
    "multi_trailing_spaces": "line with spaces   \nnext  ",
    "trailing_newline": "ends with a newline\n",
    "trailing_newlines": "ends with newlines\n\n\n",
    "only_newline": "\n",
    "only_newlines": "\n\n",
    "only_spaces": "   ",
    "cr": "carriage\rreturn",
    "crlf": "windows\r\nline\r\n",
    "u2028": "line\u2028separator",
    "u2029": "paragraph\u2029separator",
    "nbsp": "non\u00a0breaking",
    "nbsp_only": "\u00a0",
    "nbsp_edges": "\u00a0edges\u00a0",
    "bom": "\ufeffstarts with a BOM",
    "bell": "bell\x07",
    "del": "del\x7f",
    "yes": "yes",
    "no": "no",
    "null": "null",
    "tilde": "~",
    "true": "True",
    "off": "off",
    "int": "123",
    "zero_int": "0123",
    "neg": "-1",
    "plus": "+1",
    "hex": "0x1F",
    "octal": "0o17",
    "float": "1e3",
    "inf": ".inf",
    "nan": ".NaN",
    "date": "2026-01-01",
    "datetime": "2026-01-01 10:00:00",
    "sexagesimal": "1:30",
    "at": "@mention",
    "backtick": "`code`",
    "percent": "%TAG",
    "anchor": "&anchor",
    "alias": "*alias",
    "tag": "!tag value",
    "pipe": "|",
    "gt": "> quoted",
    "flow_seq": "[a, b]",
    "flow_map": "{a: 1}",
    "question": "? key",
    "doc_start": "---",
    "doc_end": "...",
    "backslash": "C:\\Users\\张三\\桌面\\新建文件夹",
    "long": " ".join(["很长的一行"] * 30 + ["word"] * 60),
    "quote_start": "'starts with a quote",
    "dquote_start": '"starts with a double quote',
}

SINGLE_LINE_OK = {k for k, v in TEXTS.items() if "\n" not in v and "\r" not in v and v.strip(" \t")}


@pytest.fixture(scope="module")
def rt_desk(tmp_path_factory):
    return make_desk(tmp_path_factory.mktemp("roundtrip") / "repo")


@pytest.fixture(scope="module")
def round_trip(rt_desk):
    """One ticket per text (opened once for the module); name -> (id or None, fields, error, shown)."""
    desk = rt_desk
    opened = {}
    for name, text in TEXTS.items():
        args = ["--description", text, "--error", text]
        fields = ["description", "error"]
        if name in SINGLE_LINE_OK:
            args += ["--title", text, "--reporter", text]
            fields += ["title", "reporter"]
        else:
            args += ["--title", f"round trip {name}"]
        r = desk.run("open", "-q", *args)
        opened[name] = (r.out.strip() if r.code == 0 else None, fields, r)
    # One `list --format json` reads them all back; should it fail, each ticket is shown on its own.
    listing = desk.run("list", "--all", "--format", "json")
    by_id = {t["id"]: t for t in listing.json()} if listing.code == 0 else {}
    result = {}
    for name, (tid, fields, r) in opened.items():
        shown = by_id.get(tid)
        if tid and shown is None:
            s = desk.run("show", tid, "--format", "json")
            shown = s.json() if s.code == 0 else s
        result[name] = (tid, fields, r, shown)
    return result


@pytest.mark.parametrize("name", list(TEXTS))
def test_text_round_trips_exactly(rt_desk, round_trip, name):
    text = TEXTS[name]
    tid, fields, opened, shown = round_trip[name]
    assert tid, f"desk open failed: {opened}"
    assert isinstance(shown, dict), f"desk show {tid} --format json failed: {shown}"
    base, typed = yaml_both(rt_desk.path_of(tid))
    for field in fields:
        assert shown.get(field) == text, f"desk json: {field}"
        assert base.get(field) == text, f"PyYAML BaseLoader: {field}"
        assert typed.get(field) == text, f"PyYAML safe_load: {field}"


def test_json_output_survives_every_text(rt_desk, round_trip):
    """With all those texts in one repository, `list --format json` still works."""
    r = rt_desk.run("list", "--all", "--format", "json")
    assert r.code == 0, r
    assert len(r.json()) >= len(TEXTS)


# U+0085 (NEL) is a line break to YAML and must be escaped; it gets its own tests.
NEL = "next\u0085line"


def test_nel_round_trips(desk):
    tid = desk.open("--title", f"title {NEL}", "--description", NEL)
    base, typed = yaml_both(desk.path_of(tid))
    assert base["description"] == typed["description"] == NEL
    assert base["title"] == typed["title"] == f"title {NEL}"
    shown = desk.show(tid)
    assert shown["description"] == NEL
    assert shown["title"] == f"title {NEL}"


def test_one_nel_text_does_not_break_list_json(desk):
    good = desk.open("--title", "plain")
    desk.open("--title", "nel", "--description", NEL)
    r = desk.run("list", "--format", "json")
    assert r.code == 0, r
    assert good in [t["id"] for t in r.json()]


REWRITE_TEXTS = ["u2028", "cr", "crlf", "trailing_newlines", "nbsp_only", "bom", "bell",
                 "del", "leading_spaces", "multi_leading_newline", "int", "date", "emoji"]


@pytest.mark.parametrize("name", REWRITE_TEXTS + ["nel"])
def test_text_survives_a_rewrite(rt_desk, name):
    """desk reads its own file back and writes it again: the text must not change."""
    text = NEL if name == "nel" else TEXTS[name]
    tid = rt_desk.open("--title", f"rewrite {name}", "--description", text)
    rt_desk.ok("log", tid, "-m", text)
    base, typed = yaml_both(rt_desk.path_of(tid))
    assert base["description"] == text
    assert typed["description"] == text
    assert base["events"][-1]["note"] == text
    assert typed["events"][-1]["note"] == text


def test_multi_line_text_is_a_literal_block(desk):
    tid = desk.open("--title", "block", "--description", "line one\nline two")
    text = desk.path_of(tid).read_text(encoding="utf-8")
    assert "description: |" in text
    assert "\n  line one\n  line two\n" in text


# --- saving -------------------------------------------------------------------------------------

def rich_ticket(desk):
    return desk.open(
        "--title", "财务部: ERP '无法' 登录 #1 - \"紧急\"",
        "--description", "第一行\n  缩进行\n\t制表符\n结尾空格   \n\n",
        "--reporter", "张三", "--department", "财务部", "--contact", "tel: 138-0013-8000",
        "--affected", "ERP", "--affected", "- dash", "--affected", "yes",
        "--steps", "1. 打开\n2. 登录", "--error", "ORA-12541: TNS:no listener",
        "--impact", "company", "--urgency", "high", "--external-id", "0x1F",
    )


def test_a_change_touches_only_updated_and_appends_its_event(desk):
    tid = rich_ticket(desk)
    path = desk.path_of(tid)
    desk.ok("log", tid, "-m", "first look")  # the first log also records the first response
    before = path.read_bytes()
    desk.ok("log", tid, "-m", "第二条记录\n多行: yes", env={"DESK_NOW": "2026-11-27T18:05:00+08:00"})
    after = path.read_bytes()
    removed, added = changed_lines(before, after)
    assert removed == ["updated: '2026-11-27T17:30:00+08:00'\n"]
    assert added[0] == "updated: '2026-11-27T18:05:00+08:00'\n"
    # Everything before the new event is the old file with the one line replaced.
    old_text = before.decode("utf-8").replace("updated: '2026-11-27T17:30:00+08:00'\n",
                                              "updated: '2026-11-27T18:05:00+08:00'\n")
    new_text = after.decode("utf-8")
    assert new_text.startswith(old_text)
    tail = new_text[len(old_text):]
    assert tail.startswith("  - id: E-")
    assert "\n    action: log\n" in tail
    events = yaml.load(new_text, Loader=yaml.BaseLoader)["events"]
    assert events[-1]["note"] == "第二条记录\n多行: yes"
    assert events[-1]["at"] == "2026-11-27T18:05:00+08:00"


def test_first_log_adds_only_responded_at_and_the_event(desk):
    tid = rich_ticket(desk)
    path = desk.path_of(tid)
    before = path.read_bytes()
    desk.ok("log", tid, "-m", "x")
    after = path.read_bytes()
    removed, added = changed_lines(before, after)
    assert removed == []
    assert added[0] == "responded_at: '2026-11-27T17:30:00+08:00'\n"
    assert all(line.startswith("  ") for line in added[1:])
    assert after.decode("utf-8").endswith("    note: x\n")


def test_unknown_keys_survive_a_later_change(desk):
    tid = desk.open("--title", "hand edited", "--description", "d")
    path = desk.path_of(tid)
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: hand edited\n",
                        "title: hand edited\nx_custom: keep me\nx_list:\n  - a\n  - 二\nx_map:\n  k: v\n")
    text = text.replace("    action: open\n", "    action: open\n    x_event_key: 备注\n")
    path.write_text(text, encoding="utf-8")
    assert desk.ok("doctor").code == 0

    desk.ok("log", tid, "-m", "after a hand edit")
    after = path.read_text(encoding="utf-8")
    t = yaml.load(after, Loader=yaml.BaseLoader)
    assert t["x_custom"] == "keep me"
    assert t["x_list"] == ["a", "二"]
    assert t["x_map"] == {"k": "v"}
    assert t["events"][0]["x_event_key"] == "备注"
    shown = desk.show(tid)
    assert shown["x_custom"] == "keep me"
    assert shown["events"][0]["x_event_key"] == "备注"

    # Once saved, a further change leaves those lines alone.
    before = path.read_bytes()
    desk.ok("log", tid, "-m", "again", env={"DESK_NOW": "2026-11-27T18:00:00+08:00"})
    removed, added = changed_lines(before, path.read_bytes())
    assert removed == ["updated: '2026-11-27T17:30:00+08:00'\n"]


# --- ids ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def id_desk(tmp_path_factory):
    """A repository with hand-chosen ids: INC-10AB2345, INC-10AC6789, REQ-10AB9999."""
    desk = make_desk(tmp_path_factory.mktemp("ids") / "repo")
    inc = desk.open("--title", "template incident")
    req = desk.open("--type", "request", "--title", "template request")
    plant_ticket(desk, inc, "INC-10AB2345")
    plant_ticket(desk, inc, "INC-10AC6789")
    plant_ticket(desk, req, "REQ-10AB9999")
    desk.path_of(inc).unlink()
    desk.path_of(req).unlink()
    return desk


def shown_id(desk, given):
    return desk.ok("show", given, "--format", "json").json()["id"]


def test_id_abbreviations(id_desk):
    d = id_desk
    assert shown_id(d, "INC-10AB2345") == "INC-10AB2345"  # full id
    assert shown_id(d, "inc-10ab2345") == "INC-10AB2345"  # lower case
    assert shown_id(d, "10AB2") == "INC-10AB2345"  # token prefix without the type
    assert shown_id(d, "10ac") == "INC-10AC6789"
    assert shown_id(d, "INC-10AB") == "INC-10AB2345"  # type-prefixed prefix
    assert shown_id(d, "req-10a") == "REQ-10AB9999"
    assert shown_id(d, "IOAB2") == "INC-10AB2345"  # I and O read as 1 and 0
    assert shown_id(d, "loab2") == "INC-10AB2345"  # l read as 1
    assert shown_id(d, "inc-ioab2") == "INC-10AB2345"
    assert shown_id(d, "REQ-10AB9999") == "REQ-10AB9999"


def test_abbreviation_works_for_changes_too(id_desk):
    id_desk.ok("log", "ioac", "-m", "via an abbreviation")
    assert id_desk.load("INC-10AC6789")["events"][-1]["note"] == "via an abbreviation"


def test_ambiguous_abbreviation_lists_the_candidates(id_desk):
    before = id_desk.snapshot()
    r = id_desk.fails(NOT_FOUND, "show", "10AB")
    assert "ambiguous" in r.err
    assert "INC-10AB2345" in r.err and "REQ-10AB9999" in r.err and "INC-10AC6789" not in r.err
    r = id_desk.fails(NOT_FOUND, "log", "10a", "-m", "x")
    for tid in ("INC-10AB2345", "INC-10AC6789", "REQ-10AB9999"):
        assert tid in r.err
    assert id_desk.snapshot() == before


def test_unknown_id_is_not_found(id_desk):
    r = id_desk.fails(NOT_FOUND, "show", "ZZZZ")
    assert "ZZZZ" in r.err
    id_desk.fails(NOT_FOUND, "show", "INC-10AB23456")
    id_desk.fails(NOT_FOUND, "show", "CHG-10AB")


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/b", "..", "INC-10AB2345/../x", "a\\b",
                                 "../../tickets/2026/11/INC-10AB2345", "10AB 2", "10AB!", ""])
def test_path_like_or_malformed_ids_are_refused(id_desk, bad):
    before = id_desk.snapshot()
    r = id_desk.fails(USAGE, "show", bad)
    assert "ticket id" in r.err or "id" in r.err
    id_desk.fails(USAGE, "log", bad, "-m", "x")
    assert id_desk.snapshot() == before
