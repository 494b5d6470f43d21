#include <desk/mail/quote.hpp>

#include <desk/util/text.hpp>

#include <array>
#include <vector>

namespace desk::mail {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix)
{
  return s.size() >= prefix.size() && text::ascii_lower(s.substr(0, prefix.size())) == prefix;
}

bool ends_with(std::string_view s, std::string_view suffix)
{
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view strip_quote_marks(std::string_view l)
{
  l = text::trim(l);
  while (!l.empty() && l.front() == '*') { // Outlook's bold "*From:*" in plain text
    l.remove_prefix(1);
  }
  return l;
}

// An Outlook-style header block starts here: a From line followed by Sent/Date/To/Subject.
bool header_block_at(const std::vector<std::string>& lines, std::size_t i)
{
  static constexpr std::array<std::string_view, 4> k_from{"from:", "发件人:", "发件人：", "寄件者:"};
  static constexpr std::array<std::string_view, 16> k_next{
    "sent:", "date:", "to:", "subject:", "cc:", "发送时间:", "发送时间：", "时间:", "时间：", "日期:",
    "日期：", "收件人:", "收件人：", "主题:", "主题：", "寄件日期:"};
  const std::string_view first = strip_quote_marks(lines[i]);
  bool from = false;
  for (auto f : k_from) {
    from = from || starts_with_ci(first, f);
  }
  if (!from) {
    return false;
  }
  int seen = 0;
  for (std::size_t j = i + 1; j < lines.size() && j <= i + 5; ++j) {
    const std::string_view l = strip_quote_marks(lines[j]);
    for (auto k : k_next) {
      if (starts_with_ci(l, k)) {
        ++seen;
        break;
      }
    }
  }
  return seen >= 2;
}

bool quote_intro_at(const std::vector<std::string>& lines, std::size_t i)
{
  const std::string_view l = text::trim(lines[i]);
  if (l.empty()) {
    return false;
  }
  // "On Mon, 3 Dec 2026 at 10:00, Alice <a@x> wrote:" possibly folded over two lines.
  if (starts_with_ci(l, "on ")) {
    if (ends_with(l, "wrote:")) {
      return true;
    }
    if (i + 1 < lines.size() && ends_with(text::trim(lines[i + 1]), "wrote:") && !ends_with(l, ".")) {
      return true;
    }
  }
  if (l.rfind("在", 0) == 0 && (ends_with(l, "写道：") || ends_with(l, "写道:") || ends_with(l, "寫道：") ||
                                 ends_with(l, "寫道:"))) {
    return true;
  }
  if (l.find("Original Message") != std::string_view::npos && l.find("---") != std::string_view::npos) {
    return true;
  }
  if (l.find("原始邮件") != std::string_view::npos || l.find("原始郵件") != std::string_view::npos) {
    return true;
  }
  if (l.find("Forwarded message") != std::string_view::npos && l.find("---") != std::string_view::npos) {
    return false;
  }
  if (l.size() >= 20 && l.find_first_not_of('_') == std::string_view::npos && i + 1 < lines.size() &&
      header_block_at(lines, i + 1)) {
    return true;
  }
  return header_block_at(lines, i);
}

} // namespace

std::string cut_quoted_history(std::string_view body)
{
  std::vector<std::string> lines = text::split(body, '\n');
  for (auto& l : lines) {
    if (!l.empty() && l.back() == '\r') {
      l.pop_back();
    }
  }
  std::size_t cut = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (quote_intro_at(lines, i)) {
      cut = i;
      break;
    }
  }
  // A trailing block of "> " lines (with blank lines in it) is quoted history too.
  std::size_t tail = cut;
  while (tail > 0) {
    const std::string_view l = text::trim(lines[tail - 1]);
    if (l.empty() || l.front() == '>') {
      --tail;
    } else {
      break;
    }
  }
  bool quoted_tail = false;
  for (std::size_t i = tail; i < cut; ++i) {
    quoted_tail = quoted_tail || !text::trim(lines[i]).empty();
  }
  if (quoted_tail) {
    cut = tail;
  }
  std::string out;
  for (std::size_t i = 0; i < cut; ++i) {
    out += lines[i];
    out += '\n';
  }
  const std::string_view kept = text::trim(out);
  if (kept.empty()) {
    std::string whole(text::trim(body));
    return whole;
  }
  return std::string(kept);
}

} // namespace desk::mail
