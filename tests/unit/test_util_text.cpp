#include <desk/util/text.hpp>

#include <doctest/doctest.h>
#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include <string>
#include <string_view>
#include <vector>

using namespace std::string_literals;
using namespace std::string_view_literals;

namespace text = desk::text;

TEST_SUITE_BEGIN("util.text");

TEST_CASE("display_width of ASCII, Chinese and mixed text")
{
  CHECK(text::display_width("") == 0);
  CHECK(text::display_width("hello") == 5);
  CHECK(text::display_width("中文") == 4);
  CHECK(text::display_width("打印机坏了") == 10);
  CHECK(text::display_width("VPN 连不上") == 10);
  CHECK(text::display_width("ＡＢＣ") == 6);       // fullwidth forms
  CHECK(text::display_width("\u3000") == 2);       // ideographic space
  CHECK(text::display_width("한국어") == 6);       // Hangul syllables
  CHECK(text::display_width("カタカナ") == 8);
  CHECK(text::display_width("ｶﾀｶﾅ") == 4);         // halfwidth katakana
  CHECK(text::display_width("…") == 1);
}

TEST_CASE("display_width of emoji, combining marks and controls")
{
  CHECK(text::char_width(U'\U0001F600') == 2);
  CHECK(text::display_width("\U0001F600") == 2);
  CHECK(text::display_width("ok \U0001F44D") == 5);
  CHECK(text::char_width(U'\u0301') == 0);          // combining acute
  CHECK(text::display_width("e\u0301") == 1);
  CHECK(text::display_width("Cafe\u0301") == 4);
  CHECK(text::char_width(U'\u200D') == 0);          // zero-width joiner
  CHECK(text::char_width(U'\uFE0F') == 0);          // variation selector
  CHECK(text::char_width(U'\u200B') == 0);          // zero-width space
  CHECK(text::char_width(U'\u1161') == 0);          // conjoining Hangul vowel
  CHECK(text::char_width(U'\x07') == 0);
  CHECK(text::char_width(U'\x1B') == 0);
  CHECK(text::char_width(U'\x7F') == 0);
  CHECK(text::char_width(U'\u4E2D') == 2);
  CHECK(text::char_width(U'\U00020000') == 2);      // CJK extension B
  CHECK(text::char_width(U'a') == 1);
  CHECK(text::display_width("a\tb\nc") == 5);       // tab and newline count 1
  CHECK(text::display_width("a\rb") == 2);
  CHECK(text::display_width("\xFF") == 1);          // invalid byte shows as U+FFFD
}

TEST_CASE("truncate_to_width never splits characters")
{
  CHECK(text::truncate_to_width("hello", 5) == "hello");
  CHECK(text::truncate_to_width("hello", 10) == "hello");
  CHECK(text::truncate_to_width("hello world", 5) == "hell…");
  CHECK(text::truncate_to_width("hello", 1) == "…");
  CHECK(text::truncate_to_width("hello", 0) == "");
  CHECK(text::truncate_to_width("", 0) == "");

  // Even widths: whole characters plus the ellipsis.
  CHECK(text::truncate_to_width("中文中文", 5) == "中文…");
  CHECK(text::display_width(text::truncate_to_width("中文中文", 5)) == 5);
  // Odd budget: a wide character that would straddle the limit is dropped.
  CHECK(text::truncate_to_width("中文中文", 4) == "中…");
  CHECK(text::display_width(text::truncate_to_width("中文中文", 4)) == 3);
  CHECK(text::truncate_to_width("中文中文", 2) == "…");
  CHECK(text::truncate_to_width("a中文", 3) == "a…");
  CHECK(text::truncate_to_width("a中文", 4) == "a中…");
  CHECK(text::truncate_to_width("\U0001F600\U0001F600", 3) == "\U0001F600…");

  // Combining marks stay with their base; the marks of a dropped base go with it.
  CHECK(text::truncate_to_width("e\u0301e\u0301e\u0301", 2) == "e\u0301…");
  // A dangling joiner is not left before the ellipsis.
  CHECK(text::truncate_to_width("\U0001F468\u200D\U0001F469\u200D\U0001F467", 3)
        == "\U0001F468…");

  for (std::size_t width = 0; width <= 12; ++width) {
    CAPTURE(width);
    const std::string cut = text::truncate_to_width("工单 T-42 已经关闭了", width);
    CHECK(text::display_width(cut) <= width);
    CHECK(text::is_valid_utf8(cut));
  }
}

