#pragma once

#include <desk/config/config.hpp>
#include <desk/util/time.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

// Who is asking: requesters signed in by a mailed one-time link (or a trusted proxy's
// header), the session cookie that follows, the CSRF token of every form, the sign-in rate
// limits, and integrations' bearer tokens. Everything is signed with the repository's
// secret; nothing is stored on disk but that secret.
namespace desk::serve {

// Lifetime of a signed-in session.
inline constexpr std::chrono::hours k_session_lifetime{24 * 7};
// Sign-in mails accepted per address, and per client, within k_signin_window.
inline constexpr int k_signins_per_address = 5;
inline constexpr int k_signins_per_client = 20;
inline constexpr std::chrono::minutes k_signin_window{15};

// A signed-in requester.
struct SessionInfo {
  std::string email;
  std::string sid; // the session's random id (sign-out revokes it)
};

// Sessions, sign-in links, CSRF and rate limits (thread-safe).
class Auth {
public:
  explicit Auth(std::string secret) : m_secret(std::move(secret)) {}

  // A one-time sign-in token for `email`, valid k_signin_lifetime from `now`.
  std::string signin_token(const std::string& email, Timestamp now);
  // The address of a genuine, unexpired, unused sign-in token; the token is used up.
  std::optional<std::string> redeem_signin(std::string_view token, Timestamp now);

  // A new session cookie value for `email`.
  std::string new_session(const std::string& email, Timestamp now);
  // The session a cookie value stands for: signed, unexpired, not signed out.
  std::optional<SessionInfo> read_session(std::string_view cookie, Timestamp now);
  // Sign a session out: its cookie is refused from now on.
  void revoke(const std::string& sid);

  // The CSRF token of forms shown to the holder of `seed` (the anti-forgery cookie).
  std::string csrf_token(std::string_view seed) const;
  // True when `token` is the CSRF token for `seed`.
  bool check_csrf(std::string_view seed, std::string_view token) const;

  // Count one sign-in request from `client` for `email`; false when either is over its limit.
  bool allow_signin(const std::string& client, const std::string& email, Timestamp now);

  const std::string& secret() const { return m_secret; }

private:
  std::string m_secret;
  std::mutex m_mutex;
  std::map<std::string, Timestamp> m_used_nonces; // sign-in tokens used, until they expire
  std::set<std::string> m_revoked;
  std::map<std::string, std::vector<Timestamp>> m_signins_by_address;
  std::map<std::string, std::vector<Timestamp>> m_signins_by_client;
};

// The API token of a bearer value (by its SHA-256), or nullptr.
const ApiToken* find_api_token(const Config& config, std::string_view bearer);

// True when `token` carries `scope`.
bool has_scope(const ApiToken& token, std::string_view scope);

// True when `who` (an address or user name) may see the staff board.
bool is_staff(const Config& config, std::string_view who);

// A plausible mail address: one @, no spaces or control characters, at most 254 bytes.
bool is_mail_address(std::string_view s);

} // namespace desk::serve
