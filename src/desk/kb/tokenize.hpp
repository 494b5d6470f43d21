#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Search tokens for Chinese, Japanese, Korean and alphabetic text alike.
//
// Text is folded first (NFKC + case fold through utf8proc: full-width and half-width forms
// and letter case compare equal). Then runs of letters and digits of alphabetic scripts
// become one token each (split on anything else), and runs of CJK characters, which carry
// no spaces, become overlapping character bigrams ("打印机" → "打印", "印机"); a CJK run of
// a single character is a unigram. Indexing can add every CJK character as a unigram too,
// so that a one-character query still finds text where that character stands in a run.
namespace desk::kb {

// One token: its folded text and the byte span it came from in the NFC form of the input
// (text::normalize_nfc; equal to the input for text that is already NFC, such as ASCII).
struct Token {
  std::string text;
  std::size_t begin = 0;
  std::size_t end = 0;

  bool operator==(const Token&) const = default;
};

// Longest alphabetic token kept whole, in code points; longer runs are cut.
inline constexpr std::size_t k_max_word_length = 64;

// True for the code points tokenised as CJK (Han, kana, Hangul, bopomofo).
bool is_cjk(char32_t cp);

// Tokens of `text` in order. `cjk_unigrams` adds a unigram for every CJK character of a
// longer run (what the index stores), after the bigrams of the run.
std::vector<Token> tokenize(std::string_view text, bool cjk_unigrams = false);

// Just the token texts (convenient for tests and queries).
std::vector<std::string> token_texts(std::string_view text, bool cjk_unigrams = false);

} // namespace desk::kb
