#include "serve/auth.hpp"

#include "serve/directory.hpp"

#include <desk/portal/links.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace desk::serve {

namespace {

long long epoch_seconds(Timestamp t)
{
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::optional<Timestamp> read_epoch(const std::string& s)
{
  if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return Timestamp(std::chrono::seconds(std::stoll(s)));
}

bool count_in_window(std::vector<Timestamp>& times, Timestamp now, int limit)
{
  std::erase_if(times, [&](Timestamp t) { return t + k_signin_window <= now; });
  if (static_cast<int>(times.size()) >= limit) {
    return false;
  }
  times.push_back(now);
  return true;
}

} // namespace

std::string Auth::signin_token(const std::string& email, Timestamp now)
{
  const std::string nonce = portal::base64url(portal::random_bytes(12));
  return portal::sign(m_secret, fmt::format("s\n{}\n{}\n{}", email, epoch_seconds(now + portal::k_signin_lifetime), nonce));
}

std::optional<std::string> Auth::redeem_signin(std::string_view token, Timestamp now)
{
  const auto payload = portal::verify(m_secret, token);
  if (!payload) {
    return std::nullopt;
  }
  const auto parts = text::split(*payload, '\n');
  if (parts.size() != 4 || parts[0] != "s") {
    return std::nullopt;
  }
  const auto expires = read_epoch(parts[2]);
  if (!expires || *expires <= now) {
    return std::nullopt;
  }
  const std::lock_guard lock(m_mutex);
  std::erase_if(m_used_nonces, [&](const auto& item) { return item.second <= now; });
  if (!m_used_nonces.emplace(parts[3], *expires).second) {
    return std::nullopt; // used before
  }
  return parts[1];
}

std::string Auth::new_session(const std::string& email, Timestamp now)
{
  const std::string sid = portal::base64url(portal::random_bytes(16));
  return portal::sign(m_secret, fmt::format("c\n{}\n{}\n{}", email, epoch_seconds(now + k_session_lifetime), sid));
}

std::optional<SessionInfo> Auth::read_session(std::string_view cookie, Timestamp now)
{
  const auto payload = portal::verify(m_secret, cookie);
  if (!payload) {
    return std::nullopt;
  }
  const auto parts = text::split(*payload, '\n');
  if (parts.size() != 4 || parts[0] != "c") {
    return std::nullopt;
  }
  const auto expires = read_epoch(parts[2]);
  if (!expires || *expires <= now) {
    return std::nullopt;
  }
  const std::lock_guard lock(m_mutex);
  if (m_revoked.contains(parts[3])) {
    return std::nullopt;
  }
  return SessionInfo{parts[1], parts[3]};
}

void Auth::revoke(const std::string& sid)
{
  const std::lock_guard lock(m_mutex);
  m_revoked.insert(sid);
}

std::string Auth::csrf_token(std::string_view seed) const
{
  return portal::base64url(portal::hmac_sha256(m_secret, fmt::format("csrf\n{}", seed)));
}

bool Auth::check_csrf(std::string_view seed, std::string_view token) const
{
  return !seed.empty() && portal::equal_constant_time(csrf_token(seed), token);
}

bool Auth::allow_signin(const std::string& client, const std::string& email, Timestamp now)
{
  const std::lock_guard lock(m_mutex);
  // Both are counted, so a client cannot flood one address from many addresses of its own
  // nor many addresses from one client.
  const bool by_client = count_in_window(m_signins_by_client[client], now, k_signins_per_client);
  const bool by_address = count_in_window(m_signins_by_address[lower_address(email)], now, k_signins_per_address);
  return by_client && by_address;
}

const ApiToken* find_api_token(const Config& config, std::string_view bearer)
{
  if (bearer.empty()) {
    return nullptr;
  }
  const std::string hash = portal::sha256_hex(bearer);
  for (const auto& t : config.api.tokens) {
    if (portal::equal_constant_time(t.sha256, hash)) {
      return &t;
    }
  }
  return nullptr;
}

bool has_scope(const ApiToken& token, std::string_view scope)
{
  return std::find(token.scopes.begin(), token.scopes.end(), scope) != token.scopes.end();
}

bool is_staff(const Config& config, std::string_view who)
{
  const std::string w = lower_address(who);
  if (w.empty()) {
    return false;
  }
  if (!config.serve.staff.empty()) {
    return std::any_of(config.serve.staff.begin(), config.serve.staff.end(),
                       [&](const std::string& s) { return lower_address(s) == w; });
  }
  for (const auto& team : config.teams) {
    for (const auto& m : team.members) {
      if (lower_address(m) == w) {
        return true;
      }
    }
  }
  return false;
}

bool is_mail_address(std::string_view s)
{
  if (s.empty() || s.size() > 254 || !text::is_valid_utf8(s)) {
    return false;
  }
  const auto at = s.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= s.size() || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == 0x7F || ch == '<' || ch == '>' || ch == '"' || ch == ',' || ch == ';' || ch == '\\') {
      return false;
    }
  }
  return s.substr(at + 1).find('.') != std::string_view::npos;
}

} // namespace desk::serve
