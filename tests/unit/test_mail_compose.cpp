#include <desk/mail/compose.hpp>
#include <desk/mail/message.hpp>
#include <desk/mail/templates.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

using namespace desk::mail;

TEST_SUITE("mail compose")
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

TEST_SUITE("mail templates")
{
  TEST_CASE("defaults in both languages; a subject line; no HTML escaping in text")
  {
    TemplateData d;
    d.values = {{"id", "INC-1"}, {"title", "a <b> & c"}, {"reporter", "张三"}, {"priority", "P3"},
                {"respond_due", "2026-12-03 17:00 (Asia/Shanghai)"}, {"desk_name", "IT"}};
    const RenderedNotice en = render_notice("open", "en", d, {});
    CHECK(en.subject == "[INC-1] Received: a <b> & c");
    CHECK(en.text.find("2026-12-03 17:00") != std::string::npos);
    const RenderedNotice zh = render_notice("open", "zh", d, {});
    CHECK(zh.subject == "[INC-1] 已受理：a <b> & c");
    CHECK(zh.text.find("张三，您好") != std::string::npos);
  }

  TEST_CASE("the HTML alternative escapes values")
  {
    TemplateData d;
    d.values = {{"id", "INC-1"}, {"title", "t"}, {"reporter", "<script>"}, {"solution", "x"}, {"reopen_mailto", "mailto:a@b"}};
    d.lists["confirm"] = {{{"rating", "5"}, {"mailto", "mailto:a@b?subject=%5BINC-1%5D%20confirm%205"}}};
    const RenderedNotice r = render_notice("resolve", "en", d, {});
    CHECK(r.html.find("&lt;script&gt;") != std::string::npos);
    CHECK(r.text.find("confirm%205") != std::string::npos);
  }

  TEST_CASE("a repository's template wins; a broken one names its file")
  {
    desk::test::TempDir dir;
    desk::test::write_raw(dir / "en" / "open.txt", "Subject: custom {{id}}\n\nHi {{reporter}}");
    TemplateData d;
    d.values = {{"id", "INC-1"}, {"reporter", "Ann"}};
    const RenderedNotice r = render_notice("open", "en", d, dir.path());
    CHECK(r.subject == "custom INC-1");
    CHECK(r.text == "Hi Ann");
    desk::test::write_raw(dir / "en" / "close.txt", "{{#unclosed}}");
    CHECK_THROWS_AS(render_notice("close", "en", d, dir.path()), desk::ParseError);
    CHECK_THROWS_AS(render_notice("nonexistent", "en", d, dir.path()), desk::NotFoundError);
  }
}
