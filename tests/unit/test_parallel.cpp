#include <desk/storage/ticket_walk.hpp>
#include <desk/util/error.hpp>
#include <desk/util/parallel.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;

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

TEST_CASE("walk_ticket_files: tickets/YYYY/MM/*.yaml by path, stamps on request, hidden folders on request")
{
  const desk::test::TempDir dir;
  const fs::path tickets = dir.path() / "tickets";
  desk::test::write_raw(tickets / "2026/11/INC-B.yaml", "b");
  desk::test::write_raw(tickets / "2026/02/INC-A.yaml", "aa");
  desk::test::write_raw(tickets / "2026/02/.INC-A.yaml.tmp", "partial");
  desk::test::write_raw(tickets / "2026/02/notes.txt", "not a ticket");
  desk::test::write_raw(tickets / ".old/01/INC-C.yaml", "hidden folder");
  fs::create_directories(tickets / "2026/02/INC-D.yaml"); // a folder: listed, no stamp

  const auto plain = desk::storage::walk_ticket_files(tickets, {.stamps = false, .hidden_folders = false});
  std::vector<std::string> rels;
  for (const auto& f : plain) {
    rels.emplace_back(f.rel);
    CHECK_FALSE(f.stamp);
  }
  CHECK(rels == std::vector<std::string>{"2026/02/INC-A.yaml", "2026/02/INC-D.yaml", "2026/11/INC-B.yaml"});

  const auto stamped = desk::storage::walk_ticket_files(tickets, {.stamps = true, .hidden_folders = true});
  REQUIRE(stamped.size() == 4);
  CHECK(stamped[0].rel == ".old/01/INC-C.yaml");
  CHECK(stamped[1].rel == "2026/02/INC-A.yaml");
  REQUIRE(stamped[1].stamp);
  CHECK(stamped[1].stamp->size == 2);
  CHECK(stamped[1].stamp->mtime_ns > 0);
  CHECK_FALSE(stamped[2].stamp); // INC-D.yaml is a folder

  CHECK(desk::storage::walk_ticket_files(dir.path() / "missing", {.stamps = true}).empty());

  // Folder names whose characters sort before '/': still in path order (each folder is
  // sorted on its own, then the folders are joined).
  desk::test::write_raw(tickets / "2026/1/INC-E.yaml", "e");
  desk::test::write_raw(tickets / "2026/1-x/INC-F.yaml", "f");
  desk::test::write_raw(tickets / "2026-x/01/INC-G.yaml", "g");
  desk::test::write_raw(tickets / "2026/11/INC-0.yaml", "0");
  std::vector<std::string> all;
  for (const auto& f : desk::storage::walk_ticket_files(tickets, {.stamps = true, .hidden_folders = false})) {
    all.emplace_back(f.rel);
  }
  std::vector<std::string> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  CHECK(all == sorted);
  CHECK(all.size() == 7);
}

TEST_CASE("walk_ticket_files: each stamp is its own file's, over folders shared among threads")
{
  const desk::test::TempDir dir;
  const fs::path tickets = dir.path() / "tickets";
  // Sizes that say which file they belong to; names written in an order unlike path order,
  // some long enough to need a name of their own outside any small-string buffer.
  std::map<std::string, std::size_t> size_of;
  for (int month = 1; month <= 6; ++month) {
    for (int k = 199; k >= 0; --k) {
      const std::string rel = fmt::format("2025/{:02}/INC-{}{}.yaml", month, k % 7 == 0 ? "LONG-NAME-PAST-SSO-" : "", k);
      const std::size_t size = static_cast<std::size_t>(month * 1000 + k);
      desk::test::write_raw(tickets / rel, std::string(size, 'x'));
      size_of[rel] = size;
    }
  }
  const auto found = desk::storage::walk_ticket_files(tickets, {.stamps = true, .hidden_folders = false});
  REQUIRE(found.size() == size_of.size());
  auto expected = size_of.begin();
  for (const auto& f : found) {
    CHECK(f.rel == expected->first);
    REQUIRE(f.stamp);
    CHECK(f.stamp->size == expected->second);
    ++expected;
  }
}
