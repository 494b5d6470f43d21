#include "cli/commands.hpp"

namespace desk::cli {

void register_resolve(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
    workflow::ResolveRequest request;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "resolve", "Record the fix after internal verification (stage 4)", a->id);
  cmd->add_option("--solution", a->request.solution, "What fixed it (required; '-' reads standard input)")
    ->type_name("TEXT");
  cmd->add_option("--verified-by", a->request.verified_by, "Who verified the fix internally (required)")
    ->type_name("USER");
  cmd->add_option("--verification", a->request.verification, "How it was verified")->type_name("TEXT");
  cmd->add_option("--cause", a->request.cause, "Root cause")->type_name("TEXT");
  cmd->add_option("--kb", a->request.kb, "Knowledge-base article that solved it (its reuse is counted)")
    ->type_name("KB-ID");
  add_note_option(cmd, a->note);
  cmd->footer("Allowed from every working status: new, triaged, assigned, in_progress, pending, escalated, reopened.");
  cmd->callback([a, &g] {
    auto r = a->request;
    r.solution = text_arg(r.solution, "--solution");
    r.cause = text_arg(r.cause, "--cause");
    r.verification = text_arg(r.verification, "--verification");
    r.note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    render_step(ops::resolve(s.repo, s.call(), a->id, r));
  });
}

} // namespace desk::cli