TEST_CASE("pad_to_width pads to exactly the width")
{
  CHECK(text::pad_to_width("ab", 4) == "ab  ");
  CHECK(text::pad_to_width("ab", 4, true) == "  ab");
  CHECK(text::pad_to_width("中文", 5) == "中文 ");
  CHECK(text::pad_to_width("中文", 5, true) == " 中文");
  CHECK(text::pad_to_width("abc", 3) == "abc");
  CHECK(text::pad_to_width("", 3) == "   ");
  CHECK(text::pad_to_width("中文中文", 5) == "中文…");
  CHECK(text::pad_to_width("中文中文", 4) == "中… ");
  CHECK(text::pad_to_width("中文中文", 4, true) == " 中…");
  CHECK(text::pad_to_width("中文中文", 0) == "");

  const std::vector<std::string> samples = {
    "", "x", "中", "打印机坏了", "VPN 连不上", "\U0001F600 ok", "Cafe\u0301 Ｅｒｒｏｒ"};
  for (const auto& sample : samples) {
    for (std::size_t width = 0; width <= 12; ++width) {
      CAPTURE(sample);
      CAPTURE(width);
      CHECK(text::display_width(text::pad_to_width(sample, width)) == width);
      CHECK(text::display_width(text::pad_to_width(sample, width, true)) == width);
    }
  }
}

TEST_CASE("normalize_nfc composes")
{
  CHECK(text::normalize_nfc("Cafe\u0301") == "Caf\u00E9");
  CHECK(text::normalize_nfc("Caf\u00E9") == "Caf\u00E9");
  CHECK(text::normalize_nfc("\u1100\u1161") == "\uAC00"); // Hangul jamo to syllable
  CHECK(text::normalize_nfc("") == "");
  CHECK(text::normalize_nfc("打印机") == "打印机");
  // NFC keeps compatibility characters (only fold maps them).
  CHECK(text::normalize_nfc("ＡＢＣ") == "ＡＢＣ");
  // Embedded NUL survives; invalid bytes become U+FFFD.
  CHECK(text::normalize_nfc("a\0b"sv) == "a\0b"s);
  CHECK(text::normalize_nfc("a\xFF"
                            "b")
        == "a\uFFFDb");
}

namespace {

// utf8proc's own NFC, the reference is_surely_nfc is checked against.
std::string reference_nfc(const std::string& s)
{
  const std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> out(
    utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(s.c_str())), &std::free);
  return out ? reinterpret_cast<const char*>(out.get()) : "(utf8proc failed)";
}

} // namespace

TEST_CASE("is_surely_nfc holds only for text NFC leaves as it is, next to any base")
{
  // Bases a following code point could compose with: Latin letters, kana (か + ゛ = が),
  // a hangul syllable (가 + ᆨ = 각), an ideograph, a mark-bearing letter.
  std::vector<std::string> bases;
  for (char c = 'a'; c <= 'z'; ++c) {
    bases.emplace_back(1, c);
    bases.emplace_back(1, static_cast<char>(c - 'a' + 'A'));
  }
  for (const char* b : {"\u00E9", "\u00C5", "\u304B", "\u30AB", "\u3046", "\uAC00", "\u1100", "\u6253", "\u03B1", "\u0438",
                        "\u05D0", "\u0915", "\u0B95", "\u0CC6", "\u0DD9", "\u1025", "\u1B05", "\u0627"}) {
    bases.emplace_back(b);
  }
  std::size_t stable = 0;
  std::vector<std::string> failures; // texts NFC changes although is_surely_nfc held
  for (char32_t cp = 1; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      continue;
    }
    std::string one;
    text::append_utf8(one, cp);
    if (!text::is_surely_nfc(one)) {
      continue;
    }
    ++stable;
    if (reference_nfc(one) != one) {
      failures.push_back(one);
    }
    for (const auto& base : bases) {
      if (const std::string pair = base + one; reference_nfc(pair) != pair) {
        failures.push_back(pair);
      }
    }
  }
  CHECK(failures.empty()); // (one assertion, not millions)
  CHECK(stable > 39000); // ASCII to Latin Extended, punctuation, kana, ideographs, hangul
  CHECK(text::is_surely_nfc("VPN 无法连接：错误 809，“重试”…"));
  CHECK(text::is_surely_nfc(""));
  CHECK_FALSE(text::is_surely_nfc("Cafe\u0301"));  // a combining mark
  CHECK_FALSE(text::is_surely_nfc("\uF900"));      // a compatibility ideograph (decomposes)
  CHECK_FALSE(text::is_surely_nfc("\u1100\u1161")); // jamo that compose
  CHECK_FALSE(text::is_surely_nfc("a\xFF"));       // not UTF-8
  // Whatever it says, normalize_nfc gives utf8proc's answer.
  for (const char* s : {"Cafe\u0301", "打印机 ｐｒｉｎｔｅｒ", "\u1100\u1161", "\u304B\u3099"}) {
    CHECK(text::normalize_nfc(s) == reference_nfc(s));
  }
}

