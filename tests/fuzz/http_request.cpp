// Whole HTTP requests as any client may send them, through every route of desk serve (the
// same configure_server as desk-serve, over a repository with one ticket and one public
// article): the request line, the headers (cookies, Accept-Language, Content-Length), the
// query, form and JSON bodies, multipart uploads. Whatever the bytes, the answer is one
// well-formed HTTP response whose status is not 500 (a 500 is an exception that is no
// desk::Error, or an error of the server itself), and nothing is written outside the
// repository.
#include "fuzz_support.hpp"

#include "serve/app.hpp"

#include <desk/kb/lifecycle.hpp>
#include <desk/ops/ops.hpp>
#include <desk/storage/repository.hpp>
#include <desk/util/time.hpp>

#include <httplib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace fs = std::filesystem;

namespace {

// A connection that reads the fuzz input and keeps what the server writes.
class FuzzStream : public httplib::Stream {
public:
  explicit FuzzStream(std::string_view input) : m_input(input) {}
  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override
  {
    const std::size_t n = std::min(size, m_input.size());
    std::memcpy(ptr, m_input.data(), n);
    m_input.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override
  {
    output.append(ptr, size);
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override
  {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override
  {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

  std::string output;

private:
  std::string_view m_input;
};

// The server with its request handling reachable (httplib keeps it protected).
class FuzzServer : public httplib::Server {
public:
  using httplib::Server::process_request;
};

fs::path g_root;
desk::serve::App* g_app = nullptr; // kept for the whole run (reachable: no leak)
FuzzServer* g_server = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***)
{
  char templ[] = "/tmp/desk-fuzz-http.XXXXXX";
  g_root = ::mkdtemp(templ);
  ::setenv("DESK_NOW", "2026-12-03T10:00:00+08:00", 1);
  desk::storage::Repository::init(g_root, {.timezone = "Asia/Shanghai"});
  {
    const auto repo = desk::storage::Repository::discover(g_root);
    const desk::ops::Call call{"alice", desk::parse_timestamp_or_throw("2026-12-03T10:00", nullptr, "now")};
    desk::workflow::OpenRequest r;
    r.title = "打印机卡纸 printer jam";
    r.reporter = "王伟";
    r.email = "wang@example.com";
    desk::ops::open(repo, call, r);
    desk::kb::ArticleDraft d;
    d.title = "VPN 断线 reconnect";
    d.solution = "Restart the client.";
    d.audience = "public";
    const auto added = desk::ops::kb_add(repo, call, d);
    desk::ops::kb_validate(repo, {"bob", call.now}, added.article.id(), "");
  }
  desk::serve::ServeOptions options;
  options.dir = g_root;
  g_app = new desk::serve::App(options);
  g_server = new FuzzServer();
  desk::serve::configure_server(*g_server, *g_app);
  g_server->set_logger([](const httplib::Request&, const httplib::Response&) {}); // no access log per input
  // The routes answer (a target that only ever reached 404 would test nothing).
  for (const auto& [request, expect] : {std::pair{"GET /healthz HTTP/1.1\r\nHost: d\r\n\r\n", "\"tickets\": 1"},
                                        std::pair{"GET /kb?q=VPN HTTP/1.1\r\nHost: d\r\n\r\n", "VPN 断线 reconnect"}}) {
    FuzzStream stream(request);
    bool closed = false;
    g_server->process_request(stream, true, closed, nullptr);
    if (!(stream.output.starts_with("HTTP/1.1 200") && stream.output.find(expect) != std::string::npos)) {
      std::fwrite(stream.output.data(), 1, std::min<std::size_t>(stream.output.size(), 3000), stderr);
    }
    desk::fuzz::check(stream.output.starts_with("HTTP/1.1 200") && stream.output.find(expect) != std::string::npos,
                      "the server over the fuzz repository does not answer its routes");
  }
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(g_root, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  FuzzStream stream(desk::fuzz::as_text(data, size));
  bool closed = false;
  g_server->process_request(stream, true, closed, nullptr);
  const std::string& out = stream.output;
  if (out.empty()) {
    return 0; // nothing that reads as a request line: the connection is dropped
  }
  desk::fuzz::check(out.starts_with("HTTP/1.1 ") && out.size() >= 12, "an answer that is no HTTP response");
  const std::string status = out.substr(9, 3);
  desk::fuzz::check(status.find_first_not_of("0123456789") == std::string::npos && status >= "100" && status <= "599",
                    "an answer without a status code");
  if (status == "500") {
    std::fwrite(out.data(), 1, std::min<std::size_t>(out.size(), 2000), stderr);
  }
  desk::fuzz::check(status != "500", "a request made the server fail (500)");
  desk::fuzz::check(out.find("\r\n\r\n") != std::string::npos, "an answer whose headers do not end");
  return 0;
}
