#include <desk/util/process.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>

using namespace std::chrono_literals;

TEST_SUITE_BEGIN("util.process");

TEST_CASE("run_process returns when the program exits, not when a job it left stops writing")
{
  const auto start = std::chrono::steady_clock::now();
  const auto r = desk::run_process({"sh", "-c", "sleep 30 & echo done"}, {}, 20s);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.started);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "done\n");
  CHECK(took < 10s);
}

TEST_CASE("run_process names the signal that killed the program")
{
  const auto r = desk::run_process({"sh", "-c", "kill -SEGV $$"}, {}, 20s);
  CHECK(r.started);
  CHECK(r.exit_code == -1);
  CHECK(r.signal == SIGSEGV);
  CHECK(desk::signal_name(SIGSEGV).starts_with("SIGSEGV"));
  CHECK(desk::signal_name(SIGKILL).starts_with("SIGKILL"));
  const auto exited = desk::run_process({"sh", "-c", "exit 3"}, {}, 20s);
  CHECK(exited.exit_code == 3);
  CHECK(exited.signal == 0);
}

TEST_CASE("run_process still stops a program at its time limit")
{
  const auto r = desk::run_process({"sleep", "30"}, {}, 300ms);
  CHECK(r.timed_out);
  CHECK(r.exit_code == -1);
}

TEST_SUITE_END();
