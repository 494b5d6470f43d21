"""What desk writes stays inside the repository and within what it reads back; what it
reads is a regular file: oversize texts, symlinked folders, FIFOs and odd attachments."""
import os
import threading

import pytest

from conftest import BAD_DATA, IO, NOT_FOUND, USAGE

MIB = 1024 * 1024


def test_open_with_a_nine_mib_description_is_refused(desk):
    before = desk.snapshot()
    r = desk.fails(USAGE, "open", "--title", "大附件", "-d", "-", input="描" * (3 * MIB + 100))
    assert "desk files hold at most 8 MiB" in r.err
    assert desk.snapshot() == before


def test_a_note_that_grows_a_ticket_past_the_limit_is_refused(desk):
    tid = desk.open("--title", "日志很长", "-d", "-", input="x" * (5 * MIB))
    before = desk.path_of(tid).read_bytes()
    r = desk.fails(USAGE, "log", tid, "-m", "-", input="y" * (4 * MIB))
    assert "at most 8 MiB" in r.err and tid in r.err
    assert desk.path_of(tid).read_bytes() == before
    desk.ok("log", tid, "-m", "short note, fits")
    desk.ok("show", tid)


def test_an_import_cell_of_ten_megabytes_is_refused(desk, tmp_path):
    csv = tmp_path / "big.csv"
    csv.write_text("Id,Subject,Created at\n1,\"" + "长" * (10 * MIB // 3 + 10) + "\",2024-11-04 08:12:44\n",
                   encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("source: x\nexternal_id: Id\nfields:\n  title: Subject\n  created: Created at\n")
    before = desk.snapshot()
    r = desk.fails(USAGE, "import", "csv", csv, "--map", mapping)
    assert "x ticket 1 would be" in r.err and "desk files hold at most 8 MiB" in r.err
    assert desk.snapshot() == before


def test_merge_driver_refuses_an_oversize_side_and_a_folder(desk, tmp_path):
    tid = desk.open("--title", "合并")
    text = desk.path_of(tid).read_text(encoding="utf-8")
    base, ours, theirs = tmp_path / "base", tmp_path / "ours", tmp_path / "theirs"
    base.write_text(text, encoding="utf-8")
    ours.write_text(text, encoding="utf-8")
    theirs.write_text(text + "extra: " + "z" * (9 * MIB) + "\n", encoding="utf-8")
    r = desk.fails(BAD_DATA, "merge-driver", base, ours, theirs, "tickets/x.yaml")
    assert "too large" in r.err and "8 MiB" in r.err
    assert ours.read_text(encoding="utf-8") == text
    folder = tmp_path / "folder"
    folder.mkdir()
    r = desk.fails(BAD_DATA, "merge-driver", base, ours, folder, "tickets/x.yaml")
    assert "is a directory" in r.err


def test_a_symlinked_month_folder_is_never_written_through(desk, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (desk.root / "tickets" / "2026").mkdir(parents=True, exist_ok=True)
    link = desk.root / "tickets" / "2026" / "11"
    link.symlink_to(elsewhere, target_is_directory=True)
    r = desk.fails(IO, "open", "--title", "不应写到外面")
    assert f"{link} is a symbolic link" in r.err
    assert list(elsewhere.iterdir()) == []
    r = desk.run("doctor")
    assert r.code == 1 and "symbolic link to a folder" in r.out


def test_a_symlinked_cache_is_neither_read_nor_written(desk, tmp_path):
    tid = desk.open("--title", "缓存")
    cache = desk.root / ".desk" / "cache"
    if cache.exists():
        for f in cache.iterdir():
            f.unlink()
        cache.rmdir()
    elsewhere = tmp_path / "cache-elsewhere"
    elsewhere.mkdir()
    cache.symlink_to(elsewhere, target_is_directory=True)
    listed = desk.ok("list", "--format", "json").json()
    assert [t["id"] for t in listed] == [tid]
    desk.ok("kb", "add", "--title", "打印机脱机", "--solution", "重启服务", "--category", "network")
    desk.ok("kb", "search", "打印机")
    assert list(elsewhere.iterdir()) == []
    r = desk.run("doctor")
    assert r.code == 1 and ".desk/cache: a symbolic link" in r.out


@pytest.mark.parametrize("where", ["ticket", "index"])
def test_a_fifo_is_reported_not_waited_on(desk, where):
    tid = desk.open("--title", "正常工单")
    if where == "ticket":
        fifo = desk.path_of(tid).parent / "INC-FIFO0001.yaml"
    else:
        desk.ok("list")
        fifo = desk.root / ".desk" / "cache" / "tickets.idx"
        fifo.unlink()
    os.mkfifo(fifo)
    for args in (["list"], ["doctor"], ["sla"], ["report"], ["show", tid]):
        r = desk.run(*args, timeout=20)
        assert r.code in (0, 1, 5), (args, r)
    r = desk.run("list", "--format", "json", timeout=20)
    assert [t["id"] for t in r.json()] == [tid]
    if where == "ticket":
        assert "FIFO" in r.err
        r = desk.run("doctor", timeout=20)
        assert r.code == 1 and "FIFO (named pipe), not a regular file" in r.out


def test_attachments_are_regular_files_with_utf8_names(desk, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    before = desk.snapshot()
    r = desk.fails(USAGE, "open", "--title", "附件", "--attach", fifo)
    assert "FIFO" in r.err and "not a regular file" in r.err
    bad = os.path.join(os.fsencode(tmp_path), b"bad\xff.txt")
    with open(bad, "wb") as f:
        f.write(b"x")
    r = desk.fails(USAGE, "open", "--title", "附件", "--attach", os.fsdecode(bad))
    assert "not UTF-8" in r.err and "bad\\xFF.txt" in r.err
    r = desk.fails(NOT_FOUND, "open", "--title", "附件", "--attach", tmp_path / "missing.txt")
    assert "no such file" in r.err
    assert desk.snapshot() == before
    tid = desk.open("--title", "附件", "--attach", "/proc/cpuinfo")
    stored = desk.path_of(tid).parent / f"{tid}.files" / "cpuinfo"
    assert stored.stat().st_size > 0
