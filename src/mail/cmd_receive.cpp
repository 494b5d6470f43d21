#include "cli/commands.hpp"
#include "mail/commands.hpp"

#include <desk/mail/gateway.hpp>
#include <desk/storage/repository.hpp>
#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <system_error>

namespace desk::mail_cli {

namespace {

// sysexits.h, as MTAs read them.
constexpr int k_ex_ok = 0;
constexpr int k_ex_dataerr = 65;
constexpr int k_ex_tempfail = 75;

constexpr std::string_view k_receive_footer = R"(Exit codes (sysexits, for the MTA):
  0   recorded (also: the same Message-ID again, changing nothing; desk's own mail, dropped)
  65  EX_DATAERR: desk refuses the message (no sender address, too large, empty); the
      reason is on standard error and the MTA bounces it
  75  EX_TEMPFAIL: the repository is busy or missing, the disk is full, or anything else a
      later delivery may fix; nothing was recorded and the MTA tries again
With --maildir: each recorded or refused message moves to cur/ (a refused one flagged T);
one that may succeed later stays in new/; the exit code is 75 when any stayed, else 65
when any was refused, else 0. With git.autocommit the messages of a Maildir are committed
in groups of 100 (one commit each group), each saved before it moves to cur/.)";

std::string read_all(std::istream& in)
{
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    if (data.size() > mail::k_max_message_bytes + 1) {
      break;
    }
  }
  return data;
}

struct Options {
  std::string maildir;
};

// Receive one message; the sysexits code; prints the outcome or the reason.
int receive_one(const storage::Repository& repo, const std::string& raw, const std::string& label)
{
  try {
    const mail::ReceiveResult r = mail::receive_mail(repo, raw, desk::now(find_zone(repo.config().timezone)));
    fmt::print("{}{}\n", label, r.summary);
    for (const auto& n : r.notes) {
      fmt::print("{}  note: {}\n", label, n);
    }
    return k_ex_ok;
  } catch (const mail::RefusedMail& e) {
    fmt::print(stderr, "desk: refused: {}{}\n", label, e.what());
    if (!e.hint().empty()) {
      fmt::print(stderr, "desk: hint: {}\n", e.hint());
    }
    return k_ex_dataerr;
  } catch (const Error& e) {
    fmt::print(stderr, "desk: error (will be retried): {}{}\n", label, e.what());
    if (!e.hint().empty()) {
      fmt::print(stderr, "desk: hint: {}\n", e.hint());
    }
    return k_ex_tempfail;
  } catch (const std::exception& e) {
    fmt::print(stderr, "desk: error (will be retried): {}{}\n", label, e.what());
    return k_ex_tempfail;
  }
}

// Commit what the group holds; false (after saying why) when the commit failed.
bool commit_grouped(const storage::Repository& grouped)
{
  try {
    if (const std::string warning = grouped.commit_group(); !warning.empty()) {
      fmt::print(stderr, "desk: warning: {}\n", warning);
    }
    return true;
  } catch (const std::exception& e) {
    fmt::print(stderr, "desk: error (will be retried): the recorded messages are saved but not committed: {}\n",
               e.what());
    return false;
  }
}

// The messages of a Maildir are recorded one by one and committed in groups of this many.
constexpr std::size_t k_maildir_commit_group = 100;

int receive_maildir(const storage::Repository& plain_repo, const std::filesystem::path& dir)
{
  const storage::Repository repo = plain_repo.with_commit_group();
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path new_dir = dir / "new";
  const fs::path cur_dir = dir / "cur";
  if (!fs::is_directory(new_dir, ec)) {
    throw UsageError(fmt::format("{} is not a Maildir (it has no new/ folder)", dir.string()),
                     "give the Maildir folder itself, the one holding new/, cur/ and tmp/");
  }
  fs::create_directories(cur_dir, ec);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(new_dir, ec)) {
    if (entry.is_regular_file(ec) && entry.path().filename().string().front() != '.') {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  bool retry = false;
  bool refused = false;
  std::size_t recorded = 0;
  for (const auto& file : files) {
    if (recorded != 0 && recorded % k_maildir_commit_group == 0 && !commit_grouped(repo)) {
      retry = true;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      retry = true;
      fmt::print(stderr, "desk: error (will be retried): cannot read {}\n", file.string());
      continue;
    }
    const std::string raw = read_all(in);
    const int code = receive_one(repo, raw, file.filename().string() + ": ");
    if (code == k_ex_tempfail) {
      retry = true;
      continue;
    }
    ++recorded;
    refused = refused || code == k_ex_dataerr;
    std::string name = file.filename().string();
    if (const auto colon = name.find(":2,"); colon != std::string::npos) {
      name.resize(colon);
    }
    name += code == k_ex_ok ? ":2,S" : ":2,ST";
    fs::rename(file, cur_dir / name, ec);
    if (ec) {
      fmt::print(stderr, "desk: error: cannot move {} to cur/: {}\n", file.string(), ec.message());
      retry = true;
    }
  }
  if (!commit_grouped(repo)) {
    retry = true;
  }
  return retry ? k_ex_tempfail : refused ? k_ex_dataerr : k_ex_ok;
}

} // namespace

void add_receive_command(CLI::App& app, const cli::Globals& global)
{
  auto* cmd = app.add_subcommand("receive", "Record one message from standard input (an MTA pipe), or every "
                                            "message of a Maildir");
  cmd->footer(std::string(k_receive_footer));
  static Options opts;
  cmd->add_option("--maildir", opts.maildir, "Take every message in DIR/new and move each to DIR/cur once recorded");
  cmd->callback([&global] {
    int code = k_ex_ok;
    try {
      const cli::Invocation inv = cli::open_invocation(global);
    const storage::Repository& repo = inv.repo;
      if (!opts.maildir.empty()) {
        code = receive_maildir(repo, opts.maildir);
      } else {
        const std::string raw = read_all(std::cin);
        code = receive_one(repo, raw, "");
      }
    } catch (const UsageError& e) {
      throw;
    } catch (const Error& e) {
      fmt::print(stderr, "desk: error (will be retried): {}\n", e.what());
      if (!e.hint().empty()) {
        fmt::print(stderr, "desk: hint: {}\n", e.hint());
      }
      code = k_ex_tempfail;
    }
    cli::command_exit_code() = code;
  });
}

} // namespace desk::mail_cli