TEST_CASE("fold maps full-width and case")
{
  CHECK(text::fold("ＡＢＣ１２３") == "abc123");
  CHECK(text::fold("Ｅｒｒｏｒ") == "error");
  CHECK(text::fold("ERROR") == "error");
  CHECK(text::fold("VPN 连不上") == "vpn 连不上");
  CHECK(text::fold("Stra\u00DFe") == "strasse");
  CHECK(text::fold("CAFE\u0301") == "caf\u00E9");
  CHECK(text::fold("ｶﾀｶﾅ") == "カタカナ");
  CHECK(text::fold("\uFB01le") == "file"); // ligature
  CHECK(text::fold("") == "");
  CHECK(text::fold(text::fold("Ｅｒｒｏｒ ÉTÉ")) == text::fold("Ｅｒｒｏｒ ÉTÉ"));
}

TEST_CASE("UTF-8 validation")
{
  CHECK(text::is_valid_utf8(""));
  CHECK(text::is_valid_utf8("plain ascii"));
  CHECK(text::is_valid_utf8("中文 \U0001F600 é"));
  CHECK(text::is_valid_utf8("\xF4\x8F\xBF\xBF"));      // U+10FFFF
  CHECK(text::is_valid_utf8("\xEF\xBF\xBE"));          // U+FFFE: a noncharacter, still valid
  CHECK(text::is_valid_utf8("\xED\x9F\xBF"));          // U+D7FF, just below the surrogates
  CHECK(text::is_valid_utf8("\xEE\x80\x80"));          // U+E000, just above them

  CHECK_FALSE(text::is_valid_utf8("\xC0\x80"));        // overlong NUL
  CHECK_FALSE(text::is_valid_utf8("\xC1\xBF"));        // overlong
  CHECK_FALSE(text::is_valid_utf8("\xE0\x80\xAF"));    // overlong 3-byte
  CHECK_FALSE(text::is_valid_utf8("\xF0\x80\x80\xAF")); // overlong 4-byte
  CHECK_FALSE(text::is_valid_utf8("\xED\xA0\x80"));    // surrogate U+D800
  CHECK_FALSE(text::is_valid_utf8("\xED\xBF\xBF"));    // surrogate U+DFFF
  CHECK_FALSE(text::is_valid_utf8("\xF4\x90\x80\x80")); // U+110000
  CHECK_FALSE(text::is_valid_utf8("\xF5\x80\x80\x80"));
  CHECK_FALSE(text::is_valid_utf8("\xFF"));
  CHECK_FALSE(text::is_valid_utf8("\x80"));            // lone continuation
  CHECK_FALSE(text::is_valid_utf8("\xE4\xB8"));        // truncated 中
  CHECK_FALSE(text::is_valid_utf8("\xF0\x9F\x98"));    // truncated emoji
  CHECK_FALSE(text::is_valid_utf8("\xC3"));
  CHECK_FALSE(text::is_valid_utf8("\xE4\xB8z"));       // interrupted

  CHECK(text::first_invalid_utf8("ok") == std::string_view::npos);
  CHECK(text::first_invalid_utf8("ab\xC0\x80") == 2);
  CHECK(text::first_invalid_utf8("中\xE4\xB8") == 3);
  CHECK(text::first_invalid_utf8("\xFF") == 0);
}

