#pragma once

#include <string>
#include <string_view>
#include <vector>

// Ticket and event ids.
//
// A ticket id is `<PREFIX>-<8 Crockford base32 characters>`, e.g. `INC-7K3F2A9Q`: short
// enough to read over the phone (no I, L, O or U; input is case-insensitive and I/L/O are
// read as 1/1/0), and random so that clones working offline do not need to coordinate.
//
// Collision arithmetic: 8 characters carry 40 random bits (N = 2^40 ≈ 1.1e12 values).
// Within one clone a clash is impossible: the file is created exclusively and a clash
// draws again. Across clones only ids made while they were apart can clash; for k such
// ids the chance of any clash is at most k^2 / (2N): two clones that each open 5,000
// tickets offline (k = 10,000) clash with probability 4.5e-5, i.e. once in ~22,000 such
// merges; 500 each (k = 1,000), 4.5e-7. A clash changes a path only if both tickets were
// also created in the same month; `desk doctor` reports any duplicate id and
// `desk doctor --fix` renumbers the younger ticket.
namespace desk::ids {

// Number of random characters in a ticket id.
inline constexpr std::size_t k_token_length = 8;

// `n` random Crockford base32 characters from the system's random device.
std::string random_token(std::size_t n);

// A fresh ticket id with the given type prefix.
std::string make_ticket_id(std::string_view prefix);

// A fresh event id (`E-` and 8 random characters); unique within a ticket.
std::string make_event_id();

// True when `id` is `PREFIX-TOKEN` with an upper-case letter prefix and a Crockford token.
bool is_ticket_id(std::string_view id);

// Canonical form of what a user typed as an id or abbreviation: upper case, and in the
// token part I/L read as 1 and O as 0. Throws UsageError for anything shaped like a path
// or holding characters no id has.
std::string normalize_id_input(std::string_view input);

// How messages name one kind of record when an id is resolved.
struct IdKind {
  std::string_view noun;    // "ticket", "knowledge-base article"
  std::string_view example; // "INC-7K3F2A9Q"
  std::string_view listing; // "`desk list --all` shows every ticket"
};

// The position in `ids` of the one id `input` names: the whole id, or a unique
// abbreviation of the whole id or of its token (after the dash), typed in any case, with
// I/L/O read as 1/0 in the token but never in the prefix ("INC" stays "INC"). The one rule
// for tickets and articles alike. Throws UsageError for path-like input, NotFoundError when
// nothing or several ids match (the message lists them; one id in several files says so).
std::size_t resolve_abbreviation(std::string_view input, const std::vector<std::string>& ids, const IdKind& kind);

} // namespace desk::ids
