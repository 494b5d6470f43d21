#include <desk/import/servicenow.hpp>

#include <desk/import/history.hpp>
#include <desk/import/importer.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>
#include <desk/util/time.hpp>
#include <desk/util/time_zone.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <unordered_map>

namespace desk::import {

const std::vector<StateMapping>& servicenow_states()
{
  // The log's states, then the ones of current ServiceNow releases.
  static const std::vector<StateMapping> k_states = {
    {"New", "new", ""},
    {"Active", "in_progress", ""},
    {"Awaiting User Info", "pending", "awaiting-user"},
    {"Awaiting Vendor", "pending", "awaiting-vendor"},
    {"Awaiting Problem", "pending", "awaiting-problem"},
    {"Awaiting Evidence", "pending", "awaiting-evidence"},
    {"Resolved", "resolved", ""},
    {"Closed", "closed", ""},
    {"-100", "", ""}, // an internal state shown as a number; the status stays as it was
    {"In Progress", "in_progress", ""},
    {"On Hold", "pending", "awaiting-user"},
    {"Canceled", "cancelled", ""},
    {"Cancelled", "cancelled", ""},
  };
  return k_states;
}

const std::vector<LabelMapping>& servicenow_impacts()
{
  // With these two tables desk's default matrix gives ServiceNow's default priorities.
  static const std::vector<LabelMapping> k_impacts = {
    {"1 - High", "core-business"},
    {"2 - Medium", "department"},
    {"3 - Low", "individual"},
  };
  return k_impacts;
}

const std::vector<LabelMapping>& servicenow_urgencies()
{
  static const std::vector<LabelMapping> k_urgencies = {
    {"1 - High", "high"},
    {"2 - Medium", "medium"},
    {"3 - Low", "low"},
  };
  return k_urgencies;
}

const std::vector<LabelMapping>& servicenow_priorities()
{
  static const std::vector<LabelMapping> k_priorities = {
    {"1 - Critical", "P1"}, {"2 - High", "P2"}, {"3 - Moderate", "P3"}, {"4 - Low", "P4"}, {"5 - Planning", "P4"},
  };
  return k_priorities;
}

const std::vector<LabelMapping>& servicenow_channels()
{
  static const std::vector<LabelMapping> k_channels = {
    {"Phone", "phone"},          {"IVR", "phone"},           {"Email", "email"},
    {"Self service", "portal"},  {"Self-service", "portal"}, {"Web", "portal"},
    {"Direct opening", "walk-in"}, {"Walk-in", "walk-in"},   {"Chat", "im"},
    {"Virtual Agent", "im"},
  };
  return k_channels;
}

const std::vector<std::string>& servicenow_managed_fields()
{
  static const std::vector<std::string> k_fields = {
    "id", "type", "status", "pending_reason", "priority", "priority_reason", "impact", "urgency", "title",
    "category", "channel", "reporter", "affected", "team", "assignee", "created", "updated", "responded_at",
    "respond_due", "resolve_due", "resolved_at", "closed_at", "reopen_count", "external_id", "servicenow"};
  return k_fields;
}

namespace {

const StateMapping* find_state(std::string_view label)
{
  for (const auto& s : servicenow_states()) {
    if (s.state == label) {
      return &s;
    }
  }
  return nullptr;
}

const LabelMapping* find_label(const std::vector<LabelMapping>& table, std::string_view label)
{
  for (const auto& m : table) {
    if (m.label == label) {
      return &m;
    }
  }
  return nullptr;
}

std::string labels_of(const std::vector<LabelMapping>& table)
{
  std::vector<std::string> out;
  for (const auto& m : table) {
    out.emplace_back(fmt::format("'{}'", m.label));
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

bool read_count(std::string_view s, long long& out)
{
  if (s.empty() || s.size() > 12) {
    return false;
  }
  long long v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') {
      return false;
    }
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// The ServiceNow-only values kept under `servicenow:` and reported in event notes when
// they change: key, column member.
struct KeptColumn {
  std::string_view key;
  bool is_flag; // true/false values (written as text 'true'/'false')
  bool noted;   // a change is worth a note in the history
};

constexpr std::array<KeptColumn, 18> k_kept = {{
  {"subcategory", false, true},
  {"symptom", false, true},
  {"location", false, true},
  {"opened_by", false, false},
  {"created_by", false, false},
  {"contact_type", false, true},
  {"made_sla", true, true},
  {"knowledge", true, true},
  {"priority_confirmation", true, true},
  {"notify", false, true},
  {"problem", false, true},
  {"rfc", false, true},
  {"vendor", false, true},
  {"caused_by", false, true},
  {"closed_code", false, true},
  {"resolved_by", false, true},
  {"reassignment_count", false, false},
  {"reopen_count", false, false},
}};

} // namespace

std::optional<Timestamp> parse_servicenow_time(std::string_view text, const TimeZone* zone)
{
  if (text.size() >= 10 && text[4] == '-') {
    return parse_timestamp(text, zone);
  }
  std::size_t pos = 0;
  int day = 0;
  int month = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!text::read_digits(text, pos, 1, 2, day) || pos >= text.size() || text[pos++] != '/' ||
      !text::read_digits(text, pos, 1, 2, month) || pos >= text.size() || text[pos++] != '/' ||
      !text::read_digits(text, pos, 4, 4, year) || pos >= text.size() || text[pos++] != ' ' ||
      !text::read_digits(text, pos, 1, 2, hour) || pos >= text.size() || text[pos++] != ':' ||
      !text::read_digits(text, pos, 2, 2, minute)) {
    return std::nullopt;
  }
  if (pos < text.size()) {
    if (text[pos++] != ':' || !text::read_digits(text, pos, 2, 2, second) || pos != text.size()) {
      return std::nullopt;
    }
  }
  return make_timestamp(year, month, day, hour, minute, second, std::nullopt, zone);
}

std::string_view ServiceNowLog::value(std::size_t row, std::size_t column) const
{
  if (column == std::string::npos) {
    return {};
  }
  std::string_view v = m_table.cell(row, column);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) {
    v.remove_prefix(1);
  }
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
    v.remove_suffix(1);
  }
  return v == "?" ? std::string_view() : v;
}

