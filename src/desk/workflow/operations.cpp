#include <desk/workflow/operations.hpp>

#include <desk/model/id.hpp>
#include <desk/sla/ticket_sla.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace desk::workflow {

std::string now_text(const Context& ctx)
{
  return format_timestamp(ctx.now, find_zone(ctx.config.timezone));
}

void require_text(std::string_view value, std::string_view option, std::string_view what)
{
  if (text::trim(value).empty()) {
    throw UsageError(fmt::format("{} is required", what), fmt::format("give it with {}", option));
  }
}

void require_single_line(std::string_view value, std::string_view what)
{
  if (value.find('\n') != std::string_view::npos || value.find('\r') != std::string_view::npos) {
    throw UsageError(fmt::format("{} must be a single line", what));
  }
}

namespace {

// `have` with every item of `more` it lacks appended.
std::vector<std::string> merged_list(std::vector<std::string> have, const std::vector<std::string>& more)
{
  for (const auto& m : more) {
    if (std::find(have.begin(), have.end(), m) == have.end()) {
      have.push_back(m);
    }
  }
  return have;
}

// Store the SLA due times the ticket has now; returns the fields that changed.
Value refresh_due_times(Ticket& t, const Context& ctx)
{
  Value changed = Value::map();
  const auto status = parse_status(t.status());
  if (status && !is_unresolved(*status)) {
    return changed; // resolved, confirmed, closed, cancelled: the due times are history
  }
  const sla::TicketSla s = sla::evaluate(t, ctx.config, ctx.now);
  if (!s.applies) {
    return changed;
  }
  const auto zone = find_zone(ctx.config.timezone);
  const std::string respond = format_timestamp(s.respond.due, zone);
  const std::string resolve = format_timestamp(s.resolve.due, zone);
  if (t.get("respond_due") != respond) {
    changed.set("respond_due", Value::text(respond));
  }
  if (t.get("resolve_due") != resolve && !s.paused_now) {
    changed.set("resolve_due", Value::text(resolve));
  }
  return changed;
}

// Append an event made at `at` by the context's actor, with the due times it leads to in
// its `set` (worked out on a copy with the event applied), and stamp `updated`.
void append_event(Ticket& t, const Context& ctx, const std::string& at, std::string action, Value set,
                  const std::string& note, Value extra = Value::map())
{
  Event e = new_event(std::move(action), at, ctx.actor, std::move(set), note, std::move(extra));
  Ticket probe = t;
  probe.apply(e);
  for (auto& [k, v] : refresh_due_times(probe, ctx).entries) {
    e.set.set(k, std::move(v));
  }
  t.apply(std::move(e));
  t.set("updated", at);
}

// Check the transition, record the event with its fields, keep status, response time,
// `updated` and the due times in step. The single path every change goes through.
void record(Ticket& t, const Context& ctx, Action action, Value set, const std::string& note,
            Value extra = Value::map())
{
  const Status from = status_of(t);
  const Status to = check_transition(t.id(), from, action);
  const std::string at = now_text(ctx);
  if (to != from) {
    set.set("status", Value::text(std::string(to_string(to))));
  }
  add_implied_fields(t, action, at, set);
  append_event(t, ctx, at, std::string(to_string(action)), std::move(set), note, std::move(extra));
}

std::string fewest_open(const Team& team, const std::map<std::string, int>& load)
{
  std::string best;
  int best_load = 0;
  for (const auto& m : team.members) {
    const auto it = load.find(m);
    const int n = it == load.end() ? 0 : it->second;
    if (best.empty() || n < best_load || (n == best_load && m < best)) {
      best = m;
      best_load = n;
    }
  }
  return best;
}

const Team& require_team(const Config& config, std::string_view name)
{
  if (const Team* team = config.find_team(name)) {
    return *team;
  }
  std::vector<std::string> names;
  for (const auto& t : config.teams) {
    names.push_back(t.name);
  }
  throw NotFoundError(fmt::format("unknown team '{}'", name),
                      names.empty() ? std::string("no teams are configured; add them under 'teams:' in .desk/config.yaml")
                                    : fmt::format("configured teams: {}", fmt::join(names, ", ")));
}

void require_user(const Config& config, std::string_view user, const Team* team)
{
  if (!config.has_members()) {
    return;
  }
  if (team && !team->members.empty()) {
    if (std::find(team->members.begin(), team->members.end(), user) == team->members.end()) {
      throw NotFoundError(fmt::format("'{}' is not a member of team '{}'", user, team->name),
                          fmt::format("members: {}", fmt::join(team->members, ", ")));
    }
    return;
  }
  if (!config.is_member(user)) {
    throw NotFoundError(fmt::format("unknown user '{}': not a member of any team", user),
                        "add the user under 'teams:' in .desk/config.yaml, or check the spelling");
  }
}

const Team* team_of(const Config& config, std::string_view user)
{
  for (const auto& t : config.teams) {
    if (std::find(t.members.begin(), t.members.end(), user) != t.members.end()) {
      return &t;
    }
  }
  return nullptr;
}

bool has_skill(const Team& team, std::string_view category)
{
  return std::find(team.skills.begin(), team.skills.end(), category) != team.skills.end();
}

} // namespace

