"""Git-native teams — autocommit, the merge driver, sync, concurrency and crashes."""
import random
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from conftest import DESK_BIN, GIT_ENV, SOURCE_DIR, Desk, git, git_run


def make_origin(tmp_path):
    """A bare origin holding an initialised desk repository; returns (origin, clone A Desk)."""
    (tmp_path / ".gitconfig-test").write_text("[init]\n\tdefaultBranch = main\n")
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    a_root = tmp_path / "a"
    git(tmp_path, "clone", "-q", str(origin), str(a_root))
    a = Desk(a_root)
    a.extra_env = {**GIT_ENV, "GIT_CONFIG_GLOBAL": str(tmp_path / ".gitconfig-test")}
    r = a.run("init", str(a_root), "--timezone", "Asia/Shanghai", cwd=tmp_path)
    assert r.code == 0, r
    assert "autocommit on" in r.out
    git(a_root, "add", "-A")
    git(a_root, "commit", "-q", "-m", "desk init")
    git(a_root, "push", "-q", "-u", "origin", "main")
    return origin, a


def clone(tmp_path, origin, name, user):
    root = tmp_path / name
    git(tmp_path, "clone", "-q", str(origin), str(root))
    d = Desk(root)
    d.user = user
    d.extra_env = {**GIT_ENV, "GIT_CONFIG_GLOBAL": str(tmp_path / ".gitconfig-test")}
    d.ok("init", "--git-hooks")
    return d


def head_files(root):
    return git(root, "show", "--name-only", "--format=", "HEAD").splitlines()


def test_init_in_git_turns_on_autocommit_and_registers_driver(tmp_path):
    origin, a = make_origin(tmp_path)
    cfg = yaml.safe_load((a.root / ".desk/config.yaml").read_text())
    assert cfg["git"]["autocommit"] is True
    assert "merge-driver %O %A %B %P" in git(a.root, "config", "merge.desk.driver")
    assert "tickets/** merge=desk" in (a.root / ".gitattributes").read_text()


def test_each_command_commits_exactly_its_files(tmp_path):
    origin, a = make_origin(tmp_path)
    # The user has unrelated work staged and unstaged: desk must not commit it.
    (a.root / "notes.txt").write_text("draft\n")
    git(a.root, "add", "notes.txt")
    (a.root / "other.txt").write_text("unstaged\n")
    before = git(a.root, "rev-parse", "HEAD")
    tid = a.open("--title", "打印机卡纸", "--as", "王伟")
    assert git(a.root, "rev-parse", "HEAD^") == before
    files = head_files(a.root)
    assert files == [str(a.path_of(tid).relative_to(a.root))]
    assert git(a.root, "log", "-1", "--format=%an") == "王伟"
    assert git(a.root, "log", "-1", "--format=%s").startswith(f"{tid}: open P4 incident")
    # notes.txt is still staged, other.txt still untracked, the ticket is clean.
    status = git(a.root, "status", "--porcelain")
    assert "A  notes.txt" in status and "?? other.txt" in status
    assert "tickets/" not in status
    a.ok("triage", tid, "--category", "end-user-device")
    assert git(a.root, "log", "-1", "--format=%s") == f"{tid}: triaged: incident end-user-device, priority P4"
    assert head_files(a.root) == [str(a.path_of(tid).relative_to(a.root))]
    assert int(git(a.root, "rev-list", "--count", "HEAD")) == 3


def test_stale_close_is_one_commit(tmp_path):
    origin, a = make_origin(tmp_path)
    ids = []
    for i in range(3):
        t = a.open("--title", f"t{i}")
        a.ok("triage", t, "--category", "network")
        a.ok("resolve", t, "--solution", "fixed", "--verified-by", "bob")
        ids.append(t)
    count = int(git(a.root, "rev-list", "--count", "HEAD"))
    a.now = "2026-12-09T10:00:00+08:00"
    r = a.ok("close", "--stale")
    assert "3 ticket(s) closed" in r.out
    assert int(git(a.root, "rev-list", "--count", "HEAD")) == count + 1
    assert sorted(head_files(a.root)) == sorted(str(a.path_of(t).relative_to(a.root)) for t in ids)


