#include <desk/util/text.hpp>

#include <desk/util/error.hpp>

#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace desk::text {

namespace {

constexpr char32_t k_replacement = 0xFFFD;
constexpr char32_t k_max_code_point = 0x10FFFF;
constexpr std::string_view k_zero_width_joiner = "\u200D";
constexpr std::string_view k_ellipsis = "\u2026";
constexpr std::size_t k_ellipsis_width = 1;

// One decoded sequence: `length` bytes starting at the decoded position.
struct Decoded
{
  char32_t cp;
  std::size_t length;
  bool valid;
};

bool is_surrogate(char32_t cp)
{
  return cp >= 0xD800 && cp <= 0xDFFF;
}

// Decode the sequence at `pos`; an ill-formed one yields U+FFFD over its maximal subpart
// (the Unicode-recommended practice, so one bad byte never swallows a good character).
Decoded decode_at(std::string_view s, std::size_t pos)
{
  const auto b0 = static_cast<unsigned char>(s[pos]);
  if (b0 < 0x80) {
    return {b0, 1, true};
  }

  std::size_t length = 0;
  unsigned char low = 0x80;  // allowed range of the second byte; excludes overlongs,
  unsigned char high = 0xBF; // surrogates and code points above U+10FFFF
  char32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    cp = b0 & 0x0Fu;
    if (b0 == 0xE0) {
      low = 0xA0;
    } else if (b0 == 0xED) {
      high = 0x9F;
    }
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    cp = b0 & 0x07u;
    if (b0 == 0xF0) {
      low = 0x90;
    } else if (b0 == 0xF4) {
      high = 0x8F;
    }
  } else {
    return {k_replacement, 1, false};
  }

  for (std::size_t i = 1; i < length; ++i) {
    if (pos + i >= s.size()) {
      return {k_replacement, i, false};
    }
    const auto b = static_cast<unsigned char>(s[pos + i]);
    const unsigned char lo = i == 1 ? low : 0x80;
    const unsigned char hi = i == 1 ? high : 0xBF;
    if (b < lo || b > hi) {
      return {k_replacement, i, false};
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  return {cp, length, true};
}

// Width of the sequence at a decoded position; an invalid one shows as "�".
int decoded_width(const Decoded& d)
{
  return d.valid ? char_width(d.cp) : 1;
}

// `s` itself when valid, otherwise a copy with every invalid sequence replaced by U+FFFD
// (utf8proc refuses ill-formed input).
std::string sanitized(std::string_view s)
{
  if (is_valid_utf8(s)) {
    return std::string(s);
  }
  std::string out;
  out.reserve(s.size() + 8);
  for (char32_t cp : decode(s)) {
    append_utf8(out, cp);
  }
  return out;
}

// Run utf8proc_map over `s` with `options`.
std::string map_utf8(std::string_view s, utf8proc_option_t options)
{
  if (s.empty()) {
    return {};
  }
  const std::string input = sanitized(s);
  utf8proc_uint8_t* raw = nullptr;
  const utf8proc_ssize_t length =
    utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(input.data()),
                 static_cast<utf8proc_ssize_t>(input.size()),
                 &raw,
                 options);
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> result(raw, &std::free);
  if (length < 0) {
    if (length == UTF8PROC_ERROR_NOMEM) {
      throw std::bad_alloc();
    }
    throw Error(std::string("cannot normalise text: ") + utf8proc_errmsg(length));
  }
  return std::string(reinterpret_cast<const char*>(result.get()),
                     static_cast<std::size_t>(length));
}

bool is_ascii_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

} // namespace

bool is_valid_utf8(std::string_view s)
{
  return first_invalid_utf8(s) == std::string_view::npos;
}

std::size_t first_invalid_utf8(std::string_view s)
{
  std::size_t pos = 0;
  while (pos < s.size()) {
    // ASCII eight bytes at a time (most of a ticket file).
    while (pos + 8 <= s.size()) {
      std::uint64_t word = 0;
      std::memcpy(&word, s.data() + pos, 8);
      if ((word & 0x8080808080808080ULL) != 0) {
        break;
      }
      pos += 8;
    }
    if (pos == s.size()) {
      break;
    }
    const Decoded d = decode_at(s, pos);
    if (!d.valid) {
      return pos;
    }
    pos += d.length;
  }
  return std::string_view::npos;
}

