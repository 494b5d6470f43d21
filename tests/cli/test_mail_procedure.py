"""The whole procedure by mail, with real parts: msmtp as the sendmail program, a local
SMTP server (aiosmtpd on 127.0.0.1) receiving what desk sends, and answers shaped the way
Outlook, Gmail, Foxmail and QQ Mail write them piped back into `desk mail receive`."""
import base64
import re
import shutil
import signal
import subprocess
import time
import urllib.parse

import pytest

from mail_helpers import (EX_OK, SmtpSink, b64, configure_mail, desk_mail, encoded_word, folder_sendmail,
                          msmtp_config, plain_mail, receive, sent_messages, ticket_ids)

pytestmark = pytest.mark.skipif(shutil.which("msmtp") is None, reason="msmtp is not installed")


@pytest.fixture
def smtp():
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture
def mail_desk(desk, tmp_path, smtp):
    cfg = msmtp_config(tmp_path / "msmtprc", smtp.port)
    configure_mail(desk, ["/usr/bin/msmtp", "-C", str(cfg), "-t"])
    return desk


def send(desk, expect=0):
    proc = desk_mail(desk, "send")
    assert proc.code == expect, f"{proc.out}\n{proc.err}"
    return proc


def mid(m):
    return m["Message-ID"].strip().strip("<>")


def body(m):
    part = m.get_body(preferencelist=("plain",))
    return part.get_content()


def outlook_reply(to_mail, text, frm="Zhang San <zhang@example.cn>"):
    """Outlook (Chinese): GB2312 subject, base64 GBK body, the 发件人: block below."""
    quoted = f"{text}\r\n\r\n发件人: IT 服务台 <helpdesk@example.com>\r\n发送时间: 2026年12月3日 10:00\r\n" \
             f"收件人: 张三\r\n主题: {to_mail['Subject']}\r\n\r\n{body(to_mail)}"
    return plain_mail(frm, encoded_word("答复: " + to_mail["Subject"], "gb2312"), quoted, charset="gbk",
                      in_reply_to=mid(to_mail), references=[mid(to_mail)], message_id=f"ol{time.time_ns()}@outlook.example")


def gmail_reply(to_mail, text, frm="Zhang San <zhang@example.cn>"):
    quoted = f"{text}\n\nOn Thu, Dec 3, 2026 at 10:00 AM IT <helpdesk@example.com> wrote:\n" + \
             "".join("> " + l + "\n" for l in body(to_mail).splitlines())
    return plain_mail(frm, "Re: " + to_mail["Subject"], quoted, in_reply_to=mid(to_mail),
                      references=[mid(to_mail)], message_id=f"gm{time.time_ns()}@mail.gmail.example")


