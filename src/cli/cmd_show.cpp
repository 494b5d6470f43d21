#include "cli/commands.hpp"

#include <desk/model/json.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

namespace desk::cli {

namespace {

struct ShowArgs {
  std::string id;
  std::string format = "text";
};

std::string indent_block(std::string_view body, std::string_view pad)
{
  std::string out;
  for (const auto& line : text::split(text::visible(body, true), '\n')) {
    out += std::string(pad) + line + "\n";
  }
  return out;
}

std::string describe_target(const Invocation& s, const sla::TargetStatus& t)
{
  const std::string due = format_local_minutes(t.due, s.zone());
  switch (t.state) {
  case sla::TargetState::met:
    return fmt::format("{}  met", due);
  case sla::TargetState::missed:
    return fmt::format("{}  missed", due);
  case sla::TargetState::breached:
    return fmt::format("{}  breached, {} over", due, format_duration(std::chrono::duration_cast<std::chrono::seconds>(s.now - t.due)));
  case sla::TargetState::at_risk:
  case sla::TargetState::ok:
    return fmt::format("{}  {} left{}", due,
                       format_duration(std::chrono::duration_cast<std::chrono::seconds>(t.due - s.now)),
                       t.state == sla::TargetState::at_risk ? " (at risk)" : "");
  }
  return due;
}

std::string render_text(const Invocation& s, const Ticket& t, bool color)
{
  std::string o;
  o += paint(color, "1", fmt::format("{}  {}", t.id(), text::visible(t.get("title")))) + "\n";
  std::vector<std::pair<std::string, std::string>> rows;
  auto row = [&](std::string label, std::string value) {
    if (!value.empty()) {
      rows.emplace_back(text::visible(label), text::visible(text::one_line(value)));
    }
  };
  std::string status = t.status();
  if (!t.get("pending_reason").empty()) {
    status += " (" + t.get("pending_reason") + ")";
  }
  row("status", status);
  std::string priority = t.get("priority");
  if (!t.get("impact").empty()) {
    priority += fmt::format("  impact {} × urgency {}", t.get("impact"), t.get("urgency"));
  }
  if (!t.get("priority_reason").empty()) {
    priority += fmt::format("  (override: {})", t.get("priority_reason"));
  }
  row("priority", priority);
  row("type", t.get("type"));
  row("category", t.get("category"));
  row("channel", t.get("channel"));
  std::string reporter = t.get("reporter");
  std::vector<std::string> extra;
  for (const char* f : {"department", "contact"}) {
    if (!t.get(f).empty()) {
      extra.push_back(t.get(f));
    }
  }
  if (!extra.empty()) {
    reporter += (reporter.empty() ? "" : " ") + fmt::format("({})", fmt::join(extra, ", "));
  }
  row("reporter", reporter);
  row("email", t.get("email"));
  row("affected", fmt::format("{}", fmt::join(t.get_list("affected"), ", ")));
  row("team", t.get("team"));
  row("assignee", t.get("assignee"));
  row("tier", t.get("tier"));
  row("vendor", t.get("vendor"));
  row("lead team", t.get("lead_team"));
  row("collaborators", fmt::format("{}", fmt::join(t.get_list("collaborators"), ", ")));
  row("occurred", local_time(s, t.get("occurred_at")));
  row("created", local_time(s, t.get("created")));
  row("updated", local_time(s, t.get("updated")));
  const sla::TicketSla sla = sla::evaluate(t, s.repo.config(), s.now);
  const auto st = workflow::parse_status(t.status());
  if (sla.applies && st && !workflow::is_final(*st)) {
    row("respond by", describe_target(s, sla.respond));
    row("resolve by", describe_target(s, sla.resolve));
    if (sla.paused.count() > 0 || sla.paused_now) {
      row("sla paused", format_duration(sla.paused) + (sla.paused_now ? " (paused now)" : ""));
    }
  }
  row("expected", local_time(s, t.get("eta")));
  row("related", fmt::format("{}", fmt::join(t.get_list("related"), ", ")));
  row("responded", local_time(s, t.get("responded_at")));
  row("resolved", local_time(s, t.get("resolved_at")));
  row("verified by", t.get("verified_by"));
  row("confirmed", local_time(s, t.get("confirmed_at")));
  row("rating", t.get("rating"));
  row("closed", local_time(s, t.get("closed_at")));
  row("reopened", t.get("reopen_count").empty() || t.get("reopen_count") == "0" ? "" : t.get("reopen_count") + " times");
  row("dedup key", t.get("dedup_key"));
  row("external id", t.get("external_id"));
  row("kb", fmt::format("{}", fmt::join(t.get_list("kb"), ", ")));
  row("attachments", fmt::format("{}", fmt::join(t.get_list("attachments"), ", ")));
  // Unknown keys people added by hand are shown too.
  for (const auto& [k, v] : t.fields().entries) {
    if (!find_field(k)) {
      row(k, v.is_scalar() ? v.scalar : fmt::format("{}", fmt::join(v.strings(), ", ")));
    }
  }
  std::size_t width = 0;
  for (const auto& [label, value] : rows) {
    width = std::max(width, text::display_width(label));
  }
  for (const auto& [label, value] : rows) {
    o += "  " + paint(color, "2", text::pad_to_width(label, width)) + "  " + value + "\n";
  }
  for (const auto& [field, title] : {std::pair{"description", "Description"}, std::pair{"steps", "Steps"},
                                     std::pair{"error", "Error"}, std::pair{"cause", "Cause"},
                                     std::pair{"solution", "Solution"}, std::pair{"verification", "Verification"}}) {
    if (!t.get(field).empty()) {
      o += "\n" + paint(color, "1", title) + "\n" + indent_block(t.get(field), "  ");
    }
  }
  o += "\n" + paint(color, "1", "History") + "\n";
  std::size_t by_width = 0;
  std::size_t action_width = 0;
  for (const auto& e : t.events()) {
    by_width = std::max(by_width, text::display_width(text::visible(e.by)));
    action_width = std::max(action_width, text::display_width(text::visible(e.action)));
  }
  for (const auto& e : t.events()) {
    std::vector<std::string> changes;
    for (const auto& [k, v] : e.set.entries) {
      if (k == "respond_due" || k == "resolve_due" || k == "responded_at" || k == "updated") {
        continue;
      }
      const FieldSpec* spec = find_field(k);
      if (spec && spec->kind == FieldKind::multiline) {
        continue; // shown in full above
      }
      std::string value = v.is_sequence() ? fmt::format("{}", fmt::join(v.strings(), ", ")) : v.str();
      if (spec && spec->kind == FieldKind::timestamp) {
        continue;
      }
      changes.push_back(fmt::format("{}={}", text::visible(k),
                                    value.empty() ? "∅" : text::truncate_to_width(text::visible(text::one_line(value)), 40)));
    }
    for (const auto& [k, v] : e.extra.entries) {
      changes.push_back(fmt::format("{}={}", text::visible(k), v.is_scalar() ? text::visible(text::one_line(v.scalar)) : "…"));
    }
    // Who reads it: what was written to or by the requester, and the staff's own notes.
    const std::string audience = e.action == "reply"     ? "[to the requester] "
                                 : e.action == "message" ? "[from the requester] "
                                 : e.action == "log"     ? "[internal] "
                                                         : "";
    o += fmt::format("  {}  {}  {}  {}{}\n", text::visible(local_time(s, e.at)), text::pad_to_width(text::visible(e.by), by_width),
                     paint(color, "36", text::pad_to_width(text::visible(e.action), action_width)), audience,
                     text::one_line(fmt::format("{}", fmt::join(changes, ", "))));
    if (!e.note.empty()) {
      o += indent_block(e.note, std::string(4 + 16 + 2 + by_width + 2, ' '));
    }
  }
  // No trailing spaces on any line.
  std::string clean;
  for (const auto& line : text::split(o, '\n')) {
    std::string l = line;
    while (!l.empty() && l.back() == ' ') {
      l.pop_back();
    }
    clean += l + "\n";
  }
  clean.pop_back();
  return clean;
}

} // namespace

void register_show(CLI::App& app, Globals& g)
{
  auto a = std::make_shared<ShowArgs>();
  CLI::App* cmd = app.add_subcommand("show", "Show one ticket with its history");
  cmd->add_option("id", a->id, "Ticket id or a unique part of it")->required()->type_name("ID");
  cmd->add_option("--format", a->format, "Output: text (for people), json or yaml (the file)")
    ->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    const auto ref = s.repo.tickets().resolve(a->id);
    if (a->format == "yaml") {
      s.repo.tickets().load(ref); // validates before printing
      out(storage::read_text_file(ref.path));
      return;
    }
    const Ticket t = s.repo.tickets().load(ref);
    if (auto problem = workflow::unknown_status(t, ref.path.string())) {
      warn(problem->what());
    }
    if (a->format == "json") {
      out(ticket_to_json(t, true).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    } else {
      out(render_text(s, t, use_color(g)));
    }
  });
}

} // namespace desk::cli
