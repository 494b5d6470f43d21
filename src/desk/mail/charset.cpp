#include <desk/mail/charset.hpp>

#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <iconv.h>
#include <optional>

namespace desk::mail {

namespace {

bool is_ascii(std::string_view s)
{
  for (unsigned char c : s) {
    if (c >= 0x80) {
      return false;
    }
  }
  return true;
}

// Strict conversion to UTF-8; nullopt at the first byte `from` cannot read.
std::optional<std::string> iconv_strict(std::string_view bytes, const std::string& from)
{
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return std::nullopt;
  }
  std::string out;
  out.resize(bytes.size() * 4 + 16);
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* dst = out.data();
  std::size_t out_left = out.size();
  bool ok = true;
  while (in_left > 0) {
    if (iconv(cd, &in, &in_left, &dst, &out_left) == static_cast<std::size_t>(-1)) {
      if (errno == E2BIG) {
        const std::size_t used = static_cast<std::size_t>(dst - out.data());
        out.resize(out.size() * 2);
        dst = out.data() + used;
        out_left = out.size() - used;
        continue;
      }
      ok = false;
      break;
    }
  }
  if (ok) { // flush shift state (ISO-2022-JP)
    if (iconv(cd, nullptr, nullptr, &dst, &out_left) == static_cast<std::size_t>(-1)) {
      ok = false;
    }
  }
  iconv_close(cd);
  if (!ok) {
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(dst - out.data()));
  if (!text::is_valid_utf8(out)) {
    return std::nullopt;
  }
  return out;
}

// Conversion that never fails: bytes `from` cannot read become U+FFFD.
std::string iconv_lenient(std::string_view bytes, const std::string& from)
{
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    cd = iconv_open("UTF-8", "WINDOWS-1252");
  }
  std::string out;
  std::array<char, 4096> buf{};
  char* in = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  while (in_left > 0) {
    char* dst = buf.data();
    std::size_t out_left = buf.size();
    const std::size_t r = iconv(cd, &in, &in_left, &dst, &out_left);
    out.append(buf.data(), static_cast<std::size_t>(dst - buf.data()));
    if (r == static_cast<std::size_t>(-1) && errno != E2BIG) {
      out += "\xEF\xBF\xBD";
      ++in;
      --in_left;
      iconv(cd, nullptr, nullptr, nullptr, nullptr);
    }
  }
  iconv_close(cd);
  if (text::is_valid_utf8(out)) {
    return out;
  }
  std::string valid;
  for (char32_t cp : text::decode(out)) {
    text::append_utf8(valid, cp);
  }
  return valid;
}

// How plausible decoded text is as human writing: common CJK, kana, Latin and punctuation
// score, characters only mis-read bytes produce (private use, replacement, rare blocks) cost.
long plausibility(std::string_view utf8)
{
  long score = 0;
  for (char32_t cp : text::decode(utf8)) {
    if (cp < 0x80) {
      score += 1;
    } else if (cp >= 0x4E00 && cp <= 0x9FFF) {
      score += 2;
    } else if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF5E)) {
      score += 2;
    } else if (cp >= 0xA0 && cp <= 0x17F) {
      score += 0; // Latin-1 letters: what CJK bytes read as windows-1252 look like
    } else if ((cp >= 0xE000 && cp <= 0xF8FF) || cp == 0xFFFD || (cp >= 0x2500 && cp <= 0x25FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
               (cp >= 0x20000) || (cp >= 0xFF61 && cp <= 0xFF9F) || (cp >= 0xAC00 && cp <= 0xD7AF)) {
      score -= 6;
    } else if (cp >= 0x80 && cp < 0xA0) {
      score -= 6;
    }
  }
  return score;
}

constexpr std::array<const char*, 5> k_guess_charsets{"GB18030", "BIG5-HKSCS", "CP932", "EUC-JP", "WINDOWS-1252"};

} // namespace

