#pragma once

#include "serve/auth.hpp"
#include "serve/directory.hpp"
#include "serve/kb_cache.hpp"
#include "serve/render.hpp"

#include <desk/storage/repository.hpp>
#include <desk/util/error.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

// The state of one `desk serve` process and the pieces its routes share.
namespace desk::serve {

// What `desk serve` was started with.
struct ServeOptions {
  std::optional<std::filesystem::path> dir; // -C
  std::string host = "127.0.0.1";
  int port = 8080;
};

// The repository, its config (swapped on SIGHUP), the ticket directory, sessions and pages.
class App {
public:
  explicit App(const ServeOptions& options);

  // The repository with its current config.
  std::shared_ptr<const storage::Repository> repo() const;
  // The templates of the current config.
  std::shared_ptr<const Renderer> renderer() const;
  // Read the config and templates again (SIGHUP); a broken config keeps the old one and
  // throws its error.
  void reload();

  // Commit the writes saved so far (group commit): writes that arrive together are saved
  // one by one under the write lock and share one commit, made before their answers go
  // out. A failed commit is reported on stderr and tried again with the next write and at
  // the stop; the files are on disk either way.
  void commit_writes();
  // A request that may write has begun / has been answered (the commit waits, briefly, for
  // those still at work so that they join it).
  void write_started() { ++m_writes_in_flight; }
  void write_finished() { --m_writes_in_flight; }

  // "Now": DESK_NOW (local to the repository's zone when without offset) or the clock.
  Timestamp now() const;

  TicketDirectory& directory() { return *m_directory; }
  KbCache& kb() { return m_kb; }
  Auth& auth() { return m_auth; }
  const std::filesystem::path& root() const { return m_root; }
  // The address links point to: serve.url, else the address listened on.
  std::string base_url() const;
  const ServeOptions& options() const { return m_options; }

private:
  ServeOptions m_options;
  std::filesystem::path m_root;
  mutable std::mutex m_mutex;
  std::shared_ptr<storage::CommitGroup> m_commits = std::make_shared<storage::CommitGroup>();
  std::mutex m_commit_mutex; // one thread commits at a time; the others find their write in it
  std::atomic<int> m_writes_in_flight = 0;
  std::shared_ptr<const storage::Repository> m_repo;
  std::shared_ptr<const Renderer> m_renderer;
  storage::TicketStore m_store; // the directory's (the root never changes)
  std::unique_ptr<TicketDirectory> m_directory;
  Auth m_auth;
  KbCache m_kb;
};

// The HTTP status for an error of the library (by its exit-code kind).
int http_status(const Error& e);

// The kind name of an error ("not_found").
std::string error_kind(const Error& e);

// Answer with JSON.
void send_json(httplib::Response& res, int status, const nlohmann::ordered_json& body);

// A request body as a JSON object; throws UsageError saying what is wrong.
nlohmann::json json_body(const httplib::Request& req);

// The routes of the JSON API (/api/v1/...).
void add_api_routes(httplib::Server& server, App& app);
// The requester pages (/, /signin, /requests, /new, /kb, ...).
void add_portal_routes(httplib::Server& server, App& app);
// The staff board (/board, /board/report).
void add_board_routes(httplib::Server& server, App& app);

// Everything a server of `app` answers with: timeouts, the limits checked before a body is
// read, the security headers, errors as JSON, the group commit after each write, and every
// route (run_server's, and the HTTP fuzz target's).
void configure_server(httplib::Server& server, App& app);

// Run the server until SIGTERM/SIGINT; returns the exit code.
int run_server(const ServeOptions& options);

} // namespace desk::serve
