#include "cli/cli.hpp"

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/companion.hpp"
#include "cli/version.hpp"

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace desk::cli {

int& command_exit_code()
{
  static int code = 0;
  return code;
}

namespace {

constexpr std::string_view k_footer = R"(Exit codes:
  0 success               1 a check found problems (doctor, sla)
  2 bad command line      3 not found (repository, ticket, team, user) or ambiguous id
  4 step not allowed from the ticket's status
  5 bad data in a file    6 repository busy (locked)    7 file system error

Environment: DESK_DIR (repository), DESK_USER (actor), DESK_NOW (fixed clock, ISO 8601),
DESK_LOCK_TIMEOUT (seconds to wait for the lock), NO_COLOR, VISUAL/EDITOR.)";

// Edits (insert, delete, substitute, swap two neighbours) between two words.
std::size_t edit_distance(std::string_view a, std::string_view b)
{
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::string suggestion(const CLI::App& app, std::string_view word)
{
  std::string best;
  std::size_t best_d = 3;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::size_t d = edit_distance(word, sub->get_name());
    if (d < best_d) {
      best_d = d;
      best = sub->get_name();
    }
  }
  return best;
}

// The first word that is neither an option nor a global option's value.
std::string first_word(int argc, char** argv)
{
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-C" || a == "--dir" || a == "--as" || a == "--color") {
      ++i;
      continue;
    }
    if (!a.starts_with("-")) {
      return std::string(a);
    }
  }
  return {};
}

// Flush and close standard output once the command is done, so that a write that failed
// (a full disk, /dev/full, an I/O error) is an error, not a truncated file and status 0.
// A reader that went away (EPIPE: `desk list | head -1`) is not an error: the rest of the
// output is dropped and the command's own status stays. Returns the status to exit with.
int finish_output(int code)
{
  // CLI11 prints --help through std::cout, which writes through stdout's buffer: a failure
  // there leaves only errno, as left by the write that failed.
  // (std::cout.flush() flushes stdout too.)
  const int earlier = errno;
  errno = 0;
  std::cout.flush();
  const int flushed = errno;
  const bool help_failed = !std::cout.good();
  if (help_failed && output_errno() == 0) {
    output_errno() = flushed != 0 ? flushed : earlier != 0 ? earlier : EIO;
  }
  errno = 0;
  int err = std::fflush(stdout) != 0 ? errno : 0;
  if (err == 0 && std::ferror(stdout) != 0) {
    err = output_errno() != 0 ? output_errno() : EIO;
  }
  if (err == 0 && help_failed) {
    err = output_errno();
  }
  if (std::fclose(stdout) != 0 && err == 0) {
    err = errno;
  }
  if (err == 0 || err == EPIPE || output_errno() == EPIPE) {
    return code;
  }
  fmt::print(stderr, "desk: error: cannot write standard output: {}\n", std::strerror(err));
  fmt::print(stderr, "  hint: {}\n",
             err == ENOSPC ? "the disk is full; free some space and run the command again"
                           : "check where standard output goes (a full disk, a closed file)");
  return code == 0 ? static_cast<int>(ExitCode::io) : code;
}

int parse_and_run(CLI::App& app, int argc, char** argv, std::string_view program);

} // namespace