def setup_pair(tmp_path):
    origin, a = make_origin(tmp_path)
    b = clone(tmp_path, origin, "b", "bob")
    return origin, a, b


def merged_both_ways(tmp_path, a, b, tid):
    """Merge B's branch into A and A's into B (without pushing); return both files' bytes."""
    git(a.root, "fetch", "-q", str(b.root), "main:refs/remotes/b/main")
    git(b.root, "fetch", "-q", str(a.root), "main:refs/remotes/a/main")
    git(a.root, "merge", "-q", "--no-edit", "b/main")
    git(b.root, "merge", "-q", "--no-edit", "a/main")
    fa = a.path_of(tid).read_bytes()
    fb = b.path_of(tid).read_bytes()
    return fa, fb


def open_shared(a, b):
    tid = a.open("--title", "VPN 无法连接", "--impact", "department", "--urgency", "high")
    a.ok("triage", tid, "--category", "network")
    git(a.root, "push", "-q")
    git(b.root, "pull", "-q", "--no-rebase")
    return tid


def assert_valid(d, tid):
    r = d.run("doctor")
    assert r.code == 0, r
    text = d.path_of(tid).read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text


def test_merge_assign_vs_log(tmp_path):
    origin, a, b = setup_pair(tmp_path)
    tid = open_shared(a, b)
    a.now = "2026-11-27T17:40:00+08:00"
    a.ok("assign", tid, "--to", "alice")
    b.now = "2026-11-27T17:45:00+08:00"
    b.ok("log", tid, "-m", "用户在家网络正常", "--minutes", "5")
    fa, fb = merged_both_ways(tmp_path, a, b, tid)
    assert fa == fb
    t = yaml.load(fa.decode(), Loader=yaml.BaseLoader)
    actions = [e["action"] for e in t["events"]]
    assert actions == ["open", "triage", "assign", "log"]
    assert t["assignee"] == "alice" and t["status"] == "assigned"
    assert not any(e["action"] == "merge" for e in t["events"])
    assert_valid(a, tid)
    assert_valid(b, tid)


def test_merge_both_edit_title(tmp_path):
    origin, a, b = setup_pair(tmp_path)
    tid = open_shared(a, b)
    a.now = "2026-11-27T18:00:00+08:00"
    a.ok("edit", tid, "--title", "VPN 无法连接（财务部）")
    b.now = "2026-11-27T18:05:00+08:00"
    b.ok("edit", tid, "--title", "VPN error 809 for finance")
    fa, fb = merged_both_ways(tmp_path, a, b, tid)
    assert fa == fb
    t = yaml.load(fa.decode(), Loader=yaml.BaseLoader)
    assert t["title"] == "VPN error 809 for finance"
    merge = t["events"][-1]
    assert merge["action"] == "merge"
    assert "VPN 无法连接（财务部）" in merge["note"] and "VPN error 809 for finance" in merge["note"]
    assert_valid(b, tid)


