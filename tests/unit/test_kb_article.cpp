#include <desk/kb/article.hpp>
#include <desk/kb/kb_store.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using namespace desk;
using namespace desk::kb;
using desk::test::kb_config;
using desk::test::make_article;

TEST_SUITE("kb.article")
{
  TEST_CASE("an article file round-trips byte for byte, unknown keys included")
  {
    const std::string file =
      "id: KB-7K3F2A9Q\n"
      "title: 打印机脱机无法打印\n"
      "state: validated\n"
      "audience: public\n"
      "category: end-user-device\n"
      "affected:\n"
      "  - HP LaserJet 4F\n"
      "tags:\n"
      "  - 打印机\n"
      "  - 'spooler: service'\n"
      "author: alice\n"
      "reviewers:\n"
      "  - bob\n"
      "created: 2026-11-20T09:00:00+08:00\n"
      "updated: 2026-11-21T10:00:00+08:00\n"
      "reuse_count: 2\n"
      "tickets:\n"
      "  - INC-AAAA0001\n"
      "symptoms: |-\n"
      "  打印时提示“打印机脱机”。\n"
      "  # not a comment\n"
      "solution: |-\n"
      "  1. 重启 Print Spooler\n"
      "  2. 重新打印\n"
      "owner_note: kept as is\n"
      "events:\n"
      "  - id: E-AAAAAAAA\n"
      "    at: '2026-11-20T09:00:00+08:00'\n"
      "    by: alice\n"
      "    action: add\n"
      "    set:\n"
      "      state: draft\n"
      "  - id: E-BBBBBBBB\n"
      "    at: '2026-11-21T10:00:00+08:00'\n"
      "    by: bob\n"
      "    action: validate\n"
      "    set:\n"
      "      state: validated\n"
      "    note: 'checked: works'\n"
      "    custom: 1\n";
    const Article a = KbStore::deserialize(file, "kb/KB-7K3F2A9Q.yaml");
    CHECK(a.title() == "打印机脱机无法打印");
    CHECK(a.state() == State::validated);
    CHECK(a.audience() == Audience::public_);
    CHECK(a.reuse_count() == 2);
    CHECK(a.get("owner_note") == "kept as is");
    CHECK(KbStore::serialize(a) == file);
  }

  TEST_CASE("an article keeps unknown keys through a load and save, even empty ones")
  {
    const std::string file = "id: KB-7K3F2A9Q\n"
                             "title: VPN 断线\n"
                             "state: draft\n"
                             "created: 2026-11-20T09:00:00+08:00\n"
                             "x-empty-list: []\n"
                             "x-empty-text: ''\n"
                             "x-null:\n"
                             "events:\n"
                             "  - id: E-AAAAAAAA\n"
                             "    at: '2026-11-20T09:00:00+08:00'\n"
                             "    by: alice\n"
                             "    action: add\n";
    const Article a = KbStore::deserialize(file, "kb/KB-7K3F2A9Q.yaml");
    CHECK(a.find("x-empty-list") != nullptr);
    CHECK(a.find("x-empty-text") != nullptr);
    CHECK(a.find("x-null") != nullptr);
    const std::string saved = KbStore::serialize(a);
    CHECK(saved.find("x-empty-list: []\n") != std::string::npos);
    CHECK(saved.find("x-empty-text: ''\n") != std::string::npos);
    CHECK(KbStore::deserialize(saved, "kb/KB-7K3F2A9Q.yaml") == a);
  }

  TEST_CASE("a new article serialises and reads back equal, in the fixed key order")
  {
    const Config c = kb_config();
    const Article a = make_article(c, "KB-DDDD0001", "Title: with colon", "line 1\nline 2\t# tab", "- dash first",
                           "network", {"x", "y"});
    const std::string text = KbStore::serialize(a);
    const Article b = KbStore::deserialize(text, "kb/KB-DDDD0001.yaml");
    CHECK(a == b);
    CHECK(KbStore::serialize(b) == text);
    CHECK(text.find("id: ") < text.find("title: "));
    CHECK(text.find("title: ") < text.find("state: "));
    CHECK(text.find("state: ") < text.find("symptoms: "));
    CHECK(text.find("solution: ") < text.find("events:"));
  }

  TEST_CASE("bad files name the path and the place")
  {
    const auto message = [](std::string_view text) {
      try {
        KbStore::deserialize(text, "kb/KB-X.yaml");
      } catch (const ParseError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    CHECK(message("id: KB-X\nstate: draft\ncreated: 2026-11-20T09:00:00+08:00\nevents: []\n")
            .starts_with("kb/KB-X.yaml:1:1: the article has no 'title'"));
    CHECK(message("id: KB-X\ntitle: [unclosed\n").starts_with("kb/KB-X.yaml:"));
    CHECK(message("id: KB-X\ntitle: t\nstate: gone\ncreated: 2026-11-20T09:00:00+08:00\nevents: []\n")
            .find("unknown article state 'gone'") != std::string::npos);
    CHECK(message("").find("empty") != std::string::npos);
  }
}
