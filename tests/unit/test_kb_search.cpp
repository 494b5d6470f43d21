#include <desk/kb/kb_store.hpp>
#include <desk/kb/lifecycle.hpp>
#include <desk/kb/search.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace desk;
using namespace desk::kb;
using desk::test::kb_config;
using desk::test::kb_context;
using desk::test::kb_corpus;
using desk::test::make_article;
using desk::test::ranked;
using desk::test::read_raw;
using desk::test::TempDir;
using desk::test::write_raw;

namespace {

using Strings = std::vector<std::string>;

} // namespace

TEST_SUITE("kb.search")
{
  TEST_CASE("empty, blank and punctuation-only queries are refused")
  {
    CHECK_THROWS_AS(query_terms(""), UsageError);
    CHECK_THROWS_AS(query_terms("  \t\n"), UsageError);
    CHECK_THROWS_AS(query_terms("?!... ，。？！"), UsageError);
    CHECK_THROWS_AS(query_terms("———"), UsageError);
  }

  TEST_CASE("a query longer than 10,000 characters is refused; 10,000 are fine")
  {
    std::string ok;
    for (int i = 0; i < 10000; ++i) {
      ok += "字";
    }
    CHECK_NOTHROW(query_terms(ok));
    CHECK_THROWS_AS(query_terms(ok + "字"), UsageError);
    CHECK_THROWS_AS(query_terms(std::string(10001, 'a')), UsageError);
  }

  TEST_CASE("terms are distinct, in order")
  {
    CHECK(query_terms("VPN vpn ＶＰＮ 809") == Strings{"vpn", "809"});
  }

  TEST_CASE("the snippet shows the match, cut with ellipses")
  {
    std::string text;
    for (int i = 0; i < 30; ++i) {
      text += "filler" + std::to_string(i) + " words" + std::to_string(i) + ". ";
    }
    text += "The print spooler stopped. ";
    for (int i = 0; i < 30; ++i) {
      text += "more" + std::to_string(i) + " text" + std::to_string(i) + ". ";
    }
    const Snippet s = make_snippet(text, {"spooler"}, 60);
    CHECK(s.text.find("spooler") != std::string::npos);
    CHECK(s.text.starts_with("…"));
    CHECK(s.text.ends_with("…"));
    CHECK(text::display_width(s.text) <= 60);
    REQUIRE(s.marks.size() == 1);
    CHECK(s.text.substr(s.marks[0].first, s.marks[0].second - s.marks[0].first) == "spooler");
    // Cut between words: the inner text starts and ends on a word boundary of the original.
    const std::string ellipsis = "…";
    const std::string inner = s.text.substr(ellipsis.size(), s.text.size() - 2 * ellipsis.size());
    const std::size_t at = text.find(inner);
    REQUIRE(at != std::string::npos);
    CHECK(std::isalnum(static_cast<unsigned char>(inner.front())));
    CHECK_FALSE((std::isalnum(static_cast<unsigned char>(text[at - 1])) &&
                 std::isalnum(static_cast<unsigned char>(inner.front()))));
    CHECK_FALSE((std::isalnum(static_cast<unsigned char>(inner.back())) &&
                 std::isalnum(static_cast<unsigned char>(text[at + inner.size()]))));
  }

  TEST_CASE("CJK snippets never split a character and merge overlapping bigram matches")
  {
    std::string text;
    for (int i = 0; i < 40; ++i) {
      text += "无关的内容，";
    }
    text += "打印机显示脱机状态，";
    for (int i = 0; i < 40; ++i) {
      text += "其他说明文字。";
    }
    for (std::size_t width : {11U, 20U, 33U, 80U}) {
      const Snippet s = make_snippet(text, {"打印", "印机"}, width);
      CHECK(text::is_valid_utf8(s.text));
      CHECK(text::display_width(s.text) <= width);
      REQUIRE(!s.marks.empty());
      CHECK(s.text.substr(s.marks[0].first, s.marks[0].second - s.marks[0].first) == "打印机");
    }
  }

  TEST_CASE("a full-width match is shown as written")
  {
    const Snippet s = make_snippet("连接ＶＰＮ时报错", {"vpn"}, 40);
    CHECK(s.text == "连接ＶＰＮ时报错");
    REQUIRE(s.marks.size() == 1);
    CHECK(s.text.substr(s.marks[0].first, s.marks[0].second - s.marks[0].first) == "ＶＰＮ");
  }

  TEST_CASE("no match: the start of the text; newlines become spaces")
  {
    const Snippet s = make_snippet("first line\nsecond line", {"absent"}, 80);
    CHECK(s.text == "first line second line");
    CHECK(s.marks.empty());
  }

  TEST_CASE("best_snippet picks the field with the most matching terms")
  {
    const Config c = kb_config();
    ArticleDraft d;
    d.title = "VPN";
    d.symptoms = "Cannot connect from home.";
    d.error = "Error 809: the network connection between your computer and the VPN server could not be established";
    d.solution = "Enable IPsec passthrough.";
    const Article a = new_article(kb_context(c), d);
    const Snippet s = best_snippet(a, query_terms("error 809 vpn"));
    CHECK(s.field == "error");
    CHECK(s.text.find("809") != std::string::npos);
  }

  TEST_CASE("the cached index is written, reused, and rebuilt when kb/ changes or the cache is damaged")
  {
    TempDir dir;
    const Config c = kb_config();
    const KbStore store(dir.path());
    for (auto a : kb_corpus(c)) {
      store.save(a, store.path_for(a.id()));
    }
    const fs::path cache = index_path(dir.path());
    CHECK_FALSE(fs::exists(cache));
    CHECK(ranked(load_index(dir.path()), "printer offline") == Strings{"KB-AAAA0005"});
    REQUIRE(fs::exists(cache));
    const auto written = fs::last_write_time(cache);
    CHECK(load_index(dir.path()).size() == 6);
    CHECK(fs::last_write_time(cache) == written); // reused

    // A changed article is seen at once.
    Article e = store.load({"KB-AAAA0005", store.path_for("KB-AAAA0005")});
    ArticleEdit change;
    change.title = std::string("Scanner jammed");
    edit(e, kb_context(c), change);
    store.save(e, store.path_for(e.id()));
    CHECK(ranked(load_index(dir.path()), "scanner") == Strings{"KB-AAAA0005"});

    // A damaged cache is rebuilt silently.
    write_raw(cache, "not an index");
    CHECK(ranked(load_index(dir.path()), "scanner") == Strings{"KB-AAAA0005"});
    CHECK(read_raw(cache).starts_with("DESKKBI1"));

    // A bad article file is reported, not fatal.
    write_raw(store.dir() / "KB-BROKEN1.yaml", "id: [\n");
    const SearchResult r = search(dir.path(), query_terms("打印机"), {});
    CHECK(!r.hits.empty());
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].message.find("KB-BROKEN1.yaml") != std::string::npos);
  }

  TEST_CASE("a settled index is used as it is; an article edited in place is caught")
  {
    TempDir dir;
    const Config c = kb_config();
    const KbStore store(dir.path());
    for (auto a : kb_corpus(c)) {
      store.save(a, store.path_for(a.id()));
    }
    const auto an_hour_ago = fs::file_time_type::clock::now() - std::chrono::hours(1);
    fs::last_write_time(store.dir(), an_hour_ago);
    const KbIndex first = load_index(dir.path());
    CHECK_FALSE(first.stamp().built_ns - first.stamp().dir_mtime_ns < 2000000000LL);
    const fs::path cache = index_path(dir.path());
    const std::string bytes = read_raw(cache);
    CHECK(load_index(dir.path()).stamp() == first.stamp()); // settled: nothing rewritten
    CHECK(read_raw(cache) == bytes);

    // Edited in place: same inode, the folder untouched.
    Article e = store.load({"KB-AAAA0005", store.path_for("KB-AAAA0005")});
    ArticleEdit change;
    change.title = std::string("Scanner jammed");
    edit(e, kb_context(c), change);
    {
      std::ofstream out(store.path_for(e.id()), std::ios::binary | std::ios::trunc);
      out << KbStore::serialize(e);
    }
    fs::last_write_time(store.dir(), an_hour_ago);
    // A search that reads the edited article notices and rebuilds.
    const SearchResult r = search(dir.path(), query_terms("printer offline"), {});
    REQUIRE(!r.hits.empty());
    CHECK(r.hits.front().article.title() == "Scanner jammed");
    CHECK(ranked(load_index(dir.path()), "scanner") == Strings{"KB-AAAA0005"});

    // A new file moves the folder's mtime.
    Article added = make_article(c, "KB-AAAA0007", "Keyboard types wrong letters", "s", "Switch the layout");
    store.save(added, store.path_for(added.id()));
    CHECK(ranked(load_index(dir.path()), "keyboard") == Strings{"KB-AAAA0007"});

    // Same files, folder touched (an editor's swap file came and went): the full check
    // passes and refreshes the stamp in place.
    write_raw(store.dir() / ".swap", "x");
    fs::remove(store.dir() / ".swap");
    fs::last_write_time(store.dir(), an_hour_ago);
    const KbIndex again = load_index(dir.path());
    const KbIndex refreshed = load_index(dir.path());
    CHECK_FALSE(refreshed.stamp() == again.stamp()); // rewritten in the header
    CHECK(load_index(dir.path()).stamp() == refreshed.stamp()); // and trusted from now on
    CHECK(ranked(refreshed, "keyboard") == Strings{"KB-AAAA0007"});
  }

  TEST_CASE("suggestions: validated articles matching the ticket, at most three")
  {
    TempDir dir;
    const Config c = kb_config();
    const KbStore store(dir.path());
    for (auto a : kb_corpus(c)) {
      store.save(a, store.path_for(a.id()));
    }
    Ticket t;
    t.set("id", "INC-AAAA0009");
    t.set("title", "四楼打印机脱机");
    t.set("description", "早上开始一直打不出来");
    const SearchResult r = suggest(dir.path(), t);
    REQUIRE(!r.hits.empty());
    CHECK(r.hits.size() <= 3);
    CHECK(r.hits.front().article.id() == "KB-AAAA0001");
    Ticket other;
    other.set("id", "INC-AAAA0010");
    other.set("title", "new keyboard needed");
    CHECK(suggest(dir.path(), other).hits.empty());
    Ticket erp;
    erp.set("id", "INC-AAAA0011");
    erp.set("title", "ERP password");
    CHECK(suggest(dir.path(), erp).hits.empty()); // only a draft matches
  }

  TEST_CASE("searches through a randomly damaged cache equal those of a fresh index")
  {
    const Config c = kb_config();
    TempDir dir;
    const fs::path root = dir.path();
    fs::create_directories(root / ".desk");
    const KbStore store(root);
    int n = 0;
    for (Article a : kb_corpus(c)) {
      store.create(a, [&] { return fmt::format("KB-CORR{:04d}", ++n); });
    }
    const std::vector<std::string> queries = {"打印机", "VPN 809", "Outlook 邮件", "printer offline", "password ERP"};
    auto answer = [&](const std::string& q) {
      Strings out;
      SearchOptions o;
      o.limit = 0;
      for (const auto& hit : search(root, query_terms(q), o).hits) {
        out.push_back(fmt::format("{} {:.6f}", hit.article.id(), hit.score));
      }
      return out;
    };
    std::vector<Strings> expected;
    for (const auto& q : queries) {
      expected.push_back(answer(q));
      CHECK_FALSE(expected.back().empty());
    }
    const fs::path cache = index_path(root);
    REQUIRE(fs::exists(cache));
    const std::string good = read_raw(cache);
    std::mt19937 rng(20261202);
    int wrong = 0;
    int damaged_seen = 0;
    constexpr int k_corruptions = 200;
    for (int round = 0; round < k_corruptions; ++round) {
      std::string bad = good;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        bad[rng() % bad.size()] ^= static_cast<char>(1U << (rng() % 8));
      }
      write_raw(cache, bad);
      damaged_seen += index_is_damaged(root) ? 1 : 0;
      for (std::size_t q = 0; q < queries.size(); ++q) {
        if (answer(queries[q]) != expected[q]) {
          ++wrong;
        }
      }
      CHECK_FALSE(index_is_damaged(root)); // the search rebuilt it
    }
    MESSAGE(k_corruptions << " corruptions, " << damaged_seen << " noticed as damage, " << wrong << " wrong answers");
    CHECK(wrong == 0);
    CHECK(damaged_seen > k_corruptions / 2);
  }
}
