#pragma once

#include <desk/config/calendar_spec.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

// The repository's configuration (.desk/config.yaml), as plain data with the lookups
// every command needs. Reading and validating the file lives in storage/config_file.
namespace desk {

// A ticket type and the prefix of its ids (incident → INC).
struct TicketType {
  std::string name;
  std::string prefix;
};

// SLA targets of one priority.
struct SlaTarget {
  std::chrono::minutes respond{0};
  std::chrono::minutes resolve{0};
  bool business = true; // business calendar, else 24x7 calendar time
};

// A support team: tier (1 = service desk, 2, 3), members, skills (categories handled).
struct Team {
  std::string name;
  int tier = 1;
  std::vector<std::string> members;
  std::vector<std::string> skills;
  std::string supervisor;
};

// An external vendor tickets can be escalated to.
struct Vendor {
  std::string name;
  std::string contact;
};

// Assignment rule: a ticket matching every given condition goes to `team`.
struct AssignmentRule {
  std::string category; // empty = any
  std::string type;     // empty = any
  std::string affected; // empty = any; matches one of the ticket's affected items
  std::string team;
};

// --- desk serve: the portal and the API -------------------------------------------------

// How requesters sign in to the portal.
enum class PortalAuth { mail, header };

// The web portal (`serve:`).
struct ServeConfig {
  std::string url;                                  // public address used in links; empty: none made
  PortalAuth auth = PortalAuth::mail;               // mailed one-time link, or a trusted proxy header
  std::string header = "X-Remote-User";             // the header a single sign-on proxy sets
  std::vector<std::string> trusted_proxies;         // addresses whose `header` is believed
  std::vector<std::string> staff;                   // who may see the board; empty: team members
  std::size_t max_upload_bytes = 10U * 1024 * 1024; // largest request body accepted
};

// One integration's bearer token (`api.tokens`): only its SHA-256 is stored.
struct ApiToken {
  std::string name;
  std::string sha256; // lower-case hex
  std::vector<std::string> scopes;
};

// The JSON API (`api:`).
struct ApiConfig {
  std::vector<ApiToken> tokens;
};

// The scopes an API token may carry.
const std::vector<std::string>& api_scopes();

// --- end desk serve ----------------------------------------------------------------------

// Who gets the notice of one kind of event: roles (requester, assignee, supervisor, team)
// or mail addresses.
struct NotifyRule {
  std::string event; // open, reply, pending, resolve, reopen, close, assign, escalate, message, sla-warning, sla-breach
  std::vector<std::string> to;
};

// The notify table desk uses when the config does not say otherwise.
std::vector<NotifyRule> default_notify_rules();

// The mail channel (`mail:`): desk's own address, how mail goes out, who is told what.
struct MailConfig {
  std::string address;                                            // empty: mail is off
  std::string name = "Service Desk";                              // the From display name
  std::vector<std::string> sendmail{"/usr/sbin/sendmail", "-t", "-oi"}; // run without a shell
  bool send_after_command = false;                                // mail.send: after-command (else cron)
  std::string language = "en";                                    // zh or en
  std::size_t max_attachment_bytes = 10 * 1024 * 1024;
  std::chrono::minutes notify_within{48 * 60}; // older events are never notified (turning mail on sends no history)
  int auto_replies_per_hour = 5;               // acknowledgements to one address per hour, at most
  std::vector<NotifyRule> notify = default_notify_rules(); // every event with its recipients
  // Defaults for tickets opened by mail, by the address written to (it@ vs hr-systems@).
  struct Route {
    std::string address;
    std::string type, impact, urgency, category;
  };
  std::vector<Route> routes;

  // The recipients of `event` (empty when it notifies nobody).
  const std::vector<std::string>& recipients_of(std::string_view event) const;
};

// Everything configurable, with the defaults `desk init` writes.
struct Config {
  std::string timezone = "UTC";
  std::vector<TicketType> types;
  std::vector<std::string> categories;
  std::vector<std::string> impacts;   // lowest to highest scope
  std::vector<std::string> urgencies; // lowest to highest
  std::vector<std::string> channels;
  std::vector<std::string> priorities; // most to least urgent: P1 first
  std::map<std::string, std::map<std::string, std::string>> matrix; // impact → urgency → priority
  std::map<std::string, SlaTarget> sla_targets; // priority → targets
  double sla_warning = 0.75;
  CalendarSpec calendar;
  std::vector<std::string> pending_reasons;
  std::vector<std::string> pause_reasons; // pending reasons that stop the SLA clock
  int close_after_days = 5;
  std::vector<Team> teams;
  std::vector<Vendor> vendors;
  std::vector<AssignmentRule> rules;
  bool git_autocommit = false;
  std::chrono::seconds hook_timeout{10};
  std::string default_type = "incident";
  std::string default_impact = "individual";
  std::string default_urgency = "medium";
  std::string default_channel = "portal";
  ServeConfig serve; // desk serve
  ApiConfig api;     // desk serve
  MailConfig mail;
  std::map<std::string, std::string> member_emails; // member or supervisor → mail address (teams:)

  // The type with this name, or nullptr.
  const TicketType* find_type(std::string_view name) const;
  // The type whose prefix this is, or nullptr.
  const TicketType* find_type_by_prefix(std::string_view prefix) const;
  // The team with this name, or nullptr.
  const Team* find_team(std::string_view name) const;
  // The vendor with this name, or nullptr.
  const Vendor* find_vendor(std::string_view name) const;
  // Priority from the matrix; throws UsageError when impact or urgency is unknown.
  std::string priority_for(std::string_view impact, std::string_view urgency) const;
  // True when members are configured (then assignees must be members).
  bool has_members() const;
  // True when `user` is a member of some team.
  bool is_member(std::string_view user) const;
  // The mail address of a member or supervisor (teams.*.members/supervisor with email);
  // "" when none is configured. A user written as an address is its own address.
  std::string email_of(std::string_view user) const;
  // The member or supervisor whose configured address this is (case-insensitive); "" when none.
  std::string user_with_email(std::string_view address) const;
  // Check one value against a configured list; throws UsageError "unknown <what> 'v';
  // use one of: a, b, c".
  static void require_one_of(std::string_view what, std::string_view value,
                             const std::vector<std::string>& allowed);
  // Type names in order.
  std::vector<std::string> type_names() const;
};

} // namespace desk