std::vector<char32_t> decode(std::string_view s)
{
  std::vector<char32_t> out;
  out.reserve(s.size());
  std::size_t pos = 0;
  while (pos < s.size()) {
    const Decoded d = decode_at(s, pos);
    out.push_back(d.cp);
    pos += d.length;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp)
{
  if (cp > k_max_code_point || is_surrogate(cp)) {
    cp = k_replacement; // keep the output well-formed
  }
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int char_width(char32_t cp)
{
  if (cp == '\t' || cp == '\n') {
    return 1; // so that display_width is exactly the sum of char_width
  }
  if (cp > k_max_code_point || is_surrogate(cp)) {
    return 1; // shown as "�"
  }
  // Hangul medial vowels and final consonants join the preceding syllable (as in wcwidth).
  if ((cp >= 0x1160 && cp <= 0x11FF) || (cp >= 0xD7B0 && cp <= 0xD7FF)) {
    return 0;
  }
  // utf8proc: 0 for controls, combining marks and format characters (ZWJ, variation
  // selectors), 2 for East Asian wide/fullwidth and emoji presentation, 1 otherwise.
  const int width = utf8proc_charwidth(static_cast<utf8proc_int32_t>(cp));
  return width < 0 ? 0 : width;
}

std::size_t display_width(std::string_view s)
{
  std::size_t width = 0;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const Decoded d = decode_at(s, pos);
    width += static_cast<std::size_t>(decoded_width(d));
    pos += d.length;
  }
  return width;
}

std::string truncate_to_width(std::string_view s, std::size_t width)
{
  if (display_width(s) <= width) {
    return std::string(s);
  }
  if (width < k_ellipsis_width) {
    return {};
  }
  const std::size_t budget = width - k_ellipsis_width;
  std::size_t used = 0;
  std::size_t end = 0; // bytes kept
  std::size_t pos = 0;
  while (pos < s.size()) {
    const Decoded d = decode_at(s, pos);
    const auto w = static_cast<std::size_t>(decoded_width(d));
    if (used + w > budget) {
      break; // zero-width marks after this point belong to the dropped character
    }
    used += w;
    pos += d.length;
    end = pos;
  }
  std::string out(s.substr(0, end));
  // A joiner with nothing after it would glue the ellipsis to the previous emoji.
  while (out.ends_with(k_zero_width_joiner)) {
    out.resize(out.size() - k_zero_width_joiner.size());
  }
  out += k_ellipsis;
  return out;
}

std::string pad_to_width(std::string_view s, std::size_t width, bool right_align)
{
  std::string text = truncate_to_width(s, width);
  const std::size_t text_width = display_width(text);
  if (text_width >= width) {
    return text;
  }
  const std::string padding(width - text_width, ' ');
  return right_align ? padding + text : text + padding;
}

bool is_surely_nfc(std::string_view s)
{
  // Code points that NFC keeps as they are next to anything: no decomposition, combining
  // class 0, never the second of a composition (checked over the whole Unicode database).
  // These cover English and Chinese text: Latin-1 and Latin Extended, general
  // punctuation, CJK punctuation, kana, ideographs, hangul syllables, full-width forms.
  const auto stable = [](char32_t cp) {
    return cp < 0x300 || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x2030 && cp <= 0x205E) || (cp >= 0x3000 && cp <= 0x3029) ||
           (cp >= 0x3030 && cp <= 0x3098) || (cp >= 0x309B && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xFF01 && cp <= 0xFF60);
  };
  for (std::size_t pos = 0; pos < s.size();) {
    if (static_cast<unsigned char>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const Decoded d = decode_at(s, pos);
    if (!d.valid || !stable(d.cp)) {
      return false;
    }
    pos += d.length;
  }
  return true;
}

std::string normalize_nfc(std::string_view s)
{
  if (is_surely_nfc(s)) {
    return std::string(s);
  }
  return map_utf8(s, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
}

std::string fold(std::string_view s)
{
  return map_utf8(s,
                  static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE
                                                 | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD));
}

std::string one_line(std::string_view s)
{
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  for (char c : s) {
    if (is_ascii_space(c)) {
      pending_space = !out.empty(); // leading white space is dropped
      continue;
    }
    if (pending_space) {
      out += ' ';
      pending_space = false;
    }
    out += c;
  }
  return out; // trailing white space never gets its pending space written
}

namespace {

// True for a code point visible() shows as an escape (C0 and C1 controls, DEL, bidi
// controls and marks, line and paragraph separators).
bool is_terminal_control(char32_t cp)
{
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

// Decode at `pos` and tell whether visible() escapes it.
bool escaped_at(std::string_view s, std::size_t pos, bool multi_line, Decoded& d)
{
  d = decode_at(s, pos);
  if (!d.valid) {
    return true;
  }
  if (multi_line && (d.cp == '\n' || d.cp == '\t')) {
    return false;
  }
  return is_terminal_control(d.cp);
}

} // namespace

bool needs_escape(std::string_view s, bool multi_line)
{
  Decoded d{};
  for (std::size_t pos = 0; pos < s.size(); pos += d.length) {
    if (escaped_at(s, pos, multi_line, d)) {
      return true;
    }
  }
  return false;
}

std::string visible(std::string_view s, bool multi_line)
{
  if (!needs_escape(s, multi_line)) {
    return std::string(s);
  }
  constexpr std::string_view k_hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 16);
  Decoded d{};
  for (std::size_t pos = 0; pos < s.size(); pos += d.length) {
    if (!escaped_at(s, pos, multi_line, d)) {
      out.append(s.substr(pos, d.length));
      continue;
    }
    if (!d.valid) {
      for (std::size_t i = 0; i < d.length; ++i) {
        const auto b = static_cast<unsigned char>(s[pos + i]);
        out += "\\x";
        out += k_hex[b >> 4];
        out += k_hex[b & 0xF];
      }
    } else if (d.cp == 0x1B) {
      out += "\\e";
    } else if (d.cp < 0x80) {
      out += "\\x";
      out += k_hex[d.cp >> 4];
      out += k_hex[d.cp & 0xF];
    } else {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) {
        out += k_hex[(d.cp >> shift) & 0xF];
      }
    }
  }
  return out;
}

