"""desk serve end to end: the JSON API, the requester portal and their security, against
the real desk-serve on a loopback port of a temporary repository."""
import base64
import fcntl
import json
import re
import signal
import socket
import subprocess
import time
import urllib.parse

import pytest
import yaml

from conftest import git, write_config
from serve_helpers import (Client, Server, api_token, link_in, read_mails, setup_portal,
                           sign_in)


@pytest.fixture
def repo(desk):
    """A repository in a git work tree (autocommit on)."""
    git(desk.root, "init", "-q")

    def autocommit(cfg):
        cfg["git"]["autocommit"] = True
    write_config(desk, autocommit)
    git(desk.root, "add", "-A")
    git(desk.root, "commit", "-q", "-m", "desk init")
    return desk


# --- tokens ------------------------------------------------------------------------------

def test_token_add_prints_the_token_once_and_records_only_its_hash(desk):
    r = desk.ok("serve", "token", "add", "monitoring", "--scope", "open,read")
    token = r.out.strip()
    assert re.fullmatch(r"desk_[A-Za-z0-9_-]{43}", token), r
    assert "shown only now" in r.err
    text = (desk.root / ".desk" / "config.yaml").read_text(encoding="utf-8")
    assert token not in text
    cfg = yaml.safe_load(text)
    import hashlib
    assert cfg["api"]["tokens"] == [{"name": "monitoring", "sha256": hashlib.sha256(token.encode()).hexdigest(),
                                     "scopes": ["open", "read"]}]
    assert "# Bearer tokens of integrations" in text, "the comments of the config are kept"
    second = desk.ok("serve", "token", "add", "im-bot", "--scope", "workflow").out.strip()
    assert second != token
    assert [t["name"] for t in yaml.safe_load((desk.root / ".desk/config.yaml").read_text())["api"]["tokens"]] == \
        ["monitoring", "im-bot"]
    assert desk.ok("doctor").out.startswith("ok:")


def test_token_add_refuses_bad_names_scopes_and_duplicates(desk):
    desk.ok("serve", "token", "add", "mon", "--scope", "read")
    before = (desk.root / ".desk/config.yaml").read_bytes()
    assert "exists already" in desk.fails(2, "serve", "token", "add", "mon", "--scope", "read").err
    assert "unknown scope 'admin'" in desk.fails(2, "serve", "token", "add", "x", "--scope", "admin").err
    assert "must be 1 to 64" in desk.fails(2, "serve", "token", "add", "a b", "--scope", "read").err
    assert (desk.root / ".desk/config.yaml").read_bytes() == before


def test_config_errors_of_serve_and_api_name_the_line(desk):
    def mutate(cfg):
        cfg["serve"]["auth"] = "password"
    write_config(desk, mutate)
    r = desk.fails(5, "list")
    assert "serve.auth is 'password'; use mail or header" in r.err
    assert re.search(r"config\.yaml:\d+:\d+:", r.err), r.err


# --- the JSON API ------------------------------------------------------------------------

def test_api_opens_with_every_intake_field_and_dedup_key(repo, tmp_path):
    token = api_token(repo)
    with Server(repo) as s:
        c = s.client()
        body = {"title": "ERP 登录失败：提示“会话过期”", "description": "早上九点开始\n所有人都不行",
                "reporter": "王小明", "department": "财务部", "contact": "分机 8001", "channel": "im",
                "affected": ["ERP", "SSO"], "impact": "department", "urgency": "high",
                "occurred_at": "2026-11-27T09:00", "steps": "重启浏览器", "error": "ERR-401 session expired",
                "dedup_key": "nagios:erp-login", "external_id": "NAG-17", "email": "wang@example.com",
                "type": "incident",
                "attachments": [{"name": "screen.png", "content_base64": base64.b64encode(b"\x89PNG..").decode()}]}
        r = c.api("POST", "/api/v1/tickets", token, body)
        assert r.status == 201, r
        t = r.json()
        tid = t["id"]
        assert r.header("Location") == f"/api/v1/tickets/{tid}"
        file = repo.load(tid)
        for key in ("title", "description", "reporter", "department", "contact", "channel", "impact", "urgency",
                    "steps", "error", "dedup_key", "external_id", "email"):
            assert file[key] == body[key], key
        assert file["affected"] == ["ERP", "SSO"]
        assert file["occurred_at"] == "2026-11-27T09:00:00+08:00"
        assert file["priority"] == t["priority"]
        assert (repo.path_of(tid).parent / f"{tid}.files" / "screen.png").read_bytes() == b"\x89PNG.."
        assert tid in git(repo.root, "log", "-1", "--format=%s")
        # The same dedup key while it is open: the same ticket, nothing written.
        again = c.api("POST", "/api/v1/tickets", token, {"title": "ERP again", "dedup_key": "nagios:erp-login"})
        assert again.status == 200, again
        assert again.json()["id"] == tid and again.json()["deduplicated"] is True
        assert len(list((repo.root / "tickets").glob("*/*/*.yaml"))) == 1


