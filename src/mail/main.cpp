#include "cli/commands.hpp"
#include "cli/companion.hpp"
#include "mail/commands.hpp"

#include <csignal>

int main(int argc, char** argv)
{
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"desk mail: requests by mail in, notifications out (share/doc/mail.md)", "desk mail"};
  app.require_subcommand(1);
  app.fallthrough();
  desk::cli::Globals globals;
  desk::cli::add_global_options(&app, globals);
  desk::mail_cli::add_parse_command(app);
  desk::mail_cli::add_receive_command(app, globals);
  desk::mail_cli::add_send_command(app, globals);
  desk::mail_cli::add_status_command(app, globals);
  desk::cli::register_companion_manual(app, "mail");
  return desk::cli::run_guarded(app, argc, argv, "desk mail");
}
