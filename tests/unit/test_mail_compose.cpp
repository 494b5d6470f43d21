#include <desk/mail/compose.hpp>
#include <desk/mail/message.hpp>

#include <doctest/doctest.h>

using namespace desk::mail;

TEST_SUITE("mail.compose")
{
  TEST_CASE("headers: RFC 2047 Chinese, threading, Auto-Submitted, X-Loop; the parser reads it back")
  {
    OutgoingMail m;
    m.from = {"IT 服务台", "it@example.com"};
    m.reply_to = m.from;
    m.to = {{"张三", "zhang@example.cn"}};
    m.subject = "[INC-7K3F2A9Q] 打印机坏了\r\nBcc: victim@example.org";
    m.text = "您好，\n已收到。\n";
    m.message_id = "INC-7K3F2A9Q.E-1.ABC@example.com";
    m.in_reply_to = "orig@example.cn";
    m.references = {"orig@example.cn"};
    m.auto_submitted = "auto-replied";
    m.x_loop = "it@example.com";
    const std::string raw = compose_mail(m);
    CHECK(raw.find("\nBcc:") == std::string::npos);
    CHECK(raw.find("=?") != std::string::npos);                  // encoded words
    CHECK(raw.find("Auto-Submitted: auto-replied") != std::string::npos);
    CHECK(raw.find("X-Loop: it@example.com") != std::string::npos);
    CHECK(raw.find("In-Reply-To: <orig@example.cn>") != std::string::npos);
    for (unsigned char c : raw) {
      CHECK(c < 0x80); // 7-bit on the wire
    }
    const ParsedMail back = parse_mail(raw, 1000);
    CHECK(back.subject == "[INC-7K3F2A9Q] 打印机坏了 Bcc: victim@example.org");
    CHECK(back.from_name == "IT 服务台");
    CHECK(back.message_id == m.message_id);
    CHECK(back.text == "您好，\n已收到。");
    CHECK(back.recipients == std::vector<std::string>{"zhang@example.cn"});
  }

  TEST_CASE("an HTML alternative makes multipart/alternative")
  {
    OutgoingMail m;
    m.from = {"Desk", "it@example.com"};
    m.to = {{"", "a@b.c"}};
    m.subject = "s";
    m.text = "plain";
    m.html = "<p>rich</p>";
    m.message_id = "x@y";
    const ParsedMail back = parse_mail(compose_mail(m), 1000);
    CHECK(back.content_type == "multipart/alternative");
    CHECK(back.text == "plain");
  }
}
