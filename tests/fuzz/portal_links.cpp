// The portal's signed links and cookies as a client sends them back: base64url, the signed
// token (payload.mac) and the ticket links of notification mails. Every token has exactly
// one spelling, so what verifies is what sign() makes, and a changed byte never verifies.
#include "fuzz_support.hpp"

#include <desk/portal/links.hpp>
#include <desk/util/error.hpp>

#include <string>

namespace {

constexpr std::string_view k_secret = "0123456789abcdef0123456789abcdef"; // 32 bytes, as the server's

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  if (size == 0) {
    return 0;
  }
  namespace portal = desk::portal;
  const std::string_view text = desk::fuzz::as_text(data + 1, size - 1);
  try {
    switch (data[0] % 3) {
    case 0: {
      if (const auto bytes = portal::base64url_decode(text)) {
        desk::fuzz::check(portal::base64url(*bytes) == text, "base64url accepts a second spelling");
      }
      const std::string encoded = portal::base64url(text);
      desk::fuzz::check(portal::base64url_decode(encoded) == std::string(text), "base64url does not round-trip");
      break;
    }
    case 1: {
      if (const auto payload = portal::verify(k_secret, text)) {
        desk::fuzz::check(portal::sign(k_secret, *payload) == text, "a token verifies that sign() did not make");
      }
      const std::string token = portal::sign(k_secret, text);
      desk::fuzz::check(portal::verify(k_secret, token) == std::string(text), "a signed token does not verify");
      std::string changed = token;
      changed[text.size() % changed.size()] ^= 0x01;
      desk::fuzz::check(!portal::verify(k_secret, changed), "a changed token verifies");
      desk::fuzz::check(!portal::verify("another secret, 32 bytes long...", token), "another secret verifies");
      break;
    }
    default: {
      const desk::Timestamp now{std::chrono::seconds(1798761600)}; // 2027-01-01
      if (const auto link = portal::read_ticket_token(k_secret, text, now)) {
        desk::fuzz::check(link->expires > now, "an expired ticket link is accepted");
        desk::fuzz::check(portal::ticket_token(k_secret, *link) == text, "a ticket link has a second spelling");
      }
      break;
    }
    }
  } catch (const desk::Error&) {
  }
  return 0;
}
