"""`desk mail receive`: mail in. New conversations open tickets, replies thread into
them, robots are recorded and never answered, bad mail gets the right sysexits code and
never writes outside the ticket's folder."""
import base64
import os

import yaml

from mail_helpers import (EX_DATAERR, EX_OK, EX_TEMPFAIL, b64, configure_mail, desk_mail, encoded_word,
                          folder_sendmail, plain_mail, receive, sent_messages, ticket_ids)


def only_ticket(desk):
    ids = ticket_ids(desk)
    assert len(ids) == 1, ids
    return ids[0]


def mail_setup(desk, tmp_path, extra=""):
    sendmail, out = folder_sendmail(tmp_path)
    configure_mail(desk, sendmail, extra)
    return out


def make_maildir(tmp_path, messages):
    """A Maildir (new/, cur/, tmp/) with `messages` ({file name: bytes}) in new/."""
    maildir = tmp_path / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    for name, raw in messages.items():
        (maildir / "new" / name).write_bytes(raw)
    return maildir


def test_a_new_conversation_opens_a_ticket_with_the_mail_kept(desk, tmp_path):
    mail_setup(desk, tmp_path)
    raw = plain_mail(f"{encoded_word('张三', 'gbk')} <Zhang.San@Example.cn>", encoded_word("打印机坏了", "gb2312"),
                     "三楼的打印机不能打印。\n错误代码 E-42", charset="gbk", message_id="m1@client.example")
    proc = receive(desk, raw)
    tid = only_ticket(desk)
    assert tid in proc.out
    t = desk.load(tid)
    assert t["title"] == "打印机坏了"
    assert t["reporter"] == "张三"
    assert t["email"] == "zhang.san@example.cn"
    assert t["channel"] == "email"
    assert "错误代码 E-42" in t["description"]
    assert t["events"][0]["message_id"] == "m1@client.example"
    files = list((desk.path_of(tid).parent / f"{tid}.files").iterdir())
    assert any(f.suffix == ".eml" and f.read_bytes() == raw for f in files)


def test_the_same_message_twice_changes_nothing(desk, tmp_path):
    mail_setup(desk, tmp_path)
    raw = plain_mail("a@example.org", "VPN down", "cannot connect", message_id="dup@client.example")
    receive(desk, raw)
    before = desk.snapshot()
    proc = receive(desk, raw)
    assert "already recorded" in proc.out
    assert desk.snapshot() == before


def test_maildir_records_each_message_and_moves_it_to_cur(desk, tmp_path):
    mail_setup(desk, tmp_path)
    messages = {f"17000000{i}.M1P1.host": plain_mail(f"u{i}@example.org", f"request {i}", f"body {i}",
                                                     message_id=f"md{i}@x") for i in range(3)}
    messages["17000009.M1P1.host"] = b"Subject: no sender\r\n\r\nbody\r\n"
    maildir = make_maildir(tmp_path, messages)
    proc = desk_mail(desk, "receive", "--maildir", maildir)
    assert proc.code == EX_DATAERR, proc.err  # one refused, the others recorded
    assert "no sender" in proc.err
    assert len(ticket_ids(desk)) == 3
    assert list((maildir / "new").iterdir()) == []
    names = sorted(p.name for p in (maildir / "cur").iterdir())
    assert sum(n.endswith(":2,S") for n in names) == 3
    assert sum(n.endswith(":2,ST") for n in names) == 1
    proc = desk_mail(desk, "receive", "--maildir", tmp_path / "nope")
    assert proc.code != EX_OK and "Maildir" in proc.err


def test_no_from_is_refused_with_the_reason(desk, tmp_path):
    mail_setup(desk, tmp_path)
    proc = receive(desk, b"To: helpdesk@example.com\r\nSubject: hi\r\n\r\nhello\r\n", expect=EX_DATAERR)
    assert "no sender address" in proc.err
    assert ticket_ids(desk) == []
    receive(desk, b"", expect=EX_DATAERR)


def test_busy_repository_is_a_temporary_failure_and_loses_nothing(desk, tmp_path):
    mail_setup(desk, tmp_path)
    import fcntl
    with open(desk.root / ".desk" / "lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = receive(desk, plain_mail("a@example.org", "x", "y", message_id="busy@x"), expect=EX_TEMPFAIL,
                       env={"DESK_LOCK_TIMEOUT": "0"})
        assert "retried" in proc.err
    assert ticket_ids(desk) == []
    receive(desk, plain_mail("a@example.org", "x", "y", message_id="busy@x"))
    assert len(ticket_ids(desk)) == 1


def test_no_repository_is_a_temporary_failure(tmp_path):
    from conftest import Desk
    d = Desk(tmp_path)
    proc = receive(d, plain_mail("a@example.org", "x", "y"), expect=EX_TEMPFAIL)
    assert "error" in proc.err


def test_help_documents_the_exit_codes(desk):
    proc = desk_mail(desk, "receive", "--help")
    assert proc.code == 0
    for code in ("65", "75", "EX_TEMPFAIL", "EX_DATAERR"):
        assert code in proc.out


