"""Helpers of the end-to-end tests of init, open, show, list and the ticket store: the
fixture's clock, the id patterns, the default priority matrix, display widths and table
columns, ticket files read two ways and compared line by line, tickets planted by hand,
desk run with full control of its process or on a terminal, and fresh repositories for
module-scoped fixtures.

Used by test_init.py, test_open.py, test_store.py, test_list_show.py and test_foundation.py.
"""
import difflib
import os
import re
import subprocess
import unicodedata
from pathlib import Path

import yaml

from conftest import DESK_BIN

# The clock of the `desk` fixture, in the repository zone (Asia/Shanghai, +08:00).
NOW = "2026-11-27T17:30:00+08:00"

# Crockford base 32 (no I, L, O, U), 8 characters after the type prefix.
TOKEN_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_RE = re.compile(r"^(INC|REQ|CHG|CON)-[0-9A-HJKMNP-TV-Z]{8}$")
EVENT_ID_RE = re.compile(r"^E-[0-9A-HJKMNP-TV-Z]{8}$")
PREFIX = {"incident": "INC", "request": "REQ", "change": "CHG", "consultation": "CON"}

# The default priority matrix (share/config.yaml): impact -> urgency -> priority.
MATRIX = {
    "core-business": {"critical": "P1", "high": "P1", "medium": "P2", "low": "P3"},
    "company": {"critical": "P1", "high": "P2", "medium": "P2", "low": "P3"},
    "department": {"critical": "P2", "high": "P2", "medium": "P3", "low": "P4"},
    "individual": {"critical": "P2", "high": "P3", "medium": "P4", "low": "P4"},
}

ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")


def width(text):
    """Display width of text on a terminal: East Asian Wide/Fullwidth count 2, combining marks 0."""
    w = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return w


def cell_starts(line):
    """Display columns where each cell of a table line starts (cells are separated by 2+ spaces)."""
    starts = []
    for m in re.finditer(r"\S+(?: \S+)*", line):
        starts.append(width(line[: m.start()]))
    return starts


def read_bytes(desk, ticket_id):
    return desk.path_of(ticket_id).read_bytes()


def yaml_both(path):
    """The file read by PyYAML twice: BaseLoader (strings) and safe_load (typed)."""
    text = Path(path).read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.BaseLoader), yaml.safe_load(text)


def changed_lines(before: bytes, after: bytes):
    """(removed, added) lines between two versions of a file."""
    a = before.decode("utf-8").splitlines(keepends=True)
    b = after.decode("utf-8").splitlines(keepends=True)
    removed, added = [], []
    for line in difflib.ndiff(a, b):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def plant_ticket(desk, template_id, new_id, created=None, folder=None):
    """Copy the file of template_id to a ticket with id new_id (same month unless folder is given).

    Lets a test choose ids (for abbreviation tests) without guessing random ones.
    """
    src = desk.path_of(template_id)
    text = src.read_text(encoding="utf-8")
    text = re.sub(r"^id: .*$", f"id: {new_id}", text, count=1, flags=re.M)
    if created:
        text = re.sub(r"^created: .*$", f"created: '{created}'", text, count=1, flags=re.M)
    dest_dir = desk.root / "tickets" / folder if folder else src.parent
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"{new_id}.yaml"
    dest.write_text(text, encoding="utf-8")
    return dest


def run_raw(desk, args, env=None, preexec_fn=None, cwd=None, stdin=subprocess.DEVNULL, stdout=None):
    """Run desk with full control over the process (privileges, a terminal as stdout)."""
    return subprocess.run(
        [DESK_BIN, *map(str, args)],
        cwd=str(cwd or desk.root),
        env=desk.env(**(env or {})),
        stdin=stdin,
        stdout=stdout if stdout is not None else subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=preexec_fn,
        timeout=60,
    )


def run_on_tty(desk, args, env=None, stdin_tty=False, stderr=None):
    """Run desk with stdout (and stdin when `stdin_tty`) on a pseudo terminal; returns
    (exit code, stdout text). Standard error goes to `stderr` (a file) when given."""
    import pty

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [DESK_BIN, *map(str, args)],
            cwd=str(desk.root),
            env=desk.env(**(env or {})),
            stdin=slave if stdin_tty else subprocess.DEVNULL,
            stdout=slave,
            stderr=stderr if stderr is not None else subprocess.DEVNULL,
        )
        os.close(slave)
        slave = None
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=60)
        return proc.returncode, b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


def make_desk(root, timezone="Asia/Shanghai"):
    """A fresh repository at root (like the `desk` fixture, for module-scoped fixtures)."""
    from conftest import Desk

    d = Desk(Path(root))
    r = d.run("init", str(d.root), "--timezone", timezone, cwd=Path(root).parent)
    assert r.code == 0, r
    return d
