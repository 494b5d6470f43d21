"""What desk prints and where: checked standard output, -o FILE, terminal-safe text, formula-safe CSV."""
import csv
import io
import json
import os
import re
import subprocess

import pytest

from conftest import DESK_BIN, IO, OK, SOURCE_DIR, USAGE

EVIL_TITLE = "Printer \x1b]0;owned\x07 down \x1b[2J\x1b[H\u202eevil"
EVIL_REPORTER = "bob\b\b\bmallory"
EVIL_NOTE = "step one\n\x1b]52;c;ZXZpbA==\x07 clipboard"
FORMULA = '=HYPERLINK("http://x.invalid","click")'


def raw_run(desk, args, stdout):
    """Run desk with its standard output on the given file object or descriptor."""
    return subprocess.run([DESK_BIN, *map(str, args)], cwd=str(desk.root), stdout=stdout,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=desk.env(), timeout=60)


# --- standard output ----------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
@pytest.mark.parametrize("args", [["export"], ["list"], ["show", "FIRST"], ["--help"], ["report", "--format", "csv"]])
def test_a_write_error_on_standard_output_is_exit_7(desk, args):
    tid = desk.open("--title", "磁盘满 disk full")
    args = [tid if a == "FIRST" else a for a in args]
    with open("/dev/full", "w") as full:
        r = raw_run(desk, args, full)
    assert r.returncode == IO, r
    assert r.stderr.startswith("desk: error: cannot write standard output: No space left on device"), r.stderr


def test_a_closed_pipe_ends_the_command_quietly(desk):
    for i in range(3):
        desk.open("--title", f"ticket {i}")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before desk writes: every write is EPIPE
    try:
        for args in (["list"], ["export"], ["list", "--format", "csv"]):
            r = raw_run(desk, args, write_end)
            assert r.returncode == OK, r
            assert r.stderr == "", r.stderr
    finally:
        os.close(write_end)


def test_list_into_head_is_quiet(desk):
    for i in range(5):
        desk.open("--title", f"ticket {i}")
    r = subprocess.run(f"'{DESK_BIN}' list | head -1", shell=True, cwd=str(desk.root), capture_output=True,
                       text=True, env=desk.env())
    assert r.returncode == 0 and r.stderr == "", r
    assert r.stdout.startswith("ID")


# --- -o FILE ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["export"], ["report", "--format", "json"]])
def test_output_file_is_replaced_and_a_symlink_written_through(desk, tmp_path, command):
    desk.open("--title", "x")
    target = tmp_path / "target.out"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.out"
    link.symlink_to(target)
    desk.ok(*command, "-o", link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert json.loads(target.read_text())  # the whole document, valid
    assert (os.stat(target).st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".out")) == ["link.out", "target.out"]


@pytest.mark.parametrize("command", [["export"], ["report"]])
def test_output_to_a_device_or_fifo_is_a_stream(desk, tmp_path, command):
    desk.open("--title", "x")
    desk.ok(*command, "-o", "/dev/null")
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    desk.ok(*command, "-o", fifo)
    out, _ = reader.communicate(timeout=30)
    assert len(out) > 10 and fifo.exists() and not fifo.is_file()
    if os.path.exists("/dev/full"):
        r = desk.fails(IO, *command, "-o", "/dev/full")
        assert "No space left" in r.err
        assert not os.path.isfile("/dev/full")


@pytest.mark.parametrize("command", [["export"], ["report"]])
def test_output_into_a_missing_folder_or_onto_a_folder_is_refused(desk, tmp_path, command):
    r = desk.fails(IO, *command, "-o", tmp_path / "no" / "such" / "report.txt")
    assert "does not exist" in r.err
    assert not (tmp_path / "no").exists()
    r = desk.fails(USAGE, *command, "-o", tmp_path)
    assert "is a folder" in r.err


def test_output_rules_are_in_the_help(desk):
    for command in ("export", "report"):
        text = " ".join(desk.ok(command, "--help").out.split())
        assert "symbolic link is written through" in text and "the folder must exist" in text


# --- terminal escapes -----------------------------------------------------------------------

def evil_ticket(desk):
    tid = desk.open("--title", EVIL_TITLE, "--reporter", EVIL_REPORTER, "-d", "line one\n\x1b[31mline two")
    desk.ok("log", tid, "-m", EVIL_NOTE)
    return tid


def assert_terminal_safe(text):
    text = re.sub("\x1b\\[[0-9;]*m", "", text)  # desk's own colours (--color always)
    for bad in ("\x1b", "\x07", "\b", "\u202e"):
        assert bad not in text, (bad, text)


def test_human_output_shows_controls_as_escapes(desk):
    tid = evil_ticket(desk)
    for args in (["list", "--color", "never"], ["list", "--color", "always"], ["show", tid, "--color", "never"],
                 ["show", tid, "--color", "always"], ["sla"], ["report"], ["report", "--format", "markdown"],
                 ["list", "--columns", "id,reporter,title"]):
        r = desk.run(*args)
        assert r.code in (0, 1), r
        assert_terminal_safe(r.out)
        assert_terminal_safe(r.err)
    show = desk.ok("show", tid).out
    assert "Printer \\e]0;owned\\x07 down \\e[2J\\e[H\\u202eevil" in show
    assert "bob\\x08\\x08\\x08mallory" in show
    assert "  line one\n  \\e[31mline two" in show  # multi-line text keeps its lines
    assert "\\e]52;c;ZXZpbA==\\x07 clipboard" in show
    assert "\\e]0;owned" in desk.ok("list").out


