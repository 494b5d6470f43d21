#include "serve/pages.hpp"
#include "serve/signin_mail.hpp"

#include <desk/kb/kb_store.hpp>
#include <desk/kb/search.hpp>
#include <desk/ops/ops.hpp>
#include <desk/portal/links.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/text.hpp>
#include <desk/workflow/transitions.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::serve {

namespace {

using Json = nlohmann::json;

// The ratings a requester may give, as the confirmation form offers them.
Json rating_choices()
{
  Json out = Json::array();
  for (int n = workflow::k_rating_min; n <= workflow::k_rating_max; ++n) {
    out.push_back(std::to_string(n));
  }
  return out;
}

// The intake fields of the new-request form, as given.
const std::vector<std::string> k_intake_fields = {"title",    "description", "occurred_at", "steps",  "error",
                                                  "affected", "impact",      "urgency",     "reporter", "department",
                                                  "contact"};

// A ticket of the signed-in requester, or nullopt (answered 404 by the caller: whether it
// exists is none of another requester's business).
std::optional<Ticket> own_ticket(App& app, const Visitor& v, const std::string& id)
{
  if (v.email.empty()) {
    return std::nullopt;
  }
  const auto entry = app.directory().find(id);
  if (!entry || entry->email != v.email) {
    return std::nullopt;
  }
  try {
    Ticket t = app.repo()->tickets().load(storage::TicketRef{entry->id, entry->path});
    if (lower_address(t.get("email")) != v.email) {
      return std::nullopt;
    }
    return t;
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool require_signin(App& app, const Visitor& v, httplib::Response& res)
{
  if (!v.email.empty()) {
    return true;
  }
  if (app.repo()->config().serve.auth == PortalAuth::header) {
    send_error_page(app, v, res, 401, app.renderer()->word(v.lang, "header_missing"));
  } else {
    redirect(res, "/signin");
  }
  return false;
}

void not_found(App& app, const Visitor& v, httplib::Response& res)
{
  send_error_page(app, v, res, 404, app.renderer()->word(v.lang, "not_found"));
}

std::vector<ops::Attachment> uploaded_files(const httplib::Request& req, const std::string& field)
{
  std::vector<ops::Attachment> out;
  const auto range = req.files.equal_range(field);
  for (auto it = range.first; it != range.second; ++it) {
    if (it->second.filename.empty() && it->second.content.empty()) {
      continue; // an empty file input
    }
    ops::Attachment a;
    a.name = it->second.filename;
    a.bytes = it->second.content;
    out.push_back(std::move(a));
  }
  return out;
}

Json status_json(const Renderer& r, const std::string& lang, const std::string& status)
{
  return {{"code", status}, {"label", r.word(lang, "status." + status)}};
}

// The public history: what the requester and the desk said, and the status changes
// (never work logs, internal notes or who-assigned-whom).
Json public_history(const Renderer& r, const Visitor& v, const Config& c, const Ticket& t)
{
  Json out = Json::array();
  for (const auto& e : t.events()) {
    // Every key a history item's template asks for is set, so none is taken from the page.
    Json item = {{"at", local_time(c, e.at)}, {"text", ""}, {"status", ""}, {"rating", ""}, {"eta", ""}};
    const bool own = lower_address(e.by) == v.email;
    item["who"] = own ? r.word(v.lang, "you") : r.word(v.lang, "service_desk");
    if (e.action == "open") {
      item["what"] = r.word(v.lang, "event.open");
    } else if (e.action == "reply") {
      item["what"] = r.word(v.lang, "event.reply");
      item["text"] = e.note;
      if (const Value* eta = e.set.find("eta"); eta && !eta->str().empty()) {
        item["eta"] = local_time(c, eta->str());
      }
    } else if (e.action == "message") {
      item["what"] = r.word(v.lang, "event.message");
      item["text"] = e.note;
    } else if (const Value* st = e.set.find("status"); st && !st->str().empty()) {
      item["what"] = r.word(v.lang, "event.status");
      item["status"] = r.word(v.lang, "status." + st->str());
      if (e.action == "confirm") {
        if (const Value* rating = e.set.find("rating"); rating && !rating->str().empty()) {
          item["rating"] = rating->str();
        }
      }
    } else {
      continue;
    }
    out.push_back(std::move(item));
  }
  return out;
}

// Text with the search marks, as pieces a template wraps in <mark> (escaped like any text).
Json snippet_pieces(const kb::Snippet& s)
{
  Json out = Json::array();
  std::size_t at = 0;
  for (const auto& [from, to] : s.marks) {
    if (from > at) {
      out.push_back({{"text", s.text.substr(at, from - at)}, {"mark", false}});
    }
    out.push_back({{"text", s.text.substr(from, to - from)}, {"mark", true}});
    at = to;
  }
  if (at < s.text.size()) {
    out.push_back({{"text", s.text.substr(at)}, {"mark", false}});
  }
  return out;
}

kb::SearchOptions public_search(std::size_t limit)
{
  kb::SearchOptions o;
  o.filter.states = {kb::State::validated};
  o.filter.audiences = {kb::Audience::public_};
  o.limit = limit;
  return o;
}

Json hits_json(const kb::SearchResult& r)
{
  Json out = Json::array();
  for (const auto& h : r.hits) {
    out.push_back({{"id", h.article.id()}, {"title", h.article.title()}, {"snippet", snippet_pieces(h.snippet)}});
  }
  return out;
}

// KB suggestions for what a requester typed (title, description, error): public,
// validated articles, ranked as `desk open` suggests.
Json suggestions_for(App& app, const std::string& title, const std::string& description, const std::string& error)
{
  Ticket probe;
  probe.set("title", title);
  probe.set("description", description);
  probe.set("error", error);
  const auto terms = kb::ticket_terms(probe);
  if (terms.empty()) {
    return Json::array();
  }
  kb::SearchOptions o = public_search(3);
  o.min_score = kb::k_min_suggestion_score;
  o.relative_min = kb::k_relative_suggestion_score;
  return hits_json(app.kb().search(terms, o));
}

Json choices(const std::vector<std::string>& values, const std::string& selected, const Renderer& r,
             const std::string& lang, const std::string& prefix)
{
  Json out = Json::array();
  for (const auto& value : values) {
    out.push_back({{"value", value}, {"label", r.word(lang, prefix + value)}, {"selected", value == selected}});
  }
  return out;
}

void show_new_form(App& app, const Visitor& v, const httplib::Request& req, httplib::Response& res, int status,
                   const std::string& problem)
{
  const auto repo = app.repo();
  const auto& c = repo->config();
  const auto r = app.renderer();
  Json form = Json::object();
  for (const auto& f : k_intake_fields) {
    form[f] = form_field(req, f);
  }
  const std::string impact = form["impact"].get<std::string>().empty() ? c.default_impact : form["impact"].get<std::string>();
  const std::string urgency =
    form["urgency"].get<std::string>().empty() ? c.default_urgency : form["urgency"].get<std::string>();
  Json ctx = {{"title", r->word(v.lang, "new_request")},
              {"form", form},
              {"impacts", choices(c.impacts, impact, *r, v.lang, "impact.")},
              {"urgencies", choices(c.urgencies, urgency, *r, v.lang, "urgency.")},
              {"max_upload_mib", fmt::format("{:.1f}", static_cast<double>(c.serve.max_upload_bytes) / 1048576.0)}};
  if (!problem.empty()) {
    ctx["problem"] = problem;
  }
  const std::string title = form["title"].get<std::string>();
  if (!text::trim(title).empty()) {
    try {
      ctx["suggestions"] = suggestions_for(app, title, form["description"].get<std::string>(),
                                           form["error"].get<std::string>());
      ctx["searched"] = true;
    } catch (const Error&) {
      // Nothing searchable in what was typed: no suggestions.
    }
  }
  send_page(app, v, res, status, "new", std::move(ctx));
}

// Download one attachment of a ticket: a plain file name listed in the ticket's folder,
// opened without following links, never a path out of it.
void send_attachment(App& app, const Visitor& v, const Ticket& t, const std::string& name, httplib::Response& res)
{
  const auto entry = app.directory().find(t.id());
  if (!entry || name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos || name.starts_with(".")) {
    return not_found(app, v, res);
  }
  const fs::path dir = storage::TicketStore::attachments_dir(storage::TicketRef{entry->id, entry->path});
  const fs::path path = dir / name;
  std::error_code ec;
  const fs::path real_dir = fs::canonical(dir, ec);
  if (ec || fs::weakly_canonical(path, ec).parent_path() != real_dir || ec) {
    return not_found(app, v, res);
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return not_found(app, v, res);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return not_found(app, v, res);
  }
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n <= 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  const std::string lower = text::ascii_lower(name);
  std::string type = "application/octet-stream";
  bool inline_ok = false;
  for (const auto& [ext, mime] : {std::pair{".png", "image/png"}, std::pair{".jpg", "image/jpeg"},
                                  std::pair{".jpeg", "image/jpeg"}, std::pair{".gif", "image/gif"},
                                  std::pair{".txt", "text/plain; charset=utf-8"}, std::pair{".log", "text/plain; charset=utf-8"}}) {
    if (lower.ends_with(ext)) {
      type = mime;
      inline_ok = true;
    }
  }
  // Attachments come from anyone: shown inline only as images or plain text, never as a page.
  res.set_header("Content-Disposition",
                 fmt::format("{}; filename*=UTF-8''{}", inline_ok ? "inline" : "attachment",
                             url_encode(name)));
  res.set_header("Content-Security-Policy", "default-src 'none'; img-src 'self'; sandbox");
  res.set_content(std::move(bytes), type.c_str());
}

void show_ticket(App& app, const Visitor& v, const Ticket& t, httplib::Response& res, const std::string& flash)
{
  const auto repo = app.repo();
  const auto& c = repo->config();
  const auto r = app.renderer();
  Json files = Json::array();
  std::set<std::string> seen;
  auto add_file = [&](const std::string& name) {
    if (!name.empty() && seen.insert(name).second) {
      files.push_back({{"name", name}, {"url", fmt::format("/requests/{}/files/{}", t.id(), url_encode(name))}});
    }
  };
  for (const auto& name : t.get_list("attachments")) {
    add_file(name);
  }
  for (const auto& e : t.events()) {
    if (e.action == "reply" || e.action == "message" || e.action == "open") {
      for (const char* key : {"attachments", "files"}) {
        if (const Value* list = e.extra.find(key)) {
          for (const auto& name : list->strings()) {
            add_file(name);
          }
        }
        if (const Value* list = e.set.find(key)) {
          for (const auto& name : list->strings()) {
            add_file(name);
          }
        }
      }
    }
  }
  const auto st = workflow::parse_status(t.status());
  Json ctx = {{"title", t.get("title")},
              {"id", t.id()},
              {"ticket_title", t.get("title")},
              {"status", status_json(*r, v.lang, t.status())},
              {"created", local_time(c, t.get("created"))},
              {"updated", local_time(c, t.get("updated"))},
              {"eta", local_time(c, t.get("eta"))},
              {"description", t.get("description")},
              // What was done, once it is resolved (stage 4: the requester checks it in real work).
              {"solution", st && (*st == workflow::Status::resolved || workflow::is_final(*st)) ? t.get("solution") : ""},
              {"history", public_history(*r, v, c, t)},
              {"files", files},
              {"has_files", !files.empty()},
              {"can_confirm", st == workflow::Status::resolved},
              {"is_final", st && workflow::is_final(*st)},
              {"ratings", rating_choices()}};
  if (!flash.empty()) {
    ctx["flash"] = flash;
  }
  send_page(app, v, res, 200, "ticket", std::move(ctx));
}

void send_signin_mail(App& app, const Visitor& v, const std::string& email)
{
  const auto repo = app.repo();
  const auto r = app.renderer();
  const std::string link =
    fmt::format("{}/signin/confirm?k={}", app.base_url(), app.auth().signin_token(email, app.now()));
  const std::string body = fmt::format(fmt::runtime(r->word(v.lang, "signin_mail_body")), fmt::arg("link", link),
                                       fmt::arg("minutes", portal::k_signin_lifetime.count()));
  mail_signin_link(repo->config(), email, r->word(v.lang, "signin_mail_subject"), body, app.now());
}

} // namespace

void add_portal_routes(httplib::Server& server, App& app)
{
  server.Get("/", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    redirect(res, v.email.empty() ? "/signin" : "/requests");
  });

  server.Get("/signin", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    send_page(app, v, res, 200, "signin", {{"title", app.renderer()->word(v.lang, "sign_in")}});
  });

