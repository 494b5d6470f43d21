#include <desk/storage/repository.hpp>

#include <desk/storage/config_file.hpp>
#include <desk/storage/git.hpp>
#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>
#include <desk/util/time.hpp>

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <utility>

#include <pwd.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage {

namespace {

constexpr std::string_view k_gitignore =
  "# desk: derived data, the lock and the portal's signing secret are never committed\ncache/\nlock\nserve-secret\n";

constexpr std::string_view k_gitattributes =
  "# desk: ticket and knowledge-base files are merged by desk's merge driver\n"
  "tickets/** merge=desk\n"
  "kb/** merge=desk\n";

std::optional<fs::path> find_root_upwards(fs::path start)
{
  std::error_code ec;
  fs::path dir = fs::weakly_canonical(start, ec);
  if (ec) {
    dir = start;
  }
  while (true) {
    if (fs::is_directory(dir / ".desk", ec)) {
      return dir;
    }
    if (!dir.has_parent_path() || dir.parent_path() == dir) {
      return std::nullopt;
    }
    dir = dir.parent_path();
  }
}

} // namespace

Repository::Repository(fs::path root, Config config)
  : m_root(std::move(root)), m_config(std::make_shared<const Config>(std::move(config))), m_tickets(m_root)
{
}

Repository Repository::discover(const std::optional<fs::path>& dir)
{
  const fs::path root = find_root(dir);
  return Repository(root, load_config(root / ".desk" / "config.yaml"));
}

fs::path Repository::find_root(const std::optional<fs::path>& dir)
{
  std::optional<fs::path> start = dir;
  std::string source = "-C";
  if (!start) {
    if (const char* env = std::getenv("DESK_DIR"); env && *env) {
      start = fs::path(env);
      source = "DESK_DIR";
    }
  }
  std::optional<fs::path> root;
  if (start) {
    std::error_code ec;
    if (!fs::is_directory(*start, ec)) {
      throw NotFoundError(fmt::format("{} ({}) is not a directory", start->string(), source),
                          "give the folder of a ticket repository");
    }
    root = find_root_upwards(*start);
  } else {
    std::error_code ec;
    root = find_root_upwards(fs::current_path(ec));
  }
  if (!root) {
    throw NotFoundError(
      fmt::format("not a desk repository (no .desk/ folder in {} or any parent)",
                  start ? start->string() : fs::current_path().string()),
      "create one with `desk init [DIR]`, or point to one with -C DIR or DESK_DIR");
  }
  return *root;
}

InitResult Repository::init(const fs::path& dir, const InitOptions& options)
{
  std::error_code ec;
  if (options.git_hooks) {
    const fs::path root = find_root(dir);
    const auto top = git::toplevel(root);
    if (!top) {
      throw NotFoundError(fmt::format("{} is not in a git work tree", root.string()),
                          "clone the ticket repository with git first, or run `git init` there");
    }
    git::register_merge_driver(*top, options.desk_binary);
    return {root, true, true};
  }
  const std::string zone = options.timezone.empty() ? system_zone_name() : options.timezone;
  find_zone(zone); // validates before anything is created; throws UsageError naming the zone
  fs::create_directories(dir, ec);
  if (ec) {
    throw StorageError(fmt::format("cannot create {}: {}", dir.string(), ec.message()),
                       "check the path and your permissions");
  }
  const fs::path root = fs::weakly_canonical(dir, ec);
  const fs::path desk = root / ".desk";
  const bool exists = fs::exists(desk / "config.yaml", ec);
  if (exists && !options.force) {
    throw UsageError(fmt::format("{} is already a desk repository", root.string()),
                     "use `desk init --force` to rewrite its config with the defaults (tickets are kept)");
  }
  const auto top = git::toplevel(root);
  const std::string config = default_config_text(zone, top.has_value());
  parse_config(config, "default config"); // the shipped default must always be valid
  write_file_atomic(desk / "config.yaml", config, root);
  write_file_atomic(desk / ".gitignore", k_gitignore, root);
  const fs::path attributes = root / ".gitattributes";
  std::string existing;
  if (fs::exists(attributes, ec)) {
    existing = read_text_file(attributes);
  }
  if (existing.find("merge=desk") == std::string::npos) {
    if (!existing.empty() && existing.back() != '\n') {
      existing += '\n';
    }
    write_file_atomic(attributes, existing + std::string(k_gitattributes), root);
  }
  fs::create_directories(root / "tickets", ec);
  if (top) {
    git::register_merge_driver(*top, options.desk_binary);
  }
  return {root, exists, top.has_value()};
}

