#include <desk/model/id.hpp>

#include <desk/util/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <random>

namespace desk::ids {

namespace {

constexpr std::string_view k_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

bool is_token_char(char c)
{
  return k_alphabet.find(c) != std::string_view::npos;
}

} // namespace

std::string random_token(std::size_t n)
{
  static thread_local std::random_device device;
  std::string out;
  out.reserve(n);
  std::uint32_t bits = 0;
  int available = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (available < 5) {
      bits = device();
      available = 32;
    }
    out += k_alphabet[bits & 31U];
    bits >>= 5U;
    available -= 5;
  }
  return out;
}

std::string make_ticket_id(std::string_view prefix)
{
  return fmt::format("{}-{}", prefix, random_token(k_token_length));
}

std::string make_event_id()
{
  return "E-" + random_token(8);
}

bool is_ticket_id(std::string_view id)
{
  const auto dash = id.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash > 8) {
    return false;
  }
  for (char c : id.substr(0, dash)) {
    if (c < 'A' || c > 'Z') {
      return false;
    }
  }
  const std::string_view token = id.substr(dash + 1);
  if (token.size() < 4 || token.size() > 16) {
    return false;
  }
  for (char c : token) {
    if (!is_token_char(c)) {
      return false;
    }
  }
  return true;
}

std::string normalize_id_input(std::string_view input)
{
  if (input.empty()) {
    throw UsageError("an empty ticket id", "give an id such as INC-7K3F2A9Q or a unique part of it");
  }
  std::string out;
  const auto dash = input.find('-');
  for (std::size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
    const bool in_token = dash == std::string_view::npos || i > dash;
    if (in_token) {
      if (c == 'I' || c == 'L') {
        c = '1';
      } else if (c == 'O') {
        c = '0';
      }
    }
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c == '-' && i == dash);
    if (!ok) {
      throw UsageError(fmt::format("'{}' is not a ticket id", input),
                       "ids look like INC-7K3F2A9Q; any unique part such as 7K3F also works");
    }
    out += c;
  }
  return out;
}

namespace {

void refuse_path_like(std::string_view input, const IdKind& kind)
{
  if (input.find('/') != std::string_view::npos || input.find('\\') != std::string_view::npos ||
      input.find("..") != std::string_view::npos) {
    throw UsageError(fmt::format("'{}' is not a {} id", input, kind.noun),
                     fmt::format("give an id such as {} or a unique part of it, not a path", kind.example));
  }
}

} // namespace

std::size_t resolve_abbreviation(std::string_view input, const std::vector<std::string>& ids, const IdKind& kind)
{
  refuse_path_like(input, kind);
  std::string wanted;
  try {
    wanted = normalize_id_input(input);
  } catch (const UsageError&) {
    throw UsageError(fmt::format("'{}' is not a {} id", input, kind.noun),
                     fmt::format("ids look like {}; any unique part of it also works", kind.example));
  }
  std::string raw_upper(input); // "INC" must not become "1NC"
  std::transform(raw_upper.begin(), raw_upper.end(), raw_upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::vector<std::size_t> matches;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::string& id = ids[i];
    if (id == wanted) {
      return i;
    }
    const auto dash = id.find('-');
    const std::string_view token = std::string_view(id).substr(dash == std::string::npos ? 0 : dash + 1);
    if (id.starts_with(wanted) || token.starts_with(wanted) || id.starts_with(raw_upper)) {
      matches.push_back(i);
    }
  }
  if (matches.empty()) {
    throw NotFoundError(fmt::format("no {} matches '{}'", kind.noun, input), std::string(kind.listing));
  }
  if (matches.size() > 1) {
    std::vector<std::string> names;
    for (const auto m : matches) {
      names.push_back(ids[m]);
    }
    if (std::all_of(names.begin(), names.end(), [&](const std::string& n) { return n == names.front(); })) {
      throw NotFoundError(fmt::format("{} id '{}' is used by {} files", kind.noun, names.front(), names.size()),
                          "run `desk doctor` to see them");
    }
    throw NotFoundError(fmt::format("'{}' is ambiguous; it matches {}", input, fmt::join(names, ", ")),
                        "type more characters of the id");
  }
  return matches.front();
}

} // namespace desk::ids