TEST_CASE("decode and append_utf8")
{
  CHECK(text::decode("a中\U0001F600") == std::vector<char32_t>{U'a', U'\u4E2D', U'\U0001F600'});
  CHECK(text::decode("") == std::vector<char32_t>{});
  // Each maximal ill-formed subpart becomes one U+FFFD; the next character survives.
  CHECK(text::decode("\xE4\xB8z") == std::vector<char32_t>{0xFFFD, U'z'});
  CHECK(text::decode("\xC0\x80") == std::vector<char32_t>{0xFFFD, 0xFFFD});
  CHECK(text::decode("\xED\xA0\x80") == std::vector<char32_t>{0xFFFD, 0xFFFD, 0xFFFD});

  std::string out;
  for (char32_t cp : {U'a', U'\u00E9', U'\u4E2D', U'\U0001F600', char32_t{0x10FFFF}}) {
    text::append_utf8(out, cp);
  }
  CHECK(out == "a\u00E9\u4E2D\U0001F600\xF4\x8F\xBF\xBF");
  CHECK(text::decode(out).size() == 5);

  std::string bad;
  text::append_utf8(bad, char32_t{0xD800});
  text::append_utf8(bad, char32_t{0x110000});
  CHECK(bad == "\uFFFD\uFFFD");
}

TEST_CASE("one_line, trim, split, ascii_lower")
{
  CHECK(text::one_line("a\nb") == "a b");
  CHECK(text::one_line("a\r\n\tb   c") == "a b c");
  CHECK(text::one_line("  打印机\n坏了  ") == "打印机 坏了");
  CHECK(text::one_line("") == "");
  CHECK(text::one_line(" \n\t ") == "");
  CHECK(text::one_line("no change") == "no change");

  CHECK(text::trim("  x y \t\n") == "x y");
  CHECK(text::trim("") == "");
  CHECK(text::trim(" \t ") == "");
  CHECK(text::trim("中文 ") == "中文");

  CHECK(text::split("a,b,c", ',') == std::vector<std::string>{"a", "b", "c"});
  CHECK(text::split("a,,b,", ',') == std::vector<std::string>{"a", "", "b", ""});
  CHECK(text::split("", ',') == std::vector<std::string>{""});
  CHECK(text::split("中文,英文", ',') == std::vector<std::string>{"中文", "英文"});

  CHECK(text::ascii_lower("HeLLo-World_1") == "hello-world_1");
  CHECK(text::ascii_lower("\u00C9COLE 中文") == "\u00C9cole 中文"); // non-ASCII untouched
}

TEST_CASE("looks_like_text")
{
  CHECK(text::looks_like_text(""));
  CHECK(text::looks_like_text("line one\nline two\r\n\tindented"));
  CHECK(text::looks_like_text("打印机坏了 \U0001F600"));
  CHECK_FALSE(text::looks_like_text("a\0b"sv));
  CHECK_FALSE(text::looks_like_text("\x1B[31mred"));
  CHECK_FALSE(text::looks_like_text("\xFF\xFE"));
  CHECK_FALSE(text::looks_like_text("\xE4\xB8"));
}

TEST_CASE("read_digits reads between min and max digits and moves past them")
{
  std::size_t pos = 0;
  int v = -1;
  CHECK(text::read_digits("2026-11", pos, 4, 4, v));
  CHECK(v == 2026);
  CHECK(pos == 4);
  ++pos; // '-'
  CHECK(text::read_digits("2026-11", pos, 1, 2, v));
  CHECK(v == 11);
  CHECK(pos == 7);
  CHECK_FALSE(text::read_digits("2026-11", pos, 1, 2, v)); // at the end: none
  pos = 0;
  CHECK(text::read_digits("12345", pos, 1, 3, v)); // stops at max
  CHECK(v == 123);
  CHECK(pos == 3);
  pos = 0;
  CHECK_FALSE(text::read_digits("7:05", pos, 2, 2, v)); // one digit where two are needed
  CHECK(v == 7);
  CHECK(pos == 1);
  pos = 0;
  CHECK_FALSE(text::read_digits("x1", pos, 1, 2, v));
  CHECK(pos == 0);
  pos = 0;
  CHECK_FALSE(text::read_digits("\xEF\xBC\x91", pos, 1, 2, v)); // a full-width digit is not one
}