def test_api_show_and_list_have_the_shapes_of_the_command_line(repo):
    token = api_token(repo)
    a = repo.open("--title", "网络慢", "--reporter", "李雷")
    b = repo.open("--title", "printer jam")
    repo.ok("triage", b, "--category", "end-user-device")
    repo.ok("assign", b, "--to", "carol")
    with Server(repo) as s:
        c = s.client()
        r = c.api("GET", f"/api/v1/tickets/{a}", token)
        assert r.status == 200
        assert r.json() == repo.show(a)
        assert c.api("GET", f"/api/v1/tickets/{a[:6]}", token).json()["id"] == a, "abbreviations work"
        listed = c.api("GET", "/api/v1/tickets", token).json()
        assert listed == repo.ok("list", "--format", "json").json()
        assert [t["id"] for t in c.api("GET", "/api/v1/tickets?status=new", token).json()] == [a]
        assert [t["id"] for t in c.api("GET", "/api/v1/tickets?assignee=carol", token).json()] == [b]
        assert c.api("GET", "/api/v1/tickets?since=2026-11-28", token).json() == []
        assert len(c.api("GET", "/api/v1/tickets?since=2026-11-27T00:00", token).json()) == 2
        bad = c.api("GET", "/api/v1/tickets?status=sleeping", token)
        assert bad.status == 400 and bad.json()["error"]["kind"] == "usage"
        bad = c.api("GET", "/api/v1/tickets?colour=red", token)
        assert bad.status == 400 and "unknown parameter 'colour'" in bad.json()["error"]["message"]


def test_api_workflow_messages_and_replies_go_through_the_library(repo):
    token = api_token(repo)
    with Server(repo) as s:
        c = s.client()
        tid = c.api("POST", "/api/v1/tickets", token, {"title": "VPN 断线", "email": "amy@example.com"}).json()["id"]
        steps = [("triage", {"category": "network"}), ("assign", {"user": "bob", "as": "dispatcher"}),
                 ("start", {"note": "looking"}), ("log", {"note": "内部：换了网关", "minutes": 20})]
        for step, payload in steps:
            r = c.api("POST", f"/api/v1/tickets/{tid}/{step}", token, payload)
            assert r.status == 200, (step, r)
        r = c.api("POST", f"/api/v1/tickets/{tid}/replies", token,
                  {"text": "我们正在处理，预计今天下班前解决。", "eta": "2026-11-27T18:00:00+08:00",
                   "attachments": [{"name": "guide.txt", "content_base64": base64.b64encode("步骤".encode()).decode()}]})
        assert r.status == 201, r
        r = c.api("POST", f"/api/v1/tickets/{tid}/messages", token,
                  {"from": "amy@example.com", "text": "好的，谢谢", "message_id": "<m1@example.com>"})
        assert r.status == 201, r
        r = c.api("POST", f"/api/v1/tickets/{tid}/resolve", token,
                  {"solution": "重置了 VPN 配置", "verified_by": "bob", "verification": "连上了"})
        assert r.status == 200 and r.json()["status"] == "resolved", r
        r = c.api("POST", f"/api/v1/tickets/{tid}/confirm", token, {"rating": 5})
        assert r.status == 200 and r.json()["status"] == "confirmed", r
    t = repo.load(tid)
    actions = [e["action"] for e in t["events"]]
    assert actions[:5] == ["open", "triage", "assign", "start", "log"]
    assert "reply" in actions and "message" in actions and actions[-2:] == ["resolve", "confirm"]
    assert t["rating"] == "5"
    assert [e["by"] for e in t["events"] if e["action"] == "assign"] == ["dispatcher"]
    assert (repo.path_of(tid).parent / f"{tid}.files" / "guide.txt").read_text(encoding="utf-8") == "步骤"
    assert len(git(repo.root, "log", "--format=%s").splitlines()) >= 10, "one commit per step"
    assert repo.ok("doctor").out.startswith("ok:")


def test_writes_that_arrive_together_share_a_commit_made_before_each_answer(repo):
    from concurrent.futures import ThreadPoolExecutor
    token = api_token(repo, "monitoring", "open,read")
    before = int(git(repo.root, "rev-list", "--count", "HEAD"))
    with Server(repo) as s:
        def post(i):
            c = s.client()
            r = c.api("POST", "/api/v1/tickets", token, {"title": f"磁盘告警 {i}", "dedup_key": f"disk:{i}"})
            assert r.status == 201, r
            tid = r.json()["id"]
            # Answered only once its commit is made: the file is in HEAD's tree now.
            tree = git(repo.root, "ls-tree", "-r", "--name-only", "HEAD", "tickets")
            assert f"/{tid}.yaml" in tree, tid
            return tid
        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(post, range(48)))
        commits = int(git(repo.root, "rev-list", "--count", "HEAD")) - before
        assert s.stop() == 0
    assert len(set(ids)) == 48
    assert 1 <= commits < 48, "eight clients at once: some writes share a commit"
    assert git(repo.root, "status", "--porcelain", "tickets") == ""
    bodies = git(repo.root, "log", f"-{commits}", "--format=%B")
    assert all(tid in bodies for tid in ids), "every write is named in its commit"
    assert repo.ok("doctor").out.startswith("ok:")