std::string charset_for_label(std::string_view label_in)
{
  std::string label = text::ascii_lower(text::trim(label_in));
  if (label.empty()) {
    return {};
  }
  if (label == "gb2312" || label == "gbk" || label == "gb18030" || label == "x-gbk" || label == "cp936" ||
      label == "euc-cn" || label == "x-euc-cn" || label == "gb_2312-80" || label == "chinese" ||
      label == "csgb2312" || label == "windows-936" || label == "x-gb18030") {
    return "GB18030";
  }
  if (label == "big5" || label == "big-5" || label == "cn-big5" || label == "x-x-big5" || label == "cp950" ||
      label == "big5-hkscs" || label == "csbig5") {
    return "BIG5-HKSCS";
  }
  if (label == "shift_jis" || label == "shift-jis" || label == "sjis" || label == "x-sjis" || label == "ms_kanji" ||
      label == "windows-31j" || label == "cp932" || label == "csshiftjis") {
    return "CP932";
  }
  if (label == "iso-2022-jp" || label == "csiso2022jp" || label == "iso-2022-jp-2") {
    return "ISO-2022-JP-3";
  }
  if (label == "us-ascii" || label == "ascii" || label == "iso-8859-1" || label == "latin1" ||
      label == "iso_8859-1" || label == "ansi_x3.4-1968" || label == "l1" || label == "cp1252") {
    return "WINDOWS-1252";
  }
  if (label == "ks_c_5601-1987" || label == "euc-kr" || label == "korean") {
    return "CP949";
  }
  if (label == "utf8" || label == "utf-8" || label == "unicode-1-1-utf-8") {
    return "UTF-8";
  }
  // Anything else iconv knows under its own name (windows-125x, koi8-r, iso-8859-x, utf-16, euc-jp).
  std::string upper;
  for (char c : label) {
    upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  iconv_t cd = iconv_open("UTF-8", upper.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return {};
  }
  iconv_close(cd);
  return upper;
}

DecodedText decode_charset(std::string_view bytes, std::string_view label)
{
  const std::string wanted = charset_for_label(label);
  const std::string shown = label.empty() ? std::string("no charset") : fmt::format("charset {}", label);
  const std::string label_lower = text::ascii_lower(text::trim(label));
  // 8-bit bytes labelled ASCII: the label is wrong whatever they decode to.
  const bool says_ascii = label_lower == "us-ascii" || label_lower == "ascii" || label_lower == "ansi_x3.4-1968";
  if (is_ascii(bytes) && (wanted.empty() || wanted == "UTF-8" || wanted == "WINDOWS-1252")) {
    return {std::string(bytes), "US-ASCII", {}};
  }
  // ISO-2022-JP and UTF-7/16 are not ASCII-transparent: take them at their word first.
  if (!wanted.empty() && wanted != "UTF-8" && wanted.find("UTF-16") == std::string::npos && is_ascii(bytes)) {
    if (auto s = iconv_strict(bytes, wanted)) {
      return {std::move(*s), wanted, {}};
    }
  }
  if (wanted.rfind("UTF-16", 0) == 0 || wanted.rfind("UTF-32", 0) == 0 || wanted == "UTF-7") {
    if (auto s = iconv_strict(bytes, wanted)) {
      return {std::move(*s), wanted, {}};
    }
  }
  // Valid UTF-8 with non-ASCII bytes is almost never anything else.
  if (text::is_valid_utf8(bytes)) {
    std::string note;
    if (!wanted.empty() && wanted != "UTF-8") {
      note = fmt::format("the text was labelled {} but is UTF-8; read as UTF-8", shown);
    }
    return {std::string(bytes), "UTF-8", note};
  }
  if (!wanted.empty() && wanted != "UTF-8" && !says_ascii) {
    if (auto s = iconv_strict(bytes, wanted)) {
      return {std::move(*s), wanted, {}};
    }
  }
  // A known label that fails on a few stray bytes is still right about the rest.
  if (!wanted.empty() && wanted != "UTF-8" && !says_ascii) {
    std::string s = iconv_lenient(bytes, wanted);
    std::size_t bad = 0;
    std::size_t pos = 0;
    while ((pos = s.find("\xEF\xBF\xBD", pos)) != std::string::npos) {
      ++bad;
      pos += 3;
    }
    if (bad <= std::max<std::size_t>(2, bytes.size() / 200)) {
      return {std::move(s), wanted,
              fmt::format("{} byte{} of the text could not be read in {} and {} shown as \xEF\xBF\xBD", bad,
                          bad == 1 ? "" : "s", shown, bad == 1 ? "is" : "are")};
    }
  }
  // The label is wrong, missing or unknown: the most plausible reading (a few bytes a
  // charset cannot read cost it, they do not rule it out: real mail has stray bytes).
  std::optional<DecodedText> best;
  long best_score = 0;
  for (const char* guess : k_guess_charsets) {
    std::string s = iconv_lenient(bytes, guess);
    const long score = plausibility(s);
    if (!best || score > best_score) {
      best_score = score;
      best = DecodedText{std::move(s), guess, {}};
    }
  }
  best->note = wanted.empty() && !label.empty()
                 ? fmt::format("unknown charset '{}'; the text was read as {}", label, best->charset)
                 : fmt::format("the text was labelled {} but is not; read as {}", shown, best->charset);
  if (best->text.find("\xEF\xBF\xBD") != std::string::npos) {
    best->note += "; bytes that could not be read are shown as \xEF\xBF\xBD";
  }
  return std::move(*best);
}

namespace {

int hex_value(char c)
{
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

std::string base64_decode_lenient(std::string_view in)
{
  static constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : in) {
    const std::size_t v = k_alphabet.find(c);
    if (v == std::string_view::npos) {
      continue; // padding, white space and junk
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string q_decode(std::string_view in)
{
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '_') {
      out += ' ';
    } else if (in[i] == '=' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
               hex_value(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

struct EncodedWord {
  std::size_t begin = 0, end = 0; // in the raw value
  std::string charset;
  std::string bytes;
};

// The encoded word starting at `pos` ("=?cs?B?...?="), if one does.
std::optional<EncodedWord> encoded_word_at(std::string_view s, std::size_t pos)
{
  if (s.compare(pos, 2, "=?") != 0) {
    return std::nullopt;
  }
  const std::size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') {
    return std::nullopt;
  }
  const char enc = s[q1 + 1];
  const std::size_t close = s.find("?=", q1 + 3);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view payload = s.substr(q1 + 3, close - q1 - 3);
  if (payload.find_first_of(" \t\r\n") != std::string_view::npos && enc != 'Q' && enc != 'q') {
    return std::nullopt;
  }
  std::string charset(s.substr(pos + 2, q1 - pos - 2));
  if (const std::size_t star = charset.find('*'); star != std::string::npos) {
    charset.resize(star); // RFC 2231 language suffix
  }
  EncodedWord w;
  w.begin = pos;
  w.end = close + 2;
  w.charset = charset;
  if (enc == 'B' || enc == 'b') {
    w.bytes = base64_decode_lenient(payload);
  } else if (enc == 'Q' || enc == 'q') {
    w.bytes = q_decode(payload);
  } else {
    return std::nullopt;
  }
  return w;
}

std::string clean_header(std::string s)
{
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char32_t cp : text::decode(s)) {
    if (cp < 0x20 || cp == 0x7F) {
      space = true; // folding, CR/LF and other controls: one space
      continue;
    }
    if (space) {
      if (!out.empty()) {
        out += ' ';
      }
      space = false;
    }
    text::append_utf8(out, cp);
  }
  return out;
}

} // namespace

std::string decode_header_text(std::string_view raw, std::string_view fallback)
{
  std::string out;
  std::string pending_bytes; // adjacent words of the same charset are decoded together
  std::string pending_charset;
  auto flush_words = [&]() {
    if (!pending_bytes.empty()) {
      out += decode_charset(pending_bytes, pending_charset).text;
    }
    pending_bytes.clear();
    pending_charset.clear();
  };
  std::string plain;
  auto flush_plain = [&]() {
    if (!plain.empty()) {
      out += is_ascii(plain) ? plain : decode_charset(plain, fallback).text;
    }
    plain.clear();
  };
  std::size_t i = 0;
  bool last_was_word = false;
  while (i < raw.size()) {
    if (auto w = encoded_word_at(raw, i)) {
      // white space between two encoded words is dropped (RFC 2047 6.2)
      if (last_was_word && text::trim(plain).empty()) {
        plain.clear();
      }
      flush_plain();
      if (!pending_charset.empty() && text::ascii_lower(pending_charset) != text::ascii_lower(w->charset)) {
        flush_words();
      }
      pending_charset = w->charset;
      pending_bytes += w->bytes;
      i = w->end;
      last_was_word = true;
      continue;
    }
    if (last_was_word && raw[i] != ' ' && raw[i] != '\t' && raw[i] != '\r' && raw[i] != '\n') {
      flush_words();
      last_was_word = false;
      flush_plain();
    } else if (!last_was_word) {
      flush_words();
    }
    plain += raw[i];
    ++i;
  }
  if (last_was_word) {
    flush_words();
    plain.clear();
  }
  flush_words();
  flush_plain();
  return clean_header(std::move(out));
}

} // namespace desk::mail
