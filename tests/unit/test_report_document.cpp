#include <desk/report/render.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <optional>

using namespace std::chrono_literals;
using desk::test::review;
using desk::test::story;

TEST_SUITE("report.document") {

TEST_CASE("presentation helpers")
{
  using namespace desk::report::fmt_text;
  CHECK(hours(std::nullopt) == "–");
  CHECK(hours(45min) == "45m");
  CHECK(hours(3h + 5min) == "3h 05m");
  CHECK(hours(123h + 20min) == "123h");
  CHECK(percent({1, 3}) == "33.3%");
  CHECK(percent({0, 0}) == "–");
  CHECK(rating(4.0) == "4.00");
  const auto r = review(story());
  CHECK(period(r) == "2026-11-02 00:00 – 2026-11-16 00:00 (Asia/Shanghai)");
  CHECK(period_title(r) == "2026-11-02 – 2026-11-15"); // the end is exclusive
  // The document shows lateness as wall-clock days and hours.
  for (const auto& section : desk::report::document(r)) {
    if (section.id == "sla") {
      const auto& breaches = section.tables.back();
      REQUIRE(breaches.rows.size() == 3);
      CHECK(breaches.rows[0][0] == "T8");
      CHECK(breaches.rows[0][5] == "1d 19h");
      CHECK(breaches.rows[1][4] == "not yet");
    }
  }
}

} // TEST_SUITE
