"""Bad input, one table: every probe is a command on a repository prepared to be hostile or unlucky
(bad values, damaged files, attachments, injection, imports, locks and kill -9, read-only and full
file systems, git states, output paths). Each must fail with its documented exit code (1..7), one
`desk: error:` line (and at most a hint), and leave the repository byte for byte as it was."""
import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import BAD_DATA, BUSY, DESK_BIN, INVALID_STATE, IO, NOT_FOUND, SOURCE_DIR, USAGE, Desk, Result

# --- how a repository is spoiled ----------------------------------------------------------------

def one_ticket(d):
    return d.open("--title", "打印机卡纸 printer jam", "--reporter", "王伟")


def triaged_ticket(d):
    tid = one_ticket(d)
    d.ok("triage", tid, "--category", "network")
    return tid


def damage_ticket(content):
    def prepare(d):
        tid = one_ticket(d)
        d.path_of(tid).write_bytes(content(d.path_of(tid).read_bytes()))
        return tid
    return prepare


def damage_config(content):
    def prepare(d):
        path = d.root / ".desk" / "config.yaml"
        path.write_bytes(content(path.read_bytes()))
    return prepare


def write_file(name, data):
    def prepare(d):
        path = d.root.parent / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return prepare


def both(*steps):
    def prepare(d):
        result = None
        for step in steps:
            result = step(d) or result
        return result
    return prepare


def make_dir(name):
    def prepare(d):
        (d.root.parent / name).mkdir(exist_ok=True)
    return prepare


def nothing(d):
    return None


CONFLICT = b"<<<<<<< ours\ntitle: a\n=======\ntitle: b\n>>>>>>> theirs\n"

