#include <desk/model/ticket.hpp>

#include <array>

namespace desk {

const std::vector<FieldSpec>& ticket_fields()
{
  // Status and priority first so `grep status:` and a glance at the top tell the state.
  static const std::vector<FieldSpec> k_fields = {
    {"id", FieldKind::text},
    {"type", FieldKind::text},
    {"status", FieldKind::text},
    {"pending_reason", FieldKind::text},
    {"priority", FieldKind::text},
    {"priority_reason", FieldKind::text},
    {"impact", FieldKind::text},
    {"urgency", FieldKind::text},
    {"title", FieldKind::text},
    {"category", FieldKind::text},
    {"channel", FieldKind::text},
    {"reporter", FieldKind::text},
    {"department", FieldKind::text},
    {"contact", FieldKind::text},
    {"email", FieldKind::text},
    {"affected", FieldKind::list},
    {"team", FieldKind::text},
    {"assignee", FieldKind::text},
    {"lead_team", FieldKind::text},
    {"collaborators", FieldKind::list},
    {"tier", FieldKind::number},
    {"vendor", FieldKind::text},
    {"created", FieldKind::timestamp},
    {"updated", FieldKind::timestamp},
    {"occurred_at", FieldKind::timestamp},
    {"responded_at", FieldKind::timestamp},
    {"respond_due", FieldKind::timestamp},
    {"resolve_due", FieldKind::timestamp},
    {"eta", FieldKind::timestamp},
    {"resolved_at", FieldKind::timestamp},
    {"confirmed_at", FieldKind::timestamp},
    {"closed_at", FieldKind::timestamp},
    {"reopen_count", FieldKind::number},
    {"rating", FieldKind::number},
    {"dedup_key", FieldKind::text},
    {"external_id", FieldKind::text},
    {"related", FieldKind::list},
    {"kb", FieldKind::list},
    {"attachments", FieldKind::list},
    {"description", FieldKind::multiline},
    {"steps", FieldKind::multiline},
    {"error", FieldKind::multiline},
    {"cause", FieldKind::multiline},
    {"solution", FieldKind::multiline},
    {"verification", FieldKind::multiline},
    {"verified_by", FieldKind::text},
  };
  return k_fields;
}

const FieldSpec* find_field(std::string_view name)
{
  return find_spec(ticket_fields(), name);
}

namespace {

// What every ticket file must have, besides its events.
constexpr std::array<std::string_view, 5> k_required = {"id", "type", "status", "title", "created"};

const RecordSchema& ticket_schema()
{
  static const RecordSchema k_schema{ticket_fields(), "ticket", "a ticket"};
  return k_schema;
}

} // namespace

Ticket::Ticket() : Record(ticket_schema()) {}

Ticket Ticket::from_parts(Value fields, std::vector<Event> events)
{
  Ticket t;
  t.m_fields = std::move(fields);
  t.m_events = std::move(events);
  return t;
}

Ticket Ticket::from_value(const Value& doc, const std::string& path)
{
  Ticket t;
  t.read(doc, path, k_required, {});
  return t;
}

Ticket Ticket::from_value(Value&& doc, const std::string& path)
{
  Ticket t;
  t.read(doc, path, k_required, {});
  return t;
}

TicketBrief brief_of(const Ticket& ticket)
{
  return {ticket.status(), parse_timestamp(ticket.get("created"), nullptr),
          parse_timestamp(ticket.get("updated"), nullptr)};
}

} // namespace desk