def test_api_errors_are_json_with_the_kinds_of_the_exit_codes(repo):
    token = api_token(repo, "reader", "read")
    writer = api_token(repo, "writer", "open,workflow")
    tid = repo.open("--title", "disk full")
    with Server(repo, env={"DESK_LOCK_TIMEOUT": "1"}) as s:
        c = s.client()
        r = c.get("/api/v1/tickets")
        assert r.status == 401 and r.header("WWW-Authenticate", ) is not None and r.json()["error"]["kind"] == "unauthorized"
        assert c.api("GET", "/api/v1/tickets", "desk_wrong").status == 401
        r = c.api("POST", "/api/v1/tickets", token, {"title": "x"})
        assert r.status == 403 and "scope 'open'" in r.json()["error"]["message"]
        r = c.api("GET", "/api/v1/tickets/INC-NOPE0000", token)
        assert r.status == 404 and r.json()["error"]["kind"] == "not_found" and r.json()["error"]["exit_code"] == 3
        r = c.api("POST", f"/api/v1/tickets/{tid}/confirm", writer, {"rating": 4})
        assert r.status == 409 and r.json()["error"]["kind"] == "invalid_state", r
        r = c.api("POST", "/api/v1/tickets", writer, {"title": ""})
        assert r.status == 400 and r.json()["error"]["kind"] == "usage"
        r = c.api("POST", "/api/v1/tickets", writer, {"title": "x", "colour": "red"})
        assert r.status == 400 and "unknown field 'colour'" in r.json()["error"]["message"]
        r = c.request("POST", "/api/v1/tickets", body=b"{not json", headers={
            "Authorization": f"Bearer {writer}", "Content-Type": "application/json"})
        assert r.status == 400 and "not valid JSON" in r.json()["error"]["message"]
        r = c.api("POST", "/api/v1/tickets", writer, {"title": ["a"]})
        assert r.status == 400 and "must be a string" in r.json()["error"]["message"]
        # Busy: another process holds the repository lock.
        with open(repo.root / ".desk" / "lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            r = c.api("POST", "/api/v1/tickets", writer, {"title": "while locked"})
            fcntl.flock(lock, fcntl.LOCK_UN)
        assert r.status == 503 and r.header("Retry-After") == "1" and r.json()["error"]["kind"] == "busy", r
        assert c.api("GET", "/api/v1/nothing", token).status == 404
    assert len(list((repo.root / "tickets").glob("*/*/*.yaml"))) == 1, "no failed request wrote a ticket"


# --- the portal --------------------------------------------------------------------------

def test_requester_signs_in_files_follows_and_confirms(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    with Server(repo) as s:
        c = sign_in(s, folder, "Mei@Example.com")
        mail = read_mails(folder)[-1]
        assert mail["To"] == "mei@example.com"
        assert mail["Subject"] == "Your sign-in link for the service desk"
        r = c.get("/requests")
        assert r.status == 200 and "You have no requests yet." in r.text
        r = c.post_form("/new", {"csrf": c.csrf("/new"), "title": "打印机卡纸，无法打印", "description": "三楼的打印机\r\n一直卡纸",
                                 "occurred_at": "2026-11-27T08:30", "steps": "重启了打印机", "error": "E-203",
                                 "affected": "HP-3F, 打印服务器", "impact": "department", "urgency": "high",
                                 "reporter": "梅", "department": "行政部", "contact": "8003"},
                        files=[("files", "截图.png", b"\x89PNG\r\n\x1a\nfake"), ("files", "", b"")])
        assert r.status == 303, r
        tid = r.header("Location").rsplit("/", 1)[1]
        t = repo.load(tid)
        assert t["channel"] == "portal" and t["email"] == "mei@example.com"
        assert t["title"] == "打印机卡纸，无法打印" and t["description"] == "三楼的打印机\n一直卡纸"
        assert t["affected"] == ["HP-3F", "打印服务器"] and t["occurred_at"] == "2026-11-27T08:30:00+08:00"
        assert t["events"][0]["by"] == "mei@example.com"
        assert (repo.path_of(tid).parent / f"{tid}.files" / "截图.png").exists()
        listing = c.get("/requests").text
        assert tid in listing and "打印机卡纸，无法打印" in listing and "Received" in listing
        # Staff work: an internal log entry never shows, the reply does.
        repo.ok("triage", tid, "--category", "end-user-device")
        repo.ok("assign", tid, "--to", "bob")
        repo.ok("log", tid, "-m", "内部备注：供应商合同到期")
        page = c.get(f"/requests/{tid}").text
        assert "内部备注" not in page and "供应商" not in page
        assert "Assigned" in page
        shot = c.get(f"/requests/{tid}/files/{urllib.parse.quote('截图.png')}")
        assert shot.status == 200 and shot.body == b"\x89PNG\r\n\x1a\nfake"
        # The requester answers.
        r = c.post_form(f"/requests/{tid}/reply", {"csrf": c.csrf(f"/requests/{tid}"), "text": "今天下午还会用到"},
                        files=[("files", "log.txt", "错误日志".encode())])
        assert r.status == 303, r
        assert "今天下午还会用到" in c.get(f"/requests/{tid}").text
        repo.ok("start", tid)
        repo.ok("resolve", tid, "--solution", "更换了搓纸轮", "--verified-by", "bob", "--verification", "打印了 20 页")
        page = c.get(f"/requests/{tid}").text
        assert "Is it fixed?" in page
        r = c.post_form(f"/requests/{tid}/confirm", {"csrf": c.csrf(f"/requests/{tid}"), "rating": "4", "note": "好了"})
        assert r.status == 303, r
        t = repo.load(tid)
        assert t["status"] == "confirmed" and t["rating"] == "4"
        assert t["events"][-1]["by"] == "mei@example.com"
        subjects = git(repo.root, "log", "--format=%s").splitlines()
        assert sum(tid in line for line in subjects) >= 6, subjects


def test_not_fixed_reopens_and_bad_ratings_are_refused(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    token = api_token(repo)
    with Server(repo) as s:
        c = sign_in(s, folder, "li@example.com")
        tid = Client(s.base).api("POST", "/api/v1/tickets", token, {"title": "邮箱满了", "email": "li@example.com"}).json()["id"]
        repo.ok("triage", tid, "--category", "application")
        repo.ok("assign", tid, "--to", "bob")
        repo.ok("start", tid)
        repo.ok("resolve", tid, "--solution", "扩容", "--verified-by", "bob", "--verification", "ok")
        r = c.post_form(f"/requests/{tid}/confirm", {"csrf": c.csrf(f"/requests/{tid}"), "rating": "9"})
        assert r.status == 400
        assert repo.load(tid)["status"] == "resolved"
        r = c.post_form(f"/requests/{tid}/reopen", {"csrf": c.csrf(f"/requests/{tid}"), "why": "还是收不到邮件"})
        assert r.status == 303, r
        t = repo.load(tid)
        assert t["status"] == "reopened" and t["events"][-1]["by"] == "li@example.com"
        # Confirming what is not resolved is refused with the step's message.
        r = c.post_form(f"/requests/{tid}/confirm", {"csrf": c.csrf(f"/requests/{tid}"), "rating": "3"})
        assert r.status == 409


def test_kb_search_and_articles_show_only_public_validated(repo, tmp_path):
    def kb(title, solution, *args):
        return repo.ok("kb", "add", "-q", "--title", title, "--solution", solution, *args).out.strip()
    public = kb("打印机脱机无法打印", "重启 Print Spooler 服务", "--symptoms", "打印时提示“打印机脱机”", "--audience", "public")
    internal = kb("打印服务器维护步骤", "内部：登录 10.0.0.5", "--audience", "internal")
    draft = kb("打印机驱动草稿", "未完成", "--audience", "public")
    for kid in (public, internal):
        repo.ok("--as", "bob", "kb", "validate", kid)
    with Server(repo) as s:
        c = s.client(accept_language="zh-CN,zh;q=0.9")
        r = c.get("/kb?q=" + urllib.parse.quote("打印机脱机"))
        assert r.status == 200 and '<html lang="zh">' in r.text
        assert public in r.text and internal not in r.text and draft not in r.text
        assert "<mark>" in r.text
        cli = repo.ok("kb", "search", "打印机脱机", "--format", "json").json()
        visible = [h["id"] for h in cli if h["id"] == public]
        assert visible == [public]
        assert c.get(f"/kb/{public}").status == 200
        assert "重启 Print Spooler 服务" in c.get(f"/kb/{public}").text
        assert c.get(f"/kb/{internal}").status == 404
        assert c.get(f"/kb/{draft}").status == 404
        r = c.get("/kb?q=" + urllib.parse.quote("？？？"))
        assert r.status == 200 and 'class="problem"' in r.text
    # Suggestions on the new-request form, from the title as typed (a plain GET submit).
    folder = setup_portal(repo, tmp_path)
    with Server(repo) as s:
        c = sign_in(s, folder, "zhao@example.com", client=s.client(accept_language="zh"))
        page = c.get("/new?title=" + urllib.parse.quote("打印机脱机了")).text
        assert public in page and "以下文章也许能解决问题" in page and internal not in page
        assert 'value="打印机脱机了"' in page


def test_language_follows_accept_language_and_the_switch(repo, tmp_path):
    with Server(repo) as s:
        c = s.client(accept_language="zh-TW,zh;q=0.9,en;q=0.5")
        assert "登录" in c.get("/signin").text
        c2 = s.client(accept_language="de-DE,en;q=0.8")
        assert "Sign in" in c2.get("/signin").text
        assert "Sign in" in c.get("/signin?lang=en").text
        assert "Sign in" in c.get("/signin").text, "the choice is remembered"


def test_staff_board_and_review_report(repo, tmp_path):
    folder = setup_portal(repo, tmp_path, staff=["lead@example.com"])
    a = repo.open("--title", "核心系统宕机", "--impact", "core-business", "--urgency", "critical")
    b = repo.open("--title", "new mouse", "--urgency", "low")
    repo.ok("triage", b, "--category", "end-user-device")
    with Server(repo, env={"DESK_NOW": "2026-11-30T12:00:00+08:00"}) as s:
        staff = sign_in(s, folder, "lead@example.com")
        r = staff.get("/board")
        assert r.status == 200, r
        breached = r.text.split("SLA breached")[1].split("</section>")[0]
        assert a in breached
        assert b in r.text
        rep = staff.get("/board/report")
        assert rep.status == 200 and rep.text.lstrip().lower().startswith("<!doctype html")
        assert "script-src" not in rep.header("Content-Security-Policy") and "<script" not in rep.text
        user = sign_in(s, folder, "someone@example.com")
        assert user.get("/board").status == 403
        assert user.get("/board/report").status == 403
        assert s.client().get("/board").status == 303


def test_changes_by_other_processes_show_on_the_next_request(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    token = api_token(repo)
    with Server(repo) as s:
        c = sign_in(s, folder, "ma@example.com")
        tid = Client(s.base).api("POST", "/api/v1/tickets", token, {"title": "old title", "email": "ma@example.com"}).json()["id"]
        assert "old title" in c.get("/requests").text
        repo.ok("edit", tid, "--title", "新标题：显示器闪烁")
        assert "新标题：显示器闪烁" in c.get("/requests").text
        # A file written by hand (an editor, a git pull) counts too.
        path = repo.path_of(tid)
        path.write_text(path.read_text(encoding="utf-8").replace("email: ma@example.com", "email: other@example.com"),
                        encoding="utf-8")
        assert tid not in c.get("/requests").text
        assert c.get(f"/requests/{tid}").status == 404


def test_sighup_reloads_the_config_and_sigterm_stops(repo):
    with Server(repo) as s:
        token = api_token(repo, "late")
        c = s.client()
        assert c.api("GET", "/api/v1/tickets", token).status == 401, "not read before the reload"
        s.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while "configuration reloaded" not in s.log_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert c.api("GET", "/api/v1/tickets", token).status == 200
        assert s.stop() == 0
        log = s.log_text()
    assert re.search(r"^127\.0\.0\.1 GET /api/v1/tickets 200 \d+ [\d.]+ms$", log, re.M), log
    assert "desk serve: stopped" in log
    assert token not in log


# --- security ----------------------------------------------------------------------------

def test_forms_need_the_csrf_token(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    with Server(repo) as s:
        c = sign_in(s, folder, "x@example.com")
        r = c.post_form("/new", {"title": "forged"})
        assert r.status == 403
        r = c.post_form("/new", {"title": "forged", "csrf": "AAAA" + c.csrf("/new")[4:]})
        assert r.status == 403
        other = s.client()
        r = other.post_form("/signin", {"csrf": c.csrf(), "email": "victim@example.com"})
        assert r.status == 403, "a token belongs to its own anti-forgery cookie"
    assert list((repo.root / "tickets").glob("*/*/*.yaml")) == []
    assert len(read_mails(folder)) == 1


def test_cookies_are_httponly_samesite_and_secure_behind_https(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    with Server(repo) as s:
        c = s.client()
        r = c.get("/signin")
        cookie = r.header("Set-Cookie")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        csp = r.header("Content-Security-Policy")
        assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe-inline" not in csp
        assert r.header("X-Frame-Options") == "DENY" and r.header("X-Content-Type-Options") == "nosniff"
        assert "<script" not in r.text and " on" not in re.sub(r"<(?!\w+ [^>]*\son\w+=)[^>]*>", "", r.text)
    setup_portal(repo, tmp_path, url="https://desk.example.com")
    with Server(repo) as s:
        c = s.client()
        r = c.get("/signin")
        assert all("Secure" in v for v in r.headers_named("Set-Cookie"))
        c.post_form("/signin", {"csrf": c.csrf(), "email": "y@example.com"})
        assert link_in(read_mails(folder)[-1]).startswith("https://desk.example.com/signin/confirm?k=")


def test_every_text_is_escaped(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    token = api_token(repo)
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>\' autofocus onfocus=\'x'
    with Server(repo) as s:
        tid = Client(s.base).api("POST", "/api/v1/tickets", token, {"title": evil, "description": evil,
                                                                     "email": "e@example.com"}).json()["id"]
        repo.ok("triage", tid, "--category", "network")
        repo.ok("assign", tid, "--to", "bob")
        c = sign_in(s, folder, "e@example.com")
        c.post_form(f"/requests/{tid}/reply", {"csrf": c.csrf(f"/requests/{tid}"), "text": evil})
        for page in (c.get("/requests").text, c.get(f"/requests/{tid}").text,
                     c.get("/new?title=" + urllib.parse.quote(evil)).text,
                     c.get("/kb?q=" + urllib.parse.quote(evil)).text):
            assert "<script>alert" not in page and "<img" not in page
            assert "onerror=alert(2)>" not in page and "' autofocus" not in page and '"><img' not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img" in c.get(f"/requests/{tid}").text


def test_a_requester_sees_only_their_own_tickets(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    token = api_token(repo)
    with Server(repo) as s:
        api = Client(s.base)
        mine = api.api("POST", "/api/v1/tickets", token, {"title": "mine", "email": "a@example.com"}).json()["id"]
        theirs = api.api("POST", "/api/v1/tickets", token, {"title": "theirs", "email": "b@example.com",
                          "attachments": [{"name": "s.txt", "content_base64": "c2VjcmV0"}]}).json()["id"]
        nobody = repo.open("--title", "no requester")
        a = sign_in(s, folder, "a@example.com")
        listing = a.get("/requests").text
        assert mine in listing and theirs not in listing and nobody not in listing
        missing = a.get("/requests/INC-NOTHING0")
        for tid in (theirs, nobody):
            r = a.get(f"/requests/{tid}")
            assert r.status == 404 and r.text == missing.text.replace("INC-NOTHING0", tid) or r.status == 404
            assert a.get(f"/requests/{tid}/files/s.txt").status == 404
            r = a.post_form(f"/requests/{tid}/reply", {"csrf": a.csrf(), "text": "hi"})
            assert r.status == 404
        assert s.client().get(f"/requests/{mine}").status == 303, "not signed in: to the sign-in page"
    assert [e["action"] for e in repo.load(theirs)["events"]] == ["open"]


def test_attachment_download_cannot_leave_the_ticket_folder(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    token = api_token(repo)
    with Server(repo) as s:
        tid = Client(s.base).api("POST", "/api/v1/tickets", token, {
            "title": "t", "email": "a@example.com",
            "attachments": [{"name": "ok.txt", "content_base64": "b2s="}]}).json()["id"]
        files = repo.path_of(tid).parent / f"{tid}.files"
        (files / "link.txt").symlink_to(repo.root / ".desk" / "serve-secret")
        a = sign_in(s, folder, "a@example.com")
        assert a.get(f"/requests/{tid}/files/ok.txt").body == b"ok"
        for name in ("..%2F" + tid + ".yaml", "%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F.desk%2Fserve-secret",
                     "../../../../.desk/serve-secret", "link.txt", ".", "%2e%2e", "ok.txt%00.png", "nothing"):
            r = a.get(f"/requests/{tid}/files/{name}")
            assert r.status == 404, (name, r)


def test_a_body_over_the_limit_is_refused_before_it_is_read(repo, tmp_path):
    setup_portal(repo, tmp_path, max_upload_bytes="64KiB")
    token = api_token(repo)
    with Server(repo) as s:
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token.encode() +
                     b"\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n{\"title\":")
        started = time.monotonic()
        answer = sock.recv(4096).decode()
        sock.close()
        assert answer.startswith("HTTP/1.1 413"), answer
        assert time.monotonic() - started < 2, "answered without waiting for the gigabyte"
        r = Client(s.base).api("POST", "/api/v1/tickets", token, {"title": "x" * 10, "description": "y" * 400_000})
        assert r.status == 413
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        sock.sendall(b"POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        assert sock.recv(4096).decode().startswith("HTTP/1.1 411")
        sock.close()
    assert list((repo.root / "tickets").glob("*/*/*.yaml")) == []


def test_a_slow_client_times_out(repo):
    with Server(repo) as s:
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
        sock.sendall(b"GET /signin HTTP/1.1\r\nHost: x\r\n")  # and never the end of the headers
        started = time.monotonic()
        data = sock.recv(4096)
        waited = time.monotonic() - started
        sock.close()
        assert data == b"" or b" 408 " in data or b" 400 " in data, data
        assert waited < 20, waited
        assert s.client().get("/signin").status == 200, "the server still answers others"


def test_tampered_and_replayed_links_and_cookies_are_refused(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    with Server(repo) as s:
        c = s.client()
        c.post_form("/signin", {"csrf": c.csrf(), "email": "t@example.com"})
        link = link_in(read_mails(folder)[-1])
        token = urllib.parse.parse_qs(urllib.parse.urlparse(link).query)["k"][0]
        body, mac = token.split(".")
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).replace(b"t@example.com", b"x@example.com")
        forged = base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + mac
        flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
        for bad in (forged, flipped, "", "abc.def"):
            r = c.post_form("/signin/confirm", {"csrf": c.csrf(), "k": bad})
            assert r.status == 403, bad
        r = c.post_form("/signin/confirm", {"csrf": c.csrf(), "k": token})
        assert r.status == 303
        session = c.cookies["desk_session"]
        assert c.get("/requests").status == 200
        replay = s.client()
        r = replay.post_form("/signin/confirm", {"csrf": replay.csrf(), "k": token})
        assert r.status == 403, "a sign-in link works once"
        # A changed cookie is not a session.
        evil = s.client()
        evil.cookies["desk_session"] = session[:-3] + ("AAA" if not session.endswith("AAA") else "BBB")
        assert evil.get("/requests").status == 303
        b64, cmac = session.split(".")
        p = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).replace(b"t@example.com", b"a@example.com")
        evil.cookies["desk_session"] = base64.urlsafe_b64encode(p).decode().rstrip("=") + "." + cmac
        assert evil.get("/requests").status == 303
        # Signed out: the old cookie is refused.
        r = c.post_form("/signout", {"csrf": c.csrf("/requests")})
        assert r.status == 303
        old = s.client()
        old.cookies["desk_session"] = session
        assert old.get("/requests").status == 303
        # A notification link: signed for one ticket and address.
        r = s.client().get("/t/INC-ABC?a=view&k=" + token)
        assert r.status == 403


def test_sign_in_requests_are_rate_limited_per_address_and_per_client(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    with Server(repo) as s:
        c = s.client()
        codes = [c.post_form("/signin", {"csrf": c.csrf(), "email": "flood@example.com"}).status for _ in range(6)]
        assert codes == [200] * 5 + [429]
        # 20 requests per client, the refused one included.
        codes = [c.post_form("/signin", {"csrf": c.csrf(), "email": f"u{i}@example.com"}).status for i in range(15)]
        assert codes == [200] * 14 + [429], codes
        assert s.client().post_form("/signin", {"csrf": c.csrf(), "email": "u1@example.com"}).status in (200, 403)
    assert len(read_mails(folder)) == 19


def test_header_sign_in_is_believed_only_from_trusted_proxies(repo, tmp_path):
    setup_portal(repo, tmp_path, auth="header", header="X-Forwarded-Email", trusted_proxies=["127.0.0.1"])
    token = api_token(repo)
    with Server(repo) as s:
        tid = Client(s.base).api("POST", "/api/v1/tickets", token, {"title": "sso", "email": "sso@example.com"}).json()["id"]
        c = s.client()
        r = c.get("/requests", headers={"X-Forwarded-Email": "SSO@example.com"})
        assert r.status == 200 and tid in r.text
        assert c.get("/requests").status == 401
        assert 'action="/signin"' not in c.get("/signin").text, "no mail sign-in behind single sign-on"
    setup_portal(repo, tmp_path, auth="header", header="X-Forwarded-Email", trusted_proxies=["10.9.9.9"])
    with Server(repo) as s:
        r = s.client().get("/requests", headers={"X-Forwarded-Email": "sso@example.com"})
        assert r.status == 401 and tid not in r.text


def test_command_line_errors_of_serve(desk, tmp_path):
    assert "the port must be a number" in desk.fails(2, "serve", "--listen", "127.0.0.1:http").err
    assert "not a desk repository" in desk.fails(3, "serve", cwd=tmp_path).err
    with Server(desk) as s:
        r = desk.fails(7, "serve", "--listen", f"127.0.0.1:{s.port}", timeout=30)
        assert "cannot listen on 127.0.0.1" in r.err


def test_sign_in_mail_goes_through_the_mail_channel_and_its_failures_are_told(repo, tmp_path):
    folder = setup_portal(repo, tmp_path)
    with Server(repo) as s:
        c = s.client()
        assert c.post_form("/signin", {"csrf": c.csrf(), "email": "Li.Na@example.com"}).status == 200
        mail = read_mails(folder)[-1]
        assert mail["To"] == "li.na@example.com"
        assert mail["From"].addresses[0].addr_spec == "desk@example.com"
        assert mail["From"].addresses[0].display_name == "IT 服务台"
        assert mail["Auto-Submitted"] == "auto-generated" and mail["X-Loop"] == "desk@example.com"
        assert mail["Message-ID"].endswith("@example.com>")
        assert link_in(mail).startswith(s.base + "/signin/confirm?k=")

    def broken(cfg):
        cfg["mail"]["sendmail"] = ["/bin/sh", "-c", "echo 'relay refused' >&2; exit 75"]
    write_config(repo, broken)
    with Server(repo) as s:
        c = s.client()
        r = c.post_form("/signin", {"csrf": c.csrf(), "email": "li.na@example.com"})
        assert r.status == 503 and r.header("Retry-After") == "300"
        assert "could not be sent" in r.text and "relay refused" not in r.text
        assert s.stop() == 0
        assert "relay refused" in s.log_text()

    def no_address(cfg):
        cfg["mail"] = None
    write_config(repo, no_address)
    with Server(repo) as s:
        c = s.client()
        assert c.post_form("/signin", {"csrf": c.csrf(), "email": "li.na@example.com"}).status == 503
        assert s.stop() == 0
        assert "mail.address is not set" in s.log_text()
    assert len(read_mails(folder)) == 1

    def old_keys(cfg):
        cfg["serve"]["sendmail"] = ["/usr/sbin/sendmail", "-t"]
    write_config(repo, old_keys)
    r = repo.fails(5, "list")
    assert "serve.sendmail is not a key of serve" in r.err and "mail.sendmail" in r.err


def test_notices_carry_signed_portal_links_that_sign_the_requester_in(repo, tmp_path):
    from mail_helpers import desk_mail
    folder = setup_portal(repo, tmp_path)
    s = Server(repo)

    def portal_url(cfg):
        cfg["serve"]["url"] = s.base
    write_config(repo, portal_url)
    out = repo.ok("open", "--title", "VPN 连不上", "-d", "家里连不上公司 VPN", "--reporter", "王芳",
                  "--email", "Wang.Fang@example.com").out
    tid = re.search(r"INC-[0-9A-Z]+", out).group(0)
    assert desk_mail(repo, "send").code == 0
    ack = read_mails(folder)[-1]
    body = ack.get_body(preferencelist=("plain",)).get_content()
    view = re.search(r"(http://\S+/t/" + tid + r"\?a=view&k=\S+)", body)
    assert view, body
    with s:
        c = s.client()
        r = c.get(view.group(1)[len(s.base):])
        assert r.status == 303 and r.header("Location") == f"/requests/{tid}"
        assert "VPN 连不上" in c.get(f"/requests/{tid}").text, "the link signed the requester in"
        # Bound to the ticket: the same token for another id is refused.
        token = urllib.parse.parse_qs(urllib.parse.urlparse(view.group(1)).query)["k"][0]
        assert s.client().get(f"/t/INC-ZZZZZZZZ?a=view&k={token}").status == 403
        repo.ok("resolve", tid, "--solution", "重装了 VPN 客户端", "--verified-by", "bob", "--verification", "能连上")
        assert desk_mail(repo, "send").code == 0
        resolved = read_mails(folder)[-1]
        text = resolved.get_body(preferencelist=("plain",)).get_content()
        html = resolved.get_body(preferencelist=("html",)).get_content()
        confirm = re.search(r"(http://\S+/t/" + tid + r"\?a=confirm&k=\S+)", text)
        assert confirm and re.search(r"/t/" + tid + r"\?a=reopen&amp;k=", html), text
        other = s.client()
        r = other.get(confirm.group(1)[len(s.base):])
        assert r.status == 303 and r.header("Location") == f"/requests/{tid}#confirm"
        page = other.get(f"/requests/{tid}").text
        assert "Is it fixed?" in page and "重装了 VPN 客户端" in page
        r = other.post_form(f"/requests/{tid}/confirm", {"csrf": other.csrf(f"/requests/{tid}"), "rating": "5"})
        assert r.status == 303, r
        assert s.stop() == 0
    assert repo.load(tid)["status"] == "confirmed"
    assert repo.load(tid)["events"][-1]["by"] == "wang.fang@example.com"
    assert ".desk/serve-secret" not in git(repo.root, "ls-files", ".desk")


def test_token_add_is_committed_and_a_failed_commit_leaves_the_config_as_it_was(repo):
    token = repo.ok("serve", "token", "add", "monitoring", "--scope", "open").out.strip()
    assert git(repo.root, "log", "-1", "--format=%s").startswith("api: token monitoring (open)")
    assert git(repo.root, "status", "--porcelain", ".desk/config.yaml") == ""
    before = (repo.root / ".desk" / "config.yaml").read_bytes()
    lock = repo.root / ".git" / "refs" / "heads"
    branch = git(repo.root, "symbolic-ref", "--short", "HEAD")
    (lock / f"{branch}.lock").write_text("")  # another git process is moving the branch
    r = repo.run("serve", "token", "add", "im-bot", "--scope", "workflow")
    assert r.code != 0 and r.out == "", "no token is printed for a change that was not made"
    assert (repo.root / ".desk" / "config.yaml").read_bytes() == before
    (lock / f"{branch}.lock").unlink()
    assert repo.ok("serve", "token", "add", "im-bot", "--scope", "workflow").out.strip() != token