TEST_CASE("html_escape escapes the five characters HTML gives meaning to, and nothing else")
{
  CHECK(text::html_escape("a < b && c > \"d\" 'e'") == "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
  CHECK(text::html_escape("打印机 <tray>") == "打印机 &lt;tray&gt;");
  CHECK(text::html_escape("") == "");
}

TEST_CASE("html_escape escapes every special character")
{
  CHECK(text::html_escape("<a href=\"x\">Tom & Jerry's</a>") ==
        "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
}

TEST_CASE("visible shows terminal controls as escapes and keeps text")
{
  CHECK(text::visible("打印机 printer 🖨") == "打印机 printer 🖨");
  CHECK(text::visible("C:\\Users\\wang") == "C:\\Users\\wang"); // backslashes stay
  CHECK(text::visible("a\x1b]0;owned\x07z") == "a\\e]0;owned\\x07z");            // OSC 0 title
  CHECK(text::visible("\x1b]52;c;ZXZpbA==\x07") == "\\e]52;c;ZXZpbA==\\x07");     // OSC 52 clipboard
  CHECK(text::visible("\x1b[2J\x1b[H") == "\\e[2J\\e[H");                          // clear, home
  CHECK(text::visible("bob\b\b\bal") == "bob\\x08\\x08\\x08al");
  CHECK(text::visible("x\ry") == "x\\x0dy");
  CHECK(text::visible("del\x7f") == "del\\x7f");
  CHECK(text::visible("\xc2\x9b" "31m") == "\\u009b31m"); // C1 CSI
  CHECK(text::visible("abc\u202edcba") == "abc\\u202edcba");
  for (const char* bidi : {"\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e",
                           "\u200f", "\u061c", "\u2028", "\u2029"}) {
    CHECK(text::visible(bidi).starts_with("\\u"));
    CHECK(text::needs_escape(bidi));
  }
  CHECK(text::visible("bad \xff byte") == "bad \\xff byte");
  CHECK(text::visible("one\ntwo\tthree") == "one\\x0atwo\\x09three");
  CHECK(text::visible("one\ntwo\tthree", true) == "one\ntwo\tthree");
  CHECK(text::visible("one\n\x1b[1A", true) == "one\n\\e[1A");
  CHECK_FALSE(text::needs_escape("打印机 = printer"));
  CHECK(text::needs_escape("\x1b"));
  // Escapes are plain ASCII: display widths stay right for tables.
  CHECK(text::display_width(text::visible("中文\x1b[2J")) == 4 + 5);
}

TEST_CASE("csv_cell guards formulas and csv_unguard gives the text back")
{
  CHECK(text::csv_cell("=HYPERLINK(\"http://x\",\"y\")") == "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  CHECK(text::csv_cell("+1+cmd|' /C calc'!A0") == "'+1+cmd|' /C calc'!A0");
  CHECK(text::csv_cell("-2+3") == "'-2+3");
  CHECK(text::csv_cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(text::csv_cell("\tx") == "'\tx");
  CHECK(text::csv_cell("\rx") == "\"'\rx\"");
  CHECK(text::csv_cell("'=x") == "''=x"); // a quote already there is kept, one more guards it
  // Numbers and ordinary text are not touched.
  for (const char* plain : {"-5", "+1.5", "12", "-0.25", "打印机", "a=b", "", "'", "'quoted'"}) {
    CHECK(text::csv_cell(plain) == plain);
    CHECK_FALSE(text::csv_formula_guarded(plain));
  }
  for (const char* s : {"=1+1", "+x", "-", "-x", "@", "\t", "\r", "'=x", "''+y", "-5-", "-.5", "=", "-1e5", "x", "'",
                        "''", "'x", "-5", "打印机"}) {
    std::string cell = text::csv_cell(s);
    if (cell.size() >= 2 && cell.front() == '"') { // undo the RFC 4180 quoting
      std::string inner;
      for (std::size_t i = 1; i + 1 < cell.size(); ++i) {
        inner += cell[i];
        if (cell[i] == '"') {
          ++i;
        }
      }
      cell = inner;
    }
    CHECK(text::csv_unguard(cell) == s);
  }
}

TEST_SUITE_END();
