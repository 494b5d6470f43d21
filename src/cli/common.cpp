#include "cli/common.hpp"

#include <desk/model/json.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>

#include <unistd.h>

namespace desk::cli {

const TimeZone* Invocation::zone() const
{
  return find_zone(repo.config().timezone);
}

const std::string& Invocation::actor() const
{
  if (!m_actor) {
    m_actor = storage::resolve_actor(actor_given);
  }
  return *m_actor;
}

Invocation open_invocation(const Globals& g)
{
  std::optional<std::filesystem::path> dir;
  if (!g.dir.empty()) {
    dir = g.dir;
  }
  storage::Repository repo = storage::Repository::discover(dir);
  const Timestamp now = desk::now(find_zone(repo.config().timezone));
  return Invocation{std::move(repo), g.actor, now};
}

bool use_color(const Globals& g)
{
  if (g.color == "always") {
    return true;
  }
  if (g.color == "never") {
    return false;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) {
    return false;
  }
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") {
    return false;
  }
  return ::isatty(STDOUT_FILENO) != 0;
}

std::string paint(bool on, std::string_view sgr, std::string_view text)
{
  if (!on || text.empty()) {
    return std::string(text);
  }
  return fmt::format("\x1b[{}m{}\x1b[0m", sgr, text);
}

void warn(std::string_view message)
{
  flush_output();
  fmt::print(stderr, "desk: warning: {}\n", text::visible(message));
}

int& output_errno()
{
  static int err = 0;
  return err;
}

// Remember the errno of a write to stdout that failed (stdio keeps only a flag).
void note_output_error()
{
  if (std::ferror(stdout) != 0 && output_errno() == 0) {
    output_errno() = errno != 0 ? errno : EIO;
  }
}

void flush_output()
{
  errno = 0;
  std::fflush(stdout);
  note_output_error();
}

void out(std::string_view text)
{
  if (!text.empty()) { // an empty view may hold a null pointer, which fwrite must not get
    errno = 0;
    std::fwrite(text.data(), 1, text.size(), stdout);
    note_output_error();
  }
}

std::string text_arg(const std::string& value, std::string_view option)
{
  std::string result = value;
  if (value == "-") {
    static bool stdin_used = false;
    if (stdin_used) {
      throw UsageError(fmt::format("{} -: standard input was already read by another option", option));
    }
    stdin_used = true;
    result.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  if (result.find('\0') != std::string::npos) {
    throw UsageError(fmt::format("{} holds a NUL byte; give text", option));
  }
  if (!text::is_valid_utf8(result)) {
    throw UsageError(fmt::format("{} is not valid UTF-8 text", option), "convert it to UTF-8 (e.g. with iconv)");
  }
  return result;
}

void check_choice(std::string_view option, std::string_view value, const std::vector<std::string>& allowed)
{
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    throw UsageError(fmt::format("{}: unknown value '{}'; use one of: {}", option, value, fmt::join(allowed, ", ")));
  }
}

std::vector<std::string> split_list(const std::vector<std::string>& values)
{
  std::vector<std::string> out;
  for (const auto& v : values) {
    for (auto& part : text::split(v, ',')) {
      const std::string trimmed(text::trim(part));
      if (!trimmed.empty()) {
        out.push_back(trimmed);
      }
    }
  }
  return out;
}