Timestamp ServiceNowLog::time_at(std::size_t row, std::size_t column) const
{
  const auto t = parse_servicenow_time(value(row, column), m_zone_in);
  if (!t) {
    m_table.fail(row, column,
                 fmt::format("'{}' in column {} is not a time; ServiceNow times are D/M/YYYY HH:MM",
                             m_table.cell(row, column), m_table.header()[column]),
                 "fix the cell, or export the log again");
  }
  return *t;
}

ServiceNowLog::ServiceNowLog(CsvTable table, const Config& config, const ServiceNowOptions& options)
  : m_table(std::move(table)), m_config(config), m_limit(options.limit)
{
  m_zone_out = find_zone(config.timezone);
  m_zone_in = options.timezone.empty() ? m_zone_out : find_zone(options.timezone);
  m_type = config.find_type("incident") ? std::string("incident") : config.default_type;
  m_prefix = config.find_type(m_type)->prefix;

  auto col = [&](std::string_view name, bool required) {
    const std::size_t c = m_table.find_column(name);
    if (c == std::string::npos && required) {
      m_table.fail_header(std::string::npos,
                          fmt::format("missing required column '{}': this is not a ServiceNow incident event log "
                                      "(its header starts: {})",
                                      name,
                                      fmt::join(std::vector<std::string>(m_table.header().begin(),
                                                                         m_table.header().begin() +
                                                                           static_cast<std::ptrdiff_t>(std::min<std::size_t>(4, m_table.columns()))),
                                                ", ")),
                          "export the incident log with the columns number, incident_state, sys_mod_count and "
                          "sys_updated_at (see share/doc/import.md)");
    }
    return c;
  };
  m_col.number = col("number", true);
  m_col.state = col("incident_state", true);
  m_col.mod_count = col("sys_mod_count", true);
  m_col.updated_at = col("sys_updated_at", true);
  m_col.reassignment_count = col("reassignment_count", false);
  m_col.reopen_count = col("reopen_count", false);
  m_col.made_sla = col("made_sla", false);
  m_col.caller = col("caller_id", false);
  m_col.opened_by = col("opened_by", false);
  m_col.opened_at = col("opened_at", false);
  m_col.created_by = col("sys_created_by", false);
  m_col.created_at = col("sys_created_at", false);
  m_col.updated_by = col("sys_updated_by", false);
  m_col.contact_type = col("contact_type", false);
  m_col.location = col("location", false);
  m_col.category = col("category", false);
  m_col.subcategory = col("subcategory", false);
  m_col.symptom = col("u_symptom", false);
  m_col.cmdb_ci = col("cmdb_ci", false);
  m_col.impact = col("impact", false);
  m_col.urgency = col("urgency", false);
  m_col.priority = col("priority", false);
  m_col.group = col("assignment_group", false);
  m_col.assigned_to = col("assigned_to", false);
  m_col.knowledge = col("knowledge", false);
  m_col.priority_confirmation = col("u_priority_confirmation", false);
  m_col.notify = col("notify", false);
  m_col.problem = col("problem_id", false);
  m_col.rfc = col("rfc", false);
  m_col.vendor = col("vendor", false);
  m_col.caused_by = col("caused_by", false);
  m_col.closed_code = col("closed_code", false);
  m_col.resolved_by = col("resolved_by", false);
  m_col.resolved_at = col("resolved_at", false);
  m_col.closed_at = col("closed_at", false);
  check_rows();
}

