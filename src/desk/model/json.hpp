#pragma once

#include <desk/model/ticket.hpp>

#include <nlohmann/json.hpp>

// The JSON shapes desk prints for scripts (documented in README.md, "JSON and CSV output").
namespace desk {

// A Value as JSON: scalars as strings, except plain integers (tier, rating, ...) as numbers;
// sequences as arrays; mappings as objects in file order.
nlohmann::ordered_json value_to_json(const Value& value);

// One event: {"id", "at", "by", "action", "set": {...}, "note", ...unknown keys}.
nlohmann::ordered_json event_to_json(const Event& event);

// A ticket: its current fields in file order, then "events" when `with_events`.
nlohmann::ordered_json ticket_to_json(const Ticket& ticket, bool with_events);

} // namespace desk