std::optional<std::string> edit_text(std::string_view text, std::string_view purpose, std::string_view undone)
{
  const char* editor = std::getenv("VISUAL");
  if (!editor || !*editor) {
    editor = std::getenv("EDITOR");
  }
  if (!editor || !*editor) {
    return std::nullopt;
  }
  const char* tmp = std::getenv("TMPDIR");
  const std::string folder = tmp && *tmp ? tmp : "/tmp";
  std::string path = fmt::format("{}/desk-{}-XXXXXX", folder, purpose);
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    throw StorageError(fmt::format("cannot create a temporary file for the editor in {}: {}", folder,
                                   storage::errno_text(errno)),
                       "set TMPDIR to a folder you can write to");
  }
  struct Remove {
    const std::string& path;
    ~Remove() { ::unlink(path.c_str()); }
  } remove{path};
  try {
    storage::write_all(fd, text, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  std::vector<std::string> argv = text::split(editor, ' ');
  std::erase(argv, std::string());
  argv.push_back(path);
  if (const int rc = run_interactive(argv); rc != 0) {
    throw UsageError(fmt::format("the editor '{}' failed (status {}); nothing was {}", editor, rc, undone));
  }
  return storage::read_text_file(path);
}

void add_filter_options(CLI::App* cmd, FilterArgs& a, query::Scope scope)
{
  a.default_scope = scope;
  const auto filter = [&](const char* name, std::vector<std::string>& target, const char* what) {
    cmd->add_option(name, target, fmt::format("Only {} (repeatable or comma-separated)", what))->type_name("VALUE");
  };
  filter("--status", a.status, "these statuses (new, triaged, assigned, in_progress, pending, ...)");
  filter("--type", a.type, "these types");
  filter("--priority", a.priority, "these priorities (P1, ...)");
  filter("--category", a.category, "these categories");
  filter("--channel", a.channel, "these channels");
  filter("--reporter", a.reporter, "tickets reported by these people");
  filter("--department", a.department, "these departments");
  filter("--team", a.team, "tickets of these teams (owner, lead or collaborator)");
  filter("--assignee", a.assignee, "tickets assigned to these people");
  const auto by_default = [scope](query::Scope s) { return s == scope ? " (the default)" : ""; };
  auto* open = cmd->add_flag("--open", a.open, fmt::format("Tickets not closed or cancelled{}", by_default(query::Scope::open)));
  auto* closed = cmd->add_flag("--closed", a.closed, fmt::format("Closed and cancelled tickets only{}", by_default(query::Scope::closed)));
  auto* all = cmd->add_flag("--all", a.all, fmt::format("Every ticket{}", by_default(query::Scope::all)));
  open->excludes(closed)->excludes(all);
  closed->excludes(all);
  cmd->add_option("--since", a.since, "Created at or after TIME (YYYY-MM-DD or ISO 8601)")->type_name("TIME");
  cmd->add_option("--until", a.until, "Created before TIME")->type_name("TIME");
}

query::Filter make_filter(const Invocation& s, const FilterArgs& a)
{
  const Config& c = s.repo.config();
  query::Filter f;
  f.scope = a.all ? query::Scope::all : a.closed ? query::Scope::closed : a.open ? query::Scope::open : a.default_scope;
  const auto checked = [](const std::vector<std::string>& given, std::string_view option,
                          const std::vector<std::string>& allowed) {
    std::vector<std::string> values = split_list(given);
    for (const auto& v : values) {
      check_choice(option, v, allowed);
    }
    return values;
  };
  f.status = checked(a.status, "--status", workflow::status_names());
  if (!f.status.empty() && !a.open && !a.closed) {
    f.scope = query::Scope::all; // asking for closed tickets by status finds them
  }
  f.type = checked(a.type, "--type", c.type_names());
  f.priority = checked(a.priority, "--priority", c.priorities);
  f.category = checked(a.category, "--category", c.categories);
  f.channel = checked(a.channel, "--channel", c.channels);
  f.reporter = split_list(a.reporter);
  f.department = split_list(a.department);
  f.team = split_list(a.team);
  f.assignee = split_list(a.assignee);
  if (!a.since.empty()) {
    f.created_since = parse_timestamp_or_throw(a.since, s.zone(), "--since");
  }
  if (!a.until.empty()) {
    f.created_until = parse_timestamp_or_throw(a.until, s.zone(), "--until");
  }
  return f;
}

CLI::App* ticket_command(CLI::App& app, const char* name, const char* help, std::string& id)
{
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("id", id, "Ticket id or a unique part of it")->required()->type_name("ID");
  return cmd;
}

void add_note_option(CLI::App* cmd, std::string& note, const char* help)
{
  cmd->add_option("-m,--message", note, help)->type_name("TEXT");
}

void warn_all(const std::vector<std::string>& warnings)
{
  for (const auto& w : warnings) {
    warn(w);
  }
}

void render_step(const ops::StepResult& result, bool quiet)
{
  if (!quiet) {
    out(fmt::format("{}: {}\n", result.ticket.id(), text::visible(result.summary)));
  }
  warn_all(result.warnings);
}

void add_global_options(CLI::App* app, Globals& g)
{
  app->add_option("-C,--dir", g.dir, "Run in the ticket repository at DIR (default: $DESK_DIR, else search upwards)")
    ->type_name("DIR");
  app->add_option("--as", g.actor, "Act as NAME (default: $DESK_USER, git user.name, login name)")->type_name("NAME");
  app->add_option("--color", g.color, "Colour: auto (a terminal without NO_COLOR), always, never")
    ->type_name("WHEN")
    ->check(CLI::IsMember({"auto", "always", "never"}));
}

std::string self_path()
{
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("desk") : p.string();
}

std::string local_time(const Invocation& s, std::string_view iso)
{
  if (iso.empty()) {
    return {};
  }
  const auto t = parse_timestamp(iso, nullptr);
  return t ? format_local_minutes(*t, s.zone()) : std::string(iso);
}

} // namespace desk::cli
