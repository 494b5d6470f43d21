// Knowledge base: tokenising, ranking, snippets, article files and the lifecycle.
#include <desk/kb/article.hpp>
#include <desk/kb/html_export.hpp>
#include <desk/kb/kb_index.hpp>
#include <desk/kb/kb_store.hpp>
#include <desk/kb/lifecycle.hpp>
#include <desk/kb/search.hpp>
#include <desk/kb/tokenize.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>
#include <desk/util/time.hpp>

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
using desk::test::read_raw;
using desk::test::TempDir;
using desk::test::write_raw;

namespace {

using Strings = std::vector<std::string>;

Config test_config()
{
  Config c;
  c.timezone = "Asia/Shanghai";
  c.categories = {"network", "server", "database", "application", "end-user-device"};
  return c;
}

workflow::Context context(const Config& c, const std::string& actor = "alice")
{
  return {c, actor, *parse_timestamp("2026-11-27T17:30:00+08:00", nullptr)};
}

Article make(const Config& c, const std::string& id, const std::string& title, const std::string& symptoms,
             const std::string& solution, const std::string& category = "",
             const std::vector<std::string>& tags = {}, State state = State::validated)
{
  ArticleDraft d;
  d.title = title;
  d.symptoms = symptoms;
  d.solution = solution;
  d.category = category;
  d.tags = tags;
  Article a = new_article(context(c), d);
  a.set("id", id);
  if (state == State::validated) {
    validate(a, context(c, "bob"), "");
  } else if (state == State::archived) {
    archive(a, context(c), "");
  }
  return a;
}

// The ids of a search, best first.
Strings ranked(const KbIndex& index, const std::string& query, const SearchFilter& filter = {})
{
  Strings out;
  for (const auto& hit : index.search(query_terms(query), filter, 0)) {
    out.push_back(index.doc(hit.doc).id);
  }
  return out;
}

std::vector<Article> corpus(const Config& c)
{
  return {
    make(c, "KB-AAAA0001", "打印机脱机无法打印", "打印时提示“打印机脱机”，队列里的文档一直等待。",
         "1. 打开“服务”\n2. 重启 Print Spooler 服务\n3. 重新打印", "end-user-device", {"打印机"}),
    make(c, "KB-AAAA0002", "VPN 无法连接，错误 809", "在家连接公司 VPN 时提示错误 809。",
         "在路由器上开启 IPsec 直通；或改用 SSL VPN。", "network", {"vpn"}),
    make(c, "KB-AAAA0003", "Outlook 无法发送邮件", "邮件一直停在发件箱里，没有错误提示。",
         "检查 SMTP 认证设置，重建 Outlook 配置文件。", "application", {"outlook", "邮件"}),
    make(c, "KB-AAAA0004", "添加共享打印机报错 0x0000011b", "添加网络打印机时报错 0x0000011b。",
         "安装最新的累积更新，或在打印服务器上调整 RPC 认证级别。", "end-user-device"),
    make(c, "KB-AAAA0005", "Printer offline after a Windows update",
         "The printer shows as offline and documents stay in the queue.",
         "Restart the Print Spooler service, then remove and re-add the printer.", "end-user-device",
         {"printer"}),
    make(c, "KB-AAAA0006", "Password reset for the ERP system", "Users cannot log in to ERP after 90 days.",
         "Reset the password in the self-service portal.", "application", {}, State::draft),
  };
}

KbIndex index_of(const std::vector<Article>& articles)
{
  auto index = KbIndex::open(KbIndex::build(articles, {}, IndexStamp{42, 0, 0, 0}));
  REQUIRE(index.has_value());
  return *index;
}

} // namespace

