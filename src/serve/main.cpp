#include "serve/app.hpp"

#include "cli/common.hpp"
#include "cli/companion.hpp"

#include <desk/portal/api_tokens.hpp>
#include <desk/util/text.hpp>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <memory>

namespace {

// "127.0.0.1:8080", "[::1]:8080", ":8080" (loopback) or "8080".
void parse_listen(const std::string& value, desk::serve::ServeOptions& o)
{
  std::string host = o.host;
  std::string port = value;
  if (value.starts_with("[")) {
    const auto close = value.find("]:");
    if (close == std::string::npos) {
      throw desk::UsageError(fmt::format("--listen '{}': write [ADDRESS]:PORT for an IPv6 address", value));
    }
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
  } else if (const auto colon = value.rfind(':'); colon != std::string::npos) {
    if (colon > 0) {
      host = value.substr(0, colon);
    }
    port = value.substr(colon + 1);
  }
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoi(port) > 65535) {
    throw desk::UsageError(fmt::format("--listen '{}': the port must be a number from 0 to 65535", value),
                           "e.g. --listen 127.0.0.1:8080");
  }
  o.host = host;
  o.port = std::stoi(port);
}

} // namespace

int main(int argc, char** argv)
{
  CLI::App app{"desk serve: the requester portal and the JSON API over a ticket repository", "desk serve"};
  desk::cli::Globals g;
  desk::cli::add_global_options(&app, g);
  auto listen = std::make_shared<std::string>("127.0.0.1:8080");
  app.add_option("--listen", *listen, "Address and port to listen on (loopback by default; put a reverse proxy in front)")
    ->type_name("HOST:PORT")
    ->capture_default_str();
  CLI::App* token = app.add_subcommand("token", "Bearer tokens of the JSON API");
  token->require_subcommand(1);
  CLI::App* add = token->add_subcommand("add", "Make a token, print it once, record its SHA-256 in the config");
  auto name = std::make_shared<std::string>();
  auto scopes = std::make_shared<std::vector<std::string>>();
  add->add_option("name", *name, "Name of the integration")->required()->type_name("NAME");
  add->add_option("--scope", *scopes, "Scopes: read, open, message, reply, workflow (comma list)")
    ->required()
    ->delimiter(',')
    ->type_name("SCOPES");
  desk::cli::add_global_options(add, g);
  add->callback([&g, name, scopes] {
    const desk::cli::Invocation s = desk::cli::open_invocation(g);
    const std::string t = desk::portal::add_api_token(s.repo, *name, *scopes, s.actor());
    desk::cli::out(t + "\n");
    std::fflush(stdout);
    std::fprintf(stderr, "desk serve: token '%s' recorded in .desk/config.yaml; it is shown only now\n", name->c_str());
  });
  app.callback([&app, &g, listen] {
    if (!app.get_subcommands().empty()) {
      return;
    }
    desk::serve::ServeOptions options;
    if (!g.dir.empty()) {
      options.dir = g.dir;
    }
    parse_listen(*listen, options);
    desk::serve::run_server(options);
  });
  return desk::cli::run_guarded(app, argc, argv, "desk serve");
}
