"""Cross-cutting behaviour: actor and clock, the repository lock, read-only repositories,
usage errors, and "nothing on disk changes when a command fails"."""
import fcntl
import os
import pwd
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import BUSY, IO, NOT_FOUND, USAGE, DESK_BIN
from foundation_helpers import run_raw


# --- actor --------------------------------------------------------------------------------------

def opened_by(desk, *args, env=None):
    tid = desk.ok(*args, "open", "-q", "--title", "who?", env=env).out.strip()
    return desk.load(tid)["events"][0]["by"]


@pytest.fixture
def git_home(tmp_repo_dir):
    """A global git config with user.name, and no system config."""
    cfg = tmp_repo_dir / "gitconfig"
    cfg.write_text("[user]\n\tname = Gitta Git\n\temail = gitta@example.com\n", encoding="utf-8")
    return {"GIT_CONFIG_GLOBAL": str(cfg), "GIT_CONFIG_SYSTEM": "/dev/null", "HOME": str(tmp_repo_dir)}


def test_actor_as_beats_desk_user(desk, git_home):
    assert opened_by(desk, "--as", "eve", env={"DESK_USER": "dora", **git_home}) == "eve"
    assert opened_by(desk, "--as", "王小明", env={"DESK_USER": "dora", **git_home}) == "王小明"


def test_actor_from_desk_user_beats_git(desk, git_home):
    assert opened_by(desk, env={"DESK_USER": "dora", **git_home}) == "dora"


def test_actor_from_git_user_name(desk, git_home):
    assert opened_by(desk, env={"DESK_USER": None, **git_home}) == "Gitta Git"


def test_actor_falls_back_to_the_login_name(desk, tmp_repo_dir):
    empty = tmp_repo_dir / "empty-gitconfig"
    empty.write_text("", encoding="utf-8")
    env = {"DESK_USER": None, "GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_SYSTEM": "/dev/null",
           "HOME": str(tmp_repo_dir)}
    assert opened_by(desk, env=env) == pwd.getpwuid(os.getuid()).pw_name


def test_actor_is_recorded_on_later_events(desk):
    tid = desk.open("--title", "t")
    desk.ok("--as", "bob", "log", tid, "-m", "looked")
    assert desk.load(tid)["events"][-1]["by"] == "bob"


# --- clock --------------------------------------------------------------------------------------

def test_desk_now_sets_event_times(desk):
    tid = desk.open("--title", "t", env={"DESK_NOW": "2026-03-05T08:07:06+08:00"})
    t = desk.load(tid)
    assert t["created"] == t["updated"] == t["events"][0]["at"] == "2026-03-05T08:07:06+08:00"
    desk.ok("log", tid, "-m", "later", env={"DESK_NOW": "2026-03-05T01:00:00Z"})
    t = desk.load(tid)
    assert t["events"][-1]["at"] == "2026-03-05T09:00:00+08:00"  # written in the repository zone
    assert t["updated"] == "2026-03-05T09:00:00+08:00"


def test_desk_now_without_offset_is_read_in_the_repository_zone(desk):
    # --occurred-at and --since read a time without offset in the repository zone; DESK_NOW should too.
    tid = desk.open("--title", "t", "--occurred-at", "2026-11-27T09:00", env={"DESK_NOW": "2026-11-27T09:00"})
    t = desk.load(tid)
    assert t["occurred_at"] == "2026-11-27T09:00:00+08:00"
    assert t["created"] == "2026-11-27T09:00:00+08:00", "DESK_NOW without offset was not read in the repo zone"


@pytest.mark.parametrize("bad", ["tomorrow", "2026-13-01T00:00:00+08:00", "2026-11-27T25:00", "1764235800"])
def test_bad_desk_now_is_a_usage_error(desk, bad):
    tid = desk.open("--title", "t")
    before = desk.snapshot()
    r = desk.fails(USAGE, "open", "--title", "x", env={"DESK_NOW": bad})
    assert "DESK_NOW" in r.err
    desk.fails(USAGE, "log", tid, "-m", "x", env={"DESK_NOW": bad})
    assert desk.snapshot() == before


# --- lock ---------------------------------------------------------------------------------------

