#include <desk/mail/charset.hpp>
#include <desk/mail/html_text.hpp>
#include <desk/mail/message.hpp>
#include <desk/mail/quote.hpp>
#include <desk/mail/robot.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace desk::mail;

namespace {

ParsedMail parse(const std::string& raw, std::size_t limit = 1024 * 1024)
{
  return parse_mail(raw, limit);
}

} // namespace

TEST_SUITE("mail charset")
{
  TEST_CASE("GB2312 labels are read as GB18030, so GBK characters survive")
  {
    // 讀取 in GBK (not in GB2312).
    const std::string gbk = "\xd7\x78\xc8\xa1";
    const DecodedText d = decode_charset(gbk, "gb2312");
    CHECK(d.text == "讀取");
    CHECK(d.note.empty());
  }

  TEST_CASE("UTF-8 text with a wrong label is read as UTF-8 and says so")
  {
    const DecodedText d = decode_charset("\xe4\xbd\xa0\xe5\xa5\xbd", "gb2312");
    CHECK(d.text == "你好");
    CHECK(d.note.find("UTF-8") != std::string::npos);
  }

  TEST_CASE("an unknown charset is guessed and noted, never stored silently")
  {
    const DecodedText d = decode_charset("\xc4\xe3\xba\xc3", "x-klingon");
    CHECK(d.text == "你好");
    CHECK(d.note.find("x-klingon") != std::string::npos);
  }

  TEST_CASE("Big5, ISO-2022-JP and windows-1252 decode")
  {
    CHECK(decode_charset("\xa4\xa4\xa4\xe5", "big5").text == "中文");
    CHECK(decode_charset("\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp").text == "こんにちは");
    CHECK(decode_charset("caf\xe9 \x80", "windows-1252").text == "café €");
    CHECK(decode_charset("caf\xe9", "iso-8859-1").text == "café");
  }

  TEST_CASE("encoded words: adjacent words join, each in its own charset")
  {
    CHECK(decode_header_text("=?gb2312?B?xOO6ww==?= =?utf-8?B?5LiW55WM?=") == "你好世界");
    CHECK(decode_header_text("Re: =?UTF-8?Q?caf=C3=A9_ok?= done") == "Re: café ok done");
    CHECK(decode_header_text("plain") == "plain");
  }

  TEST_CASE("raw 8-bit header bytes take the body's charset; line breaks never survive")
  {
    CHECK(decode_header_text("\xc4\xe3\xba\xc3", "gb2312") == "你好");
    CHECK(decode_header_text("a\r\nBcc: x@y") == "a Bcc: x@y");
  }
}

TEST_SUITE("mail parse")
{
  TEST_CASE("a multipart/mixed mail with a base64 GBK body and an RFC 2231 file name")
  {
    const std::string raw = "From: =?GBK?B?1cXI/Q==?= <zhang@example.cn>\r\n"
                            "To: it@example.com\r\n"
                            "Subject: =?GB2312?B?tPLTobv6u7XByw==?=\r\n"
                            "Message-ID: <abc@example.cn>\r\n"
                            "MIME-Version: 1.0\r\n"
                            "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                            "--b1\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                            "tPLTobv6srvE3LTy06E=\r\n"
                            "--b1\r\nContent-Type: application/octet-stream\r\n"
                            "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.txt\r\n"
                            "Content-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b1--\r\n";
    const ParsedMail m = parse(raw);
    CHECK(m.from_name == "张三");
    CHECK(m.from_address == "zhang@example.cn");
    CHECK(m.subject == "打印机坏了");
    CHECK(m.message_id == "abc@example.cn");
    CHECK(m.text == "打印机不能打印");
    REQUIRE(m.attachments.size() == 1);
    CHECK(m.attachments[0].name == "报告.txt");
    CHECK(m.attachments[0].bytes == "hello");
  }

  TEST_CASE("multipart/alternative prefers the plain text; HTML-only is converted")
  {
    const std::string alt = "From: a@b.c\nSubject: s\nContent-Type: multipart/alternative; boundary=x\n\n"
                            "--x\nContent-Type: text/plain; charset=utf-8\n\nplain words\n"
                            "--x\nContent-Type: text/html; charset=utf-8\n\n<p>html words</p>\n--x--\n";
    CHECK(parse(alt).text == "plain words");
    const std::string html = "From: a@b.c\nSubject: s\nContent-Type: text/html; charset=utf-8\n"
                             "Content-Transfer-Encoding: quoted-printable\n\n"
                             "<html><head><style>p{}</style></head><body><p>=E4=BD=A0=E5=A5=BD&nbsp;there</p>"
                             "<div>line&amp;two<br>three</div><script>alert(1)</script></body></html>\n";
    const ParsedMail m = parse(html);
    CHECK(m.html_only);
    CHECK(m.text == "你好 there\n\nline&two\nthree"); // a paragraph ends with a blank line
  }

  TEST_CASE("an attachment over the limit is listed, not kept, and noted")
  {
    const std::string raw = "From: a@b.c\nSubject: big\nContent-Type: multipart/mixed; boundary=x\n\n"
                            "--x\nContent-Type: text/plain\n\nsee file\n"
                            "--x\nContent-Type: application/zip; name=big.zip\nContent-Disposition: attachment; filename=big.zip\n\n"
                            + std::string(2000, 'A') + "\n--x--\n";
    const ParsedMail m = parse(raw, 1000);
    REQUIRE(m.attachments.size() == 1);
    CHECK(m.attachments[0].over_limit);
    CHECK(m.attachments[0].bytes.empty());
    CHECK_FALSE(m.notes.empty());
  }

  TEST_CASE("attachment names lose folders and control characters")
  {
    CHECK(safe_file_name("../../etc/passwd") == "passwd");
    CHECK(safe_file_name("..\\..\\boot.ini") == "boot.ini");
    CHECK(safe_file_name("a\x01\x1b[31mb\r\n.txt") == "a [31mb .txt");
    CHECK(safe_file_name("..") == "attachment");
    CHECK(safe_file_name("\xe2\x80\xaetxt.exe") == "txt.exe");
  }

  TEST_CASE("truncated MIME and broken base64 still give the text that is there, with a note")
  {
    const std::string raw = "From: a@b.c\nSubject: cut\nContent-Type: multipart/mixed; boundary=x\n\n"
                            "--x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
                            "5L2g5aW9!!!5LiW\n";
    const ParsedMail m = parse(raw);
    CHECK(m.text.find("你好") != std::string::npos);
    CHECK_FALSE(m.notes.empty());
  }

  TEST_CASE("threading headers and recipients")
  {
    const ParsedMail m = parse("From: A <A@B.C>\nTo: it@x.com, \"HR\" <HR@x.com>\nCc: c@x.com\n"
                               "In-Reply-To: <one@x>\nReferences: <zero@x> <one@x>\nSubject: Re: x\n\nhi\n");
    CHECK(m.from_address == "a@b.c");
    CHECK(m.in_reply_to == "one@x");
    CHECK(m.references == std::vector<std::string>{"zero@x", "one@x"});
    CHECK(m.recipients == std::vector<std::string>{"it@x.com", "hr@x.com", "c@x.com"});
  }
}