std::optional<ParseError> unknown_status(const Ticket& ticket, const std::string& path)
{
  if (parse_status(ticket.status())) {
    return std::nullopt;
  }
  const Value* where = ticket.find("status");
  return ParseError(path, where ? where->line : 0, where ? where->column : 0,
                    fmt::format("ticket {} has unknown status '{}'", ticket.id(), ticket.status()),
                    fmt::format("statuses are: {}; fix the file or run `desk doctor`",
                                fmt::join(status_names(), ", ")));
}

Status status_of(const Ticket& ticket)
{
  if (const auto s = parse_status(ticket.status())) {
    return *s;
  }
  const ParseError problem = *unknown_status(ticket, {}); // its words, without a file
  throw UsageError(problem.message(), problem.hint());
}

void add_implied_fields(const Ticket& t, Action action, const std::string& at, Value& set)
{
  const Value* status = set.find("status");
  const std::string_view after = status ? std::string_view(status->str()) : std::string_view(t.status());
  if (after != to_string(Status::pending) && !t.get("pending_reason").empty() && !set.find("pending_reason")) {
    set.set("pending_reason", Value::text(""));
  }
  if (action != Action::open && transition_for(action).counts_as_response && t.get("responded_at").empty()) {
    set.set("responded_at", Value::text(at));
  }
}

Ticket open_ticket(const Context& ctx, const OpenRequest& r)
{
  const Config& c = ctx.config;
  require_text(r.title, "--title", "a title");
  require_single_line(r.title, "the title");
  const std::string type = r.type.empty() ? c.default_type : r.type;
  Config::require_one_of("type", type, c.type_names());
  const std::string channel = r.channel.empty() ? c.default_channel : r.channel;
  Config::require_one_of("channel", channel, c.channels);
  const std::string impact = r.impact.empty() ? c.default_impact : r.impact;
  const std::string urgency = r.urgency.empty() ? c.default_urgency : r.urgency;
  const std::string priority = c.priority_for(impact, urgency);
  for (const auto& a : r.affected) {
    require_text(a, "--affected", "an affected system");
    require_single_line(a, "an affected system");
  }
  for (auto [value, what] : {std::pair{&r.reporter, "the reporter"}, std::pair{&r.department, "the department"},
                             std::pair{&r.contact, "the contact"}, std::pair{&r.dedup_key, "the dedup key"},
                             std::pair{&r.email, "the e-mail address"}}) {
    require_single_line(*value, what);
  }
  std::string occurred;
  if (!r.occurred_at.empty()) {
    const auto zone = find_zone(c.timezone);
    const Timestamp t = parse_timestamp_or_throw(r.occurred_at, zone, "--occurred-at");
    if (t > ctx.now) {
      throw UsageError(fmt::format("--occurred-at {} is in the future", r.occurred_at),
                       "give the time the problem started");
    }
    occurred = format_timestamp(t, zone);
  }
  const std::string at = now_text(ctx);

  Ticket t;
  t.set("id", ids::make_ticket_id(c.find_type(type)->prefix)); // replaced by the store
  t.set("type", type);
  t.set("status", std::string(to_string(Status::new_)));
  t.set("title", r.title);
  t.set("created", at);

  // The intake fields are the ticket's content; the open event records the fields whose
  // history matters (status, priority and what it came from, due times).
  t.set("channel", channel);
  auto put = [&](std::string_view key, const std::string& v) {
    if (!v.empty()) {
      t.set(key, v);
    }
  };
  put("reporter", r.reporter);
  put("department", r.department);
  put("contact", r.contact);
  put("email", r.email);
  if (!r.affected.empty()) {
    t.set("affected", Value::list(r.affected));
  }
  put("occurred_at", occurred);
  put("dedup_key", r.dedup_key);
  put("external_id", r.external_id);
  if (!r.related.empty()) {
    t.set("related", Value::list(r.related));
  }
  if (!r.attachments.empty()) {
    t.set("attachments", Value::list(r.attachments));
  }
  put("description", r.description);
  put("steps", r.steps);
  put("error", r.error);

  Value set = Value::map();
  set.set("status", Value::text("new"));
  set.set("priority", Value::text(priority));
  set.set("impact", Value::text(impact));
  set.set("urgency", Value::text(urgency));

  append_event(t, ctx, at, "open", std::move(set), {}, r.event_extra.is_mapping() ? r.event_extra : Value::map());
  return t;
}