  server.Post("/signin", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!check_form(app, v, req, res)) {
      return;
    }
    const auto r = app.renderer();
    if (app.repo()->config().serve.auth != PortalAuth::mail) {
      return send_error_page(app, v, res, 400, r->word(v.lang, "header_missing"));
    }
    const std::string email = lower_address(form_field(req, "email"));
    if (!is_mail_address(email)) {
      return send_page(app, v, res, 400, "signin",
                       {{"title", r->word(v.lang, "sign_in")}, {"problem", r->word(v.lang, "bad_address")},
                        {"email", form_field(req, "email")}});
    }
    if (!app.auth().allow_signin(req.remote_addr, email, app.now())) {
      res.set_header("Retry-After", "900");
      return send_error_page(app, v, res, 429, r->word(v.lang, "too_many_signins"));
    }
    try {
      send_signin_mail(app, v, email);
    } catch (const Error& e) {
      // The visitor learns only that it failed; the operator reads why on stderr.
      const std::string line = fmt::format("desk serve: error: {}{}{}\n", e.what(), e.hint().empty() ? "" : "; ",
                                           e.hint());
      std::fwrite(line.data(), 1, line.size(), stderr);
      res.set_header("Retry-After", "300");
      return send_error_page(app, v, res, 503, r->word(v.lang, "signin_mail_failed"));
    }
    send_page(app, v, res, 200, "signin_sent", {{"title", r->word(v.lang, "sign_in")}, {"email", email}});
  });

  // The link in the mail shows a button: a mail scanner that fetches links does not use it up.
  server.Get("/signin/confirm", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    send_page(app, v, res, 200, "signin_confirm",
              {{"title", app.renderer()->word(v.lang, "sign_in")}, {"token", req.get_param_value("k")}});
  });

  server.Post("/signin/confirm", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!check_form(app, v, req, res)) {
      return;
    }
    const auto email = app.auth().redeem_signin(form_field(req, "k"), app.now());
    if (!email) {
      return send_error_page(app, v, res, 403, app.renderer()->word(v.lang, "bad_link"));
    }
    set_cookie(app, res, "desk_session", app.auth().new_session(*email, app.now()),
               std::chrono::duration_cast<std::chrono::seconds>(k_session_lifetime));
    redirect(res, "/requests");
  });

  server.Post("/signout", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!check_form(app, v, req, res)) {
      return;
    }
    if (!v.sid.empty()) {
      app.auth().revoke(v.sid);
    }
    set_cookie(app, res, "desk_session", "", std::chrono::seconds(0));
    redirect(res, "/signin");
  });

  // A link from a notification mail: signed for one ticket and its requester.
  server.Get(R"(/t/([A-Za-z0-9-]+))", [&app](const httplib::Request& req, httplib::Response& res) {
    Visitor v = visit(app, req, res);
    const auto link = portal::read_ticket_token(app.auth().secret(), req.get_param_value("k"), app.now());
    if (!link || link->ticket != req.matches[1].str()) {
      return send_error_page(app, v, res, 403, app.renderer()->word(v.lang, "bad_link"));
    }
    if (v.email != lower_address(link->email)) {
      set_cookie(app, res, "desk_session", app.auth().new_session(lower_address(link->email), app.now()),
                 std::chrono::duration_cast<std::chrono::seconds>(k_session_lifetime));
    }
    redirect(res, fmt::format("/requests/{}{}", link->ticket,
                              link->action == "confirm" || link->action == "reopen" ? "#confirm" : ""));
  });

  server.Get("/requests", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!require_signin(app, v, res)) {
      return;
    }
    const auto repo = app.repo();
    const auto r = app.renderer();
    Json items = Json::array();
    for (const auto& e : app.directory().of_requester(v.email)) {
      items.push_back({{"id", e.id},
                       {"title", e.title},
                       {"status", status_json(*r, v.lang, e.status)},
                       {"eta", local_time(repo->config(), e.eta)},
                       {"updated", local_time(repo->config(), e.updated)},
                       {"created", local_time(repo->config(), e.created)}});
    }
    send_page(app, v, res, 200, "requests",
              {{"title", r->word(v.lang, "my_requests")}, {"requests", items}, {"none", items.empty()}});
  });

  server.Get("/new", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!require_signin(app, v, res)) {
      return;
    }
    show_new_form(app, v, req, res, 200, {});
  });

  server.Post("/new", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!require_signin(app, v, res) || !check_form(app, v, req, res)) {
      return;
    }
    workflow::OpenRequest r;
    r.title = std::string(text::trim(form_field(req, "title")));
    r.description = form_field(req, "description");
    r.occurred_at = std::string(text::trim(form_field(req, "occurred_at")));
    r.steps = form_field(req, "steps");
    r.error = form_field(req, "error");
    for (const auto& a : text::split(form_field(req, "affected"), ',')) {
      if (!text::trim(a).empty()) {
        r.affected.emplace_back(text::trim(a));
      }
    }
    r.impact = form_field(req, "impact");
    r.urgency = form_field(req, "urgency");
    r.reporter = std::string(text::trim(form_field(req, "reporter")));
    r.department = std::string(text::trim(form_field(req, "department")));
    r.contact = std::string(text::trim(form_field(req, "contact")));
    r.channel = "portal";
    r.email = v.email;
    // A datetime-local input gives "2026-11-27T09:30": seconds are added, the zone is the desk's.
    if (r.occurred_at.size() == 16 && r.occurred_at[10] == 'T') {
      r.occurred_at += ":00";
    }
    for (std::string* s : {&r.title, &r.description, &r.steps, &r.error}) {
      if (!text::is_valid_utf8(*s) || s->find('\0') != std::string::npos) {
        return show_new_form(app, v, req, res, 400, app.renderer()->word(v.lang, "bad_text"));
      }
      // Browsers send CR LF line breaks; files keep LF.
      std::erase(*s, '\r');
    }
    try {
      const auto repo = app.repo();
      const auto result = ops::open(*repo, ops::Call{v.email, app.now()}, r, uploaded_files(req, "files"));
      redirect(res, "/requests/" + result.ticket.id());
    } catch (const UsageError& e) {
      show_new_form(app, v, req, res, 400, e.what());
    }
  });

  server.Get(R"(/requests/([A-Za-z0-9-]+))", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!require_signin(app, v, res)) {
      return;
    }
    const auto t = own_ticket(app, v, req.matches[1].str());
    if (!t) {
      return not_found(app, v, res);
    }
    show_ticket(app, v, *t, res, req.has_param("done") ? app.renderer()->word(v.lang, "saved") : std::string());
  });

  server.Get(R"(/requests/([A-Za-z0-9-]+)/files/(.+))", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    if (!require_signin(app, v, res)) {
      return;
    }
    const auto t = own_ticket(app, v, req.matches[1].str());
    if (!t) {
      return not_found(app, v, res);
    }
    send_attachment(app, v, *t, httplib::detail::decode_url(req.matches[2].str(), false), res);
  });

  // The requester's answers: a message, a confirmation with a rating, or "not fixed".
  auto answer = [&app](const std::string& what) {
    return [&app, what](const httplib::Request& req, httplib::Response& res) {
      const Visitor v = visit(app, req, res);
      if (!require_signin(app, v, res) || !check_form(app, v, req, res)) {
        return;
      }
      const auto t = own_ticket(app, v, req.matches[1].str());
      if (!t) {
        return not_found(app, v, res);
      }
      const auto repo = app.repo();
      const ops::Call call{v.email, app.now()};
      std::string text = form_field(req, what == "reopen" ? "why" : what == "confirm" ? "note" : "text");
      std::erase(text, '\r');
      if (!text::is_valid_utf8(text) || text.find('\0') != std::string::npos) {
        return send_error_page(app, v, res, 400, app.renderer()->word(v.lang, "bad_text"));
      }
      try {
        std::string id = t->id();
        if (what == "message") {
          ops::MessageRequest m;
          m.text = text;
          m.channel = "portal";
          m.files = uploaded_files(req, "files");
          id = ops::message(*repo, call, t->id(), m).ticket.id();
        } else if (what == "confirm") {
          const std::string rating = form_field(req, "rating");
          std::optional<int> stars;
          if (!rating.empty()) {
            const int n = rating.size() == 1 && rating[0] >= '0' && rating[0] <= '9' ? rating[0] - '0' : -1;
            if (n < workflow::k_rating_min || n > workflow::k_rating_max) {
              return send_error_page(app, v, res, 400, app.renderer()->word(v.lang, "bad_rating"));
            }
            stars = n;
          }
          ops::confirm(*repo, call, t->id(), stars, text);
        } else {
          ops::reopen(*repo, call, t->id(), text);
        }
        redirect(res, fmt::format("/requests/{}?done=1", id));
      } catch (const InvalidTransitionError& e) {
        send_error_page(app, v, res, 409, e.what());
      } catch (const UsageError& e) {
        send_error_page(app, v, res, 400, e.what());
      }
    };
  };
  server.Post(R"(/requests/([A-Za-z0-9-]+)/reply)", answer("message"));
  server.Post(R"(/requests/([A-Za-z0-9-]+)/confirm)", answer("confirm"));
  server.Post(R"(/requests/([A-Za-z0-9-]+)/reopen)", answer("reopen"));

  server.Get("/kb", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    const auto r = app.renderer();
    const std::string q = req.get_param_value("q");
    Json ctx = {{"title", r->word(v.lang, "kb")}, {"q", q}};
    if (!text::trim(q).empty()) {
      try {
        ctx["hits"] = hits_json(app.kb().search(kb::query_terms(q), public_search(20)));
        ctx["searched"] = true;
        ctx["none"] = ctx["hits"].empty();
      } catch (const UsageError& e) {
        ctx["problem"] = e.what();
      }
    }
    send_page(app, v, res, 200, "kb", std::move(ctx));
  });

  server.Get(R"(/kb/(KB-[A-Za-z0-9]+))", [&app](const httplib::Request& req, httplib::Response& res) {
    const Visitor v = visit(app, req, res);
    const kb::KbStore store(app.root());
    const fs::path path = store.path_for(req.matches[1].str());
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      return not_found(app, v, res);
    }
    kb::Article a;
    try {
      a = store.load(kb::ArticleRef{req.matches[1].str(), path});
    } catch (const Error&) {
      return not_found(app, v, res);
    }
    // Only what the self-service site may show: validated and public.
    if (a.state() != kb::State::validated || a.audience() != kb::Audience::public_) {
      return not_found(app, v, res);
    }
    Json sections = Json::array();
    for (const char* f : {"symptoms", "error", "cause", "solution"}) {
      if (!a.get(f).empty()) {
        sections.push_back({{"heading", app.renderer()->word(v.lang, std::string("article.") + f)}, {"text", a.get(f)}});
      }
    }
    send_page(app, v, res, 200, "article",
              {{"title", a.title()}, {"id", a.id()}, {"article_title", a.title()}, {"sections", sections},
               {"updated", local_time(app.repo()->config(), a.get("updated"))}});
  });
}

} // namespace desk::serve
