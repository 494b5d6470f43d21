#include <desk/util/error.hpp>
#include <desk/util/parallel.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

TEST_SUITE_BEGIN("util.parallel");

TEST_CASE("parallel_for calls every index once, on one thread or several, any chunk")
{
  for (const unsigned threads : {0U, 1U, 3U}) {
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{16}, std::size_t{256}}) {
      std::vector<std::atomic<int>> calls(1000);
      desk::parallel_for(calls.size(), threads, [&](std::size_t i) { ++calls[i]; }, chunk);
      for (const auto& c : calls) {
        CHECK(c == 1);
      }
    }
  }
  desk::parallel_for(0, 4, [](std::size_t) { FAIL("no index to call"); });
}

TEST_CASE("parallel_for rethrows the error of the earliest line, then of the smallest index")
{
  const auto run = [](unsigned threads) {
    desk::parallel_for(200, threads, [](std::size_t i) {
      if (i == 150) {
        throw desk::ParseError("f.csv", 3, 1, "line three");
      }
      if (i == 20 || i == 40) {
        throw std::runtime_error("index " + std::to_string(i));
      }
      if (i == 100) {
        throw desk::ParseError("f.csv", 9, 1, "line nine");
      }
    });
  };
  for (const unsigned threads : {1U, 4U}) {
    CHECK_THROWS_WITH_AS(run(threads), doctest::Contains("line three"), desk::ParseError);
  }
  CHECK_THROWS_WITH_AS(
    desk::parallel_for(100, 4,
                       [](std::size_t i) {
                         if (i == 20 || i == 40) {
                           throw std::runtime_error("index " + std::to_string(i));
                         }
                       }),
    "index 20", std::runtime_error);
}

TEST_CASE("thread_count: one thread below the threshold, else the wanted number or the cores up to a cap")
{
  CHECK(desk::thread_count(0, 63) == 1);
  CHECK(desk::thread_count(8, 63) == 1);
  CHECK(desk::thread_count(8, 64) == 8);
  CHECK(desk::thread_count(0, 64) >= 1);
  CHECK(desk::thread_count(0, 64) <= 4);
  CHECK(desk::thread_count(0, 511, 512, 8) == 1);
  CHECK(desk::thread_count(0, 512, 512, 8) <= 8);
}

TEST_SUITE_END();
