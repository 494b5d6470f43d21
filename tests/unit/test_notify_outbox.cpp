#include <desk/notify/outbox.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>

using desk::Timestamp;
using desk::test::utc;

TEST_SUITE("notify.outbox")
{
  TEST_CASE("outbox: backoff doubles, the rate limit counts one hour")
  {
    desk::notify::Outbox o;
    const Timestamp t0 = utc("2026-12-02T10:00:00Z");
    o.fail("k", "refused", t0);
    CHECK_FALSE(o.may_try("k", t0));
    CHECK(o.may_try("k", t0 + std::chrono::minutes(1)));
    o.fail("k", "refused", t0);
    CHECK_FALSE(o.may_try("k", t0 + std::chrono::minutes(1)));
    CHECK(o.may_try("k", t0 + std::chrono::minutes(2)));
    for (int i = 0; i < 3; ++i) {
      CHECK(o.may_auto_reply("robot@x", 3, t0));
    }
    CHECK_FALSE(o.may_auto_reply("robot@x", 3, t0 + std::chrono::minutes(30)));
    CHECK(o.may_auto_reply("robot@x", 3, t0 + std::chrono::minutes(61)));
    desk::test::TempDir dir;
    desk::notify::save_outbox(dir / "o.json", o);
    const desk::notify::Outbox back = desk::notify::load_outbox(dir / "o.json");
    CHECK(back.failures.at("k").attempts == 2);
    CHECK(back.auto_replies.at("robot@x").size() == 1);
    desk::test::write_raw(dir / "bad.json", "{not json");
    CHECK(desk::notify::load_outbox(dir / "bad.json").failures.empty());
  }
}
