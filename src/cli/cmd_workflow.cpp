#include "cli/commands.hpp"

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <map>

namespace desk::cli {

namespace {

struct WorkflowArgs {
  std::string id;
  std::string note;
  // triage
  workflow::TriageRequest triage;
  // assign
  workflow::AssignRequest assign;
  // escalate
  workflow::EscalateRequest escalate;
  // log
  int minutes = 0;
  // pending / cancel
  std::string reason;
  // resolve
  workflow::ResolveRequest resolve;
  // confirm
  int rating = 0;
  bool reject = false;
  // close
  bool stale = false;
  bool kb_capture = false; // close --kb: capture a draft knowledge-base article
  // open-time suggestions
  bool no_suggest = false; // triage --no-suggest
};

CLI::App* ticket_command(CLI::App& app, const char* name, const char* help, std::shared_ptr<WorkflowArgs> a)
{
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("id", a->id, "Ticket id or a unique part of it")->required()->type_name("ID");
  return cmd;
}

void add_note(CLI::App* cmd, std::shared_ptr<WorkflowArgs> a, const char* help = "Note for the history")
{
  cmd->add_option("-m,--message", a->note, help)->type_name("TEXT");
}

} // namespace

void register_workflow(CLI::App& app, Globals& g)
{
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "triage", "Classify and prioritise (stage 2): category, type, impact × urgency", a);
    cmd->add_option("--category", a->triage.category, "Technical domain (config: network, server, ...), required")
      ->type_name("CATEGORY");
    cmd->add_option("--type", a->triage.type, "Service type (incident, request, change, consultation)")->type_name("TYPE");
    cmd->add_option("--impact", a->triage.impact, "Impact scope")->type_name("SCOPE");
    cmd->add_option("--urgency", a->triage.urgency, "Urgency")->type_name("LEVEL");
    cmd->add_option("--priority", a->triage.priority, "Override the matrix (needs --reason)")->type_name("P");
    cmd->add_option("--reason", a->triage.reason, "Why the matrix is overridden")->type_name("TEXT");
    add_note(cmd, a);
    cmd->add_flag("--no-suggest", a->no_suggest, "Do not show matching knowledge-base articles");
    cmd->callback([a, &g] {
      std::string suggestions;
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        a->triage.note = text_arg(a->note, "-m");
        workflow::triage(t, s.context(), a->triage);
        if (!a->no_suggest) {
          suggestions = kb_suggestions_text(s, t); // knowledge base (cmd_kb.cpp)
        }
        return fmt::format("triaged: {} {}, priority {}", t.get("type"), t.get("category"), t.get("priority"));
      });
      out(suggestions);
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "assign", "Assign to a person, a team, or by the rules (--auto)", a);
    cmd->add_option("--to", a->assign.user, "Assignee")->type_name("USER");
    cmd->add_option("--team", a->assign.team, "Owning team")->type_name("TEAM");
    cmd->add_flag("--auto", a->assign.automatic,
                  "Apply the assignment rules and team skills, then pick the member with the fewest open tickets");
    cmd->add_option("--lead-team", a->assign.lead_team, "The team that leads when several work on it")->type_name("TEAM");
    cmd->add_option("--collaborator", a->assign.collaborators, "Another team working on it (repeatable)")
      ->type_name("TEAM");
    add_note(cmd, a);
    cmd->callback([a, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        a->assign.note = text_arg(a->note, "-m");
        const auto load = a->assign.automatic ? open_load(s) : std::map<std::string, int>{};
        workflow::assign(t, s.context(), a->assign, load);
        std::string who = t.get("assignee").empty() ? "team " + t.get("team") : t.get("assignee");
        if (!t.get("assignee").empty() && !t.get("team").empty()) {
          who += " (" + t.get("team") + ")";
        }
        return "assigned to " + who;
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "escalate", "Escalate to tier 2, tier 3 or a vendor (reassigns)", a);
    cmd->add_option("--tier", a->escalate.tier, "Tier to escalate to: 2 or 3")->type_name("N");
    cmd->add_option("--vendor", a->escalate.vendor, "External vendor (config)")->type_name("NAME");
    cmd->add_option("--reason", a->escalate.reason, "Why (required)")->type_name("TEXT");
    cmd->add_option("--to", a->escalate.user, "Assignee at the new level")->type_name("USER");
    cmd->add_option("--team", a->escalate.team, "Team at the new level")->type_name("TEAM");
    cmd->add_flag("--notify", a->escalate.notify,
                  "Also escalate hierarchically: notify the team's supervisor (recorded; passed to the hook)");
    cmd->callback([a, &g] {
      std::string supervisor;
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        a->escalate.reason = text_arg(a->escalate.reason, "--reason");
        const auto load = open_load(s);
        supervisor = workflow::escalate(t, s.context(), a->escalate, load);
        const Value* what = t.events().back().extra.find("escalation");
        std::string msg = "escalated to " + (what ? what->str() : std::string("?"));
        if (!t.get("assignee").empty()) {
          msg += ", assigned to " + t.get("assignee");
        }
        if (!supervisor.empty()) {
          msg += ", supervisor " + supervisor + " notified";
        }
        return msg;
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "start", "Begin work (counts as the first response)", a);
    add_note(cmd, a);
    cmd->callback([a, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        workflow::start(t, s.context(), text_arg(a->note, "-m"));
        return "in progress (" + t.get("assignee") + ")";
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "log", "Add a work-log entry: steps taken, findings, time spent", a);
    add_note(cmd, a, "What was done or found (required; '-' reads standard input)");
    cmd->add_option("--minutes", a->minutes, "Time spent, in minutes")->type_name("N");
    cmd->callback([a, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        workflow::log_work(t, s.context(), text_arg(a->note, "-m"), a->minutes);
        return a->minutes > 0 ? fmt::format("logged {} min", a->minutes) : std::string("logged");
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "pending", "Wait on the user, a vendor or a change (may pause the SLA clock)", a);
    cmd->add_option("--reason", a->reason, "awaiting-user, awaiting-vendor, awaiting-change (config)")->type_name("REASON");
    add_note(cmd, a);
    cmd->callback([a, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        workflow::set_pending(t, s.context(), a->reason, text_arg(a->note, "-m"));
        const auto& pause = s.repo.config().pause_reasons;
        const bool paused = std::find(pause.begin(), pause.end(), a->reason) != pause.end();
        return fmt::format("pending ({}){}", a->reason, paused ? ", SLA clock paused" : "");
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "resume", "Back to work after pending", a);
    add_note(cmd, a);
    cmd->callback([a, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        workflow::resume(t, s.context(), text_arg(a->note, "-m"));
        return "in progress again, resolve by " + local_time(s, t.get("resolve_due"));
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "resolve", "Record the fix after internal verification (stage 4)", a);
    cmd->add_option("--solution", a->resolve.solution, "What fixed it (required; '-' reads standard input)")
      ->type_name("TEXT");
    cmd->add_option("--verified-by", a->resolve.verified_by, "Who verified the fix internally (required)")
      ->type_name("USER");
    cmd->add_option("--verification", a->resolve.verification, "How it was verified")->type_name("TEXT");
    cmd->add_option("--cause", a->resolve.cause, "Root cause")->type_name("TEXT");
    cmd->add_option("--kb", a->resolve.kb, "Knowledge-base article that solved it")->type_name("KB-ID");
    add_note(cmd, a);
    cmd->callback([a, &g] {
      change_ticket_and(g, a->id, [&](Ticket& t, const Session& s, std::vector<std::filesystem::path>& also) {
        auto r = a->resolve;
        r.solution = text_arg(r.solution, "--solution");
        r.cause = text_arg(r.cause, "--cause");
        r.verification = text_arg(r.verification, "--verification");
        r.note = text_arg(a->note, "-m");
        if (!r.kb.empty()) {
          r.kb = kb_article_id(s, r.kb); // the article must exist (cmd_kb.cpp)
        }
        workflow::resolve(t, s.context(), r);
        if (!r.kb.empty()) {
          also.push_back(kb_record_reuse(s, r.kb, t.id())); // its reuse count rises, the ticket is linked
        }
        return (r.kb.empty() ? std::string("resolved") : "resolved with " + r.kb) + ", verified by " +
               t.get("verified_by") + "; waiting for the user's confirmation";
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "confirm", "The user confirms the fix (with a rating) or rejects it (--reject)", a);
    cmd->add_option("--rating", a->rating, "Satisfaction 1 (poor) to 5 (excellent)")->type_name("N");
    cmd->add_flag("--reject", a->reject, "The fix does not work: reopen the ticket (needs -m WHY)");
    add_note(cmd, a, "The user's comment (with --reject: why it is not fixed)");
    cmd->callback([a, cmd, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        const std::string note = text_arg(a->note, "-m");
        if (a->reject) {
          if (a->rating != 0) {
            throw UsageError("--rating goes with a confirmation, not with --reject");
          }
          workflow::reopen(t, s.context(), note);
          return fmt::format("reopened (reopen #{}); back to diagnosis", t.get("reopen_count"));
        }
        if (cmd->count("--rating") > 0 && (a->rating < 1 || a->rating > 5)) {
          throw UsageError(fmt::format("rating {} is out of range; use 1 to 5", a->rating));
        }
        workflow::confirm(t, s.context(), a->rating, note);
        return a->rating > 0 ? fmt::format("confirmed by the user, rating {}", a->rating)
                             : std::string("confirmed by the user");
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = app.add_subcommand("close", "Close a confirmed ticket, or all resolved ones past the confirmation wait (--stale)");
    cmd->add_option("id", a->id, "Ticket id or a unique part of it")->type_name("ID");
    cmd->add_flag("--stale", a->stale, "Close every resolved ticket unconfirmed for close_after_days (for cron)");
    cmd->add_flag("--kb", a->kb_capture, "Also capture a draft knowledge-base article from the ticket (stage 5)");
    add_note(cmd, a);
    cmd->callback([a, &g] {
      if (a->stale == !a->id.empty()) {
        throw UsageError("close needs a ticket id or --stale (not both)");
      }
      if (a->stale && a->kb_capture) {
        throw UsageError("--kb goes with one ticket id, not with --stale");
      }
      if (!a->stale) {
        change_ticket_and(g, a->id, [&](Ticket& t, const Session& s, std::vector<std::filesystem::path>& also) {
          const std::string note = text_arg(a->note, "-m");
          if (a->kb_capture) {
            Ticket probe = t;
            workflow::close(probe, s.context(), note); // refused before the article is written
            const auto [article, path] = kb_capture_at_close(s, t);
            also.push_back(path);
            workflow::close(t, s.context(), note);
            return "closed; draft knowledge-base article " + article + " captured";
          }
          workflow::close(t, s.context(), note);
          return std::string("closed");
        });
        return;
      }
      const Session s = open_session(g);
      std::vector<Ticket> closed;
      std::vector<std::filesystem::path> paths;
      {
        const auto lock = s.repo.lock();
        const auto ctx = s.context();
        for (const auto& ref : s.repo.tickets().scan()) {
          Ticket t;
          try {
            t = s.repo.tickets().load(ref);
          } catch (const Error& e) {
            warn(fmt::format("skipped {}", e.what()));
            continue;
          }
          if (!workflow::is_stale_resolved(t, ctx)) {
            continue;
          }
          try {
            const std::string note = a->note.empty()
                                       ? fmt::format("closed unconfirmed after {} days", s.repo.config().close_after_days)
                                       : a->note;
            workflow::close(t, ctx, note);
          } catch (const InvalidTransitionError& e) {
            warn(fmt::format("{} ({})", e.what(), e.hint()));
            continue;
          }
          s.repo.tickets().save(t, ref.path);
          paths.push_back(ref.path);
          closed.push_back(std::move(t));
        }
        commit_change(s, paths, fmt::format("close {} stale resolved ticket(s)", paths.size()));
      }
      for (const auto& t : closed) {
        out(fmt::format("{}: closed (unconfirmed for {} days)\n", t.id(), s.repo.config().close_after_days));
        run_hooks(s, t);
      }
      out(fmt::format("{} ticket(s) closed\n", closed.size()));
    });
  }
  {
    struct EditArgs {
      std::string id, note;
      std::map<std::string, std::string> values;
      std::vector<std::string> affected;
      bool clear_affected = false;
    };
    auto a = std::make_shared<EditArgs>();
    CLI::App* cmd = app.add_subcommand("edit", "Correct intake fields: title, description, reporter, ...");
    cmd->add_option("id", a->id, "Ticket id or a unique part of it")->required()->type_name("ID");
    for (const char* name : {"title", "description", "reporter", "department", "contact", "channel", "steps", "error"}) {
      cmd->add_option(std::string("--") + name, a->values[name],
                      fmt::format("New {} ('-' reads standard input)", name))
        ->type_name("TEXT");
    }
    cmd->add_option("--affected", a->affected, "Affected systems (repeatable; replaces the list)")->type_name("NAME");
    cmd->add_flag("--clear-affected", a->clear_affected, "Remove every affected system");
    cmd->add_option("-m,--message", a->note, "Note for the history")->type_name("TEXT");
    cmd->callback([a, cmd, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        workflow::EditRequest r;
        auto take = [&](const char* name, std::optional<std::string>& target) {
          if (cmd->count(std::string("--") + name) > 0) {
            target = text_arg(a->values[name], std::string("--") + name);
          }
        };
        take("title", r.title);
        take("description", r.description);
        take("reporter", r.reporter);
        take("department", r.department);
        take("contact", r.contact);
        take("channel", r.channel);
        take("steps", r.steps);
        take("error", r.error);
        if (!a->affected.empty() && a->clear_affected) {
          throw UsageError("give --affected or --clear-affected, not both");
        }
        if (!a->affected.empty() || a->clear_affected) {
          r.affected = a->affected;
        }
        r.note = text_arg(a->note, "-m");
        workflow::edit(t, s.context(), r);
        std::vector<std::string> names;
        for (const auto& [k, v] : t.events().back().set.entries) {
          names.push_back(k);
        }
        return fmt::format("edited {}", fmt::join(names, ", "));
      });
    });
  }
  {
    auto a = std::make_shared<WorkflowArgs>();
    CLI::App* cmd = ticket_command(app, "cancel", "Cancel an open ticket (duplicate, withdrawn)", a);
    cmd->add_option("--reason", a->reason, "Why (required)")->type_name("TEXT");
    cmd->callback([a, &g] {
      change_ticket(g, a->id, [&](Ticket& t, const Session& s) {
        workflow::cancel(t, s.context(), text_arg(a->reason, "--reason"));
        return std::string("cancelled");
      });
    });
  }
}

} // namespace desk::cli
