#include <desk/kb/tokenize.hpp>

#include <desk/util/text.hpp>

#include <utf8proc.h>

namespace desk::kb {

namespace {

// One code point of the folded text and the span of the (NFC) input it came from.
struct Unit {
  char32_t cp;
  std::size_t begin;
  std::size_t end;
};

enum class Kind { other, word, cjk };

Kind kind_of(char32_t cp)
{
  if (cp < 0x80) {
    const bool alnum = (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    return alnum ? Kind::word : Kind::other;
  }
  if (is_cjk(cp)) {
    return Kind::cjk;
  }
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
  case UTF8PROC_CATEGORY_LU:
  case UTF8PROC_CATEGORY_LL:
  case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME:
  case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return Kind::word;
  default:
    return Kind::other;
  }
}

bool is_mark(char32_t cp)
{
  const auto c = utf8proc_category(static_cast<utf8proc_int32_t>(cp));
  return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

// Decode one UTF-8 sequence at `i` (the input is valid after NFC); advances `i`.
char32_t next_cp(std::string_view s, std::size_t& i)
{
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
  char32_t cp = b0 & (len == 4 ? 0x07U : len == 3 ? 0x0FU : 0x1FU);
  std::size_t j = i + 1;
  for (int k = 1; k < len && j < s.size(); ++k, ++j) {
    cp = (cp << 6U) | (static_cast<unsigned char>(s[j]) & 0x3FU);
  }
  i = j;
  return cp;
}

// Fold one code point (fast paths for ASCII, full-width ASCII and the CJK blocks, whose
// NFKC + case fold is known; everything else through text::fold).
void fold_into(char32_t cp, std::size_t begin, std::size_t end, std::vector<Unit>& out)
{
  if (cp < 0x80) {
    if (cp >= 'A' && cp <= 'Z') {
      cp += 'a' - 'A';
    }
    out.push_back({cp, begin, end});
    return;
  }
  if (cp >= 0xFF01 && cp <= 0xFF5E) { // full-width ASCII
    cp -= 0xFEE0;
    if (cp >= 'A' && cp <= 'Z') {
      cp += 'a' - 'A';
    }
    out.push_back({cp, begin, end});
    return;
  }
  if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x3041 && cp <= 0x3096) ||
      (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0xAC00 && cp <= 0xD7A3)) {
    out.push_back({cp, begin, end});
    return;
  }
  std::string one;
  text::append_utf8(one, cp);
  const std::string folded = text::fold(one);
  std::size_t i = 0;
  bool first = true;
  while (i < folded.size()) {
    const char32_t f = next_cp(folded, i);
    if (first && !out.empty() && is_mark(f)) {
      // A mark that composes only once folded: half-width ﾌ + ﾟ → プ.
      std::string pair;
      text::append_utf8(pair, out.back().cp);
      text::append_utf8(pair, f);
      const std::string composed = text::normalize_nfc(pair);
      std::size_t k = 0;
      const char32_t c = next_cp(composed, k);
      if (k == composed.size()) {
        out.back().cp = c;
        out.back().end = end;
        first = false;
        continue;
      }
    }
    out.push_back({f, begin, end});
    first = false;
  }
}

void emit(std::vector<Token>& out, const std::vector<Unit>& units, std::size_t from, std::size_t to)
{
  Token t;
  for (std::size_t k = from; k < to; ++k) {
    text::append_utf8(t.text, units[k].cp);
  }
  t.begin = units[from].begin;
  t.end = units[to - 1].end;
  out.push_back(std::move(t));
}

} // namespace

bool is_cjk(char32_t cp)
{
  return (cp >= 0x4E00 && cp <= 0x9FFF)     // CJK unified ideographs
         || (cp >= 0x3400 && cp <= 0x4DBF)  // extension A
         || (cp >= 0x20000 && cp <= 0x323AF) // extensions B–H
         || (cp >= 0xF900 && cp <= 0xFAFF)  // compatibility ideographs
         || (cp >= 0x3040 && cp <= 0x30FF)  // hiragana, katakana
         || (cp >= 0x31F0 && cp <= 0x31FF)  // katakana phonetic extensions
         || (cp >= 0x3100 && cp <= 0x312F)  // bopomofo
         || (cp >= 0xAC00 && cp <= 0xD7AF)  // hangul syllables
         || (cp >= 0x1100 && cp <= 0x11FF)  // hangul jamo
         || (cp >= 0x3130 && cp <= 0x318F)  // hangul compatibility jamo
         || cp == 0x3005 || cp == 0x3007;   // 々 〇
}

std::vector<Token> tokenize(std::string_view input, bool cjk_unigrams)
{
  std::string normalized;
  std::string_view s = input;
  if (!text::is_surely_nfc(input)) {
    normalized = text::normalize_nfc(input);
    s = normalized;
  }
  std::vector<Unit> units;
  units.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t begin = i;
    const char32_t cp = next_cp(s, i);
    fold_into(cp, begin, i, units);
  }
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < units.size()) {
    const Kind k = kind_of(units[i].cp);
    if (k == Kind::other) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < units.size() && kind_of(units[j].cp) == k) {
      ++j;
    }
    if (k == Kind::word) {
      emit(out, units, i, std::min(j, i + k_max_word_length));
    } else if (j - i == 1) {
      emit(out, units, i, j);
    } else {
      for (std::size_t b = i; b + 1 < j; ++b) {
        emit(out, units, b, b + 2);
      }
      if (cjk_unigrams) {
        for (std::size_t b = i; b < j; ++b) {
          emit(out, units, b, b + 1);
        }
      }
    }
    i = j;
  }
  return out;
}

std::vector<std::string> token_texts(std::string_view text, bool cjk_unigrams)
{
  std::vector<std::string> out;
  for (auto& t : tokenize(text, cjk_unigrams)) {
    out.push_back(std::move(t.text));
  }
  return out;
}

} // namespace desk::kb
