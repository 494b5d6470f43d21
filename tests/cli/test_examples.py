"""The recipes in examples/: chat webhook hooks (against a loopback HTTP server), the
crontab's commands, the systemd units, and the pre-receive hook that runs `desk doctor`."""
import http.server
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import DESK_BIN, SOURCE_DIR, git, git_run
from workflow_helpers import bring_to

EXAMPLES = SOURCE_DIR / "examples"


class Webhook:
    """A chat webhook on 127.0.0.1: records each POST body; stops itself after `lifetime` s."""

    def __init__(self, lifetime=60):
        self.bodies = []
        received = self.bodies

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                received.append((self.path, self.headers.get("Content-Type"), self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/service-desk"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        self.timer = threading.Timer(lifetime, self.server.shutdown)
        self.timer.daemon = True

    def __enter__(self):
        self.thread.start()
        self.timer.start()
        return self

    def __exit__(self, *exc):
        self.timer.cancel()
        self.server.shutdown()
        self.server.server_close()


def install_example_hook(desk, example, event, text=None):
    hooks = desk.root / ".desk" / "hooks"
    hooks.mkdir(exist_ok=True)
    target = hooks / event
    target.write_text(text if text is not None else (EXAMPLES / "hooks" / example).read_text(encoding="utf-8"),
                      encoding="utf-8")
    target.chmod(0o755)


def need(tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")


def test_curl_hook_posts_the_json_desk_sends_to_the_webhook(desk):
    need("curl")
    example = (EXAMPLES / "hooks" / "escalate").read_text(encoding="utf-8")
    assert example.startswith("#!/usr/bin/curl -K\n")  # run without a shell
    with Webhook() as hook:
        install_example_hook(desk, "escalate", "open",
                             example.replace("https://chat.example.com/hooks/service-desk", hook.url))
        r = desk.ok("open", "--title", "打印机卡纸 paper jam", "--channel", "phone")
        assert "warning" not in r.err, r.err
        assert len(hook.bodies) == 1
        path, content_type, body = hook.bodies[0]
    assert path == "/hooks/service-desk" and content_type == "application/json"
    payload = json.loads(body)
    assert payload["hook"] == "open"
    assert payload["ticket"]["title"] == "打印机卡纸 paper jam"
    assert payload["event"]["action"] == "open"


def test_curl_hook_that_cannot_post_is_a_warning_and_the_change_stays(desk):
    need("curl")
    with Webhook() as hook:
        closed_url = hook.url
    example = (EXAMPLES / "hooks" / "escalate").read_text(encoding="utf-8")
    install_example_hook(desk, "escalate", "open", example.replace("https://chat.example.com/hooks/service-desk", closed_url))
    r = desk.ok("open", "--title", "nobody listens")
    assert "desk: warning: hook" in r.err
    assert len(desk.ok("list", "--format", "json").json()) == 1


def test_chat_message_hook_posts_one_line_of_text(desk):
    need("curl")
    with Webhook() as hook:
        install_example_hook(desk, "sla-breach", "resolve")
        desk.extra_env["CHAT_WEBHOOK_URL"] = hook.url
        tid = bring_to(desk, "resolved", title="VPN 无法连接")
        assert len(hook.bodies) == 1
        _, content_type, body = hook.bodies[0]
    assert content_type == "application/json"
    text = json.loads(body)["text"]
    assert text.startswith(f"resolve: {tid} [") and "VPN 无法连接" in text


def test_chat_message_hook_without_an_address_says_so(desk):
    install_example_hook(desk, "sla-breach", "open")
    r = desk.ok("open", "--title", "no webhook configured")
    assert "CHAT_WEBHOOK_URL is not set" in r.err


def cron_commands():
    """The crontab's job commands, as cron runs them (\\% → %)."""
    jobs = []
    for line in (EXAMPLES / "cron" / "crontab").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "=" in line.split()[0]:
            continue
        fields = line.split(None, 5)
        assert len(fields) == 6, line
        jobs.append(fields[5].replace("\\%", "%"))
    return jobs


def test_crontab_commands_run_against_a_repository(desk, tmp_path):
    jobs = cron_commands()
    assert [j.split()[1] for j in jobs] == ["sla", "close", "report"]
    bring_to(desk, "resolved")
    reports = tmp_path / "reports"
    reports.mkdir()
    bin_dir = Path(DESK_BIN).resolve().parent
    for job in jobs:
        job = job.replace("/srv/helpdesk-reports", str(reports))
        env = desk.env(DESK_DIR=str(desk.root), PATH=f"{bin_dir}:/usr/bin:/bin")
        r = subprocess.run(["sh", "-c", job], capture_output=True, text=True, env=env, cwd=str(tmp_path), timeout=60)
        assert r.returncode == 0, (job, r.stderr)
    pages = list(reports.glob("review-*.html"))
    assert len(pages) == 1 and "<svg" in pages[0].read_text(encoding="utf-8")


def test_systemd_units_pass_systemd_analyze_verify(desk, tmp_path):
    need("systemd-analyze")
    units = sorted((EXAMPLES / "systemd").iterdir())
    assert {u.suffix for u in units} == {".service", ".timer"}
    for unit in units:
        text = unit.read_text(encoding="utf-8")
        text = text.replace("/usr/bin/desk", str(Path(DESK_BIN).resolve()))
        text = text.replace("/srv/helpdesk-reports", str(tmp_path)).replace("/srv/helpdesk", str(desk.root))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", *[str(tmp_path / u.name) for u in units]],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert not [line for line in r.stderr.splitlines() if str(tmp_path) in line or "desk-" in line], r.stderr


def test_pre_receive_hook_refuses_a_push_that_desk_doctor_finds_broken(tmp_path):
    need("git")
    env = {**os.environ, "PATH": f"{Path(DESK_BIN).resolve().parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
           "GIT_AUTHOR_NAME": "alice", "GIT_AUTHOR_EMAIL": "alice@example.com", "GIT_COMMITTER_NAME": "alice",
           "GIT_COMMITTER_EMAIL": "alice@example.com", "DESK_USER": "alice", "DESK_NOW": "2026-11-27T10:00:00+08:00"}
    env = {k: v for k, v in env.items() if k != "DESK_DIR"}
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", server)
    shutil.copy(EXAMPLES / "git" / "pre-receive", server / "hooks" / "pre-receive")
    (server / "hooks" / "pre-receive").chmod(0o755)
    work = tmp_path / "helpdesk"
    git(tmp_path, "init", "-q", "-b", "main", work, env=env)
    subprocess.run([DESK_BIN, "init", str(work)], check=True, capture_output=True, env=env)
    tid = subprocess.run([DESK_BIN, "open", "-q", "--title", "VPN 无法连接"], cwd=str(work), check=True,
                         capture_output=True, text=True, env=env).stdout.strip()
    git(work, "add", "-A", env=env)  # the config, beside the committed ticket
    git(work, "commit", "-q", "-m", "ticket repository", env=env)
    git(work, "remote", "add", "origin", server)
    git(work, "push", "-q", "origin", "main", env=env)

    ticket = next((work / "tickets").glob(f"*/*/{tid}.yaml"))
    ticket.write_text(ticket.read_text(encoding="utf-8").replace("status: new", "status: nonsense"), encoding="utf-8")
    git(work, "commit", "-q", "-am", "hand edit", env=env)
    r = git_run(work, "push", "-q", "origin", "main", env=env)
    assert r.returncode != 0
    assert "desk doctor refuses refs/heads/main" in r.stderr and "nonsense" in r.stderr
    remote = [line for line in r.stderr.splitlines() if line.startswith("remote:")]
    assert any(f"{tid}.yaml:" in line and line.split()[1].startswith("tickets/") for line in remote), remote
