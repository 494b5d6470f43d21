"""End-to-end test fixtures: the real desk binary on temporary repositories.

DESK_BIN names the binary (set by ctest); DESK_NOW fixes the clock for every command.
A failing test's repository is kept under $DESK_TEST_KEEP (default /tmp/desk-test-failures)
and its path printed, so it can be inspected.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

DESK_BIN = os.environ.get("DESK_BIN") or str(Path(__file__).resolve().parents[2] / "build" / "desk")
SOURCE_DIR = Path(os.environ.get("DESK_SOURCE_DIR") or Path(__file__).resolve().parents[2])

# Exit codes (README "Exit codes").
OK, FAILURE, USAGE, NOT_FOUND, INVALID_STATE, BAD_DATA, BUSY, IO = 0, 1, 2, 3, 4, 5, 6, 7

# The identity of the commits a test makes itself (desk's own commits have the actor as
# their author), and no system or user git configuration.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
}


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"Result(code={self.code}, out={self.out!r}, err={self.err!r})"


class Desk:
    """Runs desk in one repository with a fixed clock and actor."""

    def __init__(self, root: Path):
        self.root = root
        self.now = "2026-11-27T17:30:00+08:00"
        self.user = "alice"
        self.extra_env = {}

    def env(self, **overrides):
        env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
        env.update({"DESK_NOW": self.now, "DESK_USER": self.user, "NO_COLOR": "1", "LC_ALL": "C.UTF-8"})
        env.update(self.extra_env)
        for k, v in overrides.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    def run(self, *args, input=None, cwd=None, env=None, timeout=60):
        """Run `desk ARGS` in the repository; returns Result (never raises on exit code)."""
        proc = subprocess.run(
            [DESK_BIN, *map(str, args)],
            cwd=str(cwd or self.root),
            input=input,
            capture_output=True,
            text=True,
            env=self.env(**(env or {})),
            timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        return Result(proc)

    def ok(self, *args, **kw):
        """Run and assert exit code 0; returns Result."""
        r = self.run(*args, **kw)
        assert r.code == 0, f"desk {' '.join(map(str, args))} failed: {r}"
        return r

    def fails(self, code, *args, **kw):
        """Run and assert the given non-zero exit code and a `desk: error:` message."""
        r = self.run(*args, **kw)
        assert r.code == code, f"desk {' '.join(map(str, args))}: expected exit {code}: {r}"
        assert "desk: error:" in r.err, r
        return r

    def open(self, *args, **kw):
        """Open a ticket (`desk open -q ...`) and return its id."""
        r = self.ok("open", "-q", *args, **kw)
        return r.out.strip()

    def path_of(self, ticket_id):
        """The file of a ticket."""
        found = list((self.root / "tickets").glob(f"*/*/{ticket_id}.yaml"))
        assert len(found) == 1, found
        return found[0]

    def load(self, ticket_id):
        """The ticket file read by PyYAML (BaseLoader: every scalar a string)."""
        return yaml.load(self.path_of(ticket_id).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)

    def show(self, ticket_id):
        """`desk show ID --format json` as a dict."""
        return self.ok("show", ticket_id, "--format", "json").json()

    def snapshot(self):
        """Every file under the repository with its bytes (to prove nothing changed)."""
        files = {}
        for p in sorted(self.root.rglob("*")):
            if p.is_file() and ".desk/lock" not in str(p) and "/.desk/cache/" not in str(p):
                files[str(p.relative_to(self.root))] = p.read_bytes()
        return files


@pytest.fixture
def tmp_repo_dir(request, tmp_path):
    yield tmp_path
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        keep = Path(os.environ.get("DESK_TEST_KEEP", "/tmp/desk-test-failures")) / request.node.name
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(tmp_path, keep, symlinks=True)
        print(f"\nkept the repository of the failed test in {keep}")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


@pytest.fixture
def desk(tmp_repo_dir):
    """A fresh repository (default config, zone Asia/Shanghai) and a Desk to drive it."""
    root = tmp_repo_dir / "repo"
    d = Desk(root)
    r = d.run("init", str(root), "--timezone", "Asia/Shanghai", cwd=tmp_repo_dir)
    assert r.code == 0, r
    return d


def git_run(cwd, *args, env=None):
    """Run `git ARGS` in `cwd` with GIT_ENV (and `env` over it), main as the default branch;
    returns the CompletedProcess (text output), whatever git's exit code."""
    return subprocess.run(["git", "-c", "init.defaultBranch=main", *map(str, args)], cwd=str(cwd),
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV, **(env or {})}, timeout=120)


def git(cwd, *args, check=True, env=None):
    """Run `git ARGS` in `cwd` like git_run; returns its standard output, stripped. With check
    (the default) a git failure fails the test, naming the command and git's message."""
    r = git_run(cwd, *args, env=env)
    if check:
        assert r.returncode == 0, f"git {' '.join(map(str, args))}: {r.stderr}"
    return r.stdout.strip()


def write_config(desk, mutate):
    """Load .desk/config.yaml, let `mutate(dict)` change it, write it back."""
    path = desk.root / ".desk" / "config.yaml"
    cfg = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(cfg)
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
