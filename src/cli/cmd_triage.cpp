#include "cli/commands.hpp"

namespace desk::cli {

void register_triage(CLI::App& app, Globals& g)
{
  struct Args {
    std::string id, note;
    workflow::TriageRequest request;
    bool no_suggest = false;
  };
  auto a = std::make_shared<Args>();
  CLI::App* cmd = ticket_command(app, "triage", "Classify and prioritise (stage 2): category, type, impact × urgency", a->id);
  cmd->add_option("--category", a->request.category, "Technical domain (config: network, server, ...), required")
    ->type_name("CATEGORY");
  cmd->add_option("--type", a->request.type, "Service type (incident, request, change, consultation)")->type_name("TYPE");
  cmd->add_option("--impact", a->request.impact, "Impact scope")->type_name("SCOPE");
  cmd->add_option("--urgency", a->request.urgency, "Urgency")->type_name("LEVEL");
  cmd->add_option("--priority", a->request.priority, "Override the matrix (needs --reason)")->type_name("P");
  cmd->add_option("--reason", a->request.reason, "Why the matrix is overridden")->type_name("TEXT");
  add_note_option(cmd, a->note);
  cmd->add_flag("--no-suggest", a->no_suggest, "Do not show matching knowledge-base articles");
  cmd->callback([a, &g] {
    a->request.note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    const auto r = ops::triage(s.repo, s.call(), a->id, a->request);
    render_step(r);
    if (!a->no_suggest) {
      out(kb_suggestions_text(s, r.ticket)); // knowledge base (cmd_kb.cpp)
    }
  });
}

} // namespace desk::cli
