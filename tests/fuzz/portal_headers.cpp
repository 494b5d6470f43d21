// The request headers desk serve reads itself, as any client may send them: Cookie
// (the session, the CSRF seed, the language) and Accept-Language. Whatever the bytes, a
// cookie's value is one trimmed piece of the header without ';', and the language is one
// the portal offers.
#include "fuzz_support.hpp"

#include <desk/portal/headers.hpp>

#include <algorithm>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  namespace portal = desk::portal;
  const auto parts = desk::fuzz::split_parts(desk::fuzz::as_text(data, size), 2);
  const std::string_view header = parts[0];
  const std::string_view name = parts[1].empty() ? std::string_view("desk_session") : parts[1];

  const std::string value = portal::cookie_value(header, name);
  desk::fuzz::check(value.find(';') == std::string::npos, "a cookie value holds ';'");
  desk::fuzz::check(header.find(value) != std::string_view::npos, "a cookie value that is not in the header");
  desk::fuzz::check(value.empty() || (value.front() != ' ' && value.back() != ' '), "a cookie value is not trimmed");
  // A cookie written after any header is found, unless the header already names it.
  // (A name with ';' or '=' or with spaces around it is no cookie name.)
  if (name.find_first_of(";=") == std::string_view::npos && desk::text::trim(name) == name &&
      header.find(name) == std::string_view::npos) {
    const std::string with = std::string(header) + "; " + std::string(name) + "=v4lue";
    desk::fuzz::check(portal::cookie_value(with, name) == "v4lue", "a cookie after other bytes is not found");
  }

  const std::vector<std::string> offered = {"en", "zh"};
  const std::string lang = portal::pick_language(header, offered);
  desk::fuzz::check(std::find(offered.begin(), offered.end(), lang) != offered.end(), "a language not offered");
  // A primary tag never holds '-', so "x-none" is never asked for: the explicit zh;q=1 wins.
  desk::fuzz::check(portal::pick_language(std::string(header) + ",zh;q=1", {"x-none", "zh"}) == "zh",
                    "a language asked for with q=1 is not chosen");
  return 0;
}