def test_subject_with_header_injection_stays_one_line(desk, tmp_path):
    out = mail_setup(desk, tmp_path)
    raw = plain_mail("a@example.org", "=?utf-8?B?" + b64("help\r\nBcc: victim@example.org", "utf-8") + "?=", "text",
                     message_id="inj@x")
    receive(desk, raw)
    tid = only_ticket(desk)
    assert desk.load(tid)["title"] == "help Bcc: victim@example.org"
    desk_mail(desk, "send")
    for m in sent_messages(out):
        assert m["Bcc"] is None
        assert "victim" not in str(m["To"])


def attachment_mail(name_header, payload=b"secret", extra=""):
    return (b"From: a@example.org\r\nTo: helpdesk@example.com\r\nSubject: file\r\nMessage-ID: <att" +
            str(abs(hash(name_header))).encode() + b"@x>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nsee file\r\n"
            b"--B\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; " +
            name_header.encode() + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
            base64.b64encode(payload) + b"\r\n--B--\r\n" + extra.encode())


def test_attachment_names_cannot_leave_the_tickets_folder(desk, tmp_path):
    mail_setup(desk, tmp_path)
    receive(desk, attachment_mail('filename="../../etc/passwd"'))
    receive(desk, attachment_mail('filename="..\\\\..\\\\x\x01\x1b[2Jy.txt"'))
    receive(desk, attachment_mail("filename*=utf-8''%2E%2E%2F%2E%2E%2Fevil%0Aname.sh"))
    for tid in ticket_ids(desk):
        folder = desk.path_of(tid).parent / f"{tid}.files"
        for f in folder.iterdir():
            assert f.parent == folder
            assert not any(ord(c) < 0x20 for c in f.name), f.name
    outside = [p for p in tmp_path.rglob("*") if p.name in ("passwd", "evil")]
    assert all((desk.root / "tickets") in p.parents for p in outside), outside
    names = {f.name for tid in ticket_ids(desk) for f in (desk.path_of(tid).parent / f"{tid}.files").iterdir()}
    assert "passwd" in names


def test_an_attachment_over_the_limit_is_noted_not_kept(desk, tmp_path):
    mail_setup(desk, tmp_path, "  max_attachment_bytes: 1048576\n")
    big = os.urandom(30 * 1024 * 1024)
    receive(desk, attachment_mail('filename="dump.bin"', big))
    tid = only_ticket(desk)
    t = desk.load(tid)
    assert "dump.bin" in t["description"] and "not kept" in t["description"]
    folder = desk.path_of(tid).parent / f"{tid}.files"
    assert not folder.exists() or all(f.stat().st_size <= 1048576 for f in folder.iterdir())


def test_truncated_mime_broken_base64_and_unknown_charset_keep_readable_text(desk, tmp_path):
    mail_setup(desk, tmp_path)
    truncated = (b"From: a@example.org\r\nSubject: cut\r\nMessage-ID: <t1@x>\r\nContent-Type: multipart/mixed; boundary=B"
                 b"\r\n\r\n--B\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nthe beginning survives")
    receive(desk, truncated)
    broken = (b"From: b@example.org\r\nSubject: b64\r\nMessage-ID: <t2@x>\r\nContent-Type: text/plain; charset=utf-8\r\n"
              b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode("你好，世界".encode()) + b"*#!\r\n")
    receive(desk, broken)
    unknown = (b"From: c@example.org\r\nSubject: cs\r\nMessage-ID: <t3@x>\r\nContent-Type: text/plain; charset=x-unknown-42"
               b"\r\n\r\n" + "打印机卡纸了".encode("gbk") + b"\r\n")
    receive(desk, unknown)
    by_title = {desk.load(t)["title"]: desk.load(t) for t in ticket_ids(desk)}
    assert "the beginning survives" in by_title["cut"]["description"]
    assert "你好，世界" in by_title["b64"]["description"]
    assert "not base64" in by_title["b64"]["description"]
    assert "打印机卡纸了" in by_title["cs"]["description"]
    assert "x-unknown-42" in by_title["cs"]["description"]


