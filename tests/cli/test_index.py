"""The ticket index (.desk/cache/tickets.idx) is never stale and never needed.

Every answer of list/sla/report through the index must equal the answer from the files
(DESK_INDEX=off), whatever happened to the files behind desk's back.
"""
import os
import shutil
import subprocess

import pytest

from conftest import Desk
from test_git import git, setup_pair, open_shared

INDEX = ".desk/cache/tickets.idx"
COMMANDS = [
    ("list",),
    ("list", "--all", "--format", "json"),
    ("list", "--all", "--sort", "-created", "--columns", "id,status,priority,title,assignee"),
    ("sla", "--format", "json"),
    ("report", "--format", "json", "--since", "2026-11-01"),
    # Decided on the brief the index keeps (status, created, updated) before decoding:
    # the cancelled ticket's last change is before this period, one ticket is created after.
    ("report", "--format", "json", "--since", "2026-11-26", "--until", "2026-11-27T12:00"),
    ("list", "--all", "--since", "2026-11-21", "--until", "2026-11-23", "--format", "json"),
]


def same_as_files(d):
    """Run every reader with and without the index: the same output, the same warnings."""
    for args in COMMANDS:
        a = d.run(*args)
        b = d.run(*args, env={"DESK_INDEX": "off"})
        assert (a.code, a.out, a.err) == (b.code, b.out, b.err), args
        assert "error" not in a.err and a.out, (args, a.err)
    return d.run("list", "--all", "--format", "json").json()


def populate(d):
    ids = []
    for i, title in enumerate(["VPN 无法连接", "打印机卡纸", "Outlook asks for the password", "邮件发不出去"]):
        d.now = f"2026-11-2{i}T09:00:00+08:00"
        t = d.open("--title", title, "--impact", "department", "--urgency", "high")
        ids.append(t)
    d.now = "2026-11-25T10:00:00+08:00"
    d.ok("triage", ids[0], "--category", "network")
    d.ok("assign", ids[0], "--to", "bob")
    d.ok("triage", ids[1], "--category", "end-user-device")
    d.ok("resolve", ids[1], "--solution", "换了硒鼓", "--verified-by", "carol")
    d.ok("cancel", ids[3], "--reason", "duplicate")
    d.now = "2026-11-27T17:30:00+08:00"
    return ids


def by_id(listed):
    return {t["id"]: t for t in listed}


def test_index_is_built_and_answers_like_the_files(desk):
    ids = populate(desk)
    assert not (desk.root / INDEX).exists() or True
    listed = same_as_files(desk)
    assert (desk.root / INDEX).is_file()
    assert {t["id"] for t in listed} == set(ids)
    # The index is never committed: .desk/.gitignore covers cache/.
    assert "cache/" in (desk.root / ".desk/.gitignore").read_text()


def test_edit_behind_desks_back_same_size_same_second(desk):
    ids = populate(desk)
    desk.ok("list")  # builds the index
    path = desk.path_of(ids[0])
    text = path.read_text(encoding="utf-8")
    before = os.stat(path)
    new = text.replace("priority: P2", "priority: P9", 1) if "priority: P2" in text else None
    assert new is not None and len(new.encode()) == len(text.encode())
    with open(path, "r+b") as f:  # in place: same inode, same size, no folder change
        f.write(new.encode("utf-8"))
    after = os.stat(path)
    assert after.st_ino == before.st_ino and after.st_size == before.st_size
    listed = by_id(desk.ok("list", "--all", "--format", "json").json())
    assert listed[ids[0]]["priority"] == "P9"
    same_as_files(desk)


def test_deleted_and_added_files(desk, tmp_path):
    ids = populate(desk)
    desk.ok("list")
    desk.path_of(ids[2]).unlink()
    assert ids[2] not in by_id(same_as_files(desk))
    # A ticket file from another repository appears (a copy, a checkout, a pull).
    other = Desk(tmp_path / "other")
    other.ok("init", str(other.root), "--timezone", "Asia/Shanghai", cwd=tmp_path)
    other.now = "2025-03-01T08:00:00+08:00"
    foreign = other.open("--title", "来自另一个仓库")
    src = other.path_of(foreign)
    dst = desk.root / src.relative_to(other.root)
    dst.parent.mkdir(parents=True)
    shutil.copy2(src, dst)  # keeps the old modification time
    listed = by_id(same_as_files(desk))
    assert listed[foreign]["title"] == "来自另一个仓库"