int run(int argc, char** argv)
{
  // A closed pipe is seen as EPIPE from write (finish_output), not as a signal that kills
  // desk halfway through a step; children get the default back (util/process.cpp).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"desk: an IT service desk in plain YAML files, driven from the command line", "desk"};
  app.footer(std::string(k_footer));
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string(version_text()));
  Globals globals;
  add_global_options(&app, globals);
  // The commands, in the order `desk --help` lists them. Building every command's options
  // costs 2-3 ms of each run, so only the command asked for (the first word) is built;
  // without such a word (--help, --version, nothing, a typo) all of them are, and so they
  // are for the manual pages and completion (help, completion, __complete), which describe
  // them all.
  struct Command {
    std::string_view name;
    void (*add)(CLI::App&, Globals&);
  };
  static constexpr Command k_commands[] = {
    {"init", register_init},
    {"open", register_open},
    {"show", register_show},
    {"list", register_list},
    {"triage", register_triage},
    {"assign", register_assign},
    {"escalate", register_escalate},
    {"start", register_start},
    {"log", register_log},
    {"pending", register_pending},
    {"resume", register_resume},
    {"resolve", register_resolve},
    {"confirm", register_confirm},
    {"close", register_close},
    {"edit", register_edit},
    {"cancel", register_cancel},
    {"reply", register_reply},
    {"sla", register_sla},
    {"import", register_import},
    {"export", register_export},
    {"report", register_report},
    {"kb", register_kb},
    {"reindex", register_reindex},
    {"doctor", register_doctor},
    {"merge-driver", register_merge_driver},
    {"sync", register_sync},
    {"mail", register_companions}, // mail and serve: run as companion programs
    {"completion", register_help},  // and the hidden help and __complete
  };
  const std::string word = first_word(argc, argv);
  try {
    exec_companion_if_asked(argc, argv, word);
  } catch (const Error& e) {
    return print_error(e.what(), e.hint(), e.code());
  }
  const auto asked = std::find_if(std::begin(k_commands), std::end(k_commands),
                                  [&word](const Command& c) { return c.name == word; });
  if (asked != std::end(k_commands) && asked->add != register_help) {
    asked->add(app, globals);
  } else {
    for (const Command& c : k_commands) {
      c.add(app, globals);
    }
  }
  return run_guarded(app, argc, argv, "desk");
}

int run_guarded(CLI::App& app, int argc, char** argv, std::string_view program)
{
  return finish_output(parse_and_run(app, argc, argv, program));
}

namespace {

int parse_and_run(CLI::App& app, int argc, char** argv, std::string_view program)
{
  const std::string word = first_word(argc, argv);
  try {
    app.parse(argc, argv);
    return command_exit_code();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::RequiredError& e) {
    if (app.get_subcommands().empty()) {
      if (word.empty()) {
        return print_error("no command given", fmt::format("run `{} --help` for the list of commands", program), ExitCode::usage);
      }
      const std::string guess = suggestion(app, word);
      return print_error(fmt::format("unknown command '{}'", word),
                         guess.empty() ? fmt::format("run `{} --help` for the list of commands", program)
                                       : fmt::format("did you mean `{} {}`?", program, guess),
                         ExitCode::usage);
    }
    return print_error(e.what(), fmt::format("see `{} {} --help`", program, app.get_subcommands().front()->get_name()),
                       ExitCode::usage);
  } catch (const CLI::ExtrasError& e) {
    if (app.get_subcommands().empty() && argc > 1) {
      const std::string guess = suggestion(app, word);
      return print_error(fmt::format("unknown command '{}'", word),
                         guess.empty() ? fmt::format("run `{} --help` for the list of commands", program)
                                       : fmt::format("did you mean `{} {}`?", program, guess),
                         ExitCode::usage);
    }
    return print_error(e.what(), fmt::format("see `{} COMMAND --help`", program), ExitCode::usage);
  } catch (const CLI::ParseError& e) {
    const std::string sub = app.get_subcommands().empty() ? std::string() : " " + app.get_subcommands().front()->get_name();
    return print_error(e.what(), fmt::format("see `{}{} --help`", program, sub), ExitCode::usage);
  } catch (const Error& e) {
    return print_error(e.what(), e.hint(), e.code());
  } catch (const std::bad_alloc&) {
    return print_error("out of memory", {}, ExitCode::failure);
  } catch (const std::exception& e) {
    return print_error(e.what(), "this is a bug in desk; please report it", ExitCode::failure);
  }
}

} // namespace

} // namespace desk::cli