void triage(Ticket& t, const Context& ctx, const TriageRequest& r)
{
  const Config& c = ctx.config;
  require_text(r.category, "--category", "a category");
  Config::require_one_of("category", r.category, c.categories);
  Value set = Value::map();
  if (r.category != t.get("category")) {
    set.set("category", Value::text(r.category));
  }
  if (!r.type.empty()) {
    Config::require_one_of("type", r.type, c.type_names());
    if (r.type != t.get("type")) {
      set.set("type", Value::text(r.type));
    }
  }
  const std::string impact = r.impact.empty() ? t.get("impact") : r.impact;
  const std::string urgency = r.urgency.empty() ? t.get("urgency") : r.urgency;
  if (impact != t.get("impact")) {
    set.set("impact", Value::text(impact));
  }
  if (urgency != t.get("urgency")) {
    set.set("urgency", Value::text(urgency));
  }
  std::string priority = c.priority_for(impact, urgency);
  std::string reason;
  if (r.priority.empty() && impact == t.get("impact") && urgency == t.get("urgency") &&
      !t.get("priority_reason").empty()) {
    // Nothing the matrix reads changed: an earlier override stands.
    priority = t.get("priority");
    reason = t.get("priority_reason");
  }
  if (!r.priority.empty()) {
    Config::require_one_of("priority", r.priority, c.priorities);
    if (text::trim(r.reason).empty()) {
      throw UsageError(fmt::format("overriding the matrix (it gives {}) needs a reason", priority),
                       "add --reason TEXT");
    }
    if (r.priority != priority) {
      priority = r.priority;
      reason = r.reason;
    }
  } else if (!r.reason.empty()) {
    throw UsageError("--reason goes with --priority", "give --priority P to override the matrix");
  }
  if (priority != t.get("priority")) {
    set.set("priority", Value::text(priority));
  }
  if (reason != t.get("priority_reason")) {
    set.set("priority_reason", Value::text(reason));
  }
  record(t, ctx, Action::triage, std::move(set), r.note);
}

