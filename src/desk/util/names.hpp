#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// The names of an enumeration's values as files and commands spell them: one table of
// (value, name) pairs per enumeration, and the lookups every such table needs.
namespace desk {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

// The name of `value`; "?" for a value the table lacks.
template <typename E, std::size_t N>
constexpr std::string_view name_of(const NameTable<E, N>& table, E value)
{
  for (const auto& [k, v] : table) {
    if (k == value) {
      return v;
    }
  }
  return "?";
}

// The value named `name`; nullopt when no value has that name.
template <typename E, std::size_t N>
constexpr std::optional<E> value_named(const NameTable<E, N>& table, std::string_view name)
{
  for (const auto& [k, v] : table) {
    if (v == name) {
      return k;
    }
  }
  return std::nullopt;
}

// Every name, in table order.
template <typename E, std::size_t N>
std::vector<std::string> names_of(const NameTable<E, N>& table)
{
  std::vector<std::string> out;
  out.reserve(N);
  for (const auto& [k, v] : table) {
    out.emplace_back(v);
  }
  return out;
}

} // namespace desk
