#pragma once

#include <desk/config/config.hpp>
#include <desk/model/ticket.hpp>
#include <desk/util/time.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The periodic service review (SOP stage 6): every measure is computed from the tickets'
// fields and events as they stood at the end of the period, so a report for a past period
// is the same whenever it is run. No I/O and no printing here; the measures are defined in
// share/doc/report-measures.md and in measure_definitions().
namespace desk::report {

// Length of one trend bucket.
enum class Bucket { week, month };

// A ticket attribute tickets are grouped by (its value at the end of the period).
enum class Dimension { team, category, priority, assignee, channel, type, department };

// What to report on: the period [since, until), "now" (ageing never looks past it), the
// trend bucket and the dimension of the grouped tables.
struct ReportOptions {
  Timestamp since{};
  Timestamp until{};
  Timestamp now{};
  Bucket bucket = Bucket::week;
  Dimension group_by = Dimension::team;
};

// A ticket (file) that was left out of the report, and why.
struct LeftOut {
  std::string source; // file path, else ticket id
  std::string reason;
};

// Mean, median and 90th percentile of a set of durations, in seconds (absent when empty).
struct DurationStats {
  int count = 0;
  std::optional<std::chrono::seconds> mean;
  std::optional<std::chrono::seconds> median;
  std::optional<std::chrono::seconds> p90;
};

// One kind of elapsed time measured two ways.
struct TimeStats {
  DurationStats business; // working time of the configured calendar
  DurationStats calendar; // wall-clock time
};

// A share: `part` of `whole` (no value when whole is 0).
struct Share {
  int part = 0;
  int whole = 0;
  // part / whole, or nullopt for 0 / 0.
  std::optional<double> value() const;
};

// Ticket counts of one slice of the period.
struct Volume {
  int opened = 0;        // created in the period
  int resolved = 0;      // resolution standing at the end of the period made in it
  int closed = 0;        // closed in the period
  int cancelled = 0;     // cancelled in the period
  int backlog_start = 0; // open at the start of the period
  int backlog_end = 0;   // open at the end of the period
};

// SLA compliance of one target.
struct SlaTarget {
  int measured = 0; // done in the period, or fell due in the period and not done
  int met = 0;
  // met / measured.
  Share compliance() const { return {met, measured}; }
};

// SLA compliance of both targets.
struct SlaCompliance {
  SlaTarget respond;
  SlaTarget resolve;
};

// How the tickets resolved in the period were resolved.
struct Resolution {
  int resolved = 0;         // the denominator of every share below
  int first_contact = 0;    // FCR
  int first_level = 0;      // FLR
  int escalated = 0;        // any escalation before the resolution
  int escalated_tier2 = 0;
  int escalated_tier3 = 0;
  int escalated_vendor = 0;
  int reopened = 0;         // rejected by the user at least once
  int reassignments = 0;    // assignee changes after the first assignment, summed
  int with_kb = 0;          // a knowledge-base article was recorded on resolution
};

// Things done in the period, counted as events.
struct Activity {
  int escalations_tier2 = 0;
  int escalations_tier3 = 0;
  int escalations_vendor = 0;
  int reopens = 0;
  int resolutions = 0; // resolve events
  long long log_minutes = 0;
  int log_entries = 0;
};

// Confirmations by users in the period.
struct Satisfaction {
  int confirmations = 0;
  int rated = 0;
  int rating_sum = 0;
  int satisfied = 0;               // rated 4 or 5
  std::array<int, 5> ratings = {}; // count of ratings 1..5
  // Mean rating, nullopt when nothing was rated.
  std::optional<double> average() const;
};

// Every measure of one slice (the whole period, one group, one trend bucket).
struct Measures {
  Volume volume;
  TimeStats respond;
  TimeStats resolve;
  SlaCompliance sla;
  Resolution resolution;
  Activity activity;
  Satisfaction satisfaction;
};

// The measures of the tickets whose dimension has one value.
struct GroupRow {
  std::string name; // "(none)" when the ticket has no value
  Measures measures;
};

// One trend bucket, clipped to the period.
struct TrendPoint {
  std::string label; // week: date of its Monday (YYYY-MM-DD); month: YYYY-MM
  Timestamp start{};
  Timestamp end{};
  Measures measures;
};

// Open tickets whose age (calendar days since creation) lies in [min_days, max_days).
struct AgeBucket {
  std::string label; // "0-1d", ..., ">30d"
  int min_days = 0;
  std::optional<int> max_days;
  int count = 0;
};

// Resolved tickets whose business time to resolve lies in [min, max).
struct ResolveBucket {
  std::string label; // "<1h", "1-4h", ...
  std::chrono::seconds min{0};
  std::optional<std::chrono::seconds> max;
  int count = 0;
};

// One ticket in a list (oldest open, breaches).
struct TicketLine {
  std::string id;
  std::string title;
  std::string priority;
  std::string status;
  std::string team;
  std::string assignee;
  Timestamp created{};
};

// An open ticket and its age at the end of the period.
struct OpenTicket {
  TicketLine ticket;
  std::chrono::seconds age{0};
};

// A missed SLA target.
struct Breach {
  TicketLine ticket;
  std::string target; // "respond" or "resolve"
  Timestamp due{};
  std::optional<Timestamp> done; // nullopt: still not done at the end of the period
  std::chrono::seconds late{0};  // wall-clock time from due to done (or to the period's end)
};

// Work per person or team.
struct WorkloadRow {
  std::string name;
  int open = 0;             // open at the end, by current assignee/team
  int resolved = 0;         // resolved in the period, by assignee/team at the end
  long long log_minutes = 0; // person: logged by them; team: logged while the ticket was the team's
};

// The service review.
struct ReviewReport {
  ReportOptions options;
  Timestamp as_of{};      // min(until, now): the instant backlog and ageing refer to
  std::string timezone;   // the repository's zone; dates and buckets are local to it
  int tickets_read = 0;   // tickets given (left-out files not included)
  std::vector<LeftOut> left_out;
  Measures totals;
  std::vector<GroupRow> groups;      // by options.group_by
  std::vector<GroupRow> by_priority; // config order
  std::vector<GroupRow> by_team;
  // Volume by type, category, channel, priority, team, assignee, department (that order).
  std::vector<std::pair<Dimension, std::vector<GroupRow>>> volume_by;
  std::vector<AgeBucket> backlog_ageing;
  std::vector<OpenTicket> oldest_open; // at most 10, oldest first
  std::vector<ResolveBucket> resolve_distribution;
  std::vector<Breach> breaches; // by due time
  std::vector<WorkloadRow> workload_assignees;
  std::vector<WorkloadRow> workload_teams;
  std::vector<TrendPoint> trend;
};

// Builds a review from tickets handed over one at a time: they are checked and measured
// (for the period and for every trend bucket) in batches on every core and then let go, so
// a report over many tickets holds only its figures, not the tickets.
class ReportBuilder {
public:
  // Throws UsageError when since >= until or the trend would have more than 520 buckets.
  ReportBuilder(const Config& config, const ReportOptions& options);
  ~ReportBuilder();
  ReportBuilder(const ReportBuilder&) = delete;
  ReportBuilder& operator=(const ReportBuilder&) = delete;

