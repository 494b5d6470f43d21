#include <desk/kb/tokenize.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace desk::kb;

namespace {

using Strings = std::vector<std::string>;

} // namespace

TEST_SUITE("kb.tokenize")
{
  TEST_CASE("English words split on anything that is not a letter or digit, folded to lower case")
  {
    CHECK(token_texts("Printer OFFLINE: can't print!") == Strings{"printer", "offline", "can", "t", "print"});
    CHECK(token_texts("error-code 0x80070005, v2.1") == Strings{"error", "code", "0x80070005", "v2", "1"});
    CHECK(token_texts("   ") == Strings{});
    CHECK(token_texts("Straße ÉCRAN écran") == Strings{"strasse", "écran", "écran"});
  }

  TEST_CASE("Chinese text becomes overlapping bigrams; a lone character a unigram")
  {
    CHECK(token_texts("打印机脱机") == Strings{"打印", "印机", "机脱", "脱机"});
    CHECK(token_texts("网") == Strings{"网"});
    CHECK(token_texts("网 断") == Strings{"网", "断"});
    CHECK(token_texts("打印机，脱机。") == Strings{"打印", "印机", "脱机"});
    // The index adds every character as a unigram so a one-character query finds it.
    CHECK(token_texts("打印机", true) == Strings{"打印", "印机", "打", "印", "机"});
  }

  TEST_CASE("mixed Chinese and English")
  {
    CHECK(token_texts("VPN连接失败，错误代码809") ==
          Strings{"vpn", "连接", "接失", "失败", "错误", "误代", "代码", "809"});
    CHECK(token_texts("重启Print Spooler服务") == Strings{"重启", "print", "spooler", "服务"});
  }

  TEST_CASE("full-width and half-width forms fold together")
  {
    CHECK(token_texts("ＶＰＮ　Ｅｒｒｏｒ　８０９") == Strings{"vpn", "error", "809"});
    CHECK(token_texts("ＶＰＮ") == token_texts("vpn"));
    CHECK(token_texts("ﾌﾟﾘﾝﾀｰ") == token_texts("プリンター"));
    CHECK(token_texts("打印机（HP）") == Strings{"打印", "印机", "hp"});
    // Decomposed input equals composed input.
    CHECK(token_texts("cafe\xCC\x81") == token_texts("café"));
  }

  TEST_CASE("tokens know where they came from")
  {
    const std::string s = "Hello 世界 WORLD";
    const auto tokens = tokenize(s);
    REQUIRE(tokens.size() == 3);
    CHECK(s.substr(tokens[0].begin, tokens[0].end - tokens[0].begin) == "Hello");
    CHECK(s.substr(tokens[1].begin, tokens[1].end - tokens[1].begin) == "世界");
    CHECK(tokens[2].text == "world");
    CHECK(s.substr(tokens[2].begin, tokens[2].end - tokens[2].begin) == "WORLD");
    const std::string wide = "ＶＰＮ";
    CHECK(tokenize(wide).front().end == wide.size());
  }

  TEST_CASE("very long words are cut, not dropped")
  {
    const std::string word(200, 'x');
    const auto t = token_texts(word);
    REQUIRE(t.size() == 1);
    CHECK(t[0].size() == k_max_word_length);
  }
}
