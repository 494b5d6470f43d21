#include "serve/app.hpp"

#include "cli/common.hpp"
#include "cli/commands.hpp"

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
  desk::cli::ServeArgs args;
  const desk::cli::ServeCommand cmds = desk::cli::define_serve(app, g, args);
  cmds.token_add->callback([&g, &args] {
    const desk::cli::Invocation s = desk::cli::open_invocation(g);
    const auto made = desk::portal::add_api_token(s.repo, s.call(), args.token_name, args.scopes);
    desk::cli::out(made.token + "\n");
    std::fflush(stdout);
    std::fprintf(stderr, "desk serve: token '%s' recorded in .desk/config.yaml; it is shown only now\n",
                 args.token_name.c_str());
    desk::cli::warn_all(made.warnings);
  });
  app.callback([&app, &g, &args] {
    if (!app.get_subcommands().empty()) {
      return;
    }
    desk::serve::ServeOptions options;
    if (!g.dir.empty()) {
      options.dir = g.dir;
    }
    parse_listen(args.listen, options);
    desk::serve::run_server(options);
  });
  return desk::cli::run_guarded(app, argc, argv, "desk serve");
}
