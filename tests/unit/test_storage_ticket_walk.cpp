#include <desk/storage/ticket_walk.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace fs = std::filesystem;

TEST_SUITE_BEGIN("storage.ticket_walk");

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

TEST_SUITE_END();
