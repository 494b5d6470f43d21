#include <desk/storage/config_file.hpp>

#include <desk/sla/calendar.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>
#include <desk/util/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace desk::storage {

extern const std::string_view k_default_config;

namespace {

class Reader {
public:
  explicit Reader(std::string path) : m_path(std::move(path)) {}

  [[noreturn]] void fail(const Value& where, const std::string& message,
                         const std::string& hint = {}) const
  {
    throw ParseError(m_path, where.line, where.column, message,
                     hint.empty() ? "fix .desk/config.yaml (see the comments in it), then run `desk doctor`"
                                  : hint);
  }

  std::string scalar(const Value& v, std::string_view what) const
  {
    if (!v.is_scalar() || v.scalar.empty()) {
      fail(v, fmt::format("{} must be a single non-empty value", what));
    }
    return v.scalar;
  }

  std::vector<std::string> list(const Value& v, std::string_view what, bool allow_empty = false) const
  {
    if (v.is_null() && allow_empty) {
      return {};
    }
    if (!v.is_sequence()) {
      fail(v, fmt::format("{} must be a list", what));
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& item : v.items) {
      std::string s = scalar(item, fmt::format("each item of {}", what));
      if (!seen.insert(s).second) {
        fail(item, fmt::format("'{}' appears twice in {}", s, what));
      }
      out.push_back(std::move(s));
    }
    if (out.empty() && !allow_empty) {
      fail(v, fmt::format("{} must not be empty", what));
    }
    return out;
  }

  const Value& mapping(const Value& v, std::string_view what) const
  {
    if (!v.is_mapping()) {
      fail(v, fmt::format("{} must be a mapping (key: value)", what));
    }
    return v;
  }

  int integer(const Value& v, std::string_view what, int lo, int hi) const
  {
    const std::string s = scalar(v, what);
    try {
      std::size_t used = 0;
      const int n = std::stoi(s, &used);
      if (used == s.size() && n >= lo && n <= hi) {
        return n;
      }
    } catch (const std::exception&) {
    }
    fail(v, fmt::format("{} must be a whole number from {} to {}, not '{}'", what, lo, hi, s));
  }

  std::chrono::minutes duration(const Value& v, std::string_view what) const
  {
    const std::string s = scalar(v, what);
    const auto d = parse_duration(s);
    if (!d || d->count() <= 0) {
      fail(v, fmt::format("{} '{}' is not a duration; write e.g. 15m, 4h, 1h30m or 2d", what, s));
    }
    return *d;
  }

