"""Hooks that misbehave (background jobs, signals, recursion) and git in odd states under auto-commit."""
import time

import pytest

from conftest import DESK_BIN, FAILURE, GIT_ENV, Desk, git, write_config
from workflow_helpers import install_hook


def test_a_hook_that_leaves_a_background_job_does_not_keep_desk_waiting(desk):
    write_config(desk, lambda c: c.update({"hooks": {"timeout": "20s"}}))
    install_hook(desk, "open", "#!/bin/sh\nsleep 30 &\necho started\n")
    started = time.monotonic()
    r = desk.run("open", "-q", "--title", "x", timeout=40)
    assert r.code == 0, r
    assert time.monotonic() - started < 10
    assert r.err == "", r.err


def test_a_hook_killed_by_a_signal_is_named_by_it(desk):
    install_hook(desk, "open", "#!/bin/sh\necho dying >&2\nkill -KILL $$\n")
    r = desk.ok("open", "-q", "--title", "x")
    assert "killed by SIGKILL" in r.err and "dying" in r.err
    assert "exit status -1" not in r.err


def test_a_hook_that_runs_desk_again_stops_at_the_depth_limit(desk, tmp_path):
    err = tmp_path / "hook-err"
    install_hook(desk, "log", f"""#!/bin/sh
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["ticket"]["id"])')
echo "depth $DESK_HOOK_DEPTH" >> '{err}'
'{DESK_BIN}' log "$id" -m "again at $DESK_HOOK_DEPTH" 2>> '{err}' >/dev/null
""")
    tid = desk.open("--title", "recursive hook")
    r = desk.run("log", tid, "-m", "first", timeout=60)
    assert r.code == 0, r
    logs = [e for e in desk.load(tid)["events"] if e["action"] == "log"]
    assert [e["note"] for e in logs] == ["first", "again at 1", "again at 2", "again at 3"]
    text = err.read_text()
    assert "depth 1" in text and "depth 3" in text and "depth 4" not in text
    assert "not run: DESK_HOOK_DEPTH is 3" in text


@pytest.fixture
def committed(tmp_path):
    """A repository in git with auto-commit on, its init committed."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    d = Desk(root)
    d.extra_env = dict(GIT_ENV)
    r = d.run("init", str(root), "--timezone", "Asia/Shanghai", cwd=tmp_path)
    assert r.code == 0 and "autocommit on" in r.out, r
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return d


def test_a_held_index_lock_is_reported(committed):
    lock = committed.root / ".git" / "index.lock"
    lock.write_text("")
    try:
        r = committed.ok("open", "-q", "--title", "index locked")
    finally:
        lock.unlink()
    assert "index was not updated" in r.err and "index.lock" in r.err, r.err
    tid = r.out.strip()
    assert tid in git(committed.root, "show", "--stat", "HEAD")  # the commit itself was made


def test_git_missing_from_path_is_reported(committed):
    r = committed.ok("open", "-q", "--title", "no git", env={"PATH": "/nonexistent"})
    assert "git is not installed" in r.err and "not committed" in r.err, r.err


def test_doctor_lists_ticket_changes_left_uncommitted(committed):
    tid = committed.open("--title", "committed")
    assert committed.run("doctor").code == 0
    path = committed.path_of(tid)
    path.write_text(path.read_text(encoding="utf-8").replace("committed", "killed before its commit"), encoding="utf-8")
    r = committed.run("doctor")
    assert r.code == FAILURE, r
    assert tid in r.out + r.err and "not committed" in r.out + r.err