TEST_SUITE("mail quoted history")
{
  TEST_CASE("Gmail's On ... wrote:")
  {
    CHECK(cut_quoted_history("Works now, thanks.\n\nOn Mon, 3 Dec 2026 at 10:00, Desk <it@x.com> wrote:\n> old\n") ==
          "Works now, thanks.");
    CHECK(cut_quoted_history("Yes.\n\nOn Mon, 3 Dec 2026 at 10:00, Service Desk\n<it@x.com> wrote:\n> old\n") == "Yes.");
  }

  TEST_CASE("Chinese clients: 在 ... 写道：, 发件人: blocks, QQ Mail's 原始邮件")
  {
    CHECK(cut_quoted_history("好了，谢谢\n\n在 2026年12月3日 10:00，服务台 <it@x.com> 写道：\n> 旧\n") == "好了，谢谢");
    CHECK(cut_quoted_history("还是不行\n\n发件人: 服务台 <it@x.com>\n发送时间: 2026年12月3日 10:00\n收件人: 张三\n主题: [INC-1] x\n\nold") ==
          "还是不行");
    CHECK(cut_quoted_history("可以了\n\n------------------ 原始邮件 ------------------\n发件人: x\n") == "可以了");
  }

  TEST_CASE("Outlook: -----Original Message----- and From:/Sent: blocks")
  {
    CHECK(cut_quoted_history("Fixed.\n\n-----Original Message-----\nFrom: it@x.com\nSent: Monday\n") == "Fixed.");
    CHECK(cut_quoted_history("Fixed.\n________________________________\nFrom: Desk <it@x.com>\nSent: Monday\nTo: me\nSubject: x\n") ==
          "Fixed.");
  }

  TEST_CASE("a trailing > block goes; text without history stays whole")
  {
    CHECK(cut_quoted_history("ok\n\n> a\n>\n> b\n") == "ok");
    CHECK(cut_quoted_history("From: here on, a plain line\nsecond") == "From: here on, a plain line\nsecond");
    CHECK(cut_quoted_history("> only a quote") == "> only a quote");
  }
}

TEST_SUITE("mail robots")
{
  TEST_CASE("RFC 3834 headers, bounces and lists are never answered")
  {
    auto kind = [](const std::string& headers) {
      return classify_sender(parse_mail(headers + "\n\nbody\n", 1000)).kind;
    };
    CHECK(kind("From: a@b.c\nAuto-Submitted: auto-replied") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nAuto-Submitted: no") == SenderKind::person);
    CHECK(kind("From: a@b.c\nPrecedence: bulk") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nPrecedence: junk") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nPrecedence: list") == SenderKind::list);
    CHECK(kind("From: a@b.c\nX-Autoreply: yes") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nX-Auto-Response-Suppress: All") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nReturn-Path: <>") == SenderKind::robot);
    CHECK(kind("From: MAILER-DAEMON@b.c") == SenderKind::robot);
    CHECK(kind("From: postmaster@b.c") == SenderKind::robot);
    CHECK(kind("From: a@b.c\nContent-Type: multipart/report; report-type=delivery-status; boundary=x") ==
          SenderKind::robot);
    CHECK(kind("From: a@b.c\nReturn-Path: <a@b.c>") == SenderKind::person);
  }
}

TEST_SUITE("mail html")
{
  TEST_CASE("entities, lists, blockquotes")
  {
    CHECK(html_to_text("<ul><li>one</li><li>two &lt;3&gt;</li></ul>") == "- one\n- two <3>");
    CHECK(html_to_text("a&#20320;&#x597d;b") == "a你好b");
    CHECK(html_to_text("new<blockquote>old</blockquote>") == "new\n> old");
  }
}