void assign(Ticket& t, const Context& ctx, const AssignRequest& r, const std::map<std::string, int>& load)
{
  const Config& c = ctx.config;
  const int modes = (!r.user.empty() || !r.team.empty() ? 1 : 0) + (r.automatic ? 1 : 0);
  if (modes != 1) {
    throw UsageError("assign needs --to USER, --team TEAM, or --auto (and not --auto with the others)");
  }
  std::string user = r.user;
  const Team* team = nullptr;
  std::string why;
  if (r.automatic) {
    const std::string& category = t.get("category");
    const auto affected = t.get_list("affected");
    const int current_tier = std::max(1, std::atoi(t.get("tier").c_str()));
    for (const auto& rule : c.rules) {
      const Team* rule_team = c.find_team(rule.team);
      if (!rule_team || rule_team->tier < current_tier) {
        continue; // an escalated ticket is not handed back down
      }
      const bool match = (rule.category.empty() || rule.category == category) &&
                         (rule.type.empty() || rule.type == t.get("type")) &&
                         (rule.affected.empty() ||
                          std::find(affected.begin(), affected.end(), rule.affected) != affected.end());
      if (match) {
        team = c.find_team(rule.team);
        why = fmt::format("rule {}{}{}→ {}", rule.category.empty() ? "" : "category=" + rule.category + " ",
                          rule.type.empty() ? "" : "type=" + rule.type + " ",
                          rule.affected.empty() ? "" : "affected=" + rule.affected + " ", rule.team);
        break;
      }
    }
    if (!team && !category.empty()) {
      const int tier = std::max(1, std::atoi(t.get("tier").c_str()));
      for (const auto& candidate : c.teams) {
        if (has_skill(candidate, category) && candidate.tier >= tier &&
            (!team || candidate.tier < team->tier)) {
          team = &candidate;
        }
      }
      if (team) {
        why = fmt::format("team {} (tier {}) has skill {}", team->name, team->tier, category);
      }
    }
    if (!team) {
      throw UsageError(category.empty() ? std::string("cannot assign automatically: the ticket has no category")
                                        : fmt::format("no assignment rule or team skill matches category '{}'", category),
                       category.empty() ? std::string("triage it first: desk triage ID --category C")
                                        : std::string("add a rule or a team skill in .desk/config.yaml, or use --to/--team"));
    }
    user = fewest_open(*team, load);
    if (!user.empty()) {
      const auto it = load.find(user);
      why += fmt::format("; {} has the fewest open tickets ({})", user, it == load.end() ? 0 : it->second);
    } else {
      why += "; the team has no members listed";
    }
  } else {
    if (!r.team.empty()) {
      team = &require_team(c, r.team);
    }
    if (!user.empty()) {
      require_single_line(user, "the assignee");
      require_user(c, user, team);
      if (!team) {
        team = team_of(c, user);
      }
    }
  }
  Value set = Value::map();
  if (user != t.get("assignee")) {
    set.set("assignee", Value::text(user));
  }
  const std::string team_name = team ? team->name : std::string();
  if (team_name != t.get("team")) {
    set.set("team", Value::text(team_name));
  }
  if (team && std::to_string(team->tier) != t.get("tier")) {
    set.set("tier", Value::number(team->tier));
  }
  std::string lead = r.lead_team;
  if (!lead.empty()) {
    require_team(c, lead);
  } else if (!r.collaborators.empty() || !t.get("lead_team").empty()) {
    lead = t.get("lead_team").empty() ? team_name : t.get("lead_team");
  }
  if (!lead.empty() && lead != t.get("lead_team")) {
    set.set("lead_team", Value::text(lead));
  }
  if (!r.collaborators.empty()) {
    std::vector<std::string> collaborators = t.get_list("collaborators");
    for (const auto& name : r.collaborators) {
      require_team(c, name);
      if (name == lead) {
        throw UsageError(fmt::format("team '{}' cannot be both the lead and a collaborator", name));
      }
      if (std::find(collaborators.begin(), collaborators.end(), name) == collaborators.end()) {
        collaborators.push_back(name);
      }
    }
    set.set("collaborators", Value::list(collaborators));
  }
  std::string note = r.note;
  if (!why.empty()) {
    note = note.empty() ? "auto: " + why : note + "\nauto: " + why;
  }
  record(t, ctx, Action::assign, std::move(set), note);
}