TEST_SUITE("kb.tokenize")
{
  TEST_CASE("English words split on anything that is not a letter or digit, folded to lower case")
  {
    CHECK(token_texts("Printer OFFLINE: can't print!") == Strings{"printer", "offline", "can", "t", "print"});
    CHECK(token_texts("error-code 0x80070005, v2.1") == Strings{"error", "code", "0x80070005", "v2", "1"});
    CHECK(token_texts("   ") == Strings{});
    CHECK(token_texts("Straße ÉCRAN écran") == Strings{"strasse", "écran", "écran"});
  }

  TEST_CASE("Chinese text becomes overlapping bigrams; a lone character a unigram")
  {
    CHECK(token_texts("打印机脱机") == Strings{"打印", "印机", "机脱", "脱机"});
    CHECK(token_texts("网") == Strings{"网"});
    CHECK(token_texts("网 断") == Strings{"网", "断"});
    CHECK(token_texts("打印机，脱机。") == Strings{"打印", "印机", "脱机"});
    // The index adds every character as a unigram so a one-character query finds it.
    CHECK(token_texts("打印机", true) == Strings{"打印", "印机", "打", "印", "机"});
  }

  TEST_CASE("mixed Chinese and English")
  {
    CHECK(token_texts("VPN连接失败，错误代码809") ==
          Strings{"vpn", "连接", "接失", "失败", "错误", "误代", "代码", "809"});
    CHECK(token_texts("重启Print Spooler服务") == Strings{"重启", "print", "spooler", "服务"});
  }

  TEST_CASE("full-width and half-width forms fold together")
  {
    CHECK(token_texts("ＶＰＮ　Ｅｒｒｏｒ　８０９") == Strings{"vpn", "error", "809"});
    CHECK(token_texts("ＶＰＮ") == token_texts("vpn"));
    CHECK(token_texts("ﾌﾟﾘﾝﾀｰ") == token_texts("プリンター"));
    CHECK(token_texts("打印机（HP）") == Strings{"打印", "印机", "hp"});
    // Decomposed input equals composed input.
    CHECK(token_texts("cafe\xCC\x81") == token_texts("café"));
  }

  TEST_CASE("tokens know where they came from")
  {
    const std::string s = "Hello 世界 WORLD";
    const auto tokens = tokenize(s);
    REQUIRE(tokens.size() == 3);
    CHECK(s.substr(tokens[0].begin, tokens[0].end - tokens[0].begin) == "Hello");
    CHECK(s.substr(tokens[1].begin, tokens[1].end - tokens[1].begin) == "世界");
    CHECK(tokens[2].text == "world");
    CHECK(s.substr(tokens[2].begin, tokens[2].end - tokens[2].begin) == "WORLD");
    const std::string wide = "ＶＰＮ";
    CHECK(tokenize(wide).front().end == wide.size());
  }

  TEST_CASE("very long words are cut, not dropped")
  {
    const std::string word(200, 'x');
    const auto t = token_texts(word);
    REQUIRE(t.size() == 1);
    CHECK(t[0].size() == k_max_word_length);
  }
}

TEST_SUITE("kb.query")
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
}

