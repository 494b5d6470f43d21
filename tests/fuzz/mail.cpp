// The mail parser (`desk mail receive`'s first step) on arbitrary bytes: never a crash, a
// hang or a read out of bounds; the text always valid UTF-8, the subject one line, and
// every attachment name safe to store (no path, no control characters).
#include "fuzz_support.hpp"

#include <desk/mail/message.hpp>
#include <desk/mail/quote.hpp>
#include <desk/mail/robot.hpp>
#include <desk/util/text.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  const desk::mail::ParsedMail m = desk::mail::parse_mail(raw, 4096);
  (void)desk::mail::classify_sender(m);
  const std::string cut = desk::mail::cut_quoted_history(m.text);
  if (!desk::text::is_valid_utf8(m.text) || !desk::text::is_valid_utf8(m.subject) ||
      !desk::text::is_valid_utf8(m.from_name) || !desk::text::is_valid_utf8(cut)) {
    desk::fuzz::check(false, "unsafe parse result");
  }
  for (const auto& a : m.attachments) {
    if (a.name.empty() || a.name.find('/') != std::string::npos || a.name.find('\\') != std::string::npos ||
        a.name == "." || a.name == ".." || !desk::text::is_valid_utf8(a.name)) {
      desk::fuzz::check(false, "unsafe parse result");
    }
    for (unsigned char c : a.name) {
      if (c < 0x20 || c == 0x7F) {
        desk::fuzz::check(false, "unsafe parse result");
      }
    }
  }
  if (m.subject.find('\n') != std::string::npos || m.subject.find('\r') != std::string::npos) {
    desk::fuzz::check(false, "unsafe parse result");
  }
  return 0;
}