std::string escalate(Ticket& t, const Context& ctx, const EscalateRequest& r, const std::map<std::string, int>& load)
{
  const Config& c = ctx.config;
  require_text(r.reason, "--reason", "a reason for the escalation");
  status_of(t); // unknown status is reported before anything else
  check_transition(t.id(), status_of(t), Action::escalate);
  const int current_tier = std::max(1, std::atoi(t.get("tier").c_str()));
  Value set = Value::map();
  Value extra = Value::map();
  const Team* team = nullptr;
  std::string user = r.user;
  std::string summary;
  if (!r.vendor.empty()) {
    if (r.tier != 0) {
      throw UsageError("give either --tier or --vendor, not both");
    }
    require_single_line(r.vendor, "the vendor");
    if (!c.vendors.empty() && !c.find_vendor(r.vendor)) { // while none are listed, any name is recorded
      std::vector<std::string> names;
      for (const auto& v : c.vendors) {
        names.push_back(v.name);
      }
      throw NotFoundError(fmt::format("unknown vendor '{}'", r.vendor),
                          fmt::format("configured vendors: {}", fmt::join(names, ", ")));
    }
    if (r.vendor == t.get("vendor")) {
      throw UsageError(fmt::format("{} is already with vendor {}", t.id(), r.vendor));
    }
    set.set("vendor", Value::text(r.vendor));
    summary = "vendor " + r.vendor;
  } else {
    if (r.tier != 2 && r.tier != 3) {
      throw UsageError("escalate needs --tier 2, --tier 3 or --vendor NAME");
    }
    if (r.tier <= current_tier) {
      throw UsageError(fmt::format("{} is already at tier {}; escalation goes up", t.id(), current_tier),
                       current_tier < 3 ? fmt::format("use --tier {} or --vendor NAME", current_tier + 1)
                                        : std::string("use --vendor NAME"));
    }
    set.set("tier", Value::number(r.tier));
    summary = fmt::format("tier {}", r.tier);
  }
  if (!r.team.empty()) {
    team = &require_team(c, r.team);
    if (r.vendor.empty() && team->tier != r.tier) {
      throw UsageError(fmt::format("team '{}' is tier {}, not tier {}", team->name, team->tier, r.tier));
    }
  } else if (r.vendor.empty()) {
    // The tier's team that has the ticket's skill, else the only team of that tier.
    std::vector<const Team*> of_tier;
    for (const auto& candidate : c.teams) {
      if (candidate.tier == r.tier) {
        of_tier.push_back(&candidate);
      }
    }
    for (const Team* candidate : of_tier) {
      if (has_skill(*candidate, t.get("category"))) {
        team = candidate;
        break;
      }
    }
    if (!team && of_tier.size() == 1) {
      team = of_tier.front();
    }
  }
  if (!user.empty()) {
    require_user(c, user, team);
    if (!team) {
      team = team_of(c, user);
    }
  } else if (team) {
    user = fewest_open(*team, load);
  }
  if (r.vendor.empty() || team || !user.empty()) {
    const std::string team_name = team ? team->name : std::string();
    if (team_name != t.get("team")) {
      set.set("team", Value::text(team_name));
    }
    if (user != t.get("assignee")) {
      set.set("assignee", Value::text(user));
    }
  }
  if (team) {
    summary += " (" + team->name + ")";
  }
  std::string supervisor;
  if (r.notify) {
    const Team* notified = team ? team : c.find_team(t.get("team"));
    if (!notified || notified->supervisor.empty()) {
      throw UsageError("--notify needs a team with a supervisor",
                       "set 'supervisor:' for the team in .desk/config.yaml");
    }
    supervisor = notified->supervisor;
    extra.set("notify", Value::text(supervisor));
  }
  extra.set("escalation", Value::text(summary));
  record(t, ctx, Action::escalate, std::move(set), r.reason, std::move(extra));
  return supervisor;
}

void start(Ticket& t, const Context& ctx, const std::string& note)
{
  Value set = Value::map();
  if (t.get("assignee").empty()) {
    set.set("assignee", Value::text(ctx.actor));
  }
  record(t, ctx, Action::start, std::move(set), note);
}

void log_work(Ticket& t, const Context& ctx, const std::string& note, int minutes)
{
  require_text(note, "-m TEXT", "a work-log text");
  if (minutes < 0 || minutes > 24 * 60 * 7) {
    throw UsageError(fmt::format("--minutes {} is out of range (0 to {})", minutes, 24 * 60 * 7));
  }
  Value extra = Value::map();
  if (minutes > 0) {
    extra.set("minutes", Value::number(minutes));
  }
  record(t, ctx, Action::log, Value::map(), note, std::move(extra));
}

void set_pending(Ticket& t, const Context& ctx, const std::string& reason, const std::string& note)
{
  require_text(reason, "--reason", "a pending reason");
  Config::require_one_of("pending reason", reason, ctx.config.pending_reasons);
  Value set = Value::map();
  set.set("pending_reason", Value::text(reason));
  record(t, ctx, Action::pending, std::move(set), note);
}

