#include <desk/portal/links.hpp>

#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <glib.h>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace desk::portal {

namespace {

constexpr std::string_view k_b64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int b64_value(char ch)
{
  const auto at = k_b64_alphabet.find(ch);
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// Make sure .desk/.gitignore keeps the signing secret out of git (a repository made before
// the portal existed lacks the line that `desk init` writes now).
void ignore_secret_file(const std::filesystem::path& desk_dir)
{
  const std::filesystem::path path = desk_dir / ".gitignore";
  std::string text;
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    text = storage::read_text_file(path);
  }
  for (const auto& line : text::split(text, '\n')) {
    if (text::trim(line) == "serve-secret" || text::trim(line) == "/serve-secret") {
      return;
    }
  }
  if (!text.empty() && !text.ends_with("\n")) {
    text += "\n";
  }
  storage::write_file_atomic(path, text + "serve-secret\n", desk_dir.parent_path());
}

std::string read_secret_file(const std::filesystem::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    throw StorageError(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  struct stat st {};
  ::fstat(fd, &st);
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    throw UsageError(fmt::format("{} is readable by others (mode {:o})", path.string(), st.st_mode & 0777),
                     fmt::format("chmod 600 {}", path.string()));
  }
  char buf[256];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n < 32) {
    throw StorageError(fmt::format("{} is shorter than 32 bytes", path.string()),
                       "delete it; desk serve makes a new one (signed-in users sign in again)");
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

} // namespace

std::string hmac_sha256(std::string_view key, std::string_view data)
{
  GHmac* mac = g_hmac_new(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(key.data()), key.size());
  g_hmac_update(mac, reinterpret_cast<const guchar*>(data.data()), static_cast<gssize>(data.size()));
  guint8 digest[32];
  gsize len = sizeof digest;
  g_hmac_get_digest(mac, digest, &len);
  g_hmac_unref(mac);
  return std::string(reinterpret_cast<const char*>(digest), len);
}

std::string sha256_hex(std::string_view data)
{
  gchar* hex = g_compute_checksum_for_data(G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(data.data()),
                                           data.size());
  std::string out(hex);
  g_free(hex);
  return out;
}

std::string random_bytes(std::size_t n)
{
  std::string out(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw StorageError(fmt::format("cannot draw random bytes: {}", std::strerror(errno)));
    }
    got += static_cast<std::size_t>(r);
  }
  return out;
}

std::string base64url(std::string_view bytes)
{
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += k_b64_alphabet[(v >> 18) & 63];
    out += k_b64_alphabet[(v >> 12) & 63];
    out += k_b64_alphabet[(v >> 6) & 63];
    out += k_b64_alphabet[v & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += k_b64_alphabet[(v >> 18) & 63];
    out += k_b64_alphabet[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += k_b64_alphabet[(v >> 18) & 63];
    out += k_b64_alphabet[(v >> 12) & 63];
    out += k_b64_alphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text)
{
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (const char ch : text) {
    const int v = b64_value(ch);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Unused low bits must be zero, so each token has exactly one spelling.
  if ((acc & ((1U << bits) - 1)) != 0) {
    return std::nullopt;
  }
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b)
{
  if (a.size() != b.size()) {
    return false;
  }
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::string sign(std::string_view secret, std::string_view payload)
{
  const std::string body = base64url(payload);
  return body + "." + base64url(hmac_sha256(secret, body));
}

std::optional<std::string> verify(std::string_view secret, std::string_view token)
{
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 4096) {
    return std::nullopt;
  }
  const std::string_view body = token.substr(0, dot);
  const std::string expected = base64url(hmac_sha256(secret, body));
  if (!equal_constant_time(expected, token.substr(dot + 1))) {
    return std::nullopt;
  }
  return base64url_decode(body);
}

std::string load_or_create_secret(const std::filesystem::path& desk_dir)
{
  const std::filesystem::path path = desk_dir / "serve-secret";
  ignore_secret_file(desk_dir);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    const std::string secret = random_bytes(32);
    const bool ok = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) &&
                    ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      throw StorageError(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    }
    return secret;
  }
  if (errno != EEXIST) {
    throw StorageError(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)),
                       "desk serve needs to write in .desk/ once, to make its signing secret");
  }
  return read_secret_file(path);
}

std::string ticket_token(std::string_view secret, const TicketLink& link)
{
  const auto expires = std::chrono::duration_cast<std::chrono::seconds>(link.expires.time_since_epoch()).count();
  return sign(secret, fmt::format("t\n{}\n{}\n{}\n{}", link.action, link.ticket, link.email, expires));
}

std::string ticket_url(std::string_view base_url, std::string_view secret, const TicketLink& link)
{
  return fmt::format("{}/t/{}?a={}&k={}", base_url, link.ticket, link.action, ticket_token(secret, link));
}

std::optional<TicketLink> read_ticket_token(std::string_view secret, std::string_view token, Timestamp now)
{
  const auto payload = verify(secret, token);
  if (!payload) {
    return std::nullopt;
  }
  const auto parts = text::split(*payload, '\n');
  if (parts.size() != 5 || parts[0] != "t") {
    return std::nullopt;
  }
  TicketLink link{parts[1], parts[2], parts[3], {}};
  try {
    link.expires = Timestamp(std::chrono::seconds(std::stoll(parts[4])));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (link.expires <= now) {
    return std::nullopt;
  }
  return link;
}

} // namespace desk::portal
