#include <desk/portal/headers.hpp>

#include <desk/util/text.hpp>

#include <optional>

namespace desk::portal {

namespace {

// A q-value as RFC 9110 writes it: "0", "1", "0.8", "1.000" (at most three decimals); nullopt
// for anything else. Parsed by hand, independent of the locale.
std::optional<double> q_value(std::string_view s)
{
  if (s.empty() || (s[0] != '0' && s[0] != '1')) {
    return std::nullopt;
  }
  double q = s[0] == '1' ? 1.0 : 0.0;
  if (s.size() == 1) {
    return q;
  }
  if (s[1] != '.' || s.size() > 5) {
    return std::nullopt;
  }
  double scale = 0.1;
  for (std::size_t i = 2; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9' || (s[0] == '1' && s[i] != '0')) {
      return std::nullopt;
    }
    q += (s[i] - '0') * scale;
    scale /= 10;
  }
  return q;
}

} // namespace

std::string cookie_value(std::string_view header, std::string_view name)
{
  for (const auto& part : text::split(header, ';')) {
    const std::string_view p = text::trim(part);
    const auto eq = p.find('=');
    if (eq != std::string_view::npos && text::trim(p.substr(0, eq)) == name) {
      return std::string(text::trim(p.substr(eq + 1)));
    }
  }
  return {};
}

std::string pick_language(std::string_view accept_language, const std::vector<std::string>& offered)
{
  double best_q = 0;
  std::string best = offered.front();
  for (const auto& part : text::split(accept_language, ',')) {
    const auto pieces = text::split(part, ';');
    const std::string tag = text::ascii_lower(text::trim(pieces.empty() ? std::string_view() : pieces[0]));
    double q = 1.0;
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      const std::string_view p = text::trim(pieces[i]);
      if (p.starts_with("q=") || p.starts_with("Q=")) {
        q = q_value(p.substr(2)).value_or(0.0);
      }
    }
    const std::string primary = tag.substr(0, tag.find('-'));
    for (const auto& lang : offered) {
      if (primary == lang && q > best_q) {
        best_q = q;
        best = lang;
      }
    }
  }
  return best;
}

} // namespace desk::portal
