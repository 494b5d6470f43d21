#include "serve/app.hpp"

#include <desk/portal/links.hpp>
#include <desk/storage/config_file.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include <pthread.h>
#include <sys/socket.h>

namespace fs = std::filesystem;

namespace desk::serve {

namespace {

// Each request's start, for its log line (the handler runs on one pool thread).
thread_local std::chrono::steady_clock::time_point t_request_start;

void log_line(const httplib::Request& req, const httplib::Response& res)
{
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                        t_request_start)
                    .count();
  // The path only: query strings may hold sign-in tokens.
  std::string path = text::one_line(req.path);
  if (path.size() > 200) {
    path = path.substr(0, 200) + "…";
  }
  const std::string line = fmt::format("{} {} {} {} {} {:.1f}ms\n", req.remote_addr, req.method, path, res.status,
                                       res.body.size(), static_cast<double>(us) / 1000.0);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

// A request that may change the repository (every method but GET and HEAD): its answer
// waits for the commit of its write.
bool may_write(const httplib::Request& req)
{
  return req.method != "GET" && req.method != "HEAD";
}

void security_headers(httplib::Response& res, bool https)
{
  if (!res.has_header("Content-Security-Policy")) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                   "frame-ancestors 'none'; base-uri 'none'");
  }
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
  if (https) {
    res.set_header("Strict-Transport-Security", "max-age=31536000");
  }
}

} // namespace

App::App(const ServeOptions& options)
  : m_options(options), m_root(storage::Repository::find_root(options.dir)),
    m_repo(std::make_shared<const storage::Repository>(
      storage::Repository::discover(options.dir).with_commit_group(m_commits))),
    m_renderer(std::make_shared<const Renderer>(m_root)), m_store(m_root),
    m_auth(portal::load_or_create_secret(m_root / ".desk")), m_kb(m_root)
{
  m_directory = std::make_unique<TicketDirectory>(m_store);
}

std::shared_ptr<const storage::Repository> App::repo() const
{
  const std::lock_guard lock(m_mutex);
  return m_repo;
}

std::shared_ptr<const Renderer> App::renderer() const
{
  const std::lock_guard lock(m_mutex);
  return m_renderer;
}

void App::reload()
{
  auto repo = std::make_shared<const storage::Repository>(storage::Repository::discover(m_root).with_commit_group(m_commits));
  auto renderer = std::make_shared<const Renderer>(m_root);
  const std::lock_guard lock(m_mutex);
  m_repo = std::move(repo);
  m_renderer = std::move(renderer);
}