  const std::string& path() const { return m_path; }

private:
  std::string m_path;
};

int weekday_number(std::string_view name)
{
  static const std::vector<std::string_view> k_days = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  const std::string lower = text::ascii_lower(name);
  for (std::size_t i = 0; i < k_days.size(); ++i) {
    if (lower == k_days[i]) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

std::optional<int> clock_minutes(std::string_view hhmm)
{
  if (hhmm.size() != 5 || hhmm[2] != ':') {
    return std::nullopt;
  }
  for (std::size_t i : {0U, 1U, 3U, 4U}) {
    if (hhmm[i] < '0' || hhmm[i] > '9') {
      return std::nullopt;
    }
  }
  const int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
  const int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) {
    return std::nullopt;
  }
  return h * 60 + m;
}

void read_sla(const Reader& r, const Value& sla, Config& c)
{
  r.mapping(sla, "'sla'");
  if (const Value* targets = sla.find("targets")) {
    r.mapping(*targets, "'sla.targets'");
    for (const auto& [prio, spec] : targets->entries) {
      if (std::find(c.priorities.begin(), c.priorities.end(), prio) == c.priorities.end()) {
        r.fail(spec, fmt::format("sla.targets names priority '{}', which is not in 'priorities' ({})",
                                 prio, fmt::join(c.priorities, ", ")));
      }
      r.mapping(spec, fmt::format("'sla.targets.{}'", prio));
      SlaTarget t;
      const Value* respond = spec.find("respond");
      const Value* resolve = spec.find("resolve");
      if (!respond || !resolve) {
        r.fail(spec, fmt::format("sla.targets.{} needs both 'respond' and 'resolve'", prio));
      }
      t.respond = r.duration(*respond, fmt::format("sla.targets.{}.respond", prio));
      t.resolve = r.duration(*resolve, fmt::format("sla.targets.{}.resolve", prio));
      if (const Value* clock = spec.find("clock")) {
        const std::string k = r.scalar(*clock, "clock");
        if (k != "business" && k != "calendar") {
          r.fail(*clock, fmt::format("unknown clock '{}'; use business or calendar", k));
        }
        t.business = k == "business";
      }
      c.sla_targets[prio] = t;
    }
  }
  for (const auto& p : c.priorities) {
    if (!c.sla_targets.contains(p)) {
      r.fail(sla, fmt::format("sla.targets has no entry for priority {}", p),
             "add respond/resolve targets for every priority");
    }
  }
  if (const Value* warning = sla.find("warning")) {
    const std::string s = r.scalar(*warning, "sla.warning");
    double w = -1;
    try {
      std::size_t used = 0;
      w = std::stod(s, &used);
      if (used != s.size()) {
        w = -1;
      }
    } catch (const std::exception&) {
    }
    if (!(w > 0.0 && w < 1.0)) {
      r.fail(*warning, fmt::format("sla.warning must be a fraction between 0 and 1, not '{}'", s));
    }
    c.sla_warning = w;
  }
  if (const Value* cal = sla.find("calendar")) {
    r.mapping(*cal, "'sla.calendar'");
    if (const Value* days = cal->find("working_days")) {
      c.calendar.working_days.clear();
      for (const auto& d : r.list(*days, "sla.calendar.working_days")) {
        const int n = weekday_number(d);
        if (n == 0) {
          r.fail(*days, fmt::format("unknown weekday '{}'; use mon, tue, wed, thu, fri, sat, sun", d));
        }
        c.calendar.working_days.push_back(n);
      }
    }
    if (const Value* hours = cal->find("hours")) {
      c.calendar.hours.clear();
      for (const auto& range : r.list(*hours, "sla.calendar.hours")) {
        const auto dash = range.find('-');
        const auto from = dash == std::string::npos ? std::nullopt : clock_minutes(range.substr(0, dash));
        const auto to = dash == std::string::npos ? std::nullopt : clock_minutes(range.substr(dash + 1));
        if (!from || !to || *from >= *to) {
          r.fail(*hours, fmt::format("working hours '{}' must look like 09:00-18:00 (start before end)", range));
        }
        c.calendar.hours.push_back({*from, *to});
      }
    }
    if (const Value* holidays = cal->find("holidays")) {
      c.calendar.holidays = r.list(*holidays, "sla.calendar.holidays", true);
    }
  }
  c.calendar.timezone = c.timezone;
  try {
    sla::BusinessCalendar check(c.calendar);
  } catch (const UsageError& e) {
    const Value* cal = sla.find("calendar");
    const Value* where = cal ? cal : &sla;
    if (cal && std::string_view(e.what()).find("holiday") != std::string_view::npos && cal->find("holidays")) {
      where = cal->find("holidays");
    }
    r.fail(*where, fmt::format("sla.{}", e.what()));
  }
  if (const Value* pause = sla.find("pause_on")) {
    c.pause_reasons = r.list(*pause, "sla.pause_on", true);
  }
}

// A mail address as the config may give one: one line, a local part, an @ and a domain.
bool looks_like_address(std::string_view s)
{
  const std::size_t at = s.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < s.size() && s.find('@', at + 1) == std::string_view::npos &&
         s.find_first_of(" \t\r\n<>,;\"()[]\\") == std::string_view::npos;
}

// A member or supervisor written as a mapping {name: alice, email: alice@example.com}.
std::string read_person(const Reader& r, const Value& v, const std::string& what,
                        std::map<std::string, std::string>& emails)
{
  r.mapping(v, what);
  const Value* name = v.find("name");
  if (!name) {
    r.fail(v, fmt::format("{} must have a name (e.g. {{name: alice, email: alice@example.com}})", what));
  }
  const std::string n = r.scalar(*name, what + ".name");
  for (const auto& [k, val] : v.entries) {
    if (k != "name" && k != "email") {
      r.fail(val, fmt::format("{} has unknown key '{}'; use name and email", what, k));
    }
  }
  if (const Value* email = v.find("email")) {
    const std::string e = r.scalar(*email, what + ".email");
    if (!looks_like_address(e)) {
      r.fail(*email, fmt::format("{}.email '{}' is not a mail address", what, e));
    }
    emails[n] = e;
  }
  return n;
}

// Members: names, or {name, email} mappings, or a mix.
std::vector<std::string> read_people(const Reader& r, const Value& v, const std::string& what,
                                     std::map<std::string, std::string>& emails)
{
  if (v.is_null()) {
    return {};
  }
  if (!v.is_sequence()) {
    r.fail(v, fmt::format("{} must be a list", what));
  }
  std::vector<std::string> out;
  for (const auto& item : v.items) {
    std::string n = item.is_mapping() ? read_person(r, item, "a member of " + what, emails)
                                      : r.scalar(item, fmt::format("each item of {}", what));
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      r.fail(item, fmt::format("'{}' appears twice in {}", n, what));
    }
    out.push_back(std::move(n));
  }
  return out;
}

// mail: desk's address, how mail goes out, who is told what.
void read_mail(const Reader& r, const Value& mail, Config& c)
{
  if (mail.is_null()) {
    return;
  }
  r.mapping(mail, "'mail'");
  MailConfig& m = c.mail;
  for (const auto& [key, v] : mail.entries) {
    const std::string what = "mail." + key;
    if (key == "address") {
      m.address = v.is_null() ? std::string() : r.scalar(v, what);
      if (!m.address.empty() && !looks_like_address(m.address)) {
        r.fail(v, fmt::format("mail.address '{}' is not a mail address", m.address));
      }
    } else if (key == "name") {
      m.name = r.scalar(v, what);
      if (m.name.find_first_of("\r\n") != std::string::npos) {
        r.fail(v, "mail.name must be a single line");
      }
    } else if (key == "sendmail") {
      m.sendmail = v.is_sequence() ? r.list(v, what) : text::split(r.scalar(v, what), ' ');
      std::erase_if(m.sendmail, [](const std::string& a) { return a.empty(); });
      if (m.sendmail.empty()) {
        r.fail(v, "mail.sendmail must name a program, e.g. [/usr/sbin/sendmail, -t, -oi]");
      }
    } else if (key == "send") {
      const std::string s = r.scalar(v, what);
      if (s != "cron" && s != "after-command") {
        r.fail(v, fmt::format("mail.send is '{}'; use cron or after-command", s));
      }
      m.send_after_command = s == "after-command";
    } else if (key == "language") {
      m.language = r.scalar(v, what);
      if (m.language != "zh" && m.language != "en") {
        r.fail(v, fmt::format("mail.language is '{}'; use zh or en", m.language));
      }
    } else if (key == "max_attachment_bytes") {
      m.max_attachment_bytes = static_cast<std::size_t>(r.integer(v, what, 0, 1 << 30));
    } else if (key == "auto_replies_per_hour") {
      m.auto_replies_per_hour = r.integer(v, what, 0, 100000);
    } else if (key == "notify_within") {
      const auto d = parse_duration(r.scalar(v, what));
      if (!d || d->count() <= 0) {
        r.fail(v, fmt::format("mail.notify_within '{}' is not a duration; write e.g. 2d or 12h", v.str()));
      }
      m.notify_within = *d;
    } else if (key == "notify") {
      if (v.is_null()) {
        continue;
      }
      r.mapping(v, what);
      for (const auto& [event, to] : v.entries) {
        const std::string& name = event; // clang 14 cannot capture a structured binding
        auto it = std::find_if(m.notify.begin(), m.notify.end(), [&name](const NotifyRule& n) { return n.event == name; });
        if (it == m.notify.end()) {
          std::vector<std::string> known;
          for (const auto& n : m.notify) {
            known.push_back(n.event);
          }
          r.fail(to, fmt::format("mail.notify names event '{}'; use one of: {}", event, fmt::join(known, ", ")));
        }
        it->to = r.list(to, "mail.notify." + event, true);
        for (const auto& who : it->to) {
          if (who != "requester" && who != "assignee" && who != "supervisor" && who != "team" &&
              !looks_like_address(who)) {
            r.fail(to, fmt::format("mail.notify.{} names '{}'; use requester, assignee, supervisor, team or a mail address",
                                   event, who));
          }
        }
      }
    } else if (key == "routes") {
      if (v.is_null()) {
        continue;
      }
      r.mapping(v, what);
      for (const auto& [address, spec] : v.entries) {
        r.mapping(spec, "mail.routes." + address);
        MailConfig::Route route;
        route.address = text::ascii_lower(address);
        for (const auto& [k, val] : spec.entries) {
          const std::string s = r.scalar(val, fmt::format("mail.routes.{}.{}", address, k));
          const std::vector<std::string>* allowed = nullptr;
          std::string* out = nullptr;
          std::vector<std::string> types = c.type_names();
          if (k == "type") {
            allowed = &types, out = &route.type;
          } else if (k == "impact") {
            allowed = &c.impacts, out = &route.impact;
          } else if (k == "urgency") {
            allowed = &c.urgencies, out = &route.urgency;
          } else if (k == "category") {
            allowed = &c.categories, out = &route.category;
          } else {
            r.fail(val, fmt::format("mail.routes.{} has unknown key '{}'; use type, impact, urgency, category", address, k));
          }
          if (std::find(allowed->begin(), allowed->end(), s) == allowed->end()) {
            r.fail(val, fmt::format("mail.routes.{}.{} is '{}'; use one of: {}", address, k, s, fmt::join(*allowed, ", ")));
          }
          *out = s;
        }
        m.routes.push_back(std::move(route));
      }
    } else {
      r.fail(v, fmt::format("mail has unknown key '{}'; use address, name, sendmail, send, language, "
                            "max_attachment_bytes, auto_replies_per_hour, notify_within, notify, routes",
                            key));
    }
  }
}

void read_teams(const Reader& r, const Value& teams, Config& c)
{
  if (teams.is_null()) {
    return;
  }
  r.mapping(teams, "'teams'");
  for (const auto& [name, spec] : teams.entries) {
    r.mapping(spec, fmt::format("team '{}'", name));
    Team t;
    t.name = name;
    if (const Value* tier = spec.find("tier")) {
      t.tier = r.integer(*tier, fmt::format("teams.{}.tier", name), 1, 3);
    }
    if (const Value* members = spec.find("members")) {
      t.members = read_people(r, *members, fmt::format("teams.{}.members", name), c.member_emails);
    }
    if (const Value* skills = spec.find("skills")) {
      t.skills = r.list(*skills, fmt::format("teams.{}.skills", name), true);
      for (const auto& s : t.skills) {
        if (std::find(c.categories.begin(), c.categories.end(), s) == c.categories.end()) {
          r.fail(*skills, fmt::format("team '{}' has skill '{}', which is not a category ({})", name, s,
                                      fmt::join(c.categories, ", ")));
        }
      }
    }
    if (const Value* sup = spec.find("supervisor")) {
      t.supervisor = sup->is_mapping() ? read_person(r, *sup, fmt::format("teams.{}.supervisor", name), c.member_emails)
                                       : r.scalar(*sup, fmt::format("teams.{}.supervisor", name));
    }
    c.teams.push_back(std::move(t));
  }
}

// --- desk serve: `serve:` and `api:` -----------------------------------------------------

std::size_t read_byte_size(const Reader& r, const Value& v, std::string_view what)
{
  const std::string s = r.scalar(v, what);
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') {
    ++digits;
  }
  const std::string unit = text::ascii_lower(s.substr(digits));
  std::size_t factor = 0;
  if (unit.empty() || unit == "b") {
    factor = 1;
  } else if (unit == "k" || unit == "kib" || unit == "kb") {
    factor = 1024;
  } else if (unit == "m" || unit == "mib" || unit == "mb") {
    factor = 1024 * 1024;
  }
  if (digits == 0 || digits > 6 || factor == 0 || std::stoul(s.substr(0, digits)) == 0) {
    r.fail(v, fmt::format("{} '{}' is not a size; write e.g. 10MiB, 512KiB or 1048576", what, s));
  }
  return std::stoul(s.substr(0, digits)) * factor;
}

