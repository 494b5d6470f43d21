#include <desk/storage/bulk_writer.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/mapped_file.hpp>
#include <desk/util/error.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace std::string_literals;
using desk::ParseError;
using desk::storage::create_file_exclusive;
using desk::storage::k_max_file_size;
using desk::storage::read_text_file;
using desk::storage::RepoLock;
using desk::storage::write_file_atomic;
using desk::storage::write_output_file;
using desk::test::list_files;
using desk::test::read_raw;
using desk::test::TempDir;
using desk::test::write_raw;

namespace {

// The ParseError read_text_file throws for `content`, or a failed check.
void expect_bad_data(const fs::path& path, int line, int column, const std::string& words)
{
  try {
    read_text_file(path);
    FAIL_CHECK("no error for " << path.string());
  } catch (const ParseError& e) {
    CHECK(e.path() == path.string());
    CHECK(e.line() == line);
    CHECK(e.column() == column);
    INFO(e.what());
    CHECK(std::string(e.what()).find(words) != std::string::npos);
    CHECK(e.code() == desk::ExitCode::bad_data);
  }
}

} // namespace

TEST_SUITE_BEGIN("storage.file_io");

TEST_CASE("read_text_file reads UTF-8 text as is")
{
  TempDir dir;
  const std::string text = "id: INC-1\ntitle: 打印机坏了 😀\r\n\ttab\n";
  write_raw(dir / "a.yaml", text);
  CHECK(read_text_file(dir / "a.yaml") == text);
  write_raw(dir / "empty.yaml", "");
  CHECK(read_text_file(dir / "empty.yaml").empty());
}

TEST_CASE("read_text_file: a missing file is not found")
{
  TempDir dir;
  CHECK_THROWS_AS(read_text_file(dir / "nope.yaml"), desk::NotFoundError);
}

TEST_CASE("read_text_file rejects a directory")
{
  TempDir dir;
  fs::create_directories(dir / "d.yaml");
  expect_bad_data(dir / "d.yaml", 0, 0, "directory");
}

TEST_CASE("read_text_file rejects NUL bytes with line and column")
{
  TempDir dir;
  write_raw(dir / "bin.yaml", "line one\nab\0cd\n"s);
  expect_bad_data(dir / "bin.yaml", 2, 3, "NUL");
  write_raw(dir / "bin0.yaml", "\0"s);
  expect_bad_data(dir / "bin0.yaml", 1, 1, "NUL");
}

TEST_CASE("read_text_file rejects invalid UTF-8 with line and column")
{
  TempDir dir;
  write_raw(dir / "latin1.yaml", "a: 1\nb: 2\ntitle: caf\xE9 au lait\n");
  expect_bad_data(dir / "latin1.yaml", 3, 11, "invalid UTF-8");
  write_raw(dir / "truncated.yaml", "title: \xE4\xB8"); // half a 中
  expect_bad_data(dir / "truncated.yaml", 1, 8, "invalid UTF-8");
  write_raw(dir / "overlong.yaml", "\xC0\xAF");
  expect_bad_data(dir / "overlong.yaml", 1, 1, "invalid UTF-8");
  write_raw(dir / "surrogate.yaml", "x\n\xED\xA0\x80");
  expect_bad_data(dir / "surrogate.yaml", 2, 1, "invalid UTF-8");
  // Columns count bytes after valid multi-byte characters too.
  write_raw(dir / "after_cjk.yaml", "中\xFF");
  expect_bad_data(dir / "after_cjk.yaml", 1, 4, "invalid UTF-8");
}

TEST_CASE("read_text_file: 8 MiB is the limit")
{
  TempDir dir;
  write_raw(dir / "max.yaml", std::string(k_max_file_size, 'a'));
  CHECK(read_text_file(dir / "max.yaml").size() == k_max_file_size);
  write_raw(dir / "big.yaml", std::string(k_max_file_size + 1, 'a'));
  expect_bad_data(dir / "big.yaml", 0, 0, "too large");
}

