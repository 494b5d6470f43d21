#include <desk/model/status.hpp>

#include <doctest/doctest.h>

using desk::Status;

TEST_SUITE_BEGIN("model.status");

TEST_CASE("is_unresolved and is_final")
{
  using enum Status;
  for (Status s : {new_, triaged, assigned, in_progress, pending, escalated, reopened}) {
    CHECK(is_unresolved(s));
    CHECK_FALSE(is_final(s));
  }
  for (Status s : {resolved, confirmed}) {
    CHECK_FALSE(is_unresolved(s));
    CHECK_FALSE(is_final(s));
  }
  for (Status s : {closed, cancelled}) {
    CHECK_FALSE(is_unresolved(s));
    CHECK(is_final(s));
  }
}

TEST_SUITE_END();
