#include <desk/report/render.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

using desk::test::review;
using desk::test::story;

TEST_SUITE("report.render_data") {

TEST_CASE("json: documented shape with seconds and fractions")
{
  const auto j = desk::report::to_json(review(story()));
  CHECK(j["format_version"] == 1);
  CHECK(j["period"]["since"] == "2026-11-02T00:00:00+08:00");
  CHECK(j["period"]["group_by"] == "team");
  CHECK(j["totals"]["volume"]["opened"] == 8);
  CHECK(j["totals"]["resolve"]["business"]["median"] == 19800);
  CHECK(j["totals"]["sla"]["resolve"]["compliance"].get<double>() == doctest::Approx(0.7143));
  CHECK(j["totals"]["resolution"]["first_contact_rate"].get<double>() == doctest::Approx(0.3333));
  CHECK(j["totals"]["satisfaction"]["average_rating"].get<double>() == doctest::Approx(4.0));
  CHECK(j["groups"]["rows"][0]["group"] == "service-desk");
  CHECK(j["volume_by"]["department"][0]["group"] == "财务部");
  CHECK(j["sla_breaches"][1]["done"].is_null());
  CHECK(j["backlog_ageing"][4]["max_days"].is_null());
  CHECK(j["trend"][1]["bucket"] == "2026-11-09");
  CHECK(j["totals"]["respond"]["business"]["p90"] == 1800);
  // An empty slice has null times and rates, never 0.
  const auto p1 = j["by_priority"][0];
  CHECK(p1["group"] == "P1");
  CHECK(p1["resolve"]["business"]["median"].is_null());
  CHECK(p1["resolution"]["first_contact_rate"].is_null());
}

TEST_CASE("csv: one long table of section,dimension,group,bucket,measure,value")
{
  const std::string csv = desk::report::render_csv(review(story()));
  CHECK(csv.rfind("section,dimension,group,bucket,measure,value\r\n", 0) == 0);
  CHECK(csv.find("volume,all,,,opened,8\r\n") != std::string::npos);
  CHECK(csv.find("resolve,all,,,business_median,19800\r\n") != std::string::npos);
  CHECK(csv.find("volume,team,service-desk,,opened,2\r\n") != std::string::npos);
  CHECK(csv.find("volume,department,财务部,,opened,1\r\n") != std::string::npos);
  CHECK(csv.find("volume,all,,2026-11-09,opened,5\r\n") != std::string::npos);
  CHECK(csv.find("backlog_ageing,all,7-30d,,count,1\r\n") != std::string::npos);
  CHECK(csv.find("sla_breach,ticket,T8,,resolve_late_seconds,154800\r\n") != std::string::npos);
  CHECK(csv.find("workload,assignee,bob,,log_minutes,45\r\n") != std::string::npos);
  // Every row has six cells (no cell here holds a comma).
  std::size_t pos = 0;
  while (pos < csv.size()) {
    const auto end = csv.find("\r\n", pos);
    const std::string line = csv.substr(pos, end - pos);
    if (line.find('"') == std::string::npos) {
      CHECK(std::count(line.begin(), line.end(), ',') == 5);
    }
    pos = end + 2;
  }
}

} // TEST_SUITE
