#pragma once

#include <desk/util/time.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

// Signed links and tokens of the web portal: sign-in links, session cookies and the links
// in notification mails (view, confirm, reopen a ticket). HMAC-SHA256 with the repository's
// secret (.desk/serve-secret, never committed). Shared by `desk serve` and the mail channel.
namespace desk::portal {

// Lifetime of a mailed sign-in link.
inline constexpr std::chrono::minutes k_signin_lifetime{15};
// Lifetime of a ticket link in a notification mail.
inline constexpr std::chrono::hours k_ticket_link_lifetime{24 * 14};

// HMAC-SHA256 of `data` under `key` (32 raw bytes).
std::string hmac_sha256(std::string_view key, std::string_view data);

// SHA-256 of `data` as 64 lower-case hex digits (API tokens are stored so).
std::string sha256_hex(std::string_view data);

// `n` random bytes from the kernel (getrandom).
std::string random_bytes(std::size_t n);

// URL-safe base64 without padding, and back (nullopt for anything else).
std::string base64url(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// True when both are equal, in time independent of where they differ.
bool equal_constant_time(std::string_view a, std::string_view b);

// "<payload in base64url>.<mac in base64url>".
std::string sign(std::string_view secret, std::string_view payload);

// The payload of a token `sign` made with this secret; nullopt when it was changed.
std::optional<std::string> verify(std::string_view secret, std::string_view token);

// The repository's signing secret, made (32 random bytes, mode 0600) when missing, and
// listed in .desk/.gitignore so that it is never committed. Throws
// StorageError when it cannot be read or made, UsageError when it is readable by others.
std::string load_or_create_secret(const std::filesystem::path& desk_dir);

// What a link in a notification mail lets its holder do with one ticket.
struct TicketLink {
  std::string action; // view, confirm or reopen
  std::string ticket; // the ticket id
  std::string email;  // the requester it was sent to
  Timestamp expires{};
};

// The token of a ticket link.
std::string ticket_token(std::string_view secret, const TicketLink& link);

// The portal address of a ticket link: <base_url>/t/<ticket>?a=<action>&k=<token>.
std::string ticket_url(std::string_view base_url, std::string_view secret, const TicketLink& link);

// The link a token stands for when it is genuine and not expired at `now`.
std::optional<TicketLink> read_ticket_token(std::string_view secret, std::string_view token, Timestamp now);

} // namespace desk::portal
