#include "serve/pages.hpp"

#include <desk/portal/headers.hpp>

#include <desk/portal/links.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace desk::serve {

namespace {

constexpr std::string_view k_csrf_cookie = "desk_csrf";
constexpr std::string_view k_session_cookie = "desk_session";
constexpr std::string_view k_lang_cookie = "desk_lang";

bool trusted_proxy(const Config& c, const std::string& addr)
{
  return std::find(c.serve.trusted_proxies.begin(), c.serve.trusted_proxies.end(), addr) !=
         c.serve.trusted_proxies.end();
}

} // namespace

std::string cookie(const httplib::Request& req, std::string_view name)
{
  for (std::size_t i = 0; i < req.get_header_value_count("Cookie"); ++i) {
    if (std::string value = portal::cookie_value(req.get_header_value("Cookie", i), name); !value.empty()) {
      return value;
    }
  }
  return {};
}

void set_cookie(App& app, httplib::Response& res, std::string_view name, std::string_view value,
                std::chrono::seconds max_age)
{
  const bool secure = app.repo()->config().serve.url.starts_with("https://");
  res.set_header("Set-Cookie", fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}", name, value,
                                           max_age.count(), secure ? "; Secure" : ""));
}

Visitor visit(App& app, const httplib::Request& req, httplib::Response& res)
{
  Visitor v;
  const auto repo = app.repo();
  const Config& c = repo->config();
  // Language: ?lang= (remembered), the cookie, else Accept-Language.
  const std::string asked = req.get_param_value("lang");
  const auto& langs = languages();
  if (std::find(langs.begin(), langs.end(), asked) != langs.end()) {
    v.lang = asked;
    set_cookie(app, res, k_lang_cookie, asked, std::chrono::hours(24 * 365));
  } else if (const std::string saved = cookie(req, k_lang_cookie);
             std::find(langs.begin(), langs.end(), saved) != langs.end()) {
    v.lang = saved;
  } else {
    v.lang = pick_language(req.get_header_value("Accept-Language"));
  }
  // Who: the trusted proxy's header, else the session cookie.
  if (c.serve.auth == PortalAuth::header) {
    if (trusted_proxy(c, req.remote_addr)) {
      const std::string who(text::trim(req.get_header_value(c.serve.header.c_str())));
      if (!who.empty() && who.size() <= 254 && text::is_valid_utf8(who) &&
          who.find_first_of("\r\n") == std::string::npos) {
        v.email = lower_address(who);
      }
    }
  } else if (const std::string value = cookie(req, k_session_cookie); !value.empty()) {
    if (const auto s = app.auth().read_session(value, app.now())) {
      v.email = s->email;
      v.sid = s->sid;
    }
  }
  v.staff = !v.email.empty() && is_staff(c, v.email);
  v.csrf_seed = cookie(req, k_csrf_cookie);
  if (v.csrf_seed.size() < 16 || v.csrf_seed.size() > 64) {
    v.csrf_seed = portal::base64url(portal::random_bytes(18));
    set_cookie(app, res, k_csrf_cookie, v.csrf_seed, std::chrono::hours(24 * 365));
  }
  v.csrf = app.auth().csrf_token(v.csrf_seed);
  return v;
}

void send_page(App& app, const Visitor& v, httplib::Response& res, int status, const std::string& name,
               nlohmann::json context)
{
  if (!v.email.empty()) {
    context["user"] = v.email;
  }
  context["staff"] = v.staff;
  context["csrf"] = v.csrf;
  context["mail_auth"] = app.repo()->config().serve.auth == PortalAuth::mail;
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(app.renderer()->page(v.lang, name, std::move(context)), "text/html; charset=utf-8");
}

void send_error_page(App& app, const Visitor& v, httplib::Response& res, int status, const std::string& message)
{
  send_page(app, v, res, status, "error", {{"title", app.renderer()->word(v.lang, "error_title")}, {"message", message}});
}

void redirect(httplib::Response& res, const std::string& to)
{
  res.status = 303;
  res.set_header("Location", to);
}

std::string form_field(const httplib::Request& req, const std::string& name)
{
  if (req.is_multipart_form_data()) {
    const auto it = req.files.find(name);
    return it == req.files.end() || !it->second.filename.empty() ? std::string() : it->second.content;
  }
  return req.get_param_value(name.c_str());
}

bool check_form(App& app, const Visitor& v, const httplib::Request& req, httplib::Response& res)
{
  if (app.auth().check_csrf(v.csrf_seed, form_field(req, "csrf"))) {
    return true;
  }
  send_error_page(app, v, res, 403, app.renderer()->word(v.lang, "csrf_failed"));
  return false;
}

std::string url_encode(std::string_view s)
{
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || ch == '-' || ch == '.' || ch == '_' || ch == '~') {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string local_time(const Config& config, std::string_view iso)
{
  if (iso.empty()) {
    return {};
  }
  const auto* zone = find_zone(config.timezone);
  const auto t = parse_timestamp(iso, zone);
  return t ? format_local_minutes(*t, zone) : std::string();
}

} // namespace desk::serve
