#include "cli/commands.hpp"

#include "cli/table.hpp"

#include <desk/model/json.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

namespace desk::cli {

namespace {

struct SlaArgs {
  bool at_risk = false;
  bool breached = false;
  bool notify = false;
  std::string format = "table";
};

struct Row {
  Ticket ticket;
  sla::TicketSla sla;
};

// How an open ticket is listed: breached when either target is overdue (a missed
// response included), at risk when either is past the warning share, else ok.
sla::TargetState worst(const sla::TicketSla& s)
{
  auto is = [&](sla::TargetState state) { return s.respond.state == state || s.resolve.state == state; };
  if (is(sla::TargetState::breached) || is(sla::TargetState::missed)) {
    return sla::TargetState::breached;
  }
  if (is(sla::TargetState::at_risk)) {
    return sla::TargetState::at_risk;
  }
  return sla::TargetState::ok;
}

std::string left_text(const Invocation& s, const sla::TargetStatus& t)
{
  if (t.state == sla::TargetState::met) {
    return "met";
  }
  if (t.state == sla::TargetState::missed) {
    return "missed";
  }
  const auto d = std::chrono::duration_cast<std::chrono::seconds>(t.due - s.now);
  return d.count() >= 0 ? format_duration(d) : format_duration(-d) + " over";
}

nlohmann::ordered_json target_json(const Invocation& s, const sla::TargetStatus& t)
{
  nlohmann::ordered_json j;
  j["due"] = format_timestamp(t.due, s.zone());
  j["state"] = sla::to_string(t.state);
  j["seconds_left"] = std::chrono::duration_cast<std::chrono::seconds>(t.due - s.now).count();
  j["used"] = t.fraction();
  if (t.done) {
    j["done"] = format_timestamp(*t.done, s.zone());
  }
  return j;
}

} // namespace

void register_sla(CLI::App& app, Globals& g)
{
  auto a = std::make_shared<SlaArgs>();
  CLI::App* cmd = app.add_subcommand(
    "sla", "Open tickets against their respond/resolve targets; exit 1 when any is breached (for cron)");
  cmd->add_flag("--at-risk", a->at_risk, "Only tickets past the warning share of a target (and breached ones)");
  cmd->add_flag("--breached", a->breached, "Only breached tickets");
  cmd->add_flag("--notify", a->notify,
                "Run the sla-warning / sla-breach hooks once per ticket and target, recording that they ran");
  cmd->add_option("--format", a->format, "Output: table or json")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    std::vector<storage::LoadProblem> problems;
    std::vector<Row> rows;
    bool any_breached = false;
    storage::Selection open_only;
    open_only.keep_brief = [](const TicketBrief& brief) { return workflow::is_unresolved_status(brief.status); };
    // A row keeps what the table and json show; --notify also the events (earlier notices).
    storage::Selection shown;
    shown.events = a->notify;
    shown.fields = {"title", "status", "priority", "assignee"};
    s.repo.tickets().for_each(problems, open_only, [&](Ticket&& t, std::string_view) {
      sla::TicketSla e = sla::evaluate(t, s.repo.config(), s.now);
      if (!e.applies) {
        return;
      }
      const auto w = worst(e);
      any_breached = any_breached || w == sla::TargetState::breached;
      if (a->breached && w != sla::TargetState::breached) {
        return;
      }
      if (a->at_risk && w != sla::TargetState::breached && w != sla::TargetState::at_risk) {
        return;
      }
      rows.push_back({storage::shape_selected(std::move(t), shown), std::move(e)});
    });
    for (const auto& p : problems) {
      warn(fmt::format("skipped {}", p.message));
    }
    std::sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) {
      const auto dx = x.sla.respond.done ? x.sla.resolve.due : std::min(x.sla.respond.due, x.sla.resolve.due);
      const auto dy = y.sla.respond.done ? y.sla.resolve.due : std::min(y.sla.respond.due, y.sla.resolve.due);
      return dx != dy ? dx < dy : x.ticket.id() < y.ticket.id();
    });
    if (a->notify) {
      std::vector<std::string> ids;
      for (const auto& row : rows) {
        ids.push_back(row.ticket.id());
      }
      auto noticed = ops::announce_sla(s.repo, s.call(), ids);
      for (auto& fresh : noticed.noticed) {
        for (auto& row : rows) {
          if (row.ticket.id() == fresh.id()) {
            row.ticket = std::move(fresh);
            break;
          }
        }
      }
      warn_all(noticed.warnings);
    }
    if (a->format == "json") {
      auto arr = nlohmann::ordered_json::array();
      for (const auto& row : rows) {
        nlohmann::ordered_json j;
        j["id"] = row.ticket.id();
        j["title"] = row.ticket.get("title");
        j["status"] = row.ticket.status();
        j["priority"] = row.ticket.get("priority");
        j["assignee"] = row.ticket.get("assignee");
        j["state"] = sla::to_string(worst(row.sla));
        j["respond"] = target_json(s, row.sla.respond);
        j["resolve"] = target_json(s, row.sla.resolve);
        j["paused_seconds"] = row.sla.paused.count();
        j["paused_now"] = row.sla.paused_now;
        arr.push_back(std::move(j));
      }
      out(arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    } else if (rows.empty()) {
      out(a->breached || a->at_risk ? "No tickets at risk or breached.\n" : "No open tickets with SLA targets.\n");
    } else {
      Table table({{"ID"}, {"PRI"}, {"STATE"}, {"RESPOND BY"}, {"LEFT", true}, {"RESOLVE BY"}, {"LEFT", true},
                   {"PAUSED", true}, {"ASSIGNEE"}, {"TITLE", false, 50}});
      for (const auto& row : rows) {
        table.add_row({row.ticket.id(), row.ticket.get("priority"), std::string(sla::to_string(worst(row.sla))),
                       format_local_minutes(row.sla.respond.due, s.zone()), left_text(s, row.sla.respond),
                       format_local_minutes(row.sla.resolve.due, s.zone()), left_text(s, row.sla.resolve),
                       row.sla.paused_now ? "paused" : (row.sla.paused.count() ? format_duration(row.sla.paused) : ""),
                       row.ticket.get("assignee"), row.ticket.get("title")});
      }
      if (use_color(g)) {
        std::vector<sla::TargetState> states;
        for (const auto& row : rows) {
          states.push_back(worst(row.sla));
        }
        table.style_cell = [states](std::size_t r, std::size_t col, const std::string& txt) {
          if (col != 2) {
            return txt;
          }
          return states[r] == sla::TargetState::breached  ? paint(true, "31;1", txt)
                 : states[r] == sla::TargetState::at_risk ? paint(true, "33", txt)
                                                           : txt;
        };
      }
      out(table.render());
    }
    if (any_breached) {
      command_exit_code() = static_cast<int>(ExitCode::failure);
    }
  });
}

} // namespace desk::cli
