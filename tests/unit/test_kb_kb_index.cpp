#include <desk/kb/kb_index.hpp>
#include <desk/kb/search.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace desk;
using namespace desk::kb;
using desk::test::kb_config;
using desk::test::kb_corpus;
using desk::test::make_article;
using desk::test::ranked;

namespace {

using Strings = std::vector<std::string>;

KbIndex index_of(const std::vector<Article>& articles)
{
  auto index = KbIndex::open(KbIndex::build(articles, {}, IndexStamp{42, 0, 0, 0}));
  REQUIRE(index.has_value());
  return *index;
}

} // namespace

TEST_SUITE("kb.kb_index")
{
  TEST_CASE("Chinese queries rank the closest article first")
  {
    const Config c = kb_config();
    const KbIndex index = index_of(kb_corpus(c));
    CHECK(ranked(index, "打印机脱机") == Strings{"KB-AAAA0001", "KB-AAAA0004"});
    CHECK(ranked(index, "打印机").front() == "KB-AAAA0001");
    CHECK(ranked(index, "发件箱") == Strings{"KB-AAAA0003"});
    CHECK(ranked(index, "邮件发不出去").front() == "KB-AAAA0003");
  }

  TEST_CASE("English and mixed queries")
  {
    const Config c = kb_config();
    const KbIndex index = index_of(kb_corpus(c));
    CHECK(ranked(index, "printer offline") == Strings{"KB-AAAA0005"});
    CHECK(ranked(index, "Print Spooler") == Strings{"KB-AAAA0005", "KB-AAAA0001"});
    CHECK(ranked(index, "vpn 809").front() == "KB-AAAA0002");
    CHECK(ranked(index, "ＶＰＮ　８０９").front() == "KB-AAAA0002");
    CHECK(ranked(index, "0x0000011b") == Strings{"KB-AAAA0004"});
    CHECK(ranked(index, "nothing-like-this").empty());
  }

  TEST_CASE("a match in the title weighs more than one in the body")
  {
    const Config c = kb_config();
    const std::vector<Article> articles = {
      make_article(c, "KB-BBBB0001", "Mail client settings", "Scanner icon missing in the taskbar.", "Reinstall the driver."),
      make_article(c, "KB-BBBB0002", "Scanner icon missing", "Mail client settings in the taskbar.", "Reinstall the driver."),
    };
    const KbIndex index = index_of(articles);
    CHECK(ranked(index, "scanner") == Strings{"KB-BBBB0002", "KB-BBBB0001"});
    CHECK(ranked(index, "mail") == Strings{"KB-BBBB0001", "KB-BBBB0002"});
  }

  TEST_CASE("rarer terms count more (idf) and repeats saturate")
  {
    const Config c = kb_config();
    const std::vector<Article> articles = {
      make_article(c, "KB-CCCC0001", "Network drive", "network network network network network", "Map it again."),
      make_article(c, "KB-CCCC0002", "Network drive", "network drive letter Z missing", "Map it again."),
      make_article(c, "KB-CCCC0003", "Network printer", "network", "Map it again."),
    };
    const KbIndex index = index_of(articles);
    // "letter" appears once, in one doc: it decides.
    CHECK(ranked(index, "network letter").front() == "KB-CCCC0002");
  }

  TEST_CASE("filters: state, category, audience, tags")
  {
    const Config c = kb_config();
    const KbIndex index = index_of(kb_corpus(c));
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
    const Config c = kb_config();
    const KbIndex index = index_of(kb_corpus(c));
    const auto hits = index.search(query_terms("打印"), {}, 1);
    REQUIRE(hits.size() == 1);
    CHECK(index.doc(hits[0].doc).id == "KB-AAAA0001");
  }

  TEST_CASE("a damaged index block does not open")
  {
    const Config c = kb_config();
    const std::string bytes = KbIndex::build(kb_corpus(c), {}, IndexStamp{7, 0, 0, 0});
    CHECK(KbIndex::open(bytes).has_value());
    CHECK_FALSE(KbIndex::open(bytes.substr(0, bytes.size() / 2)).has_value());
    CHECK_FALSE(KbIndex::open(std::string("garbage")).has_value());
    std::string bad = bytes;
    bad[0] = 'X';
    CHECK_FALSE(KbIndex::open(bad).has_value());
    CHECK(KbIndex::open(bytes)->stamp().files == 7);
  }

  TEST_CASE("a header or body changed by one byte fails the checksums")
  {
    const Config c = kb_config();
    const std::string bytes = KbIndex::build(kb_corpus(c), {}, IndexStamp{7, 0, 0, 0});
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
}
