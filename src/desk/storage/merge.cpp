#include <desk/storage/merge.hpp>

#include <desk/model/ticket.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/yaml_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace desk::storage {

namespace {

Value parse_side(std::string_view text, const std::string& path, std::string_view side)
{
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Value::map();
  }
  check_file_size(fmt::format("{} ({})", path, side), text.size());
  Value v = parse_yaml(text, fmt::format("{} ({})", path, side));
  if (!v.is_mapping()) {
    throw ParseError(path, v.line, v.column, fmt::format("the {} version is not a mapping of fields", side));
  }
  return v;
}

const Value* events_of(const Value& doc)
{
  const Value* e = doc.find("events");
  return e && e->is_sequence() ? e : nullptr;
}

std::string event_id(const Value& e)
{
  const Value* id = e.find("id");
  return id ? id->str() : std::string();
}

// Sort key of an event: its instant (seconds) and id.
std::pair<long long, std::string> event_key(const Value& e)
{
  const Value* at = e.find("at");
  const auto t = at ? parse_timestamp(at->str(), nullptr) : std::nullopt;
  return {t ? t->time_since_epoch().count() : 0LL, event_id(e)};
}

// The latest event (by time, then id) of `doc` whose `set` names `field`.
std::optional<std::pair<long long, std::string>> latest_setter(const Value& doc, const std::string& field)
{
  std::optional<std::pair<long long, std::string>> best;
  if (const Value* events = events_of(doc)) {
    for (const auto& e : events->items) {
      const Value* set = e.find("set");
      if (set && set->find(field)) {
        const auto key = event_key(e);
        if (!best || key > *best) {
          best = key;
        }
      }
    }
  }
  return best;
}

std::string describe(const Value& v)
{
  if (v.is_null()) {
    return "(none)";
  }
  if (v.is_scalar()) {
    return v.scalar.empty() ? "(empty)" : v.scalar;
  }
  if (v.is_sequence()) {
    return fmt::format("[{}]", fmt::join(v.strings(), ", "));
  }
  return emit_yaml(v);
}

std::string serialize(const Value& v)
{
  Value wrapper = Value::map();
  wrapper.set("v", v);
  return emit_yaml(wrapper);
}

// A short deterministic token from text (FNV-1a, Crockford base32), for merge event ids.
std::string stable_token(const std::string& text)
{
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  constexpr std::string_view k_alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += k_alphabet[h & 31U];
    h >>= 5U;
  }
  return out;
}

// The union of both sides' event lists, each event once. Events both sides share keep their
// common order; what each side added keeps that side's order (two events recorded in the
// same second stay in the order they happened) and the two additions interleave by time,
// then id. Every choice compares the two candidates alone, so the result does not depend on
// which side is "ours".
std::vector<Value> merge_event_lists(const Value& ours, const Value& theirs,
                                     const std::map<std::string, Value>& by_id)
{
  static const std::vector<Value> k_none;
  const auto& a = events_of(ours) ? events_of(ours)->items : k_none;
  const auto& b = events_of(theirs) ? events_of(theirs)->items : k_none;
  std::set<std::string> in_a;
  std::set<std::string> in_b;
  for (const auto& e : a) {
    in_a.insert(event_id(e));
  }
  for (const auto& e : b) {
    in_b.insert(event_id(e));
  }
  std::set<std::string> emitted;
  std::vector<Value> out;
  out.reserve(by_id.size());
  auto emit = [&](const Value& e) {
    const std::string id = event_id(e);
    if (emitted.insert(id).second) {
      out.push_back(by_id.at(id));
    }
  };
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && emitted.count(event_id(a[i])) != 0) {
      ++i;
      continue;
    }
    if (j < b.size() && emitted.count(event_id(b[j])) != 0) {
      ++j;
      continue;
    }
    if (i == a.size()) {
      emit(b[j++]);
      continue;
    }
    if (j == b.size()) {
      emit(a[i++]);
      continue;
    }
    const std::string ia = event_id(a[i]);
    const std::string ib = event_id(b[j]);
    if (ia == ib) {
      emit(a[i++]);
      ++j;
      continue;
    }
    const bool a_shared = in_b.count(ia) != 0;
    const bool b_shared = in_a.count(ib) != 0;
    if (a_shared && !b_shared) {
      emit(b[j++]); // theirs added this before the shared event
    } else if (b_shared && !a_shared) {
      emit(a[i++]);
    } else if (event_key(a[i]) <= event_key(b[j])) {
      emit(a[i++]);
    } else {
      emit(b[j++]);
    }
  }
  return out;
}

} // namespace