void App::commit_writes()
{
  const std::uint64_t upto = m_commits->added();
  if (m_commits->committed() >= upto) {
    return;
  }
  const std::lock_guard one_committer(m_commit_mutex);
  if (m_commits->committed() >= upto) {
    return; // the thread before took this write into its commit
  }
  // Writes still at work (waiting for the lock or saving) join this commit rather than
  // wait for the next one; a commit waits for them at most 20 ms.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
  while (m_writes_in_flight.load() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  try {
    if (const std::string warning = repo()->commit_group(); !warning.empty()) {
      const std::string line = fmt::format("desk serve: warning: {}\n", warning);
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
  } catch (const std::exception& e) {
    const std::string line = fmt::format(
      "desk serve: error: {} saved change(s) not committed yet, tried again with the next write: {}\n",
      m_commits->size(), e.what());
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

Timestamp App::now() const
{
  return desk::now(find_zone(repo()->config().timezone));
}

std::string App::base_url() const
{
  const std::string url = repo()->config().serve.url;
  if (!url.empty()) {
    return url;
  }
  const std::string host = m_options.host.find(':') != std::string::npos ? "[" + m_options.host + "]" : m_options.host;
  return fmt::format("http://{}:{}", host, m_options.port);
}

int http_status(const Error& e)
{
  switch (e.code()) {
  case ExitCode::usage:
    return 400;
  case ExitCode::not_found:
    return 404;
  case ExitCode::invalid_state:
    return 409;
  case ExitCode::busy:
    return 503;
  case ExitCode::bad_data:
  case ExitCode::io:
  case ExitCode::failure:
  case ExitCode::ok:
    break;
  }
  return 500;
}

std::string error_kind(const Error& e)
{
  switch (e.code()) {
  case ExitCode::usage:
    return "usage";
  case ExitCode::not_found:
    return "not_found";
  case ExitCode::invalid_state:
    return "invalid_state";
  case ExitCode::busy:
    return "busy";
  case ExitCode::bad_data:
    return "bad_data";
  case ExitCode::io:
    return "io";
  case ExitCode::failure:
  case ExitCode::ok:
    break;
  }
  return "failure";
}

void send_json(httplib::Response& res, int status, const nlohmann::ordered_json& body)
{
  res.status = status;
  res.set_content(body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  "application/json; charset=utf-8");
}

nlohmann::json json_body(const httplib::Request& req)
{
  const std::string type = text::ascii_lower(req.get_header_value("Content-Type"));
  if (!type.starts_with("application/json")) {
    throw UsageError("the request body must be JSON (Content-Type: application/json)");
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(req.body);
  } catch (const nlohmann::json::exception& e) {
    throw UsageError(fmt::format("the request body is not valid JSON: {}", e.what()));
  }
  if (!j.is_object()) {
    throw UsageError("the request body must be a JSON object");
  }
  return j;
}

void configure_server(httplib::Server& server, App& app)
{
  server.set_read_timeout(10, 0);
  server.set_write_timeout(10, 0);
  server.set_keep_alive_timeout(5);
  server.set_keep_alive_max_count(1000);
  server.set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second server share the port.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_payload_max_length(app.repo()->config().serve.max_upload_bytes + 256 * 1024);

  server.set_pre_routing_handler([&app](const httplib::Request& req, httplib::Response& res) {
    t_request_start = std::chrono::steady_clock::now();
    if (may_write(req)) {
      app.write_started();
    }
    const auto repo = app.repo();
    security_headers(res, repo->config().serve.url.starts_with("https://"));
    // The body limit is decided on the headers, before any of the body is read.
    const std::size_t limit = repo->config().serve.max_upload_bytes + 256 * 1024;
    if (req.has_header("Transfer-Encoding")) {
      res.set_header("Connection", "close");
      send_json(res, 411, {{"error", {{"kind", "usage"}, {"message", "send the body with a Content-Length"}}}});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.has_header("Content-Length")) {
      const std::string len = req.get_header_value("Content-Length");
      if (len.empty() || len.size() > 18 || len.find_first_not_of("0123456789") != std::string::npos ||
          std::stoull(len) > limit) {
        res.set_header("Connection", "close");
        send_json(res, 413,
                  {{"error",
                    {{"kind", "usage"},
                     {"message", fmt::format("the request is larger than the limit of {} bytes", limit)},
                     {"hint", "send smaller attachments (serve.max_upload_bytes)"}}}});
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
    int status = 500;
    nlohmann::ordered_json error;
    try {
      std::rethrow_exception(ep);
    } catch (const Error& e) {
      status = http_status(e);
      error = {{"kind", error_kind(e)}, {"message", e.what()}, {"exit_code", static_cast<int>(e.code())}};
      if (!e.hint().empty()) {
        error["hint"] = e.hint();
      }
      if (e.code() == ExitCode::busy) {
        res.set_header("Retry-After", "1");
      }
    } catch (const std::exception& e) {
      error = {{"kind", "failure"}, {"message", e.what()}};
    }
    if (status >= 500) {
      const std::string line = fmt::format("desk serve: error: {} {}: {}\n", req.method, text::one_line(req.path),
                                           error["message"].get<std::string>());
      std::fwrite(line.data(), 1, line.size(), stderr);
    }
    send_json(res, status, {{"error", error}});
  });
  // After the route wrote its files and before the answer goes out: the commit of this
  // write, shared with those that arrived meanwhile.
  server.set_post_routing_handler([&app](const httplib::Request& req, httplib::Response&) {
    if (may_write(req)) {
      app.write_finished();
      app.commit_writes();
    }
  });
  server.set_logger(log_line);

  add_api_routes(server, app);
  add_portal_routes(server, app);
  add_board_routes(server, app);
  server.Get("/static/portal.css", [&app](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "max-age=3600");
    res.set_content(app.renderer()->stylesheet(), "text/css; charset=utf-8");
  });
  server.Get("/healthz", [&app](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, {{"ok", true}, {"tickets", app.directory().size()}});
  });
}

int run_server(const ServeOptions& options)
{
  // Signals go to one thread that waits for them (blocked here, before any other starts).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  App app(options);
  httplib::Server server;
  static constexpr std::size_t k_threads = 32;
  server.new_task_queue = [] { return new httplib::ThreadPool(k_threads); };
  configure_server(server, app);

  if (!server.bind_to_port(options.host, options.port)) {
    throw StorageError(fmt::format("cannot listen on {}:{}", options.host, options.port),
                       "is another server using the port? choose one with --listen HOST:PORT");
  }
  std::atomic<bool> stopping = false;
  std::thread waiter([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) {
        continue;
      }
      if (sig == SIGHUP) {
        try {
          app.reload();
          std::fputs("desk serve: configuration reloaded\n", stderr);
        } catch (const std::exception& e) {
          const std::string line = fmt::format("desk serve: error: reload failed, keeping the old configuration: {}\n",
                                               e.what());
          std::fwrite(line.data(), 1, line.size(), stderr);
        }
        continue;
      }
      stopping = true;
      server.stop(); // in-flight requests finish; the pool joins them
      return;
    }
  });
  const std::string line = fmt::format("desk serve: listening on http://{}:{} ({} tickets)\n", options.host,
                                       options.port, app.directory().size());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  server.listen_after_bind();
  if (!stopping) {
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  waiter.join();
  app.commit_writes(); // anything a failed commit left
  std::fputs("desk serve: stopped\n", stderr);
  return 0;
}

} // namespace desk::serve
