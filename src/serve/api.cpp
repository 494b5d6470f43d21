#include "serve/app.hpp"

#include <desk/model/json.hpp>
#include <desk/ops/ops.hpp>
#include <desk/portal/links.hpp>
#include <desk/query/query.hpp>
#include <desk/util/text.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

#include <set>

namespace desk::serve {

namespace {

using Json = nlohmann::json;
using Handler = std::function<void(const httplib::Request&, httplib::Response&, const ApiToken&)>;

// Fields of a JSON body, read with checks; every field must be known.
class Body {
public:
  Body(Json j, std::set<std::string> known) : m_json(std::move(j))
  {
    for (auto it = m_json.begin(); it != m_json.end(); ++it) {
      if (!known.contains(it.key())) {
        throw UsageError(fmt::format("unknown field '{}' in the request body", it.key()),
                         fmt::format("the fields are: {}", fmt::join(known, ", ")));
      }
    }
  }

  std::string text(const std::string& key) const
  {
    if (!m_json.contains(key) || m_json[key].is_null()) {
      return {};
    }
    if (!m_json[key].is_string()) {
      throw UsageError(fmt::format("field '{}' must be a string", key));
    }
    std::string s = m_json[key].get<std::string>();
    if (s.find('\0') != std::string::npos) {
      throw UsageError(fmt::format("field '{}' contains a NUL character", key));
    }
    return s;
  }

