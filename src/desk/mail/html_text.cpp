#include <desk/mail/html_text.hpp>

#include <desk/util/text.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>

namespace desk::mail {

namespace {

struct NamedEntity {
  std::string_view name;
  char32_t cp;
};

constexpr std::array<NamedEntity, 24> k_entities{{
  {"nbsp", 0xA0}, {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
  {"copy", 0xA9}, {"reg", 0xAE}, {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},
  {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"middot", 0xB7},
  {"bull", 0x2022}, {"euro", 0x20AC}, {"yen", 0xA5}, {"pound", 0xA3}, {"times", 0xD7},
  {"laquo", 0xAB}, {"raquo", 0xBB}, {"emsp", 0x2003},
}};

bool is_block_tag(std::string_view tag)
{
  static constexpr std::array<std::string_view, 21> k_blocks{
    "p", "div", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "pre", "hr",
    "section", "article", "header", "footer", "center", "address", "title"};
  for (auto b : k_blocks) {
    if (tag == b) {
      return true;
    }
  }
  return false;
}

// Append `cp` to `out`, collapsing white space; `pre` keeps it.
void put_char(std::string& out, char32_t cp, bool pre)
{
  if (!pre && (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0)) {
    if (!out.empty() && out.back() != ' ' && out.back() != '\n') {
      out += ' ';
    }
    return;
  }
  if (cp == 0xA0) {
    cp = ' ';
  }
  if (cp < 0x20 && cp != '\n' && cp != '\t') {
    return;
  }
  text::append_utf8(out, cp);
}

void line_break(std::string& out, int quote_depth)
{
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  out += '\n';
  for (int i = 0; i < quote_depth; ++i) {
    out += "> ";
  }
}

} // namespace

std::string html_to_text(std::string_view html)
{
  std::string out;
  int quote_depth = 0;
  bool pre = false;
  std::size_t i = 0;
  const std::size_t n = html.size();
  while (i < n) {
    const char c = html[i];
    if (c == '<') {
      if (html.compare(i, 4, "<!--") == 0) {
        const std::size_t end = html.find("-->", i + 4);
        i = end == std::string_view::npos ? n : end + 3;
        continue;
      }
      const std::size_t end = html.find('>', i + 1);
      if (end == std::string_view::npos) {
        break;
      }
      std::string_view inner = html.substr(i + 1, end - i - 1);
      const bool closing = !inner.empty() && inner.front() == '/';
      if (closing) {
        inner.remove_prefix(1);
      }
      std::size_t name_end = 0;
      while (name_end < inner.size() && (std::isalnum(static_cast<unsigned char>(inner[name_end])) != 0)) {
        ++name_end;
      }
      const std::string tag = text::ascii_lower(inner.substr(0, name_end));
      i = end + 1;
      if (!closing && (tag == "script" || tag == "style")) {
        const std::string close = "</" + tag;
        std::size_t pos = i;
        while (true) {
          pos = html.find('<', pos);
          if (pos == std::string_view::npos || text::ascii_lower(html.substr(pos, close.size())) == close) {
            break;
          }
          ++pos;
        }
        if (pos == std::string_view::npos) {
          i = n;
        } else {
          const std::size_t gt = html.find('>', pos);
          i = gt == std::string_view::npos ? n : gt + 1;
        }
        continue;
      }
      if (tag == "br") {
        line_break(out, quote_depth);
      } else if (tag == "blockquote") {
        quote_depth = closing ? std::max(0, quote_depth - 1) : quote_depth + 1;
        line_break(out, quote_depth);
      } else if (tag == "li" && !closing) {
        line_break(out, quote_depth);
        out += "- ";
      } else if (tag == "pre") {
        pre = !closing;
        line_break(out, quote_depth);
      } else if (tag == "td" || tag == "th") {
        if (closing) {
          out += ' ';
        }
      } else if (is_block_tag(tag)) {
        line_break(out, quote_depth);
      }
      continue;
    }
    if (c == '&') {
      const std::size_t semi = html.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 10) {
        std::string_view ent = html.substr(i + 1, semi - i - 1);
        char32_t cp = 0;
        if (!ent.empty() && ent.front() == '#') {
          const bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
          const std::string digits(ent.substr(hex ? 2 : 1));
          char* stop = nullptr;
          const unsigned long v = std::strtoul(digits.c_str(), &stop, hex ? 16 : 10);
          if (!digits.empty() && stop && *stop == '\0' && v > 0 && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF)) {
            cp = static_cast<char32_t>(v);
          }
        } else {
          const std::string name = text::ascii_lower(ent);
          for (const auto& e : k_entities) {
            if (e.name == name) {
              cp = e.cp;
            }
          }
        }
        if (cp != 0) {
          put_char(out, cp, pre);
          i = semi + 1;
          continue;
        }
      }
    }
    // one UTF-8 character
    std::size_t len = 1;
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0xF0) {
      len = 4;
    } else if (b >= 0xE0) {
      len = 3;
    } else if (b >= 0xC0) {
      len = 2;
    }
    len = std::min(len, n - i);
    const std::string_view ch = html.substr(i, len);
    if (len == 1) {
      if (pre && c == '\n') {
        line_break(out, quote_depth);
      } else {
        put_char(out, static_cast<unsigned char>(c), pre);
      }
    } else {
      const auto cps = text::decode(ch);
      for (char32_t cp : cps) {
        put_char(out, cp, pre);
      }
    }
    i += len;
  }
  // Tidy: trim each line's right end, at most one blank line in a row.
  std::string tidy;
  int blank_run = 0;
  for (const auto& line : text::split(out, '\n')) {
    std::string_view l = line;
    while (!l.empty() && l.back() == ' ') {
      l.remove_suffix(1);
    }
    while (!l.empty() && l.front() == ' ') {
      l.remove_prefix(1);
    }
    const bool blank = l.empty() || l == ">" ;
    if (blank) {
      if (tidy.empty() || ++blank_run > 1) {
        continue;
      }
    } else {
      blank_run = 0;
    }
    tidy += l;
    tidy += '\n';
  }
  while (!tidy.empty() && (tidy.back() == '\n' || tidy.back() == ' ')) {
    tidy.pop_back();
  }
  return tidy;
}

} // namespace desk::mail
