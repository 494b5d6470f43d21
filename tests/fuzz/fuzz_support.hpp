#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>
#include <vector>

#include <desk/util/text.hpp>

// Shared by the fuzz targets (one .cpp per parser of outside input, each defining
// LLVMFuzzerTestOneInput). A desk::Error (a ParseError with its position, a UsageError) is
// the expected answer to bad input; any other exception escapes to libFuzzer, which
// reports it as a crash: the CLI would print "this is a bug in desk".
namespace desk::fuzz {

// The input as text.
inline std::string_view as_text(const std::uint8_t* data, std::size_t size)
{
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut at its NUL bytes into at most `parts` pieces (the last keeps any further
// NULs): the several texts a target takes (three sides of a merge).
inline std::vector<std::string_view> split_parts(std::string_view input, std::size_t parts)
{
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const auto nul = input.find('\0');
    if (nul == std::string_view::npos) {
      break;
    }
    out.push_back(input.substr(0, nul));
    input.remove_prefix(nul + 1);
  }
  out.push_back(input);
  out.resize(parts);
  return out;
}

// True when `text` is what read_text_file hands on: no NUL byte, valid UTF-8 (the readers
// behind it rely on that).
inline bool readable_text(std::string_view text)
{
  return text.find('\0') == std::string_view::npos && desk::text::is_valid_utf8(text);
}

// Stop with a message when a property the code promises does not hold (libFuzzer saves
// the input as a crash).
inline void check(bool ok, const char* what)
{
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

} // namespace desk::fuzz
