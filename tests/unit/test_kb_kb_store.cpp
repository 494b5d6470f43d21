#include <desk/kb/kb_store.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace desk;
using namespace desk::kb;
using desk::test::kb_config;
using desk::test::make_article;
using desk::test::TempDir;

TEST_SUITE("kb.kb_store")
{
  TEST_CASE("the store creates exclusively, resolves abbreviations and refuses paths")
  {
    TempDir dir;
    const KbStore store(dir.path());
    const Config c = kb_config();
    Article a = make_article(c, "KB-TEMP", "One", "s", "fix");
    Article b = make_article(c, "KB-TEMP", "Two", "s", "fix");
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
