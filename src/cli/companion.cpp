#include "cli/companion.hpp"

#include "cli/cli.hpp"
#include "cli/commands.hpp"

#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::cli {

std::string find_companion(std::string_view name)
{
  if (std::string found = desk::find_companion(name); !found.empty()) {
    return found;
  }
  const auto places = companion_places(name);
  throw NotFoundError(fmt::format("{} is not installed: not found beside desk ({}) nor in {} or {}", name,
                                  places[0].parent_path().string(), places[1].parent_path().string(),
                                  places[2].parent_path().string()),
                      "install the desk package that provides it, or build it (cmake --build build)");
}

namespace {

struct Companion {
  const char* command;
  const char* program;
  const char* help;
  // Its options and subcommands, for desk's manual pages and completion (null: listed only).
  void (*define)(CLI::App& cmd, Globals& g);
};

// `desk serve`'s definitions on desk's own entry for it (desk-serve parses the command line).
void define_serve_entry(CLI::App& cmd, Globals& g)
{
  auto args = std::make_shared<ServeArgs>();
  define_serve(cmd, g, *args);
  cmd.callback([args] {}); // keeps the values the options are bound to alive with the app
}

constexpr Companion k_companions[] = {
  {"mail", "desk-mail", "The mail channel: receive requesters' mail, send due notifications (desk mail --help)",
   nullptr},
  {"serve", "desk-serve", "The requester portal and the HTTP API (desk serve --help)", define_serve_entry},
};

} // namespace

void exec_companion_if_asked(int argc, char** argv, std::string_view word)
{
  for (const Companion& c : k_companions) {
    if (word != c.command) {
      continue;
    }
    const std::string path = find_companion(c.program);
    std::vector<char*> args{const_cast<char*>(path.c_str())};
    bool dropped = false;
    for (int i = 1; i < argc; ++i) {
      if (!dropped && argv[i] == word) {
        dropped = true; // the command word itself; everything else goes on as given
        continue;
      }
      args.push_back(argv[i]);
    }
    args.push_back(nullptr);
    std::fflush(stdout);
    ::execv(path.c_str(), args.data());
    throw StorageError(fmt::format("cannot run {}: {}", path, std::strerror(errno)));
  }
}

void write_companion_pages(const std::string& dir)
{
  for (const Companion& c : k_companions) {
    if (c.define != nullptr) {
      continue; // desk holds its definitions and wrote its pages itself
    }
    std::string program;
    try {
      program = find_companion(c.program);
    } catch (const NotFoundError&) {
      continue; // not built: desk's one-line page for it stays
    }
    const ProcessResult r = run_process({program, "__man", dir}, "", std::chrono::seconds(60));
    if (r.exit_code != 0) {
      throw StorageError(fmt::format("{} could not write its manual pages: {}", program,
                                     text::one_line(r.err.empty() ? r.out : r.err)));
    }
  }
}

void register_companions(CLI::App& app, Globals& g)
{
  for (const Companion& c : k_companions) {
    try {
      find_companion(c.program);
    } catch (const NotFoundError&) {
      continue; // not built or not installed: not offered
    }
    // Listed in --help; exec_companion_if_asked hands them over before desk parses them.
    CLI::App* cmd = app.add_subcommand(c.command, c.help);
    if (c.define != nullptr) {
      c.define(*cmd, g);
    } else {
      cmd->allow_extras();
    }
  }
}

int print_error(std::string_view message, std::string_view hint, ExitCode code)
{
  flush_output();
  // Messages quote input (titles, file names): shown with visible escapes, on one line.
  fmt::print(stderr, "desk: error: {}\n", text::visible(message));
  if (!hint.empty()) {
    fmt::print(stderr, "  hint: {}\n", text::visible(hint));
  }
  return static_cast<int>(code);
}

} // namespace desk::cli
