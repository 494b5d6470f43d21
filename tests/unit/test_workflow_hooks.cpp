#include <desk/workflow/hooks.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include <sys/stat.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using desk::test::read_raw;
using desk::test::ScopedEnv;
using desk::test::TempDir;
using desk::test::write_raw;

namespace {

// A hook at .desk/hooks/<event> under `root` running `script` with sh.
void make_hook(const fs::path& root, const std::string& event, const std::string& script)
{
  const fs::path hook = root / ".desk" / "hooks" / event;
  write_raw(hook, "#!/bin/sh\n" + script + "\n");
  ::chmod(hook.c_str(), 0755);
}

} // namespace

TEST_SUITE_BEGIN("workflow.hooks");

TEST_CASE("a hook runs one level deeper than desk")
{
  TempDir dir;
  make_hook(dir.path(), "open", "echo \"$DESK_HOOK_DEPTH\" > depth");
  const auto r = desk::workflow::run_hook(dir.path(), "open", {{"id", "INC-1"}}, 10s);
  CHECK(r.ran);
  CHECK(r.ok);
  CHECK(read_raw(dir / "depth") == "1\n");
  {
    const ScopedEnv depth("DESK_HOOK_DEPTH", "2");
    CHECK(desk::workflow::run_hook(dir.path(), "open", {{"id", "INC-1"}}, 10s).ok);
    CHECK(read_raw(dir / "depth") == "3\n");
  }
}

TEST_CASE("hooks are not run at the depth limit or with a bad depth")
{
  TempDir dir;
  make_hook(dir.path(), "open", "touch ran");
  for (const char* value : {"3", "99", "abc", "-1", "1x"}) {
    const ScopedEnv depth("DESK_HOOK_DEPTH", value);
    const auto r = desk::workflow::run_hook(dir.path(), "open", {{"id", "INC-1"}}, 10s);
    CHECK(r.ran);
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("not run") != std::string::npos);
    CHECK(r.message.find("DESK_HOOK_DEPTH") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(dir / "ran"));
}

TEST_CASE("a hook killed by a signal is named by its signal")
{
  TempDir dir;
  make_hook(dir.path(), "open", "echo dying >&2; kill -KILL $$");
  const auto r = desk::workflow::run_hook(dir.path(), "open", {{"id", "INC-1"}}, 10s);
  CHECK_FALSE(r.ok);
  CHECK(r.message.find("killed by SIGKILL") != std::string::npos);
  CHECK(r.message.find("dying") != std::string::npos);
  // The hook's path comes from a random temporary folder name; only the text
  // after it describes the ending and must not show a raw status such as -1.
  const std::string hook_path = (dir / ".desk" / "hooks" / "open").string();
  REQUIRE(r.message.find(hook_path) != std::string::npos);
  const std::string ending = r.message.substr(r.message.find(hook_path) + hook_path.size());
  CHECK(ending.find("-1") == std::string::npos);
  CHECK(ending.find("exit status") == std::string::npos);
}

TEST_SUITE_END();
