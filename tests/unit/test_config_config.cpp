#include <desk/config/config.hpp>
#include <desk/util/error.hpp>

#include <doctest/doctest.h>

#include <string>

using desk::Config;

TEST_SUITE_BEGIN("config.config");

TEST_CASE("require_one_of names the allowed values")
{
  try {
    Config::require_one_of("channel", "fax", {"phone", "im"});
    FAIL_CHECK("no error");
  } catch (const desk::UsageError& e) {
    CHECK(std::string(e.what()) == "unknown channel 'fax'; use one of: phone, im");
  }
  CHECK_NOTHROW(Config::require_one_of("channel", "im", {"phone", "im"}));
}

TEST_SUITE_END();
