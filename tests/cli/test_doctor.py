"""`desk doctor` names every broken ticket file and config problem (path[:line:column]),
exits 1, and changes nothing."""
import re

import pytest

from conftest import BAD_DATA, FAILURE


def run_doctor(desk):
    """Run doctor, check exit 1 and that nothing changed; returns the problem lines."""
    before = desk.snapshot()
    r = desk.run("doctor")
    assert r.code == FAILURE, r
    assert desk.snapshot() == before, "doctor must never change a file"
    lines = r.out.splitlines()
    assert re.fullmatch(r"\d+ problem\(s\) in \d+ ticket\(s\) checked", lines[-1]), r.out
    return lines[:-1]


def line_for(lines, path):
    found = [line for line in lines if line.startswith(str(path))]
    assert found, (str(path), lines)
    return found


def assert_position(line, path, row, col, message):
    """`path:row:col: message` with nothing garbled between the position and the message."""
    expected = f"{path}:{row}:{col}: {message}"
    assert line.startswith(expected), f"\n got: {line}\nwant: {expected}..."


def test_clean_repository(desk):
    desk.open("--title", "一")
    desk.open("--title", "two", "--description", "multi\nline")
    r = desk.ok("doctor")
    assert r.out == "ok: config and 2 ticket(s) checked, no problems\n"
    assert r.err == ""


@pytest.fixture
def month(desk):
    desk.good = desk.open("--title", "a good ticket")
    return desk.root / "tickets" / "2026" / "11"


def test_invalid_yaml_is_reported_with_line_and_column(desk, month):
    bad = month / "INC-BAD00001.yaml"
    bad.write_text("id: INC-BAD00001\ntitle: a: b\nstatus: new\n", encoding="utf-8")
    lines = run_doctor(desk)
    found = line_for(lines, bad)
    assert len(found) == 1
    assert_position(found[0], bad, 2, 9, "illegal map value")


def test_unclosed_flow_is_reported_with_its_position(desk, month):
    bad = month / "INC-BAD00002.yaml"
    bad.write_text("id: INC-BAD00002\ntitle: [unclosed\n", encoding="utf-8")
    found = line_for(run_doctor(desk), bad)
    assert re.match(rf"^{re.escape(str(bad))}:\d+:\d+: [a-z]", found[0]), found


def test_empty_file(desk, month):
    bad = month / "INC-EMPTY001.yaml"
    bad.write_bytes(b"")
    found = line_for(run_doctor(desk), bad)
    assert any("empty" in line for line in found), found


def test_whitespace_only_file(desk, month):
    bad = month / "INC-EMPTY002.yaml"
    bad.write_bytes(b"\n\n   \n")
    found = line_for(run_doctor(desk), bad)
    assert any("empty" in line for line in found), found


def test_directory_named_like_a_ticket(desk, month):
    bad = month / "INC-D1R00001.yaml"
    bad.mkdir()
    found = line_for(run_doctor(desk), bad)
    assert any("director" in line or "folder" in line for line in found), found


def test_binary_file(desk, month):
    bad = month / "INC-B1N00001.yaml"
    bad.write_bytes(b"id: INC-B1N00001\ntitle: a\x00b\n")
    found = line_for(run_doctor(desk), bad)
    assert len(found) == 1
    assert_position(found[0], bad, 2, 9, "binary data")


def test_invalid_utf8(desk, month):
    bad = month / "INC-UTF80001.yaml"
    bad.write_bytes(b"id: INC-UTF80001\ntype: incident\ntitle: caf\xe9\n")
    found = line_for(run_doctor(desk), bad)
    assert len(found) == 1
    assert_position(found[0], bad, 3, 11, "invalid UTF-8")


def test_fifty_megabyte_file(desk, month):
    bad = month / "INC-B1G00001.yaml"
    good_text = desk.path_of(desk.good).read_text(encoding="utf-8").replace(desk.good, "INC-B1G00001")
    with open(bad, "w", encoding="utf-8") as f:
        f.write(good_text + "# ")
        # A 50 MB file, written sparse to keep the test fast (the hole reads as NUL bytes; the size
        # alone must be what desk complains about).
        f.truncate(50 * 1000 * 1000)
    st = bad.stat()
    r = desk.run("doctor")
    assert r.code == FAILURE, r
    found = line_for(r.out.splitlines(), bad)
    assert any("too large" in line for line in found), found
    r = desk.ok("list")
    assert desk.good in r.out and str(bad) in r.err
    desk.fails(BAD_DATA, "show", "INC-B1G0")
    after = bad.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (st.st_size, st.st_mtime_ns, st.st_ino)


