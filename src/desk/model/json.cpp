#include <desk/model/json.hpp>

#include <charconv>

namespace desk {

nlohmann::ordered_json value_to_json(const Value& v)
{
  switch (v.kind) {
  case Value::Kind::null:
    return nullptr;
  case Value::Kind::scalar: {
    if (v.plain && !v.scalar.empty() && v.scalar.size() < 18) {
      long long n = 0;
      const char* end = v.scalar.data() + v.scalar.size();
      const auto [ptr, ec] = std::from_chars(v.scalar.data(), end, n);
      if (ec == std::errc() && ptr == end) {
        return n;
      }
    }
    return v.scalar;
  }
  case Value::Kind::sequence: {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& item : v.items) {
      arr.push_back(value_to_json(item));
    }
    return arr;
  }
  case Value::Kind::mapping: {
    auto obj = nlohmann::ordered_json::object();
    for (const auto& [k, child] : v.entries) {
      obj[k] = value_to_json(child);
    }
    return obj;
  }
  }
  return nullptr;
}

nlohmann::ordered_json event_to_json(const Event& event)
{
  return value_to_json(event_to_value(event));
}

nlohmann::ordered_json ticket_to_json(const Ticket& ticket, bool with_events)
{
  auto obj = value_to_json(ticket.fields());
  if (with_events) {
    auto events = nlohmann::ordered_json::array();
    for (const auto& e : ticket.events()) {
      events.push_back(event_to_json(e));
    }
    obj["events"] = std::move(events);
  }
  return obj;
}

} // namespace desk
