#include <desk/ops/review.hpp>
#include <desk/ops/ticket_steps.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

namespace ops = desk::ops;
using desk::test::make_repository;
using desk::test::TempDir;

TEST_SUITE_BEGIN("ops.review");

TEST_CASE("the review reads the repository, names unreadable files by their path, and counts what it skips")
{
  TempDir dir;
  const auto repo = make_repository(dir / "repo");
  const auto* zone = desk::find_zone("Asia/Shanghai");
  const auto at = [&](const char* local) { return desk::parse_timestamp_or_throw(local, zone, "test"); };
  desk::workflow::OpenRequest r;
  r.title = "打印机卡纸 printer jam";
  const std::string id = ops::open(repo, {"alice", at("2026-12-03T10:00")}, r).ticket.id();
  r.title = "an old one";
  const std::string old = ops::open(repo, {"alice", at("2025-01-06T10:00")}, r).ticket.id();
  ops::cancel(repo, {"alice", at("2025-01-06T11:00")}, old, "duplicate");
  desk::test::write_raw(repo.tickets().dir() / "2026" / "12" / "INC-BROKEN01.yaml", "id: INC-BROKEN01\ntitle: [\n");

  desk::report::ReportOptions options;
  options.now = at("2026-12-04T10:00");
  options.until = options.now;
  options.since = at("2026-12-01T00:00");
  const auto review = ops::review(repo, options);
  CHECK(review.tickets_read == 2); // the one in the period and the old one, counted unread
  CHECK(review.totals.volume.opened == 1);
  REQUIRE(review.left_out.size() == 1);
  CHECK(review.left_out[0].source.starts_with("tickets/2026/12/INC-BROKEN01.yaml:"));
  CHECK(review.left_out[0].reason.find("flow") != std::string::npos);

  options.since = options.until;
  CHECK_THROWS_AS(ops::review(repo, options), desk::UsageError);
}

TEST_SUITE_END();