void resume(Ticket& t, const Context& ctx, const std::string& note)
{
  record(t, ctx, Action::resume, Value::map(), note);
}

void resolve(Ticket& t, const Context& ctx, const ResolveRequest& r)
{
  require_text(r.solution, "--solution", "a solution");
  require_text(r.verified_by, "--verified-by", "an internal verification (who checked the fix)");
  require_single_line(r.verified_by, "--verified-by");
  require_user(ctx.config, r.verified_by, nullptr);
  Value set = Value::map();
  set.set("solution", Value::text(r.solution));
  set.set("verified_by", Value::text(r.verified_by));
  if (!r.cause.empty()) {
    set.set("cause", Value::text(r.cause));
  }
  if (!r.verification.empty()) {
    set.set("verification", Value::text(r.verification));
  }
  if (!r.kb.empty()) {
    std::vector<std::string> kb = t.get_list("kb");
    if (std::find(kb.begin(), kb.end(), r.kb) == kb.end()) {
      kb.push_back(r.kb);
    }
    set.set("kb", Value::list(kb));
  }
  set.set("resolved_at", Value::text(now_text(ctx)));
  if (t.get("assignee").empty()) {
    set.set("assignee", Value::text(ctx.actor));
  }
  record(t, ctx, Action::resolve, std::move(set), r.note);
}

void confirm(Ticket& t, const Context& ctx, std::optional<int> rating, const std::string& note)
{
  if (rating && (*rating < k_rating_min || *rating > k_rating_max)) {
    throw UsageError(fmt::format("rating {} is out of range; use {} to {}", *rating, k_rating_min, k_rating_max));
  }
  Value set = Value::map();
  set.set("confirmed_at", Value::text(now_text(ctx)));
  if (rating) {
    set.set("rating", Value::number(*rating));
  }
  record(t, ctx, Action::confirm, std::move(set), note);
}

void reopen(Ticket& t, const Context& ctx, const std::string& why)
{
  require_text(why, "-m WHY", "the reason the fix does not work");
  Value set = Value::map();
  set.set("reopen_count", Value::number(std::atoi(t.get("reopen_count").c_str()) + 1));
  set.set("resolved_at", Value::text(""));
  record(t, ctx, Action::reopen, std::move(set), why);
}

bool is_stale_resolved(const Ticket& t, const Context& ctx)
{
  if (t.status() != "resolved") {
    return false;
  }
  const auto resolved = parse_timestamp(t.get("resolved_at"), nullptr);
  return resolved && ctx.now >= *resolved + std::chrono::days(ctx.config.close_after_days);
}

void close(Ticket& t, const Context& ctx, const std::string& note)
{
  const Status from = status_of(t);
  check_transition(t.id(), from, Action::close);
  if (from == Status::resolved && !is_stale_resolved(t, ctx)) {
    const auto resolved = parse_timestamp(t.get("resolved_at"), nullptr);
    const std::string when =
      resolved ? format_local_minutes(*resolved + std::chrono::days(ctx.config.close_after_days),
                                      find_zone(ctx.config.timezone))
               : std::string("later");
    throw InvalidTransitionError(
      fmt::format("cannot close {}: it is resolved but not confirmed by the user", t.id()),
      fmt::format("record the confirmation with `desk confirm {}`, or close it unconfirmed after {} days (from {})",
                  t.id(), ctx.config.close_after_days, when));
  }
  std::vector<std::string> missing;
  for (const char* field : {"category", "priority", "solution"}) {
    if (t.get(field).empty()) {
      missing.emplace_back(field);
    }
  }
  if (!missing.empty()) {
    throw InvalidTransitionError(
      fmt::format("cannot close {}: the record is incomplete, it has no {}", t.id(), fmt::join(missing, ", ")),
      "complete it first (desk triage ID --category C sets the category)");
  }
  Value set = Value::map();
  set.set("closed_at", Value::text(now_text(ctx)));
  record(t, ctx, Action::close, std::move(set), note);
}

