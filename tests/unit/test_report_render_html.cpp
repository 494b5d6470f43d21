#include <desk/report/render.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using desk::test::only;
using desk::test::review;
using desk::test::story;

TEST_SUITE("report.render_html") {

TEST_CASE("html: one self-contained page with the four charts")
{
  const std::string html = desk::report::render_html(review(story()));
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  for (const char* id : {"chart-volume-trend", "chart-sla-priority", "chart-resolve-distribution",
                         "chart-backlog-ageing"}) {
    CHECK(html.find(std::string("<svg id=\"") + id + "\"") != std::string::npos);
  }
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("<link") == std::string::npos);
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("url(") == std::string::npos);
  CHECK(html.find("财务部") != std::string::npos);
  // Text is escaped.
  auto tickets = only({"T6"});
  tickets[0].set("title", "<b>&\"x\"</b>");
  const std::string escaped = desk::report::render_html(review(tickets));
  CHECK(escaped.find("<b>&") == std::string::npos);
  CHECK(escaped.find("&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;") != std::string::npos);
}

} // TEST_SUITE
