#include "cli/commands.hpp"

namespace desk::cli {

ServeCommand define_serve(CLI::App& cmd, Globals& g, ServeArgs& a)
{
  add_global_options(&cmd, g);
  cmd.add_option("--listen", a.listen, "HOST:PORT to listen on (loopback by default; put a reverse proxy in front)")
    ->type_name("ADDRESS")
    ->capture_default_str();
  CLI::App* token = cmd.add_subcommand("token", "Bearer tokens of the JSON API");
  token->require_subcommand(1);
  CLI::App* add = token->add_subcommand("add", "Make a token, print it once, record its SHA-256 in the config");
  add->add_option("name", a.token_name, "Name of the integration")->required()->type_name("NAME");
  add->add_option("--scope", a.scopes, "Scopes: read, open, message, reply, workflow (comma list)")
    ->required()
    ->delimiter(',')
    ->type_name("SCOPES");
  add_global_options(add, g);
  return ServeCommand{add};
}

} // namespace desk::cli