def test_merge_escalate_vs_pending_records_conflict(tmp_path):
    origin, a, b = setup_pair(tmp_path)
    tid = open_shared(a, b)
    for d in (a, b):
        d.ok("assign", tid, "--to", "alice")
    # Both clones assigned at the same instant with different event ids: a real conflict on
    # nothing but the events, which the union keeps.
    a.now = "2026-11-27T17:40:00+08:00"
    a.ok("escalate", tid, "--tier", "2", "--to", "carol", "--reason", "需要二线处理")
    b.now = "2026-11-27T17:45:00+08:00"
    b.ok("pending", tid, "--reason", "awaiting-user", "-m", "等用户回复")
    fa, fb = merged_both_ways(tmp_path, a, b, tid)
    assert fa == fb
    t = yaml.load(fa.decode(), Loader=yaml.BaseLoader)
    actions = [e["action"] for e in t["events"]]
    assert actions[:2] == ["open", "triage"]
    assert actions.count("assign") == 2 and "escalate" in actions and "pending" in actions
    assert actions[-1] == "merge"
    # The later step (pending, 17:45) wins the status; escalation's one-sided fields stay.
    assert t["status"] == "pending" and t["pending_reason"] == "awaiting-user"
    assert t["tier"] == "2" and t["assignee"] == "carol"
    merge = t["events"][-1]
    assert merge["by"] == "desk-merge" and merge["set"]["status"] == "pending"
    assert "status" in merge["note"] and "pending" in merge["note"]
    assert len({e["id"] for e in t["events"]}) == len(t["events"])
    assert_valid(a, tid)
    assert_valid(b, tid)
    # The merged ticket goes on working: resume and resolve from either clone.
    a.now = "2026-11-27T18:00:00+08:00"
    a.ok("resume", tid)


def test_sync_refused_leaves_clone_intact(tmp_path):
    origin, a, b = setup_pair(tmp_path)
    tid = open_shared(a, b)
    b.ok("log", tid, "-m", "本地记录")
    head = git(b.root, "rev-parse", "HEAD")
    before = {p: p.read_bytes() for p in (b.root / "tickets").rglob("*.yaml")}
    # The network (here: the remote's address) fails: nothing changes.
    url = git(b.root, "remote", "get-url", "origin")
    git(b.root, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    r = b.fails(7, "sync")
    assert "fetching from 'origin' failed" in r.err and "nothing was changed" in r.err
    assert git(b.root, "rev-parse", "HEAD") == head
    assert {p: p.read_bytes() for p in (b.root / "tickets").rglob("*.yaml")} == before
    # The remote refuses the push (a hook says no): the local commits stay, files unchanged.
    git(b.root, "remote", "set-url", "origin", url)
    hook = origin / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are frozen for the audit' >&2\nexit 1\n")
    hook.chmod(0o755)
    r = b.fails(7, "sync")
    assert "push was refused" in r.err and "safe locally" in r.err
    assert git(b.root, "rev-parse", "HEAD") == head
    assert {p: p.read_bytes() for p in (b.root / "tickets").rglob("*.yaml")} == before
    assert git(b.root, "status", "--porcelain") == ""
    # Once the remote accepts again, the same sync goes through.
    hook.unlink()
    r = b.ok("sync")
    assert "pushed" in r.out
    assert git(origin, "rev-parse", "main") == head


def test_sync_reports_what_came_in(tmp_path):
    origin, a, b = setup_pair(tmp_path)
    tid = open_shared(a, b)
    new = a.open("--title", "新的工单")
    a.ok("log", tid, "-m", "checked")
    r = a.ok("sync")
    assert "pushed" in r.out
    r = b.ok("sync")
    assert "1 new ticket(s), 1 changed ticket(s)" in r.out
    assert new in r.out and tid in r.out
    assert b.path_of(new).read_bytes() == a.path_of(new).read_bytes()


def test_sync_without_remote(tmp_path):
    d = Desk(tmp_path / "solo")
    (tmp_path / ".gitconfig-test").write_text("")
    git(tmp_path, "init", "-q", str(d.root))
    d.extra_env = {**GIT_ENV, "GIT_CONFIG_GLOBAL": str(tmp_path / ".gitconfig-test")}
    d.ok("init", str(d.root), "--timezone", "UTC", cwd=tmp_path)
    r = d.fails(7, "sync")
    assert "no remote" in r.err


def test_two_clones_500_offline_opens_merge_cleanly(tmp_path):
    origin, a, b = setup_pair(tmp_path)
    for d in (a, b):
        cfg = d.root / ".desk/config.yaml"
        cfg.write_text(cfg.read_text().replace("autocommit: true", "autocommit: false"))
    def bulk(d, tag):
        for i in range(500):
            d.open("--title", f"{tag} 工单 {i}")
        git(d.root, "add", "-A", "tickets")
        git(d.root, "commit", "-q", "-m", f"{tag} bulk")
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda p: bulk(*p), [(a, "A"), (b, "B")]))
    git(a.root, "fetch", "-q", str(b.root), "main:refs/remotes/b/main")
    git(a.root, "merge", "-q", "--no-edit", "b/main")
    files = list((a.root / "tickets").rglob("*.yaml"))
    assert len(files) == 1000
    assert len({f.name for f in files}) == 1000
    assert a.run("doctor").code == 0