def test_open_and_step_messages_are_terminal_safe(desk):
    r = desk.ok("open", "--title", EVIL_TITLE)
    assert_terminal_safe(r.out + r.err)
    assert "\\e]0;owned" in r.out


def test_json_and_yaml_keep_the_exact_text(desk):
    tid = evil_ticket(desk)
    assert desk.show(tid)["title"] == EVIL_TITLE
    assert desk.show(tid)["reporter"] == EVIL_REPORTER
    assert desk.ok("list", "--format", "json").json()[0]["title"] == EVIL_TITLE
    assert desk.load(tid)["title"] == EVIL_TITLE
    assert json.loads(desk.ok("export").out)["tickets"][0]["title"] == EVIL_TITLE


def test_cjk_tables_stay_aligned_with_escapes(desk):
    desk.open("--title", "打印机\x1b[2J卡纸")
    desk.open("--title", "普通标题")
    lines = desk.ok("list", "--columns", "title,status").out.splitlines()
    assert "打印机\\e[2J卡纸" in lines[1] or "打印机\\e[2J卡纸" in lines[2]

    def width(s):
        import unicodedata
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    starts = {width(line[:line.index("new" if "new" in line else "STATUS")]) for line in lines}
    assert len(starts) == 1, lines


def test_kb_output_is_terminal_safe(desk):
    r = desk.ok("kb", "add", "--title", "VPN \x1b]0;x\x07 报错", "--solution", "step\n\x1b[2Jclear", "--tag", "vpn")
    assert_terminal_safe(r.out)
    kid = r.out.split()[1]
    for args in (["kb", "show", kid], ["kb", "list"], ["kb", "search", "VPN"]):
        out = desk.ok(*args).out
        assert_terminal_safe(out)
        assert "\\e]0;x\\x07" in out
    assert desk.ok("kb", "show", kid, "--format", "json").json()["title"] == "VPN \x1b]0;x\x07 报错"


@pytest.mark.parametrize("name", ["evil\x1b]0;x\x07", "two\nlines", "rtl\u202e", "back\bspace"])
def test_an_actor_name_with_controls_is_refused(desk, name):
    before = desk.snapshot()
    r = desk.fails(USAGE, "--as", name, "open", "--title", "x")
    assert "control character" in r.err and len(r.err.splitlines()) <= 2
    assert_terminal_safe(r.err)
    r = desk.fails(USAGE, "open", "--title", "x", env={"DESK_USER": name})
    assert "DESK_USER" in r.err
    assert desk.snapshot() == before


# --- CSV formulas -----------------------------------------------------------------------------

def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_cells_that_start_a_formula_are_guarded(desk):
    tid = desk.open("--title", FORMULA, "--reporter", "+1+cmd|' /C calc'!A0", "--department", "@SUM(A1)",
                    "--contact", "-2+3")
    listed = csv_rows(desk.ok("list", "--format", "csv", "--columns", "id,title,reporter,department").out)[0]
    assert listed["title"] == "'" + FORMULA and listed["reporter"] == "'+1+cmd|' /C calc'!A0"
    assert listed["department"] == "'@SUM(A1)"
    exported = csv_rows(desk.ok("export", "--format", "csv").out)[0]
    assert exported["id"] == tid and exported["title"] == "'" + FORMULA and exported["contact"] == "'-2+3"
    for row in csv_rows(desk.ok("report", "--format", "csv").out):
        for value in row.values():
            assert not value or value[0] not in "=+@\t\r" and (value[0] != "-" or value.lstrip("-").replace(".", "").isdigit()), row
    assert "formula" in " ".join(desk.ok("export", "--help").out.split())


def test_desk_csv_reader_removes_the_guard(desk, tmp_path):
    source = (SOURCE_DIR / "tests" / "cli" / "data" / "jira_export.csv").read_text(encoding="utf-8")
    guarded = source.replace("VPN drops every 10 minutes", "\"'=1+1 VPN drops\"", 1)
    assert guarded != source
    (tmp_path / "guarded.csv").write_text(guarded, encoding="utf-8")
    desk.ok("import", "csv", tmp_path / "guarded.csv", "--map", SOURCE_DIR / "share" / "import" / "jira.yaml",
            "--timezone", "UTC")
    titles = [t["title"] for t in desk.ok("list", "--all", "--format", "json").json()]
    assert any(t.startswith("=1+1 VPN drops") for t in titles), titles


def test_export_json_round_trip_keeps_formulas_and_escapes(desk, tmp_path):
    evil_ticket(desk)
    desk.open("--title", FORMULA)
    export = tmp_path / "export.json"
    desk.ok("export", "-o", export)
    other_root = tmp_path / "other"
    other = type(desk)(other_root)
    other.ok("init", other_root, "--timezone", "Asia/Shanghai", cwd=tmp_path)
    other.ok("import", "json", export)
    assert other.ok("export").out == desk.ok("export").out