def test_html_only_mail_becomes_readable_text(desk, tmp_path):
    mail_setup(desk, tmp_path)
    html = "<html><body><p>邮箱<b>满了</b>&nbsp;!</p><div>第二行</div><script>x()</script></body></html>"
    raw = (b"From: a@example.org\r\nSubject: html\r\nMessage-ID: <h1@x>\r\nContent-Type: text/html; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(html.encode()) + b"\r\n")
    receive(desk, raw)
    d = desk.load(only_ticket(desk))["description"]
    assert "邮箱满了" in d and "第二行" in d and "x()" not in d and "<" not in d


def test_desks_own_mail_is_dropped(desk, tmp_path):
    mail_setup(desk, tmp_path)
    proc = receive(desk, plain_mail("helpdesk@example.com", "loop", "x", message_id="own@x"))
    assert "dropped" in proc.out
    proc = receive(desk, plain_mail("robot@example.org", "loop", "x", message_id="own2@x",
                                    extra_headers="X-Loop: helpdesk@example.com"))
    assert "dropped" in proc.out
    assert ticket_ids(desk) == []


def test_a_forged_subject_tag_from_a_stranger_opens_a_new_ticket(desk, tmp_path):
    mail_setup(desk, tmp_path)
    receive(desk, plain_mail("owner@example.org", "my laptop", "broken", message_id="o1@x"))
    tid = only_ticket(desk)
    before = desk.path_of(tid).read_bytes()
    proc = receive(desk, plain_mail("mallory@evil.example", f"Re: [{tid}] confirm 5", "ha", message_id="f1@x"))
    assert "not its requester" in proc.out
    assert desk.path_of(tid).read_bytes() == before
    assert len(ticket_ids(desk)) == 2
    # The owner's own tag is honoured.
    receive(desk, plain_mail("owner@example.org", f"Re: [{tid}] more", "it also beeps", message_id="o2@x"))
    assert desk.load(tid)["events"][-1]["action"] == "message"


def test_robots_are_recorded_never_answered(desk, tmp_path):
    out = mail_setup(desk, tmp_path)
    receive(desk, plain_mail("vacation@example.org", "Out of office", "back monday", message_id="r1@x",
                             extra_headers="Auto-Submitted: auto-replied"))
    receive(desk, plain_mail("MAILER-DAEMON@example.org", "Undelivered", "bounce", message_id="r2@x"))
    receive(desk, plain_mail("news@example.org", "Newsletter", "buy", message_id="r3@x",
                             extra_headers="Precedence: bulk"))
    assert len(ticket_ids(desk)) == 3
    for tid in ticket_ids(desk):
        assert desk.load(tid)["events"][0].get("auto")
    desk_mail(desk, "send")
    assert sent_messages(out) == []


def test_after_command_sends_in_the_background(desk, tmp_path):
    import time
    out = mail_setup(desk, tmp_path, "  send: after-command\n")
    receive(desk, plain_mail("a@example.org", "printer", "jammed", message_id="ac1@x"))
    end = time.time() + 20
    while time.time() < end:
        tid = only_ticket(desk)
        if sent_messages(out) and any(e["action"] == "notified" for e in desk.load(tid)["events"]):
            break
        time.sleep(0.1)
    [ack] = sent_messages(out)
    assert ack["Subject"].startswith(f"[{tid}]")
    assert len([e for e in desk.load(tid)["events"] if e["action"] == "notified"]) == 1


def test_status_says_when_mail_is_off_and_lists_due_notices(desk, tmp_path):
    proc = desk_mail(desk, "status")
    assert proc.code == 0 and "mail is off" in proc.out
    proc = desk_mail(desk, "send")
    assert proc.code == 0 and "mail is off" in proc.out
    mail_setup(desk, tmp_path)
    receive(desk, plain_mail("a@example.org", "printer", "jammed", message_id="st1@x"))
    proc = desk_mail(desk, "status")
    assert "due:      1" in proc.out and "open" in proc.out


def test_maildir_and_mail_send_commit_in_groups_with_every_change_in_the_history(tmp_path):
    from test_git import make_origin, git
    _, d = make_origin(tmp_path)
    sendmail, out = folder_sendmail(tmp_path)
    configure_mail(d, sendmail, "  auto_replies_per_hour: 1000\n")
    git(d.root, "commit", "-qam", "mail on")
    maildir = make_maildir(tmp_path, {
        f"17{i:08d}.M1P1.host": plain_mail(f"u{i % 7}@example.org", f"打印机 {i}", f"第 {i} 个请求", message_id=f"g{i}@x")
        for i in range(150)})
    before = int(git(d.root, "rev-list", "--count", "HEAD"))
    proc = desk_mail(d, "receive", "--maildir", maildir)
    assert proc.code == EX_OK, proc.err
    assert len(ticket_ids(d)) == 150
    # 150 messages: one commit for the first hundred, one for the rest.
    assert int(git(d.root, "rev-list", "--count", "HEAD")) == before + 2
    assert git(d.root, "status", "--porcelain") == ""
    body = git(d.root, "log", "-1", "--format=%B")
    assert body.startswith("50 changes: ")
    assert body.count("\n") >= 50 and "u3@example.org" in body
    # Every acknowledgement is sent and recorded on its ticket; one commit holds them all.
    before = int(git(d.root, "rev-list", "--count", "HEAD"))
    proc = desk_mail(d, "send")
    assert proc.code == EX_OK, proc.err
    assert len(sent_messages(out)) == 150
    assert int(git(d.root, "rev-list", "--count", "HEAD")) == before + 1
    assert git(d.root, "status", "--porcelain") == ""
    assert git(d.root, "log", "-1", "--format=%an") == "desk-mail"
    for tid in ticket_ids(d):
        assert any(e["action"] == "notified" for e in d.load(tid)["events"])
    # Nothing is due any more: a second run sends and commits nothing.
    proc = desk_mail(d, "send")
    assert proc.code == EX_OK and len(sent_messages(out)) == 150
    assert int(git(d.root, "rev-list", "--count", "HEAD")) == before + 1
