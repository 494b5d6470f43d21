#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace desk {

// A YAML-shaped value as desk stores it: null, a scalar, a sequence or an ordered mapping.
// Keeps unknown keys and hand edits intact across a load and save.
struct Value {
  enum class Kind : std::uint8_t { null, scalar, sequence, mapping };

  Kind kind = Kind::null;
  std::string scalar;                                // Kind::scalar
  bool plain = false;                                // scalar is written unquoted (numbers)
  std::vector<Value> items;                          // Kind::sequence
  std::vector<std::pair<std::string, Value>> entries; // Kind::mapping, in file order
  int line = 0;                                      // 1-based position in the file read, 0 if made
  int column = 0;

  // Declared, so Value is no aggregate: clang 14 with libstdc++ 12 cannot otherwise tell
  // whether the recursive type is default-constructible (the fuzz build).
  Value() = default;

  // A text scalar (quoted on output whenever a plain scalar would read differently).
  static Value text(std::string s);
  // An integer scalar, written plain.
  static Value number(long long n);
  // A sequence of text scalars.
  static Value list(const std::vector<std::string>& items);
  // An empty mapping.
  static Value map();

  bool is_null() const { return kind == Kind::null; }
  bool is_scalar() const { return kind == Kind::scalar; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }

  // "Empty" for presentation: null, "" or an empty sequence/mapping.
  bool empty() const;

  // The scalar text, or "" for anything else.
  const std::string& str() const;

  // The items of a sequence of scalars as strings (non-scalars skipped).
  std::vector<std::string> strings() const;

  // Mapping lookup; nullptr when absent or not a mapping.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);

  // Set or append a mapping entry (keeps the position of an existing key).
  void set(std::string_view key, Value v);

  // Remove a mapping entry; true when it existed.
  bool erase(std::string_view key);

  bool operator==(const Value& other) const;
};

} // namespace desk