  std::vector<std::string> list(const std::string& key) const
  {
    if (!m_json.contains(key) || m_json[key].is_null()) {
      return {};
    }
    if (m_json[key].is_string()) {
      return {m_json[key].get<std::string>()};
    }
    if (!m_json[key].is_array()) {
      throw UsageError(fmt::format("field '{}' must be a list of strings", key));
    }
    std::vector<std::string> out;
    for (const auto& item : m_json[key]) {
      if (!item.is_string()) {
        throw UsageError(fmt::format("field '{}' must be a list of strings", key));
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  std::optional<int> integer(const std::string& key) const
  {
    if (!m_json.contains(key) || m_json[key].is_null()) {
      return std::nullopt;
    }
    if (!m_json[key].is_number_integer()) {
      throw UsageError(fmt::format("field '{}' must be a whole number", key));
    }
    return m_json[key].get<int>();
  }

  bool flag(const std::string& key) const
  {
    if (!m_json.contains(key) || m_json[key].is_null()) {
      return false;
    }
    if (!m_json[key].is_boolean()) {
      throw UsageError(fmt::format("field '{}' must be true or false", key));
    }
    return m_json[key].get<bool>();
  }

  // [{"name": "...", "content_base64": "..."}] → attachments.
  std::vector<ops::Attachment> files(const std::string& key) const
  {
    std::vector<ops::Attachment> out;
    if (!m_json.contains(key) || m_json[key].is_null()) {
      return out;
    }
    if (!m_json[key].is_array()) {
      throw UsageError(fmt::format("field '{}' must be a list of {{name, content_base64}}", key));
    }
    for (const auto& item : m_json[key]) {
      if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
          !item.contains("content_base64") || !item["content_base64"].is_string()) {
        throw UsageError(fmt::format("each item of '{}' must be {{\"name\": ..., \"content_base64\": ...}}", key));
      }
      std::string b64 = item["content_base64"].get<std::string>();
      // Standard base64 (with padding) as most tools write it, or URL-safe.
      for (char& ch : b64) {
        ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
      }
      while (!b64.empty() && b64.back() == '=') {
        b64.pop_back();
      }
      auto bytes = portal::base64url_decode(b64);
      if (!bytes) {
        throw UsageError(fmt::format("attachment '{}' is not valid base64", item["name"].get<std::string>()));
      }
      ops::Attachment a;
      a.name = item["name"].get<std::string>();
      a.bytes = std::move(*bytes);
      out.push_back(std::move(a));
    }
    return out;
  }

private:
  Json m_json;
};

std::string bearer_of(const httplib::Request& req)
{
  const std::string h = req.get_header_value("Authorization");
  if (h.size() > 7 && text::ascii_lower(h.substr(0, 7)) == "bearer ") {
    return std::string(text::trim(h.substr(7)));
  }
  return {};
}

void api_error(httplib::Response& res, int status, const std::string& kind, const std::string& message,
               const std::string& hint = {})
{
  nlohmann::ordered_json e = {{"kind", kind}, {"message", message}};
  if (!hint.empty()) {
    e["hint"] = hint;
  }
  send_json(res, status, {{"error", e}});
}

// A handler behind a bearer token with `scope`.
httplib::Server::Handler guarded(App& app, std::string scope, Handler handler)
{
  return [&app, scope = std::move(scope), handler = std::move(handler)](const httplib::Request& req,
                                                                        httplib::Response& res) {
    const auto repo = app.repo();
    const ApiToken* token = find_api_token(repo->config(), bearer_of(req));
    if (!token) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"desk\"");
      api_error(res, 401, "unauthorized", "a valid bearer token is required",
                "send Authorization: Bearer TOKEN (make one with `desk serve token add NAME --scope ...`)");
      return;
    }
    if (!has_scope(*token, scope)) {
      api_error(res, 403, "forbidden", fmt::format("token '{}' does not have the scope '{}'", token->name, scope),
                fmt::format("make a token with --scope {}", scope));
      return;
    }
    handler(req, res, *token);
  };
}

// Who acts for a write: the body's "as" (an integration acting for a person), else the token's name.
ops::Call call_of(App& app, const ApiToken& token, const std::string& as)
{
  return ops::Call{as.empty() ? token.name : as, app.now()};
}

nlohmann::ordered_json step_json(const ops::StepResult& r)
{
  nlohmann::ordered_json j = ticket_to_json(r.ticket, true);
  j["summary"] = r.summary;
  if (!r.warnings.empty()) {
    j["warnings"] = r.warnings;
  }
  return j;
}

std::vector<std::string> comma_list(const httplib::Request& req, const std::string& key)
{
  std::vector<std::string> out;
  for (std::size_t i = 0; i < req.get_param_value_count(key); ++i) {
    for (const auto& item : text::split(req.get_param_value(key, i), ',')) {
      if (!text::trim(item).empty()) {
        out.emplace_back(text::trim(item));
      }
    }
  }
  return out;
}

using StepFn = std::function<ops::StepResult(const storage::Repository&, const ops::Call&, const std::string& id,
                                             const Body& body)>;

struct StepRoute {
  std::string name;
  std::set<std::string> fields;
  StepFn run;
};

std::vector<StepRoute> step_routes()
{
  return {
    {"triage",
     {"as", "category", "type", "impact", "urgency", "priority", "reason", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       workflow::TriageRequest r{b.text("category"), b.text("type"),   b.text("impact"), b.text("urgency"),
                                 b.text("priority"), b.text("reason"), b.text("note")};
       return ops::triage(repo, call, id, r);
     }},
    {"assign",
     {"as", "user", "team", "auto", "lead_team", "collaborators", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       workflow::AssignRequest r;
       r.user = b.text("user");
       r.team = b.text("team");
       r.automatic = b.flag("auto");
       r.lead_team = b.text("lead_team");
       r.collaborators = b.list("collaborators");
       r.note = b.text("note");
       return ops::assign(repo, call, id, r);
     }},
    {"escalate",
     {"as", "tier", "vendor", "reason", "user", "team", "notify"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       workflow::EscalateRequest r;
       r.tier = b.integer("tier").value_or(0);
       r.vendor = b.text("vendor");
       r.reason = b.text("reason");
       r.user = b.text("user");
       r.team = b.text("team");
       r.notify = b.flag("notify");
       return ops::escalate(repo, call, id, r);
     }},
    {"start",
     {"as", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::start(repo, call, id, b.text("note"));
     }},
    {"log",
     {"as", "note", "minutes"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::log_work(repo, call, id, b.text("note"), b.integer("minutes").value_or(0));
     }},
    {"pending",
     {"as", "reason", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::pending(repo, call, id, b.text("reason"), b.text("note"));
     }},
    {"resume",
     {"as", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::resume(repo, call, id, b.text("note"));
     }},
    {"resolve",
     {"as", "solution", "cause", "verified_by", "verification", "kb", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       workflow::ResolveRequest r{b.text("solution"), b.text("cause"), b.text("verified_by"),
                                  b.text("verification"), b.text("kb"), b.text("note")};
       return ops::resolve(repo, call, id, r);
     }},
    {"confirm",
     {"as", "rating", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::confirm(repo, call, id, b.integer("rating"), b.text("note"));
     }},
    {"reopen",
     {"as", "why"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::reopen(repo, call, id, b.text("why"));
     }},
    {"close",
     {"as", "note"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::close(repo, call, id, b.text("note"));
     }},
    {"cancel",
     {"as", "reason"},
     [](const auto& repo, const auto& call, const auto& id, const Body& b) {
       return ops::cancel(repo, call, id, b.text("reason"));
     }},
  };
}

} // namespace

void add_api_routes(httplib::Server& server, App& app)
{
  server.Post("/api/v1/tickets", guarded(app, "open", [&app](const auto& req, auto& res, const ApiToken& token) {
    const Body b(json_body(req), {"as", "type", "title", "description", "reporter", "department", "contact",
                                  "channel", "affected", "impact", "urgency", "occurred_at", "steps", "error",
                                  "dedup_key", "external_id", "email", "attachments"});
    workflow::OpenRequest r;
    r.type = b.text("type");
    r.title = b.text("title");
    r.description = b.text("description");
    r.reporter = b.text("reporter");
    r.department = b.text("department");
    r.contact = b.text("contact");
    r.channel = b.text("channel");
    r.affected = b.list("affected");
    r.impact = b.text("impact");
    r.urgency = b.text("urgency");
    r.occurred_at = b.text("occurred_at");
    r.steps = b.text("steps");
    r.error = b.text("error");
    r.dedup_key = b.text("dedup_key");
    r.external_id = b.text("external_id");
    r.email = b.text("email");
    if (!r.email.empty() && !is_mail_address(r.email)) {
      throw UsageError(fmt::format("email '{}' is not a mail address", r.email));
    }
    const auto repo = app.repo();
    const ops::StepResult result = ops::open(*repo, call_of(app, token, b.text("as")), r, b.files("attachments"));
    auto j = step_json(result);
    if (!result.changed) {
      j["deduplicated"] = true;
    }
    res.set_header("Location", "/api/v1/tickets/" + result.ticket.id());
    send_json(res, result.changed ? 201 : 200, j);
  }));

  server.Get(R"(/api/v1/tickets/([^/]+))", guarded(app, "read", [&app](const auto& req, auto& res, const ApiToken&) {
    const auto repo = app.repo();
    // A whole id from the directory (no listing of month folders); else any abbreviation.
    const std::string id = req.matches[1].str();
    const auto entry = app.directory().find(id);
    const auto ref = entry ? storage::TicketRef{entry->id, entry->path} : repo->tickets().resolve(id);
    send_json(res, 200, ticket_to_json(repo->tickets().load(ref), true));
  }));

  server.Get("/api/v1/tickets", guarded(app, "read", [&app](const auto& req, auto& res, const ApiToken&) {
    const auto repo = app.repo();
    const Config& c = repo->config();
    for (const auto& [key, value] : req.params) {
      static const std::set<std::string> k_known = {"status", "assignee", "team", "type", "priority", "category",
                                                    "channel", "since", "until", "scope", "limit"};
      if (!k_known.contains(key)) {
        throw UsageError(fmt::format("unknown parameter '{}'", key),
                         fmt::format("the parameters are: {}", fmt::join(k_known, ", ")));
      }
    }
    query::Filter f;
    f.status = comma_list(req, "status");
    for (const auto& s : f.status) {
      if (!workflow::parse_status(s)) {
        throw UsageError(fmt::format("unknown status '{}'", s));
      }
    }
    f.assignee = comma_list(req, "assignee");
    f.team = comma_list(req, "team");
    f.type = comma_list(req, "type");
    f.priority = comma_list(req, "priority");
    f.category = comma_list(req, "category");
    f.channel = comma_list(req, "channel");
    const std::string scope = req.get_param_value("scope");
    f.scope = scope == "all" || !f.status.empty() ? query::Scope::all
              : scope == "closed"                 ? query::Scope::closed
                                                  : query::Scope::open;
    if (!scope.empty() && scope != "all" && scope != "open" && scope != "closed") {
      throw UsageError(fmt::format("scope '{}': use open, closed or all", scope));
    }
    const auto* zone = find_zone(c.timezone);
    if (req.has_param("since")) {
      f.created_since = parse_timestamp_or_throw(req.get_param_value("since"), zone, "since");
    }
    if (req.has_param("until")) {
      f.created_until = parse_timestamp_or_throw(req.get_param_value("until"), zone, "until");
    }
    std::size_t limit = 0;
    if (req.has_param("limit")) {
      const std::string l = req.get_param_value("limit");
      if (l.empty() || l.size() > 9 || l.find_first_not_of("0123456789") != std::string::npos) {
        throw UsageError(fmt::format("limit '{}' must be a whole number", l));
      }
      limit = std::stoul(l);
    }
    std::vector<storage::LoadProblem> problems;
    storage::Selection selection;
    selection.keep = [&f](const Ticket& t) { return f.matches(t); };
    selection.keep_brief = [&f](const TicketBrief& brief) { return f.matches_brief(brief); };
    selection.events = false;
    std::vector<Ticket> tickets = repo->tickets().load_all(problems, selection);
    query::sort_tickets(tickets, query::parse_sort("priority,created"));
    if (limit > 0 && tickets.size() > limit) {
      tickets.resize(limit);
    }
    auto arr = nlohmann::ordered_json::array();
    for (const auto& t : tickets) {
      arr.push_back(ticket_to_json(t, false));
    }
    send_json(res, 200, arr);
  }));

  server.Post(R"(/api/v1/tickets/([^/]+)/messages)",
              guarded(app, "message", [&app](const auto& req, auto& res, const ApiToken&) {
                const Body b(json_body(req), {"from", "name", "text", "message_id", "channel", "attachments"});
                ops::MessageRequest m;
                m.name = b.text("name");
                m.text = b.text("text");
                m.message_id = b.text("message_id");
                m.channel = b.text("channel");
                m.files = b.files("attachments");
                const std::string from = b.text("from");
                if (from.empty() || !is_mail_address(from)) {
                  throw UsageError("field 'from' must be the requester's mail address");
                }
                const auto repo = app.repo();
                // The requester is the actor of their message.
                const auto r = ops::message(*repo, ops::Call{lower_address(from), app.now()}, req.matches[1].str(), m);
                auto j = step_json(r);
                if (!r.changed) {
                  j["duplicate"] = true;
                }
                send_json(res, r.changed ? 201 : 200, j);
              }));

  server.Post(R"(/api/v1/tickets/([^/]+)/replies)",
              guarded(app, "reply", [&app](const auto& req, auto& res, const ApiToken& token) {
                const Body b(json_body(req), {"as", "text", "eta", "attachments"});
                ops::ReplyRequest r;
                r.text = b.text("text");
                r.eta = b.text("eta");
                r.files = b.files("attachments");
                const auto repo = app.repo();
                send_json(res, 201, step_json(ops::reply(*repo, call_of(app, token, b.text("as")), req.matches[1].str(), r)));
              }));

  for (auto& step : step_routes()) {
    server.Post(fmt::format(R"(/api/v1/tickets/([^/]+)/{})", step.name),
                guarded(app, "workflow", [&app, step](const auto& req, auto& res, const ApiToken& token) {
                  const Body b(json_body(req), step.fields);
                  const auto repo = app.repo();
                  send_json(res, 200,
                            step_json(step.run(*repo, call_of(app, token, b.text("as")), req.matches[1].str(), b)));
                }));
  }

  server.Get(R"(/api/v1/.*)", [](const httplib::Request& req, httplib::Response& res) {
    api_error(res, 404, "not_found", fmt::format("no such API resource: {}", text::one_line(req.path)));
  });
}

} // namespace desk::serve