class HeldLock:
    def __init__(self, desk):
        self.f = open(desk.root / ".desk" / "lock", "a+")
        fcntl.flock(self.f, fcntl.LOCK_EX)

    def release(self):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def test_busy_lock_gives_exit_6(desk):
    tid = desk.open("--title", "t")
    lock = HeldLock(desk)
    try:
        before = desk.snapshot()
        start = time.monotonic()
        r = desk.fails(BUSY, "open", "--title", "blocked", env={"DESK_LOCK_TIMEOUT": "0"})
        assert time.monotonic() - start < 5
        assert "busy" in r.err and ".desk/lock" in r.err
        assert "DESK_LOCK_TIMEOUT" in r.err
        desk.fails(BUSY, "log", tid, "-m", "blocked", env={"DESK_LOCK_TIMEOUT": "0"})
        desk.fails(BUSY, "cancel", tid, "--reason", "blocked", env={"DESK_LOCK_TIMEOUT": "0"})
        assert desk.snapshot() == before
        # Readers never take the lock.
        assert tid in desk.ok("list", env={"DESK_LOCK_TIMEOUT": "0"}).out
        assert desk.ok("show", tid, env={"DESK_LOCK_TIMEOUT": "0"}).code == 0
        assert desk.ok("doctor", env={"DESK_LOCK_TIMEOUT": "0"}).code == 0
    finally:
        lock.release()
    assert desk.open("--title", "after release", env={"DESK_LOCK_TIMEOUT": "0"})


def test_a_short_lock_is_waited_for(desk):
    lock = HeldLock(desk)
    timer = threading.Timer(0.3, lock.release)
    timer.start()
    try:
        tid = desk.open("--title", "waited", env={"DESK_LOCK_TIMEOUT": "10"})
    finally:
        timer.join()
    assert desk.load(tid)["title"] == "waited"


# --- read-only repository -----------------------------------------------------------------------

@pytest.fixture
def read_only(desk):
    """The desk repository made read-only; yields a function running desk on it as someone who cannot
    write. As root (chmod does not stop root) the command runs as user 'nobody' on a copy in a folder
    that user can reach."""
    tid = desk.open("--title", "只读仓库里的工单")
    desk.read_only_ticket = tid
    if os.geteuid() != 0:
        root = desk.root
        preexec = None
    else:
        try:
            nobody = pwd.getpwnam("nobody")
        except KeyError:
            pytest.skip("running as root and there is no 'nobody' user to drop privileges to")
        if not os.access(DESK_BIN, os.X_OK) or any(
                not (os.stat(p).st_mode & stat.S_IXOTH) for p in Path(DESK_BIN).resolve().parents):
            pytest.skip("running as root and the desk binary is not reachable by 'nobody'")
        base = Path(tempfile.mkdtemp(prefix="desk-ro-"))
        os.chmod(base, 0o755)
        root = base / "repo"
        shutil.copytree(desk.root, root)

        def preexec():
            os.setgid(nobody.pw_gid)
            os.setgroups([])
            os.setuid(nobody.pw_uid)

    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            os.chmod(p, os.stat(p).st_mode & ~0o222)
    os.chmod(root, os.stat(root).st_mode & ~0o222)

    class RO:
        pass

    ro = RO()
    ro.root = root

    def run(*args, env=None):
        r = run_raw(desk, ["-C", root, *args], env=env, preexec_fn=preexec, cwd=root)
        return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8")

    def snapshot():
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
                if p.is_file() and p.name != "lock"}

    ro.run = run
    ro.snapshot = snapshot
    # Check that writing really fails for the one running desk.
    code, _, _ = run("open", "--title", "probe", env={"DESK_LOCK_TIMEOUT": "0"})
    if code == 0:
        pytest.skip("cannot make the repository read-only here (writing still succeeds)")
    yield ro
    for dirpath, dirnames, filenames in os.walk(root):
        os.chmod(dirpath, 0o755)
    if root != desk.root:
        shutil.rmtree(root.parent, ignore_errors=True)


