#include "test_support.hpp"

#include <desk/portal/links.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>

#include <doctest/doctest.h>

#include <string>

#include <sys/stat.h>

namespace desk {

namespace {

std::string hex_of(const std::string& bytes)
{
  static const char* k_digits = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    out += k_digits[(static_cast<unsigned char>(ch) >> 4) & 15];
    out += k_digits[static_cast<unsigned char>(ch) & 15];
  }
  return out;
}

} // namespace

TEST_SUITE("portal.links")
{
  TEST_CASE("HMAC-SHA256 and SHA-256 give the published test vectors")
  {
    // RFC 4231, test case 2.
    CHECK(hex_of(portal::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(portal::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  TEST_CASE("base64url round-trips every length and refuses other spellings")
  {
    std::string bytes;
    for (int n = 0; n < 40; ++n) {
      CHECK(portal::base64url_decode(portal::base64url(bytes)) == bytes);
      bytes += static_cast<char>(n * 37 + 200);
    }
    CHECK(portal::base64url("\xfb\xff") == "-_8");
    CHECK_FALSE(portal::base64url_decode("a+b/").has_value());
    CHECK_FALSE(portal::base64url_decode("abcde").has_value());
    CHECK_FALSE(portal::base64url_decode("-_9").has_value()); // low bits set: not the canonical form
  }

  TEST_CASE("a signed token verifies only unchanged and under its own secret")
  {
    const std::string token = portal::sign("secret-1", "payload 支付");
    CHECK(portal::verify("secret-1", token) == "payload 支付");
    CHECK_FALSE(portal::verify("secret-2", token).has_value());
    std::string changed = token;
    changed[1] = changed[1] == 'A' ? 'B' : 'A';
    CHECK_FALSE(portal::verify("secret-1", changed).has_value());
    CHECK_FALSE(portal::verify("secret-1", "no-dot").has_value());
    CHECK_FALSE(portal::verify("secret-1", token + "x").has_value());
  }

  TEST_CASE("a ticket link is bound to its ticket, action and address, and expires")
  {
    const Timestamp now = Timestamp(std::chrono::seconds(1'800'000'000));
    const portal::TicketLink link{"confirm", "INC-7K3M9Q2X", "mei@example.com", now + std::chrono::hours(1)};
    const std::string url = portal::ticket_url("https://desk.example.com", "s", link);
    CHECK(url.starts_with("https://desk.example.com/t/INC-7K3M9Q2X?a=confirm&k="));
    const std::string token = portal::ticket_token("s", link);
    const auto read = portal::read_ticket_token("s", token, now);
    REQUIRE(read.has_value());
    CHECK(read->action == "confirm");
    CHECK(read->ticket == "INC-7K3M9Q2X");
    CHECK(read->email == "mei@example.com");
    CHECK_FALSE(portal::read_ticket_token("s", token, now + std::chrono::hours(2)).has_value());
    CHECK_FALSE(portal::read_ticket_token("other", token, now).has_value());
    CHECK_FALSE(portal::read_ticket_token("s", portal::sign("s", "s\nmei@example.com\n1\nx"), now).has_value());
  }

  TEST_CASE("the signing secret is made once, private, and refused when others can read it")
  {
    test::TempDir dir;
    const std::string first = portal::load_or_create_secret(dir.path());
    CHECK(first.size() == 32);
    struct stat st {};
    REQUIRE(::stat((dir / "serve-secret").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(portal::load_or_create_secret(dir.path()) == first);
    ::chmod((dir / "serve-secret").c_str(), 0644);
    CHECK_THROWS_AS(portal::load_or_create_secret(dir.path()), UsageError);
  }

  TEST_CASE("the signing secret is listed in .desk/.gitignore, whose other lines stay")
  {
    test::TempDir dir;
    storage::write_file_atomic(dir / ".gitignore", "cache/\nlock");
    portal::load_or_create_secret(dir.path());
    CHECK(storage::read_text_file(dir / ".gitignore") == "cache/\nlock\nserve-secret\n");
    portal::load_or_create_secret(dir.path());
    CHECK(storage::read_text_file(dir / ".gitignore") == "cache/\nlock\nserve-secret\n");
  }
}

} // namespace desk
