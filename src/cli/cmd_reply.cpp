#include "cli/commands.hpp"

namespace desk::cli {

void register_reply(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, text, eta;
    std::vector<std::string> attach;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(
    app, "reply", "Write to the requester (public; sent by the mail channel), e.g. the expected time (--eta)", a->id);
  cmd->add_option("-m,--message", a->text, "What the requester reads (required; '-' reads standard input)")
    ->type_name("TEXT");
  cmd->add_option("--eta", a->eta, "The expected time of the fix, told to the requester (ISO 8601 or local time)")
    ->type_name("TIME");
  cmd->add_option("--attach", a->attach, "File to send along (repeatable; stored beside the ticket)")->type_name("FILE");
  cmd->footer("A reply is public: the requester sees it (mail, portal). Internal notes go to `desk log`.");
  cmd->callback([a, &g] {
    ops::ReplyRequest r;
    r.text = text_arg(a->text, "-m");
    r.eta = a->eta;
    for (const auto& path : a->attach) {
      r.files.push_back({{}, path, {}});
    }
    const Invocation s = open_invocation(g);
    render_step(ops::reply(s.repo, s.call(), a->id, r));
  });
}

} // namespace desk::cli