void read_serve(const Reader& r, const Value& serve, Config& c)
{
  if (serve.is_null()) {
    return;
  }
  r.mapping(serve, "'serve'");
  ServeConfig& s = c.serve;
  if (const Value* url = serve.find("url"); url && !url->empty()) {
    s.url = r.scalar(*url, "serve.url");
    if (!s.url.starts_with("http://") && !s.url.starts_with("https://")) {
      r.fail(*url, fmt::format("serve.url '{}' must start with https:// or http://", s.url));
    }
    while (s.url.ends_with("/")) {
      s.url.pop_back();
    }
  }
  if (const Value* auth = serve.find("auth")) {
    const std::string a = r.scalar(*auth, "serve.auth");
    if (a != "mail" && a != "header") {
      r.fail(*auth, fmt::format("serve.auth is '{}'; use mail or header", a));
    }
    s.auth = a == "mail" ? PortalAuth::mail : PortalAuth::header;
  }
  if (const Value* header = serve.find("header")) {
    s.header = r.scalar(*header, "serve.header");
  }
  if (const Value* proxies = serve.find("trusted_proxies")) {
    s.trusted_proxies = r.list(*proxies, "serve.trusted_proxies", true);
  }
  if (s.auth == PortalAuth::header && s.trusted_proxies.empty()) {
    r.fail(serve, "serve.auth is header but serve.trusted_proxies is empty",
           "list the addresses of the single sign-on proxy, e.g. trusted_proxies: [127.0.0.1]");
  }
  if (const Value* staff = serve.find("staff")) {
    s.staff = r.list(*staff, "serve.staff", true);
  }
  if (const Value* max = serve.find("max_upload_bytes")) {
    s.max_upload_bytes = read_byte_size(r, *max, "serve.max_upload_bytes");
  }
  for (const char* key : {"sendmail", "from"}) {
    if (const Value* v = serve.find(key)) {
      r.fail(*v, fmt::format("serve.{} is not a key of serve: sign-in links are mailed by the mail channel", key),
             "set mail.address and mail.sendmail instead (share/doc/mail.md)");
    }
  }
}

