#include <desk/kb/html_export.hpp>
#include <desk/kb/lifecycle.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace desk;
using namespace desk::kb;
using desk::test::kb_config;
using desk::test::kb_context;
using desk::test::kb_corpus;
using desk::test::make_article;
using desk::test::read_raw;
using desk::test::TempDir;
using desk::test::write_raw;

TEST_SUITE("kb.html_export")
{
  TEST_CASE("the site holds public validated articles only, escaped, with a search index")
  {
    TempDir dir;
    const Config c = kb_config();
    std::vector<Article> articles = kb_corpus(c);
    ArticleEdit pub;
    pub.audience = "public";
    for (auto& a : articles) {
      edit(a, kb_context(c), pub);
    }
    Article evil = make_article(c, "KB-EVIL0001", "<script>alert(1)</script> & \"quotes\"", "<b>bold</b>", "fix </pre>");
    edit(evil, kb_context(c), pub);
    articles.push_back(evil);
    Article internal = make_article(c, "KB-INTL0001", "Internal only", "s", "fix");
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
    articles.front() = make_article(c, "KB-AAAA0001", "打印机脱机无法打印", "s", "fix");
    export_html(articles, site, "2026-11-28 09:00");
    CHECK_FALSE(fs::exists(site / "KB-AAAA0001.html"));

    // A folder with other files is refused.
    write_raw(dir.path() / "other" / "notes.txt", "mine");
    CHECK_THROWS_AS(export_html(articles, dir.path() / "other", "x"), UsageError);
    CHECK(read_raw(dir.path() / "other" / "notes.txt") == "mine");
  }
}