void ServiceNowLog::check_rows()
{
  const std::size_t rows = m_table.rows();
  std::vector<std::uint32_t> mod(rows, 0);
  std::vector<Timestamp> updated(rows);
  std::unordered_map<std::string_view, std::uint32_t> index;
  std::unordered_map<std::string_view, bool> seen_category;
  std::vector<bool> reason_used(servicenow_states().size(), false);
  auto check_label = [&](std::size_t row, std::size_t column, const std::vector<LabelMapping>& table,
                         const std::vector<std::string>& allowed, std::string_view what) {
    const std::string_view v = value(row, column);
    if (v.empty()) {
      return;
    }
    const LabelMapping* m = find_label(table, v);
    if (!m) {
      m_table.fail(row, column, fmt::format("unknown {} label '{}'; the ServiceNow mapping knows {}", what, v, labels_of(table)),
                   "fix the cell; the mapping table is in share/doc/import.md");
    }
    if (std::find(allowed.begin(), allowed.end(), m->value) == allowed.end()) {
      throw UsageError(fmt::format("ServiceNow {} '{}' maps to {} '{}', which .desk/config.yaml does not list", what,
                                   v, what, m->value),
                       fmt::format("add '{}' to '{}' in the config (desk's default config has it)", m->value,
                                   what == "impact" ? "impacts" : (what == "urgency" ? "urgencies" : "priorities")));
    }
  };
  for (std::size_t r = 0; r < rows; ++r) {
    const std::string_view number = value(r, m_col.number);
    if (number.empty()) {
      m_table.fail(r, m_col.number, "an empty incident number", "every row names its incident in column 'number'");
    }
    auto it = index.find(number);
    if (it == index.end()) {
      if (m_limit != 0 && m_incidents.size() >= m_limit) {
        continue;
      }
      it = index.emplace(number, static_cast<std::uint32_t>(m_incidents.size())).first;
      m_incidents.emplace_back();
    }
    m_incidents[it->second].push_back(static_cast<std::uint32_t>(r));
    ++m_rows;

    const std::string_view state = value(r, m_col.state);
    const StateMapping* sm = find_state(state);
    if (!sm) {
      std::vector<std::string> names;
      for (const auto& s : servicenow_states()) {
        names.emplace_back(fmt::format("'{}'", s.state));
      }
      m_table.fail(r, m_col.state,
                   state.empty() ? std::string("an empty incident_state")
                                 : fmt::format("unknown incident_state '{}'; the ServiceNow mapping knows {}", state,
                                               fmt::join(names, ", ")),
                   "fix the cell; the mapping table is in share/doc/import.md");
    }
    reason_used[static_cast<std::size_t>(sm - servicenow_states().data())] = true;
    long long count = 0;
    if (!read_count(value(r, m_col.mod_count), count) || count > 0xFFFFFFF) {
      m_table.fail(r, m_col.mod_count,
                   fmt::format("sys_mod_count '{}' is not a whole number", m_table.cell(r, m_col.mod_count)),
                   "sys_mod_count counts the updates of an incident: 0, 1, 2, ...");
    }
    mod[r] = static_cast<std::uint32_t>(count);
    for (const std::size_t c : {m_col.reassignment_count, m_col.reopen_count}) {
      if (const std::string_view v = value(r, c); !v.empty() && !read_count(v, count)) {
        m_table.fail(r, c, fmt::format("'{}' in column {} is not a whole number", v, m_table.header()[c]));
      }
    }
    updated[r] = time_at(r, m_col.updated_at);
    for (const std::size_t c : {m_col.opened_at, m_col.created_at, m_col.resolved_at, m_col.closed_at}) {
      if (!value(r, c).empty()) {
        time_at(r, c);
      }
    }
    check_label(r, m_col.impact, servicenow_impacts(), m_config.impacts, "impact");
    check_label(r, m_col.urgency, servicenow_urgencies(), m_config.urgencies, "urgency");
    check_label(r, m_col.priority, servicenow_priorities(), m_config.priorities, "priority");
    if (const std::string_view category = value(r, m_col.category); !category.empty()) {
      if (seen_category.try_emplace(category, true).second) {
        m_categories.emplace_back(category);
      }
    }
  }
  for (std::size_t i = 0; i < reason_used.size(); ++i) {
    const auto& sm = servicenow_states()[i];
    if (reason_used[i] && !sm.pending_reason.empty() &&
        std::find(m_pending_reasons.begin(), m_pending_reasons.end(), sm.pending_reason) == m_pending_reasons.end()) {
      m_pending_reasons.emplace_back(sm.pending_reason);
    }
  }
  // History order: by sys_mod_count, then time. A row whose sys_mod_count repeats another
  // row's and whose time is earlier than the row before it is a misnumbered copy (the log
  // has a few): it goes where its time puts it.
  for (auto& rows_of : m_incidents) {
    std::stable_sort(rows_of.begin(), rows_of.end(), [&](std::uint32_t a, std::uint32_t b) {
      return std::pair(mod[a], updated[a]) < std::pair(mod[b], updated[b]);
    });
    std::vector<std::uint32_t> ordered;
    ordered.reserve(rows_of.size());
    for (std::size_t k = 0; k < rows_of.size(); ++k) {
      const std::uint32_t r = rows_of[k];
      const bool repeated = (k > 0 && mod[rows_of[k - 1]] == mod[r]) || (k + 1 < rows_of.size() && mod[rows_of[k + 1]] == mod[r]);
      if (repeated && !ordered.empty() && updated[r] < updated[ordered.back()]) {
        const auto pos = std::find_if(ordered.begin(), ordered.end(), [&](std::uint32_t o) { return updated[o] > updated[r]; });
        ordered.insert(pos, r);
      } else {
        ordered.push_back(r);
      }
    }
    rows_of = std::move(ordered);
  }
}

