#include <desk/mail/message.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace desk::mail;

namespace {

ParsedMail parse(const std::string& raw, std::size_t limit = 1024 * 1024)
{
  return parse_mail(raw, limit);
}

} // namespace

TEST_SUITE("mail.message")
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
