#pragma once

#include <desk/config/config.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/ticket_store.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace desk::storage {

// What `desk init` was asked to do.
struct InitOptions {
  std::string timezone; // empty: the system's zone
  bool force = false;   // rewrite the config of an existing repository
};

// What `desk init` did.
struct InitResult {
  std::filesystem::path root;
  bool reinitialised = false;
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

private:
  Repository(std::filesystem::path root, Config config);
  std::filesystem::path m_root;
  std::shared_ptr<const Config> m_config;
  TicketStore m_tickets;
};

// Who is acting: `explicit_actor` (--as), else $DESK_USER, else git's user.name, else the
// login name.
std::string resolve_actor(const std::string& explicit_actor);

} // namespace desk::storage
