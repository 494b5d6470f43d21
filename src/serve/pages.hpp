#pragma once

#include "serve/app.hpp"

#include <optional>
#include <string>

// What every portal page needs to know of its request: language, who is signed in, the
// anti-forgery token of its forms; and the answers pages give.
namespace desk::serve {

// The request as the portal sees it.
struct Visitor {
  std::string lang;
  std::string email; // signed in (session or trusted header); empty when not
  std::string sid;   // the session's id (mail sign-in)
  bool staff = false;
  std::string csrf_seed;
  std::string csrf; // the token forms carry
};

// Read cookies and headers (setting the anti-forgery and language cookies when missing).
Visitor visit(App& app, const httplib::Request& req, httplib::Response& res);

// The value of cookie `name` ("" when absent).
std::string cookie(const httplib::Request& req, std::string_view name);

// A Set-Cookie header: Path=/, HttpOnly, SameSite=Lax, Secure when serve.url is https.
void set_cookie(App& app, httplib::Response& res, std::string_view name, std::string_view value,
                std::chrono::seconds max_age);

// Render a page with the visitor's common context (user, staff, csrf).
void send_page(App& app, const Visitor& v, httplib::Response& res, int status, const std::string& name,
               nlohmann::json context);

// An error page with a message (escaped like every text).
void send_error_page(App& app, const Visitor& v, httplib::Response& res, int status, const std::string& message);

// Redirect with 303 See Other.
void redirect(httplib::Response& res, const std::string& to);

// A form field (urlencoded or multipart).
std::string form_field(const httplib::Request& req, const std::string& name);

// False (and a 403 page sent) when the form's CSRF token is wrong.
bool check_form(App& app, const Visitor& v, const httplib::Request& req, httplib::Response& res);

// Percent-encoding of everything but unreserved characters (RFC 3986), for a path segment.
std::string url_encode(std::string_view s);

// `iso` as "YYYY-MM-DD HH:MM" in the repository's zone, "" when empty or not a time.
std::string local_time(const Config& config, std::string_view iso);

} // namespace desk::serve
