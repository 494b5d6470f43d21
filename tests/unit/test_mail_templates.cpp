#include <desk/mail/templates.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

using namespace desk::mail;

TEST_SUITE("mail.templates")
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
