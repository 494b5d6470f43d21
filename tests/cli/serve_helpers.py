"""Helpers for the end-to-end tests of `desk serve`: a server on a free loopback port that
stops by itself, a sendmail stand-in that keeps each message in a folder, and a small HTTP
client with a cookie jar (only the standard library)."""
import email
import email.policy
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

from conftest import DESK_BIN, write_config


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def mail_folder_sendmail(tmp, folder):
    """A sendmail-compatible program (reads the message on stdin) that stores it in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    script = tmp / "fake-sendmail"
    script.write_text(
        "#!/usr/bin/python3\n"
        "import sys, time, os\n"
        f"folder = {str(folder)!r}\n"
        "data = sys.stdin.buffer.read()\n"
        "name = os.path.join(folder, '%d.eml' % time.time_ns())\n"
        "open(name + '.tmp', 'wb').write(data)\n"
        "os.rename(name + '.tmp', name)\n"
    )
    script.chmod(0o755)
    return script


def read_mails(folder):
    """Every message in the folder, oldest first, parsed."""
    out = []
    for p in sorted(folder.glob("*.eml")):
        out.append(email.message_from_bytes(p.read_bytes(), policy=email.policy.default))
    return out


def link_in(message):
    body = message.get_body(preferencelist=("plain",)).get_content()
    m = re.search(r"(https?://\S+/signin/confirm\?k=\S+)", body)
    assert m, body
    return m.group(1)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_named(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"Response({self.status}, {self.body[:400]!r})"


class Client:
    """HTTP/1.1 to the server, keeping cookies like a browser (no redirects followed)."""

    def __init__(self, base, accept_language="en"):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port
        self.cookies = {}
        self.accept_language = accept_language

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        h = {"Accept-Language": self.accept_language}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        headers_list = r.getheaders()
        conn.close()
        for k, v in headers_list:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
        return Response(r.status, headers_list, data)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def csrf(self, path="/signin"):
        page = self.get(path).text
        m = re.search(r'name="csrf" value="([^"]+)"', page)
        assert m, page
        return m.group(1)

    def post_form(self, path, fields, files=None, headers=None):
        if files is None:
            body = urllib.parse.urlencode(fields).encode()
            h = {"Content-Type": "application/x-www-form-urlencoded"}
        else:
            boundary = uuid.uuid4().hex
            parts = []
            for k, v in fields.items():
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode()
                             + str(v).encode() + b"\r\n")
            for field, name, data in files:
                parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
                             f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            h = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h)

    def api(self, method, path, token, payload=None):
        h = {"Authorization": f"Bearer {token}"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            h["Content-Type"] = "application/json"
        return self.request(method, path, body=body, headers=h)


class Server:
    """`desk serve` on a free loopback port of the repository; stops on exit (SIGTERM)."""

    def __init__(self, desk, env=None):
        self.desk = desk
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = env or {}
        self.proc = None
        self.log_path = desk.root.parent / f"serve-{self.port}.log"

    def __enter__(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [DESK_BIN, "serve", "--listen", f"127.0.0.1:{self.port}"],
            cwd=str(self.desk.root), env=self.desk.env(**self.env),
            stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"desk serve exited {self.proc.returncode}: {self.log_text()}")
            if "listening on" in self.log_text():
                return self
            time.sleep(0.05)
        raise AssertionError(f"desk serve did not start: {self.log_text()}")

    def log_text(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __exit__(self, *exc):
        self.stop()
        self.log.close()

    def client(self, **kw):
        return Client(self.base, **kw)


def setup_portal(desk, tmp, **serve):
    """Configure sign-in mail into a folder; returns that folder."""
    folder = tmp / "mails"
    script = mail_folder_sendmail(tmp, folder)

    def mutate(cfg):
        cfg["serve"] = {**cfg.get("serve", {}), **serve}
        cfg["mail"] = {**(cfg.get("mail") or {}), "address": "desk@example.com", "name": "IT 服务台",
                       "sendmail": [str(script)]}
    write_config(desk, mutate)
    return folder


def sign_in(server, folder, address, client=None):
    """A client signed in as `address` with the link mailed to it."""
    c = client or server.client()
    before = len(read_mails(folder))
    r = c.post_form("/signin", {"csrf": c.csrf(), "email": address})
    assert r.status == 200, r
    mails = read_mails(folder)
    assert len(mails) == before + 1
    link = link_in(mails[-1])
    path = link[len(server.base):]
    page = c.get(path)
    assert page.status == 200, page
    token = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)["k"][0]
    r = c.post_form("/signin/confirm", {"csrf": c.csrf(path), "k": token})
    assert r.status == 303 and r.header("Location") == "/requests", r
    return c


def api_token(desk, name="monitor", scopes="open,read,message,reply,workflow"):
    return desk.ok("serve", "token", "add", name, "--scope", scopes).out.strip()