std::string ServiceNowLog::number(std::size_t i) const
{
  return std::string(value(m_incidents[i].front(), m_col.number));
}

Ticket ServiceNowLog::build(std::size_t i, const std::string& id) const
{
  const std::vector<std::uint32_t>& rows = m_incidents[i];
  const std::size_t first = rows.front();
  const std::size_t last = rows.back();
  const std::string number(value(first, m_col.number));

  // The desk view of one row.
  struct Snapshot {
    std::string status;
    std::string pending_reason;
    std::string impact;
    std::string urgency;
    std::string priority;
    std::string priority_reason;
    std::string category;
    std::string team;
    std::string assignee;
    std::string channel;
    std::string reporter;
    std::string affected;
    std::array<std::string_view, k_kept.size()> kept{};
    bool unknown_state = false;
  };
  auto kept_column = [&](std::size_t k) {
    static constexpr std::array<std::size_t Columns::*, k_kept.size()> k_members = {
      &Columns::subcategory, &Columns::symptom,   &Columns::location,    &Columns::opened_by, &Columns::created_by,
      &Columns::contact_type, &Columns::made_sla, &Columns::knowledge,   &Columns::priority_confirmation,
      &Columns::notify,      &Columns::problem,   &Columns::rfc,         &Columns::vendor,    &Columns::caused_by,
      &Columns::closed_code, &Columns::resolved_by, &Columns::reassignment_count, &Columns::reopen_count};
    return m_col.*k_members[k];
  };
  auto snapshot = [&](std::size_t r, const Snapshot* before) {
    Snapshot s;
    const StateMapping* sm = find_state(value(r, m_col.state));
    if (sm && !sm->status.empty()) {
      s.status = sm->status;
      s.pending_reason = sm->pending_reason;
    } else {
      s.status = before ? before->status : "new";
      s.pending_reason = before ? before->pending_reason : "";
      s.unknown_state = true;
    }
    const LabelMapping* impact = find_label(servicenow_impacts(), value(r, m_col.impact));
    const LabelMapping* urgency = find_label(servicenow_urgencies(), value(r, m_col.urgency));
    s.impact = impact ? std::string(impact->value) : m_config.default_impact;
    s.urgency = urgency ? std::string(urgency->value) : m_config.default_urgency;
    const std::string matrix = m_config.priority_for(s.impact, s.urgency);
    const std::string_view priority_label = value(r, m_col.priority);
    const LabelMapping* priority = find_label(servicenow_priorities(), priority_label);
    s.priority = priority ? std::string(priority->value) : matrix;
    if (s.priority != matrix) {
      s.priority_reason = fmt::format("ServiceNow priority {}", priority_label);
    }
    s.category = value(r, m_col.category);
    s.team = value(r, m_col.group);
    s.assignee = value(r, m_col.assigned_to);
    const LabelMapping* channel = find_label(servicenow_channels(), value(r, m_col.contact_type));
    s.channel = channel && std::find(m_config.channels.begin(), m_config.channels.end(), channel->value) !=
                             m_config.channels.end()
                  ? std::string(channel->value)
                  : m_config.default_channel;
    s.reporter = value(r, m_col.caller);
    s.affected = value(r, m_col.cmdb_ci);
    for (std::size_t k = 0; k < k_kept.size(); ++k) {
      s.kept[k] = value(r, kept_column(k));
    }
    return s;
  };

  // Where the last resolution and the last closure happen: they carry ServiceNow's own
  // resolved_at / closed_at (which it re-stamps when a resolved record is saved again).
  std::vector<std::string> statuses;
  {
    std::string current = "new";
    for (const std::uint32_t r : rows) {
      const StateMapping* sm = find_state(value(r, m_col.state));
      if (sm && !sm->status.empty()) {
        current = sm->status;
      }
      statuses.push_back(current);
    }
  }
  std::size_t final_resolve = std::string::npos;
  std::size_t final_close = std::string::npos;
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::string& before = k == 0 ? std::string("new") : statuses[k - 1];
    if (statuses[k] == "resolved" && before != "resolved") {
      final_resolve = k;
    }
    if ((statuses[k] == "closed" || statuses[k] == "cancelled") && before != statuses[k]) {
      final_close = k;
    }
  }
  const std::optional<Timestamp> csv_resolved =
    value(last, m_col.resolved_at).empty() ? std::nullopt : std::optional<Timestamp>(time_at(last, m_col.resolved_at));
  const std::optional<Timestamp> csv_closed =
    value(last, m_col.closed_at).empty() ? std::nullopt : std::optional<Timestamp>(time_at(last, m_col.closed_at));

  Snapshot cur = snapshot(first, nullptr);
  const Snapshot final_state = snapshot(last, nullptr);
  Timestamp opened = time_at(first, m_col.updated_at);
  if (!value(first, m_col.opened_at).empty()) {
    opened = time_at(first, m_col.opened_at);
  } else if (!value(first, m_col.created_at).empty()) {
    opened = time_at(first, m_col.created_at);
  }

  Ticket t;
  t.set("id", id);
  t.set("type", m_type);
  t.set("status", "new");
  {
    const std::string_view symptom = value(last, m_col.symptom);
    std::string title = number;
    if (!symptom.empty()) {
      title += fmt::format(" {}", symptom);
    }
    std::vector<std::string_view> classes;
    for (const std::size_t c : {m_col.category, m_col.subcategory}) {
      if (!value(last, c).empty()) {
        classes.push_back(value(last, c));
      }
    }
    if (!classes.empty()) {
      title += fmt::format(" ({})", fmt::join(classes, " / "));
    }
    t.set("title", title);
  }
  t.set("created", format_timestamp(opened, m_zone_out));
  t.set("channel", cur.channel);
  if (!cur.reporter.empty()) {
    t.set("reporter", cur.reporter);
  }
  if (!cur.affected.empty()) {
    t.set("affected", Value::list({cur.affected}));
  }
  t.set("external_id", number);

  HistoryBuilder history(t, m_config, m_zone_out, std::string(k_servicenow_source),
                         fmt::format("{}\n{}", k_servicenow_source, number));
  auto actor = [&](std::size_t r, std::initializer_list<std::size_t> columns) {
    for (const std::size_t c : columns) {
      if (const std::string_view v = value(r, c); !v.empty()) {
        return std::string(v);
      }
    }
    return std::string(k_servicenow_source);
  };
  {
    Value set = Value::map();
    set.set("status", Value::text("new"));
    set.set("priority", Value::text(cur.priority));
    if (!cur.priority_reason.empty()) {
      set.set("priority_reason", Value::text(cur.priority_reason));
    }
    set.set("impact", Value::text(cur.impact));
    set.set("urgency", Value::text(cur.urgency));
    if (!cur.category.empty()) {
      set.set("category", Value::text(cur.category));
    }
    if (!cur.team.empty()) {
      set.set("team", Value::text(cur.team));
    }
    if (!cur.assignee.empty()) {
      set.set("assignee", Value::text(cur.assignee));
    }
    history.add("open", opened, actor(first, {m_col.opened_by, m_col.created_by, m_col.updated_by}), std::move(set),
                "", "", fmt::format("{}", value(first, m_col.mod_count)));
  }
  cur.status = "new";
  cur.pending_reason.clear();
  int reopen_count = 0;

  for (std::size_t k = 0; k < rows.size(); ++k) {
    const std::size_t r = rows[k];
    const Snapshot next = snapshot(r, &cur);
    const Timestamp at = time_at(r, m_col.updated_at);
    const std::string by = actor(r, {m_col.updated_by});
    const std::string origin(value(r, m_col.mod_count));

    struct Step {
      explicit Step(std::string_view a, Value s = Value::map(), std::string st = {})
        : action(a), set(std::move(s)), status(std::move(st))
      {
      }
      std::string_view action;
      Value set;
      std::string status;
    };
    std::vector<Step> steps;
    std::vector<std::string> notes;
    if (k > 0) {
      Step triage("triage");
      auto change = [](Step& step, const char* field, const std::string& from, const std::string& to) {
        if (from != to) {
          step.set.set(field, Value::text(to));
        }
      };
      change(triage, "category", cur.category, next.category);
      change(triage, "impact", cur.impact, next.impact);
      change(triage, "urgency", cur.urgency, next.urgency);
      change(triage, "priority", cur.priority, next.priority);
      change(triage, "priority_reason", cur.priority_reason, next.priority_reason);
      if (!triage.set.empty()) {
        steps.push_back(std::move(triage));
      }
      Step assign("assign");
      change(assign, "assignee", cur.assignee, next.assignee);
      change(assign, "team", cur.team, next.team);
      if (!assign.set.empty()) {
        steps.push_back(std::move(assign));
      }
      for (std::size_t c = 0; c < k_kept.size(); ++c) {
        if (k_kept[c].noted && cur.kept[c] != next.kept[c]) {
          notes.push_back(fmt::format("{} {} → {}", k_kept[c].key, cur.kept[c].empty() ? "(none)" : cur.kept[c],
                                      next.kept[c].empty() ? "(none)" : next.kept[c]));
        }
      }
    }
    if (next.unknown_state) {
      notes.push_back(fmt::format("state {} (not a state desk knows; the status stays {})", value(r, m_col.state),
                                  cur.status));
    }
    const bool status_moves = next.status != cur.status ||
                              (next.status == "pending" && next.pending_reason != cur.pending_reason);
    if (status_moves) {
      const bool was_done = cur.status == "resolved" || cur.status == "closed" || cur.status == "cancelled";
      const bool reopens =
        was_done && (next.status == "new" || next.status == "in_progress" || next.status == "pending");
      if (reopens) {
        Step reopen("reopen");
        reopen.set.set("reopen_count", Value::number(++reopen_count));
        if (!t.get("resolved_at").empty()) {
          reopen.set.set("resolved_at", Value::text(""));
        }
        if (!t.get("closed_at").empty()) {
          reopen.set.set("closed_at", Value::text(""));
        }
        reopen.status = "reopened";
        steps.push_back(std::move(reopen));
      }
      if (next.status == "in_progress") {
        steps.emplace_back(cur.status == "pending" && !reopens ? "resume" : "start", Value::map(), "in_progress");
      } else if (next.status == "pending") {
        Step pending("pending");
        pending.set.set("pending_reason", Value::text(next.pending_reason));
        // Also from one pending reason to another, so the SLA pauses see the change.
        pending.set.set("status", Value::text("pending"));
        pending.status = "pending";
        steps.push_back(std::move(pending));
      } else if (next.status == "resolved") {
        Step resolve("resolve");
        const Timestamp when = k == final_resolve && csv_resolved ? *csv_resolved : std::max(at, history.last_time());
        resolve.set.set("resolved_at", Value::text(history.format(when)));
        resolve.status = "resolved";
        steps.push_back(std::move(resolve));
      } else if (next.status == "closed" || next.status == "cancelled") {
        Step close(next.status == "closed" ? "close" : "cancel");
        if (k == final_close && csv_resolved && t.get("resolved_at").empty() && next.status == "closed") {
          close.set.set("resolved_at", Value::text(history.format(*csv_resolved)));
        }
        const Timestamp when = k == final_close && csv_closed ? *csv_closed : std::max(at, history.last_time());
        close.set.set("closed_at", Value::text(history.format(when)));
        close.status = next.status;
        steps.push_back(std::move(close));
      } else if (next.status == "new" && !reopens) {
        steps.emplace_back("triage", Value::map(), "new");
      }
    }
    // Intake fields that changed ride on the row's first event.
    Value intake = Value::map();
    if (k > 0) {
      if (cur.channel != next.channel) {
        intake.set("channel", Value::text(next.channel));
      }
      if (cur.reporter != next.reporter) {
        intake.set("reporter", Value::text(next.reporter));
      }
      if (cur.affected != next.affected) {
        intake.set("affected", next.affected.empty() ? Value::text("") : Value::list({next.affected}));
      }
    }
    if (steps.empty() && (k > 0 || !intake.empty() || !notes.empty())) {
      steps.emplace_back("log");
    }
    for (std::size_t s = 0; s < steps.size(); ++s) {
      Step& step = steps[s];
      if (s == 0 && !intake.empty()) {
        Value merged = std::move(intake);
        for (auto& [key, v] : step.set.entries) {
          merged.set(key, std::move(v));
        }
        step.set = std::move(merged);
        intake = Value::map();
      }
      std::string note;
      if (s + 1 == steps.size()) {
        note = notes.empty() ? (step.action == "log" ? std::string("updated in ServiceNow") : std::string())
                             : fmt::format("ServiceNow: {}", fmt::join(notes, "; "));
      }
      history.add(step.action, at, by, std::move(step.set), step.status, note, origin);
    }
    const std::string status = cur.status;
    cur = next;
    if (next.unknown_state) {
      cur.status = status;
    }
  }

  Value kept = Value::map();
  for (std::size_t k = 0; k < k_kept.size(); ++k) {
    const std::string_view v = final_state.kept[k];
    if (v.empty()) {
      continue;
    }
    long long n = 0;
    if ((k_kept[k].key == "reassignment_count" || k_kept[k].key == "reopen_count") && read_count(v, n)) {
      kept.set(k_kept[k].key, Value::number(n));
    } else {
      kept.set(k_kept[k].key, Value::text(std::string(v)));
    }
  }
  kept.set("sys_mod_count", Value::number(std::atoll(std::string(value(last, m_col.mod_count)).c_str())));
  t.set("servicenow", std::move(kept));
  return t;
}

} // namespace desk::import
