#include <desk/report/render.hpp>
#include <desk/util/text.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using desk::test::review;
using desk::test::story;

TEST_SUITE("report.render_markdown") {

TEST_CASE("markdown: a review document with aligned tables")
{
  const std::string md = desk::report::render_markdown(review(story()));
  CHECK(md.rfind("# Service review 2026-11-02 – 2026-11-15\n", 0) == 0);
  for (const char* heading : {"## Summary", "## Trend by week", "## Volume", "## Time to respond and resolve",
                              "## SLA compliance", "## Resolution quality", "## Backlog", "## Workload",
                              "## Satisfaction", "## By team", "## Definitions"}) {
    CHECK(md.find(heading) != std::string::npos);
  }
  // The department table: every row of it has the same display width (CJK counts 2).
  const auto start = md.find("**By department**");
  REQUIRE(start != std::string::npos);
  std::size_t pos = md.find('|', start);
  std::size_t width = 0;
  int rows = 0;
  while (pos < md.size() && md[pos] == '|') {
    const auto end = md.find('\n', pos);
    const auto w = desk::text::display_width(md.substr(pos, end - pos));
    if (width == 0) {
      width = w;
    }
    CHECK(w == width);
    ++rows;
    pos = end + 1;
  }
  CHECK(rows == 5); // header, rule, 财务部, (none), All
}

} // TEST_SUITE
