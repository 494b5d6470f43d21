#include <desk/model/value.hpp>

namespace desk {

Value Value::text(std::string s)
{
  Value v;
  v.kind = Kind::scalar;
  v.scalar = std::move(s);
  return v;
}

Value Value::number(long long n)
{
  Value v;
  v.kind = Kind::scalar;
  v.scalar = std::to_string(n);
  v.plain = true;
  return v;
}

Value Value::list(const std::vector<std::string>& strings)
{
  Value v;
  v.kind = Kind::sequence;
  for (const auto& s : strings) {
    v.items.push_back(text(s));
  }
  return v;
}

Value Value::map()
{
  Value v;
  v.kind = Kind::mapping;
  return v;
}

bool Value::empty() const
{
  switch (kind) {
  case Kind::null:
    return true;
  case Kind::scalar:
    return scalar.empty();
  case Kind::sequence:
    return items.empty();
  case Kind::mapping:
    return entries.empty();
  }
  return true;
}

const std::string& Value::str() const
{
  static const std::string k_empty;
  return kind == Kind::scalar ? scalar : k_empty;
}

std::vector<std::string> Value::strings() const
{
  std::vector<std::string> out;
  if (kind == Kind::sequence) {
    for (const auto& item : items) {
      if (item.is_scalar()) {
        out.push_back(item.scalar);
      }
    }
  } else if (kind == Kind::scalar && !scalar.empty()) {
    out.push_back(scalar);
  }
  return out;
}

const Value* Value::find(std::string_view key) const
{
  if (kind != Kind::mapping) {
    return nullptr;
  }
  for (const auto& [k, v] : entries) {
    if (k == key) {
      return &v;
    }
  }
  return nullptr;
}

Value* Value::find(std::string_view key)
{
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

void Value::set(std::string_view key, Value v)
{
  if (kind != Kind::mapping) {
    *this = map();
  }
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return;
  }
  entries.emplace_back(std::string(key), std::move(v));
}

bool Value::erase(std::string_view key)
{
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first == key) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

bool Value::operator==(const Value& other) const
{
  if (kind != other.kind) {
    return false;
  }
  switch (kind) {
  case Kind::null:
    return true;
  case Kind::scalar:
    return scalar == other.scalar;
  case Kind::sequence:
    return items == other.items;
  case Kind::mapping:
    return entries == other.entries;
  }
  return false;
}

} // namespace desk