std::unique_ptr<RepoLock> Repository::lock() const
{
  double seconds = 10;
  if (const char* env = std::getenv("DESK_LOCK_TIMEOUT"); env && *env) {
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(env, &end); // fractions too: 0.5
    if (end == env || *end != '\0' || errno != 0 || !(v >= 0) || v > 86400) {
      throw UsageError(fmt::format("DESK_LOCK_TIMEOUT='{}' is not a number of seconds (0 to 86400)", env),
                       "set it to the seconds to wait for the repository lock, e.g. DESK_LOCK_TIMEOUT=30");
    }
    seconds = v;
  }
  return std::make_unique<RepoLock>(desk_dir(), std::chrono::milliseconds(static_cast<long>(seconds * 1000)));
}

std::optional<fs::path> Repository::git_top() const
{
  std::call_once(m_git_top->once, [this] { m_git_top->top = git::toplevel(m_root); });
  return m_git_top->top;
}

std::string Repository::record_change(const std::vector<fs::path>& paths, const std::string& message,
                                      const std::string& actor) const
{
  if (!m_config->git_autocommit || paths.empty()) {
    return {};
  }
  const auto top = git_top();
  if (!top) {
    if (!git::installed()) {
      return "git.autocommit is on but git is not installed (or not on PATH): the change is not committed";
    }
    return {};
  }
  if (m_commit_group) {
    m_commit_group->add({paths, message, actor});
    return {};
  }
  return git::commit_paths(*top, paths, message, actor);
}

void CommitGroup::add(Change change)
{
  const std::lock_guard guard(m_mutex);
  m_changes.push_back(std::move(change));
  ++m_added;
}

std::uint64_t CommitGroup::added() const
{
  const std::lock_guard guard(m_mutex);
  return m_added;
}

std::uint64_t CommitGroup::committed() const
{
  const std::lock_guard guard(m_mutex);
  return m_committed;
}

void CommitGroup::mark_committed(std::uint64_t n)
{
  const std::lock_guard guard(m_mutex);
  m_committed += n;
}

std::vector<CommitGroup::Change> CommitGroup::take()
{
  const std::lock_guard guard(m_mutex);
  return std::exchange(m_changes, {});
}

void CommitGroup::put_back(std::vector<Change> changes)
{
  const std::lock_guard guard(m_mutex);
  changes.insert(changes.end(), std::make_move_iterator(m_changes.begin()), std::make_move_iterator(m_changes.end()));
  m_changes = std::move(changes);
}

std::size_t CommitGroup::size() const
{
  const std::lock_guard guard(m_mutex);
  return m_changes.size();
}

Repository Repository::with_commit_group(std::shared_ptr<CommitGroup> group) const
{
  Repository copy = *this;
  copy.m_commit_group = group ? std::move(group) : std::make_shared<CommitGroup>();
  return copy;
}

std::string Repository::commit_group() const
{
  if (!m_commit_group || m_commit_group->size() == 0) {
    return {};
  }
  const auto held = lock();
  std::vector<CommitGroup::Change> changes = m_commit_group->take();
  if (changes.empty()) {
    return {};
  }
  const auto top = git_top();
  if (!top) {
    m_commit_group->mark_committed(changes.size()); // nothing to commit them into
    return {};
  }
  std::vector<fs::path> paths;
  std::string message = changes.front().message;
  std::string actor = changes.front().actor;
  if (changes.size() > 1) {
    message = fmt::format("{} changes: {} ...\n", changes.size(), text::one_line(changes.front().message));
    for (const auto& c : changes) {
      message += fmt::format("\n{}: {}", c.actor, text::one_line(c.message));
      if (c.actor != actor) {
        actor = "desk";
      }
    }
  }
  for (const auto& c : changes) {
    paths.insert(paths.end(), c.paths.begin(), c.paths.end());
  }
  try {
    std::string warning = git::commit_paths(*top, paths, message, actor);
    m_commit_group->mark_committed(changes.size());
    return warning;
  } catch (...) {
    m_commit_group->put_back(std::move(changes));
    throw;
  }
}

namespace {

// `name` when it is one line of printable text; UsageError naming `source` otherwise.
std::string checked_actor(std::string name, std::string_view source)
{
  if (text::needs_escape(name)) {
    throw UsageError(fmt::format("the actor name from {} ('{}') holds a control character or is not UTF-8 text",
                                 source, text::visible(name)),
                     "give a name on one line, without control characters");
  }
  return name;
}

} // namespace

std::string resolve_actor(const std::string& explicit_actor)
{
  if (!explicit_actor.empty()) {
    return checked_actor(explicit_actor, "--as");
  }
  if (const char* env = std::getenv("DESK_USER"); env && *env) {
    return checked_actor(env, "DESK_USER");
  }
  const ProcessResult git = run_process({"git", "config", "user.name"}, {}, std::chrono::seconds(5));
  if (git.exit_code == 0) {
    const std::string name(text::trim(git.out));
    if (!name.empty()) {
      return checked_actor(name, "git config user.name");
    }
  }
  if (const struct passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_name) {
    return pw->pw_name;
  }
  if (const char* env = std::getenv("USER"); env && *env) {
    return env;
  }
  return "unknown";
}

} // namespace desk::storage
