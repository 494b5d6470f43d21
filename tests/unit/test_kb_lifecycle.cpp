#include <desk/kb/lifecycle.hpp>
#include <desk/kb/kb_store.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace desk;
using namespace desk::kb;
using desk::test::kb_config;
using desk::test::kb_context;
using desk::test::make_article;

namespace {

using Strings = std::vector<std::string>;

} // namespace

TEST_SUITE("kb.lifecycle")
{
  TEST_CASE("add needs a title and a solution; the category must be configured")
  {
    const Config c = kb_config();
    ArticleDraft d;
    d.solution = "fix";
    CHECK_THROWS_AS(new_article(kb_context(c), d), UsageError);
    d.title = "t";
    d.solution = "  ";
    CHECK_THROWS_AS(new_article(kb_context(c), d), UsageError);
    d.solution = "fix";
    d.category = "plumbing";
    CHECK_THROWS_AS(new_article(kb_context(c), d), UsageError);
    d.category = "network";
    d.audience = "everyone";
    CHECK_THROWS_AS(new_article(kb_context(c), d), UsageError);
    d.audience = "";
    const Article a = new_article(kb_context(c), d);
    CHECK(a.state() == State::draft);
    CHECK(a.audience() == Audience::internal);
    CHECK(a.get("author") == "alice");
    REQUIRE(a.events().size() == 1);
    CHECK(a.events()[0].action == "add");
    CHECK(a.events()[0].at == "2026-11-27T17:30:00+08:00");
    CHECK(a.get("id").starts_with("KB-"));
  }

  TEST_CASE("validation: not by the author; then a reviewer; archive and back")
  {
    const Config c = kb_config();
    Article a = make_article(c, "KB-EEEE0001", "t", "s", "fix", "", {}, State::draft);
    CHECK_THROWS_AS(validate(a, kb_context(c, "alice"), ""), InvalidTransitionError);
    CHECK(a.state() == State::draft);
    CHECK(a.events().size() == 1);
    validate(a, kb_context(c, "bob"), "works");
    CHECK(a.state() == State::validated);
    CHECK(a.get_list("reviewers") == Strings{"bob"});
    CHECK(a.events().back().action == "validate");
    CHECK_THROWS_AS(validate(a, kb_context(c, "carol"), ""), InvalidTransitionError);
    archive(a, kb_context(c), "obsolete");
    CHECK(a.state() == State::archived);
    CHECK_THROWS_AS(archive(a, kb_context(c), ""), InvalidTransitionError);
    ArticleEdit retitle;
    retitle.title = "x";
    CHECK_THROWS_AS(edit(a, kb_context(c), retitle), InvalidTransitionError);
    validate(a, kb_context(c, "carol"), "");
    CHECK(a.get_list("reviewers") == Strings{"bob", "carol"});
  }

  TEST_CASE("edit records what changed; a content change sends a validated article back to draft")
  {
    const Config c = kb_config();
    Article a = make_article(c, "KB-EEEE0002", "t", "s", "fix");
    REQUIRE(a.state() == State::validated);
    ArticleEdit tags;
    tags.tags = Strings{"a", "b", "a", " "};
    CHECK(edit(a, kb_context(c), tags) == Strings{"tags"});
    CHECK(a.get_list("tags") == Strings{"a", "b"});
    CHECK(a.state() == State::validated);
    CHECK(edit(a, kb_context(c), tags).empty()); // nothing new: no event
    const std::size_t events = a.events().size();
    ArticleEdit text;
    text.solution = "better fix";
    text.cause = "";
    CHECK(edit(a, kb_context(c), text) == Strings{"solution"});
    CHECK(a.state() == State::draft);
    CHECK(a.events().size() == events + 1);
    ArticleEdit bad;
    bad.title = "";
    CHECK_THROWS_AS(edit(a, kb_context(c), bad), UsageError);
  }

  TEST_CASE("capture from a resolved ticket; refused for an unresolved one")
  {
    const Config c = kb_config();
    Ticket t;
    t.set("id", "INC-AAAA0001");
    t.set("status", "in_progress");
    t.set("title", "打印机脱机");
    t.set("category", "end-user-device");
    t.set("affected", Value::list({"HP 4F"}));
    t.set("description", "四楼打印机脱机");
    t.set("error", "Printer offline");
    t.set("cause", "Spooler hung");
    t.set("solution", "重启 Print Spooler");
    CHECK_FALSE(can_capture(t));
    CHECK_THROWS_AS(capture(t, kb_context(c), {}), InvalidTransitionError);
    for (const char* status : {"resolved", "confirmed", "closed"}) {
      t.set("status", status);
      const Article a = capture(t, kb_context(c), {});
      CHECK(a.state() == State::draft);
      CHECK(a.title() == "打印机脱机");
      CHECK(a.get("symptoms") == "四楼打印机脱机");
      CHECK(a.get("error") == "Printer offline");
      CHECK(a.get("cause") == "Spooler hung");
      CHECK(a.get("solution") == "重启 Print Spooler");
      CHECK(a.get("category") == "end-user-device");
      CHECK(a.get_list("affected") == Strings{"HP 4F"});
      CHECK(a.get_list("tickets") == Strings{"INC-AAAA0001"});
      CHECK(a.events().back().action == "capture");
    }
    link_article(t, kb_context(c), "KB-FFFF0001", "captured");
    link_article(t, kb_context(c), "KB-FFFF0001", "again");
    CHECK(t.get_list("kb") == Strings{"KB-FFFF0001"});
    CHECK(t.events().back().action == "kb");
  }

  TEST_CASE("reuse counts every solved ticket and links each once")
  {
    const Config c = kb_config();
    Article a = make_article(c, "KB-EEEE0003", "t", "s", "fix");
    record_reuse(a, kb_context(c), "INC-1");
    record_reuse(a, kb_context(c), "INC-2");
    record_reuse(a, kb_context(c), "INC-1");
    CHECK(a.reuse_count() == 3);
    CHECK(a.get_list("tickets") == Strings{"INC-1", "INC-2"});
    CHECK(a.events().back().action == "reuse");
    CHECK(KbStore::serialize(a).find("reuse_count: 3\n") != std::string::npos);
  }
}