void read_api(const Reader& r, const Value& api, Config& c)
{
  if (api.is_null()) {
    return;
  }
  r.mapping(api, "'api'");
  const Value* tokens = api.find("tokens");
  if (!tokens || tokens->is_null()) {
    return;
  }
  if (!tokens->is_sequence()) {
    r.fail(*tokens, "api.tokens must be a list of {name, sha256, scopes}");
  }
  for (const auto& item : tokens->items) {
    r.mapping(item, "an api token");
    ApiToken t;
    const Value* name = item.find("name");
    const Value* sha = item.find("sha256");
    const Value* scopes = item.find("scopes");
    if (!name || !sha || !scopes) {
      r.fail(item, "an api token needs name, sha256 and scopes",
             "add one with `desk serve token add NAME --scope read,open`");
    }
    t.name = r.scalar(*name, "api.tokens name");
    t.sha256 = text::ascii_lower(r.scalar(*sha, "api.tokens sha256"));
    if (t.sha256.size() != 64 || t.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
      r.fail(*sha, fmt::format("the sha256 of api token '{}' must be 64 hex digits", t.name));
    }
    t.scopes = r.list(*scopes, fmt::format("the scopes of api token '{}'", t.name));
    for (const auto& scope : t.scopes) {
      if (std::find(api_scopes().begin(), api_scopes().end(), scope) == api_scopes().end()) {
        r.fail(*scopes, fmt::format("api token '{}' has unknown scope '{}'; use any of: {}", t.name, scope,
                                    fmt::join(api_scopes(), ", ")));
      }
    }
    for (const auto& other : c.api.tokens) {
      if (other.name == t.name) {
        r.fail(item, fmt::format("api token '{}' appears twice", t.name));
      }
    }
    c.api.tokens.push_back(std::move(t));
  }
}