def test_damaged_index_is_rebuilt_silently(desk):
    populate(desk)
    good = desk.ok("list", "--all", "--format", "json").out
    index = desk.root / INDEX
    data = bytearray(index.read_bytes())
    for i in range(64, len(data), 97):
        data[i] ^= 0xA5
    index.write_bytes(bytes(data))
    r = desk.ok("list", "--all", "--format", "json")
    assert r.out == good and r.err == ""
    index.write_bytes(b"")
    r = desk.ok("list", "--all", "--format", "json")
    assert r.out == good and r.err == ""
    index.unlink()
    index.mkdir()  # something in the way: commands still answer from the files
    r = desk.ok("list", "--all", "--format", "json")
    assert r.out == good and r.err == ""


def test_broken_ticket_is_warned_about_every_time(desk):
    ids = populate(desk)
    bad = desk.path_of(ids[2])
    bad.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        r = desk.ok("list", "--all")
        assert f"{bad}:" in r.err and "skipped" in r.err
    same_as_files(desk)
    r = desk.ok("report", "--since", "2026-11-01")
    assert "left out" in r.err and bad.name in r.err


def test_reindex(desk):
    populate(desk)
    r = desk.ok("reindex")
    assert "indexed 4 ticket file(s) into .desk/cache/tickets.idx" in r.out
    assert (desk.root / INDEX).is_file()
    r = desk.ok("reindex", "--help")
    assert "never needed for correctness" in r.out
    same_as_files(desk)


def test_reindex_unwritable_cache_is_an_io_error(desk):
    populate(desk)
    cache = desk.root / ".desk/cache"
    shutil.rmtree(cache, ignore_errors=True)
    cache.write_text("in the way")
    r = desk.fails(7, "reindex")
    assert "could not write" in r.err
    # Reading still works without an index.
    same_as_files(desk)


def test_index_after_git_pull(tmp_path):
    origin, a, b = setup_pair(tmp_path)
    tid = open_shared(a, b)
    b.ok("list", "--all")  # B's index knows the ticket as it was
    a.ok("assign", tid, "--to", "bob")
    new = a.open("--title", "新的工单 after pull")
    git(a.root, "push", "-q")
    git(b.root, "pull", "-q", "--no-rebase")
    listed = by_id(same_as_files(b))
    assert listed[tid]["assignee"] == "bob" and new in listed
    # A checkout of an older commit goes back in time, and the index follows.
    git(b.root, "checkout", "-q", "HEAD~2")
    listed = by_id(same_as_files(b))
    assert new not in listed and "assignee" not in listed[tid]


def test_show_and_changes_by_full_id_and_abbreviation(desk):
    ids = populate(desk)
    assert desk.show(ids[0])["id"] == ids[0]
    assert desk.show(ids[0][4:10].lower())["id"] == ids[0]
    r = desk.fails(3, "show", "INC-ZZZZZZZZ")
    assert "no ticket matches" in r.err


def test_update_is_appended_to_the_index_in_place(desk):
    ids = populate(desk)
    same_as_files(desk)
    index = desk.root / INDEX
    before = index.stat()
    desk.ok("log", ids[0], "-m", "更新 in place")
    listed = by_id(same_as_files(desk))
    after = index.stat()
    assert after.st_ino == before.st_ino and after.st_size > before.st_size
    assert listed[ids[0]]["updated"] == "2026-11-27T17:30:00+08:00"
    # An update cut short leaves bytes after the table: passed over.
    with open(index, "ab") as f:
        f.write(b"\x00" * 333)
    desk.ok("assign", ids[0], "--to", "carol")
    listed = by_id(same_as_files(desk))
    assert listed[ids[0]]["assignee"] == "carol"


def test_readers_at_once_while_tickets_change(desk):
    """Readers racing each other and a writer: every answer is whole, the last equals the files."""
    from concurrent.futures import ThreadPoolExecutor

    ids = populate(desk)
    same_as_files(desk)

    def reader(_):
        r = desk.run("list", "--all", "--format", "json")
        assert r.code == 0 and r.err == "", r.err
        return len(r.json())

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(reader, k) for k in range(12)]
        for k in range(6):
            desk.ok("log", ids[k % 3], "-m", f"step {k} 步骤")
        counts = [f.result() for f in futures]
    assert counts == [len(ids)] * 12
    same_as_files(desk)