TEST_CASE("write_file_atomic creates parents, replaces, leaves no temp file")
{
  TempDir dir;
  const fs::path p = dir / "a/b/c/file.yaml";
  write_file_atomic(p, "one\n");
  CHECK(read_raw(p) == "one\n");
  write_file_atomic(p, "two: 二\n");
  CHECK(read_raw(p) == "two: 二\n");
  write_file_atomic(p, "");
  CHECK(read_raw(p).empty());
  CHECK(list_files(dir.path()) == std::vector<std::string>{"a/b/c/file.yaml"});
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
}

TEST_CASE("write_file_atomic into a read-only folder throws StorageError and changes nothing")
{
  if (::geteuid() == 0) {
    MESSAGE("running as root: permissions are not enforced, skipped");
    return;
  }
  TempDir dir;
  const fs::path p = dir / "ro/file.yaml";
  write_raw(p, "old\n");
  fs::permissions(dir / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  CHECK_THROWS_AS(write_file_atomic(p, "new\n"), desk::StorageError);
  fs::permissions(dir / "ro", fs::perms::owner_all);
  CHECK(read_raw(p) == "old\n");
  CHECK(list_files(dir.path()) == std::vector<std::string>{"ro/file.yaml"});
}

TEST_CASE("create_file_exclusive never overwrites")
{
  TempDir dir;
  const fs::path p = dir / "tickets/2026/11/INC-1.yaml";
  CHECK(create_file_exclusive(p, "first\n"));
  CHECK(read_raw(p) == "first\n");
  CHECK_FALSE(create_file_exclusive(p, "second\n"));
  CHECK(read_raw(p) == "first\n");
  CHECK(list_files(dir.path()) == std::vector<std::string>{"tickets/2026/11/INC-1.yaml"});
  // A directory at the path is "existing" too.
  fs::create_directories(dir / "taken");
  CHECK_FALSE(create_file_exclusive(dir / "taken", "x"));
}

TEST_CASE("copy_file_atomic copies bytes; a missing source is not found")
{
  TempDir dir;
  write_raw(dir / "shot.png", "\x89PNG\r\n\x1A\n\0\0"s);
  desk::storage::copy_file_atomic(dir / "shot.png", dir / "t/INC-1.files/shot.png");
  CHECK(read_raw(dir / "t/INC-1.files/shot.png") == read_raw(dir / "shot.png"));
  CHECK_THROWS_AS(desk::storage::copy_file_atomic(dir / "nope.png", dir / "x.png"), desk::NotFoundError);
}

TEST_CASE("RepoLock: the holding thread asking again is busy at once; released on destruction")
{
  TempDir dir;
  fs::create_directories(dir / ".desk");
  {
    const RepoLock first(dir / ".desk", 0ms);
    CHECK(fs::exists(dir / ".desk/lock"));
    try {
      const RepoLock second(dir / ".desk", 10s);
      FAIL_CHECK("second lock taken");
    } catch (const desk::BusyError& e) {
      CHECK(e.code() == desk::ExitCode::busy);
      CHECK(std::string(e.what()).find("lock") != std::string::npos);
    }
  }
  CHECK_NOTHROW(RepoLock(dir / ".desk", 0ms));
}

TEST_CASE("RepoLock: a lock held by another process is waited for up to the timeout, then busy")
{
  TempDir dir;
  fs::create_directories(dir / ".desk");
  // Another open file description of the lock file conflicts exactly as another process does.
  const int other = ::open((dir / ".desk/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(other >= 0);
  REQUIRE(::flock(other, LOCK_EX | LOCK_NB) == 0);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(RepoLock(dir / ".desk", 120ms), desk::BusyError);
  CHECK(std::chrono::steady_clock::now() - t0 >= 120ms);
  ::flock(other, LOCK_UN);
  ::close(other);
  CHECK_NOTHROW(RepoLock(dir / ".desk", 0ms));
}

TEST_CASE("RepoLock: another thread of the process waits its turn instead of failing")
{
  TempDir dir;
  fs::create_directories(dir / ".desk");
  std::atomic<bool> second_done{false};
  std::thread second;
  {
    const RepoLock first(dir / ".desk", 0ms);
    second = std::thread([&] {
      const RepoLock mine(dir / ".desk", 0ms);
      second_done = true;
    });
    std::this_thread::sleep_for(50ms);
    CHECK_FALSE(second_done.load());
  }
  second.join();
  CHECK(second_done.load());
}

TEST_CASE("RepoLock without a .desk folder fails as a storage error")
{
  TempDir dir;
  CHECK_THROWS_AS(RepoLock(dir / "missing", 0ms), desk::StorageError);
}

TEST_CASE("readers report a FIFO instead of waiting for a writer")
{
  TempDir dir;
  REQUIRE(::mkfifo((dir / "t.yaml").c_str(), 0644) == 0);
  expect_bad_data(dir / "t.yaml", 0, 0, "FIFO");
  struct stat st {};
  errno = 0;
  CHECK(desk::storage::open_regular_file(dir / "t.yaml", st) == -1);
  CHECK(errno == EINVAL);
  CHECK_FALSE(desk::storage::MappedFile(dir / "t.yaml"));
}

TEST_CASE("check_file_size: what desk reads is what it writes")
{
  CHECK_NOTHROW(desk::storage::check_file_size("t.yaml", k_max_file_size));
  try {
    desk::storage::check_file_size("t.yaml", k_max_file_size + 1);
    FAIL_CHECK("no error");
  } catch (const desk::UsageError& e) {
    CHECK(std::string(e.what()).find("at most 8 MiB") != std::string::npos);
    CHECK(e.code() == desk::ExitCode::usage);
  }
}

TEST_CASE("writes inside a root never pass through a symlinked folder")
{
  TempDir dir;
  const fs::path root = dir / "repo";
  const fs::path elsewhere = dir / "elsewhere";
  fs::create_directories(root / "tickets" / "2026");
  fs::create_directories(elsewhere);
  fs::create_directory_symlink(elsewhere, root / "tickets" / "2026" / "11");
  const fs::path target = root / "tickets" / "2026" / "11" / "INC-1.yaml";
  for (const bool exclusive : {false, true}) {
    try {
      if (exclusive) {
        create_file_exclusive(target, "id: INC-1\n", root);
      } else {
        write_file_atomic(target, "id: INC-1\n", root);
      }
      FAIL_CHECK("no error");
    } catch (const desk::StorageError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find((root / "tickets" / "2026" / "11").string() + " is a symbolic link") !=
            std::string::npos);
    }
  }
  desk::storage::BulkWriter bulk(root);
  CHECK_THROWS_AS(bulk.write(target, "x"), desk::StorageError);
  CHECK(list_files(elsewhere).empty());
  // A link higher up is refused as well; missing folders are made below the root.
  fs::create_directory_symlink(elsewhere, root / ".desk");
  CHECK_THROWS_AS(write_file_atomic(root / ".desk" / "cache" / "x", "x", root), desk::StorageError);
  CHECK_FALSE(desk::storage::is_folder_beneath(root, root / ".desk" / "cache"));
  CHECK(list_files(elsewhere).empty());
  write_file_atomic(root / "kb" / "deep" / "KB-1.yaml", "id: KB-1\n", root);
  CHECK(read_raw(root / "kb" / "deep" / "KB-1.yaml") == "id: KB-1\n");
  CHECK_THROWS_AS(write_file_atomic(dir / "outside.yaml", "x", root), desk::StorageError);
  // Without a root (a path the user named) links are followed as before.
  write_file_atomic(target, "id: INC-1\n");
  CHECK(list_files(elsewhere) == std::vector<std::string>{"INC-1.yaml"});
}

TEST_CASE("a symlinked file is replaced, not written through")
{
  TempDir dir;
  write_raw(dir / "outside.yaml", "keep\n");
  fs::create_directories(dir / "repo");
  fs::create_symlink(dir / "outside.yaml", dir / "repo" / "t.yaml");
  write_file_atomic(dir / "repo" / "t.yaml", "new\n", dir / "repo");
  CHECK(read_raw(dir / "outside.yaml") == "keep\n");
  CHECK_FALSE(fs::is_symlink(dir / "repo" / "t.yaml"));
  CHECK(read_raw(dir / "repo" / "t.yaml") == "new\n");
}

TEST_CASE("attachments: regular files only, read to their end, UTF-8 names")
{
  TempDir dir;
  REQUIRE(::mkfifo((dir / "pipe").c_str(), 0644) == 0);
  CHECK_THROWS_WITH_AS(desk::storage::check_attachment(dir / "pipe"), doctest::Contains("FIFO"), desk::UsageError);
  CHECK_THROWS_AS(desk::storage::check_attachment(dir / "none"), desk::NotFoundError);
  fs::create_directories(dir / "folder");
  CHECK_THROWS_WITH_AS(desk::storage::check_attachment(dir / "folder"), doctest::Contains("folder"), desk::UsageError);
  write_raw(dir / "bad\xff.txt", "x");
  CHECK_THROWS_WITH_AS(desk::storage::check_attachment(dir / "bad\xff.txt"), doctest::Contains("bad\\xFF.txt"),
                       desk::UsageError);
  write_raw(dir / "日志.txt", "x");
  fs::create_directories(dir / "repo");
  CHECK(desk::storage::check_attachment(dir / "日志.txt") == "日志.txt");
  // /proc files say they are empty; what they read is stored.
  if (fs::exists("/proc/cpuinfo")) {
    desk::storage::copy_file_atomic("/proc/cpuinfo", dir / "repo" / "cpuinfo", dir / "repo");
    CHECK(fs::file_size(dir / "repo" / "cpuinfo") > 0);
  }
}

TEST_CASE("write_output_file replaces a file atomically and keeps its mode")
{
  TempDir dir;
  const fs::path out = dir / "report.txt";
  write_output_file(out, "one\n");
  CHECK(read_raw(out) == "one\n");
  ::chmod(out.c_str(), 0600);
  struct stat before {};
  ::stat(out.c_str(), &before);
  write_output_file(out, "two\n");
  struct stat after {};
  ::stat(out.c_str(), &after);
  CHECK(read_raw(out) == "two\n");
  CHECK((after.st_mode & 07777) == 0600);
  CHECK(after.st_ino != before.st_ino); // a new file renamed into place, never a half-written one
  CHECK(list_files(dir.path()).size() == 1); // no temporary file left
}

TEST_CASE("write_output_file never creates folders")
{
  TempDir dir;
  CHECK_THROWS_AS(write_output_file(dir / "missing" / "report.txt", "x"), desk::StorageError);
  CHECK_FALSE(fs::exists(dir / "missing"));
}

TEST_CASE("write_output_file writes through a symbolic link")
{
  TempDir dir;
  write_raw(dir / "target.txt", "old");
  fs::create_symlink("target.txt", dir / "link.txt");
  write_output_file(dir / "link.txt", "new");
  CHECK(fs::is_symlink(dir / "link.txt"));
  CHECK(read_raw(dir / "target.txt") == "new");
  // A dangling link: its target is created, in a folder that exists.
  fs::create_symlink("made.txt", dir / "dangling.txt");
  write_output_file(dir / "dangling.txt", "made");
  CHECK(fs::is_symlink(dir / "dangling.txt"));
  CHECK(read_raw(dir / "made.txt") == "made");
  fs::create_symlink("nowhere/x.txt", dir / "lost.txt");
  CHECK_THROWS_AS(write_output_file(dir / "lost.txt", "x"), desk::StorageError);
}

TEST_CASE("write_output_file streams to devices and FIFOs and refuses folders")
{
  TempDir dir;
  write_output_file("/dev/null", "gone");
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode)); // the device is still a device
  if (::stat("/dev/full", &st) == 0) {
    CHECK_THROWS_AS(write_output_file("/dev/full", "x"), desk::StorageError); // ENOSPC is reported
    ::stat("/dev/full", &st);
    CHECK(S_ISCHR(st.st_mode));
  }
  const fs::path fifo = dir / "pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  write_output_file(fifo, "through the pipe");
  char buf[64] = {};
  CHECK(::read(reader, buf, sizeof buf) == 16);
  CHECK(std::string(buf) == "through the pipe");
  ::close(reader);
  CHECK(fs::is_fifo(fifo));
  CHECK_THROWS_AS(write_output_file(dir.path(), "x"), desk::UsageError);
}

TEST_SUITE_END();
