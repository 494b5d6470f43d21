#include "serve/signin_mail.hpp"

#include <desk/portal/links.hpp>
#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include <unistd.h>

namespace desk::serve {

namespace {

std::string std_base64(std::string_view bytes)
{
  std::string s = portal::base64url(bytes);
  for (char& ch : s) {
    ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
  }
  while (s.size() % 4 != 0) {
    s += '=';
  }
  return s;
}

std::string rfc5322_date()
{
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

std::string host_name()
{
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
    return "localhost";
  }
  return buf;
}

} // namespace

std::string encode_header_text(const std::string& text)
{
  const bool ascii = std::all_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7F;
  });
  if (ascii) {
    return text;
  }
  // Encoded words of at most 75 characters, each holding whole UTF-8 characters.
  std::string out;
  std::string chunk;
  auto flush = [&] {
    if (!chunk.empty()) {
      out += (out.empty() ? "" : "\r\n ") + fmt::format("=?UTF-8?B?{}?=", std_base64(chunk));
      chunk.clear();
    }
  };
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = 1;
    const auto c = static_cast<unsigned char>(text[i]);
    len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (chunk.size() + len > 45) {
      flush();
    }
    chunk += text.substr(i, len);
    i += len;
  }
  flush();
  return out;
}

std::string signin_message(const Config& config, const std::string& to, const std::string& subject,
                           const std::string& body, const std::string& message_id_host)
{
  const std::string from = config.serve.from.empty() ? fmt::format("desk@{}", host_name()) : config.serve.from;
  std::string m;
  m += fmt::format("From: {}\r\n", from);
  m += fmt::format("To: {}\r\n", to);
  m += fmt::format("Subject: {}\r\n", encode_header_text(subject));
  m += fmt::format("Date: {}\r\n", rfc5322_date());
  m += fmt::format("Message-ID: <{}@{}>\r\n", portal::base64url(portal::random_bytes(12)), message_id_host);
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=UTF-8\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "\r\n";
  for (const auto& line : text::split(body, '\n')) {
    m += line + "\r\n";
  }
  return m;
}

void send_mail(const Config& config, const std::string& message)
{
  if (config.serve.sendmail.empty()) {
    throw UsageError("serve.sendmail is empty: sign-in mail cannot be sent",
                     "set serve.sendmail in .desk/config.yaml, e.g. [/usr/sbin/sendmail, -t, -i]");
  }
  const ProcessResult r = run_process(config.serve.sendmail, message, std::chrono::seconds(30));
  if (!r.started) {
    throw StorageError(fmt::format("cannot run {}", config.serve.sendmail.front()),
                       "check serve.sendmail in .desk/config.yaml");
  }
  if (r.exit_code != 0) {
    throw StorageError(fmt::format("{} failed (exit {}): {}", config.serve.sendmail.front(), r.exit_code,
                                   text::one_line(r.err)));
  }
}

} // namespace desk::serve