void edit(Ticket& t, const Context& ctx, const EditRequest& r)
{
  Value set = Value::map();
  auto field = [&](std::string_view name, const std::optional<std::string>& v, bool single_line) {
    if (!v) {
      return;
    }
    if (single_line) {
      require_single_line(*v, name);
    }
    if (*v != t.get(name)) {
      set.set(name, Value::text(*v));
    }
  };
  if (r.title) {
    require_text(*r.title, "--title", "a title");
  }
  if (r.channel) {
    Config::require_one_of("channel", *r.channel, ctx.config.channels);
  }
  field("title", r.title, true);
  field("reporter", r.reporter, true);
  field("department", r.department, true);
  field("contact", r.contact, true);
  field("email", r.email, true);
  field("channel", r.channel, true);
  field("description", r.description, false);
  field("steps", r.steps, false);
  field("error", r.error, false);
  if (r.affected && *r.affected != t.get_list("affected")) {
    for (const auto& a : *r.affected) {
      require_text(a, "--affected", "an affected system");
      require_single_line(a, "an affected system");
    }
    set.set("affected", r.affected->empty() ? Value::text("") : Value::list(*r.affected));
  }
  if (set.entries.empty()) {
    throw UsageError(fmt::format("nothing to change in {}", t.id()),
                     "give the fields to correct, e.g. --title TEXT; values equal to the current ones change nothing");
  }
  record(t, ctx, Action::edit, std::move(set), r.note);
}

void cancel(Ticket& t, const Context& ctx, const std::string& reason)
{
  require_text(reason, "--reason", "a reason for cancelling");
  Value set = Value::map();
  set.set("closed_at", Value::text(now_text(ctx)));
  record(t, ctx, Action::cancel, std::move(set), reason);
}

void reply(Ticket& t, const Context& ctx, const std::string& text, const std::string& eta,
           const std::vector<std::string>& attachments)
{
  require_text(text, "-m", "the text of the reply");
  Value set = Value::map();
  if (!eta.empty()) {
    const auto zone = find_zone(ctx.config.timezone);
    const Timestamp when = parse_timestamp_or_throw(eta, zone, "--eta");
    if (when < ctx.now) {
      throw UsageError(fmt::format("--eta {} is in the past", eta), "give the time the requester can expect the fix");
    }
    set.set("eta", Value::text(format_timestamp(when, zone)));
  }
  Value extra = Value::map();
  if (!attachments.empty()) {
    set.set("attachments", Value::list(merged_list(t.get_list("attachments"), attachments)));
    extra.set("files", Value::list(attachments));
  }
  record(t, ctx, Action::reply, std::move(set), text, std::move(extra));
}

void message(Ticket& t, const Context& ctx, const std::string& text, const std::vector<std::string>& attachments,
             Value extra)
{
  if (text::trim(text).empty() && attachments.empty()) {
    throw UsageError("the message is empty", "write some text or attach a file");
  }
  if (!extra.is_mapping()) {
    extra = Value::map();
  }
  Value set = Value::map();
  if (!attachments.empty()) {
    set.set("attachments", Value::list(merged_list(t.get_list("attachments"), attachments)));
    extra.set("files", Value::list(attachments));
  }
  record(t, ctx, Action::message, std::move(set), text, std::move(extra));
}

bool is_public(std::string_view action)
{
  const auto a = parse_action(action);
  if (!a) {
    return false;
  }
  switch (*a) {
  case Action::log:
  case Action::notice:
  case Action::notified:
  case Action::triage:
  case Action::assign:
  case Action::escalate:
    return false; // internal work: classification, routing and notes are staff's
  default:
    return true;
  }
}

void notice(Ticket& t, const Context& ctx, const std::string& kind, const std::string& target)
{
  Value extra = Value::map();
  extra.set("sla", Value::text(kind + " " + target));
  record(t, ctx, Action::notice, Value::map(), {}, std::move(extra));
}

void notified(Ticket& t, const Context& ctx, Value extra)
{
  const std::string updated = t.get("updated");
  record(t, ctx, Action::notified, Value::map(), {}, std::move(extra));
  t.set("updated", updated); // a mail about the ticket is not a change to it
}

bool has_notice(const Ticket& t, const std::string& kind, const std::string& target)
{
  const std::string wanted = kind + " " + target;
  for (const auto& e : t.events()) {
    if (e.action == "notice") {
      if (const Value* v = e.extra.find("sla"); v && v->str() == wanted) {
        return true;
      }
    }
  }
  return false;
}

} // namespace desk::workflow