def test_concurrent_processes_lose_nothing(desk):
    ids = [desk.open("--title", f"并发 {i}") for i in range(8)]
    def worker(n):
        rng = random.Random(n)
        done = 0
        for i in range(100):
            tid = rng.choice(ids)
            kind = rng.random()
            if kind < 0.7:
                r = desk.run("log", tid, "-m", f"w{n}-{i}", env={"DESK_LOCK_TIMEOUT": "60"})
                assert r.code == 0, r
                done += 1
            elif kind < 0.85:
                r = desk.run("list", "--format", "json")
                assert r.code == 0, r
            else:
                r = desk.run("show", tid, "--format", "json")
                assert r.code == 0, r
        return done
    with ThreadPoolExecutor(8) as pool:
        logged = sum(pool.map(worker, range(8)))
    total = 0
    for tid in ids:
        t = desk.show(tid)
        total += sum(1 for e in t["events"] if e["action"] == "log")
        assert len({e["id"] for e in t["events"]}) == len(t["events"])
    assert total == logged
    assert desk.run("doctor").code == 0


def test_killed_writers_leave_every_file_whole(desk):
    ids = [desk.open("--title", f"kill {i}", "--description", "x" * 2000) for i in range(4)]
    rng = random.Random(7)
    env = desk.env(DESK_LOCK_TIMEOUT="30")
    for round_ in range(40):
        procs = []
        for k in range(3):
            tid = rng.choice(ids)
            procs.append(subprocess.Popen([DESK_BIN, "log", tid, "-m", "y" * rng.randint(1, 5000)],
                                          cwd=str(desk.root), env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(rng.uniform(0, 0.02))
        for p in procs:
            if rng.random() < 0.7:
                p.send_signal(signal.SIGKILL)
        for p in procs:
            p.wait()
    # Every ticket parses and doctor is clean; a killed write may leave its temp file,
    # which doctor notes and --fix removes.
    for tid in ids:
        desk.show(tid)
    r = desk.run("doctor")
    assert r.code == 0, r
    r = desk.ok("doctor", "--fix")
    assert "note:" not in r.out
    assert not [p for p in (desk.root / "tickets").rglob(".*.tmp.*")]


def test_resolve_and_close_with_kb_are_one_commit_each(tmp_path):
    origin, a = make_origin(tmp_path)
    r = a.ok("kb", "add", "--title", "VPN 809 错误", "--solution", "重置 VPN 客户端", "--category", "network")
    kb_id = r.out.split()[1]
    kb_path = a.root / "kb" / f"{kb_id}.yaml"
    assert kb_path.is_file()
    tid = a.open("--title", "VPN 报错 809")
    a.ok("triage", tid, "--category", "network")
    count = int(git(a.root, "rev-list", "--count", "HEAD"))
    a.ok("resolve", tid, "--solution", "按知识库处理", "--verified-by", "bob", "--kb", kb_id)
    assert int(git(a.root, "rev-list", "--count", "HEAD")) == count + 1
    rel = lambda p: str(p.relative_to(a.root))
    assert sorted(head_files(a.root)) == sorted([rel(a.path_of(tid)), rel(kb_path)])
    assert git(a.root, "log", "-1", "--format=%s").startswith(f"{tid}: resolved with {kb_id}")
    a.ok("confirm", tid, "--rating", "5")
    a.ok("close", tid, "--kb")
    assert int(git(a.root, "rev-list", "--count", "HEAD")) == count + 3
    files = head_files(a.root)
    assert rel(a.path_of(tid)) in files and len(files) == 2
    assert any(f.startswith("kb/") and kb_id not in f for f in files)
    assert git(a.root, "status", "--porcelain") == ""


def tree_by_git_add(root):
    """HEAD's tree as `git add -A` of the whole work tree would make it (a scratch index)."""
    index = root / ".git" / "scratch-index"
    env = {"GIT_INDEX_FILE": str(index)}
    git(root, "read-tree", "HEAD", env=env)
    git(root, "add", "-A", env=env)
    tree = git(root, "write-tree", env=env)
    index.unlink()
    return tree


def test_commits_build_the_same_tree_as_git_add(tmp_path):
    # desk writes the commit's tree itself (only the folders above the changed files); the
    # result must be exactly the tree git would build from the work tree: across months and
    # years, in tickets/ and kb/, with additions and a renumbering that removes a file.
    origin, a = make_origin(tmp_path)
    ids = []
    for now in ("2026-11-27T10:00:00+08:00", "2026-12-02T10:00:00+08:00", "2027-01-05T10:00:00+08:00"):
        a.now = now
        tid = a.open("--title", f"跨月 {now[:7]}")
        a.ok("triage", tid, "--category", "network")
        ids.append(tid)
        assert git(a.root, "rev-parse", "HEAD^{tree}") == tree_by_git_add(a.root)
    a.ok("kb", "add", "--title", "VPN 809 错误", "--solution", "重置客户端", "--category", "network")
    assert git(a.root, "rev-parse", "HEAD^{tree}") == tree_by_git_add(a.root)
    # A duplicate id in another month, committed by hand; doctor --fix renumbers it, which
    # moves the file: the commit removes one path and adds another.
    src = a.path_of(ids[0])
    dup = a.root / "tickets" / "2027" / "01" / src.name
    dup.write_bytes(src.read_bytes())
    git(a.root, "add", str(dup.relative_to(a.root)))
    git(a.root, "commit", "-q", "-m", "a duplicate from a bad merge")
    r = a.ok("doctor", "--fix")
    assert "renumbered" in r.out
    files = git(a.root, "show", "--name-status", "--no-renames", "--format=", "HEAD").splitlines()
    assert any(f.startswith("D\t") for f in files) and any(f.startswith("A\t") for f in files)
    assert git(a.root, "rev-parse", "HEAD^{tree}") == tree_by_git_add(a.root)
    assert git(a.root, "status", "--porcelain") == ""
    assert git(a.root, "fsck", "--strict", "--no-dangling") == ""


def test_first_commit_of_an_empty_repository(tmp_path):
    # No HEAD yet: the first auto-commit is a root commit holding exactly the ticket.
    root = tmp_path / "fresh"
    git(tmp_path, "init", "-q", str(root))
    d = Desk(root)
    d.extra_env = dict(GIT_ENV)
    r = d.run("init", str(root), "--timezone", "Asia/Shanghai", cwd=tmp_path)
    assert r.code == 0, r
    tid = d.open("--title", "第一张工单")
    assert git(root, "rev-list", "--count", "HEAD") == "1"
    assert git(root, "ls-tree", "-r", "--name-only", "HEAD").splitlines() == [
        str(d.path_of(tid).relative_to(root))]
    assert git(root, "log", "-1", "--format=%s").startswith(f"{tid}: open")
    # The user's index agrees: the ticket is not shown as changed.
    assert "tickets/" not in git(root, "status", "--porcelain")


def test_a_large_batch_is_one_packed_commit(tmp_path):
    # 300 tickets from one import: written by `git fast-import` as one commit in a pack;
    # the tree is still exactly git add's, and the user's index agrees.
    origin, a = make_origin(tmp_path)
    header = "Summary,Issue key,Issue id,Issue Type,Status,Project key,Priority,Resolution,Assignee,Reporter," \
             "Created,Updated,Resolved,Component/s,Component/s,Labels,Description\n"
    months = ["Nov/24", "Dec/24", "Jan/25"]
    rows = [f"批量 {i},ITSD-{1000 + i},{20000 + i},Incident,Open,ITSD,High,,dave,zhang.san,"
            f"{(i % 28) + 1:02d}/{months[i % 3]} 9:05 AM,,,VPN,,,第 {i} 行\n" for i in range(300)]
    csv = tmp_path / "batch.csv"
    csv.write_text(header + "".join(rows))
    jira = SOURCE_DIR / "share" / "import" / "jira.yaml"
    count = int(git(a.root, "rev-list", "--count", "HEAD"))
    r = a.ok("import", "csv", csv, "--map", jira, "--timezone", "UTC")
    assert "300 created" in r.out
    assert int(git(a.root, "rev-list", "--count", "HEAD")) == count + 1
    assert len([f for f in head_files(a.root) if f.startswith("tickets/")]) == 300
    assert git(a.root, "rev-parse", "HEAD^{tree}") == tree_by_git_add(a.root)
    assert git(a.root, "status", "--porcelain") == ""
    assert git(a.root, "for-each-ref", "refs/desk/") == ""
    packed = dict(line.split(": ") for line in git(a.root, "count-objects", "-v").splitlines())
    assert int(packed["in-pack"]) >= 300
    assert git(a.root, "fsck", "--strict", "--no-dangling") == ""
    # A re-import that changes three rows: a small commit of exactly those three files.
    rows[0] = rows[0].replace("批量 0,", "批量 0 改,")
    rows[100] = rows[100].replace("批量 100,", "批量 100 改,")
    rows[299] = rows[299].replace("批量 299,", "批量 299 改,")
    csv.write_text(header + "".join(rows))
    r = a.ok("import", "csv", csv, "--map", jira, "--timezone", "UTC")
    assert "3 updated" in r.out
    assert int(git(a.root, "rev-list", "--count", "HEAD")) == count + 2
    assert len(head_files(a.root)) == 3
    assert git(a.root, "rev-parse", "HEAD^{tree}") == tree_by_git_add(a.root)
    assert git(a.root, "status", "--porcelain") == ""


def two_tickets_one_id(tmp_path):
    """Clones A and B each hold a different ticket under the same id and path (an id drawn
    twice); A has pushed. Returns (origin, a, b, the id, B's ticket as it was)."""
    origin, a, b = setup_pair(tmp_path)
    a.now = "2026-11-27T10:00:00+08:00"
    tid = a.open("--title", "VPN 无法连接", "--reporter", "王伟")
    git(a.root, "push", "-q")
    b.now = "2026-11-27T11:00:00+08:00"
    other = b.open("--title", "打印机卡纸", "--reporter", "李娜", "--urgency", "high")
    src = b.path_of(other)
    text = src.read_text(encoding="utf-8").replace(other, tid)
    git(b.root, "rm", "-q", str(src.relative_to(b.root)))
    dst = src.parent / f"{tid}.yaml"
    dst.parent.mkdir(parents=True, exist_ok=True)  # git rm took the emptied folder
    dst.write_text(text, encoding="utf-8")
    git(b.root, "add", str(dst.relative_to(b.root)))
    git(b.root, "commit", "-q", "-m", "an id drawn twice")
    return origin, a, b, tid, yaml.load(text, Loader=yaml.BaseLoader)


def test_merge_of_two_different_tickets_keeps_both(tmp_path):
    origin, a, b, tid, b_ticket = two_tickets_one_id(tmp_path)
    a_ticket = a.load(tid)
    # The driver never fuses them: git stops with a conflict, the older ticket at the path.
    pull = git_run(b.root, "pull", "-q", "--no-rebase", env={"GIT_CONFIG_GLOBAL": str(tmp_path / ".gitconfig-test")})
    assert pull.returncode != 0
    assert "two different tickets" in pull.stdout + pull.stderr
    assert b.load(tid) == a_ticket
    # doctor names the situation until it is finished.
    for _ in range(2):
        r = b.run("doctor")
        assert r.code == 1 and "two different tickets were merged into this path" in r.out, r
    r = b.ok("doctor", "--fix")
    assert "kept both tickets" in r.out and "concluded the merge" in r.out
    assert b.load(tid) == a_ticket
    files = sorted((b.root / "tickets").glob("*/*/*.yaml"))
    assert len(files) == 2
    [moved] = [f for f in files if f.stem != tid]
    younger = yaml.load(moved.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert younger["title"] == "打印机卡纸" and younger["reporter"] == "李娜" and younger["urgency"] == "high"
    assert younger["events"][:-1] == b_ticket["events"]
    assert younger["events"][-1]["action"] == "renumber" and younger["events"][-1]["previous_id"] == tid
    assert git(b.root, "status", "--porcelain") == ""
    assert len(git(b.root, "rev-list", "--parents", "-1", "HEAD").split()) == 3  # a merge commit
    b.ok("doctor")
    # Shared: A pulls both without a conflict.
    git(b.root, "push", "-q")
    git(a.root, "pull", "-q", "--no-rebase")
    assert a.load(tid) == a_ticket
    assert a.load(moved.stem)["title"] == "打印机卡纸"
    a.ok("doctor")


def test_merge_driver_keeps_the_older_of_two_tickets_whichever_side_is_ours(tmp_path):
    origin, a, b, tid, b_ticket = two_tickets_one_id(tmp_path)
    older = a.path_of(tid).read_text(encoding="utf-8")
    younger = b.path_of(tid).read_text(encoding="utf-8")
    base = tmp_path / "base"
    base.write_text("")
    for ours_text, theirs_text in ((older, younger), (younger, older)):
        ours, theirs = tmp_path / "ours", tmp_path / "theirs"
        ours.write_text(ours_text, encoding="utf-8")
        theirs.write_text(theirs_text, encoding="utf-8")
        r = a.run("merge-driver", base, ours, theirs, f"tickets/2026/11/{tid}.yaml")
        assert r.code == 1 and "two different tickets" in r.err, r
        assert ours.read_text(encoding="utf-8") == older


def test_a_large_index_is_kept_split_unless_the_repository_says_otherwise(tmp_path):
    """Past 1 MiB (about 10,000 files) git's index is written split, so a commit's index
    update writes the changes, not every entry; core.splitIndex set by the user is obeyed."""
    origin, a = make_origin(tmp_path)
    assets = a.root / "assets"
    assets.mkdir()
    for i in range(15000):
        (assets / f"file-{i:05d}-with-a-longer-name.txt").write_text("")
    time.sleep(1.1)  # older than the index that records them: no racily clean entries to keep
    git(a.root, "add", "assets")
    git(a.root, "commit", "-q", "-m", "assets")
    assert (a.root / ".git/index").stat().st_size > 1 << 20
    (a.root / "notes.txt").write_text("draft\n")
    git(a.root, "add", "notes.txt")

    def shared_indexes():
        return list((a.root / ".git").glob("sharedindex.*"))

    git(a.root, "config", "core.splitIndex", "false")
    first = a.open("--title", "打印机卡纸")
    assert shared_indexes() == []
    git(a.root, "config", "--unset", "core.splitIndex")
    second = a.open("--title", "VPN 无法连接")
    assert len(shared_indexes()) == 1
    assert (a.root / ".git/index").stat().st_size < 1 << 16
    # git reads the split index as the whole one: both tickets committed and clean, the
    # user's staged file still staged, nothing else changed.
    status = git(a.root, "status", "--porcelain")
    assert status == "A  notes.txt", status
    for tid in (first, second):
        assert git(a.root, "ls-files", str(a.path_of(tid).relative_to(a.root))) != ""
    assert int(git(a.root, "ls-files", "assets").count("\n")) == 14999