def test_read_only_repository_gives_a_clear_error_and_no_change(desk, read_only):
    ro = read_only
    tid = desk.read_only_ticket
    before = ro.snapshot()
    for args in (["open", "--title", "x"], ["log", tid, "-m", "x"], ["cancel", tid, "--reason", "x"]):
        code, out, err = ro.run(*args)
        assert code == IO, (args, code, out, err)
        assert err.startswith("desk: error: cannot write"), err
        assert "permission" in err.lower(), err
        assert "Traceback" not in err and "bug" not in err
    assert ro.snapshot() == before
    # Reading still works.
    code, out, err = ro.run("list")
    assert code == 0 and tid in out, (code, out, err)
    code, out, err = ro.run("show", tid, "--format", "json")
    assert code == 0, err


# --- usage errors -------------------------------------------------------------------------------

def test_failing_commands_change_nothing(desk, tmp_repo_dir):
    tid = desk.open("--title", "t", "--dedup-key", "k")
    desk.ok("log", tid, "-m", "first")
    before = desk.snapshot()
    cases = [
        (USAGE, ["opne", "--title", "x"]),
        (USAGE, ["open", "--title", "x", "--no-such-option"]),
        (USAGE, ["open", "--title", "x", "--type"]),
        (USAGE, ["open", "--title", "x", "--type", "incident", "--channel", "carrier-pigeon"]),
        (USAGE, ["open", "--title", "x", "--impact", "company", "--urgency", "whenever"]),
        (USAGE, ["open", "--title", "x", "--description", "bad \udcfe byte"]),
        (NOT_FOUND, ["open", "--title", "x", "--attach", tmp_repo_dir / "missing.log"]),
        (USAGE, ["log", tid]),
        (USAGE, ["cancel", tid]),
        (NOT_FOUND, ["log", "ZZZZZZZZ", "-m", "x"]),
        (USAGE, ["log", "../" + tid, "-m", "x"]),
        (USAGE, ["show"]),
        (USAGE, ["list", "--status", "open-ish"]),
        (USAGE, ["--color", "rainbow", "list"]),
        (USAGE, []),
    ]
    for code, args in cases:
        r = desk.run(*args)
        assert r.code == code, (args, r)
        assert "desk: error:" in r.err, (args, r)
        assert "bug" not in r.err, (args, r)
        assert desk.snapshot() == before, args


def test_unknown_command_suggests_the_right_one(desk):
    r = desk.fails(USAGE, "opne", "--title", "x")
    assert "opne" in r.err and "desk open" in r.err
    r = desk.fails(USAGE, "lsit")
    assert "desk list" in r.err


def test_cancel_needs_a_reason_and_says_so(desk):
    tid = desk.open("--title", "t")
    r = desk.fails(USAGE, "cancel", tid)
    assert "--reason" in r.err


def test_help_lists_the_exit_codes(desk):
    r = desk.ok("--help")
    for code in ("0 success", "2 bad command line", "3 not found", "5 bad data", "6 repository busy",
                 "7 file system error"):
        assert code in r.out, code
    r = desk.ok("open", "--help")
    for option in ("--type", "--title", "--description", "--reporter", "--department", "--contact",
                   "--channel", "--affected", "--impact", "--urgency", "--occurred-at", "--steps", "--error",
                   "--attach", "--dedup-key", "--external-id", "--quiet", "--format"):
        assert option in r.out, option


def test_version(desk):
    r = desk.ok("--version")
    assert r.out.startswith("desk ")


def test_every_listed_command_is_reachable_alone(desk):
    """desk builds only the command groups up to the one asked for: every command that
    `desk --help` lists must still parse its own options (and global options before it)."""
    listing = desk.ok("--help").out.split("Subcommands:")[1].split("\n\n")[0]
    names = [line.split()[0] for line in listing.strip().splitlines()]
    assert len(names) >= 20 and "open" in names and "sync" in names
    for name in names:
        r = desk.ok("--color", "never", name, "--help")
        assert f"Usage: desk {name} " in r.out or f"desk {name}" in r.out, (name, r.out[:200])
    # A global option's value that names a command is not taken for the command.
    r = desk.ok("--as", "list", "open", "--title", "as list", "--impact", "individual", "--urgency", "low")
    assert "Opened" in r.out
    # A mistyped command still gets a suggestion from every command.
    r = desk.fails(USAGE, "synk")
    assert "did you mean `desk sync`?" in r.err
