"""A requester in a real browser (Debian's chromium through Selenium) signs in with the link
that arrived over SMTP (msmtp → a local aiosmtpd sink), files a request with a Chinese
title and a screenshot, follows it, and confirms the fix an engineer made with `desk`.
Screenshots of each page are kept in $DESK_TEST_OUTPUT/serve-browser (default /tmp/desk-test-output)."""
import email
import email.policy
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import git, write_config
from serve_helpers import Server, free_port

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
MSMTP = shutil.which("msmtp")

pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER and MSMTP),
                                reason="needs chromium, chromium-driver and msmtp (.ci/bootstrap installs them)")


class Sink:
    """An SMTP server on loopback keeping every message it is given."""

    def __init__(self):
        from aiosmtpd.controller import Controller
        self.messages = []
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    def wait(self, count, timeout=20):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, "no mail arrived"
        return self.messages[count - 1]


def browser(profile):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", "--window-size=420,900", "--lang=zh-CN"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


def until(b, check, what):
    """Wait (up to 20 s) until the page the browser navigated to passes `check`."""
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(b, 20).until(lambda _: check(), message=what)


def test_requester_files_and_confirms_in_a_real_browser(desk, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    out = Path(os.environ.get("DESK_TEST_OUTPUT", "/tmp/desk-test-output")) / "serve-browser"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    git(desk.root, "init", "-q")
    with Sink() as sink:
        def portal(cfg):
            cfg["git"]["autocommit"] = True
            cfg["mail"] = {"address": "desk@example.com", "name": "IT 服务台",
                           "sendmail": [MSMTP, "--host=127.0.0.1", f"--port={sink.port}", "--auth=off", "--tls=off",
                                        "--from=desk@example.com", "-t"]}
        write_config(desk, portal)
        git(desk.root, "add", "-A")
        git(desk.root, "commit", "-q", "-m", "desk init")
        profile = tempfile.mkdtemp(prefix="desk-chromium-", dir=tmp_path)
        with Server(desk) as s:
            b = browser(profile)
            try:
                b.set_page_load_timeout(30)
                b.get(s.base + "/signin")
                assert "登录" in b.title
                b.save_screenshot(str(out / "1-signin.png"))
                b.find_element(By.ID, "email").send_keys("chen.jing@example.com")
                b.find_element(By.CSS_SELECTOR, "form[action='/signin'] button").click()
                until(b, lambda: "请查收邮件" in b.page_source, "the link-sent page")
                mail = sink.wait(1)
                assert mail["To"] == "chen.jing@example.com" and "登录" in mail["Subject"]
                link = re.search(r"(http://\S+/signin/confirm\?k=\S+)", mail.get_body().get_content()).group(1)
                b.get(link)
                b.find_element(By.ID, "confirm-signin").click()
                until(b, lambda: b.current_url.endswith("/requests"), "My requests after signing in")
                b.save_screenshot(str(out / "2-my-requests-empty.png"))

                shot = out / "screenshot-of-the-error.png"
                b.save_screenshot(str(shot))
                b.get(s.base + "/new")
                b.find_element(By.ID, "title").send_keys("打印机脱机，无法打印报销单")
                b.find_element(By.ID, "description").send_keys("三楼东侧的打印机显示脱机。\n重启电脑也不行。")
                b.find_element(By.ID, "steps").send_keys("重启了电脑和打印机")
                b.find_element(By.ID, "error").send_keys("错误 0x00000709：操作无法完成")
                b.find_element(By.ID, "affected").send_keys("HP-3F-East")
                Select(b.find_element(By.ID, "impact")).select_by_value("department")
                Select(b.find_element(By.ID, "urgency")).select_by_value("high")
                b.find_element(By.ID, "reporter").send_keys("陈静")
                b.find_element(By.ID, "files").send_keys(str(shot))
                b.save_screenshot(str(out / "3-new-request.png"))
                b.find_element(By.ID, "submit").click()
                until(b, lambda: re.search(r"/requests/[A-Z]+-[0-9A-Z]+$", b.current_url), "the new request's page")
                m = re.search(r"/requests/([A-Z]+-[0-9A-Z]+)$", b.current_url)
                assert m, b.current_url
                tid = m.group(1)
                assert "打印机脱机，无法打印报销单" in b.page_source and "已受理" in b.page_source
                b.save_screenshot(str(out / "4-request.png"))
                b.get(s.base + "/requests")
                assert tid in b.page_source
                b.save_screenshot(str(out / "5-my-requests.png"))

                # The engineer, at the shell.
                desk.user = "bob"
                desk.ok("triage", tid, "--category", "end-user-device")
                desk.ok("assign", tid, "--to", "bob")
                desk.ok("start", tid)
                desk.ok("log", tid, "-m", "驱动损坏，内部记录")
                desk.ok("resolve", tid, "--solution", "重新安装打印机驱动", "--verified-by", "bob",
                        "--verification", "打印测试页成功")

                b.get(s.base + f"/requests/{tid}")
                assert "已解决，请确认" in b.page_source and "内部记录" not in b.page_source
                b.save_screenshot(str(out / "6-resolved.png"))
                b.find_element(By.CSS_SELECTOR, "input[name='rating'][value='4']").click()
                b.find_element(By.ID, "confirm-note").send_keys("可以打印了，谢谢")
                b.find_element(By.ID, "confirm-button").click()
                until(b, lambda: "已确认" in b.page_source, "the confirmed request")
                b.save_screenshot(str(out / "7-confirmed.png"))
            finally:
                b.quit()

    t = desk.load(tid)
    assert t["title"] == "打印机脱机，无法打印报销单" and t["channel"] == "portal"
    assert t["email"] == "chen.jing@example.com" and t["reporter"] == "陈静"
    assert t["status"] == "confirmed" and t["rating"] == "4"
    assert t["attachments"] == ["screenshot-of-the-error.png"]
    stored = desk.path_of(tid).parent / f"{tid}.files" / "screenshot-of-the-error.png"
    assert stored.read_bytes() == shot.read_bytes()
    steps = [(e["action"], e["by"]) for e in t["events"]]
    assert steps == [("open", "chen.jing@example.com"), ("triage", "bob"), ("assign", "bob"), ("start", "bob"),
                     ("log", "bob"), ("resolve", "bob"), ("confirm", "chen.jing@example.com")], steps
    log = git(desk.root, "log", "--format=%an|%s")
    lines = [line for line in log.splitlines() if tid in line]
    assert len(lines) == 7, log
    assert lines[0].startswith("chen.jing@example.com|") and lines[-1].startswith("chen.jing@example.com|")
    assert git(desk.root, "status", "--porcelain", "tickets") == ""
    assert desk.ok("doctor").out.startswith("ok:")
    for name in ("1-signin", "4-request", "7-confirmed"):
        assert (out / f"{name}.png").stat().st_size > 1000
