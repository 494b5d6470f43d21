#include <desk/mail/html_text.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace desk::mail;

TEST_SUITE("mail.html_text")
{
  TEST_CASE("entities, lists, blockquotes")
  {
    CHECK(html_to_text("<ul><li>one</li><li>two &lt;3&gt;</li></ul>") == "- one\n- two <3>");
    CHECK(html_to_text("a&#20320;&#x597d;b") == "a你好b");
    CHECK(html_to_text("new<blockquote>old</blockquote>") == "new\n> old");
  }
}
