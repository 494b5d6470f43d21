// libFuzzer target: the mail parser (desk mail receive's first step) on arbitrary bytes.
// It must never crash, hang or read out of bounds, and always give valid UTF-8 and safe
// attachment names. Build (Debian clang 14):
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//     tests/fuzz/fuzz_mail_parse.cpp build-fuzz/libdeskmail.a build-fuzz/libdesklib.a \
//     $(pkg-config --cflags --libs gmime-3.0) ...
// or with -DDESK_FUZZ=ON once the fuzz targets are built by CMake.
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
    std::abort();
  }
  for (const auto& a : m.attachments) {
    if (a.name.empty() || a.name.find('/') != std::string::npos || a.name.find('\\') != std::string::npos ||
        a.name == "." || a.name == ".." || !desk::text::is_valid_utf8(a.name)) {
      std::abort();
    }
    for (unsigned char c : a.name) {
      if (c < 0x20 || c == 0x7F) {
        std::abort();
      }
    }
  }
  if (m.subject.find('\n') != std::string::npos || m.subject.find('\r') != std::string::npos) {
    std::abort();
  }
  return 0;
}
