#include <desk/portal/headers.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace desk {

TEST_SUITE("portal.headers")
{
  TEST_CASE("cookie_value finds a cookie by its exact name, trimmed, the first of several")
  {
    CHECK(portal::cookie_value("desk_csrf=abc; desk_session=eyJ.mac; desk_lang=zh", "desk_session") == "eyJ.mac");
    CHECK(portal::cookie_value("a=1;;  desk_lang = en ;b", "desk_lang") == "en");
    CHECK(portal::cookie_value("x_desk_lang=zh; desk_lang=en", "desk_lang") == "en");
    CHECK(portal::cookie_value("desk_lang=zh; desk_lang=en", "desk_lang") == "zh");
    CHECK(portal::cookie_value("desk_lang", "desk_lang").empty());
    CHECK(portal::cookie_value("", "desk_lang").empty());
  }

  TEST_CASE("pick_language follows the q-values of Accept-Language and refuses malformed ones")
  {
    const std::vector<std::string> offered = {"en", "zh"};
    CHECK(portal::pick_language("zh-CN,zh;q=0.9,en;q=0.8", offered) == "zh");
    CHECK(portal::pick_language("en-US,en;q=0.9,zh-CN;q=0.8", offered) == "en");
    CHECK(portal::pick_language("fr, zh;q=0.2", offered) == "zh");
    CHECK(portal::pick_language("fr, de", offered) == "en");
    CHECK(portal::pick_language("", offered) == "en");
    CHECK(portal::pick_language("zh;q=0", offered) == "en");
    CHECK(portal::pick_language("ZH-tw;Q=0.5", offered) == "zh");
    CHECK(portal::pick_language("en;q=0.5, zh;q=0.50", offered) == "en"); // a tie: the first
    for (const char* bad : {"zh;q=1.5", "zh;q=nan", "zh;q=0.0001", "zh;q=-1", "zh;q=1e3", "zh;q=", "zh;q=0,5"}) {
      CAPTURE(bad);
      CHECK(portal::pick_language(bad, offered) == "en");
    }
  }
}

} // namespace desk
