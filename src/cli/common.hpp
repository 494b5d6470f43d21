#pragma once

#include <desk/model/ticket.hpp>
#include <desk/query/query.hpp>
#include <desk/storage/repository.hpp>
#include <desk/ops/ops.hpp>
#include <desk/workflow/operations.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Shared pieces of the command-line front end: global options, invocations, output.
namespace desk::cli {

// Options every command takes.
struct Globals {
  std::string dir;            // -C DIR
  std::string actor;          // --as NAME
  std::string color = "auto"; // --color auto|always|never
};

// A repository opened for one command, with who acts and when.
struct Invocation {
  Invocation(storage::Repository r, std::string given_actor, Timestamp at)
    : repo(std::move(r)), actor_given(std::move(given_actor)), now(at)
  {
  }

  storage::Repository repo;
  std::string actor_given; // --as, or empty
  Timestamp now;

  // Who acts: --as, $DESK_USER, git user.name or the login name, looked up on first use
  // (asking git costs a process, which commands that only read never need).
  const std::string& actor() const;
  // The workflow context (config, actor, now).
  workflow::Context context() const { return {repo.config(), actor(), now}; }
  // Who acts and when, for a library step.
  ops::Call call() const { return {actor(), now}; }
  // The repository's time zone.
  const TimeZone* zone() const;

private:
  mutable std::optional<std::string> m_actor;
};

// Open the repository named by -C / DESK_DIR / the working directory.
Invocation open_invocation(const Globals& g);

// True when colour should be used on stdout.
bool use_color(const Globals& g);

// Wrap `text` in an ANSI SGR code when `on`.
std::string paint(bool on, std::string_view sgr, std::string_view text);

// Print a warning to stderr: "desk: warning: ...".
void warn(std::string_view message);

// Help of every -o/--output option (the rules are storage::write_output_file's).
inline constexpr const char* k_output_help =
  "Write to FILE instead of standard output: a file is replaced atomically, a symbolic link is "
  "written through (its target replaced), a FIFO or character device is written as a stream; "
  "the folder must exist";

// The rule of every CSV desk writes (list, export, report, kb list), for their --help.
inline constexpr const char* k_csv_guard_help =
  "CSV and spreadsheets: a cell that starts with =, +, -, @, a tab or a carriage return (after any '), and is\n"
  "not a plain number such as -5, is written with a ' before it, so a spreadsheet shows it as text and never\n"
  "runs it as a formula. desk's CSV reader (import csv, import servicenow) removes that one ', so an exported\n"
  "text comes back exactly; the JSON export carries every text exactly as it is.";

// Print to stdout. A failed write is remembered (output_errno), and reported once the
// command is done (cli.cpp: finish_output).
void out(std::string_view text);

// The errno of the first write to stdout that failed, 0 when none did.
int& output_errno();

// Flush stdout (before writing to stderr), remembering a failure in output_errno.
void flush_output();

// A text option's value: "-" reads standard input (once). Validates UTF-8 and refuses NUL.
std::string text_arg(const std::string& value, std::string_view option);

// Check an option value against a list; throws UsageError naming the allowed values.
void check_choice(std::string_view option, std::string_view value, const std::vector<std::string>& allowed);

// Comma lists and repeated options as one list ("a,b" + "c" → a, b, c).
std::vector<std::string> split_list(const std::vector<std::string>& values);

// The ticket filter options `list` and `export` share (--status, --team, --open, --since, ...).
struct FilterArgs {
  std::vector<std::string> status, type, priority, category, channel, reporter, department, team, assignee;
  bool open = false;
  bool closed = false;
  bool all = false;
  std::string since;
  std::string until;
  // What the command shows without --open, --closed or --all (set by add_filter_options).
  query::Scope default_scope = query::Scope::open;
};

// Add the filter options to `cmd`; `scope` is what the command shows without --open,
// --closed or --all (open tickets for list, every ticket for export), kept in `a`.
void add_filter_options(CLI::App* cmd, FilterArgs& a, query::Scope scope);

// The filter the options ask for; throws UsageError for a value the configuration does not
// know (a status, type, priority, category or channel) or a time that does not parse.
// --status without --open or --closed looks at every ticket: asking for closed tickets by
// status finds them.
query::Filter make_filter(const Invocation& s, const FilterArgs& a);

// Let the user edit `text` in $VISUAL, else $EDITOR (split on spaces: "code --wait"), in a
// temporary file in $TMPDIR (else /tmp) named after `purpose` ("description"); the text as
// saved. nullopt when
// neither is set. Throws UsageError when the editor fails ("...; nothing was `undone`"),
// StorageError when the temporary file cannot be written.
std::optional<std::string> edit_text(std::string_view text, std::string_view purpose, std::string_view undone);

// Add the command `name` taking one ticket id (any unique part of it) into `id`.
CLI::App* ticket_command(CLI::App& app, const char* name, const char* help, std::string& id);

// Add -m/--message TEXT (a note for the history) into `note`.
void add_note_option(CLI::App* cmd, std::string& note, const char* help = "Note for the history");

// Print "<ID>: <summary>" (unless `quiet`) and the step's warnings.
void render_step(const ops::StepResult& result, bool quiet = false);

// Print each warning as "desk: warning: …".
void warn_all(const std::vector<std::string>& warnings);

// Adds -C/--as/--color to a subcommand so they also work after the command name.
void add_global_options(CLI::App* app, Globals& g);

// Absolute path of the running desk binary.
std::string self_path();

// Time as "YYYY-MM-DD HH:MM" in the repository's zone; "" for empty or bad input.
std::string local_time(const Invocation& s, std::string_view iso);

} // namespace desk::cli