# (name, prepare, args, expected exit code, env). "TID" in args is the ticket prepare returned,
# "OUT/..." a path beside the repository.
PROBES = [
    # bad values
    ("unknown priority", one_ticket, ["open", "--title", "x", "--priority", "P9"], USAGE, None),
    ("unknown impact", nothing, ["open", "--title", "x", "--impact", "galactic"], USAGE, None),
    ("empty title", nothing, ["open", "--title", ""], USAGE, None),
    ("title with NUL from stdin", nothing, ["open", "--title", "x", "-d", "-"], USAGE, {"stdin": "a\0b"}),
    ("unknown status filter", one_ticket, ["list", "--status", "exploded"], USAGE, None),
    ("bad --since", one_ticket, ["list", "--since", "yesterday-ish"], USAGE, None),
    ("report period reversed", one_ticket, ["report", "--since", "2026-12-01", "--until", "2026-11-01"], USAGE, None),
    ("unknown ticket", one_ticket, ["show", "INC-NOSUCH99"], NOT_FOUND, None),
    ("assign to an unknown team", triaged_ticket, ["assign", "TID", "--team", "nosuch"], NOT_FOUND, None),
    ("close a new ticket", one_ticket, ["close", "TID"], INVALID_STATE, None),
    ("confirm a new ticket", one_ticket, ["confirm", "TID"], INVALID_STATE, None),
    ("bad DESK_NOW", nothing, ["open", "--title", "x"], USAGE, {"DESK_NOW": "not a time"}),
    ("bad DESK_LOCK_TIMEOUT", one_ticket, ["log", "TID", "-m", "x"], USAGE, {"DESK_LOCK_TIMEOUT": "abc"}),
    ("negative --limit", one_ticket, ["list", "--limit", "-1"], USAGE, None),
    ("--limit past 64 bits", one_ticket, ["list", "--limit", "9" * 40], USAGE, None),
    ("unknown command", nothing, ["opne", "--title", "x"], USAGE, None),
    ("unknown option", nothing, ["list", "--colour", "never"], USAGE, None),
    # injection: the actor is one line of text
    ("actor with escape", nothing, ["--as", "x\x1b]0;owned\x07", "open", "--title", "x"], USAGE, None),
    ("actor with newline", nothing, ["open", "--title", "x"], USAGE, {"DESK_USER": "a\nb"}),
    ("actor with bidi override", one_ticket, ["--as", "\u202eevil", "log", "TID", "-m", "x"], USAGE, None),
    # damaged files
    ("ticket with a NUL byte", damage_ticket(lambda b: b[:20] + b"\0" + b[20:]), ["show", "TID"], BAD_DATA, None),
    ("ticket not UTF-8", damage_ticket(lambda b: b.replace("王伟".encode(), b"\xcd\xf5\xce\xb0")), ["show", "TID"],
     BAD_DATA, None),
    ("ticket truncated", damage_ticket(lambda b: b[:len(b) // 3] + b"\n  - id: \"unterminated"), ["show", "TID"],
     BAD_DATA, None),
    ("ticket with conflict markers", damage_ticket(lambda b: CONFLICT + b), ["show", "TID"], BAD_DATA, None),
    ("change a damaged ticket", damage_ticket(lambda b: b"{" + b), ["log", "TID", "-m", "x"], BAD_DATA, None),
    ("change a ticket with an unknown status", damage_ticket(lambda b: b.replace(b"status: new", b"status: exploded", 1)),
     ["log", "TID", "-m", "x"], BAD_DATA, None),
    ("triage a ticket whose status is unknown Chinese text",
     damage_ticket(lambda b: b.replace(b"status: new", b"status: \xe7\x82\xb8\xe4\xba\x86", 1)),
     ["triage", "TID", "--category", "network"], BAD_DATA, None),
    ("ticket with an alias before its anchor",
     damage_ticket(lambda b: b.replace(b"title: ", b"title: *t\nx_note: &t ", 1)), ["show", "TID"], BAD_DATA, None),
    ("ticket nested 20,000 deep", damage_ticket(lambda b: b.replace(b"title: ", b"title: " + b"[" * 20000 + b"]" * 20000
                                                                   + b"\nx_title: ", 1)), ["show", "TID"], BAD_DATA, None),
    ("merge-driver given a folder", make_dir("merge-folder"),
     ["merge-driver", "OUT/merge-folder", "OUT/merge-folder", "OUT/merge-folder"], BAD_DATA, None),
    ("config not YAML", damage_config(lambda b: b + b"\n  : : [\n"), ["list"], BAD_DATA, None),
    ("config with an unknown time zone", damage_config(lambda b: b.replace(b"timezone:", b"timezone: Mars/Olympus\nx:", 1)),
     ["list"], BAD_DATA, None),
    ("config empty", damage_config(lambda b: b""), ["open", "--title", "x"], BAD_DATA, None),
    # attachments
    ("attach a missing file", nothing, ["open", "--title", "x", "--attach", "OUT/no-such-file.png"], NOT_FOUND, None),
    ("attach a folder", make_dir("a-folder"), ["open", "--title", "x", "--attach", "OUT/a-folder"], USAGE, None),
    ("attach a FIFO", lambda d: os.mkfifo(d.root.parent / "a-fifo"), ["open", "--title", "x", "--attach", "OUT/a-fifo"],
     USAGE, None),
    # imports
    ("import json not JSON", write_file("bad.json", "{\"format\": \"desk-export\", "), ["import", "json", "OUT/bad.json"],
     BAD_DATA, None),
    ("import json wrong envelope", write_file("env.json", "{\"format\": \"other\", \"version\": 1, \"tickets\": []}"),
     ["import", "json", "OUT/env.json"], BAD_DATA, None),
    ("import json missing", nothing, ["import", "json", "OUT/missing.json"], NOT_FOUND, None),
    ("import json created in the future", write_file("future.json", json.dumps({
        "format": "desk-export", "version": 1, "tickets": [{
            "id": "INC-FVTVRE01", "type": "incident", "status": "new", "priority": "P4", "title": "来自未来",
            "created": "2030-01-01T10:00:00+08:00",
            "events": [{"id": "E-AAAAAAAA", "at": "2030-01-01T10:00:00+08:00", "by": "x", "action": "open",
                        "set": {"status": "new"}}]}]})),
     ["import", "json", "OUT/future.json"], BAD_DATA, None),
    ("import csv with NUL", write_file("nul.csv", "Summary,Issue key\nx\0y,ITSD-1\n"),
     ["import", "csv", "OUT/nul.csv", "--map", "MAP/jira.yaml"], BAD_DATA, None),
    ("import csv unclosed quote", write_file("open.csv", "Summary,Issue key\n\"never closed,ITSD-1\n"),
     ["import", "csv", "OUT/open.csv", "--map", "MAP/jira.yaml"], BAD_DATA, None),
    ("import csv bad mapping", both(write_file("m.yaml", "columns: [\n"), write_file("x.csv", "a,b\n1,2\n")),
     ["import", "csv", "OUT/x.csv", "--map", "OUT/m.yaml"], BAD_DATA, None),
    ("import servicenow not CSV", write_file("sn.csv", b"\x89PNG\r\n\x1a\n\0\0"), ["import", "servicenow", "OUT/sn.csv"],
     BAD_DATA, None),
    # output paths
    ("report into a missing folder", one_ticket, ["report", "-o", "OUT/no/such/dir/r.txt"], IO, None),
    ("export onto a folder", make_dir("out-folder"), ["export", "-o", "OUT/out-folder"], USAGE, None),
    ("report -o /dev/full", one_ticket, ["report", "-o", "/dev/full"], IO, None),
    # git states
    ("sync without git", one_ticket, ["sync"], NOT_FOUND, None),
]


def resolve(arg, d, tid):
    arg = str(arg)
    if arg == "TID":
        return tid
    if arg.startswith("OUT/"):
        return str(d.root.parent / arg[4:])
    if arg.startswith("MAP/"):
        return str(SOURCE_DIR / "share" / "import" / arg[4:])
    return arg


def assert_clean_failure(r, expected, before, d):
    assert r.code == expected, r
    assert 1 <= r.code <= 7
    lines = r.err.splitlines()
    errors = [line for line in lines if line.startswith("desk: error:")]
    assert len(errors) == 1, r.err
    assert lines[0].startswith("desk: error:"), r.err
    assert all(line.startswith("  hint:") for line in lines[1:]), r.err
    assert "\x1b" not in r.err
    assert d.snapshot() == before, "the repository changed"


@pytest.mark.parametrize("name,prepare,args,expected,env", PROBES, ids=[p[0] for p in PROBES])
def test_bad_input_fails_cleanly(desk, name, prepare, args, expected, env):
    tid = prepare(desk)
    env = dict(env or {})
    stdin = env.pop("stdin", None)
    before = desk.snapshot()
    r = desk.run(*[resolve(a, desk, tid) for a in args], input=stdin, env=env or None)
    assert_clean_failure(r, expected, before, desk)


def test_standard_output_on_a_full_device(desk):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    one_ticket(desk)
    before = desk.snapshot()
    with open("/dev/full", "w") as full:
        p = subprocess.run([DESK_BIN, "export"], cwd=str(desk.root), stdout=full, stderr=subprocess.PIPE, text=True,
                           env=desk.env())
    class Proc:
        returncode, stdout, stderr = p.returncode, "", p.stderr
    assert_clean_failure(Result(Proc), IO, before, desk)


def test_a_held_lock_is_busy(desk):
    tid = one_ticket(desk)
    before = desk.snapshot()
    with open(desk.root / ".desk" / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        r = desk.run("log", tid, "-m", "blocked", env={"DESK_LOCK_TIMEOUT": "0.2"})
    assert_clean_failure(r, BUSY, before, desk)


def test_kill_9_during_writes_leaves_whole_tickets(desk, tmp_path):
    """Writers killed at random points: every ticket file left is whole and doctor finds nothing."""
    tid = one_ticket(desk)
    doc = {"format": "desk-export", "version": 1, "tickets": []}
    export = json.loads(desk.ok("export").out)
    base = export["tickets"][0]
    for i in range(300):
        t = json.loads(json.dumps(base))
        t["id"] = f"INC-K{i:07d}"
        doc["tickets"].append(t)
    (tmp_path / "many.json").write_text(json.dumps(doc), encoding="utf-8")
    for delay in (0.01, 0.03, 0.08):
        writers = [subprocess.Popen([DESK_BIN, "log", tid, "-m", "x" * 2000], cwd=str(desk.root), env=desk.env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(3)]
        writers.append(subprocess.Popen([DESK_BIN, "import", "json", str(tmp_path / "many.json")], cwd=str(desk.root),
                                        env=desk.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(delay)
        for w in writers:
            with contextlib.suppress(ProcessLookupError):
                w.send_signal(signal.SIGKILL)
            w.wait()
    r = desk.run("doctor")
    assert r.code == 0, r  # every file left is a whole ticket (temporary files are only notes)
    desk.ok("doctor", "--fix")
    assert not list((desk.root / "tickets").rglob(".*.tmp.*"))
    assert desk.ok("log", tid, "-m", "after the kills").out


def mount_or_skip(args):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a file system needs root")
    r = subprocess.run(["mount", *args], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount here: {r.stderr.strip()}")


@contextlib.contextmanager
def tmpfs(path, size="4m"):
    path.mkdir()
    mount_or_skip(["-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)])
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def repo_in(root):
    d = Desk(root / "repo")
    r = d.run("init", str(d.root), "--timezone", "Asia/Shanghai", cwd=root)
    assert r.code == 0, r
    return d


def test_a_read_only_file_system_is_exit_7(tmp_path):
    with tmpfs(tmp_path / "fs") as fs:
        d = repo_in(fs)
        tid = one_ticket(d)
        r = subprocess.run(["mount", "-o", "remount,ro", str(fs)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot remount read-only: {r.stderr.strip()}")
        before = d.snapshot()
        for args in (["log", tid, "-m", "x"], ["open", "--title", "y"], ["kb", "add", "--title", "t", "--solution", "s"]):
            assert_clean_failure(d.run(*args), IO, before, d)
        assert d.ok("show", tid).out  # reading still works
        assert d.ok("list").out


def test_a_full_file_system_is_exit_7(tmp_path):
    with tmpfs(tmp_path / "fs", size="2m") as fs:
        d = repo_in(fs)
        tid = one_ticket(d)
        filler = fs / "filler"
        with open(filler, "wb") as f:
            with contextlib.suppress(OSError):
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
        before = d.snapshot()
        big = "长" * 300_000
        for args in (["log", tid, "-m", "-"], ["open", "--title", "y", "-d", "-"]):
            assert_clean_failure(d.run(*args, input=big), IO, before, d)
        assert not [p for p in (fs / "repo").rglob("*.tmp.*")]
        filler.unlink()
        d.ok("log", tid, "-m", "space again")


def test_a_ticket_with_an_unknown_status_is_listed_and_shown_with_a_warning(desk):
    """Reading still works (a newer desk may know the status); every step refuses with the place."""
    tid = one_ticket(desk)
    path = desk.path_of(tid)
    path.write_bytes(path.read_bytes().replace(b"status: new", b"status: exploded", 1))
    rel = path.relative_to(desk.root).as_posix()
    listed = desk.run("list", "--color", "never")
    assert listed.code == 0, listed
    assert tid in listed.out and "exploded" in listed.out
    assert f"desk: warning: {desk.root / rel}: ticket {tid} has unknown status 'exploded'" in listed.err
    shown = desk.run("show", tid, "--color", "never")
    assert shown.code == 0, shown
    assert "exploded" in shown.out
    assert f"{rel}:3:9: ticket {tid} has unknown status 'exploded'" in shown.err
    refused = desk.run("resolve", tid, "--solution", "x", "--verified-by", "bob")
    assert refused.code == BAD_DATA, refused
    assert f"{rel}:3:9:" in refused.err and "statuses are: new, triaged" in refused.err
    stale = desk.run("close", "--stale")
    assert stale.code == 0, stale
    assert f"skipped {desk.root / rel}:3:9:" in stale.err


def test_an_alias_is_named_as_one_whatever_comes_after_it(desk):
    """yaml-cpp calls an alias used before its anchor "not defined"; desk refuses aliases, so says that."""
    tid = one_ticket(desk)
    path = desk.path_of(tid)
    text = path.read_bytes()
    for spoiled in (text.replace(b"title: ", b"title: *t\nx_note: &t ", 1),  # the anchor comes later
                    text.replace(b"title: ", b"title: *nowhere\nx_title: ", 1),  # no anchor at all
                    text.replace(b"title: ", b"title: &t [*t]\nx_title: ", 1)):  # the alias inside its anchor
        path.write_bytes(spoiled)
        r = desk.run("show", tid)
        assert r.code == BAD_DATA, r
        assert "YAML aliases (*name) are not allowed" in r.err, r.err
        assert "anchor is not defined" not in r.err
        assert "write the value out in full" in r.err
