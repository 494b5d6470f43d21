#include <desk/storage/mapped_file.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

TEST_SUITE_BEGIN("storage.mapped_file");

TEST_CASE("MappedFile: a whole file, a part of one from any offset, and what cannot be mapped")
{
  const desk::test::TempDir dir;
  const auto path = dir.path() / "data.bin";
  std::string bytes;
  for (int i = 0; i < 3 * 4096 + 100; ++i) {
    bytes.push_back(static_cast<char>('a' + i % 26));
  }
  desk::test::write_raw(path, bytes);

  const desk::storage::MappedFile whole(path);
  REQUIRE(whole);
  CHECK(whole.bytes() == bytes);

  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  for (const std::uint64_t offset : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{4095}, std::uint64_t{4096},
                                     std::uint64_t{5000}}) {
    for (const bool populate : {false, true}) {
      const desk::storage::MappedFile part(fd, offset, 7000, populate);
      REQUIRE(part);
      CHECK(part.bytes() == std::string_view(bytes).substr(offset, 7000));
    }
  }
  // Moved: the mapping goes with it, and is unmapped once.
  desk::storage::MappedFile moved(fd, 4097, 10, true);
  desk::storage::MappedFile other = std::move(moved);
  CHECK(!moved); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  CHECK(other.bytes() == std::string_view(bytes).substr(4097, 10));
  CHECK(!desk::storage::MappedFile(fd, 0, 0, false)); // nothing to map
  CHECK(!desk::storage::MappedFile(-1, 0, 10, false));
  ::close(fd);
  CHECK(!desk::storage::MappedFile(dir.path() / "missing"));
}

TEST_SUITE_END();