def test_unknown_status_and_priority(desk, month):
    path = desk.path_of(desk.good)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^status: new$", "status: bogus", text, count=1, flags=re.M)
    text = re.sub(r"^priority: P4$", "priority: P9", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    found = line_for(run_doctor(desk), path)
    assert len(found) == 2, found
    assert_position(found[0], path, 3, 9, "unknown status 'bogus'")
    assert "new, triaged" in found[0]
    assert_position(found[1], path, 4, 11, "unknown priority 'P9'")
    assert "P1, P2, P3, P4" in found[1]


def test_unknown_type_channel_and_bad_time(desk, month):
    path = desk.path_of(desk.good)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^type: incident$", "type: outage", text, count=1, flags=re.M)
    text = re.sub(r"^channel: portal$", "channel: pigeon", text, count=1, flags=re.M)
    text = re.sub(r"^updated: .*$", "updated: 'soon'", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    found = line_for(run_doctor(desk), path)
    assert any("unknown type 'outage'" in line for line in found), found
    assert any("unknown channel 'pigeon'" in line and "walk-in" in line for line in found), found
    assert any("'soon'" in line for line in found), found


def test_bad_creation_time_is_reported_not_fatal(desk, month):
    path = desk.path_of(desk.good)
    text = re.sub(r"^created: .*$", "created: 'last tuesday'", path.read_text(encoding="utf-8"),
                  count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    found = line_for(run_doctor(desk), path)
    assert any("last tuesday" in line for line in found), found


def test_file_in_the_wrong_month_folder(desk, month):
    src = desk.path_of(desk.good)
    dest = desk.root / "tickets" / "2026" / "10" / src.name
    dest.parent.mkdir()
    src.rename(dest)
    found = line_for(run_doctor(desk), dest)
    assert len(found) == 1
    assert "tickets/2026/11" in found[0], found


def test_file_name_differs_from_id(desk, month):
    src = desk.path_of(desk.good)
    dest = month / "INC-2222AAAA.yaml"
    src.rename(dest)
    found = line_for(run_doctor(desk), dest)
    assert len(found) == 1
    assert_position(found[0], dest, 1, 5, "the file is named INC-2222AAAA")
    assert desk.good in found[0]


def test_duplicate_id_in_two_folders(desk, month):
    src = desk.path_of(desk.good)
    copy = desk.root / "tickets" / "2025" / "11" / src.name
    copy.parent.mkdir(parents=True)
    copy.write_bytes(src.read_bytes())
    lines = run_doctor(desk)
    dup = [line for line in lines if "duplicate ticket id" in line]
    assert len(dup) == 1, lines
    assert str(src) in dup[0] and str(copy) in dup[0], dup


def test_leftover_temporary_file(desk, month):
    # A temporary file may belong to a write still running (doctor takes no lock), so doctor names it
    # on a `note:` line without failing; `desk doctor --fix` removes it.
    tmp = month / f".{desk.good}.yaml.tmp.Ab12Cd"
    tmp.write_text("id: half written", encoding="utf-8")
    before = desk.snapshot()
    r = desk.run("doctor")
    assert desk.snapshot() == before
    found = [line for line in r.out.splitlines() if str(tmp) in line]
    assert len(found) == 1 and "temporary" in found[0], r.out
    assert found[0].startswith("note: ") or r.code == FAILURE, r
    assert tmp.exists()


@pytest.mark.parametrize("rel", ["tickets/2026/11/notes.txt", "tickets/README.md", "tickets/2026/stray.yaml",
                                 "tickets/2026/11/sub/INC-AAAA1111.yaml"])
def test_stray_file(desk, month, rel):
    stray = desk.root / rel
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("hello\n", encoding="utf-8")
    lines = run_doctor(desk)
    assert any(line.startswith(str(stray)) or line.startswith(str(stray.parent) + ":") for line in lines), lines


def test_each_problem_is_reported_once_per_cause(desk, month):
    """Several broken files at once: every one is named, the good one is not."""
    (month / "INC-BAD00001.yaml").write_text("title: a: b\n", encoding="utf-8")
    (month / "INC-EMPTY001.yaml").write_bytes(b"")
    (month / "INC-B1N00001.yaml").write_bytes(b"\x00")
    lines = run_doctor(desk)
    for name in ("INC-BAD00001", "INC-EMPTY001", "INC-B1N00001"):
        assert any(name in line for line in lines), (name, lines)
    assert not any(desk.good in line for line in lines)


# --- config ---------------------------------------------------------------------------------------

def config_path(desk):
    return desk.root / ".desk" / "config.yaml"


def edit_config(desk, old, new):
    path = config_path(desk)
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text.splitlines().index(old.splitlines()[0]) + 1  # 1-based line of the edit


def test_config_bad_yaml(desk, month):
    row = edit_config(desk, "close_after_days: 5", "close_after_days: 5: 6")
    lines = run_doctor(desk)
    found = line_for(lines, config_path(desk))
    assert len(found) == 1
    assert_position(found[0], config_path(desk), row, 20, "illegal map value")
    # Other commands stop with a bad-data error that names the place.
    r = desk.fails(BAD_DATA, "list")
    assert f"{config_path(desk)}:{row}:20" in r.err


def test_doctor_reports_a_config_matrix_with_a_hole(desk, month):
    text = config_path(desk).read_text(encoding="utf-8").splitlines()
    matrix_row = text.index("matrix:") + 1
    row = edit_config(desk, "  individual:    {critical: P2, high: P3, medium: P4, low: P4}",
                      "  individual:    {critical: P2, high: P3, medium: P4}")
    found = line_for(run_doctor(desk), config_path(desk))
    assert len(found) == 1
    m = re.match(rf"^{re.escape(str(config_path(desk)))}:(\d+):(\d+): (.*)$", found[0])
    assert m, found
    assert matrix_row <= int(m.group(1)) <= row
    assert "individual" in m.group(3) and "low" in m.group(3)


def test_doctor_reports_a_config_calendar_without_working_days(desk, month):
    row = edit_config(desk, "    working_days: [mon, tue, wed, thu, fri]", "    working_days: []")
    found = line_for(run_doctor(desk), config_path(desk))
    assert len(found) == 1
    assert_position(found[0], config_path(desk), row, 19, "sla.calendar.working_days")


def test_doctor_reports_a_config_calendar_without_working_hours(desk, month):
    row = edit_config(desk, '    hours: ["09:00-18:00"]', "    hours: []")
    found = line_for(run_doctor(desk), config_path(desk))
    assert len(found) == 1
    assert_position(found[0], config_path(desk), row, 12, "sla.calendar.hours")


def test_config_unknown_timezone(desk, month):
    row = edit_config(desk, "timezone: Asia/Shanghai", "timezone: Mars/Base")
    found = line_for(run_doctor(desk), config_path(desk))
    assert len(found) == 1
    assert found[0].startswith(f"{config_path(desk)}:{row}:"), found
    assert "Mars/Base" in found[0]


def test_unknown_config_key_names_the_nearest_known_one(desk, month):
    edit_config(desk, "sla:", "colour: blue\nsla:")
    row = edit_config(desk, "  warning: 0.75", "  warnings: 0.75")
    lines = run_doctor(desk)
    found = line_for(lines, config_path(desk))
    assert any(f"{config_path(desk)}:{row}: unknown key 'sla.warnings' (desk ignores it); did you mean 'sla.warning'?"
               in line for line in found), found
    assert any("unknown key 'colour'" in line for line in found), found


@pytest.mark.parametrize("value", ["abc", "-1", "1" * 300, "5s"])
def test_a_bad_lock_timeout_is_refused(desk, value):
    r = desk.fails(2, "open", "--title", "锁", env={"DESK_LOCK_TIMEOUT": value})
    assert "DESK_LOCK_TIMEOUT" in r.err and "not a number of seconds" in r.err