def foxmail_html_reply(to_mail, text, subject=None, frm="Zhang San <zhang@example.cn>"):
    """Foxmail: HTML only, quoted-printable UTF-8, 在 … 写道： above the quote."""
    html = f"<html><body><div>{text}</div><div><br></div><div>在 2026-12-03 10:00，IT 服务台 写道：</div>" \
           f"<blockquote>{body(to_mail)}</blockquote></body></html>"
    qp = html.encode("utf-8")
    import quopri
    return ("From: " + frm + "\r\nTo: helpdesk@example.com\r\nSubject: " + encoded_word(subject or ("回复：" + to_mail["Subject"]), "utf-8") +
            f"\r\nMessage-ID: <fx{time.time_ns()}@foxmail.example>\r\nIn-Reply-To: <{mid(to_mail)}>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            ).encode() + quopri.encodestring(qp) + b"\r\n"


def qq_reply(to_mail, text, frm="Zhang San <zhang@example.cn>"):
    """QQ Mail: GB18030 base64 HTML with the 原始邮件 separator."""
    html = f"<div>{text}</div><div>&nbsp;</div><div>------------------&nbsp;原始邮件&nbsp;------------------</div>" \
           f"<div>发件人: \"IT\"&lt;helpdesk@example.com&gt;;</div><div>{body(to_mail)}</div>"
    return ("From: " + frm + "\r\nTo: helpdesk@example.com\r\nSubject: " + encoded_word("回复：" + to_mail["Subject"], "gb18030") +
            f"\r\nMessage-ID: <qq{time.time_ns()}@qq.example>\r\nIn-Reply-To: <{mid(to_mail)}>\r\n"
            f"References: <{mid(to_mail)}>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=\"gb18030\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + base64.encodebytes(html.encode("gb18030"))


def test_the_whole_procedure_by_mail(mail_desk, smtp):
    desk = mail_desk
    desk.now = "2026-12-03T09:30:00+08:00"
    request = plain_mail(f"{encoded_word('张三', 'gb2312')} <zhang@example.cn>", encoded_word("邮箱无法登录", "gb2312"),
                         "从今天早上开始 Outlook 一直提示密码错误。", charset="gbk", message_id="req1@outlook.example")
    receive(desk, request)
    tid = ticket_ids(desk)[0]

    # The acknowledgement: id, priority, due times, threading, RFC 3834 headers.
    send(desk)
    [ack] = smtp.wait_for(1)
    assert ack["To"].addresses[0].addr_spec == "zhang@example.cn"
    assert ack["Subject"].startswith(f"[{tid}]") and "邮箱无法登录" in ack["Subject"]
    assert "=?" in smtp.messages[0][1].decode().split("\n\n")[0] or "=?" in smtp.messages[0][1].decode()
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["X-Loop"] == "helpdesk@example.com"
    assert ack["From"].addresses[0].addr_spec == "helpdesk@example.com"
    assert ack["Reply-To"].addresses[0].addr_spec == "helpdesk@example.com"
    assert mid(ack).startswith(tid + ".")
    assert ack["In-Reply-To"].strip("<>") == "req1@outlook.example"
    t = desk.load(tid)
    text = body(ack)
    assert tid in text and t["priority"] in text
    assert "预计响应时间" in text and "预计解决时间" in text
    notified = [e for e in t["events"] if e["action"] == "notified"]
    assert len(notified) == 1 and notified[0]["message_id"] == mid(ack)
    # Sending again sends nothing: the notice is answered.
    send(desk)
    time.sleep(0.2)
    assert len(smtp.messages) == 1

    # The engineer works, replies and asks a question.
    desk.ok("triage", tid, "--category", "application")
    desk.ok("assign", tid, "--to", "bob")
    desk.ok("start", tid)
    has_reply = re.search(r"^\s+reply\b", desk.ok("--help").out, re.M) is not None
    if has_reply:
        desk.ok("reply", tid, "-m", "我们正在检查您的账号。", "--eta", "2026-12-03T17:00:00+08:00")
    desk.ok("pending", tid, "--reason", "awaiting-user", "-m", "请问您最近修改过密码吗？")
    send(desk)
    msgs = smtp.wait_for(5 if has_reply else 3)
    to_user = [m for m in msgs if m["To"].addresses[0].addr_spec == "zhang@example.cn"]
    to_bob = [m for m in msgs if m["To"].addresses[0].addr_spec == "bob@example.com"]
    assert len(to_bob) == 1 and to_bob[0]["Auto-Submitted"] == "auto-generated"
    assert "[" + tid + "]" in to_bob[0]["Subject"]
    if has_reply:
        reply_mail = next(m for m in to_user if "我们正在检查" in body(m))
        assert "2026-12-03 17:00" in body(reply_mail)
    question = next(m for m in to_user if "修改过密码" in body(m))
    refs = question["References"].split()
    assert "<req1@outlook.example>" == refs[0] and f"<{mid(ack)}>" in refs

    # The user's answer (Gmail) resumes the ticket; the quoted history is cut.
    desk.now = "2026-12-03T11:00:00+08:00"
    receive(desk, gmail_reply(question, "是的，昨天改过。"))
    t = desk.load(tid)
    assert t["status"] == "in_progress"
    msg = [e for e in t["events"] if e["action"] == "message"][-1]
    assert msg["note"].startswith("是的，昨天改过。")
    assert "wrote:" not in msg["note"] and "修改过密码" not in msg["note"]

    # Resolve: the mail offers one-click confirm and reopen links.
    desk.ok("resolve", tid, "--solution", "重置了缓存的旧密码。", "--verified-by", "bob")
    send(desk)
    resolved = next(m for m in smtp.wait_for(len(smtp.messages) + 1) if "重置了缓存的旧密码" in body(m))
    links = re.findall(r"mailto:\S+", body(resolved))
    subjects = [urllib.parse.unquote(urllib.parse.urlparse(l).query.split("subject=", 1)[1]) for l in links]
    assert f"[{tid}] confirm 4" in subjects and f"[{tid}] reopen" in subjects
    assert resolved.get_body(preferencelist=("html",)) is not None

    # The user clicks "confirm 4" (Foxmail, HTML only): confirmed with rating 4.
    desk.now = "2026-12-03T14:00:00+08:00"
    receive(desk, foxmail_html_reply(resolved, "好了，谢谢！", subject=f"[{tid}] confirm 4"))
    t = desk.load(tid)
    assert t["status"] == "confirmed" and t["rating"] == "4"
    desk.ok("close", tid)
    n = len(smtp.messages)
    send(desk)
    closed = smtp.wait_for(n + 1)[-1]
    assert closed["Subject"].startswith(f"[{tid}]") and "已关闭" in closed["Subject"]
    # One notice per event, each recorded once.
    t = desk.load(tid)
    answered = [(e["answers"], e["audience"]) for e in t["events"] if e["action"] == "notified"]
    assert len(answered) == len(set(answered))


def test_clients_answers_thread_into_the_ticket(mail_desk, smtp):
    desk = mail_desk
    desk.now = "2026-12-03T09:30:00+08:00"
    receive(desk, plain_mail("Li Si <lisi@example.cn>", "打印机卡纸", "三楼打印机卡纸。", message_id="p1@qq.example"))
    tid = ticket_ids(desk)[0]
    send(desk)
    [ack] = smtp.wait_for(1)
    for shape in (outlook_reply, qq_reply, gmail_reply):
        receive(desk, shape(ack, f"补充信息 {shape.__name__}", frm="Li Si <lisi@example.cn>"))
    t = desk.load(tid)
    notes = [e["note"] for e in t["events"] if e["action"] == "message"]
    assert len(notes) == 3 and len(ticket_ids(desk)) == 1
    for shape, note in zip(("outlook_reply", "qq_reply", "gmail_reply"), notes):
        assert note.startswith(f"补充信息 {shape}"), note
        assert "三楼打印机" not in note and "原始邮件" not in note and "发件人" not in note, note


def test_a_resolved_ticket_reopens_by_mail_and_a_closed_one_starts_a_new_linked_ticket(mail_desk, smtp):
    desk = mail_desk
    desk.now = "2026-12-03T09:30:00+08:00"
    receive(desk, plain_mail("wang@example.cn", "VPN", "VPN 连不上", message_id="v1@x"))
    tid = ticket_ids(desk)[0]
    for step in (["triage", tid, "--category", "network"], ["assign", tid, "--to", "alice"], ["start", tid],
                 ["resolve", tid, "--solution", "换了证书", "--verified-by", "alice"]):
        desk.ok(*step)
    send(desk)
    resolved = next(m for m in smtp.wait_for(2) if "换了证书" in body(m))
    receive(desk, plain_mail("wang@example.cn", f"[{tid}] reopen", "还是不行", message_id="v2@x",
                             in_reply_to=mid(resolved)))
    assert desk.load(tid)["status"] == "reopened"
    desk.ok("start", tid)
    desk.ok("resolve", tid, "--solution", "重装客户端", "--verified-by", "alice")
    desk.ok("confirm", tid, "--rating", "5")
    desk.ok("close", tid)
    receive(desk, gmail_reply(resolved, "又坏了", frm="wang@example.cn"))
    ids = ticket_ids(desk)
    assert len(ids) == 2
    new = next(i for i in ids if i != tid)
    assert tid in str(desk.load(new).get("related"))


def test_sendmail_failures_are_retried_with_backoff_and_shown(mail_desk, smtp):
    desk = mail_desk
    desk.now = "2026-12-03T09:30:00+08:00"
    receive(desk, plain_mail("a@example.cn", "x", "y", message_id="f1@x"))
    smtp.fail_with = "451 4.3.0 try again later"
    send(desk, expect=1)
    st = desk_mail(desk, "status")
    assert "1 failed attempt" in st.out
    send(desk, expect=0)  # within the backoff: nothing tried
    for minute in ("09:32", "09:40", "10:00"):
        desk.now = f"2026-12-03T{minute}:00+08:00"
        desk_mail(desk, "send")
    st = desk_mail(desk, "status")
    assert st.code == 1 and "failing:  1" in st.out
    doc = desk.run("doctor")
    assert "mail" in doc.out + doc.err and "failing" in (doc.out + doc.err)
    smtp.fail_with = None
    desk.now = "2026-12-03T18:00:00+08:00"
    send(desk)
    assert len(smtp.wait_for(1)) == 1
    assert desk_mail(desk, "status").code == 0


def test_a_send_killed_midway_loses_nothing(desk, tmp_path):
    marker = tmp_path / "started"
    slow = tmp_path / "slow-sendmail"
    slow.write_text(f"#!/bin/sh\ntouch '{marker}'\nsleep 30\ncat > /dev/null\n")
    slow.chmod(0o755)
    configure_mail(desk, [str(slow), "-t"])
    desk.now = "2026-12-03T09:30:00+08:00"
    receive(desk, plain_mail("a@example.cn", "x", "y", message_id="k1@x"))
    proc = subprocess.Popen([desk_mail.__globals__["DESK_BIN"], "mail", "send"], cwd=desk.root, env=desk.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    end = time.time() + 20
    while not marker.exists() and time.time() < end:
        time.sleep(0.05)
    assert marker.exists()
    import os
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    tid = ticket_ids(desk)[0]
    assert not [e for e in desk.load(tid)["events"] if e["action"] == "notified"]
    sendmail, out = folder_sendmail(tmp_path)
    cfg = desk.root / ".desk" / "config.yaml"
    cfg.write_text(cfg.read_text().replace(f'"{slow}", "-t"', ", ".join(f'"{a}"' for a in sendmail)))
    desk_mail(desk, "send")
    assert len(sent_messages(out)) == 1


def test_an_auto_reply_storm_between_desk_and_another_robot_stops(desk, tmp_path):
    """A robot that answers every mail, one that marks itself (Auto-Submitted) and one that
    does not (a new subject each time, no threading): desk answers neither forever."""
    sendmail, out = folder_sendmail(tmp_path)
    configure_mail(desk, sendmail, "  auto_replies_per_hour: 3\n")
    desk.now = "2026-12-03T09:30:00+08:00"
    receive(desk, plain_mail("robot@example.org", "hello", "start", message_id="s0@robot"))
    seen = 0
    for round_ in range(12):
        desk_mail(desk, "send")
        msgs = sent_messages(out)
        for i, m in enumerate(msgs[seen:]):
            receive(desk, plain_mail("robot@example.org", f"Automatic reply {round_}.{i}", "I am away",
                                     message_id=f"s{round_}.{i}@robot"))
            receive(desk, plain_mail("polite-robot@example.org", f"Re: {m['Subject']}", "away",
                                     message_id=f"p{round_}.{i}@robot", in_reply_to=mid(m),
                                     extra_headers="Auto-Submitted: auto-replied"))
        seen = len(msgs)
    to_robot = [m for m in sent_messages(out) if "robot@example.org" == m["To"].addresses[0].addr_spec]
    assert len(to_robot) <= 3
    assert not [m for m in sent_messages(out) if m["To"].addresses[0].addr_spec == "polite-robot@example.org"]
    skipped = [e for t in ticket_ids(desk) for e in desk.load(t)["events"]
               if e["action"] == "notified" and e.get("skipped")]
    assert skipped and "rate limit" in skipped[0]["skipped"]
