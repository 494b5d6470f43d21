#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

// Generic UTF-8 text handling (no domain knowledge): validation, display width for
// terminal tables (CJK wide characters count 2 columns), normalisation and folding.
namespace desk::text {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);

// Byte offset of the first invalid UTF-8 sequence in `s`, or npos when valid.
std::size_t first_invalid_utf8(std::string_view s);

// Decode UTF-8 into code points; invalid bytes become U+FFFD.
std::vector<char32_t> decode(std::string_view s);

// Encode one code point as UTF-8 and append it to `out`.
void append_utf8(std::string& out, char32_t cp);

// Terminal columns one code point occupies: 0 for combining/control, 2 for East Asian
// wide and fullwidth characters and emoji, 1 otherwise.
int char_width(char32_t cp);

// Terminal columns the whole string occupies (sum of char_width; tabs and newlines count 1).
std::size_t display_width(std::string_view s);

// Cut `s` to at most `width` columns; when cut, the last column is "…" (never splits a
// character, never leaves half of a wide character).
std::string truncate_to_width(std::string_view s, std::size_t width);

// Pad `s` with spaces on the right (or left when `right_align`) to exactly `width`
// columns; longer strings are truncated with truncate_to_width first.
std::string pad_to_width(std::string_view s, std::size_t width, bool right_align = false);

// NFC normalisation (what desk stores).
std::string normalize_nfc(std::string_view s);

// True when `s` is valid UTF-8 made only of code points NFC never changes (what English
// and Chinese text is made of): normalize_nfc(s) == s, found without utf8proc. False
// says nothing.
bool is_surely_nfc(std::string_view s);

// Search folding: NFKC (full-width → half-width, compatibility forms) + case fold.
std::string fold(std::string_view s);

// Replace newlines and tabs by single spaces and collapse runs of white space (for one-line
// table cells and summaries).
std::string one_line(std::string_view s);

// `s` safe to print on a terminal: control characters and invisible formatting that a
// terminal or a bidirectional layout would act on are shown as visible escapes instead:
// ESC as `\e`, other C0 controls and DEL as `\xHH` (`\x08` for a backspace, `\x0d` for a carriage return),
// C1 controls, bidirectional embeddings, overrides, isolates and marks (U+200E, U+200F,
// U+061C, U+202A..U+202E, U+2066..U+2069) and line/paragraph separators as `\uHHHH`, an
// invalid UTF-8 byte as `\xHH`. With `multi_line`, newlines and tabs stay (multi-line
// fields). Everything else, CJK and emoji included, is kept as it is. For human-readable
// output only: JSON, YAML and CSV carry the exact text.
std::string visible(std::string_view s, bool multi_line = false);

// True when visible(s, multi_line) would change `s`.
bool needs_escape(std::string_view s, bool multi_line = false);

// Lower-case ASCII letters only (for option values and keys).
std::string ascii_lower(std::string_view s);

// Strip ASCII white space at both ends.
std::string_view trim(std::string_view s);

// Split on a single character (keeps empty fields).
std::vector<std::string> split(std::string_view s, char sep);

// True when every byte is printable ASCII or valid multi-byte UTF-8 and there is no NUL.
bool looks_like_text(std::string_view s);

// One CSV field (RFC 4180): quoted, with inner quotes doubled, when it holds a comma,
// quote or line break; as it is otherwise. A text a spreadsheet would run as a formula
// (csv_formula_guarded) gets a leading ' first (OWASP's advice on CSV injection).
std::string csv_cell(std::string_view s);

// True when csv_cell puts a ' before `s`: it starts with =, +, -, @, a tab or a carriage
// return, after any number of ', and is not a plain number ("-5", "+1.5" stay as they are).
bool csv_formula_guarded(std::string_view s);

// A CSV field as read, with the ' that csv_cell added removed: a field of one or more '
// followed by =, +, -, @, a tab or a carriage return loses its first '. csv_cell then
// csv_unguard gives back the text exactly.
std::string_view csv_unguard(std::string_view s);

// Read the ASCII digits at s[pos] (at most `max_digits`) into `out` and move pos past them;
// true when there were at least `min_digits`. For fixed-format dates and times.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t min_digits, std::size_t max_digits, int& out);

// Text escaped for HTML element content and attribute values (& < > " ').
std::string html_escape(std::string_view s);

} // namespace desk::text