TEST_SUITE("kb.rank")
{
  TEST_CASE("Chinese queries rank the closest article first")
  {
    const Config c = test_config();
    const KbIndex index = index_of(corpus(c));
    CHECK(ranked(index, "打印机脱机") == Strings{"KB-AAAA0001", "KB-AAAA0004"});
    CHECK(ranked(index, "打印机").front() == "KB-AAAA0001");
    CHECK(ranked(index, "发件箱") == Strings{"KB-AAAA0003"});
    CHECK(ranked(index, "邮件发不出去").front() == "KB-AAAA0003");
  }

  TEST_CASE("English and mixed queries")
  {
    const Config c = test_config();
    const KbIndex index = index_of(corpus(c));
    CHECK(ranked(index, "printer offline") == Strings{"KB-AAAA0005"});
    CHECK(ranked(index, "Print Spooler") == Strings{"KB-AAAA0005", "KB-AAAA0001"});
    CHECK(ranked(index, "vpn 809").front() == "KB-AAAA0002");
    CHECK(ranked(index, "ＶＰＮ　８０９").front() == "KB-AAAA0002");
    CHECK(ranked(index, "0x0000011b") == Strings{"KB-AAAA0004"});
    CHECK(ranked(index, "nothing-like-this").empty());
  }

  TEST_CASE("a match in the title weighs more than one in the body")
  {
    const Config c = test_config();
    const std::vector<Article> articles = {
      make(c, "KB-BBBB0001", "Mail client settings", "Scanner icon missing in the taskbar.", "Reinstall the driver."),
      make(c, "KB-BBBB0002", "Scanner icon missing", "Mail client settings in the taskbar.", "Reinstall the driver."),
    };
    const KbIndex index = index_of(articles);
    CHECK(ranked(index, "scanner") == Strings{"KB-BBBB0002", "KB-BBBB0001"});
    CHECK(ranked(index, "mail") == Strings{"KB-BBBB0001", "KB-BBBB0002"});
  }

  TEST_CASE("rarer terms count more (idf) and repeats saturate")
  {
    const Config c = test_config();
    const std::vector<Article> articles = {
      make(c, "KB-CCCC0001", "Network drive", "network network network network network", "Map it again."),
      make(c, "KB-CCCC0002", "Network drive", "network drive letter Z missing", "Map it again."),
      make(c, "KB-CCCC0003", "Network printer", "network", "Map it again."),
    };
    const KbIndex index = index_of(articles);
    // "letter" appears once, in one doc: it decides.
    CHECK(ranked(index, "network letter").front() == "KB-CCCC0002");
  }

  TEST_CASE("filters: state, category, audience, tags")
  {
    const Config c = test_config();
    const KbIndex index = index_of(corpus(c));
    SearchFilter validated;
    validated.states = {State::validated};
    CHECK(ranked(index, "password", validated).empty());
    CHECK(ranked(index, "password") == Strings{"KB-AAAA0006"});
    SearchFilter network;
    network.categories = {"network"};
    CHECK(ranked(index, "错误", network) == Strings{"KB-AAAA0002"});
    SearchFilter tagged;
    tagged.tags = {"printer"};
    CHECK(ranked(index, "Spooler", tagged) == Strings{"KB-AAAA0005"});
    SearchFilter public_only;
    public_only.audiences = {Audience::public_};
    CHECK(ranked(index, "打印机", public_only).empty());
  }

  TEST_CASE("the limit keeps the best")
  {
    const Config c = test_config();
    const KbIndex index = index_of(corpus(c));
    const auto hits = index.search(query_terms("打印"), {}, 1);
    REQUIRE(hits.size() == 1);
    CHECK(index.doc(hits[0].doc).id == "KB-AAAA0001");
  }

  TEST_CASE("a damaged index block does not open")
  {
    const Config c = test_config();
    const std::string bytes = KbIndex::build(corpus(c), {}, IndexStamp{7, 0, 0, 0});
    CHECK(KbIndex::open(bytes).has_value());
    CHECK_FALSE(KbIndex::open(bytes.substr(0, bytes.size() / 2)).has_value());
    CHECK_FALSE(KbIndex::open(std::string("garbage")).has_value());
    std::string bad = bytes;
    bad[0] = 'X';
    CHECK_FALSE(KbIndex::open(bad).has_value());
    CHECK(KbIndex::open(bytes)->stamp().files == 7);
  }
}

TEST_SUITE("kb.snippet")
{
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
    const Config c = test_config();
    ArticleDraft d;
    d.title = "VPN";
    d.symptoms = "Cannot connect from home.";
    d.error = "Error 809: the network connection between your computer and the VPN server could not be established";
    d.solution = "Enable IPsec passthrough.";
    const Article a = new_article(context(c), d);
    const Snippet s = best_snippet(a, query_terms("error 809 vpn"));
    CHECK(s.field == "error");
    CHECK(s.text.find("809") != std::string::npos);
  }
}

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
    const Config c = test_config();
    const Article a = make(c, "KB-DDDD0001", "Title: with colon", "line 1\nline 2\t# tab", "- dash first",
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

  TEST_CASE("the store creates exclusively, resolves abbreviations and refuses paths")
  {
    TempDir dir;
    const KbStore store(dir.path());
    const Config c = test_config();
    Article a = make(c, "KB-TEMP", "One", "s", "fix");
    Article b = make(c, "KB-TEMP", "Two", "s", "fix");
    int n = 0;
    const auto ra = store.create(a, [&] { return std::string("KB-7K3F2A9Q"); });
    CHECK(ra.id == "KB-7K3F2A9Q");
    // A clash draws again.
    const auto rb = store.create(b, [&] { return ++n == 1 ? std::string("KB-7K3F2A9Q") : std::string("KB-7K3G0000"); });
    CHECK(rb.id == "KB-7K3G0000");
    CHECK(store.load(ra).title() == "One");
    CHECK(store.resolve("kb-7k3f").id == "KB-7K3F2A9Q");
    CHECK(store.resolve("7K3G").id == "KB-7K3G0000");
    CHECK_THROWS_AS(store.resolve("7K3"), NotFoundError);
    CHECK_THROWS_AS(store.resolve("ZZZZ"), NotFoundError);
    CHECK_THROWS_AS(store.resolve("../tickets"), UsageError);
    std::vector<ArticleProblem> problems;
    CHECK(store.load_all(problems).size() == 2);
    CHECK(problems.empty());
  }
}

