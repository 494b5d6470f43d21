#pragma once

#include <desk/config/config.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/ticket_store.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace desk::storage {

// What `desk init` was asked to do.
struct InitOptions {
  std::string timezone;    // empty: the system's zone
  bool force = false;      // rewrite the config of an existing repository
  bool git_hooks = false;  // only register the merge driver in an existing clone
  std::string desk_binary; // absolute path of desk, for the merge driver
};

// What `desk init` did.
struct InitResult {
  std::filesystem::path root;
  bool reinitialised = false;
  bool in_git = false; // the repository is in a git work tree: autocommit on, driver registered
};

// Changes saved but not yet committed, to be committed together (group commit): a batch
// of steps (the messages of a Maildir, the notices `desk mail send` records) or the writes
// of a server that arrive together make one commit instead of one each. Thread-safe.
class CommitGroup {
public:
  struct Change {
    std::vector<std::filesystem::path> paths;
    std::string message;
    std::string actor;
  };
  void add(Change change);
  // Everything added so far, oldest first; the group is empty after.
  std::vector<Change> take();
  // Changes whose commit failed, back in front of those added since.
  void put_back(std::vector<Change> changes);
  std::size_t size() const;
  // How many changes were ever added, and how many of them are committed: a change added
  // when added() became N is committed once committed() >= N.
  std::uint64_t added() const;
  std::uint64_t committed() const;
  // `n` changes taken out were committed.
  void mark_committed(std::uint64_t n);

private:
  mutable std::mutex m_mutex;
  std::vector<Change> m_changes;
  std::uint64_t m_added = 0;
  std::uint64_t m_committed = 0;
};

// A ticket repository: the folder holding `.desk/`.
class Repository {
public:
  // Find the repository: `dir` (from -C) or $DESK_DIR when given must be (inside) one;
  // otherwise walk up from the working directory to the first `.desk/`. Throws
  // NotFoundError saying how to create one. Loads and validates the config.
  static Repository discover(const std::optional<std::filesystem::path>& dir);

  // Only find the root folder, without reading the config (for `desk doctor`).
  static std::filesystem::path find_root(const std::optional<std::filesystem::path>& dir);

  // Create a repository in `dir` (created when missing). Refuses an existing one unless
  // options.force (then only the config, .gitignore and .gitattributes are rewritten).
  static InitResult init(const std::filesystem::path& dir, const InitOptions& options);

  const std::filesystem::path& root() const { return m_root; }
  std::filesystem::path desk_dir() const { return m_root / ".desk"; }
  std::filesystem::path config_path() const { return desk_dir() / "config.yaml"; }
  const Config& config() const { return *m_config; }
  const TicketStore& tickets() const { return m_tickets; }

  // Take the write lock (DESK_LOCK_TIMEOUT seconds, default 10).
  std::unique_ptr<RepoLock> lock() const;

  // Commit `paths` (files a command changed) with `message` and `actor` as the author when
  // git.autocommit is on and the repository is in a git work tree. Call under the lock.
  // Returns a warning (empty when none): git is not installed, or the commit was made but
  // git's index was not updated (git::commit_paths).
  std::string record_change(const std::vector<std::filesystem::path>& paths, const std::string& message,
                     const std::string& actor) const;

  // The git work tree's top folder, when the repository is in one.
  std::optional<std::filesystem::path> git_top() const;

  // This repository with its commits grouped into `group` (a new group when null):
  // record_change of the copy only adds to the group, and commit_group() makes one commit
  // of everything added. The files are saved by then; only the commit waits.
  Repository with_commit_group(std::shared_ptr<CommitGroup> group = nullptr) const;
  // Commit what the group holds in one commit (the message lists each change; the author
  // is their actor when all share one, else "desk"). Takes the write lock. Returns a warning
  // as record_change does; when the commit fails the changes stay in the group and the
  // error is thrown. Nothing to do without a group or when it is empty.
  std::string commit_group() const;

private:
  Repository(std::filesystem::path root, Config config);
  std::filesystem::path m_root;
  std::shared_ptr<const Config> m_config;
  TicketStore m_tickets;
  // The git top folder, looked up once (by whichever thread asks first).
  struct GitTop {
    std::once_flag once;
    std::optional<std::filesystem::path> top;
  };
  std::shared_ptr<GitTop> m_git_top = std::make_shared<GitTop>();
  std::shared_ptr<CommitGroup> m_commit_group; // null: every change is committed at once
};

// Who is acting: `explicit_actor` (--as), else $DESK_USER, else git's user.name, else the
// login name. A name is one line of text: one holding a control character, a bidirectional
// control or invalid UTF-8 (text::needs_escape) is refused with UsageError naming its source.
std::string resolve_actor(const std::string& explicit_actor);

} // namespace desk::storage
