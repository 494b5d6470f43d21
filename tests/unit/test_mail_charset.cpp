#include <desk/mail/charset.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace desk::mail;

TEST_SUITE("mail.charset")
{
  TEST_CASE("GB2312 labels are read as GB18030, so GBK characters survive")
  {
    // 讀取 in GBK (not in GB2312).
    const std::string gbk = "\xd7\x78\xc8\xa1";
    const DecodedText d = decode_charset(gbk, "gb2312");
    CHECK(d.text == "讀取");
    CHECK(d.note.empty());
  }

  TEST_CASE("UTF-8 text with a wrong label is read as UTF-8 and says so")
  {
    const DecodedText d = decode_charset("\xe4\xbd\xa0\xe5\xa5\xbd", "gb2312");
    CHECK(d.text == "你好");
    CHECK(d.note.find("UTF-8") != std::string::npos);
  }

  TEST_CASE("an unknown charset is guessed and noted, never stored silently")
  {
    const DecodedText d = decode_charset("\xc4\xe3\xba\xc3", "x-klingon");
    CHECK(d.text == "你好");
    CHECK(d.note.find("x-klingon") != std::string::npos);
  }

  TEST_CASE("Big5, ISO-2022-JP and windows-1252 decode")
  {
    CHECK(decode_charset("\xa4\xa4\xa4\xe5", "big5").text == "中文");
    CHECK(decode_charset("\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp").text == "こんにちは");
    CHECK(decode_charset("caf\xe9 \x80", "windows-1252").text == "café €");
    CHECK(decode_charset("caf\xe9", "iso-8859-1").text == "café");
  }

  TEST_CASE("encoded words: adjacent words join, each in its own charset")
  {
    CHECK(decode_header_text("=?gb2312?B?xOO6ww==?= =?utf-8?B?5LiW55WM?=") == "你好世界");
    CHECK(decode_header_text("Re: =?UTF-8?Q?caf=C3=A9_ok?= done") == "Re: café ok done");
    CHECK(decode_header_text("plain") == "plain");
  }

  TEST_CASE("raw 8-bit header bytes take the body's charset; line breaks never survive")
  {
    CHECK(decode_header_text("\xc4\xe3\xba\xc3", "gb2312") == "你好");
    CHECK(decode_header_text("a\r\nBcc: x@y") == "a Bcc: x@y");
  }
}
