#include <desk/model/id.hpp>

#include <desk/util/error.hpp>

#include <fmt/format.h>

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

} // namespace desk::ids