TEST_SUITE("kb.lifecycle")
{
  TEST_CASE("add needs a title and a solution; the category must be configured")
  {
    const Config c = test_config();
    ArticleDraft d;
    d.solution = "fix";
    CHECK_THROWS_AS(new_article(context(c), d), UsageError);
    d.title = "t";
    d.solution = "  ";
    CHECK_THROWS_AS(new_article(context(c), d), UsageError);
    d.solution = "fix";
    d.category = "plumbing";
    CHECK_THROWS_AS(new_article(context(c), d), UsageError);
    d.category = "network";
    d.audience = "everyone";
    CHECK_THROWS_AS(new_article(context(c), d), UsageError);
    d.audience = "";
    const Article a = new_article(context(c), d);
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
    const Config c = test_config();
    Article a = make(c, "KB-EEEE0001", "t", "s", "fix", "", {}, State::draft);
    CHECK_THROWS_AS(validate(a, context(c, "alice"), ""), InvalidTransitionError);
    CHECK(a.state() == State::draft);
    CHECK(a.events().size() == 1);
    validate(a, context(c, "bob"), "works");
    CHECK(a.state() == State::validated);
    CHECK(a.get_list("reviewers") == Strings{"bob"});
    CHECK(a.events().back().action == "validate");
    CHECK_THROWS_AS(validate(a, context(c, "carol"), ""), InvalidTransitionError);
    archive(a, context(c), "obsolete");
    CHECK(a.state() == State::archived);
    CHECK_THROWS_AS(archive(a, context(c), ""), InvalidTransitionError);
    ArticleEdit retitle;
    retitle.title = "x";
    CHECK_THROWS_AS(edit(a, context(c), retitle), InvalidTransitionError);
    validate(a, context(c, "carol"), "");
    CHECK(a.get_list("reviewers") == Strings{"bob", "carol"});
  }

  TEST_CASE("edit records what changed; a content change sends a validated article back to draft")
  {
    const Config c = test_config();
    Article a = make(c, "KB-EEEE0002", "t", "s", "fix");
    REQUIRE(a.state() == State::validated);
    ArticleEdit tags;
    tags.tags = Strings{"a", "b", "a", " "};
    CHECK(edit(a, context(c), tags) == Strings{"tags"});
    CHECK(a.get_list("tags") == Strings{"a", "b"});
    CHECK(a.state() == State::validated);
    CHECK(edit(a, context(c), tags).empty()); // nothing new: no event
    const std::size_t events = a.events().size();
    ArticleEdit text;
    text.solution = "better fix";
    text.cause = "";
    CHECK(edit(a, context(c), text) == Strings{"solution"});
    CHECK(a.state() == State::draft);
    CHECK(a.events().size() == events + 1);
    ArticleEdit bad;
    bad.title = "";
    CHECK_THROWS_AS(edit(a, context(c), bad), UsageError);
  }

  TEST_CASE("capture from a resolved ticket; refused for an unresolved one")
  {
    const Config c = test_config();
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
    CHECK_THROWS_AS(capture(t, context(c), {}), InvalidTransitionError);
    for (const char* status : {"resolved", "confirmed", "closed"}) {
      t.set("status", status);
      const Article a = capture(t, context(c), {});
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
    link_article(t, context(c), "KB-FFFF0001", "captured");
    link_article(t, context(c), "KB-FFFF0001", "again");
    CHECK(t.get_list("kb") == Strings{"KB-FFFF0001"});
    CHECK(t.events().back().action == "kb");
  }

  TEST_CASE("reuse counts every solved ticket and links each once")
  {
    const Config c = test_config();
    Article a = make(c, "KB-EEEE0003", "t", "s", "fix");
    record_reuse(a, context(c), "INC-1");
    record_reuse(a, context(c), "INC-2");
    record_reuse(a, context(c), "INC-1");
    CHECK(a.reuse_count() == 3);
    CHECK(a.get_list("tickets") == Strings{"INC-1", "INC-2"});
    CHECK(a.events().back().action == "reuse");
    CHECK(KbStore::serialize(a).find("reuse_count: 3\n") != std::string::npos);
  }
}

TEST_SUITE("kb.cache")
{
  TEST_CASE("the cached index is written, reused, and rebuilt when kb/ changes or the cache is damaged")
  {
    TempDir dir;
    const Config c = test_config();
    const KbStore store(dir.path());
    for (auto a : corpus(c)) {
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
    edit(e, context(c), change);
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
    const Config c = test_config();
    const KbStore store(dir.path());
    for (auto a : corpus(c)) {
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
    edit(e, context(c), change);
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
    Article added = make(c, "KB-AAAA0007", "Keyboard types wrong letters", "s", "Switch the layout");
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
    const Config c = test_config();
    const KbStore store(dir.path());
    for (auto a : corpus(c)) {
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
}

TEST_SUITE("kb.export")
{
  TEST_CASE("html_escape escapes every special character")
  {
    CHECK(text::html_escape("<a href=\"x\">Tom & Jerry's</a>") ==
          "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  }

  TEST_CASE("the site holds public validated articles only, escaped, with a search index")
  {
    TempDir dir;
    const Config c = test_config();
    std::vector<Article> articles = corpus(c);
    ArticleEdit pub;
    pub.audience = "public";
    for (auto& a : articles) {
      edit(a, context(c), pub);
    }
    Article evil = make(c, "KB-EVIL0001", "<script>alert(1)</script> & \"quotes\"", "<b>bold</b>", "fix </pre>");
    edit(evil, context(c), pub);
    articles.push_back(evil);
    Article internal = make(c, "KB-INTL0001", "Internal only", "s", "fix");
    articles.push_back(internal);

    const fs::path site = dir.path() / "site";
    const ExportResult r = export_html(articles, site, "2026-11-27 17:30");
    CHECK(r.articles == 6); // five validated public ones + the escaped one; not the draft, not internal
    CHECK(fs::exists(site / "index.html"));
    CHECK(fs::exists(site / "search.html"));
    CHECK(fs::exists(site / "search.js"));
    CHECK(fs::exists(site / "search-index.js"));
    CHECK(fs::exists(site / "KB-AAAA0001.html"));
    CHECK_FALSE(fs::exists(site / "KB-AAAA0006.html"));
    CHECK_FALSE(fs::exists(site / "KB-INTL0001.html"));
    const std::string page = read_raw(site / "KB-EVIL0001.html");
    CHECK(page.find("<script>alert") == std::string::npos);
    CHECK(page.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;") != std::string::npos);
    CHECK(page.find("&lt;b&gt;bold&lt;/b&gt;") != std::string::npos);
    const std::string index_js = read_raw(site / "search-index.js");
    CHECK(index_js.starts_with("window.DESK_KB_INDEX = "));
    CHECK(index_js.find("<") == std::string::npos);
    CHECK(index_js.find("\"打印\"") != std::string::npos);
    const std::string index = read_raw(site / "index.html");
    CHECK(index.find("end-user-device") != std::string::npos);
    CHECK(index.find("http://") == std::string::npos);
    CHECK(index.find("https://") == std::string::npos);

    // Exporting again updates in place and drops pages no longer exported.
    articles.front() = make(c, "KB-AAAA0001", "打印机脱机无法打印", "s", "fix");
    export_html(articles, site, "2026-11-28 09:00");
    CHECK_FALSE(fs::exists(site / "KB-AAAA0001.html"));

    // A folder with other files is refused.
    write_raw(dir.path() / "other" / "notes.txt", "mine");
    CHECK_THROWS_AS(export_html(articles, dir.path() / "other", "x"), UsageError);
    CHECK(read_raw(dir.path() / "other" / "notes.txt") == "mine");
  }
}

TEST_SUITE("kb.kb_index")
{
  TEST_CASE("a header or body changed by one byte fails the checksums")
  {
    const Config c = test_config();
    const std::string bytes = KbIndex::build(corpus(c), {}, IndexStamp{7, 0, 0, 0});
    REQUIRE(KbIndex::open(bytes).has_value());
    std::size_t refused = 0;
    std::size_t stamp_bytes = 0;
    for (std::size_t at = 0; at < bytes.size(); ++at) {
      std::string bad = bytes;
      bad[at] = static_cast<char>(bad[at] ^ 0x01);
      if (at >= KbIndex::stamp_offset() && at < KbIndex::stamp_offset() + sizeof(IndexStamp)) {
        ++stamp_bytes; // the stamp is refreshed in place; a wrong one only makes the index stale
        continue;
      }
      if (!KbIndex::open(bad).has_value()) {
        ++refused;
      }
    }
    CHECK(refused == bytes.size() - stamp_bytes);
  }

  TEST_CASE("searches through a randomly damaged cache equal those of a fresh index")
  {
    const Config c = test_config();
    TempDir dir;
    const fs::path root = dir.path();
    fs::create_directories(root / ".desk");
    const KbStore store(root);
    int n = 0;
    for (Article a : corpus(c)) {
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