std::string first_event_id(const Value& doc)
{
  const Value* events = events_of(doc);
  return events && !events->items.empty() ? event_id(events->items.front()) : std::string();
}

bool is_older(const Value& a, const Value& b)
{
  static const Value k_none;
  const Value* ea = events_of(a);
  const Value* eb = events_of(b);
  const Value& fa = ea && !ea->items.empty() ? ea->items.front() : k_none;
  const Value& fb = eb && !eb->items.empty() ? eb->items.front() : k_none;
  return event_key(fa) < event_key(fb);
}

std::string merge_documents(std::string_view base_text, std::string_view ours_text, std::string_view theirs_text,
                            const std::string& path)
{
  const Value base = parse_side(base_text, path, "base");
  const Value ours = parse_side(ours_text, path, "ours");
  const Value theirs = parse_side(theirs_text, path, "theirs");

  // One ticket only when both sides share their first event; two tickets are kept apart.
  const std::string first_ours = first_event_id(ours);
  const std::string first_theirs = first_event_id(theirs);
  if (!first_ours.empty() && !first_theirs.empty() && first_ours != first_theirs) {
    const bool ours_older = is_older(ours, theirs);
    throw DifferentDocuments(
      fmt::format("{}: ours and theirs are two different tickets (first events {} and {}); kept the older ({}) "
                  "and left a merge conflict",
                  path, first_ours, first_theirs, ours_older ? "ours" : "theirs"),
      "run `desk doctor --fix` to keep both: the younger gets a new id that records this one",
      std::string(ours_older ? ours_text : theirs_text));
  }

  // Events: union by id; an id present on both sides with different content keeps the
  // version that sorts first as text, so both merge orders agree.
  std::map<std::string, Value> by_id;
  for (const Value* doc : {&ours, &theirs}) {
    if (const Value* events = events_of(*doc)) {
      for (const auto& e : events->items) {
        const std::string id = event_id(e);
        auto it = by_id.find(id);
        if (it == by_id.end()) {
          by_id.emplace(id, e);
        } else if (!(it->second == e) && serialize(e) < serialize(it->second)) {
          it->second = e;
        }
      }
    }
  }
  std::vector<Value> events = merge_event_lists(ours, theirs, by_id);

  // Fields: every key of either side (but events), in a canonical order.
  std::set<std::string> keys;
  for (const Value* doc : {&base, &ours, &theirs}) {
    for (const auto& [k, v] : doc->entries) {
      if (k != "events") {
        keys.insert(k);
      }
    }
  }
  static const Value k_null;
  Value merged_fields = Value::map();
  Value conflict_set = Value::map();
  std::vector<std::string> conflict_notes;
  std::vector<std::string> conflict_ids;
  for (const auto& key : keys) {
    const Value* b = base.find(key);
    const Value* a = ours.find(key);
    const Value* c = theirs.find(key);
    const Value& bv = b ? *b : k_null;
    const Value& av = a ? *a : k_null;
    const Value& cv = c ? *c : k_null;
    const Value* chosen = nullptr;
    if (av == cv) {
      chosen = &av;
    } else if (av == bv) {
      chosen = &cv;
    } else if (cv == bv) {
      chosen = &av;
    } else if (key == "updated") {
      // Derived: the later of the two.
      const auto ta = parse_timestamp(av.str(), nullptr);
      const auto tc = parse_timestamp(cv.str(), nullptr);
      // A time that does not parse loses to one that does; two equal times or two
      // unreadable ones: the value that sorts first (either way not by side).
      if (ta && tc && *ta != *tc) {
        chosen = *tc > *ta ? &cv : &av;
      } else if (ta.has_value() != tc.has_value()) {
        chosen = ta ? &av : &cv;
      } else {
        chosen = serialize(av) <= serialize(cv) ? &av : &cv;
      }
    } else {
      // Both changed it: the side whose latest event set it wins; with no such event
      // (a hand edit) the value that sorts first, so the result does not depend on sides.
      const auto sa = latest_setter(ours, key);
      const auto sc = latest_setter(theirs, key);
      // The same event on both sides (their shared `open`: neither recorded the value it
      // now has) says nothing about which is newer: that is a hand edit too.
      if (sa && sc && *sa != *sc) {
        chosen = *sc > *sa ? &cv : &av;
      } else if (sa.has_value() != sc.has_value()) {
        chosen = sa ? &av : &cv;
      } else {
        chosen = serialize(av) <= serialize(cv) ? &av : &cv;
      }
      const Value& loser = chosen == &av ? cv : av;
      const auto& win_setter = chosen == &av ? sa : sc;
      const auto& lose_setter = chosen == &av ? sc : sa;
      conflict_notes.push_back(fmt::format("{}: kept {}{}, not {}{}", key, describe(*chosen),
                                           win_setter ? " (" + win_setter->second + ")" : std::string(),
                                           describe(loser),
                                           lose_setter ? " (" + lose_setter->second + ")" : std::string()));
      conflict_ids.push_back(key + "=" + serialize(*chosen) + "|" + serialize(loser));
      if (!chosen->is_null()) {
        conflict_set.set(key, *chosen);
      } else {
        conflict_set.set(key, Value::text(""));
      }
    }
    if (!chosen->is_null()) {
      merged_fields.set(key, *chosen);
    }
  }

  if (!conflict_notes.empty()) {
    // A deterministic event: same id, time and text whichever side is ours, so merging
    // the same two versions in two clones yields one event.
    std::sort(conflict_ids.begin(), conflict_ids.end());
    Value e = Value::map();
    e.set("id", Value::text("E-M" + stable_token(fmt::format("{}", fmt::join(conflict_ids, "\n"))).substr(0, 7)));
    // Its time is the latest of the merged events (the list is not strictly time-ordered
    // when a clock went backwards), so it never sorts before what it reconciles.
    const Value* latest = nullptr;
    for (const auto& ev : events) {
      if (latest == nullptr || event_key(ev).first >= event_key(*latest).first) {
        latest = &ev;
      }
    }
    const Value* at = latest ? latest->find("at") : nullptr;
    e.set("at", Value::text(at ? at->str() : std::string()));
    e.set("by", Value::text("desk-merge"));
    e.set("action", Value::text("merge"));
    e.set("set", conflict_set);
    std::sort(conflict_notes.begin(), conflict_notes.end());
    e.set("note", Value::text("both sides changed: " + fmt::format("{}", fmt::join(conflict_notes, "; "))));
    // It goes last: it is the newest thing that happened to the ticket.
    if (by_id.find(event_id(e)) == by_id.end()) {
      events.push_back(std::move(e));
    }
  }

  Value doc = Value::map();
  const bool is_ticket = path.starts_with("tickets/") || path.find("/tickets/") != std::string::npos;
  if (is_ticket) {
    // Canonical ticket order: known fields by schema, unknown ones (sorted) after them.
    Ticket t;
    for (const auto& [k, v] : merged_fields.entries) {
      t.set(k, v);
    }
    doc = t.fields();
  } else {
    // Other documents: the order of the base, then new keys in name order.
    for (const auto& [k, v] : base.entries) {
      if (const Value* m = merged_fields.find(k)) {
        doc.set(k, *m);
      }
    }
    for (const auto& [k, v] : merged_fields.entries) {
      if (!doc.find(k)) {
        doc.set(k, v);
      }
    }
  }
  Value list;
  list.kind = Value::Kind::sequence;
  list.items = std::move(events);
  doc.set("events", std::move(list));
  std::string merged = emit_yaml(doc);
  check_file_size(path, merged.size());
  return merged;
}

} // namespace desk::storage
