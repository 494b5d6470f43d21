"""The knowledge base end to end.

Articles as kb/<ID>.yaml, their lifecycle (add, edit, validate by someone else, archive),
capture from a resolved ticket and at closure, reuse at resolve, search in Chinese and
English, suggestions at open and triage, and the static self-service site (checked in
headless Chromium when it is installed).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import BAD_DATA, GIT_ENV, INVALID_STATE, NOT_FOUND, USAGE, Desk, git

KB_ID_RE = re.compile(r"^KB-[0-9A-HJKMNP-TV-Z]{8}$")
NOW = "2026-11-27T17:30:00+08:00"
ARTICLE_ORDER = ["id", "title", "state", "audience", "category", "affected", "tags", "author", "reviewers",
                 "created", "updated", "reuse_count", "tickets", "symptoms", "error", "cause", "solution"]


# --- helpers -----------------------------------------------------------------------------------

def kb_add(desk, title, solution, *args, **kw):
    """`desk kb add -q ...`; returns the new id."""
    r = desk.ok("kb", "add", "-q", "--title", title, "--solution", solution, *args, **kw)
    kid = r.out.strip()
    assert KB_ID_RE.match(kid), r
    return kid


def kb_path(desk, kid):
    return desk.root / "kb" / f"{kid}.yaml"


def kb_load(desk, kid):
    return yaml.load(kb_path(desk, kid).read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def validated(desk, title, solution, *args):
    """An article written by alice and validated by bob."""
    kid = kb_add(desk, title, solution, *args)
    desk.ok("--as", "bob", "kb", "validate", kid)
    return kid


def printer_corpus(desk):
    """A small validated corpus in Chinese and English; returns the ids by short name."""
    ids = {}
    ids["printer_cn"] = validated(
        desk, "打印机脱机无法打印", "1. 打开“服务”\n2. 重启 Print Spooler 服务\n3. 重新打印",
        "--symptoms", "打印时提示“打印机脱机”，队列里的文档一直在等待。", "--category", "end-user-device",
        "--tag", "打印机", "--audience", "public")
    ids["vpn"] = validated(
        desk, "VPN 无法连接，错误 809", "在路由器上开启 IPsec 直通；或改用 SSL VPN。",
        "--symptoms", "在家连接公司 VPN 时提示错误 809。", "--error", "Error 809: The network connection could not be established",
        "--category", "network", "--tag", "vpn", "--audience", "public")
    ids["printer_en"] = validated(
        desk, "Printer offline after a Windows update", "Restart the Print Spooler service, then re-add the printer.",
        "--symptoms", "The printer shows as offline and documents stay in the queue.",
        "--category", "end-user-device", "--tag", "printer", "--audience", "public")
    ids["outlook"] = validated(
        desk, "Outlook 无法发送邮件", "检查 SMTP 认证设置，重建 Outlook 配置文件。",
        "--symptoms", "邮件一直停在发件箱里。", "--category", "application")
    return ids


def resolved_ticket(desk, title="四楼打印机脱机", **extra):
    """A ticket triaged and resolved (not yet confirmed)."""
    args = ["--title", title, "--description", "早上开始打印机一直显示脱机", "--error", "Printer offline",
            "--affected", "HP-4F", "--no-suggest"]
    tid = desk.open(*args)
    desk.ok("triage", tid, "--category", "end-user-device", "--no-suggest")
    desk.ok("resolve", tid, "--solution", "重启 Print Spooler 服务", "--cause", "Spooler 服务卡死",
            "--verified-by", "bob")
    return tid


# --- add / show --------------------------------------------------------------------------------

def test_add_writes_one_file_in_fixed_order_and_show_reads_it(desk):
    r = desk.ok("kb", "add", "--title", "打印机脱机无法打印", "--symptoms", "打印时提示“打印机脱机”。\n队列卡住。",
                "--error", "Printer offline: 0x00000709", "--cause", "Spooler: hung",
                "--solution", "1. 重启 Print Spooler\n2. 重新打印", "--category", "end-user-device",
                "--affected", "HP-4F", "--affected", "HP-5F", "--tag", "打印机,spooler", "--tag", "windows",
                "--audience", "public")
    m = re.match(r"^Added (KB-[0-9A-Z]{8}) \(draft\): 打印机脱机无法打印\n", r.out)
    assert m, r
    kid = m.group(1)
    assert f"desk kb validate {kid}" in r.out
    path = kb_path(desk, kid)
    assert path.exists()
    text = path.read_text(encoding="utf-8")
    a = yaml.load(text, Loader=yaml.BaseLoader)
    keys = list(a.keys())
    assert keys[-1] == "events"
    assert keys[:-1] == [k for k in ARTICLE_ORDER if k in keys]
    assert a["state"] == "draft"
    assert a["audience"] == "public"
    assert a["author"] == "alice"
    assert a["affected"] == ["HP-4F", "HP-5F"]
    assert a["tags"] == ["打印机", "spooler", "windows"]
    assert a["symptoms"] == "打印时提示“打印机脱机”。\n队列卡住。"
    assert a["cause"] == "Spooler: hung"
    assert a["created"] == NOW and a["updated"] == NOW
    assert len(a["events"]) == 1
    ev = a["events"][0]
    assert re.match(r"^E-[0-9A-Z]{8}$", ev["id"])
    assert (ev["at"], ev["by"], ev["action"], ev["set"]) == (NOW, "alice", "add", {"state": "draft"})

    # show: text, json, yaml (the file itself)
    out = desk.ok("kb", "show", kid).out
    assert out.startswith(f"{kid}  打印机脱机无法打印\n")
    for piece in ("state     draft", "audience  public", "HP-4F, HP-5F", "Symptoms:", "  队列卡住。", "Error text:",
                  "Solution:", "  2. 重新打印", "History:", "alice  add  state=draft"):
        assert piece in out, (piece, out)
    j = desk.ok("kb", "show", kid, "--format", "json").json()
    assert j["id"] == kid and j["title"] == "打印机脱机无法打印" and j["events"][0]["action"] == "add"
    assert desk.ok("kb", "show", kid, "--format", "yaml").out == text
    # any unique abbreviation, any case
    assert desk.ok("kb", "show", kid[3:8].lower(), "--format", "json").json()["id"] == kid


def test_add_reads_standard_input_and_refuses_missing_fields(desk):
    kid = kb_add(desk, "VPN 809", "-", input="在路由器上开启 IPsec 直通\n第二步\n")
    assert kb_load(desk, kid)["solution"] == "在路由器上开启 IPsec 直通\n第二步\n"
    before = desk.snapshot()
    r = desk.fails(USAGE, "kb", "add", "--title", "no solution")
    assert "solution" in r.err
    r = desk.fails(USAGE, "kb", "add", "--solution", "no title")
    assert "title" in r.err
    desk.fails(USAGE, "kb", "add", "--title", "two\nlines", "--solution", "x")
    r = desk.fails(USAGE, "kb", "add", "--title", "t", "--solution", "x", "--category", "plumbing")
    assert "network" in r.err  # names the configured categories
    desk.fails(USAGE, "kb", "add", "--title", "t", "--solution", "x", "--audience", "everyone")
    assert desk.snapshot() == before


def test_add_opens_the_editor_with_a_commented_template(desk, tmp_repo_dir):
    """Without --title/--solution on a terminal, $EDITOR gets a template."""
    pty = pytest.importorskip("pty")
    seen = tmp_repo_dir / "template-seen.txt"
    editor = tmp_repo_dir / "fake-editor.sh"
    editor.write_text(
        "#!/bin/sh\n"
        f"cp \"$1\" '{seen}'\n"
        "cat > \"$1\" <<'END'\n"
        "# a comment that goes away\n"
        "[title]\n"
        "打印机卡纸\n"
        "\n"
        "[symptoms]\n"
        "打印到一半停止，面板提示卡纸。\n"
        "[error]\n"
        "[cause]\n"
        "[solution]\n"
        "1. 打开后盖\n"
        "2. 取出纸张\n"
        "END\n", encoding="utf-8")
    editor.chmod(0o755)
    master, slave = pty.openpty()
    from conftest import DESK_BIN
    proc = subprocess.run([DESK_BIN, "kb", "add", "--category", "end-user-device"], cwd=desk.root,
                          stdin=slave, stdout=slave, stderr=subprocess.PIPE,
                          env=desk.env(EDITOR=str(editor), VISUAL=None), timeout=60)
    os.close(slave)
    output = b""
    try:
        while True:
            chunk = os.read(master, 4096)
            if not chunk:
                break
            output += chunk
    except OSError:
        pass
    os.close(master)
    assert proc.returncode == 0, (proc.stderr, output)
    template = seen.read_text(encoding="utf-8")
    assert template.startswith("# Knowledge-base article.")
    for section in ("[title]", "[symptoms]", "[error]", "[cause]", "[solution]"):
        assert section in template
    files = list((desk.root / "kb").glob("KB-*.yaml"))
    assert len(files) == 1
    a = yaml.load(files[0].read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert a["title"] == "打印机卡纸"
    assert a["symptoms"] == "打印到一半停止，面板提示卡纸。"
    assert a["solution"] == "1. 打开后盖\n2. 取出纸张"
    assert "error" not in a and "cause" not in a
    assert a["category"] == "end-user-device"
    assert b"Added KB-" in output


# --- list --------------------------------------------------------------------------------------

def test_list_filters_and_formats(desk):
    a = validated(desk, "VPN 809", "IPsec", "--category", "network", "--tag", "vpn", "--audience", "public")
    b = kb_add(desk, "Outlook, \"send\" fails", "SMTP auth", "--category", "application", "--tag", "mail")
    c = validated(desk, "Old fax", "Unplug it", "--category", "end-user-device")
    desk.ok("kb", "archive", c, "-m", "no more fax machines")

    out = desk.ok("kb", "list").out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "STATE", "AUDIENCE", "CATEGORY", "REUSE", "UPDATED", "TITLE"]
    assert a in out and b in out and c not in out
    assert c in desk.ok("kb", "list", "--all").out
    assert [x["id"] for x in desk.ok("kb", "list", "--state", "archived", "--format", "json").json()] == [c]
    assert [x["id"] for x in desk.ok("kb", "list", "--state", "draft,validated", "--category", "network",
                                     "--format", "json").json()] == [a]
    assert [x["id"] for x in desk.ok("kb", "list", "--audience", "public", "--format", "json").json()] == [a]
    assert [x["id"] for x in desk.ok("kb", "list", "--tag", "mail", "--format", "json").json()] == [b]
    j = desk.ok("kb", "list", "--format", "json").json()
    assert {x["id"] for x in j} == {a, b}
    assert all("events" not in x for x in j)
    csv = desk.ok("kb", "list", "--format", "csv").out
    # (CRLF line ends; Python's text mode reads them as \n)
    assert csv.startswith("id,state,audience,category,reuse_count,updated,title,tags\n")
    assert f'{b},draft,internal,application,0,{NOW},"Outlook, ""send"" fails",mail\n' in csv
    assert desk.ok("kb", "list", "--state", "archived", "--category", "network").out == "No articles match.\n"
    desk.fails(USAGE, "kb", "list", "--state", "published")
    desk.fails(USAGE, "kb", "list", "--format", "xml")


# --- edit / validate / archive -----------------------------------------------------------------

def test_validate_is_refused_for_the_author_and_recorded_for_a_reviewer(desk):
    kid = kb_add(desk, "VPN 809", "IPsec")
    before = desk.snapshot()
    r = desk.fails(INVALID_STATE, "kb", "validate", kid)
    assert "alice" in r.err and "wrote it" in r.err
    assert desk.snapshot() == before
    desk.now = "2026-11-28T09:00:00+08:00"
    r = desk.ok("--as", "bob", "kb", "validate", kid, "-m", "tried it: works")
    assert r.out == f"{kid}: validated by bob\n"
    a = kb_load(desk, kid)
    assert a["state"] == "validated"
    assert a["reviewers"] == ["bob"]
    assert a["updated"] == "2026-11-28T09:00:00+08:00"
    ev = a["events"][-1]
    assert (ev["by"], ev["action"], ev["set"], ev["note"]) == (
        "bob", "validate", {"state": "validated", "reviewers": ["bob"]}, "tried it: works")
    # again: already validated
    desk.fails(INVALID_STATE, "--as", "carol", "kb", "validate", kid)
    desk.fails(NOT_FOUND, "--as", "bob", "kb", "validate", "KB-ZZZZZZZZ")


def test_edit_changes_fields_and_a_text_change_needs_a_new_review(desk):
    kid = validated(desk, "VPN 809", "IPsec", "--tag", "vpn")
    r = desk.ok("kb", "edit", kid, "--tag", "vpn,remote", "--category", "network", "--audience", "public")
    assert r.out == f"{kid}: edited audience, category, tags\n"
    a = kb_load(desk, kid)
    assert (a["state"], a["tags"], a["category"], a["audience"]) == ("validated", ["vpn", "remote"], "network", "public")
    r = desk.ok("kb", "edit", kid, "--solution", "Enable IPsec passthrough on the router", "-m", "clearer")
    assert "back to draft" in r.out
    a = kb_load(desk, kid)
    assert a["state"] == "draft"
    ev = a["events"][-1]
    assert ev["action"] == "edit" and ev["note"] == "clearer"
    assert ev["set"] == {"solution": "Enable IPsec passthrough on the router", "state": "draft"}
    # the same value again changes nothing
    before = desk.snapshot()
    assert desk.ok("kb", "edit", kid, "--category", "network").out == f"{kid}: nothing to change\n"
    assert desk.snapshot() == before
    desk.fails(USAGE, "kb", "edit", kid)  # no field and no terminal
    desk.fails(USAGE, "kb", "edit", kid, "--title", "")
    desk.fails(USAGE, "kb", "edit", kid, "--solution", " ")
    desk.fails(NOT_FOUND, "kb", "edit", "KB-ZZZZZZZZ", "--title", "x")
    assert desk.snapshot() == before


def test_archive_retires_an_article(desk):
    kid = validated(desk, "Old fax", "Unplug it")
    r = desk.ok("kb", "archive", kid, "-m", "no more fax")
    assert r.out == f"{kid}: archived\n"
    assert kb_load(desk, kid)["state"] == "archived"
    before = desk.snapshot()
    desk.fails(INVALID_STATE, "kb", "archive", kid)
    desk.fails(INVALID_STATE, "kb", "edit", kid, "--title", "new")
    assert desk.snapshot() == before
    # archived articles are not searched by default
    assert desk.ok("kb", "search", "fax").out.startswith("No articles match")
    assert [x["id"] for x in desk.ok("kb", "search", "fax", "--state", "archived", "--format", "json").json()] == [kid]


# --- search ------------------------------------------------------------------------------------

def test_search_in_chinese_english_and_full_width(desk):
    ids = printer_corpus(desk)
    j = desk.ok("kb", "search", "打印机", "--format", "json").json()
    assert j[0]["id"] == ids["printer_cn"]
    assert "打印机" in j[0]["snippet"]
    assert {"id", "title", "state", "audience", "category", "tags", "reuse_count", "score", "field", "snippet"} <= set(j[0])
    j = desk.ok("kb", "search", "printer offline", "--format", "json").json()
    assert j[0]["id"] == ids["printer_en"]
    j = desk.ok("kb", "search", "ＶＰＮ　８０９", "--format", "json").json()  # full-width
    assert j[0]["id"] == ids["vpn"]
    j = desk.ok("kb", "search", "error 809", "--format", "json").json()
    assert j[0]["id"] == ids["vpn"] and j[0]["field"] == "error"
    j = desk.ok("kb", "search", "邮件发不出去", "--format", "json").json()
    assert j[0]["id"] == ids["outlook"]
    # Print Spooler: both printer articles, the English one first (shorter, in its symptoms' words)
    j = desk.ok("kb", "search", "print spooler", "--format", "json").json()
    assert {x["id"] for x in j} == {ids["printer_cn"], ids["printer_en"]}

    # The table: id, state, title, then the matching text.
    out = desk.ok("kb", "search", "脱机").out
    first, second = out.splitlines()[:2]
    assert first.startswith(ids["printer_cn"]) and "打印机脱机无法打印" in first and "[end-user-device]" in first
    assert "脱机" in second
    # filters and limit
    j = desk.ok("kb", "search", "打印机 printer", "--category", "end-user-device", "--limit", "1", "--format", "json").json()
    assert len(j) == 1
    assert desk.ok("kb", "search", "打印机", "--category", "network", "--format", "json").json() == []
    assert desk.ok("kb", "search", "打印机", "--state", "draft", "--format", "json").json() == []
    assert [x["id"] for x in desk.ok("kb", "search", "outlook", "--audience", "internal", "--format", "json").json()] == [ids["outlook"]]
    assert desk.ok("kb", "search", "nothing-like-this").out == "No articles match 'nothing-like-this'.\n"
    # the index is derived data under .desk/cache and follows every change
    assert (desk.root / ".desk" / "cache" / "kb-index").exists()
    desk.ok("kb", "edit", ids["outlook"], "--title", "Outlook 无法发送邮件 (SMTP)")
    assert desk.ok("kb", "search", "smtp", "--state", "draft", "--format", "json").json()[0]["id"] == ids["outlook"]
    (desk.root / ".desk" / "cache" / "kb-index").write_bytes(b"garbage")
    assert desk.ok("kb", "search", "打印机", "--format", "json").json()[0]["id"] == ids["printer_cn"]


def test_an_article_edited_in_place_behind_desks_back_is_found(desk):
    # The index was built long after every file changed (not "racy"); then one article is
    # rewritten in place — same name, same folder entry, so the folder's mtime is the
    # build's — and only a stat of each article can see it. The new word must be found.
    import os, time
    ids = printer_corpus(desk)
    kb_dir = desk.root / "kb"
    old = time.time() - 3600
    for f in kb_dir.iterdir():
        os.utime(f, (old, old))
    os.utime(kb_dir, (old, old))
    assert desk.ok("kb", "search", "zebrafish", "--format", "json").json() == []
    dir_times = (kb_dir.stat().st_atime, kb_dir.stat().st_mtime)
    path = kb_path(desk, ids["vpn"])
    text = path.read_text()
    with open(path, "r+", encoding="utf-8") as f:  # in place: the same inode
        f.write(text.replace("title: ", "title: zebrafish ", 1))
    os.utime(kb_dir, dir_times)
    j = desk.ok("kb", "search", "zebrafish", "--format", "json").json()
    assert [x["id"] for x in j] == [ids["vpn"]]


def test_bad_queries_are_refused_without_changes(desk):
    printer_corpus(desk)
    before = desk.snapshot()
    for query in ["", "   ", "？！。，,,...", "———"]:
        r = desk.fails(USAGE, "kb", "search", query)
        assert "query" in r.err, (query, r)
    r = desk.fails(USAGE, "kb", "search", "字" * 10001)
    assert "too long" in r.err
    assert desk.ok("kb", "search", "打" * 10000, "--format", "json").code == 0
    desk.fails(USAGE, "kb", "search", "x", "--limit", "0")
    desk.fails(USAGE, "kb", "search", "x", "--state", "published")
    assert desk.snapshot() == before


def test_broken_article_files_are_named_with_their_path(desk):
    good = validated(desk, "VPN 809", "IPsec")
    kb_dir = desk.root / "kb"
    (kb_dir / "KB-BADYAM99.yaml").write_text("id: KB-BADYAM99\ntitle: [unclosed\n", encoding="utf-8")
    (kb_dir / "KB-N0T1T1E9.yaml").write_text(
        "id: KB-N0T1T1E9\nstate: draft\ncreated: 2026-11-27T17:30:00+08:00\nevents: []\n", encoding="utf-8")
    before = desk.snapshot()
    r = desk.fails(BAD_DATA, "kb", "show", "KB-BADYAM99")
    assert "kb/KB-BADYAM99.yaml:" in r.err
    r = desk.fails(BAD_DATA, "kb", "show", "KB-N0T1T1E9")
    assert re.search(r"kb/KB-N0T1T1E9\.yaml:\d+:\d+: the article has no 'title'", r.err), r
    desk.fails(BAD_DATA, "--as", "bob", "kb", "validate", "KB-N0T1T1E9")
    desk.fails(BAD_DATA, "kb", "edit", "KB-BADYAM99", "--title", "x")
    # listing and searching go on and say what they skipped
    r = desk.ok("kb", "list")
    assert good in r.out
    assert "kb/KB-BADYAM99.yaml" in r.err and "kb/KB-N0T1T1E9.yaml" in r.err
    r = desk.ok("kb", "search", "vpn")
    assert good in r.out and "kb/KB-N0T1T1E9.yaml" in r.err
    # resolve --kb with a broken article changes nothing
    tid = desk.open("--title", "vpn", "--no-suggest")
    before = desk.snapshot()
    desk.fails(BAD_DATA, "resolve", tid, "--solution", "x", "--verified-by", "bob", "--kb", "KB-N0T1T1E9")
    assert desk.snapshot() == before


# --- suggestions at intake and triage ----------------------------------------------------------

def test_open_and_triage_suggest_validated_articles(desk):
    ids = printer_corpus(desk)
    draft = kb_add(desk, "打印机脱机（草稿）", "draft only")
    r = desk.ok("open", "--title", "四楼打印机脱机", "--description", "打印队列卡住了", "--error", "Printer offline")
    tid = re.search(r"(INC-[0-9A-Z]{8})", r.out).group(1)
    assert "Suggested knowledge-base articles:" in r.out
    block = r.out.split("Suggested knowledge-base articles:\n", 1)[1]
    lines = [ln for ln in block.splitlines() if ln.startswith("  KB-")]
    assert 1 <= len(lines) <= 3
    assert lines[0].startswith(f"  {ids['printer_cn']}  打印机脱机无法打印")
    assert draft not in r.out
    assert f"desk resolve {tid} --kb KB-ID" in r.out

    r = desk.ok("open", "--title", "四楼打印机脱机", "--no-suggest")
    assert "Suggested" not in r.out
    j = desk.ok("open", "--title", "Printer offline", "--format", "json").json()
    assert j["suggestions"][0]["id"] == ids["printer_en"]
    assert len(j["suggestions"]) <= 3
    assert "suggestions" not in desk.ok("open", "--title", "Printer offline", "--format", "json", "--no-suggest").json()
    # nothing relevant: no block at all
    r = desk.ok("open", "--title", "新员工需要一个工位")
    assert "Suggested" not in r.out
    # -q prints only the id
    assert KB_ID_RE.match(desk.ok("open", "-q", "--title", "VPN 809").out.strip()) is None

    # triage shows them after its line
    tid = desk.open("--title", "VPN 连不上", "--error", "Error 809", "--no-suggest")
    r = desk.ok("triage", tid, "--category", "network")
    assert r.out.startswith(f"{tid}: triaged: incident network, priority P4\n")
    assert f"  {ids['vpn']}  VPN 无法连接，错误 809" in r.out
    tid2 = desk.open("--title", "VPN 连不上", "--no-suggest")
    assert desk.ok("triage", tid2, "--category", "network", "--no-suggest").out == \
        f"{tid2}: triaged: incident network, priority P4\n"


def test_no_knowledge_base_no_suggestions(desk):
    r = desk.ok("open", "--title", "打印机脱机")
    assert "Suggested" not in r.out
    assert "suggestions" not in desk.ok("open", "--title", "x", "--format", "json").json()
    assert not (desk.root / ".desk" / "cache" / "kb-index").exists()


# --- capture, close --kb, resolve --kb ---------------------------------------------------------

def test_capture_writes_a_draft_from_a_resolved_ticket_and_links_both_ways(desk):
    tid = resolved_ticket(desk)
    desk.now = "2026-11-27T18:00:00+08:00"
    r = desk.ok("kb", "capture", tid[4:], "--tag", "打印机", "--audience", "public", "-m", "worth keeping")
    m = re.match(rf"^Captured (KB-[0-9A-Z]{{8}}) \(draft\) from {tid}: 四楼打印机脱机\n$", r.out)
    assert m, r
    kid = m.group(1)
    a = kb_load(desk, kid)
    assert a["state"] == "draft" and a["audience"] == "public" and a["tags"] == ["打印机"]
    assert a["title"] == "四楼打印机脱机"
    assert a["symptoms"] == "早上开始打印机一直显示脱机"
    assert a["error"] == "Printer offline"
    assert a["cause"] == "Spooler 服务卡死"
    assert a["solution"] == "重启 Print Spooler 服务"
    assert a["category"] == "end-user-device"
    assert a["affected"] == ["HP-4F"]
    assert a["tickets"] == [tid]
    ev = a["events"][-1]
    assert (ev["action"], ev["ticket"], ev["note"]) == ("capture", tid, "worth keeping")
    t = desk.load(tid)
    assert t["kb"] == [kid]
    assert t["status"] == "resolved"
    ev = t["events"][-1]
    assert (ev["action"], ev["set"], ev["by"]) == ("kb", {"kb": [kid]}, "alice")
    assert desk.show(tid)["kb"] == [kid]


def test_capture_from_an_unresolved_ticket_is_refused(desk):
    tid = desk.open("--title", "打印机脱机", "--no-suggest")
    before = desk.snapshot()
    r = desk.fails(INVALID_STATE, "kb", "capture", tid)
    assert "not resolved" in r.err
    assert desk.snapshot() == before
    desk.fails(NOT_FOUND, "kb", "capture", "INC-ZZZZZZZZ")
    assert not (desk.root / "kb").exists() or not list((desk.root / "kb").iterdir())


def test_close_with_kb_captures_a_draft_at_closure(desk):
    tid = resolved_ticket(desk)
    # not confirmed yet: close is refused and nothing is written
    before = desk.snapshot()
    desk.fails(INVALID_STATE, "close", tid, "--kb")
    assert desk.snapshot() == before
    desk.fails(USAGE, "close", "--stale", "--kb")
    desk.ok("confirm", tid, "--rating", "5")
    r = desk.ok("close", tid, "--kb", "-m", "done")
    m = re.match(rf"^{tid}: closed; draft knowledge-base article (KB-[0-9A-Z]{{8}}) captured\n$", r.out)
    assert m, r
    kid = m.group(1)
    t = desk.load(tid)
    assert t["status"] == "closed" and t["kb"] == [kid]
    assert [e["action"] for e in t["events"]][-2:] == ["kb", "close"]
    a = kb_load(desk, kid)
    assert a["state"] == "draft" and a["tickets"] == [tid]
    assert a["events"][-1]["note"] == "captured at closure"
    # and it can be captured again later from the closed ticket
    assert KB_ID_RE.match(desk.ok("kb", "capture", tid, "-q").out.strip())


def test_resolve_with_kb_counts_the_reuse(desk):
    kid = validated(desk, "打印机脱机无法打印", "重启 Print Spooler 服务")
    t1 = desk.open("--title", "打印机脱机", "--no-suggest")
    t2 = desk.open("--title", "打印机又脱机了", "--no-suggest")
    desk.ok("resolve", t1, "--solution", "按知识库重启 spooler", "--verified-by", "bob", "--kb", kid[3:9].lower())
    assert desk.load(t1)["kb"] == [kid]
    a = kb_load(desk, kid)
    assert a["reuse_count"] == "1"
    assert a["tickets"] == [t1]
    ev = a["events"][-1]
    assert (ev["action"], ev["ticket"], ev["set"]) == ("reuse", t1, {"reuse_count": "1", "tickets": [t1]})
    desk.ok("resolve", t2, "--solution", "同上", "--verified-by", "bob", "--kb", kid)
    a = kb_load(desk, kid)
    assert a["reuse_count"] == "2" and a["tickets"] == [t1, t2]
    assert "2 tickets solved" in desk.ok("kb", "show", kid).out
    assert desk.ok("kb", "list", "--format", "json").json()[0]["reuse_count"] == 2
    # an unknown article: not found, nothing written
    t3 = desk.open("--title", "x", "--no-suggest")
    before = desk.snapshot()
    r = desk.fails(NOT_FOUND, "resolve", t3, "--solution", "x", "--verified-by", "bob", "--kb", "KB-ZZZZZZZZ")
    assert "KB-ZZZZZZZZ" in r.err
    desk.fails(USAGE, "resolve", t3, "--solution", "x", "--verified-by", "bob", "--kb", "../tickets")
    assert desk.snapshot() == before


# --- the self-service site ---------------------------------------------------------------------

def export_site(desk, tmp_repo_dir):
    ids = printer_corpus(desk)
    evil = validated(desk, "<script>alert('x')</script> & \"quotes\"", "<b>not bold</b>", "--audience", "public",
                     "--symptoms", "</pre><img src=x onerror=alert(1)>")
    internal = validated(desk, "Internal printer notes", "internal only")
    draft = kb_add(desk, "Draft printer article", "not yet", "--audience", "public")
    site = tmp_repo_dir / "site"
    r = desk.ok("kb", "export", "--html", site)
    assert r.out.startswith("Exported 4 articles in 3 categories to ")
    return site, ids, evil, internal, draft


def test_export_writes_a_static_site_of_public_validated_articles(desk, tmp_repo_dir):
    site, ids, evil, internal, draft = export_site(desk, tmp_repo_dir)
    names = {p.name for p in site.iterdir()}
    assert {"index.html", "search.html", "search.js", "search-index.js", "style.css"} <= names
    assert f"{ids['printer_cn']}.html" in names and f"{ids['vpn']}.html" in names
    assert f"{ids['outlook']}.html" not in names  # internal
    assert f"{internal}.html" not in names and f"{draft}.html" not in names
    index = (site / "index.html").read_text(encoding="utf-8")
    for cat in ("end-user-device", "network", "general"):
        assert f">{cat}</h2>" in index
    page = (site / f"{evil}.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>not bold" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    for f in site.iterdir():
        text = f.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, f  # no network, no external scripts
        assert "<script src=\"http" not in text
    js = (site / "search-index.js").read_text(encoding="utf-8")
    assert js.startswith("window.DESK_KB_INDEX = ") and "<" not in js
    data = json.loads(js[len("window.DESK_KB_INDEX = "):].rstrip().rstrip(";"))
    assert {d["id"] for d in data["docs"]} == {ids["printer_cn"], ids["vpn"], ids["printer_en"], evil}
    assert any(t == "打印" for t, _ in data["terms"])
    # a second export updates the folder; an archived article's page goes away
    desk.ok("kb", "archive", ids["vpn"])
    desk.ok("kb", "export", "--html", site)
    assert not (site / f"{ids['vpn']}.html").exists()
    # a folder with other files is refused
    other = tmp_repo_dir / "other"
    other.mkdir()
    (other / "mine.txt").write_text("keep", encoding="utf-8")
    desk.fails(USAGE, "kb", "export", "--html", other)
    assert [p.name for p in other.iterdir()] == ["mine.txt"]
    desk.fails(USAGE, "kb", "export")


def chromium_binary():
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(url, tmp):
    """The DOM of `url` after its scripts ran, with the browser's log."""
    profile = tempfile.mkdtemp(prefix="desk-chromium-", dir=tmp)
    proc = subprocess.run(
        [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0",
         f"--user-data-dir={profile}", "--dump-dom", url],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


def result_ids(dom):
    m = re.search(r'<ol id="results"[^>]*>(.*?)</ol>', dom, re.S)
    assert m, dom[-3000:]
    return re.findall(r'<li class="hit" data-id="(KB-[0-9A-Z]+)"', m.group(1))


@pytest.mark.skipif(chromium_binary() is None, reason="chromium is not installed (apt-get install chromium)")
def test_exported_site_searches_in_headless_chromium(desk, tmp_repo_dir):
    site, ids, evil, internal, draft = export_site(desk, tmp_repo_dir)
    from urllib.parse import quote

    dom, log = dump_dom(f"file://{site}/search.html?q={quote('打印机')}", tmp_repo_dir)
    assert 'data-ready="1"' in dom, log[-2000:]  # the page's script ran to the end
    assert "Uncaught" not in log, log[-2000:]
    found = result_ids(dom)
    assert found[0] == ids["printer_cn"], found
    assert internal not in found and draft not in found
    assert "<mark>打印机</mark>" in dom or "<mark>打印</mark>" in dom
    assert 'value="打印机"' in dom or "打印机" in dom

    dom, log = dump_dom(f"file://{site}/search.html?q={quote('printer offline')}", tmp_repo_dir)
    assert result_ids(dom)[0] == ids["printer_en"]
    dom, log = dump_dom(f"file://{site}/search.html?q={quote('ＶＰＮ')}", tmp_repo_dir)
    assert result_ids(dom) == [ids["vpn"]]
    dom, log = dump_dom(f"file://{site}/search.html?q={quote('nothing-like-this')}", tmp_repo_dir)
    assert result_ids(dom) == [] and "No article matches" in dom
    # the escaped article stays text in the results, never markup
    dom, log = dump_dom(f"file://{site}/search.html?q=quotes", tmp_repo_dir)
    assert result_ids(dom) == [evil]
    assert "<script>alert" not in dom
    # the index and an article page load without script errors
    dom, log = dump_dom(f"file://{site}/index.html", tmp_repo_dir)
    assert "打印机脱机无法打印" in dom and "Uncaught" not in log


def test_kb_help_lists_every_subcommand(desk):
    out = desk.ok("kb", "--help").out
    for sub in ("add", "show", "list", "edit", "validate", "archive", "capture", "search", "export"):
        assert re.search(rf"^\s+{sub}\b", out, re.M), sub
    desk.fails(USAGE, "kb")


def test_kb_changes_are_committed_when_autocommit_is_on(desk, tmp_repo_dir):
    """In a git work tree (desk init turns autocommit on) every kb change is its own commit."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_repo_dir / "gitrepo"
    root.mkdir()
    git(root, "init", "-q")
    d = Desk(root)
    d.extra_env = dict(GIT_ENV)
    assert "autocommit on" in d.ok("init", str(root), "--timezone", "Asia/Shanghai", cwd=tmp_repo_dir).out
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    kid = kb_add(d, "VPN 809", "IPsec")
    d.ok("--as", "bob", "kb", "validate", kid)
    tid = d.open("--title", "VPN 809 again", "--no-suggest")
    d.ok("resolve", tid, "--solution", "see the article", "--verified-by", "bob", "--kb", kid)
    assert git(root, "status", "--porcelain", "--", "kb", "tickets") == ""
    log = git(root, "log", "--format=%s")
    assert f"{kid}: add VPN 809" in log
    assert f"{kid}: validated by bob" in log
    # The ticket and the article it used change in one commit.
    assert log.splitlines()[0].startswith(f"{tid}: resolved with {kid}, verified by bob")
    shown = git(root, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(shown) == sorted([f"kb/{kid}.yaml", str(d.path_of(tid).relative_to(root))])


def test_doctor_checks_articles(desk):
    kid = kb_add(desk, "打印机脱机", "重新添加打印机")
    desk.open("--title", "x")
    r = desk.ok("doctor")
    assert "ok: config and 1 ticket(s) and 1 article(s) checked" in r.out
    path = kb_path(desk, kid)
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title:", "title: [unclosed\nx:", 1), encoding="utf-8")
    r = desk.run("doctor")
    assert r.code == 1, r
    assert re.search(re.escape(str(path)) + r":\d+:\d+: ", r.out), r.out
    assert "1 problem(s) in 1 ticket(s) and 1 article(s) checked" in r.out
    # A copy under another name: the id inside does not match the file name.
    path.write_text(good, encoding="utf-8")
    (path.parent / "KB-ZZZZZZZZ.yaml").write_text(good, encoding="utf-8")
    r = desk.run("doctor")
    assert r.code == 1 and "KB-ZZZZZZZZ.yaml" in r.out, r.out