// --- end desk serve ----------------------------------------------------------------------

} // namespace

Config parse_config(std::string_view text, const std::string& path)
{
  const Value doc = parse_yaml(text, path);
  const Reader r(path);
  if (!doc.is_mapping()) {
    r.fail(doc, "the config must be a mapping (key: value)");
  }
  Config c;
  auto need = [&](std::string_view key) -> const Value& {
    const Value* v = doc.find(key);
    if (!v) {
      r.fail(doc, fmt::format("the config has no '{}'", key),
             "copy that section from the default (`desk init` in an empty folder writes one)");
    }
    return *v;
  };
  if (const Value* tz = doc.find("timezone")) {
    c.timezone = r.scalar(*tz, "timezone");
    try {
      find_zone(c.timezone);
    } catch (const UsageError& e) {
      r.fail(*tz, e.what(), "use an IANA zone name such as Asia/Shanghai or Europe/Berlin");
    }
  }
  const Value& types = r.mapping(need("types"), "'types'");
  for (const auto& [name, prefix] : types.entries) {
    const std::string p = r.scalar(prefix, fmt::format("the prefix of type '{}'", name));
    if (p.size() > 8 || !std::all_of(p.begin(), p.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
      r.fail(prefix, fmt::format("id prefix '{}' must be 1 to 8 capital letters A-Z", p));
    }
    if (c.find_type_by_prefix(p)) {
      r.fail(prefix, fmt::format("id prefix '{}' is used by two types", p));
    }
    c.types.push_back({name, p});
  }
  if (c.types.empty()) {
    r.fail(types, "'types' must name at least one ticket type");
  }
  c.categories = r.list(need("categories"), "'categories'");
  c.impacts = r.list(need("impacts"), "'impacts'");
  c.urgencies = r.list(need("urgencies"), "'urgencies'");
  c.channels = r.list(need("channels"), "'channels'");
  c.priorities = r.list(need("priorities"), "'priorities'");
  const Value& matrix = r.mapping(need("matrix"), "'matrix'");
  for (const auto& [impact, row] : matrix.entries) {
    if (std::find(c.impacts.begin(), c.impacts.end(), impact) == c.impacts.end()) {
      r.fail(row, fmt::format("matrix names impact '{}'; use one of: {}", impact, fmt::join(c.impacts, ", ")));
    }
    r.mapping(row, fmt::format("matrix.{}", impact));
    for (const auto& [urgency, prio] : row.entries) {
      if (std::find(c.urgencies.begin(), c.urgencies.end(), urgency) == c.urgencies.end()) {
        r.fail(row, fmt::format("matrix.{} names urgency '{}'; use one of: {}", impact, urgency,
                                fmt::join(c.urgencies, ", ")));
      }
      const std::string p = r.scalar(prio, fmt::format("matrix.{}.{}", impact, urgency));
      if (std::find(c.priorities.begin(), c.priorities.end(), p) == c.priorities.end()) {
        r.fail(prio, fmt::format("matrix.{}.{} is '{}', which is not in priorities ({})", impact, urgency,
                                 p, fmt::join(c.priorities, ", ")));
      }
      c.matrix[impact][urgency] = p;
    }
  }
  for (const auto& i : c.impacts) {
    for (const auto& u : c.urgencies) {
      if (!c.matrix[i].contains(u)) {
        r.fail(matrix, fmt::format("the priority matrix has a hole: no priority for impact '{}' × urgency '{}'", i, u),
               "give every impact a priority for every urgency");
      }
    }
  }
  read_sla(r, need("sla"), c);
  if (const Value* reasons = doc.find("pending_reasons")) {
    c.pending_reasons = r.list(*reasons, "'pending_reasons'");
  }
  for (const auto& p : c.pause_reasons) {
    if (std::find(c.pending_reasons.begin(), c.pending_reasons.end(), p) == c.pending_reasons.end()) {
      r.fail(*need("sla").find("pause_on"),
             fmt::format("sla.pause_on names '{}', which is not a pending reason", p));
    }
  }
  if (const Value* days = doc.find("close_after_days")) {
    c.close_after_days = r.integer(*days, "close_after_days", 0, 3650);
  }
  if (const Value* teams = doc.find("teams")) {
    read_teams(r, *teams, c);
  }
  if (const Value* vendors = doc.find("vendors"); vendors && !vendors->is_null()) {
    r.mapping(*vendors, "'vendors'");
    for (const auto& [name, spec] : vendors->entries) {
      Vendor v{name, {}};
      if (spec.is_mapping()) {
        if (const Value* contact = spec.find("contact")) {
          v.contact = contact->str();
        }
      }
      c.vendors.push_back(std::move(v));
    }
  }
  if (const Value* rules = doc.find("rules"); rules && !rules->is_null()) {
    if (!rules->is_sequence()) {
      r.fail(*rules, "'rules' must be a list of {category, type, affected, team}");
    }
    for (const auto& item : rules->items) {
      r.mapping(item, "a rule");
      AssignmentRule rule;
      for (const auto& [k, v] : item.entries) {
        const std::string s = r.scalar(v, fmt::format("rule '{}'", k));
        if (k == "category") {
          if (std::find(c.categories.begin(), c.categories.end(), s) == c.categories.end()) {
            r.fail(v, fmt::format("a rule names category '{}'; use one of: {}", s, fmt::join(c.categories, ", ")));
          }
          rule.category = s;
        } else if (k == "type") {
          rule.type = s;
        } else if (k == "affected") {
          rule.affected = s;
        } else if (k == "team") {
          rule.team = s;
        } else {
          r.fail(item, fmt::format("a rule has unknown key '{}'; use category, type, affected, team", k));
        }
      }
      if (rule.team.empty() || !c.find_team(rule.team)) {
        r.fail(item, fmt::format("a rule must name a configured team, not '{}'", rule.team));
      }
      if (!rule.type.empty() && !c.find_type(rule.type)) {
        r.fail(item, fmt::format("a rule names unknown type '{}'", rule.type));
      }
      c.rules.push_back(std::move(rule));
    }
  }
  if (const Value* defaults = doc.find("defaults"); defaults && !defaults->is_null()) {
    r.mapping(*defaults, "'defaults'");
    auto pick = [&](std::string_view key, std::string& out, const std::vector<std::string>& allowed) {
      if (const Value* v = defaults->find(key)) {
        out = r.scalar(*v, fmt::format("defaults.{}", key));
        if (std::find(allowed.begin(), allowed.end(), out) == allowed.end()) {
          r.fail(*v, fmt::format("defaults.{} is '{}'; use one of: {}", key, out, fmt::join(allowed, ", ")));
        }
      }
    };
    pick("type", c.default_type, c.type_names());
    pick("impact", c.default_impact, c.impacts);
    pick("urgency", c.default_urgency, c.urgencies);
    pick("channel", c.default_channel, c.channels);
  } else {
    c.default_type = c.types.front().name;
    c.default_impact = c.impacts.front();
    c.default_urgency = c.urgencies.front();
    c.default_channel = c.channels.front();
  }
  if (const Value* git = doc.find("git"); git && git->is_mapping()) {
    if (const Value* ac = git->find("autocommit")) {
      const std::string s = text::ascii_lower(r.scalar(*ac, "git.autocommit"));
      if (s != "true" && s != "false") {
        r.fail(*ac, "git.autocommit must be true or false");
      }
      c.git_autocommit = s == "true";
    }
  }
  if (const Value* mail = doc.find("mail")) {
    read_mail(r, *mail, c);
  }
  if (const Value* hooks = doc.find("hooks"); hooks && hooks->is_mapping()) {
    if (const Value* t = hooks->find("timeout")) {
      const auto d = parse_duration(r.scalar(*t, "hooks.timeout"));
      c.hook_timeout = std::chrono::seconds(0);
      const std::string s = t->scalar;
      if (s.size() > 1 && s.back() == 's' &&
          std::all_of(s.begin(), s.end() - 1, [](char ch) { return ch >= '0' && ch <= '9'; })) {
        c.hook_timeout = std::chrono::seconds(std::stoi(s.substr(0, s.size() - 1)));
      } else if (d) {
        c.hook_timeout = *d;
      }
      if (c.hook_timeout.count() <= 0) {
        r.fail(*t, fmt::format("hooks.timeout '{}' is not a duration; write e.g. 10s or 1m", s));
      }
    }
  }
  // desk serve
  if (const Value* serve = doc.find("serve")) {
    read_serve(r, *serve, c);
  }
  if (const Value* api = doc.find("api")) {
    read_api(r, *api, c);
  }
  return c;
}

Config load_config(const std::filesystem::path& path)
{
  return parse_config(read_text_file(path), path.string());
}

std::string default_config_text(std::string_view timezone, bool autocommit)
{
  std::string text(k_default_config);
  const std::string from = "\ntimezone: UTC\n";
  const auto pos = text.find(from);
  if (pos != std::string::npos) {
    text.replace(pos, from.size(), fmt::format("\ntimezone: {}\n", timezone));
  }
  const std::string ac = "\n  autocommit: false\n";
  if (const auto at = text.find(ac); autocommit && at != std::string::npos) {
    text.replace(at, ac.size(), "\n  autocommit: true\n");
  }
  return text;
}

namespace {

std::size_t config_key_distance(std::string_view a, std::string_view b)
{
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

} // namespace

std::vector<UnknownConfigKey> unknown_config_keys(std::string_view text, const std::string& path)
{
  // The fixed sections and what desk reads in each (parse_config above).
  static const std::vector<std::pair<std::string, std::vector<std::string>>> k_known = {
    {"", {"types", "priorities", "impacts", "urgencies", "matrix", "categories", "channels", "sla", "timezone",
          "pending_reasons", "close_after_days", "teams", "vendors", "rules", "defaults", "git", "hooks",
          "mail", "serve", "api"}}, // mail.* is checked key by key as it is read
    {"sla", {"targets", "warning", "calendar", "pause_on"}},
    {"git", {"autocommit"}},
    {"hooks", {"timeout"}},
    {"serve", {"url", "auth", "header", "trusted_proxies", "staff", "max_upload_bytes"}},
    {"api", {"tokens"}},
  };
  std::vector<std::string> all;
  for (const auto& [section, keys] : k_known) {
    for (const auto& k : keys) {
      all.push_back(section.empty() ? k : section + "." + k);
    }
  }
  std::vector<UnknownConfigKey> out;
  const Value doc = parse_yaml(text, path);
  for (const auto& [section, keys] : k_known) {
    const Value* map = section.empty() ? &doc : doc.find(section);
    if (map == nullptr || !map->is_mapping()) {
      continue;
    }
    for (const auto& [key, value] : map->entries) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) {
        continue;
      }
      UnknownConfigKey u;
      u.key = section.empty() ? key : section + "." + key;
      u.line = value.line;
      std::size_t best = 4; // farther than this is no suggestion
      for (const auto& candidate : all) {
        const std::size_t d = config_key_distance(u.key, candidate);
        if (d < best) {
          best = d;
          u.nearest = candidate;
        }
      }
      out.push_back(std::move(u));
    }
  }
  return out;
}

} // namespace desk::storage
