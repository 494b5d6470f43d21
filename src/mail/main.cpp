#include "mail/commands.hpp"

#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <cstdio>

namespace desk::mail_cli {

int& exit_code()
{
  static int code = 0;
  return code;
}

storage::Repository open_repository(const GlobalOptions& global)
{
  return storage::Repository::discover(global.dir.empty() ? std::nullopt
                                                          : std::optional<std::filesystem::path>(global.dir));
}

} // namespace desk::mail_cli

int main(int argc, char** argv)
{
  CLI::App app{"desk mail: requests by mail in, notifications out", "desk mail"};
  app.require_subcommand(1);
  desk::mail_cli::GlobalOptions global;
  app.add_option("-C", global.dir, "The repository (default: found from the working directory, or $DESK_DIR)");
  app.add_option("--as", global.actor, "Act as this user");
  desk::mail_cli::add_parse_command(app);
#ifdef DESK_MAIL_GATEWAY
  desk::mail_cli::add_receive_command(app, global);
  desk::mail_cli::add_send_command(app, global);
  desk::mail_cli::add_status_command(app, global);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const desk::Error& e) {
    fmt::print(stderr, "desk: error: {}\n", e.what());
    if (!e.hint().empty()) {
      fmt::print(stderr, "desk: hint: {}\n", e.hint());
    }
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    fmt::print(stderr, "desk: error: {}\n", e.what());
    return 1;
  }
  return desk::mail_cli::exit_code();
}
