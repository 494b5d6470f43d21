"""Helpers for the mail end-to-end tests: the desk-mail companion beside desk, a local
SMTP server (python3-aiosmtpd on 127.0.0.1, a free port, stopped at the end of the test)
and msmtp configured to deliver to it, and builders for the mail shapes clients send."""
import base64
import email
import email.policy
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import DESK_BIN, SOURCE_DIR

MAIL_BIN = str(Path(DESK_BIN).resolve().parent / "desk-mail")

# sysexits, as desk mail receive uses them.
EX_OK, EX_DATAERR, EX_TEMPFAIL = 0, 65, 75

MAIL_DATA = SOURCE_DIR.parent / "shared" / "data" / "mail"


def mail_data_dir():
    """The shared corpus of real mails beside the clone (never copied into the repository)."""
    if not (MAIL_DATA / "MANIFEST.json").is_file():
        pytest.skip(f"the shared mail corpus is not at {MAIL_DATA} (CI places ../shared beside the clone)")
    return MAIL_DATA


def run_mail(args, input=None, env=None, cwd=None, timeout=60):
    """Run desk-mail ARGS; input is bytes; returns CompletedProcess with text stdout/stderr."""
    proc = subprocess.run([MAIL_BIN, *map(str, args)], input=input, capture_output=True, env=env, cwd=cwd,
                          timeout=timeout)
    proc.out = proc.stdout.decode("utf-8", "replace")
    proc.err = proc.stderr.decode("utf-8", "replace")
    return proc


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps every message it is given."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        self.fail_with = None  # e.g. "451 4.3.0 try later" to refuse
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                if sink.fail_with:
                    return sink.fail_with
                sink.messages.append((envelope.rcpt_tos, envelope.original_content or envelope.content))
                return "250 OK"

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self.controller.start()

    def stop(self):
        self.controller.stop()

    def wait_for(self, n, timeout=10):
        end = time.time() + timeout
        while len(self.messages) < n and time.time() < end:
            time.sleep(0.02)
        return [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in self.messages]

    def parsed(self):
        return [email.message_from_bytes(raw, policy=email.policy.default) for _, raw in self.messages]


def msmtp_config(path: Path, port: int):
    path.write_text(
        "defaults\nauth off\ntls off\nlogfile -\n"
        f"account local\nhost 127.0.0.1\nport {port}\nfrom helpdesk@example.com\n"
        "account default : local\n")
    path.chmod(0o600)
    return path


def configure_mail(desk, sendmail, extra=""):
    """Add a mail section (and team member emails) to the repository's config."""
    cfg = desk.root / ".desk" / "config.yaml"
    text = cfg.read_text()
    text = text.replace(
        "teams: {}",
        "teams:\n  service-desk:\n    tier: 1\n"
        "    members: [{name: alice, email: alice@example.com}, {name: bob, email: bob@example.com}]\n"
        "    supervisor: {name: carol, email: carol@example.com}\n")
    sendmail_yaml = "[" + ", ".join(f'"{a}"' for a in sendmail) + "]"
    text += f"\nmail:\n  address: helpdesk@example.com\n  name: IT 服务台\n  sendmail: {sendmail_yaml}\n{extra}"
    cfg.write_text(text)


def b64(s, charset):
    return base64.b64encode(s.encode(charset)).decode()


def encoded_word(s, charset):
    return f"=?{charset}?B?{b64(s, charset)}?="


def plain_mail(frm, subject, body, *, to="helpdesk@example.com", message_id=None, in_reply_to=None,
               references=None, extra_headers="", charset="utf-8"):
    """A simple text/plain mail as bytes (UTF-8 headers encoded, body base64 in `charset`)."""
    if not subject.isascii():
        subject = encoded_word(subject, "utf-8")
    if not frm.isascii():
        name, _, addr = frm.rpartition(" ")
        frm = f"{encoded_word(name, 'utf-8')} {addr}"
    headers = [f"From: {frm}", f"To: {to}", f"Subject: {subject}",
               f"Message-ID: <{message_id or str(time.time_ns()) + '@client.example'}>",
               "Date: Thu, 03 Dec 2026 10:00:00 +0800", "MIME-Version: 1.0",
               f"Content-Type: text/plain; charset={charset}", "Content-Transfer-Encoding: base64"]
    if in_reply_to:
        headers.append(f"In-Reply-To: <{in_reply_to}>")
    if references:
        headers.append("References: " + " ".join(f"<{r}>" for r in references))
    if extra_headers:
        headers.append(extra_headers.rstrip("\n"))
    return ("\r\n".join(headers) + "\r\n\r\n" + b64(body, charset) + "\r\n").encode("ascii")


def desk_mail(desk, *args, input=b"", env=None, timeout=60):
    """`desk mail ARGS` in the repository (through desk, which hands over to desk-mail);
    input is bytes. Returns the CompletedProcess with .out and .err as text."""
    proc = subprocess.run([DESK_BIN, "mail", *map(str, args)], input=input, capture_output=True,
                          cwd=str(desk.root), env=desk.env(**(env or {})), timeout=timeout)
    proc.out = proc.stdout.decode("utf-8", "replace")
    proc.err = proc.stderr.decode("utf-8", "replace")
    proc.code = proc.returncode
    return proc


def receive(desk, raw, expect=EX_OK, env=None):
    """Pipe one message into `desk mail receive` and check the exit code."""
    proc = desk_mail(desk, "receive", input=raw, env=env)
    assert proc.code == expect, f"exit {proc.code}: {proc.out}\n{proc.err}"
    return proc


def folder_sendmail(tmp_path):
    """A sendmail-compatible program that writes each message to a folder (no mail server)."""
    out = tmp_path / "outbox"
    out.mkdir(exist_ok=True)
    script = tmp_path / "sendmail-to-folder"
    script.write_text("#!/bin/sh\n# sendmail -t: the message on stdin\n"
                      f"n=$(ls '{out}' | wc -l)\ncat > '{out}'/$(printf %04d $n).eml\n")
    script.chmod(0o755)
    return [str(script), "-t", "-oi"], out


def sent_messages(out):
    """The messages a folder_sendmail wrote, parsed, in order."""
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(out.glob("*.eml"))]


def ticket_ids(desk):
    return sorted(p.stem for p in (desk.root / "tickets").glob("*/*/*.yaml"))