  // One ticket; `source` names it in messages (its file), empty for its id.
  void add(Ticket ticket, std::string source = {});
  // The review: `unreadable` (files the caller could not load) listed first among the
  // left-out tickets; `also_read` as for build_report.
  ReviewReport finish(std::vector<LeftOut> unreadable = {}, int also_read = 0);

  struct State; // defined in review.cpp

private:
  std::unique_ptr<State> m;
};

// Compute the review of `tickets` (each one's file path in `sources` when given, for
// messages). Tickets whose times or statuses cannot be read are left out and listed with
// `unreadable` (files the caller could not load) in report.left_out. Throws UsageError
// when since >= until or the trend would have more than 520 buckets.
// `also_read` counts tickets the caller read but left out by `outside_period` (they
// count as read).
ReviewReport build_report(const std::vector<Ticket>& tickets, const Config& config, const ReportOptions& options,
                          std::vector<LeftOut> unreadable = {}, const std::vector<std::string>& sources = {},
                          int also_read = 0);

// True when a ticket, judged by its brief alone (status, created, updated: brief_of, or
// what the ticket index keeps), cannot affect a report for `options`: created at or after
// the end of the period, or closed or cancelled with its last change (`updated`) before
// the period. Readers use it to skip loading old tickets.
bool outside_period(const TicketBrief& brief, const ReportOptions& options);

// Dimension name as given to --group-by ("team").
std::string_view to_string(Dimension d);
// Bucket name as given to --by ("week").
std::string_view to_string(Bucket b);
// Parse a dimension name; nullopt when unknown.
std::optional<Dimension> parse_dimension(std::string_view s);
// Parse a bucket name; nullopt when unknown.
std::optional<Bucket> parse_bucket(std::string_view s);
// The dimensions --group-by accepts, in order.
std::vector<std::string> group_by_names();

// Group name of tickets without a value for the dimension.
inline constexpr std::string_view k_none = "(none)";

// The definitions of the measures, as plain text lines (for `desk report --help` and the
// documents); the long form is share/doc/report-measures.md.
std::string_view measure_definitions();

} // namespace desk::report