std::string ascii_lower(std::string_view s)
{
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

std::string_view trim(std::string_view s)
{
  while (!s.empty() && is_ascii_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_ascii_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string> split(std::string_view s, char sep)
{
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t found = s.find(sep, start);
    if (found == std::string_view::npos) {
      fields.emplace_back(s.substr(start));
      return fields;
    }
    fields.emplace_back(s.substr(start, found - start));
    start = found + 1;
  }
}

bool looks_like_text(std::string_view s)
{
  std::size_t pos = 0;
  while (pos < s.size()) {
    const Decoded d = decode_at(s, pos);
    if (!d.valid) {
      return false;
    }
    if (d.length == 1) {
      // Line structure (tab, newline, carriage return) is text; NUL and other controls
      // are not.
      const char32_t c = d.cp;
      const bool printable = c >= 0x20 && c < 0x7F;
      if (!printable && c != '\t' && c != '\n' && c != '\r') {
        return false;
      }
    }
    pos += d.length;
  }
  return true;
}

namespace {

constexpr std::string_view k_formula_starts = "=+-@\t\r";

// "-5", "+1.5", "12": what a spreadsheet reads as a number, never as a formula.
bool is_plain_number(std::string_view s)
{
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    s.remove_prefix(1);
  }
  const auto dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  const std::string_view part = dot == std::string_view::npos ? std::string_view("0") : s.substr(dot + 1);
  const auto digits = [](std::string_view d) {
    return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return digits(whole) && digits(part);
}

} // namespace

bool csv_formula_guarded(std::string_view s)
{
  const auto first = s.find_first_not_of('\'');
  return first != std::string_view::npos && k_formula_starts.find(s[first]) != std::string_view::npos &&
         !is_plain_number(s);
}

std::string_view csv_unguard(std::string_view s)
{
  const auto first = s.find_first_not_of('\'');
  if (first != std::string_view::npos && first > 0 && k_formula_starts.find(s[first]) != std::string_view::npos) {
    s.remove_prefix(1);
  }
  return s;
}

std::string csv_cell(std::string_view given)
{
  std::string guarded;
  std::string_view s = given;
  if (csv_formula_guarded(given)) {
    guarded = "'" + std::string(given);
    s = guarded;
  }
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
    return std::string(s);
  }
  std::string out = "\"";
  for (const char c : s) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  return out + "\"";
}

std::string html_escape(std::string_view s)
{
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    case '\'':
      out += "&#39;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

bool read_digits(std::string_view s, std::size_t& pos, std::size_t min_digits, std::size_t max_digits, int& out)
{
  std::size_t n = 0;
  int v = 0;
  while (pos < s.size() && n < max_digits && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  out = v;
  return n >= min_digits;
}

} // namespace desk::text
